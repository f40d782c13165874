"""Fit messages into Telegram's limits: 4096 characters a message, 64 bytes of callback data.

Messages are built from lines that are each complete HTML (every tag closed on its line), so
splitting between lines never breaks markup. Length is counted in UTF-16 code units, as
Telegram counts, on the HTML source — an upper bound of what Telegram measures after parsing.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

MESSAGE_LIMIT = 4096
CALLBACK_LIMIT = 64


def utf16_len(text: str) -> int:
    """Length as Telegram counts it (an emoji outside the BMP counts twice)."""
    return len(text.encode("utf-16-le")) // 2


def clip(text: str, limit: int) -> str:
    """Cut plain text to `limit` characters with an ellipsis (before escaping it)."""
    text = text.strip()
    return text if len(text) <= limit else text[: max(0, limit - 1)] + "…"


def split_message(lines: Iterable[str], limit: int = MESSAGE_LIMIT) -> list[str]:
    """Join lines into as few messages as fit under `limit`, breaking only between lines."""
    chunks: list[str] = []
    current: list[str] = []
    size = 0
    for line in lines:
        for piece in _fit_line(line, limit):
            extra = utf16_len(piece) + (1 if current else 0)
            if current and size + extra > limit:
                chunks.append("\n".join(current))
                current, size = [], 0
                extra = utf16_len(piece)
            current.append(piece)
            size += extra
    if current:
        chunks.append("\n".join(current))
    return chunks or [""]


def _fit_line(line: str, limit: int) -> list[str]:
    """A line longer than a message loses its markup and is cut into message-sized pieces."""
    if utf16_len(line) <= limit:
        return [line]
    plain = re.sub(r"<[^>]*>", "", line)
    pieces: list[str] = []
    while plain:
        cut = min(len(plain), limit)
        while utf16_len(plain[:cut]) > limit:
            cut -= 1
        amp = plain.rfind("&", 0, cut)
        if amp != -1 and ";" not in plain[amp:cut]:
            cut = amp or cut  # don't split an entity such as &amp;
        pieces.append(plain[:cut])
        plain = plain[cut:]
    return pieces


def callback_data(*parts: object) -> str:
    """Join parts into callback data, refusing what Telegram would refuse (over 64 bytes)."""
    data = ":".join(str(p) for p in parts)
    if len(data.encode("utf-8")) > CALLBACK_LIMIT:
        raise ValueError(f"callback data over {CALLBACK_LIMIT} bytes: {data!r}")
    return data


def parse_callback(data: str) -> tuple[str, int, str] | None:
    """ "r:42:d" → ("r", 42, "d"): the kind, the id and the choice of a button made by
    callback_data(kind, id, choice); None for anything else (a forged or stale button)."""
    parts = data.split(":")
    if len(parts) != 3 or not parts[1].isdigit():
        return None
    return parts[0], int(parts[1]), parts[2]
