"""The `duban` command: parse and import plans, list what is stored.

Exit status: 0 done, 2 the user's input was wrong (bad file, unknown unit, bad setting) with
one line on stderr saying why, 1 for a fault of duban itself.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sqlite3
import sys
import unicodedata
from collections import Counter
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import TextIO

from bot import doctor, lock, ops
from bot.errors import ApiUnreachable, UserError, parse_at
from config import Settings, SettingsError, load_settings
from plans.documents.parser import PlanFormatError
from plans.documents.review import review_plan
from plans.documents.sources import parse_file
from plans.model import Item, Plan
from render.review import plain_text, review_lines
from render.texts import Texts
from services.logs import print_crash
from services.redaction import keep_secrets, redact
from storage import (
    Database,
    ImportResult,
    StorageError,
    UnitChangeRefused,
    UnknownUnit,
    import_plan,
    list_items,
    list_plans,
    list_units,
    merge_units,
    rename_unit,
)
from storage.db import DatabaseUnavailable

EXIT_OK = 0
EXIT_FAULT = 1
EXIT_USAGE = 2


def build_parser() -> argparse.ArgumentParser:
    """The command line, every subcommand in one place."""
    p = argparse.ArgumentParser(
        prog="duban", description="督办 — follow up a work plan (工作要点) in chat."
    )
    p.add_argument("--database", metavar="FILE", help="SQLite file (default: DUBAN_DATABASE)")
    sub = p.add_subparsers(dest="command", metavar="COMMAND", required=True)

    c = sub.add_parser(
        "demo", help="play duban offline: the bot and a month of its plan year, on a sandbox"
    )
    c.add_argument("--out", metavar="DIR", help="folder for what it leaves (default: duban-demo)")
    c.add_argument("--lang", choices=("zh", "en"), default="zh", help="the bot's language")
    c.add_argument("--chat", action="store_true", help="type as a contact, coordinator or leader")

    c = sub.add_parser("parse", help="parse a plan document and print it; touches no database")
    c.add_argument("file", help=".txt (UTF-8/GB18030), .docx or .xlsx plan document")
    c.add_argument("--json", action="store_true", help="print the parsed plan as JSON")
    c.add_argument("--year", type=int, help="plan year, when the document does not say it")

    c = sub.add_parser("import", help="parse a plan document and store it (re-import updates it)")
    c.add_argument("file")
    c.add_argument("--year", type=int, help="plan year, when the document does not say it")
    c.add_argument("--at", metavar="ISO-TIME", help="act as if the clock read this time")

    sub.add_parser("run", help="run the bot: answer chats, send nudges on schedule")
    c = sub.add_parser("send-due", help="run one nudge pass now (for cron) and exit")
    c.add_argument("--at", metavar="ISO-TIME", help="judge what is due as if the clock read this")
    c = sub.add_parser("invite", help="print a one-time invite link (bootstrap without chat)")
    c.add_argument("target", help="a unit name, or coordinator / leader / admin")
    c = sub.add_parser("export", help="write the ledger (督查台账) as .xlsx or .csv")
    c.add_argument("--format", choices=("xlsx", "csv"), default="xlsx")
    c.add_argument(
        "-o", "--output", metavar="FILE", help="file to write (default: 督查台账-DATE.xlsx)"
    )
    c.add_argument("--at", metavar="ISO-TIME", help="the ledger as it stood at this time")
    c = sub.add_parser("digest", help="print the weekly digest and write its chart")
    c.add_argument("--at", metavar="ISO-TIME", help="the digest as if the clock read this")
    c.add_argument("--send", action="store_true", help="also send it to leaders and coordinators")
    c.add_argument(
        "--out", metavar="DIR", default=".", help="folder for the chart PNG (default: .)"
    )

    c = sub.add_parser("items", help="list stored items")
    c.add_argument("--unit", metavar="NAME", help="only this unit's items (any alias works)")
    c.add_argument("--plan", metavar="ID", type=int, help="only this plan's items")

    c = sub.add_parser("units", help="list the unit directory with aliases and item counts")
    fix = c.add_mutually_exclusive_group()
    fix.add_argument(
        "--merge",
        nargs=2,
        metavar=("A", "B"),
        help="fold unit A into unit B (two spellings of one unit); A becomes an alias of B",
    )
    fix.add_argument(
        "--rename",
        nargs=2,
        metavar=("A", "NEW"),
        help="rename unit A to NEW; it keeps everything and the old name stays an alias",
    )
    sub.add_parser("plans", help="list stored plans")

    c = sub.add_parser("backup", help="copy the database while the bot runs, and check the copy")
    c.add_argument("file", help="the backup file to write")
    c.add_argument("--force", action="store_true", help="overwrite FILE if it exists")
    c = sub.add_parser("restore", help="put a backup in place (the bot must be stopped)")
    c.add_argument("file", help="a backup written by duban backup")
    c = sub.add_parser("doctor", help="check settings, database, disk, font, Bot API, schedule")
    c.add_argument(
        "--quick", action="store_true", help="no network (Bot API), quick_check for integrity"
    )
    c.add_argument("--json", action="store_true", help="print the checks as JSON")
    c.add_argument(
        "--timeout", type=float, default=doctor.API_TIMEOUT, help="seconds to wait for the Bot API"
    )
    c.add_argument(
        "--min-free-mb", type=int, default=doctor.MIN_FREE_MB, help="free disk space to require"
    )
    return p


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `duban` console script."""
    args = build_parser().parse_args(argv)
    out = sys.stdout
    try:
        if args.command == "parse":
            return cmd_parse(args.file, as_json=args.json, year=args.year, out=out)
        if args.command == "demo":  # needs no settings: it brings its own bot and sandbox
            if args.chat:
                from bot import chat

                return chat.main(args.out, args.lang, out)
            from bot import demo

            return demo.main(args.out, args.lang, out)
        if args.command == "doctor":  # reports wrong settings as one of its checks
            return doctor.cmd_doctor(args, out, lambda: _settings(args))
        settings = _settings(args)
        if args.command == "backup":
            return ops.cmd_backup(args, settings, out)
        if args.command == "restore":
            return ops.cmd_restore(args, settings, out)
        if args.command in ("run", "send-due", "invite", "digest"):
            from bot import commands  # Telegram's libraries load only for the commands using them

        if args.command == "run":  # one bot per database; restore waits until it stops
            with lock.hold_database(settings.database, "run"):
                return asyncio.run(commands.run_bot(settings))
        if args.command == "send-due":  # alongside a bot, not alongside a restore
            with lock.hold_database(settings.database, "send-due"):
                return asyncio.run(commands.send_due(settings, args.at, out))
        if args.command == "invite":
            return asyncio.run(commands.invite(settings, args.target, out))
        if args.command == "digest":
            return asyncio.run(commands.digest(settings, args.at, args.send, Path(args.out), out))
        return asyncio.run(_run_db_command(args, settings, out))
    except (UserError, PlanFormatError, SettingsError, UnknownUnit, DatabaseUnavailable) as e:
        print(redact(f"duban: {e}"), file=sys.stderr)
        return EXIT_USAGE
    except (StorageError, ApiUnreachable) as e:
        prefix = "database error: " if isinstance(e, StorageError) else ""
        print(redact(f"duban: {prefix}{e}"), file=sys.stderr)
        return EXIT_FAULT
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # `duban items | head`: the reader left; say nothing more, like other Unix tools.
        sys.stderr.close()
        return EXIT_OK
    except Exception as e:  # a fault nothing above expected: redacted, exit 1
        print_crash(e)
        return EXIT_FAULT


