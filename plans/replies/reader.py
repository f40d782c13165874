"""`read_progress`: a reply read into a `ProgressReading`, each part by its own rule module."""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Sequence
from datetime import date, datetime

from plans.model import Target
from plans.replies.acks import is_acknowledgement
from plans.replies.blockers import blocker
from plans.replies.cleaning import Clauses, clean
from plans.replies.cues import Cues
from plans.replies.dates import find_dates, pick_expected
from plans.replies.percents import stated_percent
from plans.replies.reading import TEXT_LIMIT, Doubt, ProgressReading, empty
from plans.replies.refs import REF_DI, leading_refs, refs_anywhere
from plans.replies.status import decide
from plans.replies.values import find_value

log = logging.getLogger(__name__)


def read_progress(
    text: str,
    *,
    targets: Sequence[Target] = (),
    today: date,
    plan_year: int | None = None,
) -> ProgressReading:
    """Read a progress reply. `targets` are the item's; `today` is the contact's local date.

    `plan_year` only matters for a plan whose year has not begun yet (imported in December for
    next year): its plan phrases ("年底", "6月底") then mean the plan year. Otherwise replies talk
    about now, and plan phrases resolve against `today.year`.

    Never raises: a reply that can't be read is an empty reading (logged), and the handler asks
    again instead of crashing. The reading's `text` is always the reply exactly as given.
    """
    raw = text if isinstance(text, str) else ""
    try:
        return _read(raw, tuple(targets), _as_date(today), plan_year)
    except Exception:  # a reply must never break the handler: log it and say "not understood"
        log.warning("could not read progress reply %r", raw[:200], exc_info=True)
        return empty(raw)


def _as_date(today: date) -> date:
    # A datetime is a date too, but comparing one with a date raises: keep the calendar day.
    return today.date() if isinstance(today, datetime) else today


def _read(
    raw: str, targets: tuple[Target, ...], today: date, plan_year: int | None
) -> ProgressReading:
    refs, body = leading_refs(raw)
    doubts: list[Doubt] = ["cut"] if len(raw) > TEXT_LIMIT else []
    s = clean(body[:TEXT_LIMIT])
    refs += [r for r in refs_anywhere(s) if r not in refs]
    if len(refs) > 1:
        doubts.append("several_items")
    if not s.strip():
        return empty(raw, tuple(refs), body=body, doubts=tuple(doubts))

    clauses = Clauses(s)
    base_year = max(today.year, plan_year) if plan_year else today.year
    dates = find_dates(s, today, base_year)
    expected = pick_expected(s, clauses, dates, today)
    taken = [(w.start, w.end) for w in dates] + [(m.start(), m.end()) for m in REF_DI.finditer(s)]

    pct_target = any(t.measure == "%" for t in targets)
    stated = stated_percent(s, clauses, taken, pct_target)
    if stated.negative:
        doubts.append("negative_percent")
    value = find_value(s, clauses, targets, taken + stated.spans, stated.as_values)
    cues = Cues(s, clauses)
    status, percent = decide(
        cues, stated.percent, value, expected, several_items="several_items" in doubts
    )

    reading = ProgressReading(
        status=status,
        percent=percent,
        value=value.value if value else None,
        measure=value.target.measure if value else None,
        target_text=value.target.text if value else None,
        expected_date=expected.date if expected else None,
        expected_text=expected.text if expected else "",
        blocker=blocker(s, clauses, cues) if status == "blocked" else "",
        item_refs=tuple(refs),
        text=raw,
        body=body,
        doubts=tuple(doubts),
    )
    if not reading.understood and is_acknowledgement(s):
        reading = dataclasses.replace(reading, acknowledgement=True)
    return reading
