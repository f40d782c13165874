"""Progress replies (plans/replies/): status, percent, value vs target, expected date, item refs.

"Today" is Tuesday 2023-10-10 unless a test says otherwise.
"""

from __future__ import annotations

import time
from datetime import date, datetime

import pytest

import plans.replies.reader
from plans.model import Target
from plans.replies import ProgressReading, describe, read_progress
from plans.replies.reading import TEXT_LIMIT, empty

TODAY = date(2023, 10, 10)
HIGH_TECH = Target(text="600家以上", value=600, measure="家", op="≥")
TALENT = Target(text="50名", value=50, measure="名")
SERVED = Target(text="8.3万人", value=8.3, measure="万人")
RND = Target(text="3.35%", value=3.35, measure="%")


def read(text: str, **kw: object) -> ProgressReading:
    kw.setdefault("today", TODAY)
    return read_progress(text, **kw)  # type: ignore[arg-type]


# ------------------------------------------------------------------------------------ status


@pytest.mark.parametrize(
    "text",
    [
        "已完成",
        "全部完成",
        "完成了",
        "已办结",
        "已落实",
        "已竣工",
        "已建成",
        "完成100%",
        "100%",
        "完成",
        "已经完成了,详见附件",
        "已全部完成",
        "已完成年度目标任务",
        "超额完成",
        "已于9月底完成",
        "已完成,无困难",
        "<b>已完成</b>",
        "🎉🎉已完成!!",
        "done",
        "Done.",
        "completed",
        "finished",
        "100% done",
    ],
)
def test_done(text: str) -> None:
    r = read(text)
    assert r.status == "done", text
    assert r.percent == 100.0
    assert r.understood


@pytest.mark.parametrize(
    ("text", "status"),
    [
        ("未完成", "in_progress"),
        ("尚未完成", "in_progress"),
        ("还没有完成", "in_progress"),
        ("尚未全部完成", "in_progress"),
        ("完成60%", "in_progress"),
        ("已完成60%", "in_progress"),
        ("完成了60%", "in_progress"),
        ("60%已完成", "in_progress"),
        ("基本完成", "in_progress"),
        ("基本完成了", "in_progress"),
        ("部分完成", "in_progress"),
        ("已完成招标,正在施工", "in_progress"),
        ("已完成立项,预计11月底全部完成", "in_progress"),
        ("预计11月底完成", None),
        ("力争年底完成", None),
        ("确保按期完成", None),
        ("预计完成", None),
        ("not done yet", "in_progress"),
        ("almost done", "in_progress"),
        ("60% done", "in_progress"),
        ("will be done by 2023-12-15", None),
    ],
)
def test_not_done(text: str, status: str | None) -> None:
    assert read(text).status == status, text


@pytest.mark.parametrize(
    ("text", "percent"),
    [
        ("推进中", None),
        ("正在推进", None),
        ("进行中", None),
        ("有序推进", None),
        ("按计划推进", None),
        ("已启动", None),
        ("第四项 已启动", None),
        ("正在办理", None),
        ("进度过半", 50.0),
        ("过半", 50.0),
        ("一半", 50.0),
        ("完成60%", 60.0),
        ("完成60%", 60.0),
        ("完成六成", 60.0),
        ("完成三分之二", 66.7),
        ("百分之六十", 60.0),
        ("完成率85%", 85.0),
        ("基本完成", 90.0),
        ("基本完成,约95%", 95.0),
        ("in progress", None),
        ("on track", None),
        ("50%", 50.0),
        ("halfway", 50.0),
    ],
)
def test_in_progress(text: str, percent: float | None) -> None:
    r = read(text)
    assert r.status == "in_progress", text
    assert r.percent == pytest.approx(percent) if percent is not None else r.percent is None


@pytest.mark.parametrize(
    "text",
    [
        "未启动",
        "尚未启动",
        "尚未开展",
        "还没开始",
        "暂未开展",
        "not started",
        "haven't started yet",
    ],
)
def test_not_started(text: str) -> None:
    r = read(text)
    assert r.status == "not_started", text
    assert r.percent is None