def _settings(args: argparse.Namespace) -> Settings:
    overrides = {"database": Path(args.database)} if args.database else {}
    settings = load_settings(**overrides)
    keep_secrets(settings)  # whatever fails from here on, stderr never shows the token
    return settings


async def _run_db_command(args: argparse.Namespace, settings: Settings, out: TextIO) -> int:
    if args.command == "import":
        # Parse before opening the database: a bad file must leave no trace, not even a new DB.
        parsed = parse_file(args.file, year=args.year)
        at = parse_at(args.at, settings.tz)
        async with await _open(settings) as db:
            result = await import_plan(
                db,
                parsed.plan,
                source_name=parsed.source_name,
                content_hash=parsed.content_hash,
                now=at,
            )
            # the review reads the items as stored: merged and renamed units, /assign's units
            as_stored = [s.item for s in await list_items(db, plan_id=result.plan_id)]
            several = sum(p.active for p in await list_plans(db)) > 1
        print_import_summary(parsed.plan, result, out)
        plan_id = result.plan_id if several else None
        print_review(parsed.plan, as_stored, Texts(settings.language), out, plan_id=plan_id)
        return EXIT_OK
    if args.command == "export":
        return await cmd_export(args, settings, out)
    async with await _open(settings) as db:
        if args.command == "items":
            stored = await list_items(db, plan_id=args.plan, unit=args.unit)
            if not stored:
                print(
                    "No items."
                    + (
                        " Import a plan first: duban import FILE"
                        if not (args.plan or args.unit)
                        else ""
                    ),
                    file=out,
                )
                return EXIT_OK
            print_items([s.item for s in stored], out, plan_ids=[s.plan_id for s in stored])
        elif args.command == "units" and (args.merge or args.rename):
            await cmd_fix_unit(db, args, out)
        elif args.command == "units":
            units = await list_units(db)
            if not units:
                print("No units yet. Import a plan first: duban import FILE", file=out)
                return EXIT_OK
            rows = [
                [str(u.id), u.name, str(u.item_count), str(u.lead_count), "、".join(u.aliases)]
                for u in units
            ]
            print_table(["id", "unit", "items", "lead", "aliases"], rows, out)
        elif args.command == "plans":
            plans = await list_plans(db)
            if not plans:
                print("No plans yet. Import one: duban import FILE", file=out)
                return EXIT_OK
            rows = [
                [
                    str(p.id),
                    str(p.year),
                    p.title,
                    str(p.item_count),
                    p.source_name,
                    p.updated_at.strftime("%Y-%m-%d %H:%M"),
                ]
                for p in plans
            ]
            print_table(["id", "year", "title", "items", "source", "updated (UTC)"], rows, out)
    return EXIT_OK


