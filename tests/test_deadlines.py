"""Deadlines and milestones read from plan text (plans/deadlines.py), as a careful clerk reads them.

Each table row is (text, plan year, expected deadline ISO or None, expected milestone dates).
Most phrases come from the development corpus (tests/data/corpus 02, 03, 04, 05, 06, 07, 14, 18);
the others are of the same families. The rules:

1. Dates as tables and ledgers write them: 2021.8 / 2021.12 (a month → its last day), 2021年11月(底),
   2023年底/2023年末 (→ Dec 31 of that year), 7月1日(前), 10月底, 11月, 年底前, 年内, 2021-08-31,
   2021/8/31. A date in a year after the plan year is a valid deadline. "4.0", "2.8亿元", "12.5%"
   are numbers, not dates.
2. Quarters: 一季度 / 第二季度 → the quarter's end; 每季度(末) and 每季度完成… → a milestone at each
   quarter end, deadline Dec 31; "一、二、三、四季度…分别达…" → a milestone at each listed quarter end.
   A reporting rhythm (每月13日、28日定期报送, 每季度联网直报) is neither a milestone nor a deadline.
3. Chains: every dated step is a milestone with its clause as text; the deadline is the latest one.
   A text that is only one date (a 完成时限 cell) has no milestones.
4. Horizons: 到2020年 / 至2025年 / 2025年前 / 2021-2025年 → Dec 31 of that year; N年内 counts the
   plan year as the first ("3年内" in 2018 → 2020-12-31); the nearest of several horizons wins.
   Baselines (比2015年), names (2035年远景目标, 2021福布斯, 《…》) and past years are not deadlines.
5. Ongoing: a cell that is only 持续推进 / 长期坚持 / 长期 / 常态化 / 持续开展 / 长期推进 / 全年持续 →
   no date, the phrase as written; any date wins over it.
6. The classic phrases of DESIGN.md ("Time phrases"), Traditional forms included; nothing found →
   `default`, else Dec 31 of the plan year.
"""

from __future__ import annotations

import time
from datetime import date

import pytest

from plans.deadlines import ItemDeadline, find_time_phrases, item_deadline
from plans.model import Milestone

Row = tuple[str, int, str | None, list[str]]


def check(text: str, year: int, due: str | None, steps: list[str]) -> None:
    got = item_deadline(text, year)
    assert (got.date.isoformat() if got.date else None) == due, (text, got)
    assert [m.date.isoformat() for m in got.milestones] == steps, (text, got.milestones)


# ------------------------------------------------------------ 1. dates as tables write them

TABLE_DATES: list[Row] = [
    ("2021.8", 2021, "2021-08-31", []),  # 05
    ("2021.12", 2021, "2021-12-31", []),  # 05
    ("2021.08", 2021, "2021-08-31", []),
    ("2021.2", 2024, "2024-12-31", []),  # a year before the plan year: not a deadline
    ("2024.2", 2024, "2024-02-29", []),
    ("2021年11月", 2021, "2021-11-30", []),  # 05
    ("2021年11月底", 2021, "2021-11-30", []),
    ("2021年11月底前", 2021, "2021-11-30", []),
    ("2023年底", 2023, "2023-12-31", []),  # 06
    ("2023年末", 2023, "2023-12-31", []),
    ("2023年年底前", 2023, "2023-12-31", []),
    ("7月1日", 2021, "2021-07-01", []),  # 05
    ("7月1日前", 2021, "2021-07-01", []),
    ("10月1日前", 2021, "2021-10-01", []),  # 05
    ("10月底", 2021, "2021-10-31", []),  # 05
    ("10月底前", 2021, "2021-10-31", []),  # 05
    ("11月", 2021, "2021-11-30", []),  # 05
    ("10月", 2021, "2021-10-31", []),  # 05
    ("计划11月完成", 2021, "2021-11-30", []),
    ("年底前", 2021, "2021-12-31", []),  # 02
    ("年内", 2021, "2021-12-31", []),
    ("2022年12月底", 2021, "2022-12-31", []),  # 05: a 2021 plan item due in 2022
    ("2022年6月30日前", 2021, "2022-06-30", []),
    ("2021-08-31", 2021, "2021-08-31", []),
    ("2021/8/31", 2021, "2021-08-31", []),
    ("2021.8.31", 2021, "2021-08-31", []),
    ("2021-12", 2021, "2021-12-31", []),
    ("2023年12月31日", 2023, "2023-12-31", []),
    ("2023年12月31日前完成", 2023, "2023-12-31", []),
    ("2022年一季度", 2021, "2022-03-31", []),
    ("2022年上半年", 2021, "2022-06-30", []),
    ("2020年前三季度", 2020, "2020-09-30", []),
    ("2021年度内", 2021, "2021-12-31", []),
    ("计划10月底完成新增墓地建设", 2021, "2021-10-31", ["2021-10-31"]),  # 05: a dated clause
    ("确保12月31日前全面竣工验收", 2023, "2023-12-31", ["2023-12-31"]),
]


