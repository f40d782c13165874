"""The weekly digest (周报) for leaders, and the draft 通报 paragraph. No Telegram here.

Exceptions first, readable in under a minute: the headline numbers, what changed since last
week, the red items with their units and last word, the units that have not reported this
cycle, then everything else in one line. Both snapshots come from the same stored data
(`build_snapshot(..., today=last_monday, until=...)` for last week), so "newly red" and "newly
done" compare like with like; items are matched by item id, and an item absent last week counts
as neither red nor done then.

The 通报 paragraph is plain text (no HTML), in the office's usual wording; escape it (or use
`paragraph_lines`) before it goes into an HTML message.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, tzinfo

from plans.followup.lights import points_behind
from plans.followup.schedule import working_days_between
from plans.followup.status import ItemState, Snapshot
from render.chunks import clip, split_message
from render.texts import Texts, esc
from render.views import (
    DEFAULT_TZ,
    LAST_WORD_CHARS,
    TITLE_CHARS,
    day,
    local_day,
    names_label,
    num,
    overdue_days,
    share,
    units_label,
)

RED_SHOWN = 15  # red items listed in the digest before "另有 N 项"
CHANGES_SHOWN = 10  # newly red / newly done items named
SIGNOFF_WAIT_DAYS = 3  # a done waiting longer than this many working days for 销号 is named
SILENT_SHOWN = 20  # silent units named
YELLOW_REFS_SHOWN = 20  # yellow item refs in the closing line
PARAGRAPH_RED_SHOWN = 10  # lagging items named in the 通报 paragraph
PARAGRAPH_UNITS_SHOWN = 3  # lead units named per lagging item in the paragraph
PARAGRAPH_TITLE_CHARS = 40


@dataclass(frozen=True)
class Digest:
    """The digest as lines of HTML, the plain-text 通报 paragraph, and the numbers behind them.

    headline keys: items, done, red, yellow, green, mean_progress (one decimal), new_reports,
    newly_red, newly_done, silent_units (0 when no cycle is given), done_share (percent, one
    decimal).
    """

    text_lines: list[str]
    paragraph: str
    headline: dict[str, float | int]

    @property
    def text_chunks(self) -> list[str]:
        """The digest as messages (split between lines, each within Telegram's limit)."""
        return split_message(self.text_lines)


def date_text(t: Texts, d: date) -> str:
    """ "11月20日" / "November 20"."""
    months = t("month_names").split()
    return t("day_month", month=months[d.month - 1], day=d.day)


def why_red(t: Texts, state: ItemState, today: date) -> str:
    """Why an item is red: blocked, overdue by N days, or N points behind 序时进度."""
    if state.status == "blocked":
        return t("why_blocked")
    late = overdue_days(state, today)
    if late is not None:
        return t("why_overdue", days=late)
    if state.deadline is None:  # ongoing work is red only when blocked
        return t("why_blocked")
    behind = points_behind(state.percent, state.record.plan_start, state.deadline, today)
    return t("why_behind", points=round(behind))


def _ref_titles(t: Texts, states: Sequence[ItemState], shown: int) -> str:
    """ "4. 加快高新技术企业培育、7. …", the rest summed up."""
    named = t("list_sep").join(
        f"{esc(s.record.ref)}. {esc(clip(s.item.title, TITLE_CHARS))}" for s in states[:shown]
    )
    if len(states) > shown:
        return named + " " + t("more_items", count=len(states) - shown)
    return named


def compose_digest(
    t: Texts,
    now: Snapshot,
    last_week: Snapshot,
    *,
    cycle_start: date | None,
    title: str,
    tz: tzinfo = DEFAULT_TZ,
    since: datetime | None = None,
) -> Digest:
    """The weekly digest of `now`, compared with `last_week`.

    New reports are the reports in `now` made after `since` — by default the end of
    `last_week.today` in `tz`; pass the moment last week's snapshot was cut at (its `until`)
    when it was not the end of that day.
    Units without a report since `cycle_start` are listed when a cycle is given.
    """
    today = now.today
    items = list(now.items)
    lights = now.by_light()
    done = [s for s in items if s.done]
    red = [s for s in items if s.light == "red"]
    yellow = [s for s in items if s.light == "yellow"]
    before = {s.record.item_id: s for s in last_week.items}
    newly_red = [s for s in red if (b := before.get(s.record.item_id)) is None or b.light != "red"]
    newly_done = [s for s in done if (b := before.get(s.record.item_id)) is None or not b.done]
    cutoff = since or datetime.combine(last_week.today, time.max, tzinfo=tz)
    new_reports = sum(1 for s in items for r in s.reports if r.created_at > cutoff)
    silent = now.silent_units(cycle_start) if cycle_start is not None else []
    mean = round(now.mean_progress(), 1)
    headline: dict[str, float | int] = {
        "items": len(items),
        "done": len(done),
        "red": lights["red"],
        "yellow": lights["yellow"],
        "green": lights["green"],
        "mean_progress": mean,
        "new_reports": new_reports,
        "newly_red": len(newly_red),
        "newly_done": len(newly_done),
        "silent_units": len(silent),
        "done_share": round(100.0 * len(done) / len(items), 1) if items else 0.0,
    }
    when = date_text(t, today)
    lines = [t("dg_head", title=esc(clip(title, 60)), date=when)]
    paragraph = compose_paragraph(t, now, title=title)
    if not items:
        lines.append(t("dg_empty"))
        return Digest(lines, paragraph, headline)

    lines.append(
        t(
            "dg_headline",
            items=len(items),
            done=len(done),
            mean=num(mean),
            green=lights["green"],
            yellow=lights["yellow"],
            red=lights["red"],
        )
    )
    lines.append(
        t(
            "dg_changes",
            newly_red=len(newly_red),
            newly_done=len(newly_done),
            reports=new_reports,
        )
    )
    awaiting = [s for s in items if s.done and s.signoff == "pending" and s.last is not None]
    if awaiting:
        slow = [
            s
            for s in awaiting
            if s.last is not None
            and working_days_between(local_day(s.last, tz), today) > SIGNOFF_WAIT_DAYS
        ]
        lines.append(t("dg_signoff", count=len(awaiting), slow=len(slow), days=SIGNOFF_WAIT_DAYS))
        if slow:
            lines.append(t("dg_signoff_slow", items=_ref_titles(t, slow, CHANGES_SHOWN)))
    headline["awaiting_signoff"] = len(awaiting)
    if newly_red:
        lines.append(t("dg_newly_red", items=_ref_titles(t, newly_red, CHANGES_SHOWN)))
    if newly_done:
        lines.append(t("dg_newly_done", items=_ref_titles(t, newly_done, CHANGES_SHOWN)))

    if red:
        lines.append(t("dg_red_head", count=len(red)))
        for s in red[:RED_SHOWN]:
            if s.last is None:
                last = t("dg_never")
            else:
                last = t(
                    "dg_last",
                    when=day(local_day(s.last, tz), today),
                    text=esc(clip(s.last.text, LAST_WORD_CHARS)),
                )
            lines.append(
                t(
                    "dg_red_line",
                    ref=esc(s.record.ref),
                    title=esc(clip(s.item.title, TITLE_CHARS)),
                    units=units_label(t, s.item),
                    why=why_red(t, s, today),
                    last=last,
                )
            )
        if len(red) > RED_SHOWN:
            lines.append(t("more_items", count=len(red) - RED_SHOWN))
    else:
        lines.append(t("dg_red_none"))

    if cycle_start is not None:
        if silent:
            names = names_label(t, silent, shown=SILENT_SHOWN)
            lines.append(t("dg_silent", count=len(silent), units=names))
        else:
            lines.append(t("dg_silent_none"))

    rest = len(items) - len(red)
    if rest:
        green = lights["green"]
        if yellow:
            refs = t("list_sep").join(esc(s.record.ref) for s in yellow[:YELLOW_REFS_SHOWN])
            if len(yellow) > YELLOW_REFS_SHOWN:
                refs += "…"
            lines.append(
                t(
                    "dg_rest",
                    count=rest,
                    yellow=len(yellow),
                    refs=refs,
                    green=green,
                    done=len(done),
                )
            )
        else:
            lines.append(t("dg_rest_ok", count=rest, done=len(done)))
    return Digest(lines, paragraph, headline)


def compose_paragraph(t: Texts, snap: Snapshot, *, title: str) -> str:
    """The draft 通报 paragraph (plain text): done and its share, on schedule, to speed up
    (yellow), behind (red: lead units and title, the first ten), and the closing request."""
    when = date_text(t, snap.today)
    title = title.strip()
    items = list(snap.items)
    if not items:
        return t("par_empty", date=when, title=title)
    done = sum(1 for s in items if s.done)
    if done == len(items):
        return t("par_all_done", date=when, title=title, items=len(items))
    on_track = sum(1 for s in items if s.light == "green" and not s.done)
    yellow = sum(1 for s in items if s.light == "yellow")
    red = [s for s in items if s.light == "red"]
    clauses: list[str] = []
    if on_track:
        clauses.append(t("par_on_track", count=on_track))
    if yellow:
        clauses.append(t("par_yellow", count=yellow))
    if red:
        named = t("list_sep").join(_paragraph_item(t, s) for s in red[:PARAGRAPH_RED_SHOWN])
        if len(red) > PARAGRAPH_RED_SHOWN:
            named = t("par_red_more", items=named)
        clauses.append(t("par_red", count=len(red), items=named))
    else:
        clauses.append(t("par_red_none"))
    return t(
        "par",
        date=when,
        title=title,
        items=len(items),
        done=done,
        share=share(done, len(items)),
        clauses=t("par_sep").join(clauses),
        tail=t("par_tail"),
    )


def _paragraph_item(t: Texts, state: ItemState) -> str:
    """局高新处“加快高新技术企业培育” — plain text."""
    names = list(state.item.lead_units) or [u.name for u in state.item.units]
    units = t("par_unit_sep").join(names[:PARAGRAPH_UNITS_SHOWN])
    if len(names) > PARAGRAPH_UNITS_SHOWN:
        units = t("par_units_more", units=units)
    text = t("par_red_item", units=units, title=clip(state.item.title, PARAGRAPH_TITLE_CHARS))
    return text.strip()


def paragraph_lines(t: Texts, digest: Digest) -> list[str]:
    """The paragraph as a message: a head, then the paragraph in <code> (tap to copy)."""
    return [t("dg_paragraph_head"), f"<code>{esc(digest.paragraph)}</code>"]
