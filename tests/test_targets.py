"""Quantitative targets (plans/targets.py): what a careful clerk would copy into the ledger.

Phrases come from the development corpus (tests/data/corpus, file number in the comment) or are
made up in the same style. Each row: text, then the targets as (value, measure, op).
"""

from __future__ import annotations

import time
from datetime import date
from pathlib import Path

import pytest

from plans.measures import MEASURES
from plans.model import Target
from plans.replies import read_progress
from plans.targets import find_targets

Row = tuple[str, list[tuple[float, str, str]]]


def found(text: str, *, column: bool = False) -> list[tuple[float, str, str]]:
    return [(t.value, t.measure, t.op) for t in find_targets(text, column=column)]


# ---------------------------------------------------------------------- what makes a target

KEPT_RULES: list[Row] = [
    # a target verb right before the number, even when a noun follows
    ("集聚50名科研、技术和管理人才", [(50, "名", "≥")]),
    ("立项支持100个青年博士课题;探索精简流程", [(100, "个", "≥")]),
    # or opens its clause, as do the people or places the work is for
    ("完成秦南路南小河桥至花船子3.4公里道路拓宽改造工程", [(3.4, "公里", "≥")]),
    ("在50所学校食堂开展校园智能阳光厨房建设", [(50, "所", "≥")]),
    ("对100家规上企业开展智能化诊断", [(100, "家", "≥")]),
    ("为4000名小学生免费筛查配镜", [(4000, "名", "≥")]),
    # a number that ends its clause
    ("外国高端人才和专业人才来华工作数量达1750人。", [(1750, "人", "≥")]),
    ("技术合同成交额达400亿元。", [(400, "亿元", "≥")]),
    # bound words
    ("净增高新技术企业600家以上。", [(600, "家", "≥")]),
    ("(潜在)独角兽企业累计超50家、瞪羚企业累计超700家。", [(50, "家", "≥"), (700, "家", "≥")]),
    ("全年开展教师发展培训及研修活动不少于8场。", [(8, "场", "≥")]),
    ("创新型领军培育企业达到50家左右", [(50, "家", "≈")]),
    ("实施专项约30项,能耗控制在5%以内", [(30, "项", "≈"), (5, "%", "≤")]),
    ("城镇登记失业率控制在4.5%以内。", [(4.5, "%", "≤")]),
    ("城镇登记失业率低于4.1%。", [(4.1, "%", "≤")]),
    ("研发投入强度高于全省平均水平,占比高于3%。", [(3, "%", ">")]),
    ("粮食总产稳定在120万吨以上。", [(120, "万吨", "≥")]),
    # Chinese numerals only right after a target verb
    ("新增重大产学研合作项目超百项", [(100, "项", "≥")]),
    ("年内新建学校十二所", [(12, "所", "≥")]),
    ("完成22所学校校园空调安装工程(二期)", [(22, "所", "≥")]),
    ("落实“三个区分开来”,打造一支过硬队伍,培育一批领军企业,推动两个中心建设", []),
    ("坚定拥护“两个确立”,围绕六个方面重点,推进三个中心建设", []),
    ("围绕“双创人才招引、科技企业家培训”六个方面重点,实施更加积极的人才政策", []),
    # quotes and 《》 hold names
    ("聚焦服务“532”发展战略,出台《科技创新政策摘要汇编(2023版)》", []),
    # 等 closes a list: the count describes it
    ("推进高端装备、新能源等5个重点产业链服务组工作", []),
    (
        "年内完成机械加工技术、汽车技术等13个实训基地的新建改造提升任务,开发50个实训教学模块",
        [(50, "个", "≥")],
    ),
    # attributes, not targets
    ("实施5000万元以上科技成果转化项目30个以上。", [(30, "个", "≥")]),
    ("支持销售5000万元以下的企业,新增亿元企业3家", [(3, "家", "≥")]),
    ("培育创新50强企业", []),
    ("推进G60科创走廊和科技新政4.0版", []),
]


@pytest.mark.parametrize(("text", "want"), KEPT_RULES)
def test_kept_rules(text: str, want: list[tuple[float, str, str]]) -> None:
    assert found(text) == want