@pytest.mark.parametrize(
    ("text", "blocker"),
    [
        ("有困难:资金未到位", "资金未到位"),
        ("有困难:资金未到位", "资金未到位"),
        ("困难:土地指标未落实,施工许可未批", "土地指标未落实,施工许可未批"),
        ("遇到困难,资金未到位", "资金未到位"),
        ("资金未到位,无法推进", "资金未到位"),
        ("因资金未到位无法推进", "资金未到位"),
        ("进度滞后,主要是土地指标未落实", "土地指标未落实"),
        ("已启动,但遇到困难,设备未到货", "设备未到货"),
        ("施工受阻", "施工受阻"),
        ("项目卡住了", "项目卡住了"),
        ("存在问题:审批慢", "审批慢"),
        ("有困难", ""),
        ("blocked: waiting for funds", "waiting for funds"),
        ("Blocked by the land permit", "the land permit"),
        ("stuck on land approval", "land approval"),
    ],
)
def test_blocked(text: str, blocker: str) -> None:
    r = read(text)
    assert r.status == "blocked", text
    assert r.blocker == blocker


@pytest.mark.parametrize(
    ("text", "status"),
    [
        ("没有困难,按计划推进", "in_progress"),
        ("暂无困难,已启动", "in_progress"),
        ("困难已解决,正在推进", "in_progress"),
        ("前期存在问题已经解决,正在推进", "in_progress"),
        ("遇到困难已协调解决,已完成", "done"),
        ("不存在问题,已完成", "done"),
        ("未滞后,推进中", "in_progress"),
        ("困难:无", None),
        ("no blockers, on track", "in_progress"),
    ],
)
def test_negated_difficulty_is_not_blocked(text: str, status: str | None) -> None:
    r = read(text)
    assert r.status == status, text
    assert r.blocker == ""


def test_blocker_only_for_blocked() -> None:
    assert read("已完成,资金已到位").blocker == ""


# ---------------------------------------------------------------------------------- percents


@pytest.mark.parametrize(
    ("text", "percent", "status"),
    [
        ("完成目标的120%", 100.0, "done"),
        ("完成150%", 100.0, "done"),
        ("完成0%", 0.0, "not_started"),
        ("九成以上", 90.0, "in_progress"),
        ("七成", 70.0, "in_progress"),
        ("十成", 100.0, "done"),
        ("完成 60 %", 60.0, "in_progress"),
        ("同比增长15%,完成60%", 60.0, "in_progress"),
        ("力争年底完成80%,目前完成40%", 40.0, "in_progress"),
    ],
)
def test_percent(text: str, percent: float, status: str) -> None:
    r = read(text)
    assert r.percent == pytest.approx(percent), text
    assert r.status == status


def test_growth_percent_is_not_progress() -> None:
    r = read("产值同比增长15%")
    assert r.percent is None
    assert not r.understood


def test_tenths_need_a_numeral_not_a_word() -> None:
    # 成 ends 完成, 形成, 建成: only a numeral before it makes it tenths.
    assert read("已形成工作方案").percent is None
    assert read("成果已转化三成").percent == 30.0


# ------------------------------------------------------------------------- values vs targets


def test_issue_example_value_against_target() -> None:
    r = read("已净增高企320家", targets=[HIGH_TECH])
    assert r.value == 320
    assert r.measure == "家"
    assert r.target_text == "600家以上"
    assert r.percent == pytest.approx(53.3)
    assert r.status == "in_progress"


@pytest.mark.parametrize(
    ("text", "value", "measure", "percent"),
    [
        ("引进人才35名", 35.0, "名", 70.0),
        ("引进人才三十五名", 35.0, "名", 70.0),
        ("服务4.15万人", 4.15, "万人", 50.0),
        ("已净增 300 家", 300.0, "家", 50.0),
        ("已净增1,200家", 1200.0, "家", 100.0),
        ("服务三万人次,引进人才10名", 10.0, "名", 20.0),
    ],
)
def test_value_matches_first_target_of_same_measure(
    text: str, value: float, measure: str, percent: float
) -> None:
    r = read(text, targets=[HIGH_TECH, TALENT, SERVED])
    assert (r.value, r.measure) == (value, measure), text
    assert r.percent == pytest.approx(percent)


def test_magnitude_is_part_of_the_measure() -> None:
    assert read("服务8.5万人", targets=[Target("8000人", 8000, "人")]).value is None
    assert read("服务8500人", targets=[SERVED]).value is None
    assert read("服务三万人", targets=[SERVED]).value == 3.0


def test_first_target_with_the_measure_wins() -> None:
    first, second = Target("100家", 100, "家"), Target("50家", 50, "家")
    r = read("新增40家", targets=[first, second])
    assert r.target_text == "100家"
    assert r.percent == pytest.approx(40.0)