async def cmd_fix_unit(db: Database, args: argparse.Namespace, out: TextIO) -> None:
    """`duban units --merge A B` / `--rename A NEW`: the fixes the import review offers."""
    try:
        if args.merge:
            source, target = args.merge
            merged = await merge_units(db, source, target)
            print(
                f"Merged {merged.source} into {merged.target}: {merged.items} items,"
                f" {merged.reports} reports, {merged.contacts} contacts, {merged.invites} invites,"
                f" {merged.nudges} nudge records moved; {merged.source} now means"
                f" {merged.target}.",
                file=out,
            )
            return
        old, new = args.rename
        renamed = await rename_unit(db, old, new)
        print(f"Renamed {renamed.old} to {renamed.new}; {renamed.old} still finds it.", file=out)
    except UnknownUnit as e:
        hint = (
            f"; to rename {args.merge[0]} instead: duban units --rename {args.merge[0]} {e.name}"
            if args.merge and e.name == args.merge[1]
            else " (see: duban units)"
        )
        raise UserError(f"unknown unit: {e.name!r}{hint}") from None
    except UnitChangeRefused as e:
        raise UserError(_refusal(e, args)) from None


def _refusal(e: UnitChangeRefused, args: argparse.Namespace) -> str:
    """One line saying why a merge or rename was refused, with the command that would work."""
    if e.reason == "taken":
        return f"{e}; if they are one unit: duban units --merge {args.rename[0]} {e.other}"
    if e.reason == "same" and args.merge:
        return f"nothing to merge: {args.merge[0]} and {args.merge[1]} are one unit ({e.unit})"
    return str(e)


async def cmd_export(args: argparse.Namespace, settings: Settings, out: TextIO) -> int:
    """Write the ledger: one row per item with its latest progress and light."""
    from plans.followup.status import build_snapshot
    from render.ledger import ledger_csv, ledger_xlsx
    from services.core import policy_from
    from storage.status_repo import load_records, load_reports

    tz = settings.tz
    at = parse_at(args.at, tz) or datetime.now(tz)
    async with await _open(settings) as db:
        records = await load_records(db)
        reports = await load_reports(db)
        plans = [p for p in await list_plans(db) if p.active]
    if not records:
        raise UserError("no plan imported yet: duban import FILE")
    cycle_days = policy_from(settings).cycle_days
    snap = build_snapshot(records, reports, today=at.date(), tz=tz, until=at, cycle_days=cycle_days)
    title = plans[0].title if len(plans) == 1 else "工作要点"
    data = ledger_xlsx(snap, tz, title=title) if args.format == "xlsx" else ledger_csv(snap, tz)
    path = Path(args.output or f"督查台账-{at.date().isoformat()}.{args.format}")
    try:
        path.write_bytes(data)
    except OSError as e:
        raise UserError(f"cannot write {path}: {e.strerror or e}") from None
    print(f"Wrote {path} ({len(snap.items)} items, {len(data) / 1024:.0f} KB)", file=out)
    return EXIT_OK


async def _open(settings: Settings) -> Database:
    try:
        return await Database.open(settings.database)
    except OSError as e:
        raise UserError(f"cannot open database {settings.database}: {e.strerror or e}") from None
    except sqlite3.Error as e:  # a directory, a file that is not SQLite, a read-only place
        raise UserError(f"cannot open database {settings.database}: {e}") from None


# ---------------------------------------------------------------------------- parse


