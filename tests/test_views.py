"""The chat views (render/views.py): /status, /status <unit>, /status <item>, /overdue, /due,
/stale, /blocked, and paging them — content in words, Telegram HTML and limits.

The hand-made plan (see `hand_plan`) is seen on Monday 2023-11-20; its plan year 2023 began
323 days earlier, so 序时进度 of a year-end item is 88.7 points.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from plans.documents.sources import parse_file
from plans.followup.status import ItemRecord, ItemState, Snapshot, build_snapshot
from plans.model import Item, Milestone, Report, Status, Target, UnitRef
from render.chunks import MESSAGE_LIMIT, split_message, utf16_len
from render.paging import Page, page_key, paginate, parse_page_data, resolve_page_arg
from render.texts import Texts
from render.views import filtered, item_view, status_overview, unit_view
from sandbox import parse_html

TZ = ZoneInfo("Asia/Shanghai")
TODAY = date(2023, 11, 20)
CYCLE = date(2023, 11, 1)
ZH = Texts("zh")
EN = Texts("en")
SEED = Path(__file__).resolve().parent / "data" / "seeds" / "000_0585e7f56649ebe7.txt"


# ---------------------------------------------------------------------------- building data


def make_item(
    seq: int,
    title: str,
    lead: tuple[str, ...] = ("局高新处",),
    support: tuple[str, ...] = (),
    *,
    deadline: date = date(2023, 12, 31),
    text: str = "",
    targets: tuple[Target, ...] = (),
    milestones: tuple[Milestone, ...] = (),
) -> Item:
    units = tuple(UnitRef(u, "lead") for u in lead) + tuple(UnitRef(u, "support") for u in support)
    return Item(
        seq=seq,
        number=str(seq),
        path=(),
        kind="task",
        title=title,
        text=text or title + "。",
        units=units,
        deadline=deadline,
        deadline_text="年内" if deadline == date(2023, 12, 31) else "",
        milestones=milestones,
        targets=targets,
    )


def record(item: Item, ref: str | None = None) -> ItemRecord:
    return ItemRecord(item.seq, 1, ref or str(item.seq), item, date(2023, 1, 1))


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
    expected: date | None = None,
) -> Report:
    return Report(
        id=rid,
        item_id=item_id,
        unit_id=1,
        status=status,
        percent=percent,
        text=text,
        created_at=when.astimezone(UTC),  # stored as UTC, as storage returns it
        value=value,
        measure=measure,
        reporter_name=who,
        unit_name=unit,
        expected_date=expected,
    )


def at(month: int, d: int, hour: int = 10, minute: int = 0) -> datetime:
    """A Shanghai wall-clock time in 2023."""
    return datetime(2023, month, d, hour, minute, tzinfo=TZ)


def hand_plan() -> tuple[list[ItemRecord], list[Report]]:
    """Eight items with one of each situation (lights on 2023-11-20 in brackets):

    1 done (green) · 2 on schedule, milestone 12-20 (green) · 3 blocked and overdue (red) ·
    4 overdue 143 days (red) · 5 never reported (red) · 6 18.7 points behind, milestone 11-25
    (yellow) · 7 reported only by its support unit on 09-01 (yellow: stale) · 8 due 11-17, now
    overdue by 3 days (red; yellow a week ago).
    """
    items = [
        make_item(
            1,
            "加快高新技术企业培育",
            support=("各辖市、区科技局",),
            targets=(Target("600家以上", 600, "家"),),
        ),
        make_item(
            2,
            "打造创新型领军企业",
            targets=(Target("超50家", 50, "家", ">"),),
            milestones=(
                Milestone(date(2023, 6, 30), "6月底前完成摸排"),
                Milestone(date(2023, 12, 20), "12月中旬组织验收"),
            ),
        ),
        make_item(3, "加速建设重大科创平台", ("局产学研处",), deadline=date(2023, 9, 30)),
        make_item(4, "推进双创载体提档升级", ("局科服处",), deadline=date(2023, 6, 30)),
        make_item(5, "强化法治科技和立法保障", ("局规划处",)),
        make_item(
            6,
            "深化国际科技合作",
            ("局对外合作处",),
            milestones=(Milestone(date(2023, 11, 25), "11月25日前完成签约"),),
        ),
        make_item(7, "强化国内产学研合作", ("局创新处",), ("各辖市、区科技局",)),
        make_item(8, "建设科创综合体", deadline=date(2023, 11, 17)),
    ]
    reports = [
        make_report(1, 1, "局高新处", "in_progress", 60, "已净增高企320家", at(10, 10), value=320, measure="家"),
        make_report(2, 1, "局高新处", "done", 100, "全部完成,净增650家", at(11, 16), value=650, measure="家"),
        make_report(3, 2, "局高新处", "in_progress", 60, "摸排完成", at(10, 10), value=12, measure="家"),
        make_report(4, 2, "局高新处", "in_progress", 80, "推进中", at(11, 13, 23, 30)),
        make_report(5, 2, "局高新处", "in_progress", 85, "已认定20家", at(11, 15), value=20, measure="家", expected=date(2023, 12, 15)),
        make_report(6, 3, "局产学研处", "blocked", 30, "用地指标未落实", at(11, 18), who="王五"),
        make_report(7, 4, "局科服处", "in_progress", 50, "推进中", at(11, 14, 0, 10)),
        make_report(8, 6, "局对外合作处", "in_progress", 70, "洽谈中", at(10, 20)),
        make_report(9, 7, "各辖市、区科技局", "in_progress", 81, "各区已落实", at(9, 1), who="李四"),
        make_report(10, 8, "局高新处", "in_progress", 95, "即将竣工", at(11, 10)),
    ]  # fmt: skip
    return [record(i) for i in items], reports


def hand_snapshot(today: date = TODAY) -> Snapshot:
    records, reports = hand_plan()
    return build_snapshot(records, reports, today=today, tz=TZ)


def state_of(snap: Snapshot, ref: str) -> ItemState:
    return next(s for s in snap.items if s.record.ref == ref)


def valid(lines: list[str]) -> str:
    """Every line and every message built from them is Telegram HTML within the limits; the
    plain text Telegram would show is returned."""
    for line in lines:
        parse_html(line)
    chunks = split_message(lines)
    texts = []
    for chunk in chunks:
        assert utf16_len(chunk) <= MESSAGE_LIMIT
        texts.append(parse_html(chunk).text)
    return "\n".join(texts)


def line_of(lines: list[str], needle: str) -> str:
    found = [x for x in lines if needle in x]
    assert len(found) == 1, (needle, found)
    return found[0]


# ---------------------------------------------------------------------------- /status


def test_the_hand_plan_has_the_lights_its_docstring_promises() -> None:
    snap = hand_snapshot()
    lights = {s.record.ref: s.light for s in snap.items}
    assert lights == {
        "1": "green",
        "2": "green",
        "3": "red",
        "4": "red",
        "5": "red",
        "6": "yellow",
        "7": "yellow",
        "8": "red",
    }


def test_overview_counts_completion_silent_units_and_red_items() -> None:
    lines = status_overview(
        ZH, hand_snapshot(), cycle_start=CYCLE, plan_titles=["测试工作要点", "另一个计划"]
    )
    text = valid(lines)
    assert lines[0] == "<b>督办概览</b>(截至 2023-11-20)"
    assert "计划:测试工作要点、另一个计划" in text
    assert "共 8 项:🟢 2 · 🟡 2 · 🔴 4" in text
    assert "未启动 1 · 推进中 5 · 已完成 1 · 有困难 1" in text
    # (100 + 85 + 30 + 50 + 0 + 70 + 81 + 95) / 8 = 63.875; targets: item 1's 650 ≥ 600 only
    assert "平均进度 63.9% · 量化指标已达成 1/2(50%)" in text
    assert "本期(11-01 起)未反馈单位 4 个:局规划处,局对外合作处,局创新处,各辖市、区科技局" in text
    assert "<b>🔴 红灯事项 4 项</b>" in lines
    red = [x for x in lines if x.startswith("🔴 ")]
    assert red == [
        "🔴 3. 加速建设重大科创平台 · 局产学研处",
        "🔴 4. 推进双创载体提档升级 · 局科服处",
        "🔴 5. 强化法治科技和立法保障 · 局规划处",
        "🔴 8. 建设科创综合体 · 局高新处",
    ]
    # the red list comes last: counts and exceptions above it
    assert lines.index("<b>🔴 红灯事项 4 项</b>") > next(
        i for i, x in enumerate(lines) if "未反馈单位" in x
    )


def test_overview_without_a_cycle_has_no_silent_line_and_without_titles_no_plan_line() -> None:
    lines = status_overview(ZH, hand_snapshot(), cycle_start=None, plan_titles=[])
    assert not any("未反馈" in x for x in lines)
    assert not any(x.startswith("计划:") for x in lines)
    assert len(lines) == 1 + 3 + 1 + 4  # head, counts ×3, red head, four red items


def test_overview_when_every_unit_reported_says_so() -> None:
    lines = status_overview(ZH, hand_snapshot(), cycle_start=date(2023, 9, 1), plan_titles=[])
    # since 09-01 every open item's units have reported except 局规划处 and 局创新处
    assert any("未反馈单位 2 个:局规划处,局创新处" in x for x in lines)
    records, reports = hand_plan()
    everyone = [
        *reports,
        make_report(20, 5, "局规划处", "in_progress", 90, "好", at(11, 19)),
        make_report(21, 7, "局创新处", "in_progress", 90, "好", at(11, 19)),
        make_report(22, 7, "各辖市、区科技局", "in_progress", 90, "好", at(11, 19)),
        make_report(23, 6, "局对外合作处", "in_progress", 90, "好", at(11, 19)),
    ]
    snap = build_snapshot(records, everyone, today=TODAY, tz=TZ)
    lines = status_overview(ZH, snap, cycle_start=CYCLE, plan_titles=[])
    assert "本期(11-01 起)各单位均已反馈。" in lines


def test_overview_of_fifty_red_items_with_long_names_fits_one_message() -> None:
    unit = "江苏省常州市武进区国家高新技术产业开发区管理委员会科技局科技创新服务中心办公室"
    items = [
        make_item(
            i,
            f"第{i}项" + "加快推进高水平科技自立自强和创新型城市建设" * 3,
            tuple(f"{unit}{k}" for k in range(i % 4 + 1)),
        )
        for i in range(1, 51)
    ]
    snap = build_snapshot([record(i) for i in items], [], today=TODAY, tz=TZ)
    lines = status_overview(ZH, snap, cycle_start=CYCLE, plan_titles=["计划" * 40])
    assert len(split_message(lines)) == 1
    valid(lines)
    assert sum(1 for x in lines if x.startswith("🔴 ")) == 50  # all fit: titles are clipped
    assert any("未反馈单位 4 个" in x for x in lines)


def test_overview_of_hundreds_of_red_items_stays_one_message_and_counts_the_rest() -> None:
    items = [make_item(i, "加快推进高水平科技自立自强" * 2, (f"单位{i}",)) for i in range(1, 301)]
    snap = build_snapshot([record(i) for i in items], [], today=TODAY, tz=TZ)
    lines = status_overview(ZH, snap, cycle_start=CYCLE, plan_titles=[])
    assert len(split_message(lines)) == 1
    listed = sum(1 for x in lines if x.startswith("🔴 "))
    assert 30 < listed < 300
    assert lines[-1] == f"……另有 {300 - listed} 项未列出"
    # 300 silent units are named only in part
    assert any(x.endswith("等300个单位") for x in lines)


def test_overview_of_an_empty_plan_says_there_is_nothing() -> None:
    snap = build_snapshot([], [], today=TODAY, tz=TZ)
    lines = status_overview(ZH, snap, cycle_start=CYCLE, plan_titles=["测试"])
    assert lines[-1] == "暂无事项。请先导入工作要点。"
    valid(lines)


def test_overview_when_everything_is_done() -> None:
    records, _ = hand_plan()
    done = [
        make_report(i, r.item_id, r.item.units[0].name, "done", 100, "完成", at(11, 19))
        for i, r in enumerate(records, 1)
    ]
    snap = build_snapshot(records, done, today=TODAY, tz=TZ)
    text = valid(status_overview(ZH, snap, cycle_start=CYCLE, plan_titles=[]))
    assert "共 8 项:🟢 8 · 🟡 0 · 🔴 0" in text
    assert "未启动 0 · 推进中 0 · 已完成 8 · 有困难 0" in text
    assert "平均进度 100%" in text
    assert "暂无红灯事项。" in text
    assert "本期(11-01 起)各单位均已反馈。" in text  # no open item, nobody to chase


def test_overview_in_english() -> None:
    text = valid(status_overview(EN, hand_snapshot(), cycle_start=CYCLE, plan_titles=["Plan"]))
    assert "8 items: 🟢 2 · 🟡 2 · 🔴 4" in text
    assert "not started 1 · in progress 5 · done 1 · blocked 1" in text
    assert "mean progress 63.9% · targets reached 1/2 (50%)" in text
    assert "since 11-01), 4: 局规划处; 局对外合作处; 局创新处; 各辖市、区科技局" in text
    assert "🔴 Red items: 4" in text
    assert "项" not in text and "共" not in text  # no Chinese template leaks into English


# ---------------------------------------------------------------------------- /status <unit>


def test_unit_view_lists_the_units_items_with_light_percent_last_report_and_next_date() -> None:
    lines = unit_view(ZH, hand_snapshot(), "局高新处")
    valid(lines)
    assert lines[0] == "<b>局高新处</b> 的事项 3 项:🟢 2 · 🟡 0 · 🔴 1"
    assert (
        lines[1]
        == "🟢 1. 加快高新技术企业培育\n    已完成\n    最近反馈 11-16 张三:全部完成,净增650家"
    )
    assert lines[2] == (
        "🟢 2. 打造创新型领军企业\n    推进中 85% · 节点 12-20(还有 30 天)\n"
        "    最近反馈 11-15 张三:已认定20家"
    )
    assert lines[3] == (
        "🔴 8. 建设科创综合体\n    推进中 95% · 已逾期 3 天(截止 11-17)\n"
        "    最近反馈 11-10 张三:即将竣工"
    )
    assert len(lines) == 4


def test_unit_view_of_a_support_unit_marks_support_and_shows_its_own_report() -> None:
    lines = unit_view(ZH, hand_snapshot(), "各辖市、区科技局")
    assert lines[0].startswith("<b>各辖市、区科技局</b> 的事项 2 项")
    assert lines[1].startswith("🟢 1. 加快高新技术企业培育(配合)\n")
    # it never reported on item 1: the lead's last report is shown, naming the lead unit
    assert lines[1].endswith("最近反馈 11-16 局高新处 张三:全部完成,净增650家")
    assert lines[2].startswith(
        "🟡 7. 强化国内产学研合作(配合)\n    推进中 81% · 截止 12-31(还有 41 天)"
    )
    assert lines[2].endswith("最近反馈 09-01 李四:各区已落实")


def test_unit_view_of_a_lead_that_never_reported_shows_the_support_units_word() -> None:
    lines = unit_view(ZH, hand_snapshot(), "局创新处")
    assert len(lines) == 2
    assert "(配合)" not in lines[1]
    assert lines[1].endswith("最近反馈 09-01 各辖市、区科技局 李四:各区已落实")
    lines = unit_view(ZH, hand_snapshot(), "局规划处")
    assert lines[1].endswith("尚未反馈")
    assert "未启动 · 截止 12-31(还有 41 天)" in lines[1]


def test_unit_view_shows_report_dates_in_the_local_zone() -> None:
    # 2023-11-14 00:10 in Shanghai is 2023-11-13 16:10 UTC
    lines = unit_view(ZH, hand_snapshot(), "局科服处")
    assert "最近反馈 11-14 张三:推进中" in lines[1]
    lines = unit_view(ZH, hand_snapshot(), "局科服处", tz=ZoneInfo("UTC"))
    assert "最近反馈 11-13 张三:推进中" in lines[1]


def test_unit_view_of_an_unknown_unit_says_it_has_no_items() -> None:
    assert unit_view(ZH, hand_snapshot(), "不存在的处") == ["<b>不存在的处</b> 暂无事项。"]
    assert unit_view(EN, hand_snapshot(), "Nobody") == ["<b>Nobody</b> has no items."]


def test_unit_view_in_english() -> None:
    lines = unit_view(EN, hand_snapshot(), "局高新处")
    assert lines[0] == "Items of <b>局高新处</b> (3): 🟢 2 · 🟡 0 · 🔴 1"
    assert "in progress 85% · step 12-20 (in 30 days)" in lines[2]
    assert "overdue by 3 days (due 11-17)" in lines[3]
    assert "last report 11-10 张三: 即将竣工" in lines[3]


# ---------------------------------------------------------------------------- /status <item>


def test_item_view_shows_text_units_targets_milestones_and_history_newest_first() -> None:
    snap = hand_snapshot()
    lines = item_view(ZH, snap, state_of(snap, "2"))
    valid(lines)
    assert lines[:3] == [
        "🟢 <b>2. 打造创新型领军企业</b>",
        "推进中 85% · 截止 12-31(年内)",
        "打造创新型领军企业。",
    ]
    assert "牵头:局高新处" in lines
    assert not any(x.startswith("配合:") for x in lines)
    assert "· 超50家 → 已报 20家" in lines
    i = lines.index("<b>时间节点</b>")
    assert lines[i + 1 : i + 3] == ["· 06-30 6月底前完成摸排(已过)", "· 12-20 12月中旬组织验收"]
    h = lines.index("<b>反馈记录</b> 3 条(新的在前)")
    assert lines[h + 1 :] == [
        "· 11-15 局高新处 张三:推进中 85% 已认定20家(预计 12-15 完成)",
        "· 11-13 局高新处 张三:推进中 80% 推进中",
        "· 10-10 局高新处 张三:推进中 60% 摸排完成",
    ]


def test_item_view_of_a_done_item_marks_reached_targets_and_lists_support_units() -> None:
    snap = hand_snapshot()
    lines = item_view(ZH, snap, state_of(snap, "1"))
    assert lines[1] == "已完成 · 截止 12-31(年内)"
    assert "配合:各辖市、区科技局" in lines
    assert "· 600家以上 → 已报 650家 ✅" in lines
    assert lines[-1] == "· 10-10 局高新处 张三:推进中 60% 已净增高企320家"


def test_item_view_of_an_overdue_blocked_item_and_one_never_reported() -> None:
    snap = hand_snapshot()
    lines = item_view(ZH, snap, state_of(snap, "3"))
    assert lines[:2] == [
        "🔴 <b>3. 加速建设重大科创平台</b>",
        "有困难 30% · 已逾期 51 天(截止 09-30)",
    ]
    assert lines[-1] == "· 11-18 局产学研处 王五:有困难 30% 用地指标未落实"
    lines = item_view(ZH, snap, state_of(snap, "5"))
    assert lines[-1] == "尚未反馈"
    assert not any("量化指标" in x or "时间节点" in x for x in lines)


def test_item_view_clips_a_long_text() -> None:
    long = make_item(1, "长文本事项", text="长" * 1500)
    snap = build_snapshot([record(long)], [], today=TODAY, tz=TZ)
    lines = item_view(ZH, snap, snap.items[0])
    body = line_of(lines, "长长长")
    assert len(body) == 600 and body.endswith("…")
    assert len(split_message(lines)) == 1


def test_item_view_in_english() -> None:
    snap = hand_snapshot()
    lines = item_view(EN, snap, state_of(snap, "2"))
    assert lines[1] == "in progress 85% · due 12-31 (年内)"
    assert "Lead: 局高新处" in lines
    assert "· 超50家 → reported 20家" in lines
    assert "<b>Reports</b>: 3 (newest first)" in lines
    assert lines[-3].endswith("已认定20家 (expects to finish 12-15)")


# ---------------------------------------------------------------------------- /overdue …


def test_overdue_lists_the_most_overdue_first() -> None:
    lines = filtered(ZH, hand_snapshot(), "overdue")
    valid(lines)
    assert lines == [
        "<b>已逾期事项</b> 3 项",
        "🔴 4. 推进双创载体提档升级 · 局科服处\n    已逾期 143 天(截止 06-30)",
        "🔴 3. 加速建设重大科创平台 · 局产学研处\n    已逾期 51 天(截止 09-30)",
        "🔴 8. 建设科创综合体 · 局高新处\n    已逾期 3 天(截止 11-17)",
    ]


def test_due_lists_what_falls_within_the_days_soonest_first() -> None:
    snap = hand_snapshot()
    lines = filtered(ZH, snap, "due")
    assert lines == [
        "<b>7 天内到期的事项</b> 1 项",
        "🟡 6. 深化国际科技合作 · 局对外合作处\n    节点 11-25(还有 5 天)",
    ]
    lines = filtered(ZH, snap, "due", days=41)
    assert lines[0] == "<b>41 天内到期的事项</b> 4 项"
    assert [x.split(".")[0][2:] for x in lines[1:]] == ["6", "2", "5", "7"]  # 11-25, 12-20, 12-31…
    assert lines[2].endswith("节点 12-20(还有 30 天)")
    assert lines[3].endswith("截止 12-31(还有 41 天)")
    assert filtered(ZH, snap, "due", days=40)[0] == "<b>40 天内到期的事项</b> 2 项"
    assert filtered(ZH, snap, "due", days=4) == ["4 天内没有到期的事项。"]
    # due today counts (the deadline day is not overdue)
    today = filtered(ZH, hand_snapshot(date(2023, 11, 25)), "due", days=0)
    assert today[1].endswith("节点 11-25(今天)")


def test_stale_lists_never_reported_first_then_the_oldest() -> None:
    snap = hand_snapshot()
    lines = filtered(ZH, snap, "stale")
    valid(lines)
    # default: one cycle (31 days) back, 10-20; item 6's report on 10-20 itself is in time
    assert lines == [
        "<b>10-20 以来未反馈的事项</b> 2 项",
        "🔴 5. 强化法治科技和立法保障 · 局规划处\n    从未反馈",
        "🟡 7. 强化国内产学研合作 · 局创新处\n    最近反馈 09-01(80 天前)",
    ]
    lines = filtered(ZH, snap, "stale", stale_since=date(2023, 11, 12))
    # item 4 (reported 11-14 00:10 Shanghai, 11-13 UTC) is in time; item 8 (11-10) is not
    assert [x.split(".")[0][2:] for x in lines[1:]] == ["5", "7", "6", "8"]
    assert lines[3].endswith("最近反馈 10-20(31 天前)")
    assert lines[4].endswith("最近反馈 11-10(10 天前)")
    utc = filtered(ZH, snap, "stale", stale_since=date(2023, 11, 14), tz=ZoneInfo("UTC"))
    assert "4. 推进双创载体提档升级" in "\n".join(utc)


def test_stale_ignores_items_whose_span_began_after_the_date() -> None:
    item = make_item(1, "新年度事项")
    rec = ItemRecord(1, 1, "1", item, date(2023, 11, 1))
    snap = build_snapshot([rec], [], today=TODAY, tz=TZ)
    assert filtered(ZH, snap, "stale") == ["10-20 以来所有未完成事项都有反馈。"]


def test_blocked_lists_the_reason() -> None:
    lines = filtered(ZH, hand_snapshot(), "blocked")
    assert lines == [
        "<b>有困难的事项</b> 1 项",
        "🔴 3. 加速建设重大科创平台 · 局产学研处\n    11-18 局产学研处 王五:用地指标未落实",
    ]


def test_empty_results_say_so_in_words() -> None:
    records, _ = hand_plan()
    done = [
        make_report(i, r.item_id, r.item.units[0].name, "done", 100, "完成", at(11, 19))
        for i, r in enumerate(records, 1)
    ]
    snap = build_snapshot(records, done, today=TODAY, tz=TZ)
    assert filtered(ZH, snap, "overdue") == ["没有逾期事项。"]
    assert filtered(ZH, snap, "due", days=30) == ["30 天内没有到期的事项。"]
    assert filtered(ZH, snap, "stale") == ["10-20 以来所有未完成事项都有反馈。"]
    assert filtered(ZH, snap, "blocked") == ["没有报告有困难的事项。"]
    assert filtered(EN, snap, "overdue") == ["No item is overdue."]
    assert filtered(EN, snap, "due", days=3) == ["Nothing is due within 3 days."]
    empty = build_snapshot([], [], today=TODAY, tz=TZ)
    for which in ("overdue", "due", "stale", "blocked"):
        lines = filtered(ZH, empty, which)
        assert len(lines) == 1
        assert "没有" in lines[0] or "都有反馈" in lines[0]


def test_filtered_in_english() -> None:
    lines = filtered(EN, hand_snapshot(), "overdue")
    assert lines[0] == "<b>Overdue items</b>: 3"
    assert lines[1] == "🔴 4. 推进双创载体提档升级 · 局科服处\n    overdue by 143 days (due 06-30)"
    lines = filtered(EN, hand_snapshot(), "stale")
    assert lines[1].endswith("never reported")
    assert lines[2].endswith("last report 09-01 (80 days ago)")


# ---------------------------------------------------------------------------- hostile strings


HOSTILE_TITLE = "<script>alert('x')</script> & 研发"
HOSTILE_UNIT = "R&D <处>"


def hostile_snapshot() -> Snapshot:
    item = make_item(
        1,
        HOSTILE_TITLE,
        (HOSTILE_UNIT,),
        ("<i>配合</i>",),
        deadline=date(2023, 11, 1),
        text="正文 <b>未闭合 & </i>",
        targets=(Target("<5>家&", 5, "<家>"),),
        milestones=(Milestone(date(2023, 6, 30), "<u>节点</u> &"),),
    )
    reports = [
        make_report(
            1, 1, HOSTILE_UNIT, "blocked", 10, "<b>卡住 & </i>", at(11, 19), who="<img src=x>",
            value=1, measure="<家>",
        )
    ]  # fmt: skip
    return build_snapshot([record(item, "<1>")], reports, today=TODAY, tz=TZ)


@pytest.mark.parametrize("t", [ZH, EN], ids=["zh", "en"])
def test_hostile_strings_are_escaped_in_every_view(t: Texts) -> None:
    snap = hostile_snapshot()
    views = {
        "overview": status_overview(t, snap, cycle_start=CYCLE, plan_titles=["<b>计划"]),
        "unit": unit_view(t, snap, HOSTILE_UNIT),
        "item": item_view(t, snap, snap.items[0]),
        "overdue": filtered(t, snap, "overdue"),
        "blocked": filtered(t, snap, "blocked"),
        "due": filtered(t, snap, "due", days=400),
        "stale": filtered(t, snap, "stale", stale_since=date(2023, 12, 1)),
    }
    for name, lines in views.items():
        joined = "\n".join(lines)
        valid(lines)
        assert "<script>" not in joined and "<img" not in joined, name
        if name != "due":  # overdue since 11-01, the item has nothing coming up
            assert "&lt;script&gt;" in joined, name
        assert "<i>" not in joined and "<u>" not in joined, name
    item_text = valid(views["item"])
    assert HOSTILE_TITLE in item_text  # Telegram shows the string exactly as written
    assert "正文 <b>未闭合 & </i>" in item_text
    assert "<img src=x>" in item_text and "<b>卡住 & </i>" in item_text
    assert HOSTILE_UNIT in valid(views["unit"]) and HOSTILE_UNIT in valid(views["overview"])


# ---------------------------------------------------------------------------- the seed plan


def seed_snapshot() -> Snapshot:
    plan = parse_file(SEED).plan
    records = [ItemRecord(i.seq, 1, str(i.seq), i, date(plan.year, 1, 1)) for i in plan.items]
    reports = [
        make_report(1, 4, "局高新处", "in_progress", 40, "已净增高企320家", at(11, 10), value=320, measure="家"),
        make_report(2, 3, "局高新处", "done", 100, "完成", at(11, 16)),
        make_report(3, 7, "局产学研处", "blocked", 30, "用地指标未落实", at(11, 15)),
        make_report(4, 12, "局高新处", "in_progress", 90, "顺利", at(11, 1)),
        make_report(5, 5, "局创新处", "in_progress", 85, "正常", at(11, 18)),
    ]  # fmt: skip
    return build_snapshot(records, reports, today=TODAY, tz=TZ)


def test_views_of_the_seed_plan() -> None:
    snap = seed_snapshot()
    assert len(snap.items) == 28
    overview = status_overview(
        ZH, snap, cycle_start=CYCLE, plan_titles=["市科技局党组2023年工作要点"]
    )
    text = valid(overview)
    assert len(split_message(overview)) == 1
    lights = snap.by_light()
    assert sum(lights.values()) == 28
    assert f"共 28 项:🟢 {lights['green']} · 🟡 {lights['yellow']} · 🔴 {lights['red']}" in text
    assert "未启动 23 · 推进中 3 · 已完成 1 · 有困难 1" in text
    assert sum(1 for x in overview if x.startswith("🔴 ")) == lights["red"]
    # "各辖市、区科技局" is one unit: named once, whole
    assert text.count("各辖市、区科技局") == 2  # the silent-unit line and item 1's units
    # the district bureau is responsible for every item: lead on item 1, support elsewhere
    district = unit_view(ZH, snap, "各辖市、区科技局")
    valid(district)
    assert district[0].startswith("<b>各辖市、区科技局</b> 的事项 28 项")
    assert sum("(配合)" in x for x in district[1:]) == 27
    high_tech = unit_view(ZH, snap, "局高新处")
    assert "已净增高企320家" in line_of(high_tech, "4. 加快高新技术企业培育")
    item4 = item_view(ZH, snap, state_of(snap, "4"))
    valid(item4)
    assert "· 600家以上 → 已报 320家" in item4
    assert filtered(ZH, snap, "blocked")[1].startswith("🔴 7. 加速建设重大科创平台 · 局产学研处")
    assert filtered(ZH, snap, "overdue") == ["没有逾期事项。"]


# ---------------------------------------------------------------------------- paging


def data_of(page: Page) -> list[str]:
    return [data for row in page.buttons for _, data in row]


def test_paging_buttons_at_the_first_middle_and_last_page() -> None:
    lines = [f"第 {i} 行" for i in range(1, 76)]
    first = paginate(lines, 1, view="unit", arg="局高新处")
    assert (first.page, first.pages) == (1, 3)
    assert first.buttons == [[("1/3", "pg:noop"), ("▶", "pg:unit:局高新处:2")]]
    assert first.chunks == ["\n".join(lines[:30])]
    middle = paginate(lines, 2, view="unit", arg="局高新处")
    assert middle.buttons == [
        [("◀", "pg:unit:局高新处:1"), ("2/3", "pg:noop"), ("▶", "pg:unit:局高新处:3")]
    ]
    assert middle.chunks == ["\n".join(lines[30:60])]
    last = paginate(lines, 3, view="unit", arg="局高新处")
    assert last.buttons == [[("◀", "pg:unit:局高新处:2"), ("3/3", "pg:noop")]]
    assert last.chunks == ["\n".join(lines[60:])]
    assert last.key == "局高新处"


def test_paging_clamps_the_page_and_a_single_page_has_no_buttons() -> None:
    lines = [f"第 {i} 行" for i in range(1, 62)]
    assert paginate(lines, 0, view="v").page == 1
    assert paginate(lines, -5, view="v").page == 1
    beyond = paginate(lines, 99, view="v")
    assert (beyond.page, beyond.pages) == (3, 3)
    assert beyond.chunks == ["第 61 行"]
    assert paginate(lines, 1, view="v", per_page=61).buttons == []
    assert paginate(lines, 1, view="v", per_page=60).pages == 2
    one = paginate(["只有一行"], 1, view="v")
    assert (one.chunks, one.buttons, one.page, one.pages) == (["只有一行"], [], 1, 1)
    empty = paginate([], 1, view="v")
    assert (empty.chunks, empty.buttons, empty.pages) == ([], [], 1)
    with pytest.raises(ValueError):
        paginate(lines, 1, view="v", per_page=0)


def test_paging_long_lines_keeps_one_message_a_page_and_every_line_in_order() -> None:
    lines = [f"<b>{i}</b>. " + "加快推进科技创新&amp;" * 20 for i in range(100)]  # ~300 each
    pages = paginate(lines, 1, view="overdue").pages
    assert pages > 100 // 30 + 1  # fewer lines a page than per_page
    seen: list[str] = []
    for n in range(1, pages + 1):
        page = paginate(lines, n, view="overdue")
        assert len(page.chunks) == 1
        assert utf16_len(page.chunks[0]) <= MESSAGE_LIMIT
        parse_html(page.chunks[0])
        assert len(page.chunks[0].split("\n")) <= 30
        seen += page.chunks[0].split("\n")
    assert seen == lines


def test_paging_cuts_a_line_longer_than_a_message() -> None:
    huge = "<b>x</b>" + "事项&amp;😀" * 2000
    pages = paginate(["头", huge, "尾"], 1, view="item", arg="12").pages
    assert pages >= 3
    for n in range(1, pages + 1):
        page = paginate(["头", huge, "尾"], n, view="item", arg="12")
        assert len(page.chunks) == 1 and utf16_len(page.chunks[0]) <= MESSAGE_LIMIT
        parse_html(page.chunks[0])


def test_paging_repeats_the_head_on_every_page_within_the_limit() -> None:
    head = "<b>各辖市、区科技局</b> 的事项"
    lines = ["事项" * 100] * 70
    total = paginate(lines, 1, view="unit", head=head).pages
    for n in range(1, total + 1):
        chunk = paginate(lines, n, view="unit", head=head).chunks[0]
        assert chunk.startswith(head + "\n")
        assert utf16_len(chunk) <= MESSAGE_LIMIT
    with pytest.raises(ValueError):
        paginate(lines, 1, view="unit", head="长" * 2000)


def test_a_long_chinese_unit_name_gets_a_short_stable_key() -> None:
    unit = "江苏省常州市武进国家高新技术产业开发区管理委员会科技创新局办公室"
    unit += "科" * (40 - len(unit))
    assert len(unit) == 40
    lines = [f"第 {i} 行" for i in range(1, 200)]
    keys = set()
    for n in (1, 2, 7):
        page = paginate(lines, n, view="unit", arg=unit)
        keys.add(page.key)
        for data in data_of(page):
            assert len(data.encode()) <= 64
            if data != "pg:noop":
                parsed = parse_page_data(data)
                assert parsed is not None
                view, key, target = parsed
                assert view == "unit" and key == page.key and target in (n - 1, n + 1)
                assert resolve_page_arg(key, ["局高新处", unit, "局创新处"]) == unit
    assert len(keys) == 1
    (key,) = keys
    assert key.startswith("#") and len(key) == 13
    assert resolve_page_arg(key, ["局高新处", "局创新处"]) is None
    assert resolve_page_arg("局高新处", []) == "局高新处"


def test_the_key_is_the_argument_up_to_the_byte_limit() -> None:
    # "pg:unit:" + arg + ":999999" is 15 bytes around the argument
    fits, too_long = "a" * 49, "a" * 50
    assert page_key("unit", fits) == fits
    assert page_key("unit", too_long).startswith("#")
    assert page_key("unit", "a:b") != "a:b"  # a colon would break parsing
    assert page_key("unit", "#12") != "#12"  # a verbatim "#…" would read as a key
    assert resolve_page_arg(page_key("unit", "#12"), ["#12"]) == "#12"
    page = paginate(["x"] * 100, 2, view="unit", arg=too_long)
    assert all(len(d.encode()) <= 64 for d in data_of(page))


def test_parse_page_data_refuses_what_is_not_a_page_button() -> None:
    assert parse_page_data("pg:noop") is None
    assert parse_page_data("r:12:d") is None
    assert parse_page_data("pg:unit:x:two") is None
    assert parse_page_data("pg:unit:局高新处:3") == ("unit", "局高新处", 3)


def test_paging_a_real_view() -> None:
    snap = seed_snapshot()
    lines = unit_view(ZH, snap, "各辖市、区科技局")
    head, body = lines[0], lines[1:]
    total = paginate(body, 1, view="unit", arg="各辖市、区科技局", per_page=10, head=head).pages
    assert total == 3
    last = paginate(body, 3, view="unit", arg="各辖市、区科技局", per_page=10, head=head)
    assert last.chunks[0].count("\n    ") == 8 * 2  # 8 items left, two detail lines each
    parse_html(last.chunks[0])