def test_ranges_keep_both_ends() -> None:
    got = [
        (t.value, t.upper, t.measure, t.op) for t in find_targets("年内引进德国技术转移机构1-2家。")
    ]
    assert got == [(1, 2, "家", "range")]
    got = [
        (t.value, t.upper, t.measure) for t in find_targets("全年举办8-10场特色赛,招引企业1到2家")
    ]
    assert got == [(8, 10, "场"), (1, 2, "家")]
    got = [(t.value, t.upper, t.measure) for t in find_targets("新建新型研发机构3~5家。")]
    assert got == [(3, 5, "家")]
    assert found("建设10-5个站点。") == []  # a range must rise


# ------------------------------------------------------------------- measure words, magnitudes

MAGNITUDES: list[Row] = [
    ("全市科技研发人才总量达8.3万人以上。", [(8.3, "万人", "≥")]),
    ("产学研合同金额超2.8亿元。", [(2.8, "亿元", "≥")]),
    # 07: 亿立方米 with 以内
    ("到2020年,全市用水总量控制在11.88亿立方米以内。", [(11.88, "亿立方米", "≤")]),
    ("新增供水能力5万立方米/日。", [(5, "万立方米", "≥")]),
    # 06
    (
        "建成高标准农田8.3万亩,确保粮食总产稳定在120万吨以上。",
        [(8.3, "万亩", "≥"), (120, "万吨", "≥")],
    ),
    (
        "创建优质专用粮食生产基地62万亩,完成“三品一标”认证10个,建成长三角绿色农产品生产加工供应基地6个。",
        [(62, "万亩", "≥"), (10, "个", "≥"), (6, "个", "≥")],
    ),
    (
        "加快推动农业规模化经营,完成“一村一块田”改革试验20万亩,全县土地流转率达60%。",
        [(20, "万亩", "≥"), (60, "%", "≥")],
    ),
    # 14
    ("耕地保有量保持在2000.9万亩。", [(2000.9, "万亩", "≥")]),
    ("完成造林绿化面积3000公顷,森林覆盖率达到45%。", [(3000, "公顷", "≥"), (45, "%", "≥")]),
    ("新增光伏装机容量50万千瓦,建成储能电站100兆瓦。", [(50, "万千瓦", "≥"), (100, "兆瓦", "≥")]),
    ("开工建设15万平方米人才公寓。", [(15, "万平方米", "≥")]),
    (
        "改造老旧小区住宅面积120万平方米,涉及居民1.2万户。",
        [(120, "万平方米", "≥"), (1.2, "万户", "≥")],
    ),
    (
        "新增托位1200个,新建普惠性托育机构10所,新增养老床位500张。",
        [(1200, "个", "≥"), (10, "所", "≥"), (500, "张", "≥")],
    ),
    ("新增婴幼儿照护服务托位300个托位", [(300, "个托位", "≥")]),
    (
        "新增公共停车泊位2000个,新投放新能源公交车200辆,改造农村公路40公里。",
        [(2000, "个", "≥"), (200, "辆", "≥"), (40, "公里", "≥")],
    ),
    (
        "新建口袋公园20处,改造公厕50座,新增幼儿园班级30班",
        [(20, "处", "≥"), (50, "座", "≥"), (30, "班", "≥")],
    ),
    ("完成危险废物处置8万吨,新增污水处理能力10万吨。", [(8, "万吨", "≥"), (10, "万吨", "≥")]),
    (
        "实现地区生产总值1000亿,新增就业2万余人,培育企业300余家。",
        [(1000, "亿", "≥"), (2, "万人", ">"), (300, "家", ">")],
    ),
    ("开展胃肠癌联合筛查1万例以上。", [(1, "万例", "≥")]),
    ("新建生态公益性墓地15处,新增墓穴10000穴;", [(15, "处", "≥"), (10000, "穴", "≥")]),
    (
        "新增城镇就业岗位10万个以上,城镇登记失业率控制在4.5%以内。",
        [(10, "万个", "≥"), (4.5, "%", "≤")],
    ),
    (
        "完成城镇失业人员培训2.6万人,帮助5万名失业人员实现再就业",
        [(2.6, "万人", "≥"), (5, "万名", "≥")],
    ),
    (
        "实际利用外资3.5亿美元,外贸进出口总额达到1,200亿元。",
        [(3.5, "亿美元", "≥"), (1200, "亿元", "≥")],
    ),
]


