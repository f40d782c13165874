"""An item's deadline (完成时限) and milestones, read from plan text the way a careful clerk would.

dateparser reads "2023年6月30日" but misreads plan phrases ("10月竣工" → ten months ago), so plan
phrases go through these rules, each resolved against the plan year (DESIGN.md, "Time phrases"):

- 年内/全年/年底(前)/年末 → Dec 31; 上半年 → Jun 30; 下半年 → Dec 31; (第)N季度 → the quarter's end;
  前三季度 → Sep 30; N月/N月底/N月份/N月底前 → the month's last day; N月D日(前) → that day;
  上旬/中旬/下旬 → the 10th/20th/last day. A month in Chinese numerals needs 底/份/日/旬/前 after
  it ("十月底" is a date, "一月一调度" is a rhythm). 明年 → the plan year when the document is dated
  the year before. Traditional forms (年內, 長期堅持) read the same.
- Dates as tables and ledgers (台账) write them: 2021.8 / 2021-08 (a month: its last day),
  2021-08-31, 2021/8/31, 2021.8.31, 2021年11月(底), 2023年底/2023年末 (Dec 31 of that year), and a
  year before 上半年/N季度/前三季度 ("2022年一季度"). A year.month needs a year near the plan year and
  no measure word after it: "4.0", "2.8亿元", "12.5%", "2000.9万亩" are numbers, not dates.
- Horizons: 到2020年 / 至2025年 / 2025年前 / 2021-2025年 → Dec 31 of that year. N年内 (3年内, 三年内)
  counts the plan year as the first: "3年内" in a 2018 plan = by the end of 2020 (plan_year + N - 1).
  When several horizons are named (到2025年…到2035年) the nearest is the deadline; later ones are
  outlooks. A horizon may lie up to 15 years after the plan year.
- Not deadlines: a year before the plan year; a baseline (比2015年, 较2020年末, 与2020年相比,
  以2015年末…为依据); a start (自/从2021年); a name or title (《2021-2025年规划》, 2035年远景目标,
  2021福布斯论坛); "近三年内", "成立5年内的企业" (criteria, not horizons).
- Recurring: 每季度(末) and 每季度完成… → a milestone at each quarter end of the plan year;
  "一、二、三、四季度…分别达18%、19%、20%、21%" → a milestone at each listed quarter end, each with
  its own value. A reporting rhythm (每月13日、28日定期报送, 每月, 每周, 每季度报送/调度) is not a
  milestone and not a deadline.
- Chains: every dated step inside the text is a milestone with its own clause as text
  ("1.4月底前…主体完工 2.8月底前…竣工交付"); the deadline is the latest date named, and a text
  that is nothing but one date (a 完成时限 cell "10月底前") has no milestones, only that deadline.
- Ongoing: a deadline cell that is only 持续推进 / 长期坚持 / 长期 / 常态化 / 持续开展 / 全年持续 (or a
  "完成时限:持续推进" label) and names no date → no date, the phrase as written. Any date wins.
- Nothing found → `default` (the end of a multi-year plan's horizon), else Dec 31 of the plan year.
"""

from __future__ import annotations

import calendar
import re
from bisect import bisect_left, bisect_right
from dataclasses import dataclass
from datetime import date
from typing import Literal, NamedTuple

from plans.model import Milestone
from plans.numerals import cn_to_number

HORIZON_YEARS = 15  # how far after the plan year a horizon (到2035年) may lie

_YEAR = r"(?:19|20)\d{2}"
_NUM = r"(?:\d{1,2}|[一二两兩三四五六七八九十]{1,3})"
_Q = r"[一二三四1-4]"
_QLIST = rf"{_Q}(?:\s*(?:[、,,和及与至到~-]|—)\s*第?{_Q})*"
# After a number these make it an amount, not a date ("2020.5亿元", "2000.9万亩").
_MEASURE = r"(?:[%‰万亿千百元个家人吨米亩件项次台套所处座条户名位场批辆倍分岁])|平方|公里|立方"

# Every alternative below starts with one of these: positions that cannot start a phrase are
# passed over at once (ten times faster on a long item).
_FIRST_CHAR = r"[《比较相对与以自从近过最前成注设创到至力截直用明上下第每今年全国元劳\d一二两兩三四五六七八九十]"

