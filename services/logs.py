"""Logging: one line per event, as text or JSON, and never a secret.

Every handler on every logger gets a `RedactingFormatter`: it formats the record as usual
(message, arguments, traceback, stack) and then removes the bot token from the finished
string, in any case (httpx, yarl and error pages lower-case URLs), URL-encoded (`123%3AABC`),
or as the part after the colon alone. Formatting first and redacting last is what makes it
complete: a token inside an exception's text, a traceback or an argument's repr is only a
substring of the line by then. `warnings`, uncaught exceptions (also in threads) and the
command line's own one-line errors (`redact`, `print_crash`) go the same way.

Events log one line each: an update with its latency (`logged_updates`), a nudge pass with
its counts (`log_nudge_pass`), a stored report (`log_report_stored`), a failed update with
its id (`log_update_error`). Message text is never logged at INFO. A network fault that will
be retried (NetworkError, TimedOut, RetryAfter, 409 Conflict, a proxy's HTML page) is one
WARNING line without a traceback, whoever logs it (python-telegram-bot's Updater included);
an error in duban's own code keeps its traceback.

`DUBAN_LOG_FORMAT=json` writes one JSON object per line: ts, level, logger, msg, the event's
fields (given with `extra=`), the id of the update being handled, and exc for a traceback.

This module does not import python-telegram-bot: the command line loads it for every command.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import copy
import json
import logging
import re
import sys
import threading
import time
import traceback
from collections.abc import Awaitable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from types import TracebackType
from typing import TYPE_CHECKING, Any, Protocol, TextIO
from urllib.parse import quote

if TYPE_CHECKING:
    from pydantic import SecretStr
    from telegram.ext import BaseUpdateProcessor

    from config import Settings

__all__ = [
    "JsonFormatter",
    "RedactingFormatter",
    "Redactor",
    "TextFormatter",
    "configure_logging",
    "keep_secret",
    "keep_secrets",
    "log_nudge_pass",
    "log_report_stored",
    "log_update_error",
    "logged_updates",
    "print_crash",
    "redact",
    "reset_logging",
]

TOKEN_MARK = "<token>"
SECRET_MARK = "<secret>"
# The part of a bot token after the colon is redacted on its own from this length: Telegram's
# are 35 characters, long enough that nothing else in a log line matches them by chance.
MIN_LONE_SECRET = 16
MIN_SECRET = 6  # shorter "secrets" would blank out ordinary words
SHORT_ERROR = 300  # characters of an error's text on a one-line retry

updates_log = logging.getLogger("bot.updates")
errors_log = logging.getLogger("bot.errors")
_crash_log = logging.getLogger("duban")


# ---------------------------------------------------------------------------- redaction


def _secret_value(value: str | SecretStr | None) -> str:
    if value is None:
        return ""
    get = getattr(value, "get_secret_value", None)
    return str(get()) if callable(get) else str(value)


class Redactor:
    """Replaces secrets in text, in any case and URL-encoded.

    A bot token `ID:SECRET` is matched with its colon as `:`, `%3A` or `%253A` (encoded twice),
    and its SECRET alone when that is long enough to be unique; other secrets as a whole.
    """

    def __init__(self) -> None:
        self._patterns: list[tuple[re.Pattern[str], str]] = []
        self._seen: set[str] = set()

    def add(self, secret: str | SecretStr | None, mark: str = TOKEN_MARK) -> None:
        value = _secret_value(secret).strip()
        if len(value) < MIN_SECRET or value in self._seen:
            return
        self._seen.add(value)
        head, colon, tail = value.partition(":")
        forms: list[str] = []
        if colon and head and tail:
            colons = r"(?::|%3a|%253a)"
            forms.append(re.escape(head) + colons + _encoded(tail))
            if len(tail) >= MIN_LONE_SECRET:
                forms.append(_encoded(tail))
        else:
            forms.append(_encoded(value))
        for form in forms:  # the whole token before its secret part alone
            self._patterns.append((re.compile(form, re.IGNORECASE), mark))

    def __call__(self, text: str) -> str:
        for pattern, mark in self._patterns:
            text = pattern.sub(mark, text)
        return text

    def __bool__(self) -> bool:
        return bool(self._patterns)


def _encoded(part: str) -> str:
    """A pattern for `part` as it is, or percent-encoded (once or twice)."""
    plain = re.escape(part)
    once = quote(part, safe="")
    if once == part:
        return plain
    twice = quote(once, safe="")
    return "(?:" + "|".join(re.escape(v) for v in (part, once, twice)) + ")"


_SECRETS = Redactor()


def keep_secret(value: str | SecretStr | None, mark: str = TOKEN_MARK) -> None:
    """Never print `value`: not in logs, not in the command line's error lines.

    Also redacts what logging prints when no handler is configured (its last resort).
    """
    _SECRETS.add(value, mark)
    last = logging.lastResort
    if last is not None and not isinstance(last.formatter, RedactingFormatter):
        last.setFormatter(RedactingFormatter(last.formatter))


def keep_secrets(settings: Settings) -> None:
    """The secrets among the settings: the bot token and, when set, the webhook secret."""
    keep_secret(settings.bot_token, TOKEN_MARK)
    keep_secret(getattr(settings, "webhook_secret", None), SECRET_MARK)


def redact(text: str) -> str:
    """`text` without any secret `keep_secret` was told of."""
    return _SECRETS(text)


# ---------------------------------------------------------------------------- formatting


def one_line(text: str) -> str:
    """Line breaks shown as \\n, so that one record is one line of text."""
    return text.replace("\r\n", "\\n").replace("\n", "\\n").replace("\r", "\\n")


def clip(text: str, limit: int = SHORT_ERROR) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def short_error(error: BaseException, redactor: Redactor | None = None) -> str:
    """`Type: message`, on one line, redacted and then clipped (the message alone if it names
    the type). Redacting first matters: a clip through the token would leave part of it."""
    name = type(error).__name__
    text = one_line(str(error)).strip() or name
    text = text if text.startswith(name) else f"{name}: {text}"
    return clip((redactor or _SECRETS)(text))


def is_transient(error: BaseException, logger: str = "") -> bool:
    """Whether `error` is a network fault that is retried: worth one line, not a traceback.

    python-telegram-bot's NetworkError (timeouts, dropped connections, 5xx) but not its
    BadRequest (a subclass: our request was wrong), RetryAfter (429), Conflict (409: another
    poller), and a Bot API answer that was not JSON (a proxy's error page).
    """
    tg = sys.modules.get("telegram.error")  # no Telegram error exists before it is imported
    if tg is not None:
        if isinstance(error, tg.BadRequest):
            return False
        if isinstance(error, tg.NetworkError | tg.RetryAfter | tg.Conflict):
            return True
    return logger.startswith("telegram.request") and isinstance(error, ValueError)


def _calm(record: logging.LogRecord, redactor: Redactor) -> logging.LogRecord:
    """A retried network fault as one WARNING line: its error's text instead of a traceback.

    The record is copied, not changed: other handlers see it as it was logged.
    """
    error = record.exc_info[1] if record.exc_info else None
    if error is None or not is_transient(error, record.name):
        return record
    calm = copy.copy(record)
    message = clip(redactor(one_line(record.getMessage())), 2 * SHORT_ERROR)
    short = short_error(error, redactor)
    if short not in message:
        message = f"{message.rstrip('. ')}: {short}"
    calm.msg, calm.args = message, None
    calm.exc_info, calm.exc_text = None, None
    if calm.levelno > logging.WARNING:
        calm.levelno, calm.levelname = logging.WARNING, "WARNING"
    return calm


class TextFormatter(logging.Formatter):
    """`2024-05-06 09:30:01,123 INFO bot.updates: update 5 (…) handled in 12 ms`.

    The message stays on its line (line breaks inside it are shown as \\n); a traceback, when
    there is one, follows on the lines below.
    """

    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s: %(message)s")

    def formatMessage(self, record: logging.LogRecord) -> str:
        record.message = one_line(record.message.rstrip())
        return super().formatMessage(record)


# Attributes every LogRecord has; the rest came with `extra=` and are the event's fields.
_STANDARD = set(logging.makeLogRecord({}).__dict__) | {"message", "asctime", "taskName"}


class JsonFormatter(logging.Formatter):
    """One JSON object per line: ts (UTC), level, logger, msg, the event's fields, exc."""

    def format(self, record: logging.LogRecord) -> str:
        out: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "msg": record.getMessage(),
        }
        event = _CURRENT.get()
        if event is not None and event.update_id is not None:
            out["update_id"] = event.update_id
        for key, value in record.__dict__.items():
            if key not in _STANDARD and not key.startswith("_"):
                out[key] = value
        if record.exc_info:
            out["exc"] = self.formatException(record.exc_info)
        elif record.exc_text:
            out["exc"] = record.exc_text
        if record.stack_info:
            out["stack"] = self.formatStack(record.stack_info)
        return json.dumps(out, ensure_ascii=False, default=str)