@pytest.mark.parametrize(("text", "want"), MAGNITUDES)
def test_magnitudes_and_measure_words(text: str, want: list[tuple[float, str, str]]) -> None:
    assert found(text) == want


def test_public_measures_are_simplified_and_safe_for_item_references() -> None:
    assert "万亩" in MEASURES and "亿立方米" in MEASURES and "万吨" in MEASURES
    assert "萬" not in "".join(MEASURES)
    # a reply "4 处理中" must stay a reference to item 4: these are target-only words
    for word in ("处", "张", "起", "村", "班", "间"):
        assert word not in MEASURES


# --------------------------------------------------------------------- Traditional Chinese

TRADITIONAL: list[Row] = [
    # 20: 為民興辦10件實事 (items 1.–10. run on in one paragraph)
    ("1.新修高標準基本農田10萬畝。", [(10, "万亩", "≥")]),
    ("2.引入社會資金2億元,建成1所縣城九年制學校。", [(2, "亿元", "≥"), (1, "所", "≥")]),
    ("3.完成縣城小學新建和三角城小學遷建工程,建成40所標準化學校。", [(40, "所", "≥")]),
    ("4.改造農村危舊房1320戶,完成計生“兩戶”家庭建房100戶。", [(1320, "户", "≥"), (100, "户", "≥")]),
    ("6.新增城鎮就業2300人,開展職業技能培訓800人(次)。", [(2300, "人", "≥"), (800, "人次", "≥")]),
    ("7.改造路網及村內道路160公里。", [(160, "公里", "≥")]),
    ("7.改造路網及村內道路160公裡。", [(160, "公里", "≥")]),
    ("8.實施光伏扶貧項目,推廣光伏發電2100戶。", [(2100, "户", "≥")]),
    ("9.建成南坡灣、潘家坪調蓄水庫及水廠。10.完成興隆山水源涵養區保護工程。", []),
    # 19, pinyin junk included
    ("解決劉坪、中山等鄉(xiāng)鎮(zhèn)4萬(wàn)人的飲水不安全問(wèn)題", [(4, "万人", "≥")]),
    (
        "完成城南片區(qū)棚戶區(qū)改造500套,建成公共租賃住房634套",
        [(500, "套", "≥"), (634, "套", "≥")],
    ),
    ("改造農(nóng)村校舍面積4.2萬(wàn)平方米", [(4.2, "万平方米", "≥")]),
    (
        "建設(shè)農(nóng)村公路500公里,基本實(shí)現(xiàn)建制村通暢工程全覆蓋",
        [(500, "公里", "≥")],
    ),
    ("改造農(nóng)村危舊房2000戶", [(2000, "户", "≥")]),
    (
        "實施110村農(nóng)村公益事業(yè)“一事一議”財(cái)政獎(jiǎng)補(bǔ)項(xiàng)目,硬化村莊巷道50公里",
        [(110, "村", "≥"), (50, "公里", "≥")],
    ),
    (
        "實施“保護(hù)視力、提高成績(jī)”項(xiàng)目,為4000名小學生免費(fèi)篩查配鏡",
        [(4000, "名", "≥")],
    ),
    ("完成秦南路南小河橋至花船子3.4公里道路拓寬改造工程", [(3.4, "公里", "≥")]),
    # scope numbers of 等-lists are not targets
    ("實施蓮花中小等59所改善義務(wù)教育薄弱學校項(xiàng)目", []),
    ("完成隴城上袁等31村扶貧開(kāi)發(fā)整村推進(jìn)項(xiàng)目建設(shè)", []),
    # invented, same family
    (
        "新增養老床位300張,新建村級衛生室25個,培訓農民工1.5萬人次。",
        [(300, "张", "≥"), (25, "个", "≥"), (1.5, "万人次", "≥")],
    ),
    (
        "新建溫室大棚500畝,發展設施農業2000畝以上,新打機井30眼。",
        [(500, "亩", "≥"), (2000, "亩", "≥"), (30, "眼", "≥")],
    ),
    (
        "全年新增就業崗位不少於3000個,城鎮登記失業率控制在4%以內。",
        [(3000, "个", "≥"), (4, "%", "≤")],
    ),
    ("新購置公交車輛50輛,建成充電樁200臺。", [(50, "辆", "≥"), (200, "台", "≥")]),
    ("改建校舍3.2萬平方米,新建標準化考場12間。", [(3.2, "万平方米", "≥"), (12, "间", "≥")]),
    ("會上確定2016年縣委縣政府為民興辦10件實事。", []),
    ("將集中力量辦好十件民生實(shí)事。", []),
]


