"""A nudge pass under Bot API faults delivers every nudge: the small version of the pass in
bench/delivery_bench.py.

`run_nudge_pass`, as `duban send-due` runs it (the real Bot of `build_application`, no
polling), sends 100 units' nudges to the Bot API sandbox with Telegram's flood limits while a
fault driver deals every block of 100 bot calls 5 answered 5xx, 1 stalled past the client's
timeout (then taking effect), 1 dropped after it took effect and a burst of four 429s.
"""

from __future__ import annotations

from pathlib import Path

from bench.delivery_bench import SERVER_ERRORS, Deck, run_pass


async def test_a_pass_under_faults_delivers_every_nudge(tmp_path: Path) -> None:
    # a 2-second Bot API timeout (DUBAN_API_TIMEOUT), so each stall lasts 3 s, not 6
    result = await run_pass(tmp_path, 100, Deck(), seed=3, api_timeout=2.0)
    print("\n" + "\n".join(result.lines()))
    assert result.problems == []
    # every contact has its nudge, and the database says so
    assert result.delivered == 100
    assert result.nudges_sent == 100 and not result.nudges_other
    # a second copy only where a send took effect without an answer the bot could see
    assert result.unexplained == 0
    assert result.duplicates <= result.explained
    assert result.passes <= 2
    # the faults did hit the sends
    s = result.statuses
    assert sum(s[c] for c in SERVER_ERRORS) >= 1 and s[429] >= 1
    assert result.dropped >= 1 and result.stalled >= 1
