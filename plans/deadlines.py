"""Time phrases of a plan resolved against the plan year.

dateparser reads "2023年6月30日" but misreads plan phrases ("10月竣工" → ten months ago), so plan
phrases go through these rules (DESIGN.md, "Time phrases"):
年内/全年/年底(前) → Dec 31; 上半年 → Jun 30; 下半年 → Dec 31; N季度 → quarter end;
前三季度 → Sep 30; N月/N月底/N月份/N月底前 → last day of month N; 上旬/中旬/下旬 → 10th/20th/last;
明年 → the plan year when the document is dated the year before. Every date keeps its phrase.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date

from plans.model import Milestone
from plans.numerals import cn_to_number

_NUM = r"(?:\d{1,2}|[一二两三四五六七八九十]{1,3})"

# One alternation, longest forms first; named groups say which rule applies.
_PHRASE = re.compile(
    r"(?P<full>(?P<y>(?:19|20)\d{2})年(?P<ym>\d{1,2})月(?:(?P<yd>\d{1,2})[日号])?(?P<yend>底|末)?)"
    r"|(?P<ny>明年)(?P<nyrest>(?:上半年|下半年|年底|年内|(?P<nym>"
    + _NUM
    + r")月(?P<nyx>上旬|中旬|下旬|底|末)?))?"
    r"|(?P<h1>上半年)|(?P<h2>下半年)"
    r"|(?P<first3>前三季度)"
    r"|(?:第)?(?P<q>[一二三四1-4])季度"
    r"|(?<![\d.个第])(?P<m>" + _NUM + r")月(?!份额)"
    r"(?:(?P<d>\d{1,2})[日号]|(?P<xun>上旬|中旬|下旬)|(?P<mend>底|末|份))?"
    r"|(?P<ye>年内|年底|年末|全年|年度内)"
)

# A month needs a verb or an end marker after it to be a deadline ("10月竣工", "6月底前完成"),
# not "月调度" or "3月17日印发" — the date of the document itself is filtered by the caller.


@dataclass(frozen=True)
class TimePhrase:
    """A date found in a text with the phrase that gave it and where it stands."""

    date: date
    phrase: str
    start: int
    end: int
    explicit: bool  # True when the phrase names a month, day or quarter, not just "this year"


def year_end(year: int) -> date:
    return date(year, 12, 31)


def month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def next_year(plan_year: int, document_date: date | None) -> int:
    """明年 in a plan dated the year before means the plan year itself."""
    if document_date is not None and document_date.year == plan_year - 1:
        return plan_year
    return plan_year + 1


def find_time_phrases(
    text: str, plan_year: int, document_date: date | None = None
) -> list[TimePhrase]:
    """Every plan time phrase in `text`, resolved against `plan_year`, in order of appearance."""
    found: list[TimePhrase] = []
    for m in _PHRASE.finditer(text):
        resolved = _resolve(m, plan_year, document_date)
        if resolved is None:
            continue
        when, explicit = resolved
        found.append(TimePhrase(when, m.group(0), m.start(), m.end(), explicit))
    return found


def _resolve(
    m: re.Match[str], plan_year: int, document_date: date | None
) -> tuple[date, bool] | None:
    g = m.groupdict()
    try:
        if g["full"]:
            year, month = int(g["y"]), int(g["ym"])
            if g["yd"]:
                return date(year, month, int(g["yd"])), True
            return month_end(year, month), True
        if g["ny"]:
            year = next_year(plan_year, document_date)
            rest = g["nyrest"] or ""
            if rest == "上半年":
                return date(year, 6, 30), True
            if g["nym"]:
                next_month = _month(g["nym"])
                if next_month is None:
                    return None
                day = {"上旬": 10, "中旬": 20}.get(g["nyx"] or "")
                when = date(year, next_month, day) if day else month_end(year, next_month)
                return when, True
            return year_end(year), bool(rest and rest != "年内" and rest != "年底")
        if g["h1"]:
            return date(plan_year, 6, 30), True
        if g["h2"]:
            return year_end(plan_year), True
        if g["first3"]:
            return date(plan_year, 9, 30), True
        if g["q"]:
            quarter = int(cn_to_number(g["q"]) or 0)
            if not 1 <= quarter <= 4:
                return None
            return month_end(plan_year, quarter * 3), True
        if g["m"]:
            found = _month(g["m"])
            if found is None:
                return None
            month = found
            bare = not (g["d"] or g["xun"] or g["mend"])
            # "一月一调度" is a rhythm, not a date: a month in Chinese numerals needs 底/份/日/旬/前.
            if bare and not g["m"].isdigit() and not m.string.startswith("前", m.end()):
                return None
            if g["d"]:
                return date(plan_year, month, int(g["d"])), True
            xun = g["xun"]
            if xun == "上旬":
                return date(plan_year, month, 10), True
            if xun == "中旬":
                return date(plan_year, month, 20), True
            return month_end(plan_year, month), True
        if g["ye"]:
            return year_end(plan_year), False
    except ValueError:  # 2月30日 and friends: not a date, not a phrase
        return None
    return None


def _month(text: str) -> int | None:
    value = cn_to_number(text)
    if value is None or not value.is_integer() or not 1 <= value <= 12:
        return None
    return int(value)


def item_deadline(
    text: str, year: int, document_date: date | None
) -> tuple[date, str, tuple[Milestone, ...]]:
    """An item's deadline, the phrase it came from, and the dated steps (milestones) inside it."""
    phrases = [
        p for p in find_time_phrases(text, year, document_date) if p.date.year in (year, year + 1)
    ]
    milestones: list[Milestone] = []
    for p in phrases:
        if not p.explicit:
            continue
        # The step is the clause around the phrase: "青峰创元大厦10月竣工投用".
        start = max(text.rfind(c, 0, p.start) for c in ",。;:\n") + 1
        ends = [e for e in (text.find(c, p.end) for c in ",。;\n") if e != -1]
        clause = text[start : min(ends) if ends else len(text)].strip()
        if all(m.date != p.date or m.text != clause for m in milestones):
            milestones.append(Milestone(p.date, clause))
    if not phrases:
        return year_end(year), "", ()
    last = max(phrases, key=lambda p: (p.date, p.explicit))
    # Without a stated month the item is due at the year's end even if one step is earlier.
    if any(not p.explicit for p in phrases) and last.date < year_end(year):
        last = next(p for p in phrases if not p.explicit)
    return last.date, last.phrase, tuple(milestones)