_PHRASE = re.compile(
    rf"(?={_FIRST_CHAR})(?:"
    # Consumed and ignored, so that nothing inside is read as a date: titles, baselines, starts,
    # names and criteria.
    r"(?P<skip>《[^《》\n]{0,80}》"
    rf"|(?:比|较|相比|对比|与|以|自|从)(?:{_YEAR})年(?:{_NUM}月)?(?:年?底|年?末|初)?"
    rf"|(?:近|过去|最近|前|成立|注册|设立|创办)(?:{_NUM})(?:个)?年(?:[内內]|以内|之内)?"
    rf"|(?:到|至)?{_YEAR}年(?:远景|遠景))"
    # 2021.8, 2021-08-31, 2021/8/31 (not in a path: uploadPic/2015-2/11/)
    rf"|(?<![\d./])(?P<nY>{_YEAR})(?P<ns>[-/.])(?P<nM>\d{{1,2}})(?:(?P=ns)(?P<nD>\d{{1,2}}))?"
    rf"(?!\d|[./]\d|\s*(?:{_MEASURE}))"
    # 2021年11月, 2021年11月底, 2022年12月31日
    rf"|(?<!\d)(?P<fY>{_YEAR})年(?P<fM>{_NUM})月(?:(?P<fD>\d{{1,2}})[日号]|(?P<fX>上旬|中旬|下旬|底|末|份))?"
    # 2023年底, 2023年末, 2023年内, 2022年上半年, 2022年一季度, 2020年前三季度
    rf"|(?<!\d)(?P<yY>{_YEAR})年(?:度)?(?:(?P<yE>年?底|年?末|年?终|年?終|[内內]|全年)"
    rf"|(?P<yH>上半年|下半年)|(?P<yF>前三季度)|第?(?P<yQ>{_QLIST})季度(?:末|底)?)"
    # 2021-2025年, 2021至2025年: the end of the period
    rf"|(?<!\d)(?P<rY1>{_YEAR})\s*(?:-|—|–|~|～|至|到)\s*(?P<rY2>{_YEAR})年(?:年?底|年?末)?"
    # 到2020年, 至2025年底, 力争到2025年
    rf"|(?:力争)?(?:到|至|截至|截止到?|直至)(?P<hY>{_YEAR})年(?:年?底|年?末)?"
    r"(?![\d一二三四五六七八九十两]|上半年|下半年|前三|度)"
    # 2025年前, 2025年以前
    rf"|(?<!\d)(?P<bY>{_YEAR})年(?:以前|之前|前)(?![一二三两四五六七八九十\d]|列|期|后|後)"
    # 3年内, 三年内, 用3年时间 (not "三年内的")
    r"|(?<![\d一二三四五六七八九十两兩])(?:用)?(?P<nN>\d{1,2}|[一二两兩三四五六七八九十]{1,2})(?:个)?年"
    r"(?:[内內]|以内|之内|时间|時間)(?!的)"
    r"|(?P<ny>明年)(?P<nyrest>(?:上半年|下半年|年底|年内|年內|(?P<nym>"
    + _NUM
    + r")月(?P<nyx>上旬|中旬|下旬|底|末)?))?"
    r"|(?P<h1>上半年|(?<![\u4e00-\u9fff])年中(?=前|以前|之前|[^\u4e00-\u9fff]|$))|(?P<h2>下半年)"
    # 国庆前, 元旦前, 五一前: the day before the holiday (in the plan year)
    r"|(?P<hol>国庆节?|元旦|五一|劳动节)(?=前|之前|以前)"
    # 6.30前: a month and day with a dot, when 前 follows (else it may be a decimal)
    r"|(?<![\d.])(?P<dM>\d{1,2})\.(?P<dD>\d{1,2})(?=前|之前|以前)"
    r"|(?P<first3>前三季度)"
    # 每季度, 每季度末: quarterly steps (or a reporting rhythm, decided from the clause)
    r"|(?P<qq>每(?:个)?季度(?:末|底)?)"
    # 每月13日、28日, 每月, 每周, 每半月: rhythms
    r"|(?P<rh>每(?:个)?月(?:\d{1,2}[日号](?:[、,,和及]\d{1,2}[日号])*|底|末|初|上旬|中旬|下旬)?"
    r"|每(?:半个?月|周|旬|半年|两周|双周|天|日))"
    # 一季度, 第二季度, 一、二、三、四季度
    rf"|(?<![\d.])第?(?P<q>{_QLIST})季度(?:末|底)?"
    r"|(?<![\d个第])(?P<m>" + _NUM + r")月(?!份额)"
    r"(?:(?P<d>\d{1,2})[日号]|(?P<xun>上旬|中旬|下旬)|(?P<mend>底|末|份))?"
    r"|(?<![\d一二三四五六七八九十两兩个])(?P<ye>(?:今年)?(?:年[内內]|年底|年末|全年|年度[内內]|年终|年終))"
    r")"
)