def test_range_uses_upper_and_ceiling_gives_no_percent() -> None:
    r = read("已建成1家", targets=[Target("1-2家", 1, "家", op="range", upper=2)])
    assert r.percent == pytest.approx(50.0)
    capped = read("已建成3家", targets=[Target("5家以内", 5, "家", op="≤")])
    assert capped.value == 3
    assert capped.percent is None


def test_value_meeting_target_is_done_unless_words_say_otherwise() -> None:
    assert read("已净增高企620家", targets=[HIGH_TECH]).status == "done"
    r = read("已净增高企620家,仍在推进", targets=[HIGH_TECH])
    assert r.status == "in_progress"
    assert r.percent == 100.0
    assert read("净增高企300家,完成60%", targets=[HIGH_TECH]).percent == 60.0  # stated wins


def test_no_targets_no_value() -> None:
    r = read("已净增高企320家")
    assert r.value is None
    assert r.percent is None


@pytest.mark.parametrize(
    ("text", "target"),
    [
        ("第4项已启动", Target("5项", 5, "项")),
        ("3个月内完成", Target("10个", 10, "个")),
        ("完成60%", Target("100家", 100, "家")),
        ("12.15前完成", Target("20家", 20, "家")),
        ("前3名已确定", Target("10名", 10, "名")),
    ],
)
def test_dates_percents_refs_are_not_values(text: str, target: Target) -> None:
    assert read(text, targets=[target]).value is None, text


def test_percent_target_reads_a_percent_value() -> None:
    r = read("研发投入占比达3.2%", targets=[RND])
    assert (r.value, r.measure) == (3.2, "%")
    assert r.percent == pytest.approx(95.5)
    assert read("完成60%", targets=[RND]).value is None  # progress, not the ratio
    assert read("60%", targets=[RND]).percent == 60.0


# ------------------------------------------------------------------------------------ dates


@pytest.mark.parametrize(
    ("text", "expected", "phrase"),
    [
        ("预计11月底完成", date(2023, 11, 30), "11月底"),
        ("延期至2023年12月15日", date(2023, 12, 15), "2023年12月15日"),
        ("预计12月15日完成", date(2023, 12, 15), "12月15日"),
        ("12.15前完成", date(2023, 12, 15), "12.15前"),
        ("预计2023-12-15完成", date(2023, 12, 15), "2023-12-15"),
        ("下周五前", date(2023, 10, 20), "下周五前"),
        ("争取下周五完成", date(2023, 10, 20), "下周五"),
        ("本周五前完成", date(2023, 10, 13), "本周五前"),
        ("下下周三前完成", date(2023, 10, 25), "下下周三前"),
        ("本周内完成", date(2023, 10, 13), "本周内"),
        ("两周内完成", date(2023, 10, 24), "两周内"),
        ("三天内完成", date(2023, 10, 13), "三天内"),
        ("两个月内完成", date(2023, 12, 10), "两个月内"),
        ("5个工作日内完成", date(2023, 10, 17), "5个工作日内"),
        ("月底前完成", date(2023, 10, 31), "月底前"),
        ("本月底", date(2023, 10, 31), "本月底"),
        ("下个月中旬完成", date(2023, 11, 20), "下个月中旬"),
        ("本季度末完成", date(2023, 12, 31), "本季度末"),
        ("明天完成", date(2023, 10, 11), "明天"),
        ("预计20号完成", date(2023, 10, 20), "20号"),
        ("预计5号完成", date(2023, 11, 5), "5号"),
        ("力争年底完成", date(2023, 12, 31), "年底"),
        ("计划四季度完成", date(2023, 12, 31), "四季度"),
        ("预计3月底完成", date(2024, 3, 31), "3月底"),
        ("3 月底完成", date(2024, 3, 31), "3月底"),
        ("预计明年3月底完成", date(2024, 3, 31), "明年3月底"),
        ("推迟到12月上旬", date(2023, 12, 10), "12月上旬"),
        ("11月底", date(2023, 11, 30), "11月底"),
        ("完成60%,预计11月底完成", date(2023, 11, 30), "11月底"),
        ("expected by Dec 15", date(2023, 12, 15), "Dec 15"),
        ("60% done, expect end of Nov", date(2023, 11, 30), "end of Nov"),
        ("ETA 2023-12-15", date(2023, 12, 15), "2023-12-15"),
        ("in 2 weeks", date(2023, 10, 24), "in 2 weeks"),
        ("postponed to Dec 20", date(2023, 12, 20), "Dec 20"),
        ("Dec 15", date(2023, 12, 15), "Dec 15"),
        ("下周五", date(2023, 10, 20), "下周五"),
        ("预计春节前完成", date(2024, 2, 9), "春节前"),  # the 2024 holiday began on Feb 10
        ("预计11月30号完成", date(2023, 11, 30), "11月30号"),
        ("这周能完", date(2023, 10, 13), "这周"),
        # several words between the date and 完成: 可全部, 就能全部, 才能
        ("进度约80%,12月中旬可全部完成", date(2023, 12, 20), "12月中旬"),
        ("12月底就能全部完成", date(2023, 12, 31), "12月底"),
        ("11月底才能完成", date(2023, 11, 30), "11月底"),
        # early / mid / late as 上旬 / 中旬 / 下旬
        ("80% done, expect mid Dec", date(2023, 12, 20), "mid Dec"),
        ("expected mid-December", date(2023, 12, 20), "mid-December"),
        ("done by early next month", date(2023, 11, 10), "early next month"),
        ("delayed to late January", date(2024, 1, 31), "late January"),
    ],
)
def test_expected_date(text: str, expected: date, phrase: str) -> None:
    r = read(text)
    assert r.expected_date == expected, text
    assert r.expected_text == phrase
    assert r.understood


