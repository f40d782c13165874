"""Run the sandbox standalone: ``python -m sandbox --port 8081 --token 123:ABC``.

Prints the root URL (for DUBAN_BOT_API_URL) and serves until interrupted. People are created
and driven through the ``/_sandbox/`` HTTP endpoints (see :mod:`sandbox.control`), or up front
with ``--user``.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import sys

from .limits import Limit
from .server import BotApiSandbox


def _limit(text: str) -> Limit | None:
    """``30/1`` = 30 per second, ``20/60`` = 20 per minute, ``off`` = no limit."""
    if text.lower() in ("off", "none", "0"):
        return None
    count, _, period = text.partition("/")
    return Limit(int(count), float(period or 1))


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m sandbox", description=__doc__.split("\n")[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8081, help="0 picks a free port")
    parser.add_argument("--token", default="123:ABC", help="the bot token to accept")
    parser.add_argument("--bot-username", default="duban_test_bot")
    parser.add_argument("--global-limit", type=_limit, default=Limit(30, 1), metavar="N/SECONDS")
    parser.add_argument("--private-limit", type=_limit, default=Limit(1, 1), metavar="N/SECONDS")
    parser.add_argument("--group-limit", type=_limit, default=Limit(20, 60), metavar="N/SECONDS")
    parser.add_argument("--no-limits", action="store_true", help="switch all flood limits off")
    parser.add_argument(
        "--user",
        action="append",
        default=[],
        metavar="ID:NAME",
        help="create a person up front (repeatable), e.g. --user 1001:张三",
    )
    parser.add_argument("-v", "--verbose", action="store_true")
    return parser


async def _serve(args: argparse.Namespace) -> None:
    sandbox = BotApiSandbox(
        args.token,
        host=args.host,
        port=args.port,
        bot_username=args.bot_username,
        global_limit=None if args.no_limits else args.global_limit,
        private_chat_limit=None if args.no_limits else args.private_limit,
        group_chat_limit=None if args.no_limits else args.group_limit,
    )
    for spec in args.user:
        user_id, _, name = spec.partition(":")
        sandbox.create_user(name or f"user{user_id}", user_id=int(user_id))
    async with sandbox:
        print(sandbox.root, flush=True)
        await asyncio.Event().wait()  # until Ctrl-C


def main(argv: list[str] | None = None) -> int:
    """Entry point."""
    args = _parser().parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(_serve(args))
    return 0


if __name__ == "__main__":
    sys.exit(main())
