"""What handlers and jobs share: settings, the database, texts, the schedule policy, the clock."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from config import Settings
from plans.model import Contact, Report
from plans.schedule import NudgePolicy
from plans.status import ItemRecord, Snapshot, build_snapshot
from plans.texts import Texts
from storage import Database
from storage.catalog_repo import Catalog, load_catalog, versions
from storage.people_repo import active_contacts
from storage.status_repo import data_version, load_records, load_reports

# How stale another process's import or join may look here: one second.
VERSIONS_TTL = 1.0


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
class _Loaded:
    version: int
    records: list[ItemRecord]
    reports: list[Report]
    snapshots: dict[tuple[date, datetime | None], Snapshot] = field(default_factory=dict)


class SnapshotCache:
    """Items and reports loaded once per database version, snapshots once per day on top.

    SQLite's data_version changes whenever any connection commits, so a cached snapshot is
    never stale: a report written a moment ago shows in the next /status.
    """

    def __init__(self) -> None:
        self._loaded: _Loaded | None = None

    async def snapshot(
        self, db: Database, tz: ZoneInfo, today: date, *, until: datetime | None = None
    ) -> Snapshot:
        version = await data_version(db)
        loaded = self._loaded
        if loaded is None or loaded.version != version:
            loaded = _Loaded(version, await load_records(db), await load_reports(db))
            self._loaded = loaded
        key = (today, until)
        snap = loaded.snapshots.get(key)
        if snap is None:
            snap = build_snapshot(loaded.records, loaded.reports, today=today, tz=tz, until=until)
            loaded.snapshots[key] = snap
        return snap


@dataclass
class Services:
    """Everything a handler needs besides the update, in `application.bot_data["svc"]`."""

    settings: Settings
    db: Database
    clock: Callable[[], datetime] = field(default=lambda: datetime.now(UTC))
    snapshots: SnapshotCache = field(default_factory=SnapshotCache)
    _catalog: Catalog | None = field(default=None, init=False, repr=False)
    _people: tuple[int, list[Contact]] | None = field(default=None, init=False, repr=False)
    _versions_cache: tuple[tuple[int, ...], float, dict[str, int]] | None = field(
        default=None, init=False, repr=False
    )

    def __post_init__(self) -> None:
        self.texts = Texts(self.settings.language)
        self.policy = policy_from(self.settings)
        self.tz: ZoneInfo = self.settings.tz

    async def _versions(self) -> dict[str, int]:
        """The catalog and people versions, read at most once a second — or at once after this
        process changed either (so a join or an /assign shows in the very next message)."""
        now = time.monotonic()
        local = tuple(self.db.local_changes.values())
        cached = self._versions_cache
        if cached is not None and cached[0] == local and now - cached[1] < VERSIONS_TTL:
            return cached[2]
        found = await versions(self.db)
        self._versions_cache = (local, now, found)
        return found

    async def catalog(self) -> Catalog:
        """Plans, items and assignments, reloaded only when the database says they changed."""
        version = (await self._versions()).get("catalog", 0)
        if self._catalog is None or self._catalog.version != version:
            self._catalog = await load_catalog(self.db)
        return self._catalog

    async def memberships(self, *, user_id: int | None, chat_id: int) -> list[Contact]:
        """Active memberships that let this person in this chat act (see people_repo)."""
        version = (await self._versions()).get("people", 0)
        if self._people is None or self._people[0] != version:
            self._people = (version, await active_contacts(self.db))
        return [
            c
            for c in self._people[1]
            if c.chat_id == chat_id
            or (user_id is not None and c.user_id == user_id and c.chat_id == user_id)
        ]

    def now(self) -> datetime:
        """The current moment, aware, in the deployment's time zone."""
        return self.clock().astimezone(self.tz)

    def is_admin(self, user_id: int | None) -> bool:
        return user_id is not None and user_id in self.settings.admin_ids