def test_month_already_past_means_next_year() -> None:
    november = date(2023, 11, 15)
    assert read("预计3月底完成", today=november).expected_date == date(2024, 3, 31)
    assert read("预计12月底完成", today=november).expected_date == date(2023, 12, 31)
    assert read("预计2月底完成", today=november).expected_date == date(2024, 2, 29)


@pytest.mark.parametrize(
    "text",
    [
        "已于9月底完成",  # past, and said to be past
        "9月底已完成",
        "延期至2023年9月15日",  # an explicit date already gone
        "本周一前完成",  # this Monday was yesterday
        "10月已召开推进会",  # a date, but not framed as an expectation
        "截至10月底已完成80%",  # an "as of", not a promise
        "每周五报送进度",
    ],
)
def test_no_expected_date(text: str) -> None:
    r = read(text)
    assert r.expected_date is None, text
    assert r.expected_text == ""


def test_plan_year_is_a_floor_for_a_plan_not_yet_begun() -> None:
    december = date(2024, 12, 10)
    assert read("年底前完成", today=december).expected_date == date(2024, 12, 31)
    r = read("年底前完成", today=december, plan_year=2025)
    assert r.expected_date == date(2025, 12, 31)
    assert read("年底前完成", today=december, plan_year=2023).expected_date == date(2024, 12, 31)


def test_today_may_be_a_datetime() -> None:
    r = read_progress("预计11月底完成", today=datetime(2023, 10, 10, 9, 30))
    assert r.expected_date == date(2023, 11, 30)


# -------------------------------------------------------------------------------- item refs


@pytest.mark.parametrize(
    ("text", "refs", "rest"),
    [
        ("4 完成60%", ("4",), "完成60%"),
        ("4. 已完成", ("4",), "已完成"),
        ("4、已完成", ("4",), "已完成"),
        ("4:已完成", ("4",), "已完成"),
        ("4:已完成", ("4",), "已完成"),
        ("#4 done", ("4",), "done"),
        ("#4 done", ("4",), "done"),
        ("第4项:已完成", ("4",), "已完成"),
        ("第四项 已启动", ("4",), "已启动"),
        ("第 4 项 已完成", ("4",), "已完成"),
        ("第4、5项已完成", ("4", "5"), "已完成"),
        ("4、5 已完成", ("4", "5"), "已完成"),
        ("2-15 已完成", ("2-15",), "已完成"),
        ("  12 推进中", ("12",), "推进中"),
        ("4 本月底完成", ("4",), "本月底完成"),
        ("关于第12项,已完成", ("12",), "关于第12项,已完成"),
        ("已完成第3项", ("3",), "已完成第3项"),
    ],
)
def test_item_refs(text: str, refs: tuple[str, ...], rest: str) -> None:
    r = read(text)
    assert r.item_refs == refs, text
    assert r.body == rest
    assert r.text == text  # what is stored is what was sent, address included


