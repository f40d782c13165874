"""Plain-text plan files: which encoding the bytes are in, and whether they are text at all.

A page is saved in UTF-8 (with or without a BOM), UTF-16 (with or without one), GB18030/GBK on
the mainland or Big5 in Taiwan and Hong Kong, and now and then pasted together from two of
them: `decode` tries each and keeps the reading that looks like Chinese (`plausibility`). It
refuses binary files, web archives (.mht) and HTML pages with a sentence saying what to do.
"""

from __future__ import annotations

import codecs
import contextlib
import functools
import re

from plans.documents.parser import PlanFormatError

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
# What Chinese text is saved in besides UTF-8: GB18030 (a superset of GBK and GB2312) on the
# mainland, Big5 (as Windows' cp950, or with Hong Kong's additions) in Taiwan and Hong Kong.
_LEGACY = ("gb18030", "cp950", "big5hkscs")
# Words any plan has, in either script: a decoding that finds them is the right one.
_PLAN_WORDS = ("工作", "要点", "要點", "单位", "單位", "责任", "責任", "年", "月", "推进", "推進")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f\x80-\x9f]")


def decode_text(data: bytes) -> str:
    """Decode plan text: BOM first, then UTF-8, else whichever of GB18030 and Big5 reads as
    Chinese (Traditional text is turned into Simplified later, by the parser)."""
    return decode(data)[0]


def decode(data: bytes, name: str = "") -> tuple[str, list[str]]:
    """The text and notes for the import review (lines in a second encoding)."""
    for bom, enc in _BOMS:
        if data.startswith(bom):
            try:
                text = data.decode(enc)
            except UnicodeDecodeError:
                raise PlanFormatError(f"the text is damaged ({enc} with errors)") from None
            return _check_text(text, name), []
    nuls = data.count(b"\x00")
    if nuls:
        utf16 = _utf16_without_bom(data)
        if utf16 is not None:
            return _check_text(utf16, name), []
        if nuls * 100 > len(data):
            raise PlanFormatError("this is a binary file, not a plan document")
    try:
        return _check_text(data.decode("utf-8"), name), []
    except UnicodeDecodeError:
        pass
    mixed = _mixed(data)
    if mixed is not None:
        return _check_text(mixed[0], name), mixed[1]
    best = _best_legacy(data)
    if best is None:
        raise PlanFormatError(
            "the text is neither UTF-8, UTF-16, GB18030/GBK nor Big5 (or it is a binary "
            "file); save it as UTF-8 and try again"
        )
    return _check_text(best[1], name), []


def _best_legacy(data: bytes) -> tuple[str, str] | None:
    """(encoding, text) of the legacy decoding that reads most like Chinese, if any does."""
    scored: list[tuple[float, int, str, str]] = []
    for rank, enc in enumerate(_LEGACY):
        try:
            text = data.decode(enc)
        except UnicodeDecodeError:
            continue
        scored.append((plausibility(text), -rank, enc, text))
    if not scored:
        return None
    score, _, enc, text = max(scored)
    return (enc, text) if score >= 0.6 else None


def _utf16_without_bom(data: bytes) -> str | None:
    """UTF-16 saved without a byte-order mark, when one byte order reads as Chinese."""
    if len(data) % 2:
        return None
    for enc in ("utf-16-le", "utf-16-be"):
        try:
            text = data.decode(enc)
        except UnicodeDecodeError:
            continue
        if plausibility(text) >= 0.9 and any("\u4e00" <= c <= "\u9fff" for c in text[:4096]):
            return text
    return None


