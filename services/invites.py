"""Invite links: a one-time token stored with the role (and unit) it grants, as Telegram deep links.

Used by /invite in chat and by `duban invite` on the command line alike.
"""

from __future__ import annotations

import secrets
from datetime import timedelta

from plans.model import PersonRole
from services.core import Services
from storage import StoredUnit
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
