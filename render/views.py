"""The coordinators' chat views: /status, /status <unit>, /status <item>, /overdue, /due, /stale,
/blocked, and the pieces of their lines (dates, units, progress) the digest shares. No Telegram.

Every view returns a list of lines, each complete Telegram HTML (a line may hold "\\n" but never
an unclosed tag), every plan or user string escaped with `esc`. The caller sends them with
`split_message`, or pages them with `render.paging.paginate` (◀ n/N ▶ buttons, one message a
page).

Report times are stored in UTC; the views show them as dates in `tz` (Asia/Shanghai unless the
caller passes the deployment's zone).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, timedelta, tzinfo
from typing import Literal
from zoneinfo import ZoneInfo

from plans.followup.lights import Light
from plans.followup.status import ItemState, Snapshot
from plans.model import Item, Report
from render.chunks import MESSAGE_LIMIT, clip, utf16_len
from render.texts import Texts, esc

DEFAULT_TZ = ZoneInfo("Asia/Shanghai")
DOTS: dict[Light, str] = {"green": "🟢", "yellow": "🟡", "red": "🔴"}

TITLE_CHARS = 30  # an item title in a list line
OVERVIEW_TITLE_CHARS = 24  # an item title in the /status overview (kept short: one message)
UNIT_CHARS = 20  # one unit name inside a list line
UNITS_SHOWN = 2  # unit names in a list line before "等N个单位"
SILENT_SHOWN = 15  # silent units named in the overview before "等N个单位"
PLAN_TITLE_CHARS = 40
ITEM_TEXT_CHARS = 600  # an item's text in /status <item>
LAST_WORD_CHARS = 60  # a report's text in a list line
HISTORY_TEXT_CHARS = 200  # a report's text in an item's history


FilterName = Literal["overdue", "due", "stale", "blocked"]


# ---------------------------------------------------------------------------- helpers


def num(value: float) -> str:
    """60.0 → "60", 17.857 → "17.9": one decimal at most, no trailing zero."""
    text = f"{value:.1f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def share(part: int, whole: int) -> str:
    """part/whole in percent for display ("17.9"); 0 when there is no whole."""
    return num(100.0 * part / whole) if whole else "0"


def day(d: date, today: date) -> str:
    """MM-DD within today's year, ISO otherwise."""
    return d.strftime("%m-%d") if d.year == today.year else d.isoformat()


def local_day(report: Report, tz: tzinfo) -> date:
    return report.created_at.astimezone(tz).date()


def overdue_days(state: ItemState, today: date) -> int | None:
    """Days past the deadline for an item not done, else None (the deadline day is not overdue;
    ongoing work is never overdue)."""
    if state.done or state.deadline is None:
        return None
    late = (today - state.deadline).days
    return late if late > 0 else None


def units_label(t: Texts, item: Item, *, shown: int = UNITS_SHOWN) -> str:
    """The lead units (all units when none leads), escaped: "局高新处、局创新处等4个单位"."""
    names = list(item.lead_units) or [u.name for u in item.units]
    return names_label(t, names, shown=shown, chars=UNIT_CHARS) if names else t("units_none")


def names_label(t: Texts, names: Sequence[str], *, shown: int, chars: int = UNIT_CHARS) -> str:
    """Escaped unit names joined by the unit separator (not 、: "各辖市、区科技局" is one unit), the rest summed up as "等N个单位"."""
    joined = t("unit_sep").join(esc(clip(n, chars)) for n in names[:shown])
    return t("units_more", units=joined, count=len(names)) if len(names) > shown else joined


def progress_text(t: Texts, state: ItemState) -> str:
    """ "推进中 60%", "已完成", "未启动"."""
    status = t(f"status_{state.status or 'not_started'}")
    if state.done and state.signoff in ("pending", "signed"):
        return t(f"signoff_{state.signoff}")  # 待销号 / 已销号
    if state.signoff == "returned":
        status = t("signoff_returned_status", status=status)  # 推进中(已退回)
    if state.percent is None or state.done:
        return status
    return t("view_progress", status=status, percent=num(state.percent))


