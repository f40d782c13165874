"""Dates in a reply, and which one is when the work is expected to be done.

- Plan phrases ("11月底", "年底", "四季度", "12月中旬") go through
  `plans.deadlines.find_time_phrases`, resolved against today's year (a plan not yet begun: its
  year); a year-less month already past means next year's ("3月底" said in November).
- Numeric dates: "2023-12-15", "2023/12/15", "12.15", "12/15", "11月30号".
- Relative phrases dateparser can't read in Chinese: 下周五, 本周内, 两周内, 3个工作日内 (Chinese
  working days, 调休 included), 本月底, 下个月中旬, 20号, 明天, 本季度末; festivals: 元旦前 (Dec
  31), 五一前 (Apr 30), 国庆前 (Sep 30), 春节前 and 中秋前 (the day before the holiday, where
  chinesecalendar knows the year). English dates after a
  frame word ("expected by Dec 15", "delayed to next friday", "in two weeks") go to dateparser.
- A date is the expected date only when framed as when the work will be done: 预计/争取/延期至…
  before it, or 前/内 + 完成/完工/办结… after it, or nothing else in the reply ("11月底"). The
  first such date wins.
- Not an expected date: a date in the past or said as past ("已于9月底完成", "截至10月底"); the
  date of a start or of another activity ("预计年底开工", "将于下周召开专题会", "3个工作日内报送");
  the date of a step of the work ("预计11月中旬完成立项"); a date the work can't be done by
  ("年底前恐难完成").
"""

from __future__ import annotations

import calendar
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from plans.deadlines import find_time_phrases, month_end
from plans.numerals import cn_to_number
from plans.replies.cleaning import Clauses
from plans.replies.steps import is_step
from plans.replies.values import MEASURE

log = logging.getLogger(__name__)

# dateparser is slow-ish (milliseconds per call) and hostile text can contain many frames.
_MAX_DATEPARSER_CALLS = 6


