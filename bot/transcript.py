"""The conversation of `duban demo`, written for a person reading a terminal.

Who says what, one turn at a time: "王建国(局高新处) → bot: 4 完成60%" and "bot → 王建国: …".
The bot's messages arrive as Telegram shows them — text plus entities (bold, italic, code,
links), the HTML already parsed by the Bot API — and are drawn with ANSI colour on a terminal
and as plain text otherwise; inline buttons are numbered ([1 …] [2 …]) so that a person at the
keyboard can press one by typing its number. Everything is also written, plain, to a file.
"""

from __future__ import annotations

import itertools
import os
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TextIO

__all__ = [
    "Button",
    "Transcript",
    "buttons_of",
    "render_message",
    "strip_ansi",
    "use_colour",
]

INDENT = "    "
_RESET = "\x1b[0m"
# SGR codes by entity type; a link also gets its address after it when the text differs.
_STYLE = {
    "bold": "1",
    "italic": "3",
    "underline": "4",
    "strikethrough": "9",
    "spoiler": "2",
    "code": "36",
    "pre": "36",
    "url": "34;4",
    "text_link": "34;4",
    "email": "34;4",
    "blockquote": "2",
    "expandable_blockquote": "2",
}
# Colours of the turns' heads.
_HEAD = {"bot": "1;32", "person": "1;33", "act": "1;35", "note": "2", "shell": "1;36"}
_ANSI = re.compile(r"\x1b\[[0-9;]*m")


def use_colour(stream: TextIO) -> bool:
    """Colour when the stream is a terminal and NO_COLOR is not set (https://no-color.org)."""
    if os.environ.get("NO_COLOR"):
        return False
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())


def strip_ansi(text: str) -> str:
    """`text` without ANSI colour codes."""
    return _ANSI.sub("", text)


def _paint(text: str, code: str, colour: bool) -> str:
    return f"\x1b[{code}m{text}{_RESET}" if colour and text else text


def _utf16_positions(text: str) -> list[int]:
    """For each UTF-16 offset into `text` (and the end), the index of the character there."""
    index: list[int] = []
    for k, ch in enumerate(text):
        index.append(k)
        if ord(ch) > 0xFFFF:
            index.append(k)  # the second half of a surrogate pair points at the same character
    index.append(len(text))
    return index


def render_message(text: str, entities: Sequence[Mapping[str, Any]], *, colour: bool) -> str:
    """A bot message's text with its entities as ANSI styles (or plain), links spelled out.

    Entity offsets count UTF-16 code units, as Telegram's do, so emoji such as 🟢 (two units)
    keep the styles on the right characters.
    """
    index = _utf16_positions(text)
    last = len(index) - 1
    spans: list[tuple[int, int, Mapping[str, Any]]] = []
    for e in entities:
        start = min(max(int(e.get("offset", 0)), 0), last)
        end = min(start + max(int(e.get("length", 0)), 0), last)
        if start < end:
            spans.append((index[start], index[end], e))
    cuts = sorted({0, len(text), *(s for s, _, _ in spans), *(e for _, e, _ in spans)})
    out: list[str] = []
    for a, b in itertools.pairwise(cuts):
        piece = text[a:b]
        active = [e for s, t, e in spans if s <= a and b <= t]
        codes = ";".join(_STYLE[str(e["type"])] for e in active if str(e["type"]) in _STYLE)
        if colour and codes:
            # Styles do not run on over a line break into the next line's indent.
            out.append("\n".join(_paint(line, codes, True) for line in piece.split("\n")))
        else:
            out.append(piece)
        for s, t, e in spans:
            if t == b and e.get("type") == "text_link" and e.get("url"):
                url = str(e["url"])
                if url != text[s:t]:
                    out.append(" " + _paint(f"({url})", _HEAD["note"], colour))
    return "".join(out)


@dataclass(frozen=True)
class Button:
    """An inline button as a person sees it: its number, label and what pressing it sends."""

    number: int
    label: str
    callback_data: str | None
    url: str | None