def due_text(t: Texts, state: ItemState, today: date) -> str:
    """ "截止 12-31(还有 30 天)", "节点 10-31(今天)", "已逾期 3 天(截止 12-31)", or "" if done."""
    if state.done:
        return ""
    late = overdue_days(state, today)
    deadline = state.deadline
    if late is not None and deadline is not None:
        return t("view_overdue", days=late, date=day(deadline, today))
    nxt = state.next_due or deadline
    if nxt is None:  # ongoing work with no step ahead
        return t("view_ongoing")
    what = t("view_what_deadline" if nxt == deadline else "view_what_milestone")
    left = (nxt - today).days
    if left <= 0:
        return t("view_due_today", what=what, date=day(nxt, today))
    return t("view_due", what=what, date=day(nxt, today), days=left)


def who(report: Report, unit: str | None = None) -> str:
    """Who reported, escaped: the person, with the unit when it is not `unit`."""
    parts = [report.unit_name] if report.unit_name and report.unit_name != unit else []
    if report.reporter_name:
        parts.append(report.reporter_name)
    return esc(" ".join(parts)) if parts else "—"


def _join(*parts: str) -> str:
    return " · ".join(p for p in parts if p)


def _light_counts(states: Iterable[ItemState]) -> dict[Light, int]:
    counts: dict[Light, int] = {"green": 0, "yellow": 0, "red": 0}
    for s in states:
        counts[s.light] += 1
    return counts


def _fit_list(
    t: Texts, fixed: list[str], listed: Iterable[str], count: int, *, limit: int = MESSAGE_LIMIT
) -> list[str]:
    """fixed + as many of the `count` lines `listed` yields as keep the message within `limit`,
    then "另有 N 项". `listed` is consumed lazily: a long list costs only what is shown."""
    size = sum(utf16_len(x) + 1 for x in fixed)
    out = list(fixed)
    reserve = utf16_len(t("more_items", count=count)) + 1
    for i, line in enumerate(listed):
        last = i == count - 1
        if size + utf16_len(line) + 1 + (0 if last else reserve) > limit:
            out.append(t("more_items", count=count - i))
            return out
        out.append(line)
        size += utf16_len(line) + 1
    return out


# ---------------------------------------------------------------------------- /status


def status_overview(
    t: Texts, snap: Snapshot, *, cycle_start: date | None, plan_titles: Sequence[str]
) -> list[str]:
    """/status: counts by light and status, completion, silent units, the red items.

    Always one message: red items beyond what fits are summed up as "另有 N 项". Units that have
    not reported since `cycle_start` are listed only when a cycle is given (None: no line).
    """
    today = snap.today
    lines = [t("st_head", date=today.isoformat())]
    if plan_titles:
        titles = t("list_sep").join(esc(clip(x, PLAN_TITLE_CHARS)) for x in plan_titles)
        lines.append(t("st_plans", titles=titles))
    if not snap.items:
        lines.append(t("st_empty"))
        return lines
    lights = snap.by_light()
    lines.append(t("st_lights", count=len(snap.items), **lights))
    lines.append(t("st_statuses", **snap.by_status()))
    mean = num(snap.mean_progress())
    reached, targets = snap.targets_reached()
    if targets:
        lines.append(
            t(
                "st_completion",
                mean=mean,
                reached=reached,
                targets=targets,
                share=share(reached, targets),
            )
        )
    else:
        lines.append(t("st_completion_no_targets", mean=mean))
    if cycle_start is not None:
        silent = snap.silent_units(cycle_start)
        since = day(cycle_start, today)
        if silent:
            names = names_label(t, silent, shown=SILENT_SHOWN)
            lines.append(t("st_silent", since=since, count=len(silent), units=names))
        else:
            lines.append(t("st_silent_none", since=since))
    red = [s for s in snap.items if s.light == "red"]
    if not red:
        lines.append(t("st_red_none"))
        return lines
    lines.append(t("st_red_head", count=len(red)))
    listed = (
        t(
            "st_red_line",
            ref=esc(s.record.ref),
            title=esc(clip(s.item.title, OVERVIEW_TITLE_CHARS)),
            units=units_label(t, s.item),
        )
        for s in red
    )
    return _fit_list(t, lines, listed, len(red))


