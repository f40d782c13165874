"""Log events: one line per handled update, failed update, nudge pass and stored report.

`handling` marks the update a task is handling (`current_update`: the JSON lines carry its
id); `log_update` logs it with its latency, `log_update_error` a failure with its id,
`log_nudge_pass` a pass's counts and `log_report_stored` a report's ids and status. Message
text is never logged at INFO.

This module does not import python-telegram-bot.
"""

from __future__ import annotations

import contextlib
import contextvars
import logging
import re
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from services.redaction import short_error

updates_log = logging.getLogger("bot.updates")
errors_log = logging.getLogger("bot.errors")

_KINDS = (
    "message",
    "edited_message",
    "callback_query",
    "channel_post",
    "edited_channel_post",
    "my_chat_member",
    "chat_member",
    "chat_join_request",
    "inline_query",
)
_COMMAND = re.compile(r"/[A-Za-z0-9_]{1,32}")


@dataclass
class UpdateEvent:
    """The update being handled: what the log may say about it (never its text)."""

    update_id: int | None
    kind: str
    chat_id: int | None
    command: str | None
    arrived: float
    began: float | None = None
    failed: bool = False

    @classmethod
    def of(cls, update: object) -> UpdateEvent:
        kind = next((k for k in _KINDS if getattr(update, k, None) is not None), "other")
        chat = getattr(update, "effective_chat", None)
        command = None
        if kind == "message":
            text = getattr(getattr(update, "message", None), "text", None)
            found = _COMMAND.match(text) if isinstance(text, str) else None
            command = found.group() if found else None
        update_id = getattr(update, "update_id", None)
        return cls(
            update_id=update_id if isinstance(update_id, int) else None,
            kind=kind,
            chat_id=getattr(chat, "id", None),
            command=command,
            arrived=time.perf_counter(),
        )

    def label(self) -> str:
        what = f"{self.kind} {self.command}" if self.command else self.kind
        chat = f", chat {self.chat_id}" if self.chat_id is not None else ""
        return f"update {self.update_id} ({what}{chat})"


_CURRENT: contextvars.ContextVar[UpdateEvent | None] = contextvars.ContextVar(
    "duban_update", default=None
)


def current_update() -> UpdateEvent | None:
    """The update this task is handling, if any."""
    return _CURRENT.get()


@contextlib.contextmanager
def handling(update: object) -> Iterator[UpdateEvent]:
    """While the block handles `update`, `current_update()` names it (`log_update_error` and
    the JSON lines carry its id); the event records when its handlers began and whether they
    failed."""
    event = UpdateEvent.of(update)
    reset = _CURRENT.set(event)
    try:
        yield event
    finally:
        _CURRENT.reset(reset)


def log_update(event: UpdateEvent, outcome: str) -> None:
    """One INFO line for a handled update: its id, kind, command name, chat id, and latency in
    ms, of which waiting for its turn. `outcome`: ok, error or cancelled."""
    done = time.perf_counter()
    ms = round((done - event.arrived) * 1000)
    wait_ms = round(((event.began or done) - event.arrived) * 1000)
    verb = {"ok": "handled", "error": "failed", "cancelled": "cancelled"}[outcome]
    updates_log.info(
        "%s %s in %d ms (waited %d ms)",
        event.label(),
        verb,
        ms,
        wait_ms,
        extra={
            "event": "update",
            "update_id": event.update_id,
            "kind": event.kind,
            "command": event.command,
            "chat_id": event.chat_id,
            "ms": ms,
            "wait_ms": wait_ms,
            "outcome": outcome,
        },
    )


def log_update_error(update: object, error: BaseException | None) -> None:
    """One record for an error while handling `update` (or in a job, without one): ERROR with
    the traceback for a fault in our code, one WARNING line for a network fault."""
    event = _CURRENT.get()
    if event is not None:
        event.failed = True
    label = (event or UpdateEvent.of(update)).label() if update is not None else "a job"
    detail = short_error(error) if error is not None else "unknown error"
    update_id = getattr(update, "update_id", None)
    errors_log.error(
        "%s failed: %s",
        label,
        detail,
        exc_info=error,
        extra={"event": "error", "update_id": update_id, "error": type(error).__name__},
    )


class PassSummary(Protocol):
    """What `log_nudge_pass` reads of a nudge pass's report."""

    @property
    def at(self) -> datetime: ...
    @property
    def recorded(self) -> int: ...
    @property
    def units_sent(self) -> int: ...
    @property
    def messages_sent(self) -> int: ...
    @property
    def waiting_units(self) -> Sequence[str]: ...
    @property
    def unreachable(self) -> Sequence[str]: ...
    @property
    def failed(self) -> Sequence[str]: ...
    @property
    def escalations(self) -> int: ...


def log_nudge_pass(report: PassSummary) -> None:
    """One INFO line with the pass's counts (the CLI prints the names; the log does not)."""
    fields = {
        "due": report.recorded,
        "messages": report.messages_sent,
        "units": report.units_sent,
        "waiting": len(report.waiting_units),
        "unreachable": len(report.unreachable),
        "failed": len(report.failed),
        "escalations": report.escalations,
    }
    logging.getLogger("services.nudging").info(
        "nudge pass at %s: %d newly due, %d messages to %d units, %d units without a contact,"
        " %d chats unreachable, %d failed, %d escalations",
        report.at.isoformat(timespec="minutes"),
        *fields.values(),
        extra={"event": "nudge_pass", **fields},
    )


class StoredReport(Protocol):
    """What `log_report_stored` reads of a report: ids and status, never its text."""

    @property
    def id(self) -> int: ...
    @property
    def item_id(self) -> int: ...
    @property
    def unit_id(self) -> int: ...
    @property
    def status(self) -> str: ...
    @property
    def percent(self) -> float | None: ...
    @property
    def source(self) -> str: ...


def log_report_stored(report: StoredReport) -> None:
    """One INFO line: the report's id, item, unit, status, percent and source; not the text."""
    percent = f"{report.percent:g}%" if report.percent is not None else "no %"
    logging.getLogger("handlers.reporting").info(
        "report %d stored: item %d, unit %d, %s, %s, by %s",
        report.id,
        report.item_id,
        report.unit_id,
        report.status,
        percent,
        report.source,
        extra={
            "event": "report",
            "report_id": report.id,
            "item_id": report.item_id,
            "unit_id": report.unit_id,
            "status": report.status,
            "percent": report.percent,
            "source": report.source,
        },
    )