@pytest.mark.parametrize(("text", "want"), TRADITIONAL)
def test_traditional_chinese(text: str, want: list[tuple[float, str, str]]) -> None:
    assert found(text) == want


def test_traditional_text_is_kept_as_written() -> None:
    texts = [t.text for t in find_targets("新修高標準基本農田10萬畝,改造農村危舊房1320戶")]
    assert texts == ["10萬畝", "1320戶"]
    # pinyin glosses are dropped from the phrase
    assert [t.text for t in find_targets("解決鄉(xiāng)鎮(zhèn)4萬(wàn)人的飲水問題")] == ["4萬人"]


def test_folded_measure_matches_a_simplified_reply() -> None:
    target = find_targets("新修高標準基本農田10萬畝。")[0]
    reading = read_progress("已完成6万亩", targets=[target], today=date(2016, 10, 10))
    assert reading.value == 6 and reading.target_text == "10萬畝"


# ----------------------------------------------------------------------- lists and percents

LISTS: list[Row] = [
    # 01
    ("4.财政总收入增长10.8%,一般公共预算收入增长10%。", [(10.8, "%", "≥"), (10, "%", "≥")]),
    ("1.地区生产总值增长10%左右。", [(10, "%", "≈")]),
    ("5.固定资产投资增长20%以上。", [(20, "%", "≥")]),
    (
        "7.高新技术产业增加值占GDP比重达到12%,企业研发投入增长15%。",
        [(12, "%", "≥"), (15, "%", "≥")],
    ),
    # 07: 2015 is the baseline year, 2020 the horizon
    (
        "到2020年,全市万元国内生产总值用水量、万元工业增加值用水量比2015年分别下降24%、25%以上。",
        [(24, "%", "≥"), (25, "%", "≥")],
    ),
    # 03: quarterly shares are the steps toward the year-end figure: only the last is a target
    ("一、二、三、四季度,占比分别达18%、19%、20%、21%", [(21, "%", "≥")]),
    ("一、二、三、四季度分别完成9%、12%、15%、18%", [(18, "%", "≥")]),
    ("年末,全县高新技术产业增加值占地区生产总值比重达到21%", [(21, "%", "≥")]),
    # 08
    ("1.生产总值增长12%。", [(12, "%", "≥")]),
    ("4.市区居民人均可支配收入增长7%,农民人均纯收入增长7.5%。", [(7, "%", "≥"), (7.5, "%", "≥")]),
    (
        "单位生产总值能耗下降3.5%,主要污染物排放量减少2个百分点。",
        [(3.5, "%", "≥"), (2, "个百分点", "≥")],
    ),
    (
        "引进产业类创新人才500名,科技创业人才100名,科技服务业人才50名;争取省“双创团队”2个;培训科技型企业家350名。",
        [(500, "名", "≥"), (100, "名", "≥"), (50, "名", "≥"), (2, "个", "≥"), (350, "名", "≥")],
    ),
    # 09
    ("3.新辟公交线路10条,优化调整20条。", [(10, "条", "≥"), (20, "条", "≥")]),
    ("4.新投放公共自行车3000辆,新增100个网点。", [(3000, "辆", "≥"), (100, "个", "≥")]),
    ("2.新增安装300套路口交通信息视频采集设备。", [(300, "套", "≥")]),
]


@pytest.mark.parametrize(("text", "want"), LISTS)
def test_percent_and_count_lists(text: str, want: list[tuple[float, str, str]]) -> None:
    assert found(text) == want


# ------------------------------------------------------------------------------ dated steps