def unit_items(snap: Snapshot, unit: str) -> list[ItemState]:
    """The items `unit` is responsible for (lead or support), in plan order."""
    return [s for s in snap.items if any(u.name == unit for u in s.item.units)]


def unit_view(t: Texts, snap: Snapshot, unit: str, *, tz: tzinfo = DEFAULT_TZ) -> list[str]:
    """/status <unit>: a head with the unit's light counts, then each of its items in plan order:
    light, ref, title (marked when the unit only supports), status and percent, the next
    deadline or milestone (or how long overdue), and the last report — the unit's own latest
    report on the item, or the item's last report from another unit (named), or "尚未反馈".
    """
    today = snap.today
    states = unit_items(snap, unit)
    if not states:
        return [t("uv_none", unit=esc(unit))]
    lines = [t("uv_head", unit=esc(unit), count=len(states), **_light_counts(states))]
    for s in states:
        own = [r for r in s.reports if r.unit_name == unit]
        report = own[-1] if own else s.last
        if report is None:
            last = t("uv_never")
        else:
            last = t(
                "uv_last",
                when=day(local_day(report, tz), today),
                who=who(report, unit),
                text=esc(clip(report.text, LAST_WORD_CHARS)),
            )
        support = unit not in s.item.lead_units
        lines.append(
            t(
                "uv_item",
                light=DOTS[s.light],
                ref=esc(s.record.ref),
                title=esc(clip(s.item.title, TITLE_CHARS)),
                role=t("uv_support") if support else "",
                state=_join(progress_text(t, s), due_text(t, s, today)),
                last=last,
            )
        )
    return lines


def item_view(t: Texts, snap: Snapshot, state: ItemState, *, tz: tzinfo = DEFAULT_TZ) -> list[str]:
    """/status <item>: head, status and deadline, text (clipped), lead and support units,
    targets with reported values, milestones (passed ones marked), report history newest first.
    """
    today = snap.today
    item = state.item
    phrase = t("iv_phrase", text=esc(item.deadline_text)) if item.deadline_text else ""
    if state.deadline and state.original_deadline:
        deadline = t(
            "iv_deadline_extended",
            date=day(state.deadline, today),
            old=day(state.original_deadline, today),
        )
    elif state.deadline:
        deadline = t("iv_deadline", date=day(state.deadline, today), phrase=phrase)
    else:
        deadline = t("iv_ongoing", phrase=esc(item.deadline_text or t("view_ongoing")))
    late = overdue_days(state, today)
    lines = [
        t(
            "iv_head",
            light=DOTS[state.light],
            ref=esc(state.record.ref),
            title=esc(clip(item.title, 80)),
        ),
        _join(
            progress_text(t, state),
            t("view_overdue", days=late, date=day(state.deadline, today))
            if late and state.deadline
            else deadline,
        ),
    ]
    if item.text.strip() and item.text.strip() != item.title.strip():
        lines.append(esc(clip(item.text, ITEM_TEXT_CHARS)))
    if item.lead_units:
        lines.append(t("iv_lead", units=t("unit_sep").join(esc(u) for u in item.lead_units)))
    if item.support_units:
        lines.append(t("iv_support", units=t("unit_sep").join(esc(u) for u in item.support_units)))
    if not item.units:
        lines.append(t("units_none"))
    if state.targets:
        lines.append(t("iv_targets"))
        for tp in state.targets:
            if tp.reported is None:
                lines.append(t("iv_target_none", target=esc(tp.target.text)))
            else:
                lines.append(
                    t(
                        "iv_target",
                        target=esc(tp.target.text),
                        value=num(tp.reported),
                        measure=esc(tp.target.measure),
                        mark=" ✅" if tp.reached else "",
                    )
                )
    if item.milestones:
        lines.append(t("iv_milestones"))
        for m in sorted(item.milestones, key=lambda m: m.date):
            lines.append(
                t(
                    "iv_milestone",
                    date=day(m.date, today),
                    text=esc(m.text),
                    mark=t("iv_passed") if m.date < today else "",
                )
            )
    if not state.reports:
        lines.append(t("iv_no_reports"))
        return lines
    lines.append(t("iv_history", count=len(state.reports)))
    for r in reversed(state.reports):
        status = t(f"status_{r.status}")
        progress = (
            t("view_progress", status=status, percent=num(r.percent))
            if r.percent is not None and r.status != "done"
            else status
        )
        expected = (
            t("iv_expected", date=day(r.expected_date, today))
            if r.expected_date and r.status != "done"
            else ""
        )
        lines.append(
            t(
                "iv_report",
                when=day(local_day(r, tz), today),
                who=who(r),
                progress=progress,
                text=esc(clip(r.text, HISTORY_TEXT_CHARS)),
                expected=expected,
            )
        )
    return lines


