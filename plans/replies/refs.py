"""Item references: which item(s) a reply is about, when it says so.

- The address is an item reference at the very start: "第4项", "第四项", "第4、5项", "4.", "4、",
  "4:", "4 ", "#4", "item 4:". Several may follow one another ("4、5 已完成").
- A bare number with a space after it is a quantity or a date when a measure or a date word
  follows ("320 家", "3 月底", "60 %"), and the whole reply being one number is an answer ("4").
- "第N项" anywhere else in the reply names an item too ("关于第12项,已完成").
- A reply naming more than one item is flagged, never folded into the first one's report.
- The address ends at its separator (".", "、", ":", ",", ")", a space, "-" not before a
  number). Nothing after it is dropped: a leading "-" before a figure is a sign ("4、-30%").
"""

from __future__ import annotations

import re
import unicodedata

from plans.measures import MEASURES
from plans.numerals import cn_to_number

_SEQ = r"\d{1,5}(?:-\d{1,5})?"  # as plans.refs reads a command's reference
_CN_SEQ = r"[一二两三四五六七八九十百]{1,4}"
# "第4项", "第四项", "第4、5项", "第2-15项"
REF_DI = re.compile(
    rf"第\s*(?P<list>(?:{_SEQ}|{_CN_SEQ})(?:\s*[、,和及与]\s*(?:{_SEQ}|{_CN_SEQ}))*)\s*[项条]"
)
# A leading bare number: "4 完成60%", "4.", "4、", "#4", "item 4:".
_REF_LEAD = re.compile(
    rf"(?:(?:item|no\.?)\s*|#\s*)?(?P<seq>{_SEQ})(?P<sep>\.(?!\d)|,(?!\d)|[、::,)),;;\]]|\s|$)",
    re.IGNORECASE,
)
# After a bare leading number and a space, these say it was a quantity or a date, not an item:
# "60 %", "3 月底", "320 家". A few words start with a measure character but aren't quantities.
_NOT_AFTER_REF = re.compile(
    r"(?!本[月周季年]|项目|部分|个月|分之)"
    r"(?:[%‰月日号年天周前万亿]|"
    + "|".join(re.escape(m) for m in sorted(MEASURES, key=len, reverse=True))
    + ")"
)
_PREFIX = 80  # an address is short: only this much of the reply is looked at for one


def _prefix_map(raw: str) -> tuple[str, list[int]]:
    """The start of `raw` NFKC-normalised char by char, with each char's index in `raw`.

    The reference is found in normalised text ("4、", "#4", "4:") but the body is cut from the
    reply as the contact wrote it, so we need to know where the address ends in the original.
    Invisible marks (zero-width characters, soft hyphens, direction marks) are dropped, so
    they change nothing ("6\u200b0%" is 60%); control characters and odd spaces read as a space.
    """
    out: list[str] = []
    where: list[int] = []
    for i, ch in enumerate(raw[:_PREFIX]):
        category = unicodedata.category(ch)
        if category == "Cf":
            continue
        norm = " " if category[0] in "CZ" and ch != "\n" else unicodedata.normalize("NFKC", ch)
        for c in norm:
            out.append(c)
            where.append(i)
    return "".join(out), where


# Only a reply that opens with one of these (after spaces and invisible marks) can have an address.
_MAY_OPEN_A_REF = re.compile(r"[\s\u00ad\u200b-\u200f\u2060-\u206f\ufeff]*[0-9０-９第#＃iInN]")


def leading_refs(raw: str) -> tuple[list[str], str]:
    """Item references at the start of the reply, and the body: the reply after them, as written."""
    if not _MAY_OPEN_A_REF.match(raw):
        return [], raw
    nf, where = _prefix_map(raw)
    refs: list[str] = []
    pos = 0
    while len(refs) < 10:
        while pos < len(nf) and nf[pos].isspace():
            pos += 1
        m = REF_DI.match(nf, pos)
        if m:
            refs.extend(r for r in ref_list(m.group("list")) if r not in refs)
            pos = _skip_separators(nf, m.end())
            continue
        m = _REF_LEAD.match(nf, pos)
        if not m:
            break
        after = nf[m.end() :].lstrip()
        # "320 家", "3 月底": a quantity or a date with a space in it, not an item.
        spaced = m.group("sep").isspace() or not m.group("sep")
        if spaced and _NOT_AFTER_REF.match(after):
            break
        if not after and not refs:
            break  # the whole reply is a number: an answer, not a reference
        refs.append(m.group("seq"))
        pos = _skip_separators(nf, m.end())
    if not refs:
        return [], raw
    cut = where[pos] if pos < len(where) else min(len(raw), (where[-1] + 1) if where else 0)
    return refs, raw[cut:].lstrip()


def _skip_separators(s: str, pos: int) -> int:
    """Past the address's separators; a "-" before a number is a sign, not a separator."""
    while pos < len(s):
        ch = s[pos]
        if (
            ch.isspace()
            or ch in ".、::,,;;)]"
            or (ch in "-—" and not s[pos + 1 : pos + 2].isdigit())
        ):
            pos += 1
        else:
            break
    return pos


def ref_list(text: str) -> list[str]:
    """Item numbers in a list: "4、5" → ["4", "5"]; "四" → ["4"]; "2-15" stays one."""
    refs: list[str] = []
    for part in re.split(r"\s*[、,和及与]\s*", text):
        if not part:
            continue
        if part[0].isdigit():
            refs.append(part)
        else:
            n = cn_to_number(part)
            if n is not None and n.is_integer() and n > 0:
                refs.append(str(int(n)))
    return refs


def refs_anywhere(s: str) -> list[str]:
    """Every "第N项" in the (clean) text, in order, once each."""
    refs: list[str] = []
    for m in REF_DI.finditer(s):
        refs.extend(r for r in ref_list(m.group("list")) if r not in refs)
    return refs