@pytest.mark.parametrize(("text", "year", "due", "steps"), TABLE_DATES)
def test_dates_as_tables_write_them(
    text: str, year: int, due: str | None, steps: list[str]
) -> None:
    check(text, year, due, steps)


NOT_YEAR_MONTHS: list[Row] = [
    ("推进G60科创走廊和科技新政4.0版", 2021, "2021-12-31", []),
    ("新增贷款2.8亿元", 2021, "2021-12-31", []),
    ("研发投入占比达到12.5%", 2021, "2021-12-31", []),
    ("耕地保有量保持在2000.9万亩", 2012, "2012-12-31", []),  # 14
    ("实现营业收入2021.5亿元", 2021, "2021-12-31", []),
    ("地区生产总值2035.6", 2021, "2021-12-31", []),  # far from the plan year: a number
    ("新建8300安置小区配套幼儿园", 2022, "2022-12-31", []),  # 04
    ("(县政府主要工作任务第101项)", 2017, "2017-12-31", []),  # 03
    ("新增墓穴10000穴", 2021, "2021-12-31", []),  # 05
    ("年均增长7%以上,达到1.5万亿元", 2021, "2021-12-31", []),
    ("![](http://www.example.cn/uploadPic/2021-2/11/20210211.jpg)", 2021, "2021-12-31", []),  # 19
]


@pytest.mark.parametrize(("text", "year", "due", "steps"), NOT_YEAR_MONTHS)
def test_versions_decimals_and_amounts_are_not_dates(
    text: str, year: int, due: str | None, steps: list[str]
) -> None:
    check(text, year, due, steps)
    assert item_deadline(text, year).text == ""


# ------------------------------------------------------------------ 2. quarters and rhythms

Q17 = ["2017-03-31", "2017-06-30", "2017-09-30", "2017-12-31"]

QUARTERS: list[Row] = [
    ("一季度", 2024, "2024-03-31", []),
    ("第二季度", 2024, "2024-06-30", []),
    ("三季度末", 2024, "2024-09-30", []),
    ("计划四季度完成", 2024, "2024-12-31", []),
    ("前三季度", 2024, "2024-09-30", []),
    ("每季度末", 2017, "2017-12-31", Q17),  # 03
    ("每季度", 2017, "2017-12-31", Q17),
    ("每季度完成发明专利30件", 2017, "2017-12-31", Q17),  # 03
    ("每个季度末完成一次评估", 2017, "2017-12-31", Q17),
    ("一、二、三、四季度,占比分别达18%、19%、20%、21%", 2017, "2017-12-31", Q17),  # 03
    ("一、二、三、四季度分别完成9%、12%、15%、18%", 2017, "2017-12-31", Q17),  # 03
    ("三、四季度各完成一批", 2023, "2023-12-31", ["2023-09-30", "2023-12-31"]),
    ("二至四季度逐季推进", 2023, "2023-12-31", ["2023-06-30", "2023-09-30", "2023-12-31"]),
    ("第一、二季度完成基础调查", 2023, "2023-06-30", ["2023-03-31", "2023-06-30"]),
    ("年末,全县高新技术产业增加值占比达到21%", 2017, "2017-12-31", []),  # 03
    ("年内,完成有效发明专利120件", 2017, "2017-12-31", []),  # 03
]