_HOLIDAY_EVE = {"国庆": (9, 30), "元旦": (12, 31), "五一": (4, 30), "劳动": (4, 30)}
_QUARTER = re.compile(_Q)
_RANGE = re.compile(r"[至到~-]|—")  # 二至四季度: Q2 to Q4
# "1.4月底前": the '.' before a month is a list number's, not a decimal point.
_LIST_NUMBER_BEFORE = re.compile(r"(?:^|[^\d.])\d{1,2}\.$")
# A clause ends at punctuation, a new line, or before a list number ("。 2.8月底前", " 2、").
_BOUNDARY = re.compile(r"[,,。;;::!!??\n|]|\s+(?=\d{1,2}[.、.)]|[((]\d{1,2}[))]|[①-⑳])|(?=[①-⑳])")
_LEADING_NUMBER = re.compile(
    r"^\s*(?:\d{1,2}[.、.)](?=\D|\d{1,2}月|\d{4})|[((]\d{1,2}[))]|[①-⑳])\s*"
)
_TRAILING_NUMBER = re.compile(r"\s*(?:\d{1,2}[.、.]|[①-⑳])$")
_EDGE_PUNCT = " \t\r\n,,。;;::、.!!??|()()"
# What may stand beside the one date of a bare deadline cell ("10月底前完成", "计划11月").
_FILLER = re.compile(r"(?:计划|力争|预计|确保|于)?(?:之前|以前|前)?(?:完成|止|为止)?")
# 每季度 followed by one of these in its clause is a reporting rhythm, not quarterly steps.
_REPORTING = re.compile(r"报送|上报|直报|报告|通报|调度|会商|研判|分析|监测|统计|例会|召开|督查")
# "一、二、三、四季度,占比分别达18%、19%、20%、21%": one value per quarter.
_RESPECTIVELY = re.compile(
    r"\s*[,,]?\s*(?P<subject>[^,,。;;\n]{0,12}?)分别(?P<verb>达到|达|为|完成|实现|增长|提高到)?"
    r"(?P<values>[^,,。;;\n]*)"
)
_VALUE = re.compile(r"\d+(?:\.\d+)?\s*(?:%|‰|[^\d\s、,,和及]{0,3})")

_ONGOING_WORD = (
    r"(?:全年|长期|長期)?(?:持续|持續|长期|長期|常态化|常態化|经常性|經常性|常年)"
    r"(?:推进|推進|坚持|堅持|开展|開展|实施|實施|进行|進行|落实|落實|抓好)?"
    r"|全年持续|全年持續"
)
_ONGOING_CELL = re.compile(rf"(?:{_ONGOING_WORD})(?:\s*[、,,;;和及/]\s*(?:{_ONGOING_WORD}))*")
_ONGOING_LABEL = re.compile(
    rf"(?:完成时限|完成時限|时限要求|時限要求|时间节点|時間節點|完成时间|完成時間|时限|時限)\s*[::]\s*"
    rf"(?P<phrase>{_ONGOING_WORD})(?=$|[)),,。;;\s])"
)

# What a hit is: "date" a stated day, month, quarter or half year; "table" a numeric date
# (2021.8); "year" 年内/年底 of the plan year; "horizon" 到2025年 / 3年内; "quarters" a list of
# quarters (一、二、三、四季度); "quarterly" 每季度 steps; "rhythm" a reporting rhythm.
_Kind = Literal["date", "table", "year", "horizon", "quarters", "quarterly", "rhythm"]
_PUBLIC: frozenset[_Kind] = frozenset({"date", "year", "quarters"})  # what find_time_phrases gives
_STEPS: frozenset[_Kind] = frozenset({"date", "table", "quarters", "quarterly"})  # milestones


@dataclass(frozen=True)
class TimePhrase:
    """A date found in a text with the phrase that gave it and where it stands."""

    date: date
    phrase: str
    start: int
    end: int
    explicit: bool  # True when the phrase names a month, day or quarter, not just "this year"


