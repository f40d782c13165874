"""A number in the reply matched to one of the item's targets ("已认定32家" against "50家").

- The first number whose measure is a target's measure counts, magnitude included: "3万人"
  matches "8.3万人", not "8000人"; "三万人" is 3 万人 to a plan that counts in 万人. A running
  total (累计, 共计, 合计) comes first: "本月新增2家,累计30家" is at 30. "800余个" is 800 个;
  "1.5亿" with nothing after it is 1.5 亿元.
- Its share of the target is the progress: of a range's upper end ("1-2家"); none for a ceiling
  ("5家以内": being under it is not progress towards it).
- Not a value: an ordinal or a name ("第4项", "前3名", "G60"), a date, a duration ("3个月"), a
  percent read as progress, a figure planned ("预计11月底可达50家"), and a count of what has only
  started or applied ("已开工15个", "申报企业40家": started is not finished).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from plans.measures import MEASURES
from plans.model import Target
from plans.numerals import CN_DIGITS, cn_to_number
from plans.replies.cleaning import Clauses
from plans.replies.frames import planned

Span = tuple[int, int]

MEASURE = "|".join(re.escape(m) for m in sorted(MEASURES, key=len, reverse=True))


@dataclass(frozen=True)
class Value:
    value: float
    target: Target
    percent: float | None


_AR = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"
# Matches start only where a number starts: scanning from inside a 5000-digit run is quadratic.
_VALUE = re.compile(
    rf"(?<![\d.,{CN_DIGITS}])(?P<num>{_AR}|[{CN_DIGITS}]+)\s*(?:余|多)?"
    rf"(?P<measure>{MEASURE}|(?<=[\d.])[万亿](?![\u3400-\u9fff]))"
)
# The running total wins over this period's: "本月新增2家,累计30家" is at 30.
_CUMULATIVE_BEFORE = re.compile(
    r"(?:累计|共计|总计|合计|总共|一共|截至目前|截止目前)[^\d,,。;;]{0,4}$"
)
# Counts of work started, applied for or lined up, not done: "已开工15个", "申报企业40家".
_STARTED_BEFORE = re.compile(
    r"(?:开工|动工|在建|启动|签约|申报|储备|意向|洽谈|对接|摸排|初审|公示|拟)[^\d,,。;;]{0,6}$"
)


def find_value(
    s: str,
    clauses: Clauses,
    targets: tuple[Target, ...],
    taken: list[Span],
    pct_values: list[tuple[float, int, int]],
) -> Value | None:
    """The first number whose measure is one of the item's targets' (magnitude included)."""
    if not targets:
        return None
    candidates: list[tuple[int, float, str]] = [(a, v, "%") for v, a, _ in pct_values]
    cumulative: set[int] = set()
    for m in _VALUE.finditer(s):
        a = m.start()
        if any(x <= a < y for x, y in taken):
            continue
        prev = s[a - 1] if a else ""
        word = s[a - 2 : a] if a >= 2 else prev
        ordinal = prev in ("第", "每", "近") or (prev == "前" and word not in ("目前", "当前"))
        named = prev.isascii() and (prev.isalnum() or prev in (".", "-", "+", "/"))
        if ordinal or named:
            continue  # "第4项", "前3名", "G60": an ordinal or part of a name ("目前32家" is not)
        if s[m.end() : m.end() + 1].isdigit():
            continue
        measure = m.group("measure")
        if measure in ("万", "亿"):
            measure += "元"  # "完成投资1.5亿" against "2亿元"
        if measure in ("%", "‰") or (
            measure == "个" and re.match(r"(?:月|工作日|星期|礼拜)", s[m.end() :])
        ):
            continue  # percents are read elsewhere; "3个月" is a duration
        if planned(clauses, a) or _STARTED_BEFORE.search(clauses.before(a, 12)):
            continue  # "预计可达50家", "已开工15个"
        if _CUMULATIVE_BEFORE.search(clauses.before(a, 8)):
            cumulative.add(a)
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
    candidates.sort(key=lambda c: (c[0] not in cumulative, c[0]))
    for _, value, measure in candidates:
        target = next((t for t in targets if t.measure == measure), None)
        if target is None or not math.isfinite(value):
            continue
        return Value(value, target, share(value, target))
    return None


def share(value: float, target: Target) -> float | None:
    """The value as a percent of the target; for a range, of its upper end; none for a ceiling."""
    if target.op == "≤":
        return None
    goal = target.upper if target.op == "range" and target.upper else target.value
    if not goal or not math.isfinite(goal) or goal <= 0:
        return None
    return value / goal * 100