@pytest.mark.parametrize(("text", "year", "due", "steps"), QUARTERS)
def test_quarters(text: str, year: int, due: str | None, steps: list[str]) -> None:
    check(text, year, due, steps)


RHYTHMS: list[Row] = [
    ("每月13日、28日定期报送每半月完成情况及下半月工作目标任务", 2017, "2017-12-31", []),  # 03
    ("每月报送工作进展", 2023, "2023-12-31", []),
    ("每月底前报送进展情况", 2023, "2023-12-31", []),
    ("每月5日前报送上月数据", 2023, "2023-12-31", []),
    ("积极主动衔接市统计局,认真做好每季度联网直报", 2017, "2017-12-31", []),  # 03
    ("每季度召开一次调度会", 2023, "2023-12-31", []),
    ("每季度末报送完成情况", 2023, "2023-12-31", []),
    ("落实每周联络沟通、每月走访对接、每季会商研判工作机制", 2025, "2025-12-31", []),  # seed 004
    ("每半年通报一次", 2023, "2023-12-31", []),
    ("一月一调度、一季一通报", 2023, "2023-12-31", []),
]


@pytest.mark.parametrize(("text", "year", "due", "steps"), RHYTHMS)
def test_reporting_rhythms_are_not_milestones(
    text: str, year: int, due: str | None, steps: list[str]
) -> None:
    check(text, year, due, steps)


def test_quarter_values_become_milestone_texts() -> None:
    got = item_deadline("一、二、三、四季度,占比分别达18%、19%、20%、21%", 2017)
    assert [m.text for m in got.milestones] == [
        "一季度占比达18%",
        "二季度占比达19%",
        "三季度占比达20%",
        "四季度占比达21%",
    ]
    got = item_deadline("一、二、三、四季度分别完成9%、12%、15%、18%", 2017)
    assert got.milestones[1] == Milestone(date(2017, 6, 30), "二季度完成12%")
    # A list cut short ("一、" taken for numbering) is not paired off value by value.
    got = item_deadline("二、三、四季度,占比分别达18%、19%、20%、21%", 2017)
    assert {m.text for m in got.milestones} == {"二、三、四季度,占比分别达18%、19%、20%、21%"}


def test_quarterly_steps_keep_their_clause() -> None:
    got = item_deadline("年内,完成有效发明专利120件 | 每季度完成发明专利30件 | 每季度末", 2017)
    assert got.date == date(2017, 12, 31)
    assert Milestone(date(2017, 3, 31), "每季度完成发明专利30件") in got.milestones


# ------------------------------------------------------------------------- 3. month chains

LINAN_SCHOOLS = (  # 04, row 1
    "1.4月底前职教中心、学府路幼儿园、8300安置小区配套幼儿园、宝龙幼儿园、优樾府幼儿园、"
    "青山湖科技城第一幼儿园主体完工,开始装修工程施工;天目山镇中心幼儿园完成基础工程。 "
    "2.8月底前职教中心、学府路幼儿园、8300安置小区配套幼儿园、宝龙幼儿园、优樾府幼儿园、"
    "青山湖科技城第一幼儿园竣工交付。 3.11月底前天目山镇中心幼儿园竣工交付。"
)
LINAN_CHILDCARE = (  # 04, row 2
    "1.婴幼儿照护服务成长驿站:3月底前新建成2家;6月底前新建成2家;9月底前完成7家建设任务。 "
    "2.婴幼儿照护服务托位:3月底前新增100个以上托位;6月底前新增200个以上托位;"
    "9月底前完成500个托位。 3.胃肠癌联合筛查:4月底前完成胃肠癌联合筛查方案制定;"
    "5月底前启动胃肠癌联合筛查;11月底前完成胃肠癌联合筛查工作。"
)
XINCHANG_MARKETS = (  # 05, project 4
    "1、农副产品交易物流中心7月1日项目投入试运营 2、南岩农贸市场计划2022年12月底完成项目建设 "
    "3、钟楼农贸市场星级改造计划10月1日前完成项目建设"
)