def cmd_parse(file: str, *, as_json: bool, year: int | None, out: TextIO) -> int:
    """Parse a plan document and print it, as JSON or as a readable table."""
    parsed = parse_file(file, year=year)
    plan = parsed.plan
    if as_json:
        json.dump(plan.to_json(), out, ensure_ascii=False, indent=2)
        out.write("\n")
        return EXIT_OK
    print(f"{plan.title} — plan year {plan.year}, {len(plan.items)} items", file=out)
    if plan.default_units:
        print(f"units on every item after the note: {'、'.join(plan.default_units)}", file=out)
    print_items(list(plan.items), out)
    print_review(plan, plan.items, Texts(_language()), out)
    return EXIT_OK


def print_review(
    plan: Plan, items: Sequence[Item], t: Texts, out: TextIO, *, plan_id: int | None = None
) -> None:
    """End with the import review: what the importer was unsure of, with the fix commands."""
    review = review_plan(items, year=plan.year, skipped=plan.skipped, warnings=plan.warnings)
    lines = review_lines(t, review, title=plan.title, fix="cli", plan_id=plan_id)
    print("", file=out)
    print(plain_text(lines), file=out)


def _language() -> str:
    """The language of the review `duban parse` prints: DUBAN_LANGUAGE, or the default when
    the settings are wrong (parse needs no other setting, so it must not fail over one)."""
    try:
        return load_settings().language
    except SettingsError:
        return "zh"


def print_import_summary(plan: Plan, result: ImportResult, out: TextIO) -> None:
    """Say what an import did in a few lines a coordinator can check at a glance."""
    if result.unchanged:
        print(
            f"Nothing changed: plan {result.plan_id} ({plan.title}, {plan.year}) already holds "
            f"this document ({len(plan.items)} items).",
            file=out,
        )
        return
    verb = "Imported" if result.created else "Updated"
    print(f"{verb} plan {result.plan_id}: {plan.title} ({plan.year})", file=out)
    parts = [f"{len(plan.items)} items"]
    if not result.created:
        parts.append(
            f"{result.items_added} added, {result.items_updated} updated, "
            f"{result.items_unchanged} unchanged, {result.items_removed} removed "
            "(removed items keep their reports)"
        )
    print("  items: " + "; ".join(parts), file=out)
    unit_names = {u.name for i in plan.items for u in i.units}
    line = f"  units: {len(unit_names)} named"
    if result.units_created:
        line += f", {len(result.units_created)} new: {'、'.join(result.units_created)}"
    print(line, file=out)
    without = [str(i.seq) for i in plan.items if not i.units]
    if not without:
        print("  items without any unit: none", file=out)
    else:
        shown = ", ".join(without[:30]) + (" …" if len(without) > 30 else "")
        print(f"  items without any unit: {len(without)} ({shown}) — assign them in chat", file=out)
    deadlines = Counter(i.deadline.isoformat() for i in plan.items if i.deadline)
    common = ", ".join(f"{n} on {d}" for d, n in sorted(deadlines.items()))
    milestones = sum(1 for i in plan.items if i.milestones)
    print(f"  deadlines: {common}; {milestones} items with dated milestones", file=out)


# ---------------------------------------------------------------------------- tables


def print_items(items: list[Item], out: TextIO, plan_ids: list[int] | None = None) -> None:
    """The readable table of items: seq, number, title, units, deadline, targets."""
    multi_plan = plan_ids is not None and len(set(plan_ids)) > 1
    rows = []
    for k, item in enumerate(items):
        seq = f"{plan_ids[k]}-{item.seq}" if multi_plan and plan_ids else str(item.seq)
        units = (
            "、".join(u.name + ("(配合)" if u.role == "support" else "") for u in item.units) or "—"
        )
        targets = "; ".join(t.text for t in item.targets)
        deadline = item.deadline.isoformat() if item.deadline else ""
        if item.deadline_text:
            deadline += f" ({item.deadline_text})"
        rows.append(
            [
                seq,
                item.number,
                _clip(item.title, 30),
                _clip(units, 36),
                deadline,
                _clip(targets, 40),
            ]
        )
    print_table(["seq", "no.", "title", "units", "deadline", "targets"], rows, out)


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _clip(text: str, width: int) -> str:
    if _width(text) <= width:
        return text
    out = ""
    for c in text:
        if _width(out + c) > width - 1:
            break
        out += c
    return out + "…"


def print_table(headers: list[str], rows: list[list[str]], out: TextIO) -> None:
    """A plain-text table that lines up with Chinese (double-width) characters."""
    widths = [max(_width(r[i]) for r in [headers, *rows]) for i in range(len(headers))]

    def line(cells: list[str]) -> str:
        return "  ".join(c + " " * (w - _width(c)) for c, w in zip(cells, widths, strict=True))

    print(line(headers).rstrip(), file=out)
    print("  ".join("-" * w for w in widths), file=out)
    for r in rows:
        print(line(r).rstrip(), file=out)


if __name__ == "__main__":
    raise SystemExit(main())
