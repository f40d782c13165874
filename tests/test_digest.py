"""The weekly digest (render/digest.py): exceptions first, what changed since last week, the
draft 通报 paragraph — in words, as Telegram HTML within limits, in Chinese and English.

The hand-made plan is the one of tests/test_views.py (rebuilt here): seen on Monday 2023-11-20
against Monday 2023-11-13.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from plans.documents.sources import parse_file
from plans.followup.status import ItemRecord, Snapshot, build_snapshot
from plans.model import Item, Report, Status, Target, UnitRef
from render.chunks import MESSAGE_LIMIT, split_message, utf16_len
from render.digest import Digest, compose_digest, date_text, paragraph_lines
from render.texts import Texts
from sandbox import parse_html

TZ = ZoneInfo("Asia/Shanghai")
TODAY = date(2023, 11, 20)
LAST_WEEK = date(2023, 11, 13)
CYCLE = date(2023, 11, 1)
ZH = Texts("zh")
EN = Texts("en")
SEED = Path(__file__).resolve().parent / "data" / "seeds" / "000_0585e7f56649ebe7.txt"


def make_item(
    seq: int,
    title: str,
    lead: tuple[str, ...] = ("局高新处",),
    support: tuple[str, ...] = (),
    *,
    deadline: date = date(2023, 12, 31),
    targets: tuple[Target, ...] = (),
) -> Item:
    units = tuple(UnitRef(u, "lead") for u in lead) + tuple(UnitRef(u, "support") for u in support)
    return Item(seq, str(seq), (), "task", title, title + "。", units, deadline, "", (), targets)


def record(item: Item) -> ItemRecord:
    return ItemRecord(item.seq, 1, str(item.seq), item, date(2023, 1, 1))


def at(month: int, d: int, hour: int = 10, minute: int = 0) -> datetime:
    return datetime(2023, month, d, hour, minute, tzinfo=TZ)


def make_report(
    rid: int,
    item_id: int,
    unit: str,
    status: Status,
    percent: float | None,
    text: str,
    when: datetime,
    *,
    value: float | None = None,
    measure: str | None = None,
    who: str = "张三",
) -> Report:
    return Report(
        id=rid,
        item_id=item_id,
        unit_id=1,
        status=status,
        percent=percent,
        text=text,
        created_at=when.astimezone(UTC),
        value=value,
        measure=measure,
        reporter_name=who,
        unit_name=unit,
    )


def hand_plan() -> tuple[list[ItemRecord], list[Report]]:
    """Lights on 11-20 (and 11-13): 1 done on 11-16 (was yellow) · 2 green · 3 blocked, overdue
    (red, red) · 4 overdue (red, red) · 5 never reported (red, red) · 6 yellow · 7 yellow
    (stale) · 8 overdue since 11-17 (red, was yellow: newly red)."""
    items = [
        make_item(
            1,
            "加快高新技术企业培育",
            support=("各辖市、区科技局",),
            targets=(Target("600家以上", 600, "家"),),
        ),
        make_item(2, "打造创新型领军企业", targets=(Target("超50家", 50, "家", ">"),)),
        make_item(3, "加速建设重大科创平台", ("局产学研处",), deadline=date(2023, 9, 30)),
        make_item(4, "推进双创载体提档升级", ("局科服处",), deadline=date(2023, 6, 30)),
        make_item(5, "强化法治科技和立法保障", ("局规划处",)),
        make_item(6, "深化国际科技合作", ("局对外合作处",)),
        make_item(7, "强化国内产学研合作", ("局创新处",), ("各辖市、区科技局",)),
        make_item(8, "建设科创综合体", deadline=date(2023, 11, 17)),
    ]
    reports = [
        make_report(1, 1, "局高新处", "in_progress", 60, "已净增高企320家", at(10, 10), value=320, measure="家"),
        make_report(2, 1, "局高新处", "done", 100, "全部完成,净增650家", at(11, 16), value=650, measure="家"),
        make_report(3, 2, "局高新处", "in_progress", 60, "摸排完成", at(10, 10), value=12, measure="家"),
        make_report(4, 2, "局高新处", "in_progress", 80, "推进中", at(11, 13, 23, 30)),
        make_report(5, 2, "局高新处", "in_progress", 85, "已认定20家", at(11, 15), value=20, measure="家"),
        make_report(6, 3, "局产学研处", "blocked", 30, "用地指标未落实,需市里协调解决土地指标和规划调整问题,请领导关注", at(11, 18)),
        make_report(7, 4, "局科服处", "in_progress", 50, "推进中", at(11, 14, 0, 10)),
        make_report(8, 6, "局对外合作处", "in_progress", 70, "洽谈中", at(10, 20)),
        make_report(9, 7, "各辖市、区科技局", "in_progress", 81, "各区已落实", at(9, 1), who="李四"),
        make_report(10, 8, "局高新处", "in_progress", 95, "即将竣工", at(11, 10)),
    ]  # fmt: skip
    return [record(i) for i in items], reports


def snapshots(
    records: list[ItemRecord], reports: list[Report], today: date = TODAY
) -> tuple[Snapshot, Snapshot]:
    """Today's snapshot and last week's, from the same data (as the scheduler builds them)."""
    now = build_snapshot(records, reports, today=today, tz=TZ)
    before = build_snapshot(records, reports, today=LAST_WEEK, tz=TZ)
    return now, before


def hand_digest(t: Texts = ZH, cycle_start: date | None = CYCLE) -> Digest:
    now, before = snapshots(*hand_plan())
    return compose_digest(t, now, before, cycle_start=cycle_start, title="测试工作要点")


def valid(lines: list[str]) -> str:
    for line in lines:
        parse_html(line)
    shown = []
    for chunk in split_message(lines):
        assert utf16_len(chunk) <= MESSAGE_LIMIT
        shown.append(parse_html(chunk).text)
    return "\n".join(shown)


def index_of(lines: list[str], needle: str) -> int:
    found = [i for i, x in enumerate(lines) if needle in x]
    assert len(found) == 1, (needle, found)
    return found[0]


# ---------------------------------------------------------------------------- the digest


def test_headline_numbers() -> None:
    d = hand_digest()
    assert d.headline == {
        "items": 8,
        "done": 1,
        "red": 4,
        "yellow": 2,
        "green": 2,
        "mean_progress": 63.9,  # (100+85+30+50+0+70+81+95)/8
        # after the end of 11-13 in Shanghai: 11-14 00:10, 11-15, 11-16, 11-18 (not 11-13 23:30)
        "new_reports": 4,
        "newly_red": 1,
        "newly_done": 1,
        "silent_units": 4,
        "done_share": 12.5,
        "awaiting_signoff": 0,
    }


def test_the_digest_reads_exceptions_first() -> None:
    d = hand_digest()
    text = valid(d.text_lines)
    assert d.text_lines[0] == "<b>督办周报</b> 测试工作要点(截至 11月20日)"
    assert d.text_lines[1] == "共 8 项 · 已完成 1 项 · 平均进度 63.9%\n🟢 2 · 🟡 2 · 🔴 4"
    assert d.text_lines[2] == "<b>本周变化</b>:新增红灯 1 项 · 新完成 1 项 · 新反馈 4 条"
    assert d.text_lines[3] == "🆕 新增红灯:8. 建设科创综合体"
    assert d.text_lines[4] == "✅ 新完成:1. 加快高新技术企业培育"
    assert d.text_lines[5] == "<b>🔴 红灯事项 4 项</b>"
    assert d.text_lines[6] == (
        "🔴 3. 加速建设重大科创平台 · 局产学研处 · 有困难\n"
        "    最近反馈 11-18:用地指标未落实,需市里协调解决土地指标和规划调整问题,请领导关注"
    )
    assert d.text_lines[7] == (
        "🔴 4. 推进双创载体提档升级 · 局科服处 · 逾期 143 天\n    最近反馈 11-14:推进中"
    )
    assert d.text_lines[8] == (
        "🔴 5. 强化法治科技和立法保障 · 局规划处 · 落后序时进度 89 个百分点\n    尚未反馈"
    )
    assert (
        d.text_lines[9]
        == "🔴 8. 建设科创综合体 · 局高新处 · 逾期 3 天\n    最近反馈 11-10:即将竣工"
    )
    assert d.text_lines[10] == (
        "<b>本期未反馈单位 4 个</b>:局规划处,局对外合作处,局创新处,各辖市、区科技局"
    )
    assert d.text_lines[11] == ("其余 4 项:🟡 需关注 2 项(6、7),🟢 正常 2 项(其中已完成 1 项)。")
    assert len(d.text_lines) == 12
    assert len(split_message(d.text_lines)) == 1
    assert len(text) < 700  # reads in under a minute


def test_the_last_word_is_clipped() -> None:
    records, reports = hand_plan()
    long = make_report(11, 3, "局产学研处", "blocked", 30, "困难" * 200, at(11, 19))
    now, before = snapshots(records, [*reports, long])
    d = compose_digest(ZH, now, before, cycle_start=CYCLE, title="测试")
    line = d.text_lines[index_of(d.text_lines, "3. 加速建设重大科创平台")]
    assert line.endswith("困难困…") and len(line) < 120


def test_without_a_cycle_there_is_no_silent_unit_line() -> None:
    d = hand_digest(cycle_start=None)
    assert not any("未反馈单位" in x or "均已反馈" in x for x in d.text_lines)
    assert d.headline["silent_units"] == 0


def test_a_quiet_week_says_nothing_changed_and_names_no_items() -> None:
    records, reports = hand_plan()
    early = [r for r in reports if r.created_at < at(11, 13)]
    now = build_snapshot(records, early, today=date(2023, 11, 14), tz=TZ)
    before = build_snapshot(records, early, today=date(2023, 11, 13), tz=TZ)
    d = compose_digest(ZH, now, before, cycle_start=CYCLE, title="测试")
    assert any("新增红灯 0 项 · 新完成 0 项 · 新反馈 0 条" in x for x in d.text_lines)
    assert not any(x.startswith(("🆕", "✅")) for x in d.text_lines)


def test_an_item_new_since_last_week_counts_as_newly_red_or_done() -> None:
    records, reports = hand_plan()
    extra = make_item(9, "新增的任务", ("局办公室",), deadline=date(2023, 10, 1))
    extra_done = make_item(10, "新增且已完成", ("局办公室",))
    now = build_snapshot(
        [*records, record(extra), record(extra_done)],
        [*reports, make_report(12, 10, "局办公室", "done", 100, "完成", at(11, 19))],
        today=TODAY,
        tz=TZ,
    )
    before = build_snapshot(records, reports, today=LAST_WEEK, tz=TZ)
    d = compose_digest(ZH, now, before, cycle_start=CYCLE, title="测试")
    assert d.headline["newly_red"] == 2 and d.headline["newly_done"] == 2
    assert "🆕 新增红灯:8. 建设科创综合体、9. 新增的任务" in d.text_lines
    assert "✅ 新完成:1. 加快高新技术企业培育、10. 新增且已完成" in d.text_lines


def test_many_red_items_are_capped_and_fit_telegram() -> None:
    items = [make_item(i, "加快推进高水平科技自立自强" * 3, (f"单位{i}",)) for i in range(1, 121)]
    records = [record(i) for i in items]
    now = build_snapshot(records, [], today=TODAY, tz=TZ)
    before = build_snapshot(records, [], today=LAST_WEEK, tz=TZ)
    d = compose_digest(ZH, now, before, cycle_start=CYCLE, title="大计划")
    valid(d.text_lines)
    assert sum(1 for x in d.text_lines if x.startswith("🔴 ")) == 15
    assert "……另有 105 项未列出" in d.text_lines
    assert any(x.endswith("等120个单位") for x in d.text_lines)
    assert not any(x.startswith("其余") for x in d.text_lines)  # nothing but red
    assert d.paragraph.count("“") == 10 and "等。下一步" in d.paragraph


# ---------------------------------------------------------------------------- the paragraph


def test_the_paragraph_in_the_usual_style() -> None:
    assert hand_digest().paragraph == (
        "截至11月20日,测试工作要点8项任务中,已完成1项,占比12.5%;序时推进1项;需加快推进2项;"
        "进展滞后4项:局产学研处“加速建设重大科创平台”、局科服处“推进双创载体提档升级”、"
        "局规划处“强化法治科技和立法保障”、局高新处“建设科创综合体”。"
        "下一步,请各责任单位对照节点加快推进。"
    )


def test_the_paragraph_names_at_most_three_lead_units_per_item() -> None:
    many = make_item(1, "加强安全生产监管", ("局产学研处", "局高新处", "局科评处", "局规划处"))
    two = make_item(2, "加快推动高新园区建设", ("局高新处", "局农社处"))
    records = [record(many), record(two)]
    now, before = snapshots(records, [])
    d = compose_digest(ZH, now, before, cycle_start=None, title="计划")
    assert (
        "局产学研处、局高新处、局科评处等“加强安全生产监管”、局高新处、局农社处“加快推动高新园区建设”"
        in d.paragraph
    )
    assert "序时推进" not in d.paragraph  # no zero clauses


def test_a_plan_where_everything_is_done() -> None:
    records, _ = hand_plan()
    done = [
        make_report(i, r.item_id, r.item.units[0].name, "done", 100, "完成", at(11, 19))
        for i, r in enumerate(records, 1)
    ]
    now, before = snapshots(records, done)
    d = compose_digest(ZH, now, before, cycle_start=CYCLE, title="测试工作要点")
    valid(d.text_lines)
    assert d.headline["done"] == 8 and d.headline["red"] == 0 and d.headline["mean_progress"] == 100
    assert "🔴 暂无红灯事项。" in d.text_lines
    assert "本期各单位均已反馈。" in d.text_lines
    assert d.text_lines[-1] == "其余 8 项进展正常(其中已完成 8 项)。"
    assert d.paragraph == "截至11月20日,测试工作要点8项任务已全部完成。"


def test_an_empty_plan() -> None:
    now = build_snapshot([], [], today=TODAY, tz=TZ)
    d = compose_digest(ZH, now, now, cycle_start=CYCLE, title="测试工作要点")
    assert d.text_lines == ["<b>督办周报</b> 测试工作要点(截至 11月20日)", "暂无事项。"]
    assert d.paragraph == "截至11月20日,测试工作要点暂无任务。"
    assert d.headline["items"] == 0 and d.headline["mean_progress"] == 0
    valid(d.text_lines)
    en = compose_digest(EN, now, now, cycle_start=CYCLE, title="Plan")
    assert en.text_lines[-1] == "No items yet."
    assert en.paragraph == "As of November 20, Plan has no tasks."


def test_a_plan_with_nothing_late() -> None:
    item = make_item(1, "按期推进的任务")
    now, before = snapshots(
        [record(item)], [make_report(1, 1, "局高新处", "in_progress", 90, "顺利", at(11, 19))]
    )
    d = compose_digest(ZH, now, before, cycle_start=CYCLE, title="计划")
    assert d.paragraph == (
        "截至11月20日,计划1项任务中,已完成0项,占比0%;序时推进1项;暂无进展滞后任务。"
        "下一步,请各责任单位对照节点加快推进。"
    )


def test_paragraph_lines_escape_the_plain_text_for_a_message() -> None:
    item = make_item(
        1, "<script>alert(1)</script> & 研发", ("R&D <处>",), deadline=date(2023, 1, 31)
    )
    now, before = snapshots([record(item)], [])
    d = compose_digest(ZH, now, before, cycle_start=CYCLE, title="<b>计划 & 要点")
    assert "R&D <处>“<script>alert(1)</script> & 研发”" in d.paragraph  # plain text, as written
    lines = paragraph_lines(ZH, d)
    assert lines[0] == "<b>通报稿</b>(可复制):"
    shown = parse_html(lines[1])
    assert shown.text == d.paragraph
    assert "<script>" not in lines[1]
    text = valid(d.text_lines)
    assert "<script>" not in "\n".join(d.text_lines) and "&lt;script&gt;" in d.text_lines[4]
    assert d.text_lines[4].startswith("🔴 1. &lt;script&gt;")
    assert "<script>alert(1)</script> & 研发" in text and "R&D <处>" in text
    assert "<b>计划 & 要点" in text


def test_the_paragraph_stays_within_one_message() -> None:
    items = [make_item(i, "长" * 200, ("单" * 40,) * 5) for i in range(1, 60)]
    now, before = snapshots([record(i) for i in items], [])
    d = compose_digest(ZH, now, before, cycle_start=CYCLE, title="题" * 300)
    lines = paragraph_lines(ZH, d)
    assert len(split_message(lines)) == 1
    valid(lines)


# ---------------------------------------------------------------------------- English, seeds


def test_the_digest_in_english() -> None:
    d = hand_digest(EN)
    text = valid(d.text_lines)
    assert d.text_lines[0] == "<b>Weekly digest</b> 测试工作要点 (as of November 20)"
    assert "8 items · 1 done · mean progress 63.9%" in text
    assert "This week: newly red 1 · newly done 1 · new reports 4" in text
    assert "🔴 4. 推进双创载体提档升级 · 局科服处 · overdue by 143 days" in text
    assert (
        "🔴 5. 强化法治科技和立法保障 · 局规划处 · 89 points behind schedule\n    no report yet"
        in text
    )
    assert "局规划处; 局对外合作处; 局创新处; 各辖市、区科技局" in text
    assert d.text_lines[-1] == (
        "The other 4 items: 🟡 2 need attention (6, 7), 🟢 2 on track (done: 1)."
    )
    assert d.paragraph == (
        "As of November 20, of the 8 tasks in 测试工作要点: done 1 (12.5%); on schedule 1; "
        "to speed up 2; behind schedule 4: 局产学研处 “加速建设重大科创平台”, "
        "局科服处 “推进双创载体提档升级”, 局规划处 “强化法治科技和立法保障”, "
        "局高新处 “建设科创综合体”. Each responsible unit is asked to press ahead against "
        "its milestones."
    )
    assert "项" not in d.paragraph and "截至" not in d.paragraph


@pytest.mark.parametrize(
    ("d", "zh", "en"),
    [(date(2023, 1, 5), "1月5日", "January 5"), (date(2024, 12, 31), "12月31日", "December 31")],
)
def test_dates_read_as_in_an_official_text(d: date, zh: str, en: str) -> None:
    assert date_text(ZH, d) == zh
    assert date_text(EN, d) == en


def test_the_digest_of_the_seed_plan() -> None:
    plan = parse_file(SEED).plan
    records = [ItemRecord(i.seq, 1, str(i.seq), i, date(plan.year, 1, 1)) for i in plan.items]
    reports = [
        make_report(1, 4, "局高新处", "in_progress", 40, "已净增高企320家", at(11, 10), value=320, measure="家"),
        make_report(2, 3, "局高新处", "done", 100, "完成", at(11, 16)),
        make_report(3, 7, "局产学研处", "blocked", 30, "用地指标未落实", at(11, 15)),
        make_report(4, 12, "局高新处", "in_progress", 90, "顺利", at(11, 1)),
        make_report(5, 5, "局创新处", "in_progress", 85, "正常", at(11, 18)),
    ]  # fmt: skip
    now, before = snapshots(records, reports)
    d = compose_digest(ZH, now, before, cycle_start=CYCLE, title=plan.title)
    text = valid(d.text_lines)
    h = d.headline
    assert h["items"] == 28 and h["done"] == 1 and h["green"] + h["yellow"] + h["red"] == 28
    assert h["new_reports"] == 3 and h["newly_done"] == 1
    assert f"共 28 项 · 已完成 1 项 · 平均进度 {h['mean_progress']}%" in text
    assert (
        "🔴 7. 加速建设重大科创平台 · 局产学研处 · 有困难\n    最近反馈 11-15:用地指标未落实"
        in text
    )
    assert d.paragraph.startswith(
        "截至11月20日,市科技局党组2023年工作要点28项任务中,已完成1项,占比3.6%;"
    )
    assert (
        f"进展滞后{h['red']}项:局机关党委、各辖市、区科技局、常州经开区科技金融局“深刻把握"
        in d.paragraph
    )
    assert d.paragraph.endswith("。下一步,请各责任单位对照节点加快推进。")
    red_at = index_of(d.text_lines, "红灯事项")
    assert red_at < index_of(d.text_lines, "本期未反馈单位") < index_of(d.text_lines, "其余")


def test_long_lists_of_changes_are_capped() -> None:
    items = [make_item(i, f"任务{i}", (f"单位{i}",)) for i in range(1, 31)]
    records = [record(i) for i in items]
    now = build_snapshot(records, [], today=TODAY, tz=TZ)
    nothing_yet = build_snapshot([], [], today=LAST_WEEK, tz=TZ)  # the plan was imported since
    d = compose_digest(ZH, now, nothing_yet, cycle_start=None, title="计划")
    assert d.headline["newly_red"] == 30
    line = d.text_lines[index_of(d.text_lines, "🆕 新增红灯")]
    assert line.startswith("🆕 新增红灯:1. 任务1、2. 任务2、")
    assert line.endswith("10. 任务10 ……另有 20 项未列出")
    assert "11. 任务11" not in line


def test_new_reports_can_be_counted_from_the_moment_last_week_was_cut() -> None:
    records, reports = hand_plan()
    week_ago = at(11, 13, 9, 0)
    now = build_snapshot(records, reports, today=TODAY, tz=TZ)
    before = build_snapshot(records, reports, today=LAST_WEEK, tz=TZ, until=week_ago)
    d = compose_digest(ZH, now, before, cycle_start=CYCLE, title="测试", since=week_ago)
    assert d.headline["new_reports"] == 5  # the 11-13 23:30 report is new now
    assert d.text_chunks == split_message(d.text_lines) and len(d.text_chunks) == 1