CHAINS: list[Row] = [
    (LINAN_SCHOOLS, 2022, "2022-11-30", ["2022-04-30", "2022-08-31", "2022-11-30"]),
    (
        "3月底前新建成2家;6月底前新建成2家;9月底前完成7家",
        2022,
        "2022-09-30",
        ["2022-03-31", "2022-06-30", "2022-09-30"],
    ),
    (
        LINAN_CHILDCARE,
        2022,
        "2022-11-30",
        # two sub-items share 3/31, 6/30 and 9/30: each keeps its own step
        [
            "2022-03-31",
            "2022-03-31",
            "2022-04-30",
            "2022-05-31",
            "2022-06-30",
            "2022-06-30",
            "2022-09-30",
            "2022-09-30",
            "2022-11-30",
        ],
    ),
    (
        "1.农村公路大中修:7月底前开工;11月底前建成。",
        2022,
        "2022-11-30",
        ["2022-07-31", "2022-11-30"],
    ),
    (XINCHANG_MARKETS, 2021, "2022-12-31", ["2021-07-01", "2021-10-01", "2022-12-31"]),
    ("1.2021年8月 2.2021年12月", 2021, "2021-12-31", ["2021-08-31", "2021-12-31"]),  # 05
    ("1.2021年8月2.2021年12月", 2021, "2021-12-31", ["2021-08-31", "2021-12-31"]),
    (
        "深兰亚太中心、纳恩博南方大厦、高凯科技大厦下半年开工建设,青峰创元大厦10月竣工投用。",
        2020,
        "2020-12-31",
        ["2020-10-31", "2020-12-31"],
    ),  # seed 002: 下半年 is a stated half, so a step too
    ("5月上旬启动申报,6月中旬完成评审", 2024, "2024-06-20", ["2024-05-10", "2024-06-20"]),
    ("3月底前制定实施方案,年底前全面完成", 2024, "2024-12-31", ["2024-03-31"]),
    ("上半年完成立项,下半年开工建设", 2024, "2024-12-31", ["2024-06-30", "2024-12-31"]),
    ("7月启动10月完成", 2024, "2024-10-31", ["2024-07-31", "2024-10-31"]),
    (
        "①6月底前完成摸底②9月底前完成整改③12月底前验收",
        2023,
        "2023-12-31",
        ["2023-06-30", "2023-09-30", "2023-12-31"],
    ),
    ("2021年底完成主体工程,2022年底前竣工", 2021, "2022-12-31", ["2021-12-31", "2022-12-31"]),
]


@pytest.mark.parametrize(("text", "year", "due", "steps"), CHAINS)
def test_month_end_chains(text: str, year: int, due: str | None, steps: list[str]) -> None:
    check(text, year, due, steps)


def test_chain_steps_carry_their_own_clause() -> None:
    got = item_deadline(LINAN_SCHOOLS, 2022)
    assert got.text == "11月底"
    assert [m.text for m in got.milestones] == [
        "4月底前职教中心、学府路幼儿园、8300安置小区配套幼儿园、宝龙幼儿园、优樾府幼儿园、"
        "青山湖科技城第一幼儿园主体完工",
        "8月底前职教中心、学府路幼儿园、8300安置小区配套幼儿园、宝龙幼儿园、优樾府幼儿园、"
        "青山湖科技城第一幼儿园竣工交付",
        "11月底前天目山镇中心幼儿园竣工交付",
    ]
    got = item_deadline(XINCHANG_MARKETS, 2021)
    assert got.text == "2022年12月底"
    assert got.milestones[0] == Milestone(
        date(2021, 7, 1), "农副产品交易物流中心7月1日项目投入试运营"
    )
    assert got.milestones[-1] == Milestone(
        date(2022, 12, 31), "南岩农贸市场计划2022年12月底完成项目建设"
    )
    steps = item_deadline("3月底前新建成2家;6月底前新建成2家;9月底前完成7家", 2022).milestones
    assert [m.text for m in steps] == ["3月底前新建成2家", "6月底前新建成2家", "9月底前完成7家"]


# ---------------------------------------------------------------------------- 4. horizons

