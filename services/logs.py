"""Logging: one line per event, as text or JSON, and never a secret.

Every handler on every logger gets a `RedactingFormatter`: it formats the record as usual
(message, arguments, traceback, stack) and then removes the bot token from the finished
string, in any case (httpx, yarl and error pages lower-case URLs), URL-encoded (`123%3AABC`),
or as the part after the colon alone. Formatting first and redacting last is what makes it
complete: a token inside an exception's text, a traceback or an argument's repr is only a
substring of the line by then. `warnings`, uncaught exceptions (also in threads) and the
command line's own one-line errors (`redact`, `print_crash`) go the same way.

Events log one line each: an update with its latency (`log_update`, from bot.updates), a nudge pass with
its counts (`log_nudge_pass`), a stored report (`log_report_stored`), a failed update with
its id (`log_update_error`). Message text is never logged at INFO. A network fault that will
be retried (NetworkError, TimedOut, RetryAfter, 409 Conflict, a proxy's HTML page) is one
WARNING line without a traceback, whoever logs it (python-telegram-bot's Updater included);
an error in duban's own code keeps its traceback.

`DUBAN_LOG_FORMAT=json` writes one JSON object per line: ts, level, logger, msg, the event's
fields (given with `extra=`), the id of the update being handled, and exc for a traceback.

The pieces: the secrets and the redacting formatter are services.redaction; the event lines
(`handling`, `log_update`, `log_nudge_pass` …) are services.log_events. Here: the text and JSON
formats, `configure_logging`, the hooks for uncaught exceptions, and `print_crash`.

This module does not import python-telegram-bot: the command line loads it for every command.
"""

from __future__ import annotations

import contextlib
import json
import logging
import sys
import threading
import traceback
from dataclasses import dataclass
from datetime import UTC, datetime
from types import TracebackType
from typing import TYPE_CHECKING, Any, TextIO

from services.log_events import current_update
from services.redaction import RedactingFormatter, keep_secrets, one_line, redact, short_error

if TYPE_CHECKING:
    from config import Settings

__all__ = [
    "JsonFormatter",
    "TextFormatter",
    "configure_logging",
    "print_crash",
    "reset_logging",
]

_crash_log = logging.getLogger("duban")


# ---------------------------------------------------------------------------- formats


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
        event = current_update()
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
