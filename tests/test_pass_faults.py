"""A nudge pass under Bot API faults delivers every nudge: the small version of the pass in
bench/delivery_bench.py.

`run_nudge_pass`, as `duban send-due` runs it (the real Bot of `build_application`, no
polling), sends 50 units' nudges to the Bot API sandbox with Telegram's flood limits (30 a
second: the pass takes at least 1.7 s) while a fault driver deals every block of 50 bot calls 3
answered 5xx, 1 stalled past the client's timeout (then taking effect), 1 dropped after it took
effect and a burst of four 429s. The bench runs 1,000 units under blocks of 100.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from bench.delivery_bench import SERVER_ERRORS, Deck, run_pass


# conftest: a 5xx or a timed-out send is tried again after 10 ms, not half a second or more;
# a 429's retry_after is still waited for
@pytest.mark.usefixtures("retries_unpaused")
async def test_a_pass_under_faults_delivers_every_nudge(tmp_path: Path) -> None:
    # a 1-second Bot API timeout (DUBAN_API_TIMEOUT), so each stall lasts 2 s, not 6: the
    # sandbox is on loopback, where an answer takes milliseconds
    deck = Deck(block=50, errors=3, stalls=1, drops=1, bursts=1, burst_size=4)
    result = await run_pass(tmp_path, 50, deck, seed=3, api_timeout=1.0)
    print("\n" + "\n".join(result.lines()))
    assert result.problems == []
    # every contact has its nudge, and the database says so
    assert result.delivered == 50
    assert result.nudges_sent == 50 and not result.nudges_other
    # a second copy only where a send took effect without an answer the bot could see
    assert result.unexplained == 0
    assert result.duplicates <= result.explained
    assert result.passes <= 2
    # the faults did hit the sends
    s = result.statuses
    assert sum(s[c] for c in SERVER_ERRORS) >= 1 and s[429] >= 1
    assert result.dropped >= 1 and result.stalled >= 1