class ItemDeadline(NamedTuple):
    """An item's deadline (None for ongoing work), the phrase as written, and its dated steps."""

    date: date | None
    text: str
    milestones: tuple[Milestone, ...]


@dataclass(frozen=True)
class _Hit:
    kind: _Kind
    dates: tuple[date, ...]  # one date, or one per quarter; empty for a rhythm
    phrase: str
    start: int
    end: int
    explicit: bool
    labels: tuple[str, ...] = ()  # per-date milestone texts ("一季度占比达18%"), when known


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
    """Every plan time phrase in `text`, resolved against `plan_year`, in order of appearance.

    Only stated dates and year ends: horizons, numeric table dates, rhythms and quarterly steps
    are item_deadline's business (a progress reply has its own reader for "2023-12-15").
    A list of quarters ("三、四季度") gives the last quarter's end.
    """
    return [
        TimePhrase(h.dates[-1], h.phrase, h.start, h.end, h.explicit)
        for h in _scan(text, plan_year, document_date)
        if h.kind in _PUBLIC
    ]


_DUE_TAIL = re.compile(r"(?:之?前|以前|为止|止|完成|前完成|内完成)$")


def says_when(text: str, year: int) -> bool:
    """True when the whole of `text` says when something is due: a date or a period
    ("2025年9月30日前", "6月底", "三季度末", "年内", "全年") or ongoing work ("持续推进"), and
    nothing else -- a bracket's "法规与标准处" is no time."""
    cell = text.strip(_EDGE_PUNCT)
    if not cell:
        return False
    if _ONGOING_CELL.fullmatch(cell):
        return True
    core = _DUE_TAIL.sub("", cell)
    phrases = find_time_phrases(core, year)
    return bool(phrases) and phrases[0].start == 0 and phrases[-1].end >= len(core)


def item_deadline(
    text: str,
    year: int,
    document_date: date | None = None,
    *,
    default: date | None = None,
) -> ItemDeadline:
    """An item's deadline, the phrase it came from, and the dated steps (milestones) inside it.

    `text` is an item's text or a table's 完成时限 cell; `year` the plan year; `default` the
    deadline when the text names none (None: Dec 31 of the plan year).
    """
    fallback = default or year_end(year)
    cell = text.strip(_EDGE_PUNCT)
    if _ONGOING_CELL.fullmatch(cell):
        return ItemDeadline(None, cell, ())
    hits = _in_window(_scan(text, year, document_date), year)
    if not hits:
        label = _ONGOING_LABEL.search(text)
        if label:
            return ItemDeadline(None, label.group("phrase"), ())
        return ItemDeadline(fallback, "", ())

    # The deadline: the latest date named (a stated date beats a bare 年内 on the same day).
    def due(h: _Hit) -> date:
        return max(fallback, h.dates[-1]) if h.kind == "quarterly" else h.dates[-1]

    best = hits[0]
    for h in hits[1:]:
        if (due(h), h.explicit) > (due(best), best.explicit):
            best = h
    return ItemDeadline(due(best), best.phrase, _milestones(text, hits))


def _in_window(hits: list[_Hit], year: int) -> list[_Hit]:
    """Dated hits from the plan year to HORIZON_YEARS after it; of several horizons the nearest."""
    kept: list[_Hit] = []
    for h in hits:
        if h.kind == "rhythm":
            continue
        dates = tuple(d for d in h.dates if year <= d.year <= year + HORIZON_YEARS)
        if not dates:
            continue
        if dates != h.dates:
            labels = tuple(lb for d, lb in zip(h.dates, h.labels, strict=False) if d in dates)
            h = _Hit(h.kind, dates, h.phrase, h.start, h.end, h.explicit, labels)
        kept.append(h)
    horizons = [h.dates[-1] for h in kept if h.kind == "horizon"]
    if len(horizons) > 1:
        nearest = min(horizons)
        kept = [h for h in kept if h.kind != "horizon" or h.dates[-1] == nearest]
    return kept