HORIZONS: list[Row] = [
    ("到2020年,全市用水总量控制在11.88亿立方米以内。", 2018, "2020-12-31", []),  # 07
    (
        "到2020年,全市万元国内生产总值用水量、万元工业增加值用水量比2015年分别下降24%、25%以上。",
        2018,
        "2020-12-31",
        [],
    ),  # 07
    ("到2025年,全市经济社会发展主要指标如下:", 2021, "2025-12-31", []),  # 18
    ("至2025年", 2021, "2025-12-31", []),
    ("2025年前", 2021, "2025-12-31", []),
    ("2025年以前建成区域科创中心", 2021, "2025-12-31", []),
    ("力争到2025年底基本建成", 2021, "2025-12-31", []),
    ("到2015年,全市森林覆盖率达到45%", 2012, "2015-12-31", []),  # 14-style five-year plan
    ("2021-2025年", 2021, "2025-12-31", []),
    ("3年内建成省级创新平台", 2018, "2020-12-31", []),
    ("三年内", 2018, "2020-12-31", []),
    ("5年内", 2021, "2025-12-31", []),
    ("两年内完成改造", 2021, "2022-12-31", []),
    ("用3年时间基本消除黑臭水体", 2018, "2020-12-31", []),
    ("到2035年基本实现现代化", 2021, "2035-12-31", []),  # 14 years ahead: still a horizon
    ("到2025年实现翻番,到2035年基本实现现代化", 2021, "2025-12-31", []),  # nearest horizon
    (
        "荆门市国民经济和社会发展第十四个五年规划和2035年远景目标纲要任务分工方案。"
        "到2025年,地区生产总值突破3000亿元",
        2021,
        "2025-12-31",
        [],
    ),  # 18
    ("年底前出台方案,到2020年全面建成", 2018, "2020-12-31", []),
    ("到2050年建成", 2021, "2021-12-31", []),  # beyond 15 years: not a deadline
]


@pytest.mark.parametrize(("text", "year", "due", "steps"), HORIZONS)
def test_horizons(text: str, year: int, due: str | None, steps: list[str]) -> None:
    check(text, year, due, steps)


NOT_HORIZONS: list[Row] = [
    ("比2015年下降24%", 2018, "2018-12-31", []),  # 07
    ("较2020年增长10%", 2021, "2021-12-31", []),
    ("较2020年末提高2个百分点", 2021, "2021-12-31", []),
    ("与2020年相比下降13.5%", 2021, "2021-12-31", []),
    ("①以2015年末人口数为依据,将任务分解下达至各乡镇", 2017, "2017-12-31", []),  # 03
    ("自2021年起实施", 2022, "2022-12-31", []),
    ("举办2021福布斯·静安南京西路论坛", 2021, "2021-12-31", []),  # 17
    ("编制《长春市2021-2025年科技创新规划》", 2021, "2021-12-31", []),
    ("落实《2035年远景目标纲要》", 2021, "2021-12-31", []),
    ("第十四个五年规划和2035年远景目标纲要", 2021, "2021-12-31", []),  # 18, a title
    ("近三年内获得授权发明专利", 2021, "2021-12-31", []),
    ("支持成立5年内的科技型中小企业", 2021, "2021-12-31", []),
    ("3年以内的企业", 2021, "2021-12-31", []),
    ("截至2020年底已建成120家", 2021, "2021-12-31", []),  # a past year
    ("2019年12月底", 2021, "2021-12-31", []),  # a past year
    ("扎实推进现代工业中心新建改造提升三年行动计划", 2020, "2020-12-31", []),  # seed 002
    ("争取列入中以合作三年行动计划", 2018, "2018-12-31", []),  # seed 003
]


@pytest.mark.parametrize(("text", "year", "due", "steps"), NOT_HORIZONS)
def test_baselines_names_and_past_years_are_not_deadlines(
    text: str, year: int, due: str | None, steps: list[str]
) -> None:
    check(text, year, due, steps)
    assert item_deadline(text, year).text == ""


def test_horizon_text_is_the_phrase_as_written() -> None:
    assert item_deadline("到2020年,全市用水总量控制在11.88亿立方米以内", 2018).text == "到2020年"
    assert item_deadline("3年内建成", 2018).text == "3年内"
    assert item_deadline("2025年前", 2021).text == "2025年前"


# ----------------------------------------------------------------------------- 5. ongoing

