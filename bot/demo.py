"""`duban demo`: the product played offline, on the Bot API sandbox, for a person to watch.

On a machine with no bot token and no network, the sandbox (sandbox/, a Bot API server on
loopback) and the real bot run in one process: the same Application, handlers, SQLite storage,
nudge pass and weekly digest as `duban run`. The one thing swapped is the clock, so that a month
of the plan year plays in seconds. The people are sandbox users; the bot reaches them over HTTP
as it would reach Telegram. What they say and what the bot answers is printed as it happens
(bot/transcript.py) and kept, with the database, the ledger and the digest chart, in a folder.

`duban demo --chat` (bot/chat.py) opens the same world to the person at the keyboard.

The pieces: the narrator's words (bot/demo_words.py), the folder (bot/demo_folder.py), the
stage with its people and calendar (bot/demo_stage.py). Here: the script's acts, and its end.
"""

from __future__ import annotations

import asyncio
import io
import logging
import sys
import time
import unicodedata
from collections.abc import Sequence
from contextlib import suppress
from datetime import timedelta
from pathlib import Path
from typing import TextIO

from bot.demo_folder import DB_NAME, TRANSCRIPT_NAME, example_plan, prepare_folder
from bot.demo_stage import (
    COORDINATOR_ID,
    DIGEST_AT,
    LEDGER_AT,
    NUDGE_AT,
    REPLY_AT,
    START,
    STATUS_AT,
    UNITS,
    Person,
    Stage,
    stage,
)
from bot.demo_words import Lang, words
from bot.transcript import Button, Transcript, buttons_of, use_colour
from plans.documents.review import review_plan
from plans.documents.sources import parse_file
from render.review import plain_text, review_lines
from render.texts import Texts
from sandbox import SentMessage
from storage import import_plan, list_items

# ------------------------------------------------------------------------------- the acts


async def act_import(s: Stage, plan_file: Path) -> None:
    """1. The coordinator imports the plan on the command line, as `duban import` does."""
    parsed = parse_file(plan_file)
    plan = parsed.plan
    result = await import_plan(
        s.db,
        plan,
        source_name=parsed.source_name,
        content_hash=parsed.content_hash,
        now=s.clock.moment,
    )
    dates = sorted({i.deadline.isoformat() for i in plan.items if i.deadline})
    summary = s.words(
        "imported",
        plan_id=result.plan_id,
        title=plan.title,
        year=plan.year,
        items=len(plan.items),
        units=len({u.name for i in plan.items for u in i.units}),
        dates=", ".join(dates[:3]) + (" …" if len(dates) > 3 else ""),
    )
    stored = [x.item for x in await list_items(s.db, plan_id=result.plan_id)]
    review = review_plan(stored, year=plan.year, skipped=plan.skipped, warnings=plan.warnings)
    lines = review_lines(Texts(s.lang), review, title=plan.title, fix="cli")
    head = plain_text(lines).split("\n")[:3]
    s.out.shell(f"duban import examples/{plan_file.name}", [summary, *head])


async def act_invite(s: Stage) -> None:
    """2. The coordinator starts the bot and invites three units and a leader; they join."""
    await s.say(s.people["coordinator"], "/start")
    for unit in UNITS:
        await s.open_link(s.people[unit], await s.invite(unit))
    leader_link = await s.invite("领导" if s.lang == "zh" else "leader")
    await s.open_link(s.people["leader"], leader_link)


async def act_nudge(s: Stage) -> dict[str, SentMessage]:
    """3. The scheduled pass on a working morning: each unit's contact gets one nudge.
    (Only the nudges: this Monday's digest is left for act 6.)"""
    await s.nudge_pass(NUDGE_AT)
    nudges: dict[str, SentMessage] = {}
    for unit in UNITS:
        found = s.last_with_buttons(s.people[unit])
        if found is not None:
            nudges[unit] = found
    return nudges


