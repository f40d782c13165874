"""Coordinators' commands: invite people, add units, assign units to items, and the import
review with its fixes (/review, /merge, /rename)."""

from __future__ import annotations

from collections.abc import Sequence

from telegram import Update

from handlers.common import answer, multi_plan, ref, requires, resolve_item, who
from handlers.context import Ctx
from plans.documents.review import review_plan
from plans.documents.units import split_units
from render.chunks import clip
from render.review import review_lines
from render.texts import esc
from services.core import Services, SnapshotCache
from services.invites import ROLE_WORDS, make_invite
from storage import (
    UNIT_NAME_MAX,
    StoredUnit,
    UnitChangeRefused,
    UnknownUnit,
    add_unit,
    assign_units,
    find_unit,
    match_unit,
    merge_units,
    rename_unit,
    search_units,
    unassigned_items,
)

# Words a coordinator may put between the two names: /merge A → B, /rename A 改为 B.
_BETWEEN = {"→", "->", "=>", "到", "为", "改为", "并入", "into", "to"}
NAME_SHOWN = 40  # characters of a unit name quoted back in an answer


async def unit_or_answer(update: Update, svc: Services, name: str) -> StoredUnit | None:
    """The unit a coordinator named, or None after telling them what is wrong."""
    found = await match_unit(svc.db, name)
    if isinstance(found, StoredUnit):
        return found
    t = svc.texts
    if not found:
        await answer(update, t("unit_unknown", name=esc(clip(name, 40))))
    else:
        choices = t("list_sep").join(esc(u.name) for u in found[:12])
        await answer(update, t("unit_ambiguous", name=esc(clip(name, 40)), choices=choices))
    return None


@requires("coordinator")
async def invite(update: Update, context: Ctx) -> None:
    """Make a one-time invite link for a unit's contact, a coordinator or a leader."""
    svc = context.svc
    t = svc.texts
    speaker = await who(update, svc)
    target = " ".join(context.args or []).strip()
    if not target:
        await answer(update, t("invite_usage"))
        return
    role = ROLE_WORDS.get(target.lower())
    if role == "admin" and not speaker.admin:
        await answer(update, t("refused"))
        return
    username = context.bot.username
    if role is not None:
        link, _ = await make_invite(
            svc, bot_username=username, role=role, unit=None, created_by=speaker.user_id or 0
        )
        await answer(
            update,
            t(
                "invite_link_role",
                what=t(f"role_{role}"),
                days=svc.settings.invite_days,
                link=esc(link),
            ),
        )
        return
    unit = await unit_or_answer(update, svc, target)
    if unit is None:
        return
    link, group_link = await make_invite(
        svc, bot_username=username, role="contact", unit=unit, created_by=speaker.user_id or 0
    )
    await answer(
        update,
        t(
            "invite_link",
            what=t("role_contact", unit=esc(unit.name)),
            days=svc.settings.invite_days,
            link=esc(link),
            group_link=esc(group_link),
        ),
    )


@requires("coordinator")
async def add_unit_command(update: Update, context: Ctx) -> None:
    """Add a unit to the directory (plans that name no units need this before /assign)."""
    svc = context.svc
    t = svc.texts
    name = " ".join(context.args or []).strip()
    if not name or len(name) > UNIT_NAME_MAX:
        await answer(update, t("addunit_usage"))
        return
    unit, created = await add_unit(svc.db, name)
    await answer(update, t("unit_added" if created else "unit_exists", unit=esc(unit.name)))


@requires("coordinator")
async def unassigned(update: Update, context: Ctx) -> None:
    """List the items no unit is responsible for yet."""
    svc = context.svc
    t = svc.texts
    items = await unassigned_items(svc.db)
    if not items:
        await answer(update, t("unassigned_none"))
        return
    multi = await multi_plan(svc)
    lines = [t("unassigned_head", count=len(items))]
    lines += [f"{ref(s, multi)}. {esc(clip(s.item.title, 40))}" for s in items]
    lines.append(t("assign_usage"))
    await answer(update, lines)


@requires("coordinator")
async def assign(update: Update, context: Ctx) -> None:
    """Assign units to an item: /assign <item> <unit>[,<unit>…] [lead|support]."""
    svc = context.svc
    t = svc.texts
    args = list(context.args or [])
    role = "lead"
    if args and args[-1].lower() in ("lead", "support", "牵头", "配合"):
        role = {"牵头": "lead", "配合": "support"}.get(args[-1], args[-1].lower())
        args = args[:-1]
    if len(args) < 2:
        await answer(update, t("assign_usage"))
        return
    lookup = await resolve_item(svc, args[0])
    if lookup.item is None:
        await answer(update, [lookup.error, t("assign_usage")])
        return
    # split_units keeps "各辖市、区科技局" whole and expands "局创新处、高新处".
    names = split_units(" ".join(args[1:]))
    units: list[StoredUnit] = []
    for name in names:
        unit = await unit_or_answer(update, svc, name)
        if unit is None:
            return
        units.append(unit)
    await assign_units(svc.db, lookup.item.id, [u.id for u in units], role, now=svc.now())
    await answer(
        update,
        t(
            "assigned",
            item=ref(lookup.item, await multi_plan(svc)),
            title=esc(clip(lookup.item.item.title, 40)),
            units=t("list_sep").join(esc(u.name) for u in units),
            role=t(f"role_{role}"),
        ),
    )


# ---------------------------------------------------------------------------- the import review


