"""What handlers and jobs share: settings, the database, texts, the schedule policy, the clock."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from config import Settings
from plans.schedule import NudgePolicy
from plans.texts import Texts
from storage import Database


def policy_from(settings: Settings) -> NudgePolicy:
    """The nudge policy the settings describe."""
    return NudgePolicy(
        before_days=settings.nudge_days,
        cycle=settings.cycle,  # type: ignore[arg-type]  # validated: monthly, weekly or off
        cycle_day=settings.cycle_day,
        overdue_every=settings.overdue_every,
        send_hour=settings.send_hour,
        quiet_from=settings.quiet_from,
    )


@dataclass
class Services:
    """Everything a handler needs besides the update, in `application.bot_data["svc"]`."""

    settings: Settings
    db: Database
    clock: Callable[[], datetime] = field(default=lambda: datetime.now(UTC))

    def __post_init__(self) -> None:
        self.texts = Texts(self.settings.language)
        self.policy = policy_from(self.settings)
        self.tz: ZoneInfo = self.settings.tz

    def now(self) -> datetime:
        """The current moment, aware, in the deployment's time zone."""
        return self.clock().astimezone(self.tz)

    def is_admin(self, user_id: int | None) -> bool:
        return user_id is not None and user_id in self.settings.admin_ids