@pytest.mark.parametrize(
    "text",
    [
        "60%",
        "60 %",
        "320家已完成",
        "320 家已完成",
        "3 月底完成",
        "12.15前完成",
        "2023年底完成",
        "4.5万人",
        "4",
    ],
)
def test_numbers_that_are_not_item_refs(text: str) -> None:
    r = read(text)
    assert r.item_refs == (), text
    assert r.text == r.body == text


def test_ref_and_reading_together() -> None:
    r = read("4 完成60%,已净增高企320家,预计11月底完成", targets=[HIGH_TECH])
    assert r.item_refs == ("4",)
    assert (r.status, r.percent, r.value) == ("in_progress", 60.0, 320.0)
    assert r.expected_date == date(2023, 11, 30)


# ---------------------------------------------------------------------------- hostile input

HOSTILE = [
    "",
    "   ",
    "\n\n\t",
    "!!!",
    "👍",
    "🎉" * 500,
    "<script>alert(1)</script>",
    "<<<>>>&&&;;;",
    "&#0;&#x110000;&amp;",
    "\x00\x01\x02\x7f\u200b\u202e",
    "\ud800",  # a lone surrogate
    "第" * 5000,
    "9" * 5000 + "%",
    "百分之" * 2000,
    "预计" * 3000,
    "by " * 3000,
    "4 " * 3000,
    "已完成" * 3400,
    "完成60%,预计11月底完成。" * 700,
    "$(rm -rf /)",
    "' OR 1=1; --",
    "2023年13月45日",
    "预计2月30日完成",
    "99999999999999999999999家",
    "1e309家",
]


@pytest.mark.parametrize("text", HOSTILE, ids=range(len(HOSTILE)))
def test_hostile_input_never_raises(text: str) -> None:
    started = time.perf_counter()
    r = read_progress(text, targets=[HIGH_TECH, RND], today=TODAY, plan_year=2023)
    assert isinstance(r, ProgressReading)
    assert time.perf_counter() - started < 3.0
    assert isinstance(describe(r), str) and isinstance(describe(r, "en"), str)
    if r.percent is not None:
        assert 0.0 <= r.percent <= 100.0


@pytest.mark.parametrize(
    "text", ["", "   ", "<script>alert(1)</script>", "\x00\x01\x7f", "2023年13月45日", "🎉"]
)
def test_meaningless_input_is_not_understood(text: str) -> None:
    r = read(text)
    assert not r.understood
    assert r == empty(text)


@pytest.mark.parametrize("text", ["👍", "Ok", "收到", "好的", "已阅", "👌", "收到,谢谢", "4 收到"])
def test_an_acknowledgement_is_not_progress(text: str) -> None:
    r = read(text)
    assert r.acknowledgement
    assert not r.understood
    assert r.status is None
    assert r.text == text


@pytest.mark.parametrize("text", ["收到,已完成", "好的,完成60%", "收到,预计11月底完成", "OK done"])
def test_an_acknowledgement_with_progress_is_progress(text: str) -> None:
    r = read(text)
    assert not r.acknowledgement
    assert r.understood


def test_control_characters_do_not_hide_words() -> None:
    assert read("\x00已\u200b完成\x7f").status == "done"


def test_an_internal_failure_returns_an_empty_reading(monkeypatch: pytest.MonkeyPatch) -> None:
    def boom(*_: object) -> ProgressReading:
        raise RuntimeError("bug")

    monkeypatch.setattr(plans.replies.reader, "_read", boom)
    r = read_progress(" 已完成 ", today=TODAY)
    assert r == empty(" 已完成 ")  # the text as it came, nothing understood


def test_non_string_is_empty() -> None:
    r = read_progress(None, today=TODAY)  # type: ignore[arg-type]
    assert r.text == ""
    assert not r.understood


# --------------------------------------------------------------------------------- describe


@pytest.mark.parametrize(
    ("text", "zh", "en"),
    [
        ("已完成", "已完成", "done"),
        ("完成60%", "进展 60%", "in progress 60%"),
        ("推进中", "推进中", "in progress"),
        ("未启动", "未启动", "not started"),
        ("有困难:资金未到位", "有困难:资金未到位", "blocked: 资金未到位"),
        ("有困难", "有困难", "blocked"),
        ("预计11月底完成", "预计 2023-11-30 完成", "expected 2023-11-30"),
        (
            "完成60%,已净增高企320家,预计11月底完成",
            "进展 60%(已达 320 家,目标 600家以上),预计 2023-11-30 完成",
            "in progress 60% (320 家 of target 600家以上), expected 2023-11-30",
        ),
        (
            "已净增高企320家",
            "进展 53.3%(已达 320 家,目标 600家以上)",
            "in progress 53.3% (320 家 of target 600家以上)",
        ),
        (
            "已净增高企620家",
            "已完成(已达 620 家,目标 600家以上)",
            "done (620 家 of target 600家以上)",
        ),
        ("好的", "已收到(未识别出进度)", "received (no progress figure understood)"),
    ],
)
def test_describe(text: str, zh: str, en: str) -> None:
    r = read(text, targets=[HIGH_TECH])
    assert describe(r) == zh
    assert describe(r, "en") == en