class RedactingFormatter(logging.Formatter):
    """Wraps a handler's formatter: retried faults on one line, then no secret in the result.

    The whole formatted string is redacted, so the message, its arguments, the traceback
    (`formatException`), the stack and the JSON fields are all covered.
    """

    def __init__(self, inner: logging.Formatter | None, redactor: Redactor = _SECRETS) -> None:
        super().__init__()
        self.inner = inner or logging.Formatter()
        self.redactor = redactor

    def format(self, record: logging.LogRecord) -> str:
        return self.redactor(self.inner.format(_calm(record, self.redactor)))


class SafeStreamHandler(logging.StreamHandler[TextIO]):
    """A stream handler whose own failures print one redacted line, not the record's args."""

    def handleError(self, record: logging.LogRecord) -> None:
        error = sys.exc_info()[1]
        with contextlib.suppress(Exception):  # the stream itself is gone: nothing left to tell
            self.stream.write(
                redact(f"logging failed for a record of {record.name}: {error!r}") + "\n"
            )


# ---------------------------------------------------------------------------- configuration


@dataclass
class _Installed:
    handler: logging.Handler
    wrapped: list[tuple[logging.Handler, logging.Formatter | None]]
    root_level: int
    hooks: tuple[Any, Any, Any]


_installed: _Installed | None = None


