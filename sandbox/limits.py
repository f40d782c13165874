"""Telegram's flood limits, modelled as sliding windows.

Telegram documents "about 30 messages per second" overall, "one message per second" in a private
chat and "20 messages per minute" in a group. A sliding window log (remember when each accepted
message went out, count those inside the last ``period``) is used instead of fixed buckets
because a fixed bucket punishes or forgives a sender depending on where the bucket edges fall;
with a window, a sender that never exceeds ``count`` messages in any ``period`` gets no 429 at
all, and one that does gets a 429 every time -- which is what a benchmark of a bot's own rate
limiter needs to measure.
"""

from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass, field

__all__ = ["CLOCK_TOLERANCE", "Limit", "Limits", "RateLimiter"]

# Requests are timestamped when the sandbox handles them, not when the client sent them; on a
# busy event loop two sends spaced exactly 1/N s apart can be handled a few milliseconds closer
# together. Shortening each window by this much keeps a client that paces itself exactly at the
# limit from being punished for the sandbox's own scheduling jitter (2% at 1 s, ~0 at 60 s).
CLOCK_TOLERANCE = 0.02


@dataclass(frozen=True)
class Limit:
    """At most ``count`` messages in any ``period`` seconds."""

    count: int
    period: float

    def __post_init__(self) -> None:
        if self.count < 1 or self.period <= 0:
            raise ValueError(f"a limit needs count >= 1 and period > 0, got {self}")

    @classmethod
    def per_second(cls, count: int) -> Limit:
        """``count`` messages per second."""
        return cls(count, 1.0)

    @classmethod
    def per_minute(cls, count: int) -> Limit:
        """``count`` messages per minute."""
        return cls(count, 60.0)


@dataclass
class Limits:
    """The three limits the sandbox enforces; ``None`` switches one off. Mutable at runtime."""

    global_limit: Limit | None = field(default_factory=lambda: Limit.per_second(30))
    private_chat: Limit | None = field(default_factory=lambda: Limit.per_second(1))
    group_chat: Limit | None = field(default_factory=lambda: Limit.per_minute(20))


class _Window:
    """Timestamps of the messages accepted recently under one limit."""

    __slots__ = ("times",)

    def __init__(self) -> None:
        self.times: deque[float] = deque()

    def wait_time(self, limit: Limit, now: float) -> float:
        """Seconds until one more message fits; 0 when it fits now."""
        span = max(limit.period - CLOCK_TOLERANCE, limit.period / 2)
        times = self.times
        while times and times[0] <= now - span:
            times.popleft()
        if len(times) < limit.count:
            return 0.0
        # The oldest of the last `count` messages has to leave the window first.
        return times[len(times) - limit.count] + span - now

    def add(self, now: float, limit: Limit) -> None:
        """Remember a sent message; only the last ``limit.count`` ever matter."""
        self.times.append(now)
        while len(self.times) > limit.count:
            self.times.popleft()


class RateLimiter:
    """Decides whether a message to a chat may go out now, and remembers the ones that did."""

    def __init__(self, limits: Limits) -> None:
        self.limits = limits
        self._global = _Window()
        self._chats: dict[int, _Window] = {}

    def retry_after(self, chat_id: int, *, is_group: bool, now: float) -> int | None:
        """The ``retry_after`` Telegram would answer with, or ``None`` if the message may go.

        Rejected messages are not recorded: only messages that were actually sent count against
        a limit, so a client that backs off as told recovers.
        """
        waits: list[float] = []
        if self.limits.global_limit is not None:
            waits.append(self._global.wait_time(self.limits.global_limit, now))
        chat_limit = self.limits.group_chat if is_group else self.limits.private_chat
        if chat_limit is not None:
            window = self._chats.get(chat_id)
            if window is not None:
                waits.append(window.wait_time(chat_limit, now))
        wait = max(waits, default=0.0)
        if wait <= 0:
            return None
        # Telegram only ever says whole seconds, and never 0.
        return max(1, math.ceil(wait))

    def record(self, chat_id: int, *, is_group: bool, now: float) -> None:
        """Count a message that was sent to ``chat_id`` at ``now`` under the active limits."""
        if self.limits.global_limit is not None:
            self._global.add(now, self.limits.global_limit)
        chat_limit = self.limits.group_chat if is_group else self.limits.private_chat
        if chat_limit is not None:
            window = self._chats.get(chat_id)
            if window is None:
                window = self._chats[chat_id] = _Window()
            window.add(now, chat_limit)