def test_understood() -> None:
    assert read("已完成").understood
    assert read("过半").understood
    assert read("预计11月底完成").understood
    assert read("新增10家", targets=[Target("5家以内", 5, "家", op="≤")]).understood  # value only
    assert not read("收到,谢谢").understood


def test_a_bare_number_after_done_is_not_a_share() -> None:
    assert read("已完成(见附件1)").status == "done"
    assert read("已完成投资2亿元").status == "in_progress"
    assert read("已完成3项").status == "in_progress"


# ------------------------------------------------------- issue 8: replies altered on the way in

ALTERED = [
    "4 -完成60%",  # a "-" after the item number was dropped with it
    "- 已完成",
    "\u200b4 已完成",  # a zero-width space before the item number
    "\ufeff第4项 已完成",  # a BOM
    "第4项\u200d\u200e已完成\u00ad",  # joiner, LTR mark, soft hyphen
    "\u202e完成60%\u202c",  # RTL override and pop
    "第24项 第999项完成",  # the second reference was dropped and the reply read as item 24's done
    "  4、完成60%  ",
    "4、-30%",
]


@pytest.mark.parametrize("text", ALTERED)
def test_the_reading_keeps_the_text_as_sent(text: str) -> None:
    # The handler stores `reading.text` (or the message) as the report: it must be what was sent.
    assert read(text).text == text


def test_a_minus_after_the_item_number_is_a_sign_not_a_separator() -> None:
    r = read("4 -30%")  # was read as item 4 at 30%
    assert r.item_refs == ("4",)
    assert r.body == "-30%"
    assert r.percent is None
    dash = read("4 - 完成60%")  # a dash before words separates the address
    assert (dash.body, dash.percent) == ("完成60%", 60.0)


def test_invisible_characters_do_not_change_the_reading() -> None:
    plain = read("第4项 已完成")
    for text in (
        "\u200b第4项 已完成",
        "\ufeff第4项 已完成",
        "第4项 已\u00ad完\u200b成",
        "\u200e第4项\u200f 已完成",
    ):
        r = read(text)
        assert (r.status, r.item_refs, r.percent) == (plain.status, plain.item_refs, plain.percent)
        assert r.text == text


@pytest.mark.parametrize(
    ("text", "refs"),
    [
        ("第24项 第999项完成", ("24", "999")),
        ("第4、5项已完成", ("4", "5")),
        ("4、5 已完成", ("4", "5")),
        ("4 已完成,第5项推进中", ("4", "5")),
    ],
)
def test_a_reply_naming_two_items_is_flagged(text: str, refs: tuple[str, ...]) -> None:
    # Not silently one item's done: the handler sees every reference and asks which.
    r = read(text)
    assert r.item_refs == refs
    assert r.several_items
    assert r.doubts == ("several_items",)


def test_one_item_named_twice_is_one_item() -> None:
    r = read("第4项 关于第4项,已完成")
    assert r.item_refs == ("4",)
    assert not r.several_items


@pytest.mark.parametrize("text", ["-30%", "完成-30%", "4、-30%", "进度−30%", "进度-30%", "-30 %"])
def test_a_negative_percent_is_not_progress(text: str) -> None:
    r = read(text)
    assert r.percent is None
    assert r.status is None
    assert "negative_percent" in r.doubts
    assert r.text == text


def test_a_negative_growth_beside_progress_leaves_the_progress() -> None:
    r = read("同比下降-5%,完成60%")
    assert r.percent == 60.0
    assert "negative_percent" in r.doubts


def test_a_range_is_not_a_negative_percent() -> None:
    r = read("完成20-30%")
    assert "negative_percent" not in r.doubts