ONGOING = [
    "持续推进",  # 02
    "持续推进。",
    " 持续推进 ",
    "长期坚持",
    "长期",
    "常态化",
    "常态化开展",
    "持续开展",
    "长期推进",
    "全年持续",
    "全年持续推进",
    "持续推进、常态化开展",
    "持續推進",
    "長期堅持",
]


@pytest.mark.parametrize("text", ONGOING)
def test_ongoing_cells_have_no_date(text: str) -> None:
    got = item_deadline(text, 2023)
    assert got == ItemDeadline(None, text.strip(" 。"), ())


def test_ongoing_label_in_an_item() -> None:
    got = item_deadline("规范做好年度报告编制发布工作。(完成时限:持续推进)", 2023)
    assert got == ItemDeadline(None, "持续推进", ())


@pytest.mark.parametrize(
    ("text", "due"),
    [
        ("持续推进,年底前完成", "2023-12-31"),
        ("长期坚持,6月底前出台办法", "2023-06-30"),
        ("持续推进生态公墓建设,新建生态公益性墓地15处", "2023-12-31"),  # 05: a task, not a cell
        ("持续推进“科技新长征”等活动", "2023-12-31"),  # seed 000
        ("完善产业创新联盟常态化工作运营机制", "2023-12-31"),  # seed 003
        ("规范做好年度报告编制发布工作。(完成时限:持续推进,10月底前)", "2023-10-31"),
    ],
)
def test_a_date_wins_over_ongoing(text: str, due: str) -> None:
    got = item_deadline(text, 2023)
    assert got.date is not None and got.date.isoformat() == due


# ------------------------------------------------------ 6. the classic phrases (DESIGN.md)

CLASSIC: list[Row] = [
    ("年内完成", 2024, "2024-12-31", []),
    ("年內完成", 2024, "2024-12-31", []),  # Traditional
    ("全年开展培训不少于8场", 2024, "2024-12-31", []),
    ("年底前完成", 2024, "2024-12-31", []),
    ("年末完成", 2024, "2024-12-31", []),
    ("今年年底前完成", 2024, "2024-12-31", []),
    ("上半年完成", 2024, "2024-06-30", []),
    ("下半年完成", 2024, "2024-12-31", []),
    ("三季度完成", 2024, "2024-09-30", []),
    ("第二季度完成", 2024, "2024-06-30", []),
    ("前三季度完成", 2024, "2024-09-30", []),
    ("10月竣工投用", 2024, "2024-10-31", ["2024-10-31"]),
    ("6月底前完成", 2024, "2024-06-30", []),
    ("2月份完成", 2024, "2024-02-29", []),
    ("十月底前完成", 2024, "2024-10-31", []),
    ("十二月份完成", 2024, "2024-12-31", []),
    ("三月前完成", 2024, "2024-03-31", []),
    ("5月上旬完成", 2024, "2024-05-10", []),
    ("5月中旬完成", 2024, "2024-05-20", []),
    ("5月下旬完成", 2024, "2024-05-31", []),
    ("2024年8月15日前完成", 2024, "2024-08-15", []),
    ("推进有关工作", 2024, "2024-12-31", []),
    ("一月一调度", 2024, "2024-12-31", []),  # a rhythm, not January
    ("十月竣工", 2024, "2024-12-31", []),  # a Chinese-numeral month needs 底/份/日/旬/前
    ("3个月内完成", 2024, "2024-12-31", []),
    ("2月30日前", 2024, "2024-12-31", []),  # no such day
    ("13月底", 2024, "2024-12-31", []),
]


@pytest.mark.parametrize(("text", "year", "due", "steps"), CLASSIC)
def test_classic_phrases(text: str, year: int, due: str | None, steps: list[str]) -> None:
    check(text, year, due, steps)


def test_next_year_in_a_plan_dated_the_year_before() -> None:
    notice = date(2021, 11, 22)  # 01: dated 2021, plan year 2022
    assert item_deadline("明年6月底前建成平台", 2022, notice).date == date(2022, 6, 30)
    assert item_deadline("明年6月底前建成平台", 2022).date == date(2023, 6, 30)
    assert item_deadline("明年上半年", 2022, notice).date == date(2022, 6, 30)


