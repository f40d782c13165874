"""What a careful clerk would copy into the 台账 from each corpus text (tests/data/corpus/*.txt).

Written by reading the texts, not from any parser's output. Every expectation quotes the text it
comes from, so a reader can check the reading against the file. tests/test_corpus.py turns these
into checks; this module is data only.

Conventions
- `Doc.items` are the COMPLETE items, in document order. Most files are fragments cut after ~2 KB;
  `Doc.partial` is the trailing cut-off item: if the parser reports it, only the fields given for
  it are checked (those whose source text is complete), and it may be absent unless
  `partial_required`. `complete=True` documents (02, 19, 20) must give exactly `items`.
- `number` is the label as written ("1", "(一)", "6"); the test compares it with punctuation
  stripped. `None`: the document gives no number (table without 序号, unnumbered lines): the
  item is found by its title instead.
- `title` is a prefix of the item's title (or a tuple of acceptable prefixes); the test compares
  without whitespace and pinyin junk, Traditional folded to Simplified.
- `units`: the (name, role) pairs the item must carry; with `units_exact` no others are allowed
  except the names in `units_optional`. `None` = unchecked.
- `deadline`: ISO date, `None` (ongoing: 持续推进), YEAR_END (Dec 31 of the plan year) or UNCHECKED.
- `milestones`: dates that must be among the milestones (a date equal to the deadline may be
  reported as the deadline instead); a tuple of alternatives where the phrase allows two readings.
- `targets`: targets that must be present; `not_targets`: values (any measure) or
  (value, measure) pairs that must not be targets; `no_targets`: the item has none at all.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

YEAR_END = "year-end"  # Dec 31 of the plan year
UNCHECKED = "unchecked"
CURRENT_YEAR = date.today().year

Unit = tuple[str, str]
NotTarget = float | tuple[float, str]


@dataclass(frozen=True)
class T:
    """A target that must be present: value, measure word (or acceptable alternatives), op."""

    value: float
    measure: str | tuple[str, ...]
    op: str | None = (
        None  # checked only where a word in the text fixes it (以上, 左右, 以内, 低于…)
    )


@dataclass(frozen=True)
class I:  # noqa: E742 — short on purpose: the tables below read like the ledger
    """One expected item."""

    number: str | None
    title: str | tuple[str, ...] | None
    kind: str | None = "task"
    units: tuple[Unit, ...] | None = None
    units_exact: bool = True
    units_optional: tuple[str, ...] = ()
    deadline: str | None = YEAR_END
    deadline_text: str | None = None  # a substring deadline_text must contain
    milestones: tuple[str | tuple[str, ...], ...] = ()
    targets: tuple[T, ...] = ()
    no_targets: bool = False
    not_targets: tuple[NotTarget, ...] = ()
    text_contains: tuple[str, ...] = ()  # must appear in title + text


def cut(number: str | None, title: str | tuple[str, ...] | None = None, **checks: object) -> I:
    """The trailing cut-off item: nothing is checked unless given."""
    base: dict[str, object] = {"kind": None, "deadline": UNCHECKED}
    base.update(checks)
    return I(number, title, **base)  # type: ignore[arg-type]


def lead(*names: str) -> tuple[Unit, ...]:
    return tuple((n, "lead") for n in names)


def support(*names: str) -> tuple[Unit, ...]:
    return tuple((n, "support") for n in names)


@dataclass(frozen=True)
class Doc:
    key: str
    year: int
    items: tuple[I, ...]
    partial: I | None = None
    partial_required: bool = False
    complete: bool = False
    year_warning: bool = False  # no year anywhere: current year, and one warning line says so
    default_units: tuple[str, ...] | None = ()  # exact set; None = unchecked
    default_units_include: tuple[str, ...] = ()
    persons: tuple[str, ...] = ()  # people (and roles) named in the text: never units
    not_units: tuple[str, ...] = ()  # exact names (wrong splits) that must not be units
    not_targets: tuple[NotTarget, ...] = ()  # for every item, the partial one included
    targets_none: bool = False  # no item of the document has a quantitative target
    not_numbers: tuple[str, ...] = ()  # item numbers that would be bogus
    not_titles: tuple[str, ...] = ()  # title prefixes of bogus items
    unit_prefix: str = ""  # the parser may add this prefix to names written without it
    notes: str = field(default="", compare=False)


# ------------------------------------------------------------------------------------------ 01
# 监利市 notice dated 2021-11-22 for the **2022** plan: "《政府工作报告》2022年重点工作…".
# "一、2022年主要预期目标" → every item is an indicator; "(一)主要经济指标。" and "(二)活力后劲指标。"
# are section headings (items 1.–7. are under them). Each item ends
# "(牵头单位:X;责任单位:A,B,…)": a 牵头单位 is given, so the 责任单位 are support units.
# "各乡、镇人民政府" is ONE unit; "人民大垸、荒湖管理区" = 人民大垸管理区 + 荒湖管理区 (shared suffix).
_TOWNS = ("各乡、镇人民政府", "人民大垸管理区", "荒湖管理区", "监利经济开发区")
D01 = Doc(
    key="01",
    year=2022,
    items=(
        # "1.地区生产总值增长10%左右。(牵头单位:市发改局;责任单位:市统计局,各乡、镇人民政府,
        #  人民大垸、荒湖管理区,监利经济开发区)"
        I(
            "1",
            "地区生产总值",
            kind="indicator",
            units=lead("市发改局") + support("市统计局", *_TOWNS),
            targets=(T(10, "%", "≈"),),
        ),
        # "2.规模以上工业增加值增长15%。(牵头单位:市科经局;责任单位:市统计局、市市场监管局,各乡、镇…)"
        I(
            "2",
            "规模以上工业增加值",
            kind="indicator",
            units=lead("市科经局") + support("市统计局", "市市场监管局", *_TOWNS),
            targets=(T(15, "%"),),
        ),
        # "3.社会消费品零售总额增长10%。(牵头单位:市商务局;责任单位:市统计局,…)"
        I(
            "3",
            "社会消费品零售总额",
            kind="indicator",
            units=lead("市商务局") + support("市统计局", *_TOWNS),
            targets=(T(10, "%"),),
        ),
        # "4.财政总收入增长10.8%,一般公共预算收入增长10%。(牵头单位:市财政局;责任单位:市税务局,…)"
        # — two targets.
        I(
            "4",
            "财政总收入",
            kind="indicator",
            units=lead("市财政局") + support("市税务局", *_TOWNS),
            targets=(T(10.8, "%"), T(10, "%")),
        ),
        # "5.固定资产投资增长20%以上。(牵头单位:市发改局;责任单位:市统计局,市直各部门,各乡、镇…)"
        I(
            "5",
            "固定资产投资",
            kind="indicator",
            units=lead("市发改局") + support("市统计局", "市直各部门", *_TOWNS),
            targets=(T(20, "%", "≥"),),
        ),
        # "6.外贸出口增长10%。(牵头单位:市商务局;责任单位:市统计局,…)"
        I(
            "6",
            "外贸出口",
            kind="indicator",
            units=lead("市商务局") + support("市统计局", *_TOWNS),
            targets=(T(10, "%"),),
        ),
    ),
    # "7.高新技术产业增加值占GDP比重达到12%,企业研发投入增长15%。(牵头单位:市" — cut inside the
    # unit bracket; the sentence itself is complete.
    partial=cut("7", "高新技术产业增加值", kind="indicator", targets=(T(12, "%"), T(15, "%"))),
    not_targets=(2022, 2021, 22),
    not_numbers=("一", "二"),
    not_units=("各乡", "镇人民政府", "人民大垸", "人民大垸、荒湖管理区"),
)

# ------------------------------------------------------------------------------------------ 02
# 池州市信访局 政务公开重点任务清单: a complete 8-row pipe table, one cell per line; no title, no
# date, no 文号 → current year + one warning line. Columns 工作任务 | 序号 | 具体要求 | 责任科室 |
# 时限要求; the 工作任务 cell is a group label that spans rows 3–4 (row 4 has none), so the title
# may be the group label or the 具体要求; the 具体要求 must be in the item either way.
# 责任科室 is the only unit column → lead. "年底前" → Dec 31; "持续推进" → no date (ongoing).
_ONGOING = {"deadline": None, "deadline_text": "持续推进"}
D02 = Doc(
    key="02",
    year=CURRENT_YEAR,
    year_warning=True,
    complete=True,
    targets_none=True,  # no figure anywhere in the table
    items=(
        # "强化行政规范性文件集中规范公开 | 1 | 对行政规范性文件进行全面清理,… | 办公室 | 年底前"
        I(
            "1",
            ("强化行政规范性文件", "对行政规范性文件"),
            units=lead("办公室"),
            deadline=f"{CURRENT_YEAR}-12-31",
            text_contains=("对行政规范性文件进行全面清理",),
        ),
        # "深化政策解读形式 | 2 | 积极做好政策解读工作,… | 各科室 | 持续推进"
        I(
            "2",
            ("深化政策解读形式", "积极做好政策解读"),
            units=lead("各科室"),
            text_contains=("积极做好政策解读工作",),
            **_ONGOING,
        ),
        # "做好主动公开基础工作 | 3 | 严格规范政府信息公开专栏,… | 各科室 | 持续推进"
        I(
            "3",
            ("做好主动公开基础工作", "严格规范政府信息公开"),
            units=lead("各科室"),
            text_contains=("严格规范政府信息公开专栏",),
            **_ONGOING,
        ),
        # "4 | 规范做好政府信息公开工作年度报告编制发布工作,… | 办公室 | 持续推进" (no group label:
        # the row belongs to 做好主动公开基础工作)
        I(
            "4",
            ("做好主动公开基础工作", "规范做好政府信息公开"),
            units=lead("办公室"),
            text_contains=("规范做好政府信息公开工作年度报告",),
            **_ONGOING,
        ),
        # "规范办理依申请公开 | 5 | 依法依规办理政府信息公开申请,… | 各科室 | 持续推进"
        I(
            "5",
            ("规范办理依申请公开", "依法依规办理"),
            units=lead("各科室"),
            text_contains=("依法依规办理政府信息公开申请",),
            **_ONGOING,
        ),
        # "认真抓好工作落实 | 6 | 制定并公开本部门政务公开重点任务清单,… | 办公室 | 持续推进"
        I(
            "6",
            ("认真抓好工作落实", "制定并公开本部门"),
            units=lead("办公室"),
            text_contains=("制定并公开本部门政务公开重点任务清单",),
            **_ONGOING,
        ),
        # "加强宣传 | 7 | 积极参加“政务公开交流”约稿活动,… | 各科室 | 持续推进"
        I(
            "7",
            ("加强宣传", "积极参加“政务公开交流”"),
            units=lead("各科室"),
            text_contains=("约稿活动",),
            **_ONGOING,
        ),
        # "做好指导监督 | 8 | 积极参加政务公开工作培训和研讨交流,… | 办公室 | 持续推进"
        I(
            "8",
            ("做好指导监督", "积极参加政务公开工作培训"),
            units=lead("办公室"),
            text_contains=("政务公开工作培训",),
            **_ONGOING,
        ),
    ),
    not_titles=("工作任务", "具体要求", "责任科室", "时限要求"),
)

# ------------------------------------------------------------------------------------------ 03
# 华容县科技局 2017 “三明确一限期”清单, one cell per line: 任务名称 / 任务单 / 工作流程 / 限期时间 /
# 责任人 / 主要工作措施或要求. No 序号 column: items are found by title, numbers unchecked.
# The 责任人 are persons (朱先涛, 刘继军, 张炳炎, "陈  忠", 李兴乐): never units. The table names no
# unit at all (the 发布机构 is 科技局 itself), so units are left unchecked except "no person".
# "每季度末" (限期时间) → quarter-end milestones. "一、二、三、四季度" is not 一、 numbering.
# "(县政府主要工作任务第101项)" is a reference, not a target. The quarterly figures are the steps
# toward the annual figure (a breakdown), not targets of their own.
_QUARTERS = ("2017-03-31", "2017-06-30", "2017-09-30", "2017-12-31")
D03 = Doc(
    key="03",
    year=2017,
    items=(
        # 任务名称 "强化科技创新,确保发明专利达到省定小康标准(“六大工程”重点目标任务,县政府主要工作任务
        # 第101项)"; 任务单 "年内,完成有效发明专利120件"; 工作流程 "每季度完成发明专利30件";
        # 限期时间 "每季度末"; 措施 "①以2015年末人口数为依据,…"
        I(
            None,
            "强化科技创新",
            milestones=_QUARTERS,
            targets=(T(120, "件"),),
            not_targets=(30, 101, 2015),
        ),
        # 任务名称 "开展技术创新,高新技术产业增加值占地区生产总值比重达到20%以上。(县政府主要工作任务
        # 第111项)"; 任务单 "年末,全县高新技术产业增加值占地区生产总值比重达到21%"; 工作流程
        # "一、二、三、四季度,占比分别达18%、19%、20%、21%"; 限期时间 "每季度末".
        # 21% is the bureau's own target (任务单); 18%/19% are quarterly steps. 20% is both the county
        # task's figure and the Q3 step: left unchecked.
        I(
            None,
            "开展技术创新",
            milestones=_QUARTERS,
            targets=(T(21, "%"),),
            not_targets=(111, 18, 19),
        ),
    ),
    # "园区大会战:“高新技术产业发展”考核内容: / 园区高新技术产业增加值增长18%计5分,每增(减)1个百分点
    # 加(减)0.2分,… / 一、二、三、四季度分别完成9%、12%、15%、18% / 每月13日、28日定期报送… /
    # 张炳炎 / 李兴乐 / 陈  忠 / ①对园区…" — cut inside the measures cell.
    partial=cut(None, "园区大会战", not_targets=((5, "分"), (0.2, "分"), 13, 28, 9, 12)),
    persons=("朱先涛", "刘继军", "张炳炎", "陈忠", "李兴乐"),
    not_targets=(101, 111, 2015, 2017, (5, "分"), (0.2, "分")),
    not_numbers=("一", "二", "三", "四"),
    not_titles=(
        "二、三、四季度",
        "任务名称",
        "任务单",
        "工作流程",
        "限期时间",
        "责任人",
        "主要工作措施",
    ),
)

# ------------------------------------------------------------------------------------------ 04
# 临安区 2022 民生实事: pipe table 序号 | 实事项目 | 工作举措及实施计划 | 责任单位 | 配合单位, after an
# 索引号 metadata table whose "发文日期 | 2022-07-14" is the only source of the year.
# 责任单位 → lead, 配合单位 → support; names are written without the 区 prefix (教育局): the clerk
# keeps them as written, the test also accepts 区教育局. Month-ends inside the 实施计划 cell are
# milestones; the last one is the item's deadline (the plan itself says when the item ends).
# Cumulative steps (2家/2家/7家, 100/200/500个托位) are a breakdown of the total, not targets.
D04 = Doc(
    key="04",
    year=2022,
    unit_prefix="区",
    items=(
        # "1 | 新建成公办中小学、幼儿园7所,新增中小学、幼儿园公办学位6800个。 | 1.4月底前职教中心、
        # 学府路幼儿园、8300安置小区配套幼儿园…主体完工,… 2.8月底前…竣工交付。 3.11月底前天目山镇
        # 中心幼儿园竣工交付。 | 教育局 | 发改局、住建局、财政局、规划和自然资源分局、国兴集团、
        # 新锦集团、科投集团,锦城街道、锦北街道、锦南街道、青山湖街道、昌化镇、天目山镇 |"
        I(
            "1",
            "新建成公办中小学",
            units=lead("教育局")
            + support(
                "发改局",
                "住建局",
                "财政局",
                "规划和自然资源分局",
                "国兴集团",
                "新锦集团",
                "科投集团",
                "锦城街道",
                "锦北街道",
                "锦南街道",
                "青山湖街道",
                "昌化镇",
                "天目山镇",
            ),
            deadline="2022-11-30",
            milestones=("2022-04-30", "2022-08-31", "2022-11-30"),
            targets=(T(7, "所"), T(6800, "个")),
            # 8300 is the name of a resettlement estate; "1.4月" / "2.8月" / "3.11月" are list
            # labels glued to months.
            not_targets=(8300, 1.4, 2.8, 3.11),
        ),
        # "2 | 新建成婴幼儿照护服务成长驿站7家,新增婴幼儿照护服务托位500个,开展胃肠癌联合筛查1万例
        # 以上。 | 1.…:3月底前新建成2家;6月底前新建成2家;9月底前完成7家建设任务。 2.…:3月底前新增
        # 100个以上托位;6月底前新增200个以上托位;9月底前完成500个托位。 3.胃肠癌联合筛查:4月底前…
        # 方案制定;5月底前启动…;11月底前完成…工作。 | 卫生健康局 | 财政局、教育局、规划和自然资源
        # 分局、医疗保障分局、民政局、妇联,各镇(街道) |"
        I(
            "2",
            "新建成婴幼儿照护",
            units=lead("卫生健康局")
            + support(
                "财政局",
                "教育局",
                "规划和自然资源分局",
                "医疗保障分局",
                "民政局",
                "妇联",
                "各镇(街道)",
            ),
            deadline="2022-11-30",
            milestones=(
                "2022-03-31",
                "2022-04-30",
                "2022-05-31",
                "2022-06-30",
                "2022-09-30",
                "2022-11-30",
            ),
            targets=(T(7, "家"), T(500, "个"), T(1, "万例", "≥")),
            not_targets=((2, "家"), (100, "个"), (200, "个")),
        ),
    ),
    # "3 | 实施农村公路大中修100公里,新增公交线路3条,优化调整公交线路20条。 | 1.农村公路大中修:
    # 7月底前开工;… 10月底前全面完成新增和优化调整" — cut inside the plan cell (no units).
    partial=cut("3", "实施农村公路", targets=(T(100, "公里"), T(3, "条"), T(20, "条"))),
    not_targets=(2022, 83945, 330185),
    not_titles=("索引号", "公开范围", "发布单位", "序号", "实事项目"),
)

# ------------------------------------------------------------------------------------------ 05
# 新昌县 2021 十方面民生实事进展情况登记表: 项目名称 | 工作任务 | 计划完成时间 | 牵头单位; merged cells
# come out as short rows ("2021.8 | 城投集团 | ||"). The numbered projects (1.城市人居环境提升项目
# …) are the items — they are what the document numbers; their task rows are the item's text, each
# row's 牵头单位 a lead unit of the project, each row's date a milestone, the latest the deadline.
D05 = Doc(
    key="05",
    year=2021,
    items=(
        # "1.城市人居环境提升项目 | 对人民中路等3条城区道路进行综合提升改造; | 11月 | 建设局 |
        #  2021.8 | 城投集团 | || 对七星路等…提档升级; | 2021.12 | 城投集团 | | 新建城市口袋公园2处;
        #  | 11月 | 建设局 | | 新建停车场3处,新增停车位1000个以上。 | 11月 | 建设局 | |
        #  2021年11月 | 经开区 | ||"
        I(
            "1",
            "城市人居环境",
            units=lead("建设局", "城投集团", "经开区"),
            deadline="2021-12-31",
            milestones=("2021-08-31", "2021-11-30", "2021-12-31"),
            targets=(T(2, "处"), T(3, "处"), T(1000, "个", "≥")),
            not_targets=(2021.8, 2021.12, 2021),
        ),
        # "2.生态公墓建设项目 | 持续推进生态公墓建设,新建生态公益性墓地15处,新增墓穴10000穴;… |
        #  10月底 | 民政局 | 计划10月底完成新增墓地建设 | 公共服务集团 | ||" — the 计划完成时间
        #  column says 10月底, so the item is not open-ended despite "持续推进".
        I(
            "2",
            "生态公墓",
            units=lead("民政局", "公共服务集团"),
            deadline="2021-10-31",
            targets=(T(15, "处"), T(10000, "穴")),
        ),
        # "3.农村道路改造提升项目 | 投资5000万元,提升改造低等级公路40公里;投资4000万元,路面维修等
        #  养护工程60公里;投资2250万元,亮化农村公路75公里。 | 10月 | 交通运输局 |"
        #  The 投资 amounts are money to spend — arguably not the target: left unchecked.
        I(
            "3",
            "农村道路改造",
            units=lead("交通运输局"),
            deadline="2021-10-31",
            targets=(T(40, "公里"), T(60, "公里"), T(75, "公里")),
        ),
        # "4.农贸市场综合提升项目 | 建成…;完成钟楼农贸市场…“五化”提升改造;动工建设南岩农贸市场,… |
        #  1、农副产品交易物流中心7月1日项目投入试运营 2、南岩农贸市场计划2022年12月底完成项目建设
        #  3、钟楼农贸市场星级改造计划10月1日前完成项目建设 | 公共服务集团 |" — a 2021 item due 2022.
        #  "10月1日前" is read as Oct 1 (or Sep 30, the day before).
        I(
            "4",
            "农贸市场",
            units=lead("公共服务集团"),
            deadline="2022-12-31",
            milestones=("2021-07-01", ("2021-10-01", "2021-09-30")),
            no_targets=True,
            not_targets=(2022, 1, 2, 3, 7, 10),
        ),
        # "5.教育设施提升项目 | 计划投资1067万元,完成22所学校校园空调安装工程(二期);持续推进幼儿园
        #  建设,… | 1.2021年8月 2.2021年12月 | 教体局 | 在50所学校食堂开展校园智能阳光厨房建设,…
        #  | 10月底前 | 市场监管局 | |"
        I(
            "5",
            "教育设施",
            units=lead("教体局", "市场监管局"),
            deadline="2021-12-31",
            milestones=("2021-08-31", "2021-10-31", "2021-12-31"),
            targets=(T(22, "所"), T(50, "所")),
            not_targets=(1.2021, 2.2021, 2021),
        ),
    ),
    partial=cut("6", "老年"),  # "6.老年" — cut
    not_targets=(2021.8, 2021.12, 1.2021, 2.2021, 2021),
    not_titles=("项目名称", "2021.8", "2021.12", "2021年11月", "城投集团", "经开区", "11月"),
)

# ------------------------------------------------------------------------------------------ 06
# 怀远县农业农村局 2023年11月 督查台账, one cell per line: 序号 / 目标任务 / 牵头责任单位 /
# 计划完成时间 / 目前完成情况 / 是否达到序时进度. The 序号 are the county list's numbers (6, 52, 53…):
# keep them. The 完成情况 column is progress: its figures are not targets, its "1、查处…" not items.
# A stray "2" cell after 经管站 in row 6 is neither a unit nor an item.
D06 = Doc(
    key="06",
    year=2023,
    items=(
        # "6 / 农村常住居民人均可支配收入与经济增长同步。 / 经管站 / 2 / 2023年底 /
        #  三季度绝对数16285元,增幅7.4%"
        I(
            "6",
            "农村常住居民",
            units=lead("经管站"),
            deadline="2023-12-31",
            no_targets=True,
            not_targets=(16285, 7.4, 2),
        ),
        # "52 / 建成高标准农田8.3万亩,确保粮食总产稳定在120万吨以上。 / 农田建设管理股、农业股 /
        #  2023年底 / 高标准农田8.3万亩正在施工中,整体进度70%,…69.6514万吨,同比增加0.84%。…"
        I(
            "52",
            "建成高标准农田",
            units=lead("农田建设管理股", "农业股"),
            deadline="2023-12-31",
            targets=(T(8.3, "万亩"), T(120, "万吨", "≥")),
            not_targets=(70, 69.6514, 0.84, 450.03, 2.1, 616.65, 0.13),
        ),
        # "53 / 加快推动农业规模化经营,完成“一村一块田”改革试验20万亩,全县土地流转率达60%。 / 经管站
        #  / 2023年底 / 已累计完成…31.7万亩,…138.133万亩,占“三调”面积的63.08%。"
        I(
            "53",
            "加快推动农业规模化",
            units=lead("经管站"),
            deadline="2023-12-31",
            targets=(T(20, "万亩"), T(60, "%")),
            not_targets=(31.7, 138.133, 63.08),
        ),
        # "54 / 加强农产品品牌建设,创建优质专用粮食生产基地62万亩,完成“三品一标”认证10个,建成长三角
        #  绿色农产品生产加工供应基地6个。 / 农业股 / 乡村产业发展股 / 2023年底 / …供应基地3优质…"
        #  — two units in one cell, on separate lines.
        I(
            "54",
            "加强农产品品牌",
            units=lead("农业股", "乡村产业发展股"),
            deadline="2023-12-31",
            targets=(T(62, "万亩"), T(10, "个"), T(6, "个")),
            not_targets=(3,),
        ),
        # "55 / 持续开展农资打假专项治理行动,… / 农业执法大队 / (empty) / 2023年底 /
        #  1、查处违法行为31起,立案31起,结案18起,剩余13起…2、对全县18个乡镇…4、…水稻抽样25组,
        #  玉米16组。" — due 2023年底 (the column), not open-ended despite "持续开展".
        I(
            "55",
            "持续开展农资打假",
            units=lead("农业执法大队"),
            deadline="2023-12-31",
            no_targets=True,
            not_targets=(31, 18, 13, 25, 16),
        ),
    ),
    partial=cut("56", "加快绿色食品"),  # "56 / 加快绿色食品产" — cut
    not_targets=(16285, 69.6514, 450.03, 616.65, 31.7, 138.133, 63.08, 2023),
    not_numbers=("1", "2", "3", "4"),
    not_titles=("查处违法行为", "对全县18个乡镇", "序号", "目标任务"),
    not_units=("2",),
)

# ------------------------------------------------------------------------------------------ 07
# 平顶山市河长制办公室 2018 (发布日期:2018-07-09) 主要任务分解表, rows flattened with spaces:
# 序号 类别 主要任务 细化措施 牵头单位 参与单位 责任单位. 牵头 → lead, 参与 → support; a 牵头单位
# is given, so the 责任单位 column (the county governments that carry it out) is support too.
# "市发展改革委、工业和信息化委、住房和城乡建设局、农业局等" carries 市 over the list and drops 等.
# "各县(市、区)党委和人民政府" is one unit. How to cut "城乡一体化示范区、高新区党工委和管委会"
# (one unit, or two sharing 党工委和管委会) is left open: extra names containing 示范区/高新区 are
# allowed. "到2020年" is the horizon → deadline 2020-12-31 in a 2018 plan.
_COUNTIES = "各县(市、区)党委和人民政府"
_ZONES = (
    "城乡一体化示范区、高新区党工委和管委会",
    "城乡一体化示范区党工委和管委会",
    "高新区党工委和管委会",
    "城乡一体化示范区",
    "高新区",
)
D07 = Doc(
    key="07",
    year=2018,
    items=(
        # "1 加强水资源保 护 严守水资源开发利用控制红线 实施水资源消耗总量和强度双控行动,…到2020年,
        #  全市用水总量控制在11.88亿立方米以内。 市水利局 市发展改革委、工业和信息化委、住房和城乡
        #  建设局、农业局等 各县(市、区)党委和人民政府,城乡一体化示范区、高新区党工委和管委会"
        I(
            "1",
            ("严守水资源开发利用", "实施水资源消耗"),
            units=lead("市水利局")
            + support(
                "市发展改革委", "市工业和信息化委", "市住房和城乡建设局", "市农业局", _COUNTIES
            ),
            units_optional=_ZONES,
            deadline="2020-12-31",
            targets=(T(11.88, "亿立方米", "≤"),),
            not_targets=(2020,),
        ),
        # "2  严守用水 效率控制 红线 落实万元国内生产总值水耗指标等…到2020年,全市万元国内生产总值
        #  用水量、万元工业增加值用水量比2015年分别下降24%、25%以上。 市水利局 市发展改革委、
        #  工业和信息化委、住房和城乡建设局等 各县(市、区)党委和人民政府,城乡一体化示范区、…"
        I(
            "2",
            ("严守用水效率控制红线", "落实万元国内生产总值"),
            units=lead("市水利局")
            + support("市发展改革委", "市工业和信息化委", "市住房和城乡建设局", _COUNTIES),
            units_optional=_ZONES,
            deadline="2020-12-31",
            targets=(T(24, "%"), T(25, "%", "≥")),
            not_targets=(2015, 2020),
        ),
    ),
    # "3   抓好工业节水。…到2020年,…达到国内先进定额标准。 市工业和信息化委、水利局 市发展改革委等
    #  各县(市、区)党委和人民政府,城乡一体化示范区、高" — cut inside the 责任单位 column; the 牵头 and
    #  参与 columns are complete: two leads (市 carried over to 水利局).
    partial=cut(
        "3",
        ("抓好工业节水", "严守用水效率控制红线"),
        units=lead("市工业和信息化委", "市水利局") + support("市发展改革委"),
        units_exact=False,
        deadline="2020-12-31",
    ),
    not_units=(
        "工业和信息化委",
        "住房和城乡建设局",
        "农业局",
        "农业局等",
        "水利局",
        "市发展改革委等",
        "各县(市",
        "区)党委和人民政府",
        "各县",
    ),
    not_targets=(2015, 2018, 2020),
    not_titles=("序号", "类别"),
)

# ------------------------------------------------------------------------------------------ 08
# 宁波 甬政办发[2006]64号 (二○○六年三月三十日). "一、2006年主要调控预期目标" → indicators.
# Each item: a heading line "1.生产总值增长12%。" (the title), a body paragraph with the detail,
# and the unit as a bare parenthesis at the end of the body: "(市发改委)" → lead.
# Targets: the headline figure and the total; the 其中 breakdown by sector is not a target.
D08 = Doc(
    key="08",
    year=2006,
    items=(
        # "1.生产总值增长12%。 / 全市生产总值增长12%,总量达到2790亿元。其中一产增加值138亿元,增长5%;
        #  二产增加值1543亿元,增长12%;三产增加值1109亿元,增长13%。(市发改委)"
        I(
            "1",
            "生产总值增长",
            kind="indicator",
            units=lead("市发改委"),
            targets=(T(12, "%"), T(2790, "亿元")),
            not_targets=(138, 1543, 1109, 5, 13),
        ),
        # "2.财政一般预算收入增长12%。 / 一般预算收入522.5亿元,比上年增长12%,其中地方财政收入237.9亿元,
        #  比上年增长12%。(市财政局)"
        I(
            "2",
            "财政一般预算收入",
            kind="indicator",
            units=lead("市财政局"),
            targets=(T(12, "%"), T(522.5, "亿元")),
            not_targets=(237.9,),
        ),
        # "3.全社会固定资产投资增长16%以上。 / …实现固定资产投资1590亿元,增长16%。(市发改委)"
        I(
            "3",
            "全社会固定资产投资",
            kind="indicator",
            units=lead("市发改委"),
            targets=(T(16, "%", "≥"), T(1590, "亿元")),
        ),
        # "4.市区居民人均可支配收入增长7%,农民人均纯收入增长7.5%。 / 市区居民人均可支配收入增长7%,
        #  达到18600元,比上年增加1200元。农民人均纯收入增长7.5%,达到8400元,比上年增加600元。(市发改委)"
        I(
            "4",
            "市区居民人均可支配收入",
            kind="indicator",
            units=lead("市发改委"),
            targets=(T(7, "%"), T(7.5, "%"), T(18600, "元"), T(8400, "元")),
        ),
    ),
    # "5.城镇新增就业岗位10万个以上,城镇登记失业率控制在4.5%以内。 / 全面落实…帮助5万名失业人员"
    # — the heading is complete (its targets are checked); the body and its unit are cut.
    partial=cut(
        "5",
        "城镇新增就业",
        kind="indicator",
        targets=(T(10, "万个", "≥"), T(4.5, "%", "≤")),
    ),
    not_targets=(2006, 64),
    not_numbers=("一",),
)

# ------------------------------------------------------------------------------------------ 09
# 宁波日报 2014-07-22: 1–6月 progress of the 2014 市政府民生实事, all on one line. Per item
# "牵头领导:(person) 责任单位:X 项目责任人:(person) 配合单位:Y 实际完成情况:(progress)".
# 责任单位 → lead (no 牵头单位 field), 配合单位 → support. Persons and roles (各区区长, 相关管委会主任)
# are not units; district names in the flattened tables (鄞州 海曙 …) are not units; progress text
# and table figures are not targets. 实际完成情况 dates are progress, not deadlines.
D09 = Doc(
    key="09",
    year=2014,
    items=(
        # "1.轨道交通1号线一期工程投入试运营。 牵头领导:林静国 责任单位:市轨道交通工程建设指挥部
        #  项目责任人:尹文德 实际完成情况:轨道交通1号线一期工程已于2014年5月30日通车试运营。"
        I(
            "1",
            "轨道交通1号线",
            units=lead("市轨道交通工程建设指挥部"),
            no_targets=True,  # "1号线" is a name
            not_targets=(1, 2014, 5, 30),
        ),
        # "2.新增安装300套路口交通信息视频采集设备。 牵头领导:王仁洲 责任单位:市公安局 项目责任人:
        #  王伟标 配合单位:市城管局、市财政局 实际完成情况:…整体进度已完成年度目标任务的55%,…"
        I(
            "2",
            "新增安装300套",
            units=lead("市公安局") + support("市城管局", "市财政局"),
            targets=(T(300, "套"),),
            not_targets=(55,),
        ),
        # "3.新辟公交线路10条,优化调整20条。 牵头领导:王仁洲 责任单位:市交通委 项目责任人:劳可军
        #  配合单位:市公安局、市城管局,各区政府 鄞州 海曙、江东、江北 镇海 北仑 合计 新辟线路年度目标
        #  2 5 1 2 10 实际完成 1 2 0 3 6 优化调整线路年度目标 6 9 1 4 20 实际完成 12 12 0 0 24"
        I(
            "3",
            "新辟公交线路",
            units=lead("市交通委") + support("市公安局", "市城管局", "各区政府"),
            targets=(T(10, "条"), T(20, "条")),
            not_targets=(0, 1, 2, 3, 4, 5, 6, 9, 12, 24),
        ),
    ),
    # "4.新投放公共自行车3000辆,新增100个网点。 牵头领导:王仁洲 责任单位:市交通委,各区政府,相关管委会
    #  项目责任人:劳可军,各区区长,相关管委会主任 配合单位:市发改委、市经信委、市公安局、市财政局、
    #  市国土资源局、市规划局、市住建委、市城管局、市工商局、宁波电业局 鄞州 海曙 … 合计" — cut in
    #  the district table; the unit fields are complete.
    partial=cut(
        "4",
        "新投放公共自行车",
        units=lead("市交通委", "各区政府", "相关管委会")
        + support(
            "市发改委",
            "市经信委",
            "市公安局",
            "市财政局",
            "市国土资源局",
            "市规划局",
            "市住建委",
            "市城管局",
            "市工商局",
            "宁波电业局",
        ),
        targets=(T(3000, "辆"), T(100, "个")),
    ),
    persons=("林静国", "尹文德", "王仁洲", "王伟标", "劳可军", "区长", "主任"),
    not_units=("鄞州", "海曙", "江东", "江北", "镇海", "北仑", "保税区", "高新区", "合计"),
    not_targets=(42, 2014),
)

# ------------------------------------------------------------------------------------------ 10
# 湖州 2020 重点工作责任分解. The cover notice's "附件:1.2020年政府工作报告重点工作责任分解 /
# 2.十方面民生实事责任分解" is an attachment list, not items; "一、王纲市长主抓重点工作" is a
# section named after a person. "(列第一位者为工作牵头单位或汇总单位,下同)": the first unit of each
# 责任单位 list leads, the rest support.
D10 = Doc(
    key="10",
    year=2020,
    items=(
        # "1.坚定不移支持企业发展。…力争减轻企业各类负担200亿元,… / 责任单位:市经信局、市财政局、
        #  市发展改革委、市人力社保局、市金融办、市税务局(列第一位者为工作牵头单位或汇总单位,下同)"
        I(
            "1",
            "坚定不移支持企业发展",
            units=lead("市经信局")
            + support("市财政局", "市发展改革委", "市人力社保局", "市金融办", "市税务局"),
            targets=(T(200, "亿元"),),
        ),
    ),
    partial=cut("2", "开展项目"),  # "2.开展项目“双进双产" — cut
    persons=("王纲", "市长"),
    not_titles=("2020年政府工作报告重点工作责任分解", "十方面民生实事责任分解"),
    not_targets=(2020, 2022),
)

# ------------------------------------------------------------------------------------------ 11
# 金华 金政办发〔2018〕23号. The notice: "除特别注明的外,各县(市、区)政府和金华开发区、金义都市新区、
# 金华山旅游经济区管委会都是配合单位" → four default support units on every item (管委会 is shared by
# the three zones, as 人民大垸、荒湖管理区 shares 管理区). "附件:1.…2.…" is an attachment list.
_DEFAULTS_11 = (
    "各县(市、区)政府",
    "金华开发区管委会",
    "金义都市新区管委会",
    "金华山旅游经济区管委会",
)
D11 = Doc(
    key="11",
    year=2018,
    default_units=_DEFAULTS_11,
    items=(
        # "1.全面完成2018年全市经济社会发展预期目标。其中,地区生产总值增长7%左右,…
        #  牵头单位:市发改委 / 配合单位:市农办、市经信委、市科技局、市财政(地税)局、市人力社保局、
        #  市建设局、市农业局、市商务局、市环保局"
        I(
            "1",
            "全面完成",
            units=lead("市发改委")
            + support(
                "市农办",
                "市经信委",
                "市科技局",
                "市财政(地税)局",
                "市人力社保局",
                "市建设局",
                "市农业局",
                "市商务局",
                "市环保局",
                *_DEFAULTS_11,
            ),
            targets=(T(7, "%", "≈"),),
            not_targets=(2018,),
        ),
    ),
    partial=cut("2", "推进政府治理数字化"),  # "2.推进政府治理数字化转型。…推行政务服务“无" — cut
    persons=("尹学群", "市长"),
    not_units=("市财政", "地税)局", "市财政(地税"),
    not_titles=("2018年政府工作报告重点工作责任分解", "2018年十方面民生实事责任分解"),
    not_targets=(23, 22),
)

# ------------------------------------------------------------------------------------------ 12
# 上城区 2019 《政府工作报告》目标任务分解表 (12: one cell per line; 12b: pipe rows; same page).
# Columns 序号 / 任务名称 / 指标要求 / 牵头部门 / 配合部门 / 目标类型. 牵头部门 → lead, 配合部门 →
# support; the target is in its own column. "附件:1. …2. …" and the "(注:A类指责任目标;…)" line are
# not items. Kind is left unchecked: a table of 指标 with no 主要目标 heading above it.
_SUPPORT_12 = support(
    "区财政局",
    "区住房和城建局",
    "区商务局",
    "区文化和广电旅游体育局",
    "区统计局",
    "区投促局",
    "区电子机械功能区管委会",
    "各街道办事处",
)
_ITEMS_12 = (
    # "1 | 地区生产总值 | 增长5.5%(市下达指标) | 区发改经信局 | 区财政局、区住房和城建局、区商务局、
    #  区文化和广电旅游体育局、区统计局、区投促局、区电子机械功能区管委会、各街道办事处 | A类 |"
    I(
        "1",
        "地区生产总值",
        kind=None,
        units=lead("区发改经信局") + _SUPPORT_12,
        targets=(T(5.5, "%"),),
        not_targets=(2019,),
    ),
)
# "2 | 服务业增加值 | 增长6% | 区发改经信局 | 区财政局、区住房和城建局、区商务局、…" — cut inside
# the 配合部门 cell; 指标要求 and 牵头部门 are complete.
_PARTIAL_12 = cut(
    "2",
    "服务业增加值",
    units=lead("区发改经信局") + support("区财政局", "区住房和城建局", "区商务局"),
    units_exact=False,
    targets=(T(6, "%"),),
)
_COMMON_12 = {
    "year": 2019,
    "items": _ITEMS_12,
    "partial": _PARTIAL_12,
    "not_units": ("区住房", "城建局", "区文化", "广电旅游体育局"),
    "not_titles": ("2019年《政府工作报告》目标任务分解表", "2019年民生实事项目", "(注:", "序号"),
    "not_targets": (2019, 15),
}
D12 = Doc(key="12", **_COMMON_12)  # type: ignore[arg-type]
D12B = Doc(key="12b", **_COMMON_12)  # type: ignore[arg-type]

# ------------------------------------------------------------------------------------------ 13
# 广州 穗府办〔2006〕19号. Items "(一)…。(牵头单位:X;配合单位:A、B、C)". 市 is written once for a
# list: "市发改委、国土房管局、外经贸局、规划局" = 市发改委, 市国土房管局, 市外经贸局, 市规划局 — but
# not over a district government ("黄埔区政府" stays as written).
D13 = Doc(
    key="13",
    year=2006,
    items=(
        # "(一)加快建设东部、花都、南沙三大汽车产业基地。(牵头单位:市经贸委;配合单位:市发改委、
        #  国土房管局、外经贸局、规划局)"
        I(
            "(一)",
            "加快建设东部",
            units=lead("市经贸委") + support("市发改委", "市国土房管局", "市外经贸局", "市规划局"),
            no_targets=True,
        ),
        # "(二)推进东部石化基地、南沙临港石化基地建设,抓好80万吨乙烯改扩建项目。(牵头单位:市发改委;
        #  配合单位:市经贸委、国土房管局、规划局、黄埔区政府、南沙区政府)" — 80万吨 is a plant size.
        I(
            "(二)",
            "推进东部石化基地",
            units=lead("市发改委")
            + support("市经贸委", "市国土房管局", "市规划局", "黄埔区政府", "南沙区政府"),
            not_targets=(80,),
        ),
        # "(三)着力创建以广州国际生物岛…生物医药产业基地。(牵头单位:市发改委;配合单位:市经贸委、
        #  科技局、外经贸局)"
        I(
            "(三)",
            "着力创建以广州国际生物岛",
            units=lead("市发改委") + support("市经贸委", "市科技局", "市外经贸局"),
            no_targets=True,
        ),
        # "(四)加快广州空港、南沙、黄埔三大国际枢纽物流园区建设。(牵头单位:市交委;配合单位:市经贸委、
        #  外经贸局)"
        I(
            "(四)",
            "加快广州空港",
            units=lead("市交委") + support("市经贸委", "市外经贸局"),
        ),
        # "(五)加快珠江新城金融商贸区建设,…(牵头单位:市金融办;配合单位:市国土房管局、规划局)"
        I(
            "(五)",
            "加快珠江新城",
            units=lead("市金融办") + support("市国土房管局", "市规划局"),
            no_targets=True,
        ),
        # "(六)启动旧机场商品交易市场和国际采购分销中心建设。(牵头单位:市经贸委;配合单位:市建委、
        #  国土房管局)"
        I(
            "(六)",
            "启动旧机场",
            units=lead("市经贸委") + support("市建委", "市国土房管局"),
            no_targets=True,
        ),
        # "(七)抓紧推进广州国际会展中心二期工程建设。(牵头单位:市建委;配合单位:市规划局)"
        I(
            "(七)",
            "抓紧推进广州国际会展中心",
            units=lead("市建委") + support("市规划局"),
            no_targets=True,
        ),
    ),
    partial=cut("(八)", "组织好迎接瑞典"),  # "(八)组织好迎接瑞典“哥德堡号”…建设好黄埔" — cut
    not_units=("国土房管局", "外经贸局", "规划局", "科技局", "市黄埔区政府", "市南沙区政府"),
    not_targets=(80, 2006, 19),
)

# ------------------------------------------------------------------------------------------ 14
# 长春 长府办发〔2012〕19号: 分工 of the 十二五 plan (2011–2015). Plan year 2012 (the 文号; the text
# has no other date); the indicators are due at the end of the five-year plan: 2015-12-31.
# "一、分工原则" with "一是/二是/三是" is the notice's own principles, not work items.
# "二、主要目标和任务分工安排 / (一)约束性指标" then unnumbered one-line indicators (numbers unchecked).
# "(市水利局、市发展改革委、市工信局、市市政公用局等部门按职责分工负责)": no lead named → all lead.
D14 = Doc(
    key="14",
    year=2012,
    items=(
        # "耕地保有量保持在2000.9万亩。(市国土局牵头)"
        I(
            None,
            "耕地保有量",
            kind="indicator",
            units=lead("市国土局"),
            deadline="2015-12-31",
            targets=(T(2000.9, "万亩"),),
        ),
        # "单位工业增加值用水量达到省要求标准。(市水利局、市发展改革委、市工信局、市市政公用局等部门
        #  按职责分工负责)"
        I(
            None,
            "单位工业增加值用水量",
            kind="indicator",
            units=lead("市水利局", "市发展改革委", "市工信局", "市市政公用局"),
            deadline="2015-12-31",
            no_targets=True,
        ),
    ),
    partial=cut(None, "单位地区生产总值"),  # "单位地区生产总值" — cut
    not_numbers=("一", "二", "三"),
    not_titles=(
        "分工原则",
        "一是",
        "二是",
        "三是",
        "正确处理",
        "合理划分",
        "科学把握",
        "约束性指标",
    ),
    not_units=("市市政公用局等", "市市政公用局等部门"),
    not_targets=(2012, 19),
)


# ------------------------------------------------------------------------------------------ 15
# 旌阳区 2016 目标任务分解表, one cell per line: 项目 / 分值 / 目标任务 / 监考单位; category cells
# (宏观调控, 公共服务) span rows; vertically merged cells appear only in their first row, so a row
# without a unit (or without target and unit) shares the row above's. No 序号: found by title.
# 分值 (3, 2, 1, 0.5) are scores, not targets. The 目标任务 column is the target column: a bare number
# there is the target with measure "" (its unit of measure was in a header not captured).
# Units are glued: "区发改局区统计局" = 区发改局 + 区统计局. "年终…考核" → Dec 31. Kind unchecked.
def _row15(
    title: str, score: float, units: tuple[str, ...], target: T | None = None, **kw: object
) -> I:
    not_t: tuple[NotTarget, ...] = () if target is not None and target.value == score else (score,)
    return I(
        None,
        title,
        kind=None,
        units=lead(*units),
        targets=(target,) if target else (),
        no_targets=target is None,
        not_targets=not_t,
        **kw,  # type: ignore[arg-type]
    )


_FGW = ("区发改局", "区统计局")
D15 = Doc(
    key="15",
    year=2016,
    items=(
        # "地区生产总值增长率 / 3 / 年终根据全省平均水平综合考核 / 区发改局区统计局"
        _row15("地区生产总值增长率", 3, _FGW),
        # "规模以上工业增加值增长率 / 3 / 年终根据全省平均水平综合考核 / 区经信局区统计局"
        _row15("规模以上工业增加值增长率", 3, ("区经信局", "区统计局")),
        # "服务业增加值增长率 / 3 / 年终根据全省平均水平综合考核 / 区商务局区统计局"
        _row15("服务业增加值增长率", 3, ("区商务局", "区统计局")),
        # "社会消费品零售总额增长率 / 3" — target and unit cells merged with the row above
        _row15("社会消费品零售总额增长率", 3, ("区商务局", "区统计局")),
        # "地方公共财政收入增长率 / 3 / 年终根据全省平均水平综合考核 / 区财政局"
        _row15("地方公共财政收入增长率", 3, ("区财政局",)),
        # "税收占地方公共财政收入的比重及变化率 / 2" — merged with the row above
        _row15("税收占地方公共财政收入", 2, ("区财政局",)),
        # "全社会固定资产投资额 / 3 / 186 / 区发改委区统计局"
        _row15("全社会固定资产投资额", 3, ("区发改委", "区统计局"), T(186, "")),
        # "完成重点项目年度投资计划 / 2 / 18.4" — unit merged with the row above
        _row15("完成重点项目年度投资计划", 2, ("区发改委", "区统计局"), T(18.4, "")),
        # "建筑业总产值 / 1 / 140 / 区住建局"
        _row15("建筑业总产值", 1, ("区住建局",), T(140, "")),
        # "工业投资 / 1 / 52 / 区经信局区统计局"
        _row15("工业投资", 1, ("区经信局", "区统计局"), T(52, "")),
        # "宏观调控" (category again) / "引进国内省外实际到位资金 / 1 / 62 / 区投促局"
        _row15("引进国内省外实际到位资金", 1, ("区投促局",), T(62, "")),
        # "新引进 5 亿元以上重大项目 / 3 / 9" — unit merged; "5 亿元以上" qualifies the projects
        _row15(
            "新引进5亿元以上重大项目",
            3,
            ("区投促局",),
            T(9, ""),
            # 5亿元 qualifies which projects count; it is not the target
        ),
        # "外商投资实际到位资金 / 1 / 1500 / 区商务局"
        _row15("外商投资实际到位资金", 1, ("区商务局",), T(1500, "")),
        # "外贸进出口额 / 1 / 10000" — unit merged
        _row15("外贸进出口额", 1, ("区商务局",), T(10000, "")),
        # "地方政府债务率 / 0.5 / 年终按财政部认可警戒线比较考核 / 区财政局"
        _row15("地方政府债务率", 0.5, ("区财政局",)),
        # "地方政府新增债务率 / 0.5 / 年终根据全省平均水平综合考核" — unit merged
        _row15("地方政府新增债务率", 0.5, ("区财政局",)),
        # "高新技术产业总产值 / 1 / 290 / 区科技局"
        _row15("高新技术产业总产值", 1, ("区科技局",), T(290, "")),
        # "创新创业孵化载体 / 1 / 1" — score 1 and target 1; unit merged
        _row15("创新创业孵化载体", 1, ("区科技局",), T(1, "")),
        # "淘汰落后产能任务完成率 / 1 / 100 / 区经信局"
        _row15("淘汰落后产能任务完成率", 1, ("区经信局",), T(100, "")),
        # "技改投资 / 1 / 46" — unit merged
        _row15("技改投资", 1, ("区经信局",), T(46, "")),
        # "银行新增贷款额 / 1 / 15 / 区金融办"
        _row15("银行新增贷款额", 1, ("区金融办",), T(15, "")),
        # "发明专利申请量 / 1 / 210 / 区科技局"
        _row15("发明专利申请量", 1, ("区科技局",), T(210, "")),
        # "公共服务" (category) / "城镇新增就业人数 / 1 / 5800 / 区人社局"
        _row15("城镇新增就业人数", 1, ("区人社局",), T(5800, "")),
        # "城镇登记失业率 / 1 / 低于 4.1" — unit merged; 低于 → at most
        _row15("城镇登记失业率", 1, ("区人社局",), T(4.1, "", "≤")),
    ),
    # "民生支出占公共财政支出的比重及变化率 / 2 / 年终根据全省平" — cut
    partial=cut(None, "民生支出"),
    not_units=("区发改局区统计局", "区经信局区统计局", "区商务局区统计局", "区发改委区统计局"),
    not_titles=("宏观调控", "公共服务", "项目", "分值", "目标任务", "监考单位", "年终"),
    not_targets=((5, "亿元"), 2016),
)

# ------------------------------------------------------------------------------------------ 16
# 西平 西政办〔2020〕20号. "一、依法全面履行政府职能" then "(一)…" with a separate line
# "责任单位:县政府办公室、县司法局、各有关部门,乡镇人民政府按职责分工分别负责。": no lead named →
# all lead; "按职责分工分别负责" is a tail, not part of a name. 各有关部门 is a catch-all a clerk may
# or may not list: allowed, not required.
D16 = Doc(
    key="16",
    year=2020,
    items=(
        # "(一)为推动经济高质量发展提供法治保障。坚持稳中快进工作总基调,…"
        I(
            "(一)",
            "为推动经济高质量发展",
            units=lead("县政府办公室", "县司法局", "乡镇人民政府"),
            units_optional=("各有关部门",),
            no_targets=True,
        ),
    ),
    partial=cut(
        "(二)", "全面提高依法防控"
    ),  # "(二)全面提高依法防控依法治理能力。…为疫情防控" — cut
    not_targets=(2020, 20),
)

# ------------------------------------------------------------------------------------------ 17
# 静安 2021年区政府重点工作目标安排: "(一)…。(二)…。(三)…" run together on one line — split them.
# No unit is named for any item (the addressees of the notice are not units); no figure is a
# target ("举办2021福布斯·静安南京西路论坛": 2021 is part of a name; "九百世纪" is a name).
D17 = Doc(
    key="17",
    year=2021,
    targets_none=True,
    items=(
        # "(一)推进静安区“十四五”规划实施和专项规划编制。"
        I("(一)", "推进静安区", units=()),
        # "(二)高质量推进落实“一轴三带”发展战略。"
        I("(二)", "高质量推进落实", units=()),
        # "(三)大力推进土地亩产增长计划。完善产业空间…"
        I("(三)", "大力推进土地亩产", units=()),
        # "(四)完善南京西路功能区组织架构,…举办2021福布斯·静安南京西路论坛。…九百世纪食品商城…"
        I("(四)", "完善南京西路功能区", units=()),
        # "(五)打响“苏河湾”品牌,…"
        I("(五)", "打响“苏河湾”", units=()),
        # "(六)优化大宁功能区招商机制,…"
        I("(六)", "优化大宁功能区", units=()),
        # "(七)优化市北功能区营商环境,…"
        I("(七)", "优化市北功能区", units=()),
    ),
    partial=cut("(八)", "以单元规划为引领"),  # "(八)以单元规划为引领,落实苏河湾…土地利用空" — cut
)

# ------------------------------------------------------------------------------------------ 18
# 荆门 十四五规划纲要任务分工方案, dated 2021年12月31日: plan year 2021 (the document's date; 2035 is
# the 远景目标 in the title and 2025 the horizon). "一、总体要求" is prose, not items. "二、主要指标 /
# 到2025年,…如下:" → indicators due 2025-12-31. The only item is cut inside its unit bracket
# "(预期性指标,牵头单位:市发改委;责任单位:市政府有关部门,各县市区,以下均需各县市区落实,不再逐" —
# but its sentence, lead unit and the note are complete, so it is required and checked:
# a 牵头单位 is given → the 责任单位 are support; "以下均需各县市区落实" makes 各县市区 a default unit;
# "预期性指标" is a tag, not a unit.
D18 = Doc(
    key="18",
    year=2021,
    items=(),
    # "1.地区生产总值(GDP)总量力争突破3000亿元,年均增长7%以上。"
    partial=cut(
        "1",
        "地区生产总值",
        kind="indicator",
        units=lead("市发改委") + support("各县市区"),
        units_exact=True,
        units_optional=("市政府有关部门",),
        deadline="2025-12-31",
        targets=(T(3000, "亿元", "≥"), T(7, "%", "≥")),
    ),
    partial_required=True,
    default_units=None,
    default_units_include=("各县市区",),
    not_targets=(2025, 2035, 2021),
    not_numbers=("一", "二"),
    not_titles=("总体要求", "主要指标", "以习近平"),
)

# ------------------------------------------------------------------------------------------ 19
# 秦安 2015 十件民生实事 (news, Traditional, pinyin injected: "會(huì)"). The ten items are one
# unnumbered sentence separated by ";" → numbered 1..10. No unit is named. "59所…學校", "31村",
# "110村" are scope counts: neither required nor forbidden.
D19 = Doc(
    key="19",
    year=2015,
    complete=True,
    items=(
        # "完成秦南路南小河橋至花船子3.4公里道路拓寬改造工程"
        I("1", "完成秦南路", units=(), targets=(T(3.4, "公里"),)),
        # "完成城南片區(qū)棚戶區(qū)改造500套,建成公共租賃住房634套"
        I("2", "完成城南片区", units=(), targets=(T(500, "套"), T(634, "套"))),
        # "解決劉坪、中山等鄉(xiāng)鎮(zhèn)4萬(wàn)人的飲水不安全問(wèn)題"
        I("3", "解决刘坪", units=(), targets=(T(4, "万人"),)),
        # "實(shí)施蓮花中小等59所改善義務(wù)教育薄弱學(xué)校項(xiàng)目,改造農(nóng)村校舍面積4.2萬(wàn)平方米"
        I("4", "实施莲花中小", units=(), targets=(T(4.2, "万平方米"),)),
        # "建設(shè)農(nóng)村公路500公里,基本實(shí)現(xiàn)建制村通暢工程全覆蓋"
        I("5", "建设农村公路", units=(), targets=(T(500, "公里"),)),
        # "完成隴城上袁等31村扶貧開(kāi)發(fā)整村推進(jìn)項(xiàng)目建設(shè)"
        I("6", "完成陇城", units=()),
        # "改造農(nóng)村危舊房2000戶"
        I("7", "改造农村危旧房", units=(), targets=(T(2000, "户"),)),
        # "實(shí)施110村農(nóng)村公益事業(yè)“一事一議”財(cái)政獎(jiǎng)補(bǔ)項(xiàng)目,硬化村莊巷道50公里"
        I("8", "实施110村", units=(), targets=(T(50, "公里"),)),
        # "實(shí)施“保護(hù)視力、提高成績(jī)”項(xiàng)目,為4000名小學(xué)生免費(fèi)篩查配鏡"
        I("9", "实施“保护视力", units=(), targets=(T(4000, "名"),)),
        # "全面啟動(dòng)城鄉(xiāng)居民大病保險(xiǎn)工作,有效提高重特大疾病保障水平。"
        I("10", "全面启动城乡居民大病保险", units=(), no_targets=True),
    ),
    not_targets=(2015, 2, 11, 244),
)

# ------------------------------------------------------------------------------------------ 20
# 榆中 2016 为民兴办10件实事 (news, Traditional): "這十件實事是:1.…。2.…。…10.…。" in one paragraph.
# No unit is named. "九年制" (school type), "三角城" (a place), "兩戶" (a category of families) are
# not targets.
D20 = Doc(
    key="20",
    year=2016,
    complete=True,
    items=(
        # "1.新修高標準基本農田10萬畝。"
        I("1", "新修高标准基本农田", units=(), targets=(T(10, "万亩"),)),
        # "2.引入社會資金2億元,建成1所縣城九年制學校。" — 1所 may be a target too: unchecked.
        I("2", "引入社会资金", units=(), targets=(T(2, "亿元"),), not_targets=(9,)),
        # "3.完成縣城小學新建和三角城小學遷建工程,建成40所標準化學校。"
        I("3", "完成县城小学", units=(), targets=(T(40, "所"),), not_targets=(3,)),
        # "4.改造農村危舊房1320戶,完成計生“兩戶”家庭建房100戶。"
        I("4", "改造农村危旧房", units=(), targets=(T(1320, "户"), T(100, "户")), not_targets=(2,)),
        # "5.實施光網榆中項目建設,實現全縣所有村寬帶全覆蓋。"
        I("5", "实施光网榆中", units=(), no_targets=True),
        # "6.新增城鎮就業2300人,開展職業技能培訓800人(次)。"
        I(
            "6",
            "新增城镇就业",
            units=(),
            targets=(T(2300, "人"), T(800, ("人", "人次", "人(次)"))),
        ),
        # "7.改造路網及村內道路160公里。"
        I("7", "改造路网", units=(), targets=(T(160, "公里"),)),
        # "8.實施光伏扶貧項目,推廣光伏發電2100戶。"
        I("8", "实施光伏扶贫", units=(), targets=(T(2100, "户"),)),
        # "9.建成南坡灣、潘家坪調蓄水庫及水廠。"
        I("9", "建成南坡湾", units=(), no_targets=True),
        # "10.完成興隆山水源涵養區保護工程。"
        I("10", "完成兴隆山", units=(), no_targets=True),
    ),
    not_targets=(2016, 20, 17),
)

DOCS: tuple[Doc, ...] = (
    D01,
    D02,
    D03,
    D04,
    D05,
    D06,
    D07,
    D08,
    D09,
    D10,
    D11,
    D12,
    D12B,
    D13,
    D14,
    D15,
    D16,
    D17,
    D18,
    D19,
    D20,
)
