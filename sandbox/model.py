"""Shapes shared by the sandbox modules: errors, stored messages, the call log, counters."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any, TypedDict

__all__ = [
    "JSON",
    "ApiCall",
    "ApiError",
    "MessageVersion",
    "SentMessage",
    "Stats",
    "bad_request",
    "forbidden",
]

JSON = dict[str, Any]


class ApiError(Exception):
    """A Telegram-shaped failure: HTTP status, description and optional ``retry_after``."""

    def __init__(self, status: int, description: str, *, retry_after: int | None = None) -> None:
        super().__init__(description)
        self.status = status
        self.description = description
        self.retry_after = retry_after

    def body(self) -> JSON:
        """The JSON body Telegram sends for this error."""
        body: JSON = {"ok": False, "error_code": self.status, "description": self.description}
        if self.retry_after is not None:
            body["parameters"] = {"retry_after": self.retry_after}
        return body


def bad_request(detail: str) -> ApiError:
    """400 with Telegram's "Bad Request: " prefix."""
    return ApiError(400, f"Bad Request: {detail}")


def forbidden(detail: str) -> ApiError:
    """403 with Telegram's "Forbidden: " prefix."""
    return ApiError(403, f"Forbidden: {detail}")


class MessageVersion(TypedDict):
    """An earlier state of a bot message, kept when the bot edits it."""

    text: str | None
    caption: str | None
    raw_text: str | None
    parse_mode: str | None
    entities: list[JSON]
    reply_markup: JSON | None
    date: int


class SentMessage(TypedDict):
    """A message the bot sent, as tests read it back with ``sandbox.sent(chat)``.

    ``text``/``caption`` are what the user sees (markup parsed away); ``raw_text`` is exactly
    what the bot passed (the HTML source, for checking escaping). ``edits`` holds the earlier
    versions, oldest first; the record itself always shows the current one. ``message`` is the
    Telegram Message object the bot got back, kept up to date.
    """

    chat_id: int
    message_id: int
    method: str
    text: str | None
    caption: str | None
    raw_text: str | None
    parse_mode: str | None
    entities: list[JSON]
    reply_markup: JSON | None
    reply_to: int | None
    date: int
    edits: list[MessageVersion]
    deleted: bool
    document: JSON | None
    photo: list[JSON] | None
    message: JSON


@dataclass(frozen=True)
class ApiCall:
    """One Bot API request as the sandbox answered it.

    ``status`` is the HTTP status sent, or ``None`` when the connection was dropped on purpose.
    Uploaded files appear in ``params`` as ``{"file_name", "size"}``, not as bytes.
    """

    method: str
    params: JSON
    status: int | None
    description: str | None
    at: float
    duration: float


@dataclass
class Stats:
    """Counters for assertions and benchmarks."""

    calls: int = 0
    too_many_requests: int = 0  # every 429 sent, whether from a limit or injected
    rate_limited: int = 0  # 429s caused by the configured limits only
    injected: int = 0  # injected error responses, 429 included
    dropped: int = 0  # connections closed without a response
    by_status: Counter[int] = field(default_factory=Counter)
    by_method: Counter[str] = field(default_factory=Counter)
