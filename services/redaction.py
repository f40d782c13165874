"""No secret in any line: the secrets duban knows of, and the formatter that removes them.

`keep_secret` tells the `Redactor` of a secret (the bot token, the webhook secret); `redact`
removes them from a finished string, in any case (httpx, yarl and error pages lower-case URLs),
URL-encoded (`123%3AABC`), or as the part after the colon alone. `RedactingFormatter` wraps a
handler's formatter and redacts the whole formatted record last, so a token inside an
exception's text, a traceback or an argument's repr is covered too; before that it turns a
retried network fault (`is_transient`) into one WARNING line without a traceback. An error's
one-line text (`short_error`) is redacted before it is clipped.

This module does not import python-telegram-bot.
"""

from __future__ import annotations

import copy
import logging
import re
import sys
from typing import TYPE_CHECKING
from urllib.parse import quote

if TYPE_CHECKING:
    from pydantic import SecretStr

    from config import Settings

TOKEN_MARK = "<token>"
SECRET_MARK = "<secret>"
# The part of a bot token after the colon is redacted on its own from this length: Telegram's
# are 35 characters, long enough that nothing else in a log line matches them by chance.
MIN_LONE_SECRET = 16
MIN_SECRET = 6  # shorter "secrets" would blank out ordinary words
SHORT_ERROR = 300  # characters of an error's text on a one-line retry


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


# ---------------------------------------------------------------------- one-line errors


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