# ---------------------------------------------------------------------------- /overdue …


def filtered(
    t: Texts,
    snap: Snapshot,
    which: FilterName,
    *,
    days: int = 7,
    stale_since: date | None = None,
    tz: tzinfo = DEFAULT_TZ,
) -> list[str]:
    """/overdue, /due [days], /stale, /blocked: a head with the count, one line per item.

    - overdue: not done and past the deadline; most overdue first.
    - due: not done, next milestone or deadline within `days` (today included); soonest first.
    - stale: not done, no report from any unit on or after `stale_since` (default: today − 31
      days, one cycle), among items whose span began by then; never reported first, then oldest.
    - blocked: the lead's last word is 有困难; plan order, with that report's date and text.
    """
    today = snap.today
    order = {id(s): i for i, s in enumerate(snap.items)}
    details: list[tuple[ItemState, str]] = []
    head_args: dict[str, object] = {}
    if which == "overdue":
        late = [(s, d) for s in snap.items if (d := overdue_days(s, today)) is not None]
        late.sort(key=lambda x: (-x[1], order[id(x[0])]))
        details = [(s, due_text(t, s, today)) for s, _ in late]
    elif which == "due":
        horizon = today + timedelta(days=max(days, 0))
        due = [
            s
            for s in snap.items
            if not s.done and s.next_due is not None and today <= s.next_due <= horizon
        ]
        due.sort(key=lambda s: (s.next_due or today, order[id(s)]))
        details = [(s, due_text(t, s, today)) for s in due]
        head_args = {"days": days}
    elif which == "stale":
        since = stale_since or today - timedelta(days=snap.cycle_days)
        stale: list[tuple[ItemState, date | None]] = []
        for s in snap.items:
            if s.done or s.record.plan_start > since:
                continue
            last = local_day(s.reports[-1], tz) if s.reports else None
            if last is None or last < since:
                stale.append((s, last))
        stale.sort(key=lambda x: (x[1] or date.min, order[id(x[0])]))
        for s, last in stale:
            detail = (
                t("fl_stale_never")
                if last is None
                else t("fl_stale_last", date=day(last, today), days=(today - last).days)
            )
            details.append((s, detail))
        head_args = {"since": day(since, today)}
    else:
        for s in snap.items:
            if s.status == "blocked" and s.last is not None:
                detail = t(
                    "fl_blocked_detail",
                    when=day(local_day(s.last, tz), today),
                    who=who(s.last),
                    text=esc(clip(s.last.text, LAST_WORD_CHARS)),
                )
                details.append((s, detail))
    if not details:
        return [t(f"fl_{which}_none", **head_args)]
    lines = [t(f"fl_{which}_head", count=len(details), **head_args)]
    for s, detail in details:
        lines.append(
            t(
                "fl_line",
                light=DOTS[s.light],
                ref=esc(s.record.ref),
                title=esc(clip(s.item.title, TITLE_CHARS)),
                units=units_label(t, s.item),
                detail=detail,
            )
        )
    return lines
