"""The reader over many hostile replies: tests/test_hostile_replies.py's reader check, at volume.

    python bench/hostile_bench.py [--examples N]   # default 10,000; `.ci/run` runs it

The same generated replies as the test (hypothesis with a fixed seed: emoji, RTL and
zero-width marks, control characters, 10 KB texts, HTML and SQL fragments, leading signs, item
references), read by `plans.replies.read_progress` with and without an item's targets. Every
reply is checked as in the test: the reader never fails inside, keeps the text exactly, reads a
percent only in 0..100, says when it read only the beginning. Prints what it made of them and
the time; exits 1 when a check fails.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # run from a checkout without `pip install -e .`
    sys.path.insert(0, str(ROOT))

from tests.test_hostile_replies import reader_figures, reader_run  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--examples", type=int, default=10_000, help="replies to read (default 10,000)")
    args = p.parse_args(argv)
    try:
        seen, elapsed = reader_run(args.examples)
    except AssertionError as e:
        print(f"FAILED: {e}")
        return 1
    print(reader_figures(seen, elapsed))
    per_ms = seen["tried"] / (elapsed * 1000) if elapsed else 0.0
    print(f"{per_ms:.1f} replies per ms, generation included")
    if seen["tried"] < args.examples * 0.95:
        print(f"FAILED: only {seen['tried']} of {args.examples} replies were generated")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