@dataclass(frozen=True)
class When:
    """A date the reply names, where, and the words it was written as."""

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
# "…前完成", "…底完成", "…底可全部完成", "…前": the date is a completion date.
_FRAME_AFTER = re.compile(
    r"^\s*(?:之前|以前|前|内|之内|以内)?\s*"
    r"(?:(?:全部|全面|基本|即可|可以|能够|可|能|将|要|就|会|才|均|都)\s*){0,3}"  # 就能全部…
    r"(?:完成|办结|完工|竣工|建成|投用|投产|落实|到位|结束|交付|上线|验收|(?:[做干弄搞])?完(?![成工]))(?!了)"
    r"|^\s*(?:之前|以前|前)"
)
# After a framed date, these say it is when something else happens: a start, a meeting, a report
# ("预计年底开工", "将于下周召开专题会", "3个工作日内报送"), a step ("预计11月中旬完成立项"), or
# that the work can't be done by then ("年底前恐难完成").
_NOT_THE_END = re.compile(
    r"^\s*(?:之前|以前|前|内|之内|以内)?\s*(?:将|要|拟|再|正式|全面|集中|可|能|就|会)?\s*"
    r"(?:开工|动工|启动|开始|进场|开展|召开|开会|研究|部署|报送|上报|报|提交|招标|签约|立项|实施|组织"
    r"|举办|调度|安排|对接|讨论|审议|给|回复|反馈|恐难|难以|无法|不能|完不成|做不完|不可能|可能无法"
    r"|可能难以)"
)
_STEP_AFTER = re.compile(
    r"^\s*(?:之前|以前|前|内|之内|以内)?\s*(?:完成|做完|办完)\s*(?P<obj>\S{1,12})"
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
# "end of Nov", "mid Dec", "early next month", "the middle of the year": a part of a month (or
# year) read as 上旬/中旬/下旬 are: early → the 10th, mid → the 20th, end or late → the last day.
_EN_END = re.compile(
    r"\b(?:(?:the\s+)?(?P<part>end|beginning|start|middle)\s+of\s+|(?P<part2>early|mid|late)[-\s]+)"
    r"(?:(?P<mon>jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?"
    r"|(?P<rel>(?:the\s+|this\s+)?month|next\s+month|(?:the\s+|this\s+)?year))\b",
    re.IGNORECASE,
)
_EN_PART_DAY = {"beginning": 10, "start": 10, "early": 10, "middle": 20, "mid": 20}
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


def find_dates(s: str, today: date, base_year: int) -> list[When]:
    """Every date the reply names, without overlaps, in order of appearance."""
    found: list[When] = []
    for tp in find_time_phrases(s, base_year):
        when = tp.date
        # A year-less month already past this year means next year's ("3月底" said in November).
        explicit_year = re.match(r"(?:19|20)\d{2}年|明年", tp.phrase) is not None
        if not explicit_year and base_year == today.year and when.month < today.month:
            when = _next_year(when)
        found.append(When(when, tp.phrase, tp.start, tp.end))
    found += _numeric_dates(s, today)
    found += _relative_dates(s, today)
    found += _festival_dates(s, today)
    found += _english_dates(s, today)

    found.sort(key=lambda w: (w.start, -(w.end - w.start)))
    kept: list[When] = []
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
_MEASURE_AFTER = re.compile(rf"\s*(?:{MEASURE})")
_BEFORE_MARK = re.compile(r"\s*(?:前|之前|以前)")  # "12.15前": 前 is also a measure-less word


_MONTH_HAO = re.compile(r"(?<![\d.])(?P<m>\d{1,2})月(?P<d>\d{1,2})号")


def _numeric_dates(s: str, today: date) -> list[When]:
    """Numeric dates find_time_phrases can't read: "2023-12-15", "2023/12/15", "12.15", "12/15",
    "11月30号"."""
    out: list[When] = []
    for m in _MONTH_HAO.finditer(s):
        try:
            when = date(today.year, int(m.group("m")), int(m.group("d")))
        except ValueError:
            continue
        if when.month < today.month:
            when = _next_year(when)
        out.append(When(when, m.group(0), m.start(), m.end()))
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
        out.append(When(when, m.group(0), m.start(), m.end()))
    return out


def _relative_dates(s: str, today: date) -> list[When]:
    """下周五, 两周内, 本月底, 下个月, 明天, 本季度: dateparser reads none of these in Chinese."""
    out: list[When] = []
    for m in _REL.finditer(s):
        when = _relative(m, today)
        if when is not None:
            out.append(When(when, m.group(0), m.start(), m.end()))
    for m in _EN_END.finditer(s):
        mon, rel = m.group("mon"), (m.group("rel") or "").lower()
        day = _EN_PART_DAY.get((m.group("part") or m.group("part2") or "end").lower())
        if mon:
            month = _EN_MONTHS.get(mon.lower()[:3], 0)
            if not month:
                continue
            year = today.year + 1 if month < today.month else today.year
        elif rel.startswith("next"):
            year, month = _add_months(today.year, today.month, 1)
        elif rel.endswith("month"):
            year, month = today.year, today.month
        else:  # the year: early → March, mid → June, end or late → December
            year, month = today.year, {10: 3, 20: 6}.get(day or 0, 12)
            day = None
        when = date(year, month, day) if day else month_end(year, month)
        out.append(When(when, m.group(0), m.start(), m.end(), framed=False))
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


_FESTIVAL = re.compile(
    r"(?P<name>春节|元旦|五一|劳动节|国庆节?|中秋节?)(?:假期|放假)?(?=之前|以前|前)"
)
# Festivals on the lunar calendar: their holiday's name in chinesecalendar, and the months to look.
_LUNAR_FESTIVALS = {"春节": ("Spring Festival", (1, 2)), "中秋": ("Mid-autumn Festival", (9, 10))}


def _festival_dates(s: str, today: date) -> list[When]:
    """Festivals: "春节前", "国庆前", "元旦前", "五一前" → the day before the festival (before its
    holiday, for the lunar ones, as chinesecalendar knows it), the next one to come."""
    out: list[When] = []
    for m in _FESTIVAL.finditer(s):
        name = m.group("name")[:2]
        when: date | None
        if name == "元旦":
            when = date(today.year, 12, 31)
        elif name in ("五一", "劳动"):
            when = date(today.year, 4, 30)
        elif name == "国庆":
            when = date(today.year, 9, 30)
        else:
            when = _before_lunar_festival(*_LUNAR_FESTIVALS[name], today)
        if when is not None and when < today:
            when = _next_year(when) if name != "中秋" else None
        if when is not None:
            out.append(When(when, m.group(0), m.start(), m.end()))
    return out


def _before_lunar_festival(holiday: str, months: tuple[int, int], today: date) -> date | None:
    """The day before the first day off of the next such holiday, if chinesecalendar knows it."""
    try:
        import chinese_calendar
    except ImportError:  # pragma: no cover - a dependency, but dates must not depend on it
        return None
    for year in (today.year, today.year + 1):
        day = date(year, months[0], 1)
        while day.month <= months[1] and day.year == year:
            try:
                off, name = chinese_calendar.get_holiday_detail(day)
            except NotImplementedError:
                return None
            if off and name is not None and holiday in str(name) and day > today:
                return day - timedelta(days=1)
            day += timedelta(days=1)
    return None


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


def _english_dates(s: str, today: date) -> list[When]:
    """English dates ("expected by Dec 15", "delayed to next friday", "in two weeks") via dateparser.

    Only after a frame word, or when the whole short reply is a date ("Dec 15", "next week").
    """
    if not re.search(r"[A-Za-z]", s):
        return []
    dp = _DateParser(today)
    out: list[When] = []
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
                out.append(When(when, s[m.start("when") : end], m.start("when"), end, framed=True))
                break
    for m in _EN_IN.finditer(s):
        when = dp.parse(m.group(0), ["en"])
        if when is not None:
            out.append(When(when, m.group(0), m.start(), m.end(), framed=True))
    alone = s.strip()
    if not out and len(alone) <= 30 and _EN_DATE_WORD.search(alone):
        when = dp.parse(alone, ["en"])
        if when is not None:
            start = s.find(alone)
            out.append(When(when, alone, start, start + len(alone), framed=True))
    return out


def pick_expected(s: str, clauses: Clauses, dates: list[When], today: date) -> When | None:
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
        if not framed or _NOT_THE_END.match(after):
            continue
        step = _STEP_AFTER.match(after)
        if step and is_step(step.group("obj")):
            continue  # "预计11月中旬完成立项": a step's date, not the item's
        if w.date < today:
            continue  # a date in the past is no expectation; the text keeps it
        text = w.text
        tail = re.match(r"\s*(之前|以前|前|之内|以内|内)", after)
        if tail and not text.endswith(tail.group(1)):
            text += tail.group(1)  # keep "下周五前", not just "下周五"
        return When(w.date, text.strip(), w.start, w.end)
    return None