STEPS: list[Row] = [
    # 04: cumulative steps inside a 实施计划 cell; the last one is the total
    (
        "1.婴幼儿照护服务成长驿站:3月底前新建成2家;6月底前新建成2家;9月底前完成7家建设任务。",
        [(7, "家", "≥")],
    ),
    (
        "2.婴幼儿照护服务托位:3月底前新增100个以上托位;6月底前新增200个以上托位;9月底前完成500个托位。",
        [(500, "个托位", "≥")],
    ),
    ("上半年完成投资5亿元,年底前完成投资12亿元。", [(12, "亿元", "≥")]),
    ("一季度完成30%,上半年完成60%,前三季度完成85%,年底全面完成100%。", [(100, "%", "≥")]),
    # one date with several figures is not a chain
    ("6月底前新建2家、改造3家。", [(2, "家", "≥"), (3, "家", "≥")]),
    ("年底前新增高企50家、众创空间10家。", [(50, "家", "≥"), (10, "家", "≥")]),
    ("6月底前完成10家企业诊断。", [(10, "家", "≥")]),
    # different measures are different targets
    ("3月底前新建成驿站2家;6月底前新增托位200个。", [(2, "家", "≥"), (200, "个", "≥")]),
    # a chain ends with its sentence
    ("6月底前新建成2家。9月底前新建成3家。", [(2, "家", "≥"), (3, "家", "≥")]),
]


@pytest.mark.parametrize(("text", "want"), STEPS)
def test_dated_steps_toward_a_total_are_milestones(
    text: str, want: list[tuple[float, str, str]]
) -> None:
    assert found(text) == want


# -------------------------------------------------------------------------------- breakdowns

BREAKDOWNS: list[Row] = [
    ("新建学校12所,其中小学8所、初中4所。", [(12, "所", "≥")]),
    ("培育高企120家(其中省级以上30家)", [(120, "家", "≥")]),
    ("新增市级以上企业研发机构120家(其中省级以上30家)。", [(120, "家", "≥")]),
    ("建设5G基站1000个(含改造升级200个),实现城区全覆盖。", [(1000, "个", "≥")]),
    ("培训农村劳动力5000人,包括新型职业农民1200人、退役军人300人。", [(5000, "人", "≥")]),
    # 08: the breakdown runs over ";" within its sentence
    (
        "全市生产总值增长12%,总量达到2790亿元。其中一产增加值138亿元,增长5%;二产增加值1543亿元,增长12%;"
        "三产增加值1109亿元,增长13%。",
        [(12, "%", "≥"), (2790, "亿元", "≥")],
    ),
    (
        "一般预算收入522.5亿元,比上年增长12%,其中地方财政收入237.9亿元,比上年增长12%。",
        [(522.5, "亿元", "≥"), (12, "%", "≥")],
    ),
    ("全年投资发展公司实现收入2000万元,其中经营性物业收入1200万元。", [(2000, "万元", "≥")]),
    # a part with its own commitment is a sub-target the plan sets (seed gold)
    (
        "新增市级以上众创空间、孵化器等科技创业平台超20家,其中省级以上超10家。",
        [(20, "家", "≥"), (10, "家", "≥")],
    ),
    ("全年规上企业超110家,其中新增亿元企业3家。", [(110, "家", "≥"), (3, "家", "≥")]),
    (
        "全年各类报道总数不少于300篇,其中中央及全国性媒体不少于10篇,省级媒体不少于20篇;修订完善制度文件",
        [(300, "篇", "≥"), (10, "篇", "≥"), (20, "篇", "≥")],
    ),
    # a new task after ";" ends the breakdown
    ("新建学校12所,其中小学8所;改造农村危旧房2000户。", [(12, "所", "≥"), (2000, "户", "≥")]),
    ("新建幼儿园6所,其中公办4所。新增学位2700个。", [(6, "所", "≥"), (2700, "个", "≥")]),
]


@pytest.mark.parametrize(("text", "want"), BREAKDOWNS)
def test_a_total_beats_its_breakdown(text: str, want: list[tuple[float, str, str]]) -> None:
    assert found(text) == want


# ------------------------------------------------------------------------------ not targets

