"""Progress replies (进展反馈) read into what duban records: status, percent, value, expected date.

Contacts answer a nudge in a few words of Chinese ("完成60%,已净增高企320家,预计11月底完成",
"有困难:资金未到位", "4 已完成") or simple English ("60% done, expect end of Nov", "blocked:
waiting for funds"). `read_progress` turns such a reply into a `ProgressReading`; `describe`
renders the one line the bot sends back so the contact can correct what was understood.

Pure domain code: no Telegram, no SQL, no I/O. It never raises on any input — a reply that can't
be read is an empty reading, and the handler asks again instead of crashing.

Dates follow DESIGN.md "Time phrases": plan phrases ("11月底", "年底", "三季度") go through
`plans.deadlines.find_time_phrases`, resolved against today's year because a reply talks about
now. dateparser 1.5 reads none of "下周五", "两周内", "本月底", "20号", "下下周" (and reads "12月" as
Dec 10), so Chinese relative phrases have rules of their own here; dateparser reads English
dates after a frame word ("expected by Dec 15", "delayed to next friday").
"""

from __future__ import annotations

import bisect
import calendar
import html
import logging
import math
import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, Literal

from plans.deadlines import find_time_phrases, month_end
from plans.model import Status, Target
from plans.numerals import CN_DIGITS, cn_to_number
from plans.targets import MEASURES
from plans.text import normalize

__all__ = ["ProgressReading", "Status", "describe", "read_progress"]

log = logging.getLogger(__name__)

# A progress reply is a chat message (Telegram caps them at 4096 characters); anything longer is
# read only this far so that a pasted document can't make reading slow.
_MAX_CHARS = 4096
# dateparser is slow-ish (milliseconds per call) and hostile text can contain many frames.
_MAX_DATEPARSER_CALLS = 6
# Measure words as the plan writes them, longest first so that 万人 wins over 人.
_MEASURE = "|".join(re.escape(m) for m in sorted(MEASURES, key=len, reverse=True))


@dataclass(frozen=True)
class ProgressReading:
    """What a progress reply says, as far as duban understood it."""

    status: Status | None  # None: the reply does not say
    percent: float | None  # 0..100: stated ("完成60%", "六成", "过半"), 100 when done, or derived
    value: float | None  # a number that matched a target's measure ("已净增高企320家" → 320)
    measure: str | None  # that measure ("家"), as written in the target
    target_text: str | None  # the target it was matched to ("600家以上")
    expected_date: date | None  # "预计11月底完成", "延期至2023年12月15日", "下周五前"
    expected_text: str  # the phrase the date came from, "" if none
    blocker: str  # the difficulty, for status blocked ("资金未到位"), else ""
    item_refs: tuple[str, ...]  # item references: "4 完成60%" → ("4",), "2-15 已完成" → ("2-15",)
    text: str  # the reply with the leading item reference stripped

    @property
    def understood(self) -> bool:
        """Whether the reply said anything duban can record beyond its text."""
        return (
            self.status is not None
            or self.percent is not None
            or self.value is not None
            or self.expected_date is not None
        )


def _empty(text: str, item_refs: tuple[str, ...] = ()) -> ProgressReading:
    return ProgressReading(
        status=None,
        percent=None,
        value=None,
        measure=None,
        target_text=None,
        expected_date=None,
        expected_text="",
        blocker="",
        item_refs=item_refs,
        text=text,
    )


# ------------------------------------------------------------------------------ entry points


def read_progress(
    text: str,
    *,
    targets: Sequence[Target] = (),
    today: date,
    plan_year: int | None = None,
) -> ProgressReading:
    """Read a progress reply. `targets` are the item's; `today` is the contact's local date.

    `plan_year` only matters for a plan whose year has not begun yet (imported in December for
    next year): its plan phrases ("年底", "6月底") then mean the plan year. Otherwise replies talk
    about now, and plan phrases resolve against `today.year`.
    """
    raw = text if isinstance(text, str) else ""
    try:
        return _read(raw, tuple(targets), _as_date(today), plan_year)
    except Exception:  # a reply must never break the handler: log it and say "not understood"
        log.warning("could not read progress reply %r", raw[:200], exc_info=True)
        return _empty(raw.strip())


def describe(reading: ProgressReading, lang: str = "zh") -> str:
    """One line confirming what was recorded ("进展 60%(已达 320 家,目标 600家以上),预计 …").

    No final full stop: the handler embeds the line in a sentence of its own.
    """
    en = lang.lower().startswith("en")
    status, percent = reading.status, reading.percent
    parts: list[str] = []
    if status == "blocked":
        if reading.blocker:
            parts.append(f"blocked: {reading.blocker}" if en else f"有困难:{reading.blocker}")
        else:
            parts.append("blocked" if en else "有困难")
    elif status == "done":
        parts.append("done" if en else "已完成")
    elif status == "not_started":
        parts.append("not started" if en else "未启动")

    if percent is not None and status != "done":
        if en:
            lead = "in progress " if status in (None, "in_progress") else ""
            parts.append(f"{lead}{_fmt(percent)}%")
        else:
            parts.append(f"进展 {_fmt(percent)}%")
    elif status == "in_progress":
        parts.append("in progress" if en else "推进中")

    if reading.value is not None and reading.measure is not None:
        space = "" if reading.measure in ("%", "‰") else " "
        amount = f"{_fmt(reading.value)}{space}{reading.measure}"
        if en:
            value = f"{amount} of target {reading.target_text}" if reading.target_text else amount
        else:
            value = f"已达 {amount},目标 {reading.target_text}" if reading.target_text else amount
        if parts:
            parts[-1] += f" ({value})" if en else f"({value})"
        else:
            parts.append(value)

    if reading.expected_date is not None:
        when = reading.expected_date.isoformat()
        parts.append(f"expected {when}" if en else f"预计 {when} 完成")

    if not parts:
        return "received (no progress figure understood)" if en else "已收到(未识别出进度)"
    return (", " if en else ",").join(parts)


