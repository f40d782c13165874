"""Progress replies: the reader lives in `plans.replies`; this module keeps its public names.

`from plans.progress import ProgressReading, describe, read_progress` keeps working for callers
written before the reader became a package (handlers/reporting.py, tests/test_targets.py).
"""

from __future__ import annotations

from plans.replies import TEXT_LIMIT, Doubt, ProgressReading, Status, describe, read_progress

__all__ = ["TEXT_LIMIT", "Doubt", "ProgressReading", "Status", "describe", "read_progress"]
