"""The progress percent a reply states.

- A percent is written "60%", "百分之六十", "六成", "三分之二", "过半", "一半", "halfway".
- The first percent framed as progress wins (完成, 进度, 进展, 目标, 任务 before it, or 已完成,
  done after it: "60%已完成", "60% done"); else the first unframed one.
- Not progress: a percent after a growth word ("同比增长15%", "占比"), a percent planned
  ("力争年底完成80%"), a negative percent ("-30%": the text is kept, no percent, and the reading
  flags it). With a "%" target on the item, an unframed percent is a value for that target
  ("研发投入占比达3.2%") unless it is the whole reply.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from plans.numerals import cn_to_number
from plans.replies.cleaning import Clauses
from plans.replies.frames import FUTURE

Span = tuple[int, int]


@dataclass(frozen=True)
class Stated:
    percent: float | None
    spans: list[Span]  # every percent-like phrase, so no value is read inside one
    as_values: list[tuple[float, int, int]]  # percents that measure a "%" target, not progress
    negative: bool  # a "-30%" was there and was not read as progress


_PCT = re.compile(r"(?<![\d.])(\d{1,4}(?:\.\d+)?)\s*%")
# A minus right before the number, not a range ("10-30%") or a word ("COVID-19%").
_NOT_BEFORE_SIGN = re.compile(r"[0-9A-Za-z.%]")
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


def stated_percent(s: str, clauses: Clauses, taken: list[Span], pct_target: bool) -> Stated:
    """The progress percent the reply states, first progress-framed one first."""
    found: list[tuple[float, int, int]] = []
    negative_spans: list[Span] = []
    for m in _PCT.finditer(s):
        a = m.start()
        if a and s[a - 1] in "-−" and not (a > 1 and _NOT_BEFORE_SIGN.match(s[a - 2])):
            negative_spans.append((m.start() - 1, m.end()))
            continue
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

    spans = [(a, b) for _, a, b in found] + negative_spans
    framed: float | None = None
    loose: float | None = None
    as_values: list[tuple[float, int, int]] = []
    rest = s[: found[0][1]] + s[found[0][2] :] if len(found) == 1 else "x"
    whole = not re.sub(r"[\s%.,。!!]", "", rest)
    for value, a, b in found:
        before = clauses.before(a)[-10:]
        if FUTURE.search(clauses.before(a)):
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
    return Stated(
        framed if framed is not None else loose, spans, as_values, negative=bool(negative_spans)
    )
