"""The figures a test shows -- counts, timings, a table -- and how they reach the terminal.

`with figures(): print(...)` (the `figures` fixture, tests/conftest.py) keeps what is printed
inside and records it as the test's "figures" property; conftest's pytest_terminal_summary
prints them after the run. Printed straight to the terminal (`capsys.disabled()`) they would be
lost when the suite runs in pytest-xdist workers, whose output goes nowhere.
"""

from __future__ import annotations

import contextlib
import io
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager

Figures = Callable[[], AbstractContextManager[None]]
PROPERTY = "figures"


def recorder(record: Callable[[str, object], None]) -> Figures:
    """A `figures()` that records what is printed inside it through `record` (pytest's
    `record_property`), even when the block fails."""

    @contextlib.contextmanager
    def figures() -> Iterator[None]:
        shown = io.StringIO()
        try:
            with contextlib.redirect_stdout(shown):
                yield
        finally:
            record(PROPERTY, shown.getvalue().strip("\n"))

    return figures


def report_figures(reports: list[tuple[str, list[tuple[str, object]]]]) -> list[str]:
    """The lines to show for these (node id, user properties) pairs."""
    lines: list[str] = []
    for nodeid, properties in reports:
        for name, text in properties:
            if name == PROPERTY and text:
                lines += [nodeid, *str(text).splitlines(), ""]
    return lines
