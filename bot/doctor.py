"""`duban doctor`: one line per check of a deployment (settings, the database and its schema,
working days, disk, CJK font, the Bot API, the schedule), and the fix for each that fails.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import re
import shutil
import sqlite3
import time
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass
from datetime import date
from pathlib import Path
from typing import Literal, TextIO

from bot.dbfile import (
    BUSY_TIMEOUT,
    SQLITE_MAGIC,
    connect,
    counted,
    head_bytes,
    integrity,
    is_duban,
    read_facts,
    size_text,
)
from bot.lock import bot_running
from config import Settings, SettingsError
from storage.migrations import MIGRATIONS, latest_version

MIN_FREE_MB = 100  # doctor: less free space than this beside the database fails the check
API_TIMEOUT = 5.0  # doctor: seconds the Bot API may take to answer getMe

Status = Literal["ok", "fail", "skip"]
MARKS: dict[Status, str] = {"ok": "✓", "fail": "✗", "skip": "–"}
CHECKS = ("settings", "database", "integrity", "schema", "journal", "working days", "disk",
          "CJK font", "Bot API", "schedule")  # fmt: skip


@dataclass(frozen=True)
class Check:
    """One line of `duban doctor`: what was checked, how it went, and the fix when it failed."""

    name: str
    status: Status
    detail: str
    fix: str = ""

    def line(self) -> str:
        text = f"{MARKS[self.status]} {self.name}: {self.detail}"
        return f"{text} — fix: {self.fix}" if self.fix else text


@dataclass
class DoctorOptions:
    quick: bool = False  # skip the network (the Bot API) and check integrity the quick way
    timeout: float = API_TIMEOUT
    min_free_mb: int = MIN_FREE_MB


def doctor(settings: Settings | SettingsError, options: DoctorOptions) -> list[Check]:
    """Every check, in order; later checks are skipped when what they need is missing."""
    if isinstance(settings, SettingsError):
        return [
            Check(
                "settings",
                "fail",
                str(settings),
                "set the variables named (environment or .env); see README, Settings",
            ),
            *(Check(name, "skip", "not checked: the settings did not load") for name in CHECKS[1:]),
        ]
    checks = [
        Check(
            "settings",
            "ok",
            f"loaded (database {settings.database}, {settings.timezone}, {settings.language})",
        )
    ]
    checks += _database_checks(settings.database, options)
    checks.append(_disk_check(settings.database, options.min_free_mb))
    checks.append(_font_check())
    if options.quick:
        checks.append(Check("Bot API", "skip", "not checked (--quick)"))
    else:
        checks.append(_api_check(settings, options.timeout))
    checks.append(_schedule_check(settings))
    return checks


def _database_checks(database: Path, options: DoctorOptions) -> list[Check]:
    """The database opens and is duban's; integrity; schema version; WAL; a bot on it;
    chinesecalendar knows its plan years."""
    names = ("integrity", "schema", "journal", "working days")

    def skipped(why: str) -> list[Check]:
        return [Check(n, "skip", why) for n in names]

    if database.is_dir():
        return [
            Check("database", "fail", f"{database} is a folder", "set DUBAN_DATABASE to a file"),
            *skipped("no database"),
        ]
    if not database.exists():
        return [
            Check(
                "database",
                "fail",
                f"no database at {database}",
                "import a plan (duban import FILE), or start the bot (duban run) to create it",
            ),
            *skipped("no database"),
        ]
    restore_fix = "stop the bot, then restore the last good backup: duban restore FILE"
    if head_bytes(database) != SQLITE_MAGIC:
        return [
            Check("database", "fail", f"{database} is not an SQLite database", restore_fix),
            *skipped("not a database"),
        ]
    try:
        with _open_quietly(database) as conn:
            problem = integrity(conn, "quick_check" if options.quick else "integrity_check")
            try:
                duban = is_duban(conn)
                facts = read_facts(conn, database) if duban else None
                schema = int(conn.execute("PRAGMA user_version").fetchone()[0])
                journal = str(conn.execute("PRAGMA journal_mode").fetchone()[0]).lower()
                active = (
                    conn.execute("SELECT DISTINCT year FROM plans WHERE active") if duban else []
                )
                years = sorted(int(r[0]) for r in active)
            except sqlite3.DatabaseError as e:
                if problem == "ok":
                    problem = str(e)
                return [
                    Check("database", "fail", f"{database}: {e}", restore_fix),
                    Check("integrity", "fail", problem, restore_fix),
                    *skipped("the database cannot be read")[1:],
                ]
    except sqlite3.DatabaseError as e:  # pragma: no cover - opening reads nothing yet
        return [Check("database", "fail", f"{database}: {e}", restore_fix), *skipped(str(e))]
    if facts is None:
        return [
            Check(
                "database",
                "fail",
                f"{database} is not a duban database",
                "point DUBAN_DATABASE at duban's database",
            ),
            *skipped("not a duban database"),
        ]
    running = bot_running(database)
    checks = [
        Check(
            "database",
            "ok",
            f"{database} ({size_text(facts.size)}, {counted(facts.plans, 'plan')},"
            f" {counted(facts.items, 'item')}, {counted(facts.reports, 'report')};"
            f" {running or 'no bot'} running on it)",
        )
    ]
    checks.append(
        Check("integrity", "ok", "ok (quick_check)" if options.quick else "ok")
        if problem == "ok"
        else Check("integrity", "fail", problem, restore_fix)
    )
    latest = latest_version(MIGRATIONS)
    if schema == latest:
        checks.append(Check("schema", "ok", f"version {schema}, current"))
    elif schema < latest:
        checks.append(
            Check(
                "schema",
                "fail",
                f"version {schema}, this duban's is {latest}",
                "run any duban command on it once (e.g. duban plans): migrations run at open",
            )
        )
    else:
        checks.append(
            Check(
                "schema",
                "fail",
                f"version {schema} is newer than this duban knows ({latest})",
                "upgrade duban",
            )
        )
    checks.append(
        Check("journal", "ok", "WAL")
        if journal == "wal"
        else Check(
            "journal",
            "fail",
            f"{journal}, not WAL: the bot's readers and writers would block each other",
            "open it with duban once (e.g. duban plans): duban switches it to WAL",
        )
    )
    checks.append(_calendar_check(years))
    return checks


@contextlib.contextmanager
def _open_quietly(database: Path) -> Iterator[sqlite3.Connection]:
    """A connection that writes nothing (query_only), for looking at a live database."""
    conn = connect(database)
    try:
        conn.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT * 1000)}")
        conn.execute("PRAGMA query_only = ON")
        yield conn
    finally:
        conn.close()


def _calendar_check(years: list[int]) -> Check:
    """chinesecalendar must know every plan year: else holidays and 调休 are not counted."""
    import chinese_calendar

    if not years:
        return Check("working days", "skip", "no plan stored yet")
    unknown: list[str] = []
    for year in years:
        try:
            chinese_calendar.is_workday(date(year, 1, 1))
            chinese_calendar.is_workday(date(year, 12, 31))
        except NotImplementedError as e:
            unknown.append(f"{year} ({e})")
    version = getattr(chinese_calendar, "__version__", "?")
    shown = "、".join(str(y) for y in years)
    if not unknown:
        return Check("working days", "ok", f"chinesecalendar {version} knows plan years {shown}")
    return Check(
        "working days",
        "fail",
        f"chinesecalendar {version} does not know {'; '.join(unknown)}: nudges would count"
        " Monday–Friday, without the holidays and 调休",
        "pip install -U chinesecalendar (a new year comes out once the State Council publishes"
        " it, usually in November), or correct the plan's year",
    )


def _disk_check(database: Path, min_free_mb: int) -> Check:
    folder = database.parent
    while not folder.exists() and folder != folder.parent:
        folder = folder.parent
    try:
        free = shutil.disk_usage(folder).free
    except OSError as e:
        return Check("disk", "fail", f"cannot read the free space of {folder}: {e}", "")
    detail = f"{free / 1024**3:.1f} GB free in {folder}"
    if free >= min_free_mb * 1024 * 1024:
        return Check("disk", "ok", detail)
    return Check(
        "disk",
        "fail",
        f"{free / 1024**2:.0f} MB free in {folder}, under {min_free_mb} MB",
        "free some space: SQLite needs room for its WAL, checkpoints and backups",
    )


def _font_check() -> Check:
    from render.chart import find_cjk_font

    font = find_cjk_font()
    if font is not None:
        return Check("CJK font", "ok", str(font))
    return Check(
        "CJK font",
        "fail",
        "none found: the digest chart labels units #1…#n and prints a legend",
        "apt-get install fonts-noto-cjk (or pip install cvttf-notosanscjk-regular)",
    )


def _redact(text: str, token: str) -> str:
    return re.sub(re.escape(token), "<token>", text, flags=re.IGNORECASE) if token else text


def _api_check(settings: Settings, timeout: float) -> Check:
    """getMe at DUBAN_BOT_API_URL: reachable, and the token accepted. Never prints the token."""
    import httpx

    url = settings.bot_api_url
    token = settings.bot_token.get_secret_value().strip() if settings.bot_token else ""
    if not token:
        return Check("Bot API", "skip", "not checked: DUBAN_BOT_TOKEN is not set")
    started = time.monotonic()
    try:
        response = httpx.get(f"{url}/bot{token}/getMe", timeout=timeout)
    except httpx.TimeoutException:
        return Check(
            "Bot API",
            "fail",
            f"no answer from {url} within {timeout:g} s",
            "check the network (a proxy? Telegram blocked here?) or DUBAN_BOT_API_URL",
        )
    except httpx.HTTPError as e:
        return Check(
            "Bot API",
            "fail",
            f"cannot reach {url}: {_redact(str(e) or type(e).__name__, token)}",
            "check the network (a proxy? Telegram blocked here?) or DUBAN_BOT_API_URL",
        )
    ms = (time.monotonic() - started) * 1000
    try:
        body = response.json()
    except ValueError:
        body = None
    if response.status_code == 401:
        return Check(
            "Bot API",
            "fail",
            f"{url} refused DUBAN_BOT_TOKEN (401 Unauthorized)",
            "copy the token again from @BotFather (/mybots → API Token)",
        )
    if response.status_code == 404:
        return Check(
            "Bot API",
            "fail",
            f"{url} answered 404 Not Found to getMe",
            "check DUBAN_BOT_TOKEN (it looks like 123456:ABC-…) and DUBAN_BOT_API_URL",
        )
    if not (isinstance(body, dict) and body.get("ok") and isinstance(body.get("result"), dict)):
        description = body.get("description", "") if isinstance(body, dict) else ""
        return Check(
            "Bot API",
            "fail",
            f"{url} answered {response.status_code} {_redact(str(description), token)}".rstrip(),
            "try again later; if it persists, check DUBAN_BOT_API_URL",
        )
    username = body["result"].get("username", "?")
    return Check("Bot API", "ok", f"@{username} at {url}, answered in {ms:.0f} ms")


def _schedule_check(settings: Settings) -> Check:
    """The hours and days in the settings make a schedule that can send something."""
    from services.core import policy_from

    s = settings
    problems: list[tuple[str, str]] = []
    if s.send_hour >= s.quiet_from:
        problems.append(
            (
                f"nudges could never go out: DUBAN_SEND_HOUR={s.send_hour} is not before"
                f" DUBAN_QUIET_FROM={s.quiet_from}",
                "set DUBAN_SEND_HOUR earlier than DUBAN_QUIET_FROM (defaults 9 and 21)",
            )
        )
    if s.digest_hour >= s.quiet_from:
        problems.append(
            (
                f"the weekly digest could never go out: DUBAN_DIGEST_HOUR={s.digest_hour} is in"
                f" the quiet hours from DUBAN_QUIET_FROM={s.quiet_from}",
                "set DUBAN_DIGEST_HOUR earlier than DUBAN_QUIET_FROM",
            )
        )
    if s.cycle == "weekly" and s.cycle_day > 7:
        problems.append(
            (
                f"DUBAN_CYCLE=weekly takes an ISO weekday, DUBAN_CYCLE_DAY={s.cycle_day} is not",
                "set DUBAN_CYCLE_DAY to 1 (Monday) … 7 (Sunday)",
            )
        )
    window = (s.quiet_from - s.send_hour) * 60
    if s.scheduler and 0 < window < s.pass_minutes:
        problems.append(
            (
                f"a pass every {s.pass_minutes} minutes can miss the {window}-minute window"
                f" from {s.send_hour}:00 to {s.quiet_from}:00",
                "lower DUBAN_PASS_MINUTES or widen the hours",
            )
        )
    if not problems:
        try:
            policy_from(settings)
        except ValueError as e:
            problems.append((str(e), "correct the schedule settings (README, Settings)"))
    if problems:
        return Check(
            "schedule",
            "fail",
            "; ".join(p for p, _ in problems),
            "; ".join(f for _, f in problems),
        )
    days = "/".join(str(d) for d in s.nudge_days) or "no"
    cycle = {
        "monthly": f"progress requests monthly on the {s.cycle_day}th",
        "weekly": f"progress requests weekly on ISO weekday {s.cycle_day}",
        "off": "no progress requests",
    }[s.cycle]
    runner = "" if s.scheduler else "; DUBAN_SCHEDULER=off: cron must run duban send-due"
    return Check(
        "schedule",
        "ok",
        f"nudges {s.send_hour:02d}:00–{s.quiet_from:02d}:00 on working days, {days} days before"
        f" deadlines, {cycle}, digest on ISO weekday {s.digest_day} at {s.digest_hour:02d}:00"
        + runner,
    )


def cmd_doctor(
    args: argparse.Namespace, out: TextIO, settings_loader: Callable[[], Settings]
) -> int:
    """`duban doctor [--quick] [--json]`: one line per check; 0 only when none failed."""
    try:
        settings: Settings | SettingsError = settings_loader()
    except SettingsError as e:
        settings = e
    options = DoctorOptions(quick=args.quick, timeout=args.timeout, min_free_mb=args.min_free_mb)
    checks = doctor(settings, options)
    ok = all(c.status != "fail" for c in checks)
    if args.json:
        json.dump({"ok": ok, "checks": [asdict(c) for c in checks]}, out, ensure_ascii=False)
        out.write("\n")
    else:
        for c in checks:
            print(c.line(), file=out)
    return 0 if ok else 1
