"""What handlers and jobs share: settings, the database, texts, the schedule policy, the clock."""

from __future__ import annotations

import bisect
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from datetime import time as clock_time
from zoneinfo import ZoneInfo

from config import Settings
from plans.followup.schedule import NudgePolicy
from plans.followup.status import ItemRecord, Snapshot, build_snapshot, update_snapshot
from plans.model import Contact, Report
from render.texts import Texts
from storage import Database
from storage.catalog_repo import Catalog, load_catalog, versions
from storage.people_repo import active_contacts
from storage.status_repo import data_version, load_records, report_changes

# How stale another process's import or join may look here: one second.
VERSIONS_TTL = 1.0


def policy_from(settings: Settings) -> NudgePolicy:
    """The nudge policy the settings describe."""
    return NudgePolicy(
        before_days=settings.nudge_days,
        cycle=settings.cycle,
        cycle_day=settings.cycle_day,
        overdue_every=settings.overdue_every,
        send_hour=settings.send_hour,
        quiet_from=settings.quiet_from,
    )


class SnapshotCache:
    """The status views' data, kept in memory and brought up to date incrementally.

    Items are reloaded when the catalog version moves (an import, an assignment); reports are
    read since the last mark (new ids, or updated since), and only the items they touch are
    rebuilt in the cached snapshots. A commit that touched no report (a nudge, a bot message)
    costs one query that finds nothing. So /status stays fast on a big plan while the bot is
    busy recording replies, and is never stale.
    """

    def __init__(self, cycle_days: int = 31) -> None:
        self.cycle_days = cycle_days  # the reporting cycle (NudgePolicy.cycle_days)
        self._data_version = -1
        self._catalog_version = -1
        self._records: dict[int, ItemRecord] = {}
        self._order: list[ItemRecord] = []
        self._reports: dict[int, dict[int, Report]] = {}  # item → report id → report
        self._mark = (0, "")
        self._snapshots: dict[tuple[date, datetime | None], Snapshot] = {}
        self._unit_times: dict[
            str, list[datetime]
        ] = {}  # unit → its current reports' times, sorted

    async def _refresh(self, db: Database) -> set[int]:
        """Bring the data up to date; the ids of items whose reports changed."""
        current = await data_version(db)
        if current == self._data_version:
            return set()
        self._data_version = current
        catalog = (await versions(db)).get("catalog", 0)
        if catalog != self._catalog_version:
            self._catalog_version = catalog
            self._order = await load_records(db)
            self._records = {r.item_id: r for r in self._order}
            # items came or went, or units were merged or renamed (their reports now carry
            # another unit's name): rebuild everything from scratch
            self._snapshots.clear()
            self._reports.clear()
            self._unit_times.clear()
            self._mark = (0, "")
        changes = await report_changes(db, after_id=self._mark[0], updated_since=self._mark[1])
        self._mark = (changes.max_id, changes.max_updated)
        touched: set[int] = set()
        for report_id in changes.superseded:
            for item_id, by_id in self._reports.items():
                old = by_id.pop(report_id, None)
                if old is not None:
                    touched.add(item_id)
                    self._unit_times[old.unit_name].remove(old.created_at)
                    break
        for report in changes.current:
            by_id = self._reports.setdefault(report.item_id, {})
            if report.id not in by_id:
                bisect.insort(self._unit_times.setdefault(report.unit_name, []), report.created_at)
            by_id[report.id] = report
            touched.add(report.item_id)
        return touched

    def _unit_reports(self, tz: ZoneInfo, cutoff: datetime) -> dict[str, date]:
        """Each unit's latest report day up to `cutoff`."""
        out: dict[str, date] = {}
        for unit, times in self._unit_times.items():
            k = bisect.bisect_right(times, cutoff)
            if k and unit:
                out[unit] = times[k - 1].astimezone(tz).date()
        return out

    def _item_reports(self, item_ids: set[int] | None = None) -> dict[int, list[Report]]:
        chosen = (
            self._reports if item_ids is None else {i: self._reports.get(i, {}) for i in item_ids}
        )
        return {
            item_id: sorted(by_id.values(), key=lambda r: (r.created_at, r.id))
            for item_id, by_id in chosen.items()
        }

    async def snapshot(
        self, db: Database, tz: ZoneInfo, today: date, *, until: datetime | None = None
    ) -> Snapshot:
        touched = await self._refresh(db)
        if touched:
            reports = self._item_reports(touched)
            for (day, until_), cached in list(self._snapshots.items()):
                cutoff = until_ or datetime.combine(day, clock_time.max, tzinfo=tz)
                self._snapshots[(day, until_)] = update_snapshot(
                    cached,
                    self._records,
                    reports,
                    touched,
                    unit_reports=self._unit_reports(tz, cutoff),
                    tz=tz,
                    until=until_,
                )
        key = (today, until)
        snap = self._snapshots.get(key)
        if snap is None:
            everything = [r for reports in self._item_reports().values() for r in reports]
            snap = build_snapshot(
                self._order,
                everything,
                today=today,
                tz=tz,
                until=until,
                cycle_days=self.cycle_days,
            )
            if len(self._snapshots) > 8:  # yesterday's and older views
                self._snapshots.clear()
            self._snapshots[key] = snap
        return snap


@dataclass
class Services:
    """Everything a handler needs besides the update, in `application.bot_data["svc"]`."""

    settings: Settings
    db: Database
    clock: Callable[[], datetime] = field(default=lambda: datetime.now(UTC))
    snapshots: SnapshotCache = field(default_factory=SnapshotCache)
    _catalog: Catalog | None = field(default=None, init=False, repr=False)
    _people: tuple[int, dict[int, list[tuple[int, Contact]]]] | None = field(
        default=None, init=False, repr=False
    )
    _versions_cache: tuple[tuple[int, ...], float, dict[str, int]] | None = field(
        default=None, init=False, repr=False
    )

    def __post_init__(self) -> None:
        self.texts = Texts(self.settings.language)
        self.policy = policy_from(self.settings)
        self.snapshots.cycle_days = self.policy.cycle_days
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
            by_chat: dict[int, list[tuple[int, Contact]]] = {}
            for k, contact in enumerate(await active_contacts(self.db)):
                by_chat.setdefault(contact.chat_id, []).append((k, contact))
            self._people = (version, by_chat)  # indexed: this runs for every update
        index = self._people[1]
        found = list(index.get(chat_id, ()))
        if user_id is not None and user_id != chat_id:  # the person's own private chat
            found += [(k, c) for k, c in index.get(user_id, ()) if c.user_id == user_id]
        return [c for _, c in sorted(found, key=lambda kc: kc[0])]

    def now(self) -> datetime:
        """The current moment, aware, in the deployment's time zone."""
        return self.clock().astimezone(self.tz)

    def is_admin(self, user_id: int | None) -> bool:
        return user_id is not None and user_id in self.settings.admin_ids