@requires("coordinator")
async def review(update: Update, context: Ctx) -> None:
    """/review [PLAN]: what the import was unsure of, recomputed from what is stored now (so a
    fix makes its finding go away), with the text skipped at import and the fix commands."""
    svc = context.svc
    t = svc.texts
    catalog = await svc.catalog()
    plans = list(catalog.plans)
    if not plans:
        await answer(update, t("status_empty"))
        return
    arg = " ".join(context.args or []).strip()
    if arg:
        plans = [p for p in plans if arg.isdigit() and p.id == int(arg)]
        if not plans:
            await answer(update, t("review_plan_unknown", plan=esc(clip(arg, 20))))
            return
    lines: list[str] = []
    for plan in plans:
        items = sorted(
            (s.item for s in catalog.items.values() if s.plan_id == plan.id), key=lambda i: i.seq
        )
        found = review_plan(items, year=plan.year, skipped=plan.skipped, warnings=plan.warnings)
        if lines:
            lines.append("")
        lines += review_lines(
            t, found, title=plan.title, plan_id=plan.id if catalog.multi else None
        )
    await answer(update, lines)


async def _two_unit_names(update: Update, context: Ctx, usage: str) -> tuple[str, str] | None:
    """The two names of /merge or /rename, or None once answered (the handlers are guarded)."""
    svc = context.svc
    names = two_names(context.args or [])
    if names is None:
        await answer(update, svc.texts(usage))
        return None
    if await _too_long(update, svc, names):
        return None
    return names


@requires("coordinator")
async def merge(update: Update, context: Ctx) -> None:
    """/merge A B: A and B are two spellings of one unit; fold A into B (A becomes an alias)."""
    svc = context.svc
    t = svc.texts
    names = await _two_unit_names(update, context, "merge_usage")
    if names is None:
        return
    source = await exact_unit_or_answer(update, svc, names[0])
    if source is None:
        return
    target = await find_unit(svc.db, names[1])
    if target is None:
        shown = esc(clip(names[1], NAME_SHOWN))
        await answer(update, t("merge_no_target", name=shown, source=esc(source.name)))
        return
    if source.id == target.id:
        await answer(update, _same_unit(svc, names, target.name))
        return
    try:
        merged = await merge_units(svc.db, source.name, target.name, now=svc.now())
    except UnknownUnit as e:  # renamed or merged away meanwhile
        await answer(update, t("unit_not_found", name=esc(clip(e.name, NAME_SHOWN))))
        return
    except UnitChangeRefused as e:
        await answer(update, _same_unit(svc, names, e.unit))
        return
    forget_views(svc)
    await answer(
        update,
        t(
            "merged",
            source=esc(merged.source),
            target=esc(merged.target),
            items=merged.items,
            reports=merged.reports,
            contacts=merged.contacts,
            invites=merged.invites,
            nudges=merged.nudges,
        ),
    )


@requires("coordinator")
async def rename(update: Update, context: Ctx) -> None:
    """/rename A NEW: correct a unit's name; it keeps everything and "A" still finds it."""
    svc = context.svc
    t = svc.texts
    names = await _two_unit_names(update, context, "rename_usage")
    if names is None:
        return
    unit = await exact_unit_or_answer(update, svc, names[0])
    if unit is None:
        return
    try:
        renamed = await rename_unit(svc.db, unit.name, names[1], now=svc.now())
    except UnknownUnit as e:
        await answer(update, t("unit_not_found", name=esc(clip(e.name, NAME_SHOWN))))
        return
    except UnitChangeRefused as e:
        await answer(update, _rename_refusal(svc, e, unit.name, names[1]))
        return
    forget_views(svc)
    await answer(update, t("renamed", old=esc(renamed.old), new=esc(renamed.new)))


def two_names(args: Sequence[str]) -> tuple[str, str] | None:
    """The two unit names of /merge A B or /rename A NEW (a word such as → or 改为 may stand
    between them); None unless there are exactly two."""
    words = list(args)
    if len(words) == 3 and words[1].lower() in _BETWEEN:
        words = [words[0], words[2]]
    if len(words) != 2 or not all(w.strip() for w in words):
        return None
    return words[0].strip(), words[1].strip()


async def exact_unit_or_answer(update: Update, svc: Services, name: str) -> StoredUnit | None:
    """The unit `name` is (its name or an alias, nothing looser: merges and renames are not
    guesses), or None after saying so and offering the names that come close."""
    found = await find_unit(svc.db, name)
    if found is not None:
        return found
    t = svc.texts
    shown = esc(clip(name, NAME_SHOWN))
    like = await search_units(svc.db, name)
    if like:
        choices = t("list_sep").join(esc(u.name) for u in like[:12])
        await answer(update, t("unit_not_found_like", name=shown, choices=choices))
    else:
        await answer(update, t("unit_not_found", name=shown))
    return None


def forget_views(svc: Services) -> None:
    """Drop this process's cached status views: a merge or rename changes the unit names that
    reports are filed under, which the incremental cache does not re-key."""
    svc.snapshots = SnapshotCache()


async def _too_long(update: Update, svc: Services, names: tuple[str, str]) -> bool:
    if all(len(n) <= UNIT_NAME_MAX for n in names):
        return False
    await answer(update, svc.texts("unit_name_too_long", max=UNIT_NAME_MAX))
    return True


def _same_unit(svc: Services, names: tuple[str, str], unit: str) -> str:
    return svc.texts(
        "merge_same",
        name=esc(clip(names[0], NAME_SHOWN)),
        other=esc(clip(names[1], NAME_SHOWN)),
        unit=esc(unit),
    )


def _rename_refusal(svc: Services, e: UnitChangeRefused, old: str, new: str) -> str:
    t = svc.texts
    if e.reason == "taken":
        return t(
            "rename_taken",
            name=esc(clip(new, NAME_SHOWN)),
            other=esc(e.other),
            source=esc(old),
        )
    if e.reason == "same":
        return t("rename_same", name=esc(old))
    if e.reason == "too_long":
        return t("unit_name_too_long", max=UNIT_NAME_MAX)
    return t("rename_usage")