# ------------------------------------------------------------------- API and defaults


def test_item_deadline_is_a_named_three_tuple() -> None:
    got = item_deadline("6月底前完成", 2024)
    deadline, text, milestones = got  # how the parser unpacks it
    assert (deadline, text, milestones) == (date(2024, 6, 30), "6月底", ())
    assert got.date == deadline and got.text == text and got.milestones == milestones


def test_default_is_the_deadline_when_no_phrase_is_found() -> None:
    five_year_end = date(2015, 12, 31)  # 14: 十二五, 2011-2015
    got = item_deadline("耕地保有量保持在2000.9万亩。", 2012, default=five_year_end)
    assert got == ItemDeadline(five_year_end, "", ())
    assert item_deadline("单位工业增加值用水量达到省要求标准", 2012).date == date(2012, 12, 31)
    # A stated phrase still wins over the default.
    assert item_deadline("年内完成", 2012, default=five_year_end).date == date(2012, 12, 31)
    assert item_deadline("到2015年", 2012, default=five_year_end).text == "到2015年"
    # A rhythm is not a deadline: the default stands.
    assert item_deadline("每月报送", 2012, default=five_year_end).date == five_year_end


def test_deadline_text_is_the_phrase_as_written() -> None:
    assert item_deadline("10月1日前", 2021).text == "10月1日"
    assert item_deadline("年底前完成", 2021).text == "年底"
    assert item_deadline("2021.8", 2021).text == "2021.8"
    assert item_deadline("下半年开工建设,10月竣工投用", 2021).text == "下半年"  # stated beats 年内
    assert item_deadline("推进有关工作", 2021).text == ""


# ------------------------------------------------- find_time_phrases (progress replies)


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("预计11月底完成", [("2023-11-30", "11月底")]),
        ("力争年底完成", [("2023-12-31", "年底")]),
        ("2024年底完成", [("2024-12-31", "2024年底")]),
        ("延期至2023年12月15日", [("2023-12-15", "2023年12月15日")]),
        ("计划三、四季度完成", [("2023-12-31", "三、四季度")]),
        ("上半年启动,10月竣工", [("2023-06-30", "上半年"), ("2023-10-31", "10月")]),
        ("2023-12-15完成", []),  # numeric dates: the reply reader has its own rule
        ("到2025年", []),  # horizons are for plan items
        ("每月13日报送", []),
        ("比2022年底增长10%", []),
    ],
)
def test_find_time_phrases(text: str, found: list[tuple[str, str]]) -> None:
    got = [(p.date.isoformat(), p.phrase) for p in find_time_phrases(text, 2023)]
    assert got == found


# ------------------------------------------------------------------------------- speed


def test_an_import_of_2000_items_is_fast() -> None:
    texts = [row[0] for row in (*TABLE_DATES, *QUARTERS, *CHAINS, *HORIZONS, *NOT_HORIZONS)]
    items = (texts * (2000 // len(texts) + 1))[:2000]
    started = time.perf_counter()
    for text in items:
        item_deadline(text, 2021)
    assert time.perf_counter() - started < 1.0


@pytest.mark.parametrize(
    ("text", "due", "phrase"),
    [
        ("年中前完成", date(2026, 6, 30), "年中"),  # mid-year: the end of June
        ("国庆节前完成", date(2026, 9, 30), "国庆节"),  # the day before the holiday
        ("元旦前投入使用", date(2026, 12, 31), "元旦"),
        ("五一前开放", date(2026, 4, 30), "五一"),
        ("6.30前完成", date(2026, 6, 30), "6.30"),  # a dotted month and day when 前 follows
        ("今年中央经济工作会议精神", date(2026, 12, 31), ""),  # 年中 inside 今年中央: no date
        ("年中考核", date(2026, 12, 31), ""),
        ("增长6.30%", date(2026, 12, 31), ""),  # a decimal
        ("13.40前", date(2026, 12, 31), ""),  # no such day
    ],
)
def test_mid_year_holidays_and_dotted_days(text: str, due: date, phrase: str) -> None:
    got = item_deadline(text, 2026)
    assert (got.date, got.text) == (due, phrase)