def _fmt(x: float) -> str:
    """600.0 → "600", 53.333 → "53.3": a confirmation line, not a ledger."""
    rounded = round(x, 1)
    return str(int(rounded)) if float(rounded).is_integer() else f"{rounded:g}"


def _as_date(today: date) -> date:
    # A datetime is a date too, but comparing one with a date raises: keep the calendar day.
    return today.date() if isinstance(today, datetime) else today


# --------------------------------------------------------------------------------- the reading


def _read(
    raw: str, targets: tuple[Target, ...], today: date, plan_year: int | None
) -> ProgressReading:
    refs, rest = _leading_refs(raw)
    s = _clean(rest)[:_MAX_CHARS]
    for ref in _refs_anywhere(s):
        if ref not in refs:
            refs.append(ref)
    if not s.strip():
        return _empty(rest.strip(), tuple(refs))

    clauses = _Clauses(s)
    base_year = max(today.year, plan_year) if plan_year else today.year
    when_all = _find_dates(s, today, base_year)
    expected = _pick_expected(s, clauses, when_all, today)
    taken = [(w.start, w.end) for w in when_all] + [
        (m.start(), m.end()) for m in _REF_DI.finditer(s)
    ]

    pct_target = next((t for t in targets if t.measure == "%"), None)
    stated = _stated_percent(s, clauses, taken, pct_target is not None)
    value = _find_value(s, targets, taken + stated.spans, stated.as_values)

    cues = _Cues(s, clauses)
    percent = stated.percent
    partial = percent is not None and percent < 100
    status: Status | None = None
    blocker = ""
    if cues.blocked:
        status = "blocked"
        blocker = _blocker(s, clauses, cues.blocked[0])
    elif cues.not_started and not (cues.in_progress or cues.done or cues.done_strong):
        status = "not_started"
    elif (percent is not None and percent >= 100) or (
        (cues.done_strong or cues.done_alone) and not partial
    ):
        status = "done"  # "完成100%", "完成目标的120%", "已全部完成"
    elif cues.done and not partial and not cues.in_progress and expected is None:
        status = "done"
    elif cues.in_progress or cues.done or (percent is not None and percent > 0):
        # "已完成招标,正在施工" or "已完成立项,预计11月底完成" finished a step, not the item.
        status = "in_progress"
    elif percent is not None:
        status = "not_started"  # "完成0%"

    if percent is None and cues.nearly_done and status != "done":
        percent = 90.0  # 基本完成 with no figure: nearly there, not there
    if percent is None and value is not None and value.percent is not None:
        percent = value.percent
        if status is None:
            # A value that meets the target is done only when no other words say otherwise.
            if value.percent >= 100:
                status = "done"
            elif value.percent > 0:
                status = "in_progress"
    if status == "done":
        percent = 100.0  # "已完成" is 100%, and "完成目标的120%" is done, not 120%
    elif percent is not None:
        percent = round(min(100.0, max(0.0, percent)), 1)

    return ProgressReading(
        status=status,
        percent=percent,
        value=value.value if value else None,
        measure=value.target.measure if value else None,
        target_text=value.target.text if value else None,
        expected_date=expected.date if expected else None,
        expected_text=expected.text if expected else "",
        blocker=blocker,
        item_refs=tuple(refs),
        text=rest.strip(),
    )


# ------------------------------------------------------------------------------ cleaning input

_CONTROL = re.compile(
    r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2060\ufeff]"
)
_TAG = re.compile(r"</?[A-Za-z][^<>]{0,200}>")


def _clean(text: str) -> str:
    """What is read: entities decoded, tags and control characters gone, NFKC (60% → 60%)."""
    text = _TAG.sub(" ", html.unescape(text))
    text = normalize(text)
    text = _CONTROL.sub(" ", text)
    # "3 月底", "完成 60 %", "第 4 项": Chinese needs no spaces around numbers, and the rules
    # below (and find_time_phrases) expect none.
    text = re.sub(r"(?<=\d)[ \t]+(?=[^\x00-\x7f]|%)|(?<=[^\x00-\x7f])[ \t]+(?=\d)", "", text)
    return re.sub(r"[ \t]+", " ", text)


class _Clauses:
    """Clause boundaries: cues, frames and negations only look within their own clause.

    ':' does not end a clause ("有困难:资金未到位" is one thought), and neither does ',' between
    digits ("1,200家").
    """

    # "," splits unless it is a thousands separator: a digit before, exactly three after.
    _SPLIT = re.compile(r"[。;;!?!?\n,]|,(?!(?<=\d,)\d{3}(?!\d))|\.(?=\s|$)|、(?=\D)")

    def __init__(self, s: str) -> None:
        self.s = s
        self.bounds: list[tuple[int, int]] = []
        start = 0
        for m in self._SPLIT.finditer(s):
            self.bounds.append((start, m.start()))
            start = m.end()
        self.bounds.append((start, len(s)))
        self.starts = [a for a, _ in self.bounds]

    def index(self, pos: int) -> int:
        """The clause holding `pos` (a separator belongs to the clause before it)."""
        return max(0, bisect.bisect_right(self.starts, pos) - 1)

    def of(self, pos: int) -> tuple[int, int]:
        return self.bounds[self.index(pos)]

    def before(self, pos: int, window: int = 40) -> str:
        """The clause's text before `pos`, at most `window` characters of it.

        Cues and frames sit close to what they qualify; the window also keeps a reply made of one
        4000-character clause from being rescanned once per cue.
        """
        return self.s[max(self.of(pos)[0], pos - window) : pos]

    def after(self, pos: int, window: int = 40) -> str:
        """The clause's text from `pos` on, at most `window` characters of it."""
        return self.s[pos : min(self.of(pos)[1], pos + window)]

    def text(self, i: int) -> str:
        a, b = self.bounds[i]
        return self.s[a:b]


