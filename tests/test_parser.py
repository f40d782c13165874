"""The importer against the five real seeds (tests/data/fixtures/seeds-gold.json) and its rules."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from plans.documents.parser import PlanFormatError, make_title, parse_text
from plans.documents.sources import parse_file
from plans.model import Plan
from plans.text import extract_body, plan_year

DATA = Path(__file__).resolve().parent / "data"
GOLD = json.loads((DATA / "fixtures" / "seeds-gold.json").read_text(encoding="utf-8"))["plans"]


@pytest.fixture(scope="module", params=sorted(GOLD))
def seed(request: pytest.FixtureRequest) -> tuple[str, Plan, dict]:
    name = request.param
    return name, parse_file(DATA / "seeds" / name).plan, GOLD[name]


def test_seed_year_count_and_default_units(seed: tuple[str, Plan, dict]) -> None:
    _, plan, gold = seed
    assert plan.year == gold["year"]
    assert len(plan.items) == gold["item_count"]
    assert list(plan.default_units) == gold.get("default_units", [])


def test_seed_items_meet_gold(seed: tuple[str, Plan, dict]) -> None:
    _, plan, gold = seed
    for want, item in zip(gold["items"], plan.items, strict=True):
        where = f"item {want['seq']}"
        assert item.seq == want["seq"], where
        assert item.number == want["number"], where
        assert item.kind == want["kind"], where
        assert item.title.startswith(want["title_prefix"]), (where, item.title)
        assert len(item.title) <= 60, (where, item.title)
        assert item.deadline is not None
        assert item.deadline.isoformat() == want["deadline"], where
        found = [(t.value, t.measure) for t in item.targets]
        for value, measure in want.get("targets", []):
            assert (float(value), measure) in found, (where, value, measure, found)
            found.remove((float(value), measure))  # repeated targets must each be found
        for low, high, measure in want.get("ranges", []):
            assert any(
                t.op == "range" and (t.value, t.upper, t.measure) == (low, high, measure)
                for t in item.targets
            ), (where, low, high, measure)
        dates = {m.date.isoformat() for m in item.milestones} | {item.deadline.isoformat()}
        for milestone in want.get("milestones", []):
            assert milestone in dates, (where, milestone)


def test_seed_units_meet_gold(seed: tuple[str, Plan, dict]) -> None:
    _, plan, gold = seed
    defaults = gold.get("default_units", [])
    for want, item in zip(gold["items"], plan.items, strict=True):
        names = [u.name for u in item.units]
        if "units" not in want:
            assert names == [], (want["seq"], names)  # no false units in plans that name none
            continue
        own = [u.name for u in item.units if not (u.role == "support" and u.name in defaults)]
        if want["seq"] == 1:
            own = names
        assert own == want["units"], want["seq"]
        if want["seq"] > 1:
            for name in defaults:
                assert any(u.name == name and u.role == "support" for u in item.units)


def test_seed_000_keeps_unit_annotations_out_of_text() -> None:
    plan = parse_file(DATA / "seeds" / "000_0585e7f56649ebe7.txt").plan
    assert all("责任单位" not in i.text for i in plan.items)
    assert all("扫一扫" not in i.text for i in plan.items)  # footer furniture stripped
    assert plan.items[0].path == ("一、", "(一)")
    assert plan.items[2].path == ("二、", "(一)")  # numbering restarts in section 二


def test_seed_002_milestones_keep_their_phrases() -> None:
    plan = parse_file(DATA / "seeds" / "002_c19ef93a40d4afc0.txt").plan
    item = plan.items[17]
    by_date = {m.date: m.text for m in item.milestones}
    assert by_date[date(2020, 10, 31)] == "青峰创元大厦10月竣工投用"
    assert item.deadline == date(2020, 12, 31)
    assert item.deadline_text == "下半年"


def test_seed_003_indicators_then_tasks() -> None:
    plan = parse_file(DATA / "seeds" / "003_a1b9d9430421bfe0.txt").plan
    kinds = [i.kind for i in plan.items]
    assert kinds == ["indicator"] * 8 + ["task"] * 12
    assert [i.path for i in plan.items[8:10]] == [("(一)", "1."), ("(一)", "2.")]


def test_no_false_targets_from_idioms_and_names() -> None:
    plan = parse_text(
        "2024年工作要点\n一、加强党建\n"
        "1.落实“三个区分开来”,推进“532”发展战略,围绕等5个重点产业链,"
        "实施5000万元以上科技成果转化项目30个以上,打造一支过硬队伍,培育创新50强企业,"
        "支持销售5000万元以下的企业,新增亿元企业3家,推进G60科创走廊和科技新政4.0版。\n"
    )
    texts = [t.text for t in plan.items[0].targets]
    assert texts == ["30个以上", "3家"]


def test_target_ops_and_magnitudes() -> None:
    plan = parse_text(
        "2024年工作要点\n一、目标\n"
        "1.技术合同成交额达400亿元,研发人员达8.3万人以上,引进人才不少于20名。\n"
        "2.实施专项30项左右,举办活动8-10场,招引企业1到2家,能耗控制在5%以内,超百项。\n"
    )
    first = [(t.value, t.measure, t.op) for t in plan.items[0].targets]
    assert first == [(400, "亿元", "≥"), (8.3, "万人", "≥"), (20, "名", "≥")]
    second = [(t.value, t.upper, t.measure, t.op) for t in plan.items[1].targets]
    assert second == [
        (30, None, "项", "≈"),
        (8, 10, "场", "range"),
        (1, 2, "家", "range"),
        (5, None, "%", "≤"),
        (100, None, "项", "≥"),
    ]


@pytest.mark.parametrize(
    ("phrase", "due"),
    [
        ("年内完成", date(2024, 12, 31)),
        ("年底前完成", date(2024, 12, 31)),
        ("上半年完成", date(2024, 6, 30)),
        ("三季度完成", date(2024, 9, 30)),
        ("第二季度完成", date(2024, 6, 30)),
        ("前三季度完成", date(2024, 9, 30)),
        ("10月竣工投用", date(2024, 10, 31)),
        ("6月底前完成", date(2024, 6, 30)),
        ("2月份完成", date(2024, 2, 29)),
        ("5月上旬完成", date(2024, 5, 10)),
        ("5月中旬完成", date(2024, 5, 20)),
        ("2024年8月15日前完成", date(2024, 8, 15)),
        ("推进有关工作", date(2024, 12, 31)),
    ],
)
def test_deadline_phrases(phrase: str, due: date) -> None:
    plan = parse_text(f"2024年工作要点\n一、任务\n1.推进某项工作,{phrase}。\n")
    assert plan.items[0].deadline == due
    assert plan.items[0].deadline_text in phrase or plan.items[0].deadline_text == ""


def test_next_year_in_a_plan_dated_the_year_before() -> None:
    text = "关于2025年工作要点\n2025年工作要点\n2024年12月20日\n一、任务\n1.明年6月底前建成平台。\n"
    plan = parse_text(text)
    assert plan.year == 2025
    assert plan.items[0].deadline == date(2025, 6, 30)


def test_units_whole_names_siblings_roles_and_defaults() -> None:
    text = (
        "某局2024年工作要点\n一、任务\n"
        "1.推进甲工作。(责任单位:局创新处、高新处,各辖市、区科技局,各区、县级市)\n"
        "2.推进乙工作。(牵头单位:局规划处,配合单位:农社处、各有关区、县级市)\n"
        "3.推进丙工作。[责任单位:局办公室。以下各项均需各辖市、区科技局落实,不再单独列出]\n"
        "4.推进丁工作。\n牵头单位:局科服处\n"
        "5.加快构建龙头企业牵头、高校院所支撑的创新联合体。\n"
        "6.推进戊工作。(局引智处牵头,局对外合作处配合)\n"
    )
    items = parse_text(text).items
    assert [(u.name, u.role) for u in items[0].units] == [
        ("局创新处", "lead"),
        ("局高新处", "lead"),
        ("各辖市、区科技局", "lead"),
        ("各区、县级市", "lead"),
    ]
    assert [(u.name, u.role) for u in items[1].units] == [
        ("局规划处", "lead"),
        ("局农社处", "support"),
        ("各有关区、县级市", "support"),
    ]
    assert [u.name for u in items[2].units] == ["局办公室"]
    assert [(u.name, u.role) for u in items[3].units] == [
        ("局科服处", "lead"),
        ("各辖市、区科技局", "support"),
    ]
    # prose "龙头企业牵头" is not an assignment; only the default unit applies
    assert [u.name for u in items[4].units] == ["各辖市、区科技局"]
    assert [(u.name, u.role) for u in items[5].units][:2] == [
        ("局引智处", "lead"),
        ("局对外合作处", "support"),
    ]


def test_first_listed_unit_leads_when_the_plan_says_so() -> None:
    text = (
        "某局2024年工作要点\n(排在第一位的为牵头单位)\n一、任务\n"
        "1.推进甲工作。(责任单位:局创新处、局高新处)\n"
    )
    units = parse_text(text).items[0].units
    assert [(u.name, u.role) for u in units] == [("局创新处", "lead"), ("局高新处", "support")]


def test_headings_versus_items_and_parenthesised_numbers() -> None:
    text = (
        "2024年工作要点\n"
        "一、总体思路\n坚持稳中求进。\n"
        "二、重点任务\n"
        "(一)强化企业主体\n"
        "1.培育高企。新增高企100家。\n"
        "(1)细化一。\n(2)细化二。\n"
        "2.培育科技型中小企业。\n"
        "(二)建设创新平台。新建平台5个。\n"
    )
    plan = parse_text(text)
    assert [i.number for i in plan.items] == ["(1)", "(2)", "2.", "(二)"]
    assert plan.items[0].path == ("二、", "(一)", "1.", "(1)")


def test_main_targets_heading_makes_indicators() -> None:
    text = "2024年工作要点\n一、主要预期目标\n1.研发投入占比达3.5%。\n2.新增高企200家。\n二、重点任务\n1.推进改革。\n"
    plan = parse_text(text)
    assert [i.kind for i in plan.items] == ["indicator", "indicator", "task"]


def test_long_first_sentence_is_cut_at_a_natural_boundary() -> None:
    long = "推进" + "甲" * 40 + "工作," + "乙" * 40 + "。"
    assert make_title(long) == "推进" + "甲" * 40 + "工作"
    assert len(make_title("丙" * 200)) == 60


def test_title_and_year_rules() -> None:
    assert plan_year("嘉兴市科技局2024年工作总结和2025年工作计划") == 2025
    assert plan_year("2023年工作要点") == 2023
    body = extract_body(
        "您当前的位置:首页 >> 正文\n浏览次数:\n关于印发《某局2022年工作要点》的通知\n"
        "现将《某局2022年工作要点》印发给你们,请认真贯彻执行。\n某局\n2022年1月5日\n"
        "某局2022年工作要点\n一、任务\n1.推进。\n苏ICP备05003616号\n"
    )
    assert body.title == "某局2022年工作要点"
    assert body.document_date == date(2022, 1, 5)
    assert body.lines == ["一、任务", "1.推进。"]


def test_full_width_input_is_normalised() -> None:
    plan = parse_text(
        "２０２４年工作要点\n一、任务\n１．推进甲工作，新增平台１０个。（责任单位：局高新处）\n"
    )
    item = plan.items[0]
    assert item.number == "1."
    assert [u.name for u in item.units] == ["局高新处"]
    assert [(t.value, t.measure) for t in item.targets] == [(10, "个")]


def test_document_without_items_is_refused() -> None:
    with pytest.raises(PlanFormatError, match="no numbered items"):
        parse_text("2024年工作要点\n今年要做好各项工作。\n")


def test_json_shape_is_the_interface() -> None:
    data = parse_file(DATA / "seeds" / "002_c19ef93a40d4afc0.txt").plan.to_json()
    assert set(data) == {"title", "year", "default_units", "items"}
    item = data["items"][1]
    assert set(item) == {
        "seq", "number", "path", "kind", "title", "text", "units",
        "deadline", "deadline_text", "milestones", "targets",
    }  # fmt: skip
    assert item["targets"][0] == {
        "text": "1-2家", "value": 1, "upper": 2, "measure": "家", "op": "range",
    }  # fmt: skip
    json.dumps(data, ensure_ascii=False)  # serialisable as is


def test_attachments_signature_and_cc_lines_are_not_plan_text() -> None:
    text = (
        "2024年工作要点\n一、任务\n1.推进甲工作。\n2.推进乙工作。(责任单位:局办公室)\n"
        "云溪市科技局办公室\n2024年2月10日\n抄送:市委办公室。\n"
        "云溪市科技局办公室 2024年2月10日印发\n附件:1.任务分解表\n2.联系人名单\n"
    )
    items = parse_text(text).items
    assert [(i.number, i.text, i.milestones) for i in items] == [
        ("1.", "推进甲工作。", ()),
        ("2.", "推进乙工作。", ()),
    ]


# ------------------------------------------------------------------ 完成时限 beside the units


@pytest.mark.parametrize(
    ("line", "deadline", "phrase"),
    [
        (
            "1.建设科技创新平台。(责任单位:局高新处;完成时限:2023年6月底)",
            date(2023, 6, 30),
            "2023年6月底",
        ),
        ("1.建设科技创新平台。(完成时限:9月底;责任单位:局高新处)", date(2023, 9, 30), "9月底"),
        ("1.建设科技创新平台。(完成时限:10月底)", date(2023, 10, 31), "10月底"),
        ("1.深化科技体制改革。(责任单位:局政策法规处;时限要求:长期坚持)", None, "长期坚持"),
        (
            "1.建设科技创新平台。\n责任单位:局高新处\n完成时间:2023年11月",
            date(2023, 11, 30),
            "2023年11月",
        ),
    ],
)
def test_a_deadline_field_beside_the_units_is_the_deadline_and_leaves_the_text(
    line: str, deadline: date | None, phrase: str
) -> None:
    plan = parse_text(f"市科技局2023年工作要点\n{line}\n")
    (item,) = plan.items
    assert item.deadline == deadline
    assert item.deadline_text == phrase
    assert "时限" not in item.text and "完成时间" not in item.text
    assert item.text.startswith("建设科技创新平台") or item.text.startswith("深化科技体制改革")
    assert [u.name for u in item.units] in (["局高新处"], ["局政策法规处"], [])


def test_a_closing_bracket_with_units_and_a_date_gives_both() -> None:
    """(法规与标准处,2025年9月30日前): the bracket names the unit and when the item is due; the
    stated date is the deadline even where the task says 年内 for its target."""
    plan = parse_text(
        "临江市生态环境局2025年工作要点\n一、监管\n"
        "1.推进排污许可管理,年内核发许可证150张。(法规与标准处,2025年9月30日前)\n"
        "2.完成入河排污口整治。(水生态环境处、临江区分局,6月底前)\n"
        "3.开展专项检查。(执法支队,持续推进)\n"
        "4.做好信息公开工作。(办公室)\n"
    )
    got = [([u.name for u in i.units], i.deadline, i.deadline_text) for i in plan.items]
    assert got == [
        (["法规与标准处"], date(2025, 9, 30), "2025年9月30日"),
        (["水生态环境处", "临江区分局"], date(2025, 6, 30), "6月底"),
        (["执法支队"], None, "持续推进"),
        (["办公室"], date(2025, 12, 31), ""),
    ]
    assert all("(" not in i.text for i in plan.items)


def test_labels_without_their_unit_word() -> None:
    """牵头:/责任:/配合: name units like 牵头单位: does -- but not inside a sentence
    (落实主体责任:…), and 牵头领导: stays a person."""
    plan = parse_text(
        "2025年工作要点\n一、党建\n"
        "1.深化清廉机关建设。牵头:机关党委;责任:各处室、各直属单位。全年。\n"
        "2.推进规范化建设(牵头:办公室;配合:人事处)\n"
        "3.落实全面从严治党主体责任:一是压实责任。(局办公室)\n"
        "4.办好民生实事。牵头领导:张三 牵头:民生处\n"
    )
    got = [[(u.name, u.role) for u in i.units] for i in plan.items]
    assert got == [
        [("机关党委", "lead"), ("各处室", "support"), ("各直属单位", "support")],
        [("办公室", "lead"), ("人事处", "support")],
        [("局办公室", "lead")],
        [("民生处", "lead")],
    ]
    assert plan.items[0].deadline_text == "全年"
    assert "主体责任:一是压实责任" in plan.items[2].text


def test_units_on_a_heading_are_the_units_of_its_items() -> None:
    """A heading "(一)外贸提质。(责任单位:外贸科)" over items that name no lead: the heading's units are
    theirs (an item's own 配合 units come after them); an item naming its own lead keeps it; the
    heading's title drops the annotation."""
    plan = parse_text(
        "江北区商务局2026年工作要点\n一、稳外贸稳外资\n"
        "(一)外贸提质。(责任单位:外贸科)\n"
        "1.新增有实绩外贸企业30家。\n"
        "2.跨境电商交易额增长20%。(口岸科)\n"
        "(二)招商引资。(责任单位:投资促进科、开发区管委会)\n"
        "3.举办专题招商活动4场。(办公室配合)\n"
        "二、促消费\n"
        "4.培育夜间经济集聚区2个。(市场科牵头,各街道配合;10月底前)\n"
        "5.开展购物节活动。\n"
    )
    got = [[(u.name, u.role) for u in i.units] for i in plan.items]
    assert got == [
        [("外贸科", "lead")],
        [("口岸科", "lead")],
        [("投资促进科", "lead"), ("开发区管委会", "lead"), ("办公室", "support")],
        [("市场科", "lead"), ("各街道", "support")],
        [],
    ]
    assert plan.items[3].deadline == date(2026, 10, 31)
    assert [s.title for s in plan.sections] == ["稳外贸稳外资", "外贸提质", "招商引资", "促消费"]


def test_a_date_for_part_of_the_quantity_is_a_step_not_the_deadline() -> None:
    """ "引进项目10个,6月底前完成5个": June is when half is due; the item runs to the year's end
    (else it would be chased as overdue from July). A date for the whole stays the deadline."""
    plan = parse_text(
        "2026年工作要点\n一、招商\n"
        "1.引进亿元以上项目10个,6月底前完成5个。\n"
        "2.培育规上企业20家,其中6月底前新增8家。\n"
        "3.完成老旧小区改造100户,6月底前完成。\n"
    )
    got = [(i.deadline, i.deadline_text, [m.date for m in i.milestones]) for i in plan.items]
    assert got == [
        (date(2026, 12, 31), "", [date(2026, 6, 30)]),
        (date(2026, 12, 31), "", [date(2026, 6, 30)]),
        (date(2026, 6, 30), "6月底", []),
    ]


def test_units_in_the_closing_sentence_or_after_a_dash() -> None:
    """ "…。由大数据中心负责。", "…。政务公开科负责,办公室配合。" and "…——政务服务科" name units
    without a bracket; a closing sentence whose names are no units ("各部门按职责负责",
    "主要负责同志负责") or a dash before a time names none."""
    plan = parse_text(
        "2026年工作要点\n一、重点任务\n"
        "1.推进数字政府建设。由大数据中心负责。\n"
        "2.完善政务服务体系——政务服务科\n"
        "3.推进政务公开标准化。政务公开科负责,办公室配合。\n"
        "4.加强统筹协调,各部门按职责负责。\n"
        "5.落实安全生产责任制,主要负责同志负责。\n"
        "6.推动项目落地——力争年底前完成\n"
    )
    got = [[(u.name, u.role) for u in i.units] for i in plan.items]
    assert got == [
        [("大数据中心", "lead")],
        [("政务服务科", "lead")],
        [("政务公开科", "lead"), ("办公室", "support")],
        [],
        [],
        [],
    ]
    assert [i.title for i in plan.items[:3]] == [
        "推进数字政府建设",
        "完善政务服务体系",
        "推进政务公开标准化",
    ]


def test_decimal_numbers_under_an_item_are_its_sub_items() -> None:
    """1.1, 1.2 under item 1 are items of their own under it (1 becomes a heading); a line
    "2.5亿元…" in item 2's text is an amount, and "8.5G基站…" after item 7 is item 8."""
    plan = parse_text(
        "2026年工作要点\n"
        "1.产业发展\n1.1招引亿元项目15个(招商中心)\n1.2新增规上企业10家(经发科)\n"
        "2.完成固定资产投资\n2.5亿元以上项目开工10个。(发改科)\n"
        "3.推进通信建设(通信科)\n4.推进5G应用\n5.推进信息安全\n6.推进数字乡村\n7.推进智慧城市\n"
        "8.5G基站建设新增300个(通信科)\n"
    )
    assert [(i.number, i.path) for i in plan.items[:3]] == [
        ("1.1", ("1.", "1.1")),
        ("1.2", ("1.", "1.2")),
        ("2.", ("2.",)),
    ]
    assert [u.name for u in plan.items[0].units] == ["招商中心"]
    assert "2.5亿元以上项目开工10个" in plan.items[2].text
    assert plan.items[-1].number == "8." and plan.items[-1].title.startswith("5G基站建设")


def test_a_section_of_prose_is_named_in_the_review_not_dropped_silently() -> None:
    """ "一、总体思路" followed by prose, beside sections of numbered items, is no item; the
    import review names it (Plan.skipped) so the coordinator sees what was left out."""
    plan = parse_text(
        "2026年工作要点\n一、总体思路\n以高质量发展为主题,全面推进各项工作。\n"
        "二、重点任务\n1.推进数字政府建设。(大数据中心)\n2.完善政务服务体系。(政务服务科)\n"
        "三、保障措施\n"
    )
    assert [i.title for i in plan.items] == ["推进数字政府建设", "完善政务服务体系"]
    assert plan.skipped == ("一、总体思路: 以高质量发展为主题,全面推进各项工作。", "三、保障措施")


def test_a_lead_marked_in_a_unit_list() -> None:
    """ "水务集团(牵头)、住建局": the unit marked (牵头) leads and the others listed with it
    support, in a closing bracket and in a 责任单位 field alike."""
    plan = parse_text(
        "2026年工作要点\n一、城建\n"
        "1.完成老旧管网改造50公里。(水务集团(牵头)、住建局)\n"
        "2.推进城市更新。(责任单位:住建局(牵头)、财政局)\n"
        "3.建设口袋公园10个。(住建局、城管局)\n"
    )
    got = [[(u.name, u.role) for u in i.units] for i in plan.items]
    assert got == [
        [("水务集团", "lead"), ("住建局", "support")],
        [("住建局", "lead"), ("财政局", "support")],
        [("住建局", "lead"), ("城管局", "lead")],
    ]
