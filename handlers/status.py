"""Coordinators' and leaders' views: /status, /overdue, /due, /stale, /blocked, /export, /digest."""

from __future__ import annotations

import asyncio
import contextlib
from datetime import timedelta

from telegram import InputFile, Message, Update
from telegram.error import BadRequest

from handlers.common import answer, requires
from handlers.context import Ctx
from handlers.sender import keyboard
from plans.followup.status import Snapshot
from plans.refs import ItemRef
from render.digest import paragraph_lines
from render.ledger import ledger_xlsx
from render.paging import Page, paginate, parse_page_data, resolve_page_arg
from render.texts import esc
from render.views import filtered, item_view, status_overview, unit_view
from services.core import Services
from services.digests import current_snapshot, cycle_start, make_digest
from storage import StoredUnit, list_plans, match_unit

FILTERS = ("overdue", "due", "stale", "blocked")


async def _render(svc: Services, snap: Snapshot, view: str, arg: str, page: int) -> Page | str:
    """The page of a view, or a message saying why there is none."""
    t = svc.texts
    if view == "all":
        plans = [p.title for p in await list_plans(svc.db) if p.active]
        lines = status_overview(
            t, snap, cycle_start=cycle_start(svc, snap.today), plan_titles=plans
        )
    elif view == "unit":
        lines = unit_view(t, snap, arg, tz=svc.tz)
    elif view == "item":
        state = next((s for s in snap.items if s.record.ref == arg), None)
        if state is None:
            return t("item_unknown", item=esc(arg), hint="")
        lines = item_view(t, snap, state, tz=svc.tz)
    elif view in FILTERS:
        days = int(arg) if arg.isdigit() else 7
        stale = snap.today - timedelta(days=snap.cycle_days)  # silent for one reporting cycle
        lines = filtered(t, snap, view, days=days, stale_since=stale, tz=svc.tz)  # type: ignore[arg-type]
    else:
        return t("unknown_command", command=esc(view))
    return paginate(lines, page, view=view, arg=arg)


async def _show(update: Update, svc: Services, view: str, arg: str = "") -> None:
    snap = await current_snapshot(svc)
    if not snap.items:
        await answer(update, svc.texts("status_empty"))
        return
    rendered = await _render(svc, snap, view, arg, 1)
    if isinstance(rendered, str):
        await answer(update, rendered)
        return
    await answer(update, rendered.chunks, buttons=rendered.buttons)


@requires("coordinator", "leader")
async def status(update: Update, context: Ctx) -> None:
    """/status: the plan at a glance; /status <unit> or /status <item> for one of them."""
    svc = context.svc
    arg = " ".join(context.args or []).strip()
    if not arg:
        await _show(update, svc, "all")
        return
    wanted = ItemRef.parse(arg)
    if wanted is not None:
        snap = await current_snapshot(svc)
        refs = [
            s.record.ref for s in snap.items if wanted.matches(s.record.plan_id, s.record.item.seq)
        ]
        if len(refs) == 1:
            await _show(update, svc, "item", refs[0])
        elif refs:
            await answer(update, svc.texts("item_ambiguous", item=esc(arg), example=refs[0]))
        else:
            await answer(update, svc.texts("item_unknown", item=esc(arg), hint=""))
        return
    found = await match_unit(svc.db, arg)
    if isinstance(found, StoredUnit):
        await _show(update, svc, "unit", found.name)
    elif found:
        choices = svc.texts("list_sep").join(esc(u.name) for u in found[:12])
        await answer(update, svc.texts("unit_ambiguous", name=esc(arg), choices=choices))
    else:
        await answer(update, svc.texts("unit_unknown", name=esc(arg)))


async def _filter(update: Update, context: Ctx, which: str) -> None:
    svc = context.svc
    arg = ""
    if which == "due" and context.args:
        if not context.args[0].isdigit() or not 1 <= int(context.args[0]) <= 366:
            await answer(update, svc.texts("due_usage"))
            return
        arg = context.args[0]
    await _show(update, svc, which, arg)


@requires("coordinator", "leader")
async def overdue(update: Update, context: Ctx) -> None:
    """/overdue: items past their deadline and not done."""
    await _filter(update, context, "overdue")


@requires("coordinator", "leader")
async def due(update: Update, context: Ctx) -> None:
    """/due [days]: items due within the next days (default 7)."""
    await _filter(update, context, "due")


@requires("coordinator", "leader")
async def stale(update: Update, context: Ctx) -> None:
    """/stale: items with no report for a whole cycle."""
    await _filter(update, context, "stale")


@requires("coordinator", "leader")
async def blocked(update: Update, context: Ctx) -> None:
    """/blocked: items a unit reported difficulties on."""
    await _filter(update, context, "blocked")


@requires("coordinator", "leader")
async def on_page(update: Update, context: Ctx) -> None:
    """◀ ▶ under a long answer: edit the message to show the other page."""
    svc = context.svc
    query = update.callback_query
    if query is None or not query.data:
        return
    parsed = parse_page_data(query.data)
    if parsed is None:  # the "n/N" label
        await query.answer()
        return
    view, key, page = parsed
    snap = await current_snapshot(svc)
    candidates = snap.units() if view == "unit" else [s.record.ref for s in snap.items]
    arg = resolve_page_arg(key, candidates)
    if arg is None:
        await query.answer(svc.texts("draft_gone"))
        return
    rendered = await _render(svc, snap, view, arg, page)
    await query.answer()
    message = query.message
    if isinstance(rendered, str) or not isinstance(message, Message):
        return
    with contextlib.suppress(BadRequest):  # "message is not modified": the same page again
        await message.edit_text(rendered.chunks[0], reply_markup=keyboard(rendered.buttons))


@requires("coordinator", "leader")
async def export(update: Update, context: Ctx) -> None:
    """/export: the ledger (督查台账) as an .xlsx file."""
    svc = context.svc
    snap = await current_snapshot(svc)
    plans = [p for p in await list_plans(svc.db) if p.active]
    title = plans[0].title if len(plans) == 1 else svc.texts("ledger_title_all")
    # openpyxl takes seconds on a big plan: keep the event loop answering meanwhile
    data = await asyncio.to_thread(ledger_xlsx, snap, svc.tz, title=title)
    message = update.effective_message
    assert message is not None
    name = svc.texts("ledger_file", day=snap.today.isoformat())
    await message.reply_document(
        InputFile(data, filename=name), caption=svc.texts("export_caption", count=len(snap.items))
    )


@requires("coordinator", "leader")
async def digest(update: Update, context: Ctx) -> None:
    """/digest: this week's digest now, with its chart and the draft 通报 paragraph."""
    svc = context.svc
    result = await make_digest(svc, svc.now())
    await answer(update, result.digest.text_lines)
    message = update.effective_message
    assert message is not None
    await message.reply_photo(
        InputFile(result.chart, filename="duban-digest.png"),
        caption=svc.texts("digest_chart_caption"),
    )
    await answer(update, paragraph_lines(svc.texts, result.digest), quote=False)