def _milestones(text: str, hits: list[_Hit]) -> tuple[Milestone, ...]:
    """Each dated step with its own clause; a text that is nothing but one date has none."""
    steps = [h for h in hits if h.explicit and h.kind in _STEPS]
    if not steps:
        return ()
    spans = [m.span() for m in _BOUNDARY.finditer(text)]
    bounds = [a for a, _ in spans]
    ends = [b for _, b in spans]
    found: list[tuple[date, int, str]] = []
    for i, h in enumerate(steps):
        # The clause around the phrase, but not into a neighbouring step ("7月启动10月完成").
        k = bisect_right(bounds, h.start) - 1
        start = ends[k] if k >= 0 else 0
        if i > 0:
            start = max(start, min(steps[i - 1].end, h.start))
        k = bisect_left(bounds, h.end)
        end = bounds[k] if k < len(bounds) else len(text)
        if i + 1 < len(steps):
            end = min(end, max(steps[i + 1].start, h.end))
        if len(h.dates) > 1 and not h.labels and text[h.end : end].strip(_EDGE_PUNCT) == "":
            # "二、三、四季度,占比分别达…": a bare list of quarters takes the next clause along.
            k = bisect_left(bounds, end + 1)
            end = bounds[k] if k < len(bounds) else len(text)
        clause = _TRAILING_NUMBER.sub("", _LEADING_NUMBER.sub("", text[start:end])).strip(
            _EDGE_PUNCT
        )
        if len(steps) == 1 and len(h.dates) == 1 and _is_bare(clause, h.phrase):
            return ()  # "10月底前" as the whole cell: the deadline itself, not a step
        labels = h.labels or (clause,) * len(h.dates)
        for d, label in zip(h.dates, labels, strict=True):
            found.append((d, h.start, label or clause))
    found.sort(key=lambda f: (f[0], f[1]))
    out: list[Milestone] = []
    for d, _, label in found:
        m = Milestone(d, label)
        if m not in out:
            out.append(m)
    return tuple(out)


def _is_bare(clause: str, phrase: str) -> bool:
    """ "10月底前", "计划11月完成": the clause says nothing but its date."""
    at = clause.find(phrase)
    if at < 0:
        return False
    return _FILLER.fullmatch(clause[:at] + clause[at + len(phrase) :]) is not None


# ---------------------------------------------------------------------------------- scanning


def _scan(text: str, plan_year: int, document_date: date | None) -> list[_Hit]:
    found: list[_Hit] = []
    for m in _PHRASE.finditer(text):
        if m.lastgroup == "skip":
            continue
        try:
            hit = _resolve(m, plan_year, document_date)
        except ValueError:  # 2月30日 and friends: not a date, not a phrase
            continue
        if hit is not None:
            found.append(hit)
    return found