# What the contacts answer, the way people do.
REPLIES: dict[Lang, dict[str, Sequence[str]]] = {
    "zh": {
        "局高新处": (
            "9 完成40%,预计11月底完成",  # a percent and an expected date
            "4 已净增高企180家",  # a number against the item's target (600家以上)
            "6 有困难:用地指标未落实",  # blocked, with the reason
        ),
        "局产学研处": (
            "收到",  # an acknowledgement
            "16 已促成产学研合作项目12个",  # against 30个以上
        ),
    },
    "en": {
        "局高新处": (
            "9 40% done, expected by end of November",
            "4 已净增高企180家",  # the plan's targets are Chinese, and so is this reply
            "6 blocked: the land quota has not been approved",
        ),
        "局产学研处": ("got it", "16 已促成产学研合作项目12个"),
    },
}
DONE_ITEM = "14"  # 局对外合作处 presses ✅ for this item on its nudge


async def act_reply(s: Stage, nudges: dict[str, SentMessage]) -> None:
    """4. The contacts answer: a percent with a date, a number against the target, blocked
    with a reason, an acknowledgement, and a button pressed on the nudge."""
    replies = REPLIES[s.lang]
    for unit, minutes in (("局高新处", 7), ("局产学研处", 25)):
        for k, text in enumerate(replies[unit]):
            s.clock.moment += timedelta(minutes=minutes + 4 * k)
            # the first answer is a reply to the nudge; later ones are new messages
            await s.say(s.people[unit], text, reply_to=nudges.get(unit) if k == 0 else None)
    nudge = nudges.get("局对外合作处")
    done = _done_button(nudge, DONE_ITEM) if nudge else None
    if nudge is not None and done is not None:
        s.clock.moment += timedelta(hours=3, minutes=12)
        await s.press(s.people["局对外合作处"], nudge, done)
        # 销号: the coordinator checks the unit's done and closes the item
        await _press_labelled(s, s.people["coordinator"], ("销号", "Sign off"), minutes=20)
    # 延期: the unit that is blocked asks for more time, and the coordinator grants it
    s.clock.moment += timedelta(minutes=15)
    await s.say(s.people["局高新处"], EXTEND_REQUEST[s.lang])
    await _press_labelled(s, s.people["coordinator"], ("同意", "Grant"), minutes=10)


EXTEND_REQUEST: dict[Lang, str] = {
    "zh": "/extend 6 9月底 用地指标待省厅批复",
    "en": "/extend 6 2023-09-30 the land quota awaits the province's approval",
}


async def _press_labelled(s: Stage, person: Person, labels: Sequence[str], *, minutes: int) -> None:
    """`person` presses the button labelled one of `labels` on their latest bot message."""
    message = s.last_with_buttons(person)
    if message is None:
        return
    for row in buttons_of(message["reply_markup"]):
        for b in row:
            if b.label in labels:
                s.clock.moment += timedelta(minutes=minutes)
                await s.press(person, message, b)
                return


def _done_button(message: SentMessage, seq: str) -> Button | None:
    """The ✅ button of item `seq` on a nudge (its callback data ends in :d)."""
    for row in buttons_of(message["reply_markup"]):
        for b in row:
            if b.callback_data and b.callback_data.endswith(":d") and b.label.startswith(f"{seq} "):
                return b
    return None


async def act_status(s: Stage) -> None:
    """5. The coordinator asks for the overview and for one unit."""
    await s.say(s.people["coordinator"], "/status")
    await s.say(s.people["coordinator"], "/status 局高新处")


async def act_digest(s: Stage) -> None:
    """6. Monday 09:00: the weekly digest with its chart goes to the leader and coordinator."""
    s.out.note(s.words("digest_pass", hour=f"{DIGEST_AT.hour:02d}"))
    await s.tick(DIGEST_AT)