def _mixed(data: bytes) -> tuple[str, list[str]] | None:
    """Text pasted together from files in two encodings: UTF-8 lines and lines in a legacy
    encoding. Each line is decoded in its own; the import review says which were which."""
    lines = data.split(b"\n")
    utf8: list[int] = []
    other: list[int] = []
    for k, line in enumerate(lines):
        if line.isascii():
            continue
        try:
            decoded = line.decode("utf-8")
        except UnicodeDecodeError:
            other.append(k)
            continue
        if sum(1 for c in decoded if ord(c) > 0x7F) >= 4:
            utf8.append(k)
    if len(utf8) < 2 or not other:
        return None
    as_utf8 = "\n".join(lines[k].decode("utf-8") for k in utf8)
    if plausibility(as_utf8) < 0.9:
        return None  # lines of GB18030 that happen to be valid UTF-8 read as nonsense
    best = _best_legacy(b"\n".join(lines[k] for k in other))
    if best is None:
        return None
    enc = best[0]
    out: list[str] = []
    for line in lines:
        try:
            out.append(line.decode("utf-8"))
        except UnicodeDecodeError:
            out.append(line.decode(enc, errors="replace"))
    shown = ", ".join(str(k + 1) for k in other[:8]) + (" …" if len(other) > 8 else "")
    note = (
        f"the file mixes encodings: lines {shown} are {enc.upper()}, the rest UTF-8; "
        "check those lines, or save the file as UTF-8"
    )
    return "\n".join(out), [note]


@functools.cache
def _common_han() -> frozenset[str]:
    """The characters everyday Chinese text is made of, in both scripts: GB2312's 3,755
    first-level characters and Big5's 5,401 frequently used ones."""
    chars: set[str] = set()
    for lead in range(0xB0, 0xD8):
        for trail in range(0xA1, 0xFF):
            with contextlib.suppress(UnicodeDecodeError):
                chars.add(bytes((lead, trail)).decode("gb2312"))
    for lead in range(0xA4, 0xC7):
        for trail in (*range(0x40, 0x7F), *range(0xA1, 0xFF)):
            with contextlib.suppress(UnicodeDecodeError):
                chars.add(bytes((lead, trail)).decode("big5"))
    return frozenset(chars)


def _ordinary(c: str) -> bool:
    """CJK punctuation, full-width forms and general punctuation (“”—…) count as ordinary."""
    o = ord(c)
    return 0x3000 <= o <= 0x303F or 0xFF00 <= o <= 0xFFEF or 0x2010 <= o <= 0x206F


def plausibility(text: str) -> float:
    """How much `text` reads like Chinese: the share of its non-ASCII characters that are
    common Han characters or CJK punctuation, plus a little for each plan word found."""
    sample = text[:200_000]
    wide = [c for c in sample if ord(c) > 0x7F]
    if not wide:
        return 1.0
    common = _common_han()
    good = sum(1 for c in wide if c in common or _ordinary(c))
    bonus = 0.02 * sum(1 for w in _PLAN_WORDS if w in sample)
    return good / len(wide) + bonus


def _check_text(text: str, name: str = "") -> str:
    sample = text[:20000]
    controls = len(_CONTROL.findall(sample))
    if controls > 8 and controls / len(sample) > 0.01:
        raise PlanFormatError("this is a binary file, not a plan document")
    if re.match(r"\s*MIME-Version:", sample[:2000], re.IGNORECASE) and re.search(
        r"multipart/related", sample[:4000], re.IGNORECASE
    ):
        raise PlanFormatError(
            "this is a web archive (.mht, Word's “single file web page”); open it in Word or "
            "WPS, save it as .docx and import that"
        )
    if re.search(r"<(?:!doctype\s+html|html|head|body)\b", sample[:4000], re.IGNORECASE):
        if name.lower().endswith((".doc", ".docx")):
            raise PlanFormatError(
                "this is an HTML page saved with a Word name; open it in Word or WPS, "
                "save it as .docx and import that"
            )
        raise PlanFormatError(
            "this is an HTML page; copy the plan's text from the page into a .txt file, "
            "or save the page as text, and import that"
        )
    # A few stray control characters (a NUL from a bad copy) are not part of the plan.
    text = _CONTROL.sub("", text)
    if not text.strip():
        raise PlanFormatError("the file is empty")
    return text
