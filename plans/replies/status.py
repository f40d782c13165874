"""The status a reply gives its item, and its percent, decided as a careful clerk would.

A false "done" is the worst mistake: it stops the chasing of an item that is not finished. So
done needs words that leave no doubt, and anything that casts doubt makes it in progress.

In this order:
1. A difficulty that stands (not negated, not solved) → blocked, whatever else is said.
2. Not-started words, and nothing says it started, progressed or finished → not started.
3. Done, when one of these holds and nothing below says otherwise:
   - a stated percent of 100 or more ("完成100%", "完成目标的120%");
   - a done word beyond doubt (全部完成, 已竣工, 超额完成), even beside an in-progress word —
     unless the reply names several items ("第3项已办结,第7项推进中": which is done?);
   - a plain done word (已完成, 完成了, 已办结, a reply opening with "完成") with no
     in-progress word beside it;
   - a value at or over the target ("已认定52家" against 50家) with no in-progress word.
   What says otherwise: a smaller percent, "almost" (基本完成), work left (剩余, 除…外, 未完成),
   a step done (已完成招标), a share of the work short of the target, a date still to come
   ("已完成立项,预计11月底全部完成").
4. In progress: an in-progress word, work left, "almost", a step, a share, a done word with
   doubt, a percent above 0 or a value short of the target.
5. A stated 0% → not started.
The percent: 100 when done; as stated, else the value's share of the target, else 90 for
"almost" with no figure; always within 0..100.
"""

from __future__ import annotations

from plans.model import Status
from plans.replies.cues import Cues
from plans.replies.dates import When
from plans.replies.values import Value

ALMOST_PERCENT = 90.0  # "基本完成", "快完成了" with no figure: nearly there, not there


def decide(
    cues: Cues,
    stated: float | None,
    value: Value | None,
    expected: When | None,
    *,
    several_items: bool = False,
) -> tuple[Status | None, float | None]:
    """The status and the percent a reply gives its item."""
    value_share = value.percent if value is not None else None
    partial = stated is not None and stated < 100
    reaches = (stated is not None and stated >= 100) or (
        stated is None and value_share is not None and value_share >= 100
    )
    # Something that casts doubt on a done word.
    doubt = bool(
        partial
        or cues.almost
        or cues.remaining
        or cues.steps
        or (cues.shares and not reaches)
        or expected is not None
    )
    working = bool(cues.in_progress)

    status: Status | None = None
    if cues.blocked:
        status = "blocked"
    elif cues.not_started and not (
        working or cues.almost or cues.steps or cues.shares or cues.any_done
    ):
        status = "not_started"
    elif stated is not None and stated >= 100:
        status = "done"  # "完成100%", "完成目标的120%"
    elif cues.done_strong and not doubt and not (several_items and working):
        status = "done"  # "已全部完成,正在整理台账": the paperwork after it doesn't undo it
    elif (cues.done or cues.done_lead) and not doubt and not working:
        status = "done"
    elif reaches and not doubt and not working:
        status = "done"  # "已认定52家" against 50家
    elif (
        working
        or cues.remaining
        or cues.almost
        or cues.steps
        or cues.shares
        or cues.any_done
        or (stated is not None and stated > 0)
        or (value_share is not None and value_share > 0)
    ):
        status = "in_progress"
    elif stated is not None:
        status = "not_started"  # "完成0%"

    percent = stated
    if percent is None and value_share is not None:
        percent = value_share
    if percent is None and cues.almost:
        percent = ALMOST_PERCENT
    if status == "done":
        percent = 100.0  # "已完成" is 100%, and "完成目标的120%" is done, not 120%
    elif percent is not None:
        percent = round(min(100.0, max(0.0, percent)), 1)
    return status, percent
