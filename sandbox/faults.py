"""Faults the sandbox injects into Bot API calls: errors, dropped connections, stalls, latency.

Faults (``inject``, ``set_latency``, ``drop_connections``, ``stall``) apply per request before
the method runs (a dropped connection may instead be dropped after it ran, to model "sent, but
the answer was lost"). A fault without a method matches every method except getUpdates, so a
polling loop running beside the code under test cannot swallow a fault meant for the bot's sends.
"""

from __future__ import annotations

from dataclasses import dataclass
from http import HTTPStatus

__all__ = ["Fault", "FaultInjection"]


@dataclass
class Fault:
    """One injected fault, used up after ``remaining`` matching calls."""

    method: str | None  # lower-case, None = any except getUpdates
    remaining: int
    status: int = 500
    description: str = ""
    retry_after: int | None = None
    drop: bool = False
    after_processing: bool = False
    stall: float = 0.0  # answer this late, then as normal (see BotApiSandbox.stall)

    def matches(self, method: str) -> bool:
        """Whether this fault applies to a call of ``method`` (lower-case)."""
        if self.method is None:
            return method != "getupdates"
        return self.method == method


class FaultInjection:
    """The fault controls of :class:`~sandbox.server.BotApiSandbox`, and the lookups its HTTP
    handling makes for each call. The sandbox sets ``_faults`` and ``_latency`` up."""

    _faults: list[Fault]
    _latency: dict[str | None, float]

    def inject(
        self,
        method: str | None = None,
        status: int = 500,
        count: int = 1,
        *,
        description: str | None = None,
        retry_after: int | None = None,
    ) -> None:
        """Answer the next ``count`` matching calls with an error instead of running them.

        ``status=429`` gets ``parameters.retry_after`` (default 1), like a real flood wait.
        """
        if status == 429 and retry_after is None:
            retry_after = 1
        if description is None:
            if status == 429:
                description = f"Too Many Requests: retry after {retry_after}"
            else:
                try:
                    description = HTTPStatus(status).phrase
                except ValueError:
                    description = f"Error {status}"
        self._faults.append(
            Fault(
                method.lower() if method else None,
                count,
                status=status,
                description=description,
                retry_after=retry_after if status == 429 else None,
            )
        )

    def drop_connections(
        self, count: int = 1, method: str | None = None, *, after_processing: bool = False
    ) -> None:
        """Close the connection without answering, for the next ``count`` matching calls.

        With ``after_processing=True`` the call takes effect first (the message is sent) and
        only the answer is lost -- the case that makes a retrying client send twice.
        """
        self._faults.append(
            Fault(
                method.lower() if method else None,
                count,
                drop=True,
                after_processing=after_processing,
            )
        )

    def stall(self, count: int = 1, method: str | None = None, *, seconds: float = 30.0) -> None:
        """Hold the next ``count`` matching calls for ``seconds`` before running them.

        A client whose timeout is shorter gives up, yet the call then takes effect as Telegram's
        would: a timed-out send may well have been delivered.
        """
        self._faults.append(
            Fault(method.lower() if method else None, count, stall=max(0.0, seconds))
        )

    def set_latency(self, seconds: float, method: str | None = None) -> None:
        """Delay every matching call by ``seconds`` (0 removes the delay)."""
        key = method.lower() if method else None
        if seconds > 0:
            self._latency[key] = seconds
        else:
            self._latency.pop(key, None)

    def clear_faults(self) -> None:
        """Forget pending injected errors, drops and latencies."""
        self._faults.clear()
        self._latency.clear()

    def _take_fault(self, method: str) -> Fault | None:
        for fault in self._faults:
            if fault.matches(method):
                fault.remaining -= 1
                if fault.remaining <= 0:
                    self._faults.remove(fault)
                return fault
        return None

    def _latency_for(self, method: str) -> float:
        if method in self._latency:
            return self._latency[method]
        if method == "getupdates":
            return 0.0
        return self._latency.get(None, 0.0)
