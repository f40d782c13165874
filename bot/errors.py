"""What the command line shares: its errors (one line, exit status 2) and reading --at."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo


class UserError(Exception):
    """Something the user can fix: a wrong argument, a missing setting, an unknown name."""


class ApiUnreachable(Exception):
    """The Bot API server cannot be reached: the command could not do its work (exit 1)."""


def parse_at(text: str | None, tz: ZoneInfo) -> datetime | None:
    """`--at 2023-10-25T09:30` (local time unless it carries an offset)."""
    if text is None:
        return None
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise UserError(f"--at: not an ISO time: {text!r} (e.g. 2023-10-25T09:30)") from None
    return moment.replace(tzinfo=tz) if moment.tzinfo is None else moment.astimezone(tz)
