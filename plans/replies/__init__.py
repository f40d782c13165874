"""Progress replies (进展反馈) read into what duban records: status, percent, value, expected date.

Contacts answer a nudge in a few words of Chinese ("完成60%,已净增高企320家,预计11月底完成",
"有困难:资金未到位", "4 已完成", "收到") or simple English ("60% done, expect end of Nov",
"blocked: waiting for funds"). `read_progress` turns such a reply into a `ProgressReading`;
`describe` renders the one line the bot sends back so the contact can correct what was understood.

A false "done" is the worst mistake a reader can make — it silences the chasing of an item that is
not finished — so done needs words that leave no doubt ("已完成", "全部完成", "100%", a value at
the target) and anything that casts doubt ("基本完成", "已完成招标", "未完成", a date still to come)
makes the reply in progress. `tests/data/replies/replies.jsonl` holds replies labelled by hand;
the reader must keep reading them as labelled.

The reader never alters what is stored: `ProgressReading.text` is the reply as sent. What it
could not take at face value it says, for the handler to act on: `acknowledgement` (record nothing,
answer with a hint), `several_items` (ask which item), `cut` (say only the beginning was read),
and a negative percent ("-30%": no percent recorded).

One rule, one module, each with its rules in its docstring:
`cleaning` what is read (invisible characters, full-width forms, typos, clauses) · `refs` item
references · `acks` acknowledgements · `frames` negation, plan-speak, "almost" · `steps` a step
of the work vs the whole · `cues` status words · `status` the status and percent · `blockers` the
difficulty kept · `percents` stated percents · `values` numbers against targets · `dates` the
expected date · `describe` the confirmation line · `reader` the whole reading.

Pure domain code: no Telegram, no SQL, no I/O; it never raises on any input.
"""

from __future__ import annotations

from plans.model import Status
from plans.replies.describe import describe
from plans.replies.reader import read_progress
from plans.replies.reading import TEXT_LIMIT, Doubt, ProgressReading

__all__ = ["TEXT_LIMIT", "Doubt", "ProgressReading", "Status", "describe", "read_progress"]
