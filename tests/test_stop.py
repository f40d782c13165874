"""`duban run` stops promptly on SIGTERM, even while the Bot API is down."""

from __future__ import annotations

import asyncio
import signal
import time
from pathlib import Path

from sandbox import BotApiSandbox
from tests.test_run import env_for, import_sample, start_run


async def test_sigterm_after_an_outage_stops_promptly(tmp_path: Path) -> None:
    """The Bot API fails every getUpdates for a while; PTB's polling loop then sleeps between
    tries, up to 30 s. SIGTERM must not wait for that sleep to end."""
    token = "777000:RUN-secret_token_value"
    async with BotApiSandbox(token=token, private_chat_limit=None) as sb:
        env = env_for(tmp_path, sb.root, DUBAN_SCHEDULER="on")
        await import_sample(env)
        sb.inject("getUpdates", status=502, count=10_000)  # down from the first poll on

        def failed_polls() -> int:
            return sum(c.status == 502 for c in sb.calls_to("getUpdates"))

        proc = await start_run(env, tmp_path)
        try:
            # after the 5th failure PTB sleeps 1.5^4 ≈ 5.1 s before the next try
            await sb.wait_for(lambda: failed_polls() >= 5 or None, timeout=30, what="5 failures")
            await asyncio.sleep(0.2)  # well into that pause
            proc.send_signal(signal.SIGTERM)
            signalled = time.perf_counter()
            _, err = await asyncio.wait_for(proc.communicate(), timeout=40)
            stopped_after = time.perf_counter() - signalled
        finally:
            if proc.returncode is None:
                proc.kill()
                await proc.wait()
    print(f"\nSIGTERM during the polling back-off: stopped after {stopped_after:.2f} s")
    assert proc.returncode == 0, err.decode()
    assert stopped_after < 3.0  # it was the rest of a 5 s pause, and up to 30 s