NOT_TARGETS: list[Row] = [
    # ordinals and references (03, 12, 19)
    (
        "强化科技创新,确保发明专利达到省定小康标准(“六大工程”重点目标任务,县政府主要工作任务第101项)",
        [],
    ),
    ("(县政府主要工作任务第111项)", []),
    ("积极争取承办第十二届中国创新创业大赛,组织参加第3届进博会", []),
    ("秦安縣第十七屆人民代表大會第四次會議", []),
    # names and codes with digits (17, 13)
    ("举办2021福布斯·静安南京西路论坛。着力提升静安寺商圈能级,完成九百世纪食品商城升级改造", []),
    ("推进S307线、国道107线改造,加快5G网络和工业互联网4.0建设", []),
    ("1.轨道交通1号线一期工程投入试运营。", []),
    ("深刻认识新时代10年伟大变革的深远历史意义", []),
    # plant sizes and money as attributes (13)
    ("推进东部石化基地、南沙临港石化基地建设,抓好80万吨乙烯改扩建项目。", []),
    ("建设年产10万吨生产线,引进投资5000万元的项目", []),
    ("对销售5000万元—4亿元的科技型企业实现全覆盖", []),
    # years, dates, baselines
    ("到2020年,电力、钢铁、纺织印染等高耗水行业达到国内先进定额标准。", []),
    ("每月13日、28日定期报送每半月完成情况及下半月工作目标任务", []),
    ("①以2015年末人口数为依据,将任务分解下达至各乡镇", []),
    # 九年制, 两户, 一是/二是
    ("建成縣城九年制學校,落實計生兩戶家庭優惠政策", []),
    ("一是正确处理政府与市场的关系。二是合理划分市里和县(市)区的责任。", []),
    # title counts
    ("这十件民生实事分别是:", []),
    ("为民兴办10件实事", []),
    # counts of what exists
    ("聚焦全市13个重点产业链(集群),对全县18个乡镇农资市场进行检查", []),
    ("在科教城原有5平方公里基础上,联合武进区共同编制科教城东扩规划", []),
    # a count in passing, not governed by a target verb
    ("发展技术交易中心、科技金融服务中心、科技创新云平台中心3个中心,推进中试基地等4个平台建设", []),
    # durations
    ("审批时限压缩至3个月以内,5个工作日内办结", []),
    # scores (03, 15, seed 002)
    (
        "园区高新技术产业增加值增长18%计5分,每增(减)1个百分点加(减)0.2分,加(减)分不超过5分。",
        [(18, "%", "≥")],
    ),
    ("向上报送各类信息录用得分210分以上", []),
    ("考核得分90分", []),
    # rates and schedules
    ("每季度完成发明专利30件", []),
    ("每年举办2场推介会,每月报送1次进展", []),
]


@pytest.mark.parametrize(("text", "want"), NOT_TARGETS)
def test_not_targets(text: str, want: list[tuple[float, str, str]]) -> None:
    assert found(text) == want


def test_a_rating_in_points_is_a_target() -> None:
    assert found("群众满意度测评达到90分以上。") == [(90, "分", "≥")]


PROGRESS: list[Row] = [
    # 09: progress prose and a flattened per-district table after the item
    (
        "2.新增安装300套路口交通信息视频采集设备。 牵头领导:王仁洲 责任单位:市公安局 项目责任人:王伟标 "
        "配合单位:市城管局、市财政局 实际完成情况:中心设备调试、前端摄像机上杆安装等工作整体进度已完成年度目标任务的55%,"
        "项目按预期计划扎实有序推进。",
        [(300, "套", "≥")],
    ),
    (
        "3.新辟公交线路10条,优化调整20条。 牵头领导:王仁洲 责任单位:市交通委 鄞州 海曙、江东、江北 镇海 北仑 合计 "
        "新辟线路年度目标 2 5 1 2 10 实际完成 1 2 0 3 6 优化调整线路年度目标 6 9 1 4 20 实际完成 12 12 0 0 24",
        [(10, "条", "≥"), (20, "条", "≥")],
    ),
    ("整体进度已完成年度目标任务的55%", []),
    # 06: a 完成情况 cell, if it ever reaches the reader
    (
        "已累计完成“一村一块田”改革试验面积31.7万亩,全县土地流转面积138.133万亩,占“三调”面积的63.08%。",
        [],
    ),
    ("高标准农田8.3万亩正在施工中,整体进度70%", []),
    ("截至10月底,全市新增高企420家,完成年度目标的70%。", []),
    ("目前已建成3个示范点,年内新建示范点5个。", [(5, "个", "≥")]),  # 目前 holds its clause only
    # a 已 in a plan's "on the basis of" phrase does not make the sentence progress
    ("在已有基础上,新建示范村5个。", [(5, "个", "≥")]),
    # a change against last year restating the total
    (
        "市区居民人均可支配收入增长7%,达到18600元,比上年增加1200元。",
        [(7, "%", "≥"), (18600, "元", "≥")],
    ),
    ("城镇居民收入比上年增加1200元。", [(1200, "元", "≥")]),
]