def protect_handlers() -> int:
    """Give every handler of every logger (and the last-resort one) the redacting formatter;
    how many were wrapped now. Handlers added later must call this again."""
    assert _installed is not None
    loggers: list[logging.Logger] = [logging.getLogger()]
    loggers += [
        lg
        for lg in list(logging.Logger.manager.loggerDict.values())
        if isinstance(lg, logging.Logger)
    ]
    handlers = [h for lg in loggers for h in lg.handlers]
    if logging.lastResort is not None:
        handlers.append(logging.lastResort)
    count = 0
    for handler in handlers:
        if not isinstance(handler.formatter, RedactingFormatter):
            _installed.wrapped.append((handler, handler.formatter))
            handler.setFormatter(RedactingFormatter(handler.formatter))
            count += 1
    return count


class _PayloadAtDebug(logging.Filter):
    """python-telegram-bot logs a non-JSON answer (a proxy's error page, whole) before raising
    the error that carries it: that record is moved to DEBUG, so a retry stays one line."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.getMessage().startswith("Can not load invalid JSON data"):
            record.levelno, record.levelname = logging.DEBUG, "DEBUG"
            return logging.getLogger().isEnabledFor(logging.DEBUG)
        return True


_PAYLOAD_FILTER = _PayloadAtDebug()


def configure_logging(
    settings: Settings, level: int = logging.INFO, *, stream: TextIO | None = None
) -> logging.Handler:
    """Log to stderr (or `stream`) as DUBAN_LOG_FORMAT says, with every secret redacted.

    Quiets the chatty HTTP client and scheduler, routes `warnings` and uncaught exceptions
    (main thread, other threads, unraisable) into the log, and wraps every handler present.
    Calling it again replaces the previous configuration; `reset_logging` undoes it.
    """
    global _installed
    reset_logging()
    keep_secrets(settings)
    handler = SafeStreamHandler(stream if stream is not None else sys.stderr)
    fmt = getattr(settings, "log_format", "text")
    handler.setFormatter(RedactingFormatter(JsonFormatter() if fmt == "json" else TextFormatter()))
    root = logging.getLogger()
    _installed = _Installed(
        handler, [], root.level, (sys.excepthook, threading.excepthook, sys.unraisablehook)
    )
    root.addHandler(handler)
    root.setLevel(level)
    logging.getLogger("httpx").setLevel(logging.WARNING)  # one line per request, URL and all
    logging.getLogger("httpcore").setLevel(logging.WARNING)
    logging.getLogger("apscheduler").setLevel(logging.WARNING)
    logging.getLogger("telegram.request.BaseRequest").addFilter(_PAYLOAD_FILTER)
    logging.captureWarnings(True)
    sys.excepthook = _excepthook
    threading.excepthook = _thread_excepthook
    sys.unraisablehook = _unraisablehook
    protect_handlers()
    return handler


def reset_logging() -> None:
    """Undo `configure_logging`: its handler, the wrapped formatters, the hooks, the level.
    The secrets stay known to `redact`."""
    global _installed
    if _installed is None:
        return
    root = logging.getLogger()
    root.removeHandler(_installed.handler)
    for handler, formatter in reversed(_installed.wrapped):
        handler.setFormatter(formatter)
    root.setLevel(_installed.root_level)
    logging.getLogger("telegram.request.BaseRequest").removeFilter(_PAYLOAD_FILTER)
    logging.captureWarnings(False)
    sys.excepthook, threading.excepthook, sys.unraisablehook = _installed.hooks
    _installed = None


def _excepthook(kind: type[BaseException], error: BaseException, tb: TracebackType | None) -> None:
    _crash_log.critical("uncaught exception: %s", short_error(error), exc_info=(kind, error, tb))


def _thread_excepthook(args: threading.ExceptHookArgs) -> None:
    if args.exc_value is None or isinstance(args.exc_value, SystemExit):
        return
    name = args.thread.name if args.thread is not None else "?"
    _crash_log.error(
        "uncaught exception in thread %s: %s",
        name,
        short_error(args.exc_value),
        exc_info=(args.exc_type, args.exc_value, args.exc_traceback),
    )


def _unraisablehook(unraisable: Any) -> None:
    error = unraisable.exc_value
    _crash_log.warning(
        "%s: %r",
        unraisable.err_msg or "exception ignored",
        unraisable.object,
        exc_info=(unraisable.exc_type, error, unraisable.exc_traceback) if error else None,
    )


def print_crash(error: BaseException, stream: TextIO | None = None) -> None:
    """What the command line prints for an exception nothing else caught, redacted.

    A Bot API failure is one line; a fault in duban's own code gets its traceback above it.
    """
    out = stream if stream is not None else sys.stderr
    if type(error).__module__.startswith("telegram"):
        out.write(redact(f"duban: the Bot API failed: {short_error(error)}") + "\n")
        return
    text = "".join(traceback.format_exception(error))
    out.write(redact(text))
    out.write(redact(f"duban: internal error: {short_error(error)}") + "\n")


# ---------------------------------------------------------------------------- events

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


async def _timed(coroutine: Awaitable[Any], event: UpdateEvent) -> None:
    event.began = time.perf_counter()
    await coroutine


def logged_updates(inner: BaseUpdateProcessor) -> BaseUpdateProcessor:
    """`inner` (its ordering and concurrency unchanged), logging one INFO line per update:
    its id, kind, command name, chat id and latency in ms, of which waiting for its turn.

    While an update is handled, `current_update()` names it: `log_update_error` and the JSON
    lines carry its id.
    """
    from telegram.ext import BaseUpdateProcessor as Base

    class LoggedUpdates(Base):
        # As many slots as `inner`: whatever `inner` lets through passes here at once.
        def __init__(self) -> None:
            super().__init__(inner.max_concurrent_updates)

        async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
            event = UpdateEvent.of(update)
            reset = _CURRENT.set(event)
            outcome = "error"
            try:
                await inner.process_update(update, _timed(coroutine, event))
                outcome = "error" if event.failed else "ok"
            except asyncio.CancelledError:
                outcome = "cancelled"
                raise
            finally:
                _CURRENT.reset(reset)
                _log_update(event, outcome)

        async def initialize(self) -> None:
            await inner.initialize()

        async def shutdown(self) -> None:
            await inner.shutdown()

    return LoggedUpdates()


def _log_update(event: UpdateEvent, outcome: str) -> None:
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