async def act_ledger(s: Stage) -> None:
    """7. The coordinator exports the ledger (督查台账) as .xlsx."""
    await s.say(s.people["coordinator"], "/export")


async def setup_world(s: Stage, plan_file: Path) -> None:
    """Acts 1 and 2: the plan imported, the people in. `--chat` starts from here too."""
    s.add_person("coordinator", user_id=COORDINATOR_ID)
    for unit in UNITS:
        s.add_person(unit)
    s.add_person("leader")
    s.act(1, "import", START)
    await act_import(s, plan_file)
    s.act(2, "invite", START + timedelta(minutes=5))
    await act_invite(s)


async def play(s: Stage, plan_file: Path) -> None:
    """The whole script."""
    await setup_world(s, plan_file)
    s.act(3, "nudge", NUDGE_AT)
    nudges = await act_nudge(s)
    s.act(4, "reply", REPLY_AT)
    await act_reply(s, nudges)
    s.act(5, "status", STATUS_AT)
    await act_status(s)
    s.act(6, "digest", DIGEST_AT)
    await act_digest(s)
    s.act(7, "ledger", LEDGER_AT)
    await act_ledger(s)


def print_files(s: Stage) -> None:
    """The end: name the folder's files and say what to do next."""
    folder = _shown_path(s.folder)
    s.out.blank()
    s.out.note(s.words("files", folder=folder))
    listed = [(DB_NAME, s.words("file_db", path=f"{folder}{DB_NAME}"))]
    listed += [(p.name, s.words(f"file_{what}")) for p, what in sorted(s.kept.items())]
    listed.append((TRANSCRIPT_NAME, s.words("file_transcript")))
    width = max(_width(name) for name, _ in listed)
    for name, what in listed:
        s.out.note(f"  {name}{' ' * (width - _width(name))}  {what}")
    s.out.blank()
    s.out.note(s.words("next"))
    s.out.note("  " + s.words("next_chat"))
    s.out.note("  " + s.words("next_real"))


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _shown_path(folder: Path) -> str:
    """The folder as the user would type it: relative to here when it is below here."""
    with suppress(ValueError):
        return f"{folder.resolve().relative_to(Path.cwd().resolve())}/"
    return f"{folder}/"


async def run_demo(folder: Path, lang: Lang, screen: TextIO) -> int:
    """`duban demo`: play the script, leave the folder, exit 0."""
    began = time.monotonic()
    plan_file = example_plan()
    prepare_folder(folder)
    with (folder / TRANSCRIPT_NAME).open("w", encoding="utf-8") as file:
        out = Transcript(screen, colour=use_colour(screen), file=file)
        out.note(words(lang, "title"))
        async with stage(folder, lang, out) as s:
            out.note(words(lang, "setup", root=s.sb.root))
            await play(s, plan_file)
        print_files(s)
        out.note(words(lang, "took", seconds=time.monotonic() - began))
    return 0


def prepare_screen(
    out_dir: str | None, lang: str, screen: TextIO | None
) -> tuple[Path, Lang, TextIO]:
    """The demo's folder, language and screen, set up for `duban demo` and `--chat` alike."""
    folder = Path(out_dir or "duban-demo")
    language: Lang = "en" if lang == "en" else "zh"
    screen = screen or sys.stdout
    if isinstance(screen, io.TextIOWrapper):  # a console without CJK or emoji must not crash it
        screen.reconfigure(errors="replace")
    # The bot's log lines would interleave with the conversation: errors only, on stderr.
    logging.basicConfig(level=logging.ERROR, format="%(levelname)s %(name)s: %(message)s")
    return folder, language, screen


def main(out_dir: str | None, lang: str, screen: TextIO | None = None) -> int:
    """`duban demo [--out DIR] [--lang zh|en]` (`--chat` is bot.chat.main)."""
    folder, language, screen = prepare_screen(out_dir, lang, screen)
    return asyncio.run(run_demo(folder, language, screen))