def _resolve(m: re.Match[str], plan_year: int, document_date: date | None) -> _Hit | None:
    g = m.groupdict()
    text = m.string

    def hit(kind: _Kind, *dates: date, explicit: bool = True, labels: tuple[str, ...] = ()) -> _Hit:
        return _Hit(kind, dates, m.group(0), m.start(), m.end(), explicit, labels)

    if g["nY"]:
        y, month = int(g["nY"]), int(g["nM"])
        if g["nD"]:
            return hit("table", date(y, month, int(g["nD"])))
        if g["ns"] == "." and not plan_year - 1 <= y <= plan_year + 5:
            return None  # "2035.6" far from the plan year is a number, not a month
        return hit("table", month_end(y, month))
    if g["fY"]:
        y, month_ = int(g["fY"]), _month(g["fM"])
        if month_ is None:
            return None
        return hit("date", _in_month(y, month_, g["fD"], g["fX"]))
    if g["yY"]:
        y = int(g["yY"])
        if g["yE"] in ("内", "內", "全年") and y == plan_year:
            return hit("year", year_end(y), explicit=False)  # 2023年内 in a 2023 plan: 年内
        if g["yE"]:
            return hit("date", year_end(y))
        if g["yH"]:
            return hit("date", date(y, 6, 30) if g["yH"] == "上半年" else year_end(y))
        if g["yF"]:
            return hit("date", date(y, 9, 30))
        return _quarters(m, g["yQ"], y)
    if g["rY2"]:
        return hit("horizon", year_end(int(g["rY2"])))
    if g["hY"]:
        return hit("horizon", year_end(int(g["hY"])))
    if g["bY"]:
        return hit("horizon", year_end(int(g["bY"])))
    if g["nN"]:
        n = cn_to_number(g["nN"].replace("兩", "两"))
        if n is None or not n.is_integer() or not 1 <= n <= HORIZON_YEARS:
            return None
        return hit("horizon", year_end(plan_year + int(n) - 1))
    if g["ny"]:
        y = next_year(plan_year, document_date)
        rest = g["nyrest"] or ""
        if rest == "上半年":
            return hit("date", date(y, 6, 30))
        if g["nym"]:
            month_ = _month(g["nym"])
            return None if month_ is None else hit("date", _in_month(y, month_, None, g["nyx"]))
        if rest == "下半年":
            return hit("date", year_end(y))
        return hit("year", year_end(y), explicit=False)
    if g["h1"]:
        return hit("date", date(plan_year, 6, 30))
    if g["h2"]:
        return hit("date", year_end(plan_year))
    if g["hol"]:
        month_, day_ = _HOLIDAY_EVE[g["hol"].removesuffix("节")]
        return hit("date", date(plan_year, month_, day_))
    if g["dM"]:
        return hit("date", date(plan_year, int(g["dM"]), int(g["dD"])))  # ValueError: no date
    if g["first3"]:
        return hit("date", date(plan_year, 9, 30))
    if g["qq"]:
        clause_end = _BOUNDARY.search(text, m.end())
        rest = text[m.end() : clause_end.start() if clause_end else len(text)]
        if _REPORTING.search(rest):
            return hit("rhythm")
        return hit("quarterly", *(month_end(plan_year, q * 3) for q in (1, 2, 3, 4)))
    if g["rh"]:
        return hit("rhythm")
    if g["q"]:
        return _quarters(m, g["q"], plan_year)
    if g["m"]:
        month_ = _month(g["m"])
        if month_ is None:
            return None
        start = m.start()
        if (
            start
            and text[start - 1] == "."
            and not _LIST_NUMBER_BEFORE.search(text, max(0, start - 4), start)
        ):
            return None  # "2.8月" would be a decimal; "1.4月底前" is item 1
        bare = not (g["d"] or g["xun"] or g["mend"])
        # "一月一调度" is a rhythm, not a date: a month in Chinese numerals needs 底/份/日/旬/前.
        if bare and not g["m"].isdigit() and not text.startswith("前", m.end()):
            return None
        return hit("date", _in_month(plan_year, month_, g["d"], g["xun"]))
    if g["ye"]:
        return hit("year", year_end(plan_year), explicit=False)
    return None


def _quarters(m: re.Match[str], listed: str, year: int) -> _Hit | None:
    """一季度 → Mar 31; 一、二、三、四季度 → each quarter's end; 二至四季度 → Q2, Q3 and Q4."""
    numbers = [int(cn_to_number(c) or 0) for c in _QUARTER.findall(listed)]
    if not numbers or not all(1 <= q <= 4 for q in numbers):
        return None
    if len(numbers) == 2 and _RANGE.search(listed):
        numbers = list(range(numbers[0], numbers[1] + 1))
    quarters = sorted(set(numbers))
    dates = tuple(month_end(year, q * 3) for q in quarters)
    labels: tuple[str, ...] = ()
    if len(quarters) > 1:
        labels = _respectively(m.string, m.end(), quarters)
    return _Hit(
        "date" if len(quarters) == 1 else "quarters",
        dates,
        m.group(0),
        m.start(),
        m.end(),
        True,
        labels,
    )


def _respectively(text: str, at: int, quarters: list[int]) -> tuple[str, ...]:
    """ "…,占比分别达18%、19%、20%、21%" after a list of quarters: one text per quarter."""
    r = _RESPECTIVELY.match(text, at)
    if r is None:
        return ()
    values = _VALUE.findall(r.group("values"))
    if len(values) != len(quarters):
        return ()  # "二、三、四季度…18%、19%、20%、21%": a list cut short, no pairing
    subject, verb = r.group("subject").strip(), r.group("verb") or ""
    return tuple(
        f"{'一二三四'[q - 1]}季度{subject}{verb}{v.strip()}"
        for q, v in zip(quarters, values, strict=False)
    )


def _in_month(year: int, month: int, day: str | None, part: str | None) -> date:
    if day:
        return date(year, month, int(day))
    if part == "上旬":
        return date(year, month, 10)
    if part == "中旬":
        return date(year, month, 20)
    return month_end(year, month)


def _month(text: str) -> int | None:
    value = cn_to_number(text.replace("兩", "两"))
    if value is None or not value.is_integer() or not 1 <= value <= 12:
        return None
    return int(value)