# ------------------------------------------------------------------------------ item references

_SEQ = r"\d{1,3}(?:-\d{1,3})?"
_CN_SEQ = r"[一二两三四五六七八九十百]{1,4}"
# "第4项", "第四项", "第4、5项", "第2-15项"
_REF_DI = re.compile(
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


def _prefix_map(raw: str, limit: int = 80) -> tuple[str, list[int]]:
    """The start of `raw` NFKC-normalised char by char, with each char's index in `raw`.

    The reference is found in normalised text ("4、", "#4", "4:") but stripped from the reply
    as the contact wrote it, so we need to know where it ends in the original.
    """
    out: list[str] = []
    where: list[int] = []
    for i, ch in enumerate(raw[:limit]):
        if unicodedata.category(ch)[0] in "CZ" and ch not in "\n":
            norm = " "  # control, format and odd space characters: whitespace for this purpose
        else:
            norm = unicodedata.normalize("NFKC", ch)
        for c in norm:
            out.append(c)
            where.append(i)
    return "".join(out), where


def _leading_refs(raw: str) -> tuple[list[str], str]:
    """Item references at the start of the reply, and the reply with them stripped."""
    nf, where = _prefix_map(raw)
    refs: list[str] = []
    pos = 0
    while len(refs) < 10:
        while pos < len(nf) and nf[pos].isspace():
            pos += 1
        m = _REF_DI.match(nf, pos)
        if m:
            refs.extend(r for r in _ref_list(m.group("list")) if r not in refs)
            pos = m.end()
            pos = _skip_separators(nf, pos)
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
    while pos < len(s) and (s[pos].isspace() or s[pos] in ".、::,,;;)]-—"):
        pos += 1
    return pos


def _ref_list(text: str) -> list[str]:
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


def _refs_anywhere(s: str) -> list[str]:
    refs: list[str] = []
    for m in _REF_DI.finditer(s):
        refs.extend(r for r in _ref_list(m.group("list")) if r not in refs)
    return refs


# ----------------------------------------------------------------------------------- cues

_NEG_BEFORE = re.compile(
    r"(?:未|没有?|不|无|暂无|尚无|并无|还没有?|尚未|无法|不能|难以|未能|没能|不会)"
    r"(?:存在|出现|遇到|发现|有)?(?:明显|重大|任何|什么|太大|大的)?\s*$"
    r"|\b(?:no|not|without|never|\w+n't)\s+(?:yet\s+|been\s+)*$",
    re.IGNORECASE,
)
_SOLVED_AFTER = re.compile(r"^.{0,12}?(?:已|已经|均已)(?:解决|克服|协调|化解|消除|排除)")
# A completion spoken of as a plan, not a fact: "预计…完成", "力争…完成", "will be done".
_FUTURE = re.compile(
    r"预计|争取|力争|确保|力求|有望|可望|预期|打算|准备(?:于|在)|计划(?=[于在到年月下本明今\d一二三四五六七八九十])"
    r"|将(?:于|在|按期|如期|全部|全面|提前|会)|拟|要在|会在|可于|能够|可以|待|下一步|下步"
    r"|\b(?:will|to\s+be|should|going\s+to|expect(?:s|ed|ing)?\s+(?:to|by|on|in)"
    r"|plan(?:s|ning)?\s+to|aim(?:s|ing)?\s+to)\b",
    re.IGNORECASE,
)
# "基本完成了", "部分完成": finished in part, which "完成了" must not read as done.
_PARTIAL_BEFORE = re.compile(r"(?:基本|大部分|大部|部分|初步|阶段性|大体|大致)\s*$")

_BLOCKED_RE = re.compile(
    r"有困难|遇到(?:了)?(?:一些|较大|很大)?困难|存在(?:一些|较大|很大)?困难|面临(?:一些|较大)?困难"
    r"|(?:困难|问题|难点|堵点)\s*(?:是|在于|主要是)?\s*:|困难是|困难在于"
    r"|受阻|阻碍|卡住|卡壳|卡在|无法推进|难以推进|推进困难|推进缓慢|进展缓慢|进度缓慢|推进不力"
    r"|存在(?:一些|较大|很大)?问题|滞后|延误|停滞|停工|无法按期|不能按期|难以按期"
    r"|无法完成|不能完成|难以完成|无法开展|无法实施"
    r"|\bblocked\b|\bblockers?\b|\bstuck\b|\b(?:problems?|issues?|difficult(?:y|ies))\s*:",
    re.IGNORECASE,
)
_NOT_STARTED_RE = re.compile(
    r"(?:尚|还|暂|仍)?(?:未|没有?)(?:启动|开展|开始|开工|动工|实施)"
    r"|\bnot\s+(?:yet\s+)?(?:started|begun)\b"
    r"|\b(?:haven't|have\s+not|hasn't|has\s+not)\s+(?:yet\s+)?(?:started|begun)\b",
    re.IGNORECASE,
)
_NEARLY_RE = re.compile(
    r"基本完成|基本建成|基本竣工|\b(?:almost|nearly|mostly)\s+(?:done|complete|completed|finished)\b",
    re.IGNORECASE,
)
_IN_PROGRESS_RE = re.compile(
    r"推进中|(?:正|仍|还|一直)在(?:推进|实施|建设|办理|施工|进行|开展|落实)|进行中|有序推进"
    r"|按计划推进|按序时推进|按进度推进|按时序推进|稳步推进|扎实推进|加快推进|积极推进|全力推进|持续推进|顺利推进|正常推进|正在[\u4e00-\u9fff]|实施中|建设中|办理中"
    r"|施工中|推进当中|在建|已启动|已经启动|已开工|已开展|已动工|已开始|已进场|启动实施|进展顺利"
    r"|进展正常|按计划进行|过半|大部分完成|部分完成|初步完成|阶段性完成"
    r"|(?:尚|还|仍)?(?:未|没有?)(?:全部|全面)?完成"
    r"|\bin\s+progress\b|\bongoing\b|\bon\s+track\b|\bunder\s*way\b|\bstarted\b|\bworking\s+on\b"
    r"|\bprogressing\b|\bnot\s+(?:yet\s+)?(?:done|complete|completed|finished)\b",
    re.IGNORECASE,
)
# Done, beyond doubt: the whole item is finished even if a later step is mentioned.
_DONE_STRONG_RE = re.compile(
    r"全部完成|全面完成|圆满完成|全部办结|已办结|已竣工|已建成|已完工|超额完成|已投用|已投入使用"
    r"|已交付|已验收|通过验收",
)
_DONE_RE = re.compile(
    r"已经?完成|完成了|已落实|已达成|已实现|已搞定|搞定了|顺利完成|如期完成|按期完成|按时完成|提前完成"
    r"|办结|已经?(?:于|在|按|如期|按期|按时|提前|顺利)[^,。;!?]{0,12}?(?:完成|办结|完工|竣工|建成)"
    r"|\bdone\b|\bcompleted?\b|\bfinished\b",
    re.IGNORECASE,
)
_DONE_ALONE = re.compile(r"^(?:已|都|均|全)?完成(?:了|啦|喽)?[\s!。.~]*$")
# A quantity after "已完成" ("60%", "六成", "投资2亿元", "3项") makes it a share, not the item;
# a bare number ("已完成(见附件1)") doesn't.
_NUMBER_AFTER = re.compile(
    rf"(?:\d+(?:\.\d+)?|[{CN_DIGITS}]+)\s*(?:%|成|分之|{_MEASURE})|百分之|过半|一半"
)
_SHARE_BEFORE = re.compile(r"\d\s*%|[一二两三四五六七八九]成|分之|过半|一半")
_NONE_AFTER = re.compile(r"^\s*[::]?\s*(?:无|没有|暂无|none\b|no\b)", re.IGNORECASE)


class _Cues:
    """The status words of a reply, each kept only where no negation or plan-speak undoes it."""

    def __init__(self, s: str, clauses: _Clauses) -> None:
        self.blocked: list[re.Match[str]] = []
        for m in _BLOCKED_RE.finditer(s):
            if _negated(clauses, m):
                continue  # 没有困难, 未滞后, no blockers
            tail = clauses.after(m.end())
            if _SOLVED_AFTER.match(tail) or _NONE_AFTER.match(tail):
                continue  # 困难已解决, 问题:无
            self.blocked.append(m)
        self.not_started = [m for m in _NOT_STARTED_RE.finditer(s) if not _negated(clauses, m)]
        self.nearly_done = [m for m in _NEARLY_RE.finditer(s) if not _negated(clauses, m)]
        self.in_progress = [
            m for m in _IN_PROGRESS_RE.finditer(s) if not _negated(clauses, m)
        ] + self.nearly_done
        self.done_strong: list[re.Match[str]] = []
        self.done: list[re.Match[str]] = []
        for pattern, found in ((_DONE_STRONG_RE, self.done_strong), (_DONE_RE, self.done)):
            for m in pattern.finditer(s):
                if any(a.start() <= m.start() < a.end() for a in self.done_strong):
                    continue  # "已全部完成" is one cue, not two
                kind = _done_kind(clauses, m)
                if kind == "done":
                    found.append(m)
                elif kind == "share":
                    self.in_progress.append(m)  # "已完成投资2亿元": progress, not the end
        # The whole reply is "完成" or "完成了": done, though the bare word is too common elsewhere.
        self.done_alone = _DONE_ALONE.match(s.strip()) is not None


def _done_kind(clauses: _Clauses, m: re.Match[str]) -> Literal["done", "share"] | None:
    """Whether a done word says the item is done, that a share of it is, or neither."""
    before = clauses.before(m.start())
    if _negated(clauses, m) or _PARTIAL_BEFORE.search(before) or _FUTURE.search(before):
        return None  # 未完成 / 基本完成了 / 预计…完成: other cues read these
    # "已完成60%", "已完成投资2亿元", "60% done": a share of the item, not all of it.
    if _NUMBER_AFTER.search(clauses.after(m.end())) or _SHARE_BEFORE.search(before):
        return "share"
    return "done"


def _negated(clauses: _Clauses, m: re.Match[str]) -> bool:
    return _NEG_BEFORE.search(clauses.before(m.start())[-10:]) is not None


# ----------------------------------------------------------------------------------- blockers

_CONNECTIVES = re.compile(
    r"^(?:[\s,,:;、]|但是|但|不过|然而|主要是|主要|原因是|原因|因为|因|由于|目前|当前|现在|现|且|并且|而且)+"
)
_REASONISH = re.compile(
    r"未|没|不|缺|难|无|受|因|由于|影响|问题|延误|暂停|停|待|尚|慢|紧张|不足|短缺|等待"
    r"|\b(?:no|not|waiting|lack|pending|because|due|short)\b",
    re.IGNORECASE,
)


def _blocker(s: str, clauses: _Clauses, cue: re.Match[str]) -> str:
    """The difficulty a blocked reply names: after "困难:", else the reason clause beside the cue."""
    idx = clauses.index(cue.start())
    a, b = clauses.bounds[idx]
    after = s[cue.end() : b]
    # "有困难:X", "blocked: X", "blocked by X", "困难是X": the rest of the sentence.
    said = re.match(
        r"^\s*(?:[::]|是|在于|主要是|by\b|on\b|due\s+to\b|because(?:\s+of)?\b)\s*", after, re.I
    )
    if said or cue.group(0).rstrip().endswith((":", ":")):
        start = cue.end() + (said.end() if said else 0)
        end = re.search(r"[。;!?!?\n]|\.(?=\s|$)", s[start:])
        return _tidy(s[start : start + end.start()] if end else s[start:])
    before = _tidy(s[a : cue.start()])
    if before and _REASONISH.search(before):
        return before  # "因资金未到位无法推进"
    rest = _tidy(after)
    if rest and _REASONISH.search(rest):
        return rest
    neighbours = [i for i in (idx + 1, idx - 1) if 0 <= i < len(clauses.bounds)]
    for i in neighbours:
        text = _tidy(clauses.text(i))
        if text and _REASONISH.search(text):
            return text  # "有困难,资金未到位" / "资金未到位,无法推进"
    whole = _tidy(s[a:b])
    return whole if len(whole) > len(cue.group(0).strip()) + 1 else ""


def _tidy(text: str) -> str:
    text = _CONNECTIVES.sub("", text.strip())
    return text.strip(" ,,。;;:::.、")[:200]


# ----------------------------------------------------------------------------------- percents


@dataclass(frozen=True)
class _Stated:
    percent: float | None
    spans: list[tuple[int, int]]  # every percent-like phrase, so no value is read inside one
    as_values: list[tuple[float, int, int]]  # percents that measure a "%" target, not progress


_PCT = re.compile(r"(?<![\d.])(\d{1,4}(?:\.\d+)?)\s*%")
_PCT_CN = re.compile(r"百分之([零〇一二两三四五六七八九十百点]+|\d+(?:\.\d+)?)")
_FRACTION = re.compile(
    r"(?<![百\d])([一二两三四五六七八九十]|\d{1,2})分之([一二两三四五六七八九十]{1,3}|\d{1,2})"
)
_TENTHS = re.compile(
    r"(?<![\d一二两三四五六七八九十百千万亿.])(十|[一二两三四五六七八九]|\d(?:\.\d)?)成"
    r"(?![本果立员熟功交为都效长型绩品就败全人家])"
)
_HALF = re.compile(r"过半|一半|\bhalf(?:way|\s+done)?\b", re.IGNORECASE)
_PROGRESS_WORDS = re.compile(
    r"完成|进度|进展|目标|任务|计划|总量|总体|整体|done|complete|progress", re.I
)
_GROWTH_WORDS = re.compile(
    r"增长|增幅|增速|提高|提升|下降|降低|同比|环比|占比|比重|比例|增加|减少|growth|up|down", re.I
)


def _stated_percent(
    s: str, clauses: _Clauses, taken: list[tuple[int, int]], pct_target: bool
) -> _Stated:
    """The progress percent the reply states, first progress-framed one first.

    "完成60%", "60%", "百分之六十", "六成", "三分之二", "过半". A percent after a growth word
    ("同比增长15%") is not progress; with a "%" target on the item an unframed percent is a value
    for that target ("研发投入占比达3.2%") unless it is the whole reply.
    """
    found: list[tuple[float, int, int]] = []
    for m in _PCT.finditer(s):
        found.append((float(m.group(1)), m.start(), m.end()))
    for m in _PCT_CN.finditer(s):
        n = cn_to_number(m.group(1))
        if n is not None:
            found.append((n, m.start(), m.end()))
    for m in _FRACTION.finditer(s):
        den, num = cn_to_number(m.group(1)), cn_to_number(m.group(2))
        if den and num is not None and 0 < num <= den:
            found.append((num / den * 100, m.start(), m.end()))
    for m in _TENTHS.finditer(s):
        n = cn_to_number(m.group(1))
        if n is not None and 0 < n <= 10:
            found.append((n * 10, m.start(), m.end()))
    for m in _HALF.finditer(s):
        found.append((50.0, m.start(), m.end()))
    found = [f for f in found if not any(a <= f[1] < b for a, b in taken)]
    found.sort(key=lambda f: f[1])

    spans = [(a, b) for _, a, b in found]
    framed: float | None = None
    loose: float | None = None
    as_values: list[tuple[float, int, int]] = []
    whole = len(found) == 1 and not re.sub(r"[\s%.,。!!]", "", s[: found[0][1]] + s[found[0][2] :])
    for value, a, b in found:
        before = clauses.before(a)[-10:]
        if _FUTURE.search(clauses.before(a)):
            continue  # "力争年底完成80%": a plan, not progress
        after = re.sub(r"^\s*(?:已经?|的|了)?", "", clauses.after(b))  # "60%已完成", "60% done"
        if _PROGRESS_WORDS.search(before) or _PROGRESS_WORDS.match(after):
            if framed is None:
                framed = value
            continue
        is_pct = s[a:b].rstrip().endswith("%")
        if pct_target and is_pct and not whole:
            as_values.append((value, a, b))
            continue
        if _GROWTH_WORDS.search(before):
            continue  # "同比增长15%"
        if loose is None:
            loose = value
    return _Stated(framed if framed is not None else loose, spans, as_values)


# ------------------------------------------------------------------------------------- values


@dataclass(frozen=True)
class _Value:
    value: float
    target: Target
    percent: float | None


_AR = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"
# Matches start only where a number starts: scanning from inside a 5000-digit run is quadratic.
_VALUE = re.compile(
    rf"(?<![\d.,{CN_DIGITS}])(?P<num>{_AR}|[{CN_DIGITS}]+)\s*(?P<measure>{_MEASURE})"
)


def _find_value(
    s: str,
    targets: tuple[Target, ...],
    taken: list[tuple[int, int]],
    pct_values: list[tuple[float, int, int]],
) -> _Value | None:
    """The first number whose measure is one of the item's targets' (magnitude included)."""
    if not targets:
        return None
    candidates: list[tuple[int, float, str]] = [(a, v, "%") for v, a, _ in pct_values]
    for m in _VALUE.finditer(s):
        a = m.start()
        if any(x <= a < y for x, y in taken):
            continue
        prev = s[a - 1] if a else ""
        if prev and (prev in "第每前近" or (prev.isascii() and (prev.isalnum() or prev in ".-+/"))):
            continue  # "第4项", "前3名", "G60": an ordinal or part of a name
        if s[m.end() : m.end() + 1].isdigit():
            continue
        measure = m.group("measure")
        if measure in ("%", "‰") or (
            measure == "个" and re.match(r"(?:月|工作日|星期|礼拜)", s[m.end() :])
        ):
            continue  # percents are read elsewhere; "3个月" is a duration
        raw = m.group("num").replace(",", "")
        if raw[0] in "万亿":
            continue  # a bare magnitude
        # "三万人" is 3 万人 to a plan that counts in 万人, and 30000 人 to one that counts 人.
        if raw[-1] in "万亿" and not raw[0].isdigit() and raw[-1] + measure in MEASURES:
            n = cn_to_number(raw[:-1])
            if n is not None:
                candidates.append((a, n, raw[-1] + measure))
        n = cn_to_number(raw)
        if n is not None:
            candidates.append((a, n, measure))
    candidates.sort(key=lambda c: c[0])
    for _, value, measure in candidates:
        target = next((t for t in targets if t.measure == measure), None)
        if target is None or not math.isfinite(value):
            continue
        return _Value(value, target, _share(value, target))
    return None


def _share(value: float, target: Target) -> float | None:
    """The value as a percent of the target; for a range, of its upper end; none for a ceiling."""
    if target.op == "≤":
        return None  # "控制在…以内": being under a ceiling is not progress towards it
    goal = target.upper if target.op == "range" and target.upper else target.value
    if not goal or not math.isfinite(goal) or goal <= 0:
        return None
    return value / goal * 100


# -------------------------------------------------------------------------------------- dates


@dataclass(frozen=True)
class _When:
    date: date
    text: str
    start: int
    end: int
    framed: bool = False  # found through an English frame ("expected by …"): framed already


# "预计…", "延期至…", "争取…": the date that follows is when the work should be done.
_FRAME_BEFORE = re.compile(
    r"预计|计划|争取|力争|延期|推迟|顺延|延后|调整为|调整至|将于|将在|可于|可在|拟于|拟在|确保|有望"
    r"|可望|预期|定于|最迟|最晚|力求|目标是"
    r"|\b(?:expect\w*|eta|by|before|until|till|due|delayed|postponed|pushed|moved"
    r"|rescheduled|scheduled|planned|will)\b",
    re.IGNORECASE,
)
# "…前完成", "…底完成", "…前": the date is a completion date.
_FRAME_AFTER = re.compile(
    r"^\s*(?:之前|以前|前|内|之内|以内)?\s*(?:全部|全面|基本|即可|可以|能够|可|能|将|要)?\s*"
    r"(?:完成|办结|完工|竣工|建成|投用|投产|落实|到位|结束|交付|上线|验收)(?!了)"
    r"|^\s*(?:之前|以前|前)"
)
# "已于9月底完成", "9月底已完成", "截至10月底": a date in the past or an "as of".
_PAST_BEFORE = re.compile(r"(?:已经?(?:于|在)?|截至|截止(?:到)?|到目前为止)(?:今年|本年|去年)?\s*$")
_PAST_AFTER = re.compile(r"^\s*(?:已|就已|便已|完成了|已经)")
_STANDALONE_REST = re.compile(
    r"(?:预计|争取|力争|计划|大概|大约|约)?(?:之前|以前|前|内|之内|以内)?(?:完成|办结)?"
    r"|(?:by|before|until|expected|eta)?",
    re.IGNORECASE,
)

_WEEKDAY = {"一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "日": 7, "天": 7}
_CN_N = r"\d{1,3}|[一二两三四五六七八九十]{1,3}|半"
_REL = re.compile(
    r"(?<![上个每])(?P<wk>(?P<wkp>下下个?|下个?|本|这个?)?(?:周|星期|礼拜)(?P<wd>[一二三四五六日天1-7]))"
    r"|(?P<wke>(?P<wkep>下下个?|下个?|本|这个?)(?:周|星期|礼拜)(?P<wkes>末|内|底)?)"
    r"|(?<![上下本这个每])(?P<wkend>周末)"
    r"|(?P<dur>(?P<n>"
    + _CN_N
    + r")\s*(?P<unit>个工作日|工作日|天|日|周|个星期|星期|个礼拜|礼拜|个月|个季度)"
    r"(?P<dx>内|之内|以内|后|之后|以后))"
    r"|(?P<mo>(?P<mop>本|这个?|当|下个?|次)月(?P<mos>底|末|内|中旬|上旬|下旬|初|中)?)"
    r"|(?<![\d一二两三四五六七八九十个上下本这当次每年])(?P<mob>月(?P<mobs>底|末))"
    r"|(?P<day>大后天|后天|明天|明日|今天|今日|当天)"
    r"|(?<![\d月.])(?P<dom>\d{1,2})(?:号|日)"
    r"|(?P<qt>(?P<qtp>本|这个?|下个?)季度(?:末|底|内)?)"
)
_EN_MONTHS = {m.lower(): i for i, m in enumerate(calendar.month_abbr) if m}
_EN_END = re.compile(
    r"\b(?:the\s+)?end\s+of\s+(?:(?P<mon>jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?"
    r"|(?P<rel>(?:the\s+|this\s+)?month|next\s+month|(?:the\s+|this\s+)?year))\b",
    re.IGNORECASE,
)
_EN_FRAME = re.compile(
    r"\b(?:expected(?:\s+(?:by|on|in))?|expect(?:\s+(?:by|on|in))?|eta:?|by|before|until|till"
    r"|due(?:\s+(?:by|on))?|(?:delayed|postponed|pushed(?:\s+back)?|moved|rescheduled)\s+(?:to|until|till)"
    r"|scheduled\s+for|planned\s+for)\s+(?P<when>[^,;!?\n()。,;]{1,40})",
    re.IGNORECASE,
)
_EN_IN = re.compile(
    r"\bin\s+(?:\d{1,3}|a|an|one|two|three|four|five|six|a\s+few)\s+(?:days?|weeks?|months?)\b",
    re.IGNORECASE,
)
# A short English reply with one of these may be a date on its own ("Dec 15", "next week").
_EN_DATE_WORD = re.compile(
    r"\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\b"
    r"|\b(?:mon|tues|wednes|thurs|fri|satur|sun)day\b|\btomorrow\b|\bnext\s+(?:week|month)\b",
    re.IGNORECASE,
)


def _find_dates(s: str, today: date, base_year: int) -> list[_When]:
    """Every date the reply names, without overlaps, in order of appearance."""
    found: list[_When] = []
    for tp in find_time_phrases(s, base_year):
        when = tp.date
        # A year-less month already past this year means next year's ("3月底" said in November).
        explicit_year = re.match(r"(?:19|20)\d{2}年|明年", tp.phrase) is not None
        if not explicit_year and base_year == today.year and when.month < today.month:
            when = _next_year(when)
        found.append(_When(when, tp.phrase, tp.start, tp.end))
    found += _numeric_dates(s, today)
    found += _relative_dates(s, today)
    found += _english_dates(s, today)

    found.sort(key=lambda w: (w.start, -(w.end - w.start)))
    kept: list[_When] = []
    for w in found:
        if kept and w.start < kept[-1].end:
            continue
        kept.append(w)
    return kept


def _next_year(when: date) -> date:
    if when == month_end(when.year, when.month):
        return month_end(when.year + 1, when.month)
    try:
        return when.replace(year=when.year + 1)
    except ValueError:  # 2月29日
        return month_end(when.year + 1, when.month)


_NUMERIC = re.compile(
    r"(?<![\d.])(?:(?P<y>(?:19|20)\d{2})[-/.])?(?P<m>\d{1,2})[-/.](?P<d>\d{1,2})(?![\d.]|\s*[%‰万亿])"
)
_MEASURE_AFTER = re.compile(rf"\s*(?:{_MEASURE})")
_BEFORE_MARK = re.compile(r"\s*(?:前|之前|以前)")  # "12.15前": 前 is also a measure-less word


def _numeric_dates(s: str, today: date) -> list[_When]:
    """Numeric dates ("2023-12-15", "2023/12/15", "12.15", "12/15") find_time_phrases can't read."""
    out: list[_When] = []
    for m in _NUMERIC.finditer(s):
        if _MEASURE_AFTER.match(s, m.end()) and not _BEFORE_MARK.match(s, m.end()):
            continue  # "12.15万元" is money, "2-3家" a range
        month, day = int(m.group("m")), int(m.group("d"))
        if month > 12 and day <= 12:
            month, day = day, month  # "15/12": day first
        year = int(m.group("y")) if m.group("y") else today.year
        try:
            when = date(year, month, day)
        except ValueError:
            continue
        if not m.group("y") and when < today:
            when = _next_year(when) if when.month < today.month else when
        out.append(_When(when, m.group(0), m.start(), m.end()))
    return out


def _relative_dates(s: str, today: date) -> list[_When]:
    """下周五, 两周内, 本月底, 下个月, 明天, 本季度: dateparser reads none of these in Chinese."""
    out: list[_When] = []
    for m in _REL.finditer(s):
        when = _relative(m, today)
        if when is not None:
            out.append(_When(when, m.group(0), m.start(), m.end()))
    for m in _EN_END.finditer(s):
        mon, rel = m.group("mon"), (m.group("rel") or "").lower()
        if mon:
            month = _EN_MONTHS.get(mon.lower()[:3], 0)
            if not month:
                continue
            when = month_end(today.year, month)
            if month < today.month:
                when = month_end(today.year + 1, month)
        elif rel.startswith("next"):
            when = month_end(*_add_months(today.year, today.month, 1))
        elif rel.endswith("month"):
            when = month_end(today.year, today.month)
        else:
            when = date(today.year, 12, 31)
        out.append(_When(when, m.group(0), m.start(), m.end(), framed=False))
    return out


def _relative(m: re.Match[str], today: date) -> date | None:
    g = m.groupdict()
    monday = today - timedelta(days=today.weekday())
    if g["wk"]:
        weekday = _WEEKDAY.get(g["wd"]) or int(g["wd"])
        prefix = g["wkp"] or ""
        if prefix.startswith("下下"):
            return monday + timedelta(days=14 + weekday - 1)
        if prefix.startswith("下"):
            return monday + timedelta(days=7 + weekday - 1)
        if prefix:  # 本周五, 这周五 (may be past: then it is not an expected date)
            return monday + timedelta(days=weekday - 1)
        return today + timedelta(days=(weekday - 1 - today.weekday()) % 7)  # the next 周五
    if g["wke"]:
        prefix, suffix = g["wkep"], g["wkes"] or ""
        weeks = 2 if prefix.startswith("下下") else 1 if prefix.startswith("下") else 0
        # 周末 is the weekend, anything else ("下周", "本周内") the working week: its Friday.
        return monday + timedelta(days=7 * weeks + (6 if suffix == "末" else 4))
    if g["wkend"]:
        return monday + timedelta(days=6)
    if g["dur"]:
        return _after(today, g["n"], g["unit"])
    if g["mo"] or g["mob"]:
        prefix = g["mop"] or ""
        later = 1 if prefix.startswith(("下", "次")) else 0
        year, month = _add_months(today.year, today.month, later)
        suffix = g["mos"] or g["mobs"] or ""
        day = {"上旬": 10, "初": 10, "中旬": 20, "中": 20}.get(suffix)
        return date(year, month, day) if day else month_end(year, month)
    if g["day"]:
        return today + timedelta(
            days={"今天": 0, "今日": 0, "当天": 0, "明天": 1, "明日": 1, "后天": 2, "大后天": 3}[
                g["day"]
            ]
        )
    if g["dom"]:
        # "20号": this month's 20th, or next month's when that day has passed.
        day = int(g["dom"])
        for later in (0, 1):
            year, month = _add_months(today.year, today.month, later)
            if day <= month_end(year, month).day and date(year, month, day) >= today:
                return date(year, month, day)
        return None
    if g["qt"]:
        later = 1 if (g["qtp"] or "").startswith("下") else 0
        quarter = (today.month - 1) // 3 + later
        year = today.year + quarter // 4
        return month_end(year, (quarter % 4) * 3 + 3)
    return None


def _after(today: date, count: str, unit: str) -> date | None:
    """Durations from today: "两周内" → +14 days; "3个工作日内" counts Chinese working days."""
    if count == "半":
        n = 0.5
    else:
        value = cn_to_number(count)
        if value is None or value <= 0 or value > 400:
            return None
        n = value
    if unit.endswith("工作日"):
        return _add_working_days(today, int(n))
    if unit.endswith("个月"):
        if n == 0.5:
            return today + timedelta(days=15)
        year, month = _add_months(today.year, today.month, int(n))
        return date(year, month, min(today.day, month_end(year, month).day))
    if unit.endswith("季度"):
        year, month = _add_months(today.year, today.month, int(n * 3))
        return month_end(year, month)
    days = {"天": 1, "日": 1}.get(unit, 7)
    return today + timedelta(days=round(n * days))


def _add_months(year: int, month: int, n: int) -> tuple[int, int]:
    k = year * 12 + (month - 1) + n
    return k // 12, k % 12 + 1


def _add_working_days(today: date, n: int) -> date:
    """Chinese working days (调休 included) where chinesecalendar knows the year, else Mon–Fri."""
    is_workday: Callable[[date], bool]
    try:
        import chinese_calendar

        def is_workday(d: date) -> bool:
            try:
                return bool(chinese_calendar.is_workday(d))
            except NotImplementedError:
                return d.weekday() < 5

    except ImportError:  # pragma: no cover - a dependency, but dates must not depend on it

        def is_workday(d: date) -> bool:
            return d.weekday() < 5

    when = today
    while n > 0:
        when += timedelta(days=1)
        if is_workday(when):
            n -= 1
    return when


class _DateParser:
    """dateparser, called lazily and a bounded number of times per reply."""

    def __init__(self, today: date) -> None:
        self.calls = 0
        self.settings = {
            "PREFER_DATES_FROM": "future",
            "RELATIVE_BASE": datetime(today.year, today.month, today.day),
            "RETURN_AS_TIMEZONE_AWARE": False,
        }

    def parse(self, text: str, languages: list[str]) -> date | None:
        if self.calls >= _MAX_DATEPARSER_CALLS or not text.strip():
            return None
        self.calls += 1
        try:
            import dateparser

            result: Any = dateparser.parse(text, languages=languages, settings=self.settings)
        except Exception:  # dateparser has raised on odd input before; a reply must not
            log.debug("dateparser failed on %r", text, exc_info=True)
            return None
        return result.date() if isinstance(result, datetime) else None


def _english_dates(s: str, today: date) -> list[_When]:
    """English dates ("expected by Dec 15", "delayed to next friday", "in two weeks") via dateparser.

    Only after a frame word, or when the whole short reply is a date ("Dec 15", "next week").
    """
    if not re.search(r"[A-Za-z]", s):
        return []
    dp = _DateParser(today)
    out: list[_When] = []
    for m in _EN_FRAME.finditer(s):
        if _EN_END.match(m.group("when")):
            continue  # "by the end of Nov": our own rule reads it (dateparser doesn't)
        words = m.group("when").split()
        # "friday then testing": try the longest word prefix dateparser can read.
        for k in range(min(len(words), 4), 0, -1):
            if not re.search(r"[A-Za-z0-9]", words[k - 1]):
                continue
            when = dp.parse(" ".join(words[:k]), ["en"])
            if when is not None:
                end = m.start("when") + len(" ".join(words[:k]))
                out.append(_When(when, s[m.start("when") : end], m.start("when"), end, framed=True))
                break
    for m in _EN_IN.finditer(s):
        when = dp.parse(m.group(0), ["en"])
        if when is not None:
            out.append(_When(when, m.group(0), m.start(), m.end(), framed=True))
    alone = s.strip()
    if not out and len(alone) <= 30 and _EN_DATE_WORD.search(alone):
        when = dp.parse(alone, ["en"])
        if when is not None:
            start = s.find(alone)
            out.append(_When(when, alone, start, start + len(alone), framed=True))
    return out


def _pick_expected(s: str, clauses: _Clauses, dates: list[_When], today: date) -> _When | None:
    """The first date the reply frames as when the work will be done, if it is not past."""
    for w in dates:
        before = clauses.before(w.start)
        after = clauses.after(w.end)
        if _PAST_BEFORE.search(before) or _PAST_AFTER.match(after):
            continue  # "已于9月底完成", "9月底已完成", "截至10月底"
        rest = s[: w.start] + s[w.end :]
        rest = re.sub(r"[\s,,。.;;:::!!??、]", "", rest)
        standalone = _STANDALONE_REST.fullmatch(rest) is not None
        framed = (
            w.framed
            or standalone
            or bool(_FRAME_BEFORE.search(before) or _FRAME_AFTER.match(after))
        )
        if not framed:
            continue
        if w.date < today:
            continue  # a date in the past is no expectation; the text keeps it
        text = w.text
        tail = re.match(r"\s*(之前|以前|前|之内|以内|内)", after)
        if tail and not text.endswith(tail.group(1)):
            text += tail.group(1)  # keep "下周五前", not just "下周五"
        return _When(w.date, text.strip(), w.start, w.end)
    return None