def buttons_of(markup: Mapping[str, Any] | None) -> list[list[Button]]:
    """The inline keyboard of a message, rows of numbered buttons (numbering across rows)."""
    rows: list[list[Button]] = []
    number = 0
    for row in (markup or {}).get("inline_keyboard", []):
        line = []
        for b in row:
            number += 1
            line.append(
                Button(number, str(b.get("text", "")), b.get("callback_data"), b.get("url"))
            )
        rows.append(line)
    return rows


def _button_text(button: Button) -> str:
    return f"[{button.number} {button.label}{' ↗' if button.url else ''}]"


class Transcript:
    """Writes the conversation to the screen (coloured on a terminal) and plain to a file."""

    def __init__(self, screen: TextIO | None, *, colour: bool, file: TextIO | None = None) -> None:
        self.screen = screen
        self.colour = colour
        self.file = file

    def _emit(self, line: str, *, on_screen: bool = True) -> None:
        """Write one line: as it is on a colour screen, without ANSI codes elsewhere."""
        if self.screen is not None and on_screen:
            self.screen.write((line if self.colour else strip_ansi(line)) + "\n")
            self.screen.flush()
        if self.file is not None:
            self.file.write(strip_ansi(line) + "\n")
            self.file.flush()

    def blank(self) -> None:
        self._emit("")

    def act(self, line: str) -> None:
        """The progress line between acts: ── 3/7 催办 · 2023-11-27 周一 09:00 ──"""
        self.blank()
        self._emit(_paint(f"── {line} ──", _HEAD["act"], True))

    def note(self, text: str) -> None:
        """The narrator: what happens that nobody says in chat."""
        for line in text.split("\n"):
            self._emit(_paint(line, _HEAD["note"], True))

    def shell(self, command: str, output: Sequence[str] = ()) -> None:
        """A command typed at a shell prompt and what it printed."""
        self._emit(_paint(f"$ {command}", _HEAD["shell"], True))
        for line in output:
            self._emit(INDENT + line)

    def person(self, who: str, text: str, *, on_screen: bool = True) -> None:
        """A person's message: `who → bot: text` (continuation lines indented). Off the
        screen when the person typed it there themselves."""
        first, *rest = text.split("\n")
        self._emit(f"{_paint(who, _HEAD['person'], True)} → bot: {first}", on_screen=on_screen)
        for line in rest:
            self._emit(INDENT + line, on_screen=on_screen)

    def pressed(self, who: str, button: Button) -> None:
        """A person pressing an inline button."""
        self._emit(f"{_paint(who, _HEAD['person'], True)} → bot: ⏺ {_button_text(button)}")

    def bot(
        self,
        to: str,
        text: str,
        entities: Sequence[Mapping[str, Any]] = (),
        *,
        markup: Mapping[str, Any] | None = None,
        attachment: str | None = None,
        edited: bool = False,
    ) -> None:
        """A bot message: `bot → who:` then its text, indented, and its numbered buttons."""
        arrow = "✎" if edited else "→"
        head = f"{_paint('bot', _HEAD['bot'], True)} {arrow} {to}:"
        lines = [head]
        if attachment:
            lines.append(INDENT + _paint(f"📎 {attachment}", _HEAD["note"], True))
        if text:
            lines += [
                INDENT + line for line in render_message(text, entities, colour=True).split("\n")
            ]
        for row in buttons_of(markup):
            lines.append(INDENT + " ".join(_button_text(b) for b in row))
        if len(lines) == 2 and not attachment:  # a one-line message stays on the head's line
            lines = [f"{head} {lines[1].strip()}"]
        for line in lines:
            self._emit(line)

    def toast(self, to: str, text: str) -> None:
        """The short notice Telegram shows over the chat when a button is answered."""
        self._emit(
            f"{_paint('bot', _HEAD['bot'], True)} → {to}: {_paint(f'[{text}]', _HEAD['note'], True)}"
        )