@pytest.mark.parametrize(("text", "want"), PROGRESS)
def test_progress_is_not_a_target(text: str, want: list[tuple[float, str, str]]) -> None:
    assert found(text) == want


# ------------------------------------------------------------------------- target columns

COLUMN: list[Row] = [
    # 12
    ("增长5.5%(市下达指标)", [(5.5, "%", "≥")]),
    ("增长6%", [(6, "%", "≥")]),
    # 15: the measure is in a header that was not captured
    ("186", [(186, "", "≥")]),
    ("18.4", [(18.4, "", "≥")]),
    ("10000", [(10000, "", "≥")]),
    ("低于 4.1", [(4.1, "", "≤")]),
    ("新引进 5 亿元以上重大项目 / 9", [(9, "", "≥")]),
    ("年终根据全省平均水平综合考核", []),
    ("年终按财政部认可警戒线比较考核", []),
    # invented, same family
    ("≥95%", [(95, "%", "≥")]),
    ("不低于 90", [(90, "", "≥")]),
    ("控制在3以内", [(3, "", "≤")]),
    ("约 60", [(60, "", "≈")]),
    ("1,500", [(1500, "", "≥")]),
    ("新增高新技术企业30家", [(30, "家", "≥")]),
    ("全市前列", []),
    ("2019年底前", []),
    ("5G", []),
    # a flattened row of numbers is not one target
    ("2 5 1 2 10", []),
]


@pytest.mark.parametrize(("text", "want"), COLUMN)
def test_target_column(text: str, want: list[tuple[float, str, str]]) -> None:
    assert found(text, column=True) == want


def test_target_column_range_and_text() -> None:
    (t,) = find_targets("3-5", column=True)
    assert (t.value, t.upper, t.measure, t.op, t.text) == (3, 5, "", "range", "3-5")
    (t,) = find_targets("低于 4.1", column=True)
    assert t.text == "低于 4.1"


def test_bare_numbers_are_not_targets_in_prose() -> None:
    assert found("186") == []
    assert found("新辟线路年度目标 2 5 1 2 10") == []


# ----------------------------------------------------------------- whole lines of the corpus

CORPUS = Path(__file__).resolve().parent / "data" / "corpus"


def corpus_line(prefix: str, starts: str) -> str:
    (path,) = [p for p in CORPUS.glob(f"{prefix}_*.txt") if not p.name.endswith(".source.txt")]
    return next(line for line in path.read_text(encoding="utf-8").splitlines() if starts in line)


def test_corpus_19_ten_tasks_in_one_sentence() -> None:
    line = corpus_line("19", "這十件民生")
    assert found(line) == [
        (3.4, "公里", "≥"),
        (500, "套", "≥"),
        (634, "套", "≥"),
        (4, "万人", "≥"),
        (4.2, "万平方米", "≥"),
        (500, "公里", "≥"),
        (2000, "户", "≥"),
        (110, "村", "≥"),
        (50, "公里", "≥"),
        (4000, "名", "≥"),
    ]  # not 十件 (a title), 59所 / 31村 (等-lists)


