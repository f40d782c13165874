"""Coordinators' commands: invite people, add units, assign units to items."""

from __future__ import annotations

import secrets
from datetime import timedelta

from telegram import Update
from telegram.ext import ContextTypes

from bot.services import Services
from handlers.common import answer, multi_plan, ref, resolve_item, svc_of, who
from plans.chunks import clip
from plans.model import PersonRole
from plans.texts import esc
from plans.units import split_units
from storage import StoredUnit, add_unit, assign_units, match_unit, unassigned_items
from storage.people_repo import create_invite

ROLE_WORDS: dict[str, PersonRole] = {
    "coordinator": "coordinator",
    "协调员": "coordinator",
    "督查": "coordinator",
    "leader": "leader",
    "领导": "leader",
    "admin": "admin",
}


def new_token() -> str:
    """An unguessable invite token that fits Telegram's deep-link rules ([A-Za-z0-9_-], ≤ 64)."""
    return secrets.token_urlsafe(18)


async def make_invite(
    svc: Services, *, bot_username: str, role: PersonRole, unit: StoredUnit | None, created_by: int
) -> tuple[str, str]:
    """Store a new invite; return its private-chat and group deep links."""
    token = new_token()
    await create_invite(
        svc.db,
        token=token,
        role=role,
        unit_id=unit.id if unit else None,
        created_by=created_by,
        expires_at=svc.now() + timedelta(days=svc.settings.invite_days),
        now=svc.now(),
    )
    return (
        f"https://t.me/{bot_username}?start={token}",
        f"https://t.me/{bot_username}?startgroup={token}",
    )


async def unit_or_answer(update: Update, svc: Services, name: str) -> StoredUnit | None:
    """The unit a coordinator named, or None after telling them what is wrong."""
    found = await match_unit(svc.db, name)
    if isinstance(found, StoredUnit):
        return found
    t = svc.texts
    if not found:
        await answer(update, t("unit_unknown", name=esc(clip(name, 40))))
    else:
        choices = "、".join(esc(u.name) for u in found[:12])
        await answer(update, t("unit_ambiguous", name=esc(clip(name, 40)), choices=choices))
    return None


async def invite(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Make a one-time invite link for a unit's contact, a coordinator or a leader."""
    svc = svc_of(context)
    t = svc.texts
    speaker = await who(update, svc)
    if not speaker.coordinator:
        await answer(update, t("refused"))
        return
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


async def add_unit_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Add a unit to the directory (plans that name no units need this before /assign)."""
    svc = svc_of(context)
    t = svc.texts
    if not (await who(update, svc)).coordinator:
        await answer(update, t("refused"))
        return
    name = " ".join(context.args or []).strip()
    if not name or len(name) > 60:
        await answer(update, t("addunit_usage"))
        return
    unit, created = await add_unit(svc.db, name)
    await answer(update, t("unit_added" if created else "unit_exists", unit=esc(unit.name)))


async def unassigned(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """List the items no unit is responsible for yet."""
    svc = svc_of(context)
    t = svc.texts
    if not (await who(update, svc)).coordinator:
        await answer(update, t("refused"))
        return
    items = await unassigned_items(svc.db)
    if not items:
        await answer(update, t("unassigned_none"))
        return
    multi = await multi_plan(svc)
    lines = [t("unassigned_head", count=len(items))]
    lines += [f"{ref(s, multi)}. {esc(clip(s.item.title, 40))}" for s in items]
    lines.append(t("assign_usage"))
    await answer(update, lines)


async def assign(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Assign units to an item: /assign <item> <unit>[,<unit>…] [lead|support]."""
    svc = svc_of(context)
    t = svc.texts
    if not (await who(update, svc)).coordinator:
        await answer(update, t("refused"))
        return
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
            units="、".join(esc(u.name) for u in units),
            role=t(f"role_{role}"),
        ),
    )