def test_a_long_reply_is_read_in_part_and_says_so() -> None:
    # The handler used to cut at 2,000 characters without a word; the reader reads up to
    # Telegram's own limit and says when it had more.
    long = "完成60%," + "详细情况如下:" * 1000
    r = read(long)
    assert len(long) > TEXT_LIMIT
    assert r.cut
    assert r.text == long  # kept whole
    assert r.percent == 60.0
    within = "完成60%," + "说明" * 1100  # over 2,000 but within a Telegram message
    assert not read(within).cut
    assert read(within).text == within


# ------------------------------------------------------- issue 10: a false done is the worst


@pytest.mark.parametrize(
    "text",
    [
        "快完成了",
        "马上完成",
        "接近尾声",
        "即将完成",
        "快做完了",
        "差不多完成了",
        "基本完成",
        "马上就好",
    ],
)
def test_almost_done_is_ninety_percent_in_progress(text: str) -> None:
    r = read(text)
    assert (r.status, r.percent) == ("in_progress", 90.0), text


@pytest.mark.parametrize(
    "text",
    [
        "已完成可研编制",
        "已完成招标",
        "已完成初稿",
        "招标已完成",
        "一期已建成",
        "已完成方案设计",
        "design done",
        "completed the tender",
    ],
)
def test_a_step_done_is_in_progress(text: str) -> None:
    assert read(text).status == "in_progress", text


@pytest.mark.parametrize(
    "text",
    ["已完成年度目标任务", "已完成本项工作", "已完成整改", "已完成龙城实验室建设", "任务已完成"],
)
def test_the_whole_work_done_is_done(text: str) -> None:
    assert read(text).status == "done", text


@pytest.mark.parametrize(
    ("text", "status"),
    [
        ("未完成", "in_progress"),
        ("没做完", "in_progress"),
        ("还没完成", "in_progress"),
        ("尚未完成", "in_progress"),
        ("未能按期完成", "in_progress"),
        ("做不完", "blocked"),
        ("无法完成", "blocked"),
        ("难以按期完成", "blocked"),
        ("完不成", "blocked"),
    ],
)
def test_negated_or_impossible_completion_is_never_done(text: str, status: str) -> None:
    assert read(text).status == status, text


@pytest.mark.parametrize(
    ("text", "blocker"),
    [
        ("停工", "停工"),
        ("搁置", "搁置"),
        ("卡住了", "卡住了"),
        ("资金缺口大", "资金缺口大"),
        ("人手不足", "人手不足"),
        ("暂停", "暂停"),
        ("受疫情影响,工期延误", "受疫情影响"),
        ("因疫情停工", "疫情"),
        ("项目搁置,等待上级意见", "等待上级意见"),
    ],
)
def test_stoppages_are_blocked_with_the_reason(text: str, blocker: str) -> None:
    r = read(text)
    assert r.status == "blocked", text
    assert r.blocker == blocker


def test_a_value_only_planned_is_not_progress() -> None:
    r = read("预计年底可达60家", targets=[Target("50家", 50, "家")])
    assert r.value is None
    assert r.status != "done"


def test_started_is_not_finished() -> None:
    r = read("已开工15个,完工9个", targets=[Target("15个", 15, "个")])
    assert (r.status, r.value, r.percent) == ("in_progress", 9.0, 60.0)


def test_a_date_of_a_start_or_a_step_is_not_the_expected_date() -> None:
    assert read("预计年底开工").expected_date is None
    assert read("将于下周召开专题会").expected_date is None
    assert read("预计11月中旬完成立项").expected_date is None
    assert read("年底前恐难完成").expected_date is None
    assert read("预计11月中旬完成").expected_date == date(2023, 11, 20)


@pytest.mark.parametrize(
    "text",
    ["已全部完成?", "是否已完成?", "完成了吗", "有信心按期完成", "确保按期完成", "一定按期完成"],
)
def test_questions_and_promises_are_not_done(text: str) -> None:
    assert read(text).status is None, text


@pytest.mark.parametrize(
    "text",
    [
        "除个别事项外已全部完成",
        "已竣工,还未验收",
        "已完成建设,待验收后投用",
        "all done except the report",
    ],
)
def test_work_left_undoes_even_a_strong_done(text: str) -> None:
    assert read(text).status == "in_progress", text


def test_a_count_with_more_or_odd_is_a_count() -> None:
    r = read("已建成5G基站800余个", targets=[Target("1000个", 1000, "个")])
    assert (r.status, r.value, r.percent) == ("in_progress", 800.0, 80.0)