def test_corpus_20_ten_tasks_in_one_paragraph() -> None:
    line = corpus_line("20", "這十件實事是")
    assert [t.text for t in find_targets(line)] == [
        "10萬畝",
        "2億元",
        "1所",
        "40所",
        "1320戶",
        "100戶",
        "2300人",
        "800人(次)",
        "160公里",
        "2100戶",
    ]  # not 九年制, not “兩戶”
    assert find_targets(corpus_line("20", "為民興辦")) == []


def test_corpus_09_progress_page_on_one_line() -> None:
    line = corpus_line("09", "实际完成情况")
    assert found(line) == [
        (300, "套", "≥"),
        (10, "条", "≥"),
        (20, "条", "≥"),
        (3000, "辆", "≥"),
        (100, "个", "≥"),
    ]  # not 42项任务, 1号线, 55%, nor the district tables' number runs


def test_corpus_07_rows_flattened_with_spaces() -> None:
    assert found(corpus_line("07", "11.88")) == [(11.88, "亿立方米", "≤")]
    assert found(corpus_line("07", "24%")) == [(24, "%", "≥"), (25, "%", "≥")]
    assert found(corpus_line("07", "抓好工业节水")) == []


def test_corpus_13_and_17_have_no_targets() -> None:
    for prefix in ("13", "17"):
        (path,) = [p for p in CORPUS.glob(f"{prefix}_*.txt") if not p.name.endswith(".source.txt")]
        for line in path.read_text(encoding="utf-8").splitlines():
            assert find_targets(line) == [], line


def test_corpus_15_target_column_cells() -> None:
    (path,) = [p for p in CORPUS.glob("15_*.txt") if not p.name.endswith(".source.txt")]
    lines = path.read_text(encoding="utf-8").splitlines()
    cells = lines[lines.index("全社会固定资产投资额") :]
    # the cell after each score (分值) is the target cell, when the row has one
    values = {
        cells[i - 2]: found(cells[i], column=True)
        for i in range(2, len(cells))
        if cells[i - 1] in ("0.5", "1", "2", "3")
    }
    assert values["全社会固定资产投资额"] == [(186, "", "≥")]
    assert values["完成重点项目年度投资计划"] == [(18.4, "", "≥")]
    assert values["新引进 5 亿元以上重大项目"] == [(9, "", "≥")]
    assert values["城镇登记失业率"] == [(4.1, "", "≤")]
    assert values["地方政府债务率"] == []


# ------------------------------------------------------------------------- the Target itself


def test_target_text_is_the_phrase_as_written() -> None:
    got = find_targets(
        "技术合同成交额达400亿元,引进人才30人(团队)以上,用水总量控制在11.88亿立方米以内。"
    )
    assert got == [
        Target("达400亿元", 400, "亿元", "≥"),
        Target("30人(团队)以上", 30, "人", "≥"),
        Target("控制在11.88亿立方米以内", 11.88, "亿立方米", "≤"),
    ]


# ------------------------------------------------------------------------------ speed, safety


def test_fast_on_a_large_import_and_on_hostile_text() -> None:
    rows = [text for text, _ in KEPT_RULES + MAGNITUDES + TRADITIONAL + LISTS + BREAKDOWNS]
    items = (rows * (2000 // len(rows) + 1))[:2000]
    for text in items:
        find_targets(text)  # every row read (the speed is bench/import_bench.py's business)

    def took(text: str) -> float:
        start = time.perf_counter()
        find_targets(text)
        find_targets(text, column=True)
        return time.perf_counter() - start

    # hostile text costs time in proportion to its length: ten times the text, about ten
    # times the time (side by side, so a busy machine slows both); backtracking would be 100x
    for unit, times in (("1", 20000), ("一", 20000), ("其中", 5000), ("(", 5000), ("1 ", 10000)):
        small = min(took(unit * (times // 10) + "家") for _ in range(3))
        large = min(took(unit * times + "家") for _ in range(2))
        assert large < max(small, 1e-3) * 40, (unit, small, large)


@pytest.mark.parametrize(
    "text", ["", " ", "。", "(", "《", "第", "等", "其中", "1e308家", "9" * 400 + "家"]
)
def test_odd_input_does_not_break(text: str) -> None:
    for t in find_targets(text) + find_targets(text, column=True):
        assert t.value == t.value and t.value < float("inf")
