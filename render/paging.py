"""Paging a long chat view: one message a page, with ◀ n/N ▶ buttons. No Telegram here.

Paging callback data is "pg:<view>:<key>:<page>" (pages count from 1), and "pg:noop" for the
"n/N" label. <key> is the view's argument itself (a unit name, an item ref) when the whole data
stays within 64 bytes for any page up to 999999, has no ":" and does not start with "#";
otherwise it is "#" and the first 12 hex digits of the argument's SHA-256 — a stable key that
needs no storage: the handler maps it back with `resolve_page_arg(key, candidates)` over the
names it knows (the units, the item refs). `parse_page_data` reads the data back.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from render.chunks import MESSAGE_LIMIT, callback_data, split_message, utf16_len

PAGE_DIGITS = 6  # pages up to 999999 keep the same key
KEY_PREFIX = "#"
KEY_HEX = 12


@dataclass(frozen=True)
class Page:
    """One page of a long answer: its message (one chunk), the ◀ n/N ▶ row, where it is.

    `key` is the argument as it appears in the callback data (the argument itself, or "#"+hash
    when it would not fit; see the module docstring).
    """

    chunks: list[str]
    buttons: list[list[tuple[str, str]]]
    page: int
    pages: int
    key: str = field(default="")


NOOP = "pg:noop"


def page_key(view: str, arg: str) -> str:
    """The argument as carried in callback data: itself when it fits, else "#" + 12 hex."""
    fits = (
        len(f"pg:{view}:{arg}:{'9' * PAGE_DIGITS}".encode()) <= 64
        and ":" not in arg
        and not arg.startswith(KEY_PREFIX)
    )
    return arg if fits else arg_hash(arg)


def arg_hash(arg: str) -> str:
    return KEY_PREFIX + hashlib.sha256(arg.encode()).hexdigest()[:KEY_HEX]


def resolve_page_arg(key: str, candidates: Iterable[str]) -> str | None:
    """The argument a key stands for: the key itself, or the candidate whose hash it is."""
    if not key.startswith(KEY_PREFIX):
        return key
    return next((c for c in candidates if arg_hash(c) == key), None)


def parse_page_data(data: str) -> tuple[str, str, int] | None:
    """(view, key, page) from "pg:view:key:page"; None for "pg:noop" or anything else."""
    parts = data.split(":")
    if len(parts) != 4 or parts[0] != "pg" or not parts[3].isdigit():
        return None
    return parts[1], parts[2], int(parts[3])


def paginate(
    lines: Sequence[str],
    page: int,
    *,
    view: str,
    arg: str = "",
    per_page: int = 30,
    head: str = "",
) -> Page:
    """Page `lines`: at most `per_page` lines a page and never more than one message.

    Pages are packed greedily in order, so a page holds fewer lines when they are long (a line
    longer than a message is cut into pieces first, as split_message does). `page` counts from
    1 and is clamped into range (a stale button still lands on a page). `head`, when given,
    starts every page. With one page there are no buttons; otherwise one row: ◀ (not on the
    first page), the "n/N" label (callback "pg:noop"), ▶ (not on the last page).
    """
    if per_page < 1:
        raise ValueError("per_page must be at least 1")
    head_size = utf16_len(head) + 1 if head else 0
    if head_size > MESSAGE_LIMIT // 4:
        raise ValueError("a page head must be short")
    budget = MESSAGE_LIMIT - head_size
    pieces: list[str] = []
    for line in lines:
        pieces.extend(split_message([line], budget) if utf16_len(line) > budget else [line])
    pages: list[list[str]] = []
    current: list[str] = []
    size = 0
    for piece in pieces:
        extra = utf16_len(piece) + (1 if current else 0)
        if current and (len(current) >= per_page or size + extra > budget):
            pages.append(current)
            current, size = [], 0
            extra = utf16_len(piece)
        current.append(piece)
        size += extra
    if current:
        pages.append(current)
    key = page_key(view, arg)
    total = max(len(pages), 1)
    page = min(max(page, 1), total)
    body = ([head] if head else []) + (pages[page - 1] if pages else [])
    chunks = ["\n".join(body)] if body else []
    buttons: list[list[tuple[str, str]]] = []
    if total > 1:
        row: list[tuple[str, str]] = []
        if page > 1:
            row.append(("◀", callback_data("pg", view, key, page - 1)))
        row.append((f"{page}/{total}", NOOP))
        if page < total:
            row.append(("▶", callback_data("pg", view, key, page + 1)))
        buttons.append(row)
    return Page(chunks=chunks, buttons=buttons, page=page, pages=total, key=key)
