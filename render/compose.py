"""Compose the messages duban sends: nudges, escalations, item lists. No Telegram here.

A composed message is a list of text chunks (each under Telegram's limit, complete HTML) and
a list of button rows (label, callback data). The bot layer turns those into API calls.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

from render.chunks import callback_data, clip, split_message
from render.texts import Texts, esc

# Telegram allows 100 buttons a message; three a row keeps each item on one line of buttons.
MAX_BUTTON_ITEMS = 30
TITLE_CHARS = 40


@dataclass(frozen=True)
class Composed:
    """Message chunks and the inline keyboard that goes under the last one."""

    chunks: list[str]
    buttons: list[list[tuple[str, str]]] = field(default_factory=list)


@dataclass(frozen=True)
class NudgeLine:
    """One item in a unit's nudge."""

    item_id: int
    ref: str  # "4", or "2-15" with several active plans
    title: str
    kind: str  # upcoming, cycle, overdue
    about: date | None
    deadline: date | None  # None for ongoing work (持续推进)
    days_left: int | None
    milestone: bool = False


def status_buttons(t: Texts, item_id: int, ref: str) -> list[tuple[str, str]]:
    """The done / in progress / blocked buttons of one item."""
    return [
        (f"{ref} {t('button_done')}", callback_data("r", item_id, "d")),
        (f"{ref} {t('button_progress')}", callback_data("r", item_id, "p")),
        (f"{ref} {t('button_blocked')}", callback_data("r", item_id, "b")),
    ]


def compose_nudge(t: Texts, unit_name: str, lines: Sequence[NudgeLine]) -> Composed:
    """One message for a unit listing every item it is nudged about, each with buttons."""
    body = [t("nudge_head", unit=esc(unit_name))]
    for line in lines:
        title = esc(clip(line.title, TITLE_CHARS))
        about = line.about.isoformat() if line.about else ""
        if line.kind == "overdue":
            text = t(
                "nudge_overdue", ref=line.ref, title=title, about=about, days=-(line.days_left or 0)
            )
        elif line.kind == "cycle":
            text = (
                t("nudge_cycle", ref=line.ref, title=title, deadline=line.deadline.isoformat())
                if line.deadline
                else t("nudge_cycle_ongoing", ref=line.ref, title=title)
            )
        elif line.days_left == 0:
            text = t("nudge_today", ref=line.ref, title=title, about=about)
        else:
            key = "nudge_milestone" if line.milestone else "nudge_upcoming"
            text = t(key, ref=line.ref, title=title, about=about, days=line.days_left)
        body.append(text)
    if lines:
        body.append(t("nudge_tail", example=lines[0].ref))
    buttons = [status_buttons(t, line.item_id, line.ref) for line in lines[:MAX_BUTTON_ITEMS]]
    return Composed(split_message(body), buttons)


@dataclass(frozen=True)
class EscalationLine:
    """One thing coordinators must chase."""

    unit_name: str
    reason: str  # overdue, ignored
    count: int
    ref: str = ""
    title: str = ""


def compose_escalation(t: Texts, lines: Sequence[EscalationLine]) -> Composed:
    """The coordinators' warning: items that stay overdue, units that do not answer."""
    body = [t("escalation_head")]
    for line in lines:
        if line.reason == "overdue":
            body.append(
                t(
                    "escalation_overdue",
                    unit=esc(line.unit_name),
                    ref=line.ref,
                    title=esc(clip(line.title, TITLE_CHARS)),
                    count=line.count,
                )
            )
        else:
            body.append(t("escalation_ignored", unit=esc(line.unit_name), count=line.count))
    return Composed(split_message(body))
