"""Word's automatic list numbering, rendered as the reader sees it ("一、", "(二)", "3.").

A plan typed in Word often numbers its parts with automatic numbering: the numbers are not in
the paragraph text but in numbering.xml, referenced from the paragraph (or its style). Without
them the importer would see no numbered items at all. This renders the labels the way Word
shows them for the common formats; exotic ones fall back to Arabic digits.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_CIRCLED = "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳"


@dataclass(frozen=True)
class _Level:
    start: int
    fmt: str
    text: str  # lvlText, e.g. "%1、" or "(%2)"


def _attr(element: Any, name: str) -> str | None:
    value = element.get(f"{_W}{name}")
    return str(value) if value is not None else None


def _child(element: Any, name: str) -> Any:
    return element.find(f"{_W}{name}") if element is not None else None


def _format(n: int, fmt: str) -> str:
    if fmt in (
        "chineseCounting",
        "chineseCountingThousand",
        "ideographTraditional",
        "japaneseCounting",
        "chineseLegalSimplified",
        "ideographLegalTraditional",
    ):
        try:
            import cn2an  # here: 0.2 s to import, for the rare chineseCounting list

            return str(cn2an.an2cn(n))
        except (ValueError, KeyError):
            return str(n)
    if fmt == "decimalEnclosedCircle" or fmt == "decimalEnclosedCircleChinese":
        return _CIRCLED[n - 1] if 1 <= n <= len(_CIRCLED) else str(n)
    if fmt in ("decimalEnclosedParen", "decimalEnclosedParenChinese"):
        return f"({n})"
    if fmt == "lowerLetter":
        return chr(ord("a") + (n - 1) % 26)
    if fmt == "upperLetter":
        return chr(ord("A") + (n - 1) % 26)
    if fmt in ("bullet", "none"):
        return ""
    return str(n)  # decimal, decimalZero, and formats we do not know


class Numbering:
    """Counts automatic numbers through a document, paragraph by paragraph."""

    def __init__(self, document: Any) -> None:
        self._levels: dict[str, dict[int, _Level]] = {}  # numId → level → format
        self._style_num: dict[str, tuple[str, int]] = {}  # styleId → (numId, ilvl)
        self._counters: dict[str, list[int]] = {}
        try:
            numbering = document.part.numbering_part.element
        except (KeyError, NotImplementedError, AttributeError):
            return  # no numbering part: nothing is numbered automatically
        abstract: dict[str, dict[int, _Level]] = {}
        for a in numbering.iterchildren(f"{_W}abstractNum"):
            levels: dict[int, _Level] = {}
            for lvl in a.iterchildren(f"{_W}lvl"):
                start = _child(lvl, "start")
                fmt = _child(lvl, "numFmt")
                text = _child(lvl, "lvlText")
                levels[int(_attr(lvl, "ilvl") or 0)] = _Level(
                    int(_attr(start, "val") or 1) if start is not None else 1,
                    (_attr(fmt, "val") or "decimal") if fmt is not None else "decimal",
                    (_attr(text, "val") or "") if text is not None else "",
                )
            abstract[_attr(a, "abstractNumId") or ""] = levels
        for num in numbering.iterchildren(f"{_W}num"):
            ref = _child(num, "abstractNumId")
            if ref is not None:
                self._levels[_attr(num, "numId") or ""] = abstract.get(_attr(ref, "val") or "", {})
        try:
            styles = document.styles.element
        except AttributeError:
            return
        for style in styles.iterchildren(f"{_W}style"):
            num_pr = _child(_child(style, "pPr"), "numPr")
            num_id = _child(num_pr, "numId")
            if num_id is not None:
                ilvl = _child(num_pr, "ilvl")
                level = int(_attr(ilvl, "val") or 0) if ilvl is not None else 0
                self._style_num[_attr(style, "styleId") or ""] = (_attr(num_id, "val") or "", level)

    def label(self, paragraph: Any) -> str:
        """The number Word shows before this paragraph ("" for none), counting it."""
        ppr = _child(paragraph, "pPr")
        num_pr = _child(ppr, "numPr")
        num_id: str | None = None
        level = 0
        if num_pr is not None:
            num = _child(num_pr, "numId")
            ilvl = _child(num_pr, "ilvl")
            num_id = _attr(num, "val") if num is not None else None
            level = int(_attr(ilvl, "val") or 0) if ilvl is not None else 0
        else:
            style = _child(ppr, "pStyle")
            if style is not None and (_attr(style, "val") or "") in self._style_num:
                num_id, level = self._style_num[_attr(style, "val") or ""]
        if not num_id or num_id == "0" or num_id not in self._levels:
            return ""
        levels = self._levels[num_id]
        if level not in levels:
            return ""
        counters = self._counters.setdefault(num_id, [0] * 9)
        if counters[level] == 0:
            counters[level] = levels[level].start
        else:
            counters[level] += 1
        for deeper in range(level + 1, 9):
            counters[deeper] = 0  # a new parent restarts its children
        text = levels[level].text
        for k in range(8, -1, -1):
            if f"%{k + 1}" in text:
                n = counters[k] or (levels[k].start if k in levels else 1)
                text = text.replace(
                    f"%{k + 1}", _format(n, levels[k].fmt if k in levels else "decimal")
                )
        return text
