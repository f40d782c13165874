"""`duban run` stops promptly on SIGTERM, even while the Bot API is down."""

from __future__ import annotations

import asyncio
import signal
import time
from pathlib import Path

from sandbox import BotApiSandbox
from tests.test_run import env_for, import_sample, start_run

RETRY_AFTER = 8  # seconds the Bot API tells the bot to wait before its next getUpdates
STOP_BOUND = 3.0  # seconds from SIGTERM to the process's end


async def test_sigterm_during_the_polling_pause_stops_promptly(tmp_path: Path) -> None:
    """After a failed getUpdates PTB's polling loop sleeps before trying again: half as long
    again after each failure in a row (up to 30 s), or as long as a 429 says. SIGTERM must not
    wait for that sleep to end. Here the first getUpdates is told to wait 8 s and every later
    one meets a 502 (the API is down); SIGTERM comes early in the pause, which has more than
    twice the stop's bound left. (Failures in a row lead to the same sleep, but slowly: the
    pause after the 4th, 3.4 s, holds the first scheduled pass, 5 s after start-up, which a
    stop then waits for; the 5th comes after 8 s of pauses.)"""
    token = "777000:RUN-secret_token_value"
    async with BotApiSandbox(token=token, private_chat_limit=None) as sb:
        env = env_for(tmp_path, sb.root, DUBAN_SCHEDULER="on")
        await import_sample(env)
        sb.inject("getUpdates", status=429, retry_after=RETRY_AFTER)
        sb.inject("getUpdates", status=502, count=10_000)

        def failed_polls() -> list[float]:
            return [c.at for c in sb.calls_to("getUpdates") if c.status != 200]

        proc = await start_run(env, tmp_path)
        try:
            (told,) = await sb.wait_for(failed_polls, timeout=30, what="the 429")
            await asyncio.sleep(0.2)  # well into the pause
            proc.send_signal(signal.SIGTERM)
            signalled, signalled_at = time.perf_counter(), time.time()
            _, err = await asyncio.wait_for(proc.communicate(), timeout=40)
            stopped_after = time.perf_counter() - signalled
        finally:
            if proc.returncode is None:
                proc.kill()
                await proc.wait()
    pause_left = told + RETRY_AFTER - signalled_at  # PTB waits half a second more
    print(
        f"\nSIGTERM {pause_left:.2f} s before the end of the polling pause:"
        f" stopped after {stopped_after:.2f} s"
    )
    assert proc.returncode == 0, err.decode()
    assert pause_left >= 2 * STOP_BOUND  # sitting the pause out could not pass
    assert stopped_after < STOP_BOUND
    # no poll after the pause; at most the last getUpdates, which confirms what was fetched
    polls = [c.status for c in sb.calls_to("getUpdates")]
    assert polls in ([429], [429, 502]), polls
