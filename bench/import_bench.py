"""Import benchmark: parse the five seed plans and a synthetic 2,000-item plan, then store it.

    python bench/import_bench.py [--quick]

Prints, for the whole pipeline of `plans.documents.sources.parse_bytes` (decode, normalise, strip page
furniture, hierarchy, units, targets, deadlines): size, items, best-of-N time, items/s and MB/s
of UTF-8 plan text; the time ratio of a 2,000-item plan to a 200-item plan built the same way
(linear growth); the SQLite import of the 2,000-item plan (first import, unchanged re-import,
edited re-import); and the tracemalloc peak of parsing it. See bench/README.md.

Exit status: 0 when every result was right, even if a speed target was missed (marked MISSED);
1 when a parse or import gave a wrong result, because then the figures measure nothing.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import functools
import gc
import json
import os
import platform
import re
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # run from a checkout without `pip install -e .`
    sys.path.insert(0, str(ROOT))

import cn2an  # noqa: E402

from plans.documents.sources import ParsedFile, parse_bytes  # noqa: E402
from plans.model import Item, Plan  # noqa: E402
from plans.text import is_furniture, normalize  # noqa: E402
from storage import Database, ImportResult, import_plan  # noqa: E402

DATA = ROOT / "tests" / "data"
SEEDS = DATA / "seeds"
GOLD = DATA / "fixtures" / "seeds-gold.json"
BASE_SEED = "000_"  # the seed whose sections the synthetic plan repeats

MB = 1_000_000  # bytes; "MB/s" is 10^6 bytes of UTF-8 plan text per second
TARGET_MB_S = 1.0
BIG_ITEMS = 2_000
SMALL_ITEMS = 200
# Linear growth: 10x the input may take at most ~12x the time (1.2x the size ratio).
LINEAR_SLACK = 1.2
# Section headings are renumbered 一、二、… and start again at 一、 after this one. Real plans stop
# far below it; the parser reads labels of 1 to 4 numerals, so an unbroken run ends at 一百一十、
# (一百一十一、 has five) and a longer one would measure a plan the parser cannot read.
MAX_SECTION = 99

_SECTION_LINE = re.compile(r"^\s*([一二三四五六七八九十百零〇]+)、")
_ITEM_LINE = re.compile(r"^\s*[((][一二三四五六七八九十百零〇]+[))]")

T = TypeVar("T")


class WrongResult(Exception):
    """A parse or import gave a result the benchmark did not expect."""


# ---------------------------------------------------------------------------- timing


def best_of(fn: Callable[[], T], repeat: int) -> tuple[float, T]:
    """Best wall time of `repeat` calls after one untimed warm-up call, and the last result."""
    result = fn()
    best = float("inf")
    for _ in range(repeat):
        gc.collect()
        start = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - start)
    return best, result


def verdict(ok: bool) -> str:
    return "ok" if ok else "MISSED"


def rate(amount: float, seconds: float) -> float:
    return amount / seconds if seconds > 0 else float("inf")


def table(headers: list[str], rows: list[list[str]]) -> None:
    widths = [max(len(r[i]) for r in [headers, *rows]) for i in range(len(headers))]
    fmt = "  ".join(f"{{:<{w}}}" if i == 0 else f"{{:>{w}}}" for i, w in enumerate(widths))
    print("  " + fmt.format(*headers))
    print("  " + "  ".join("-" * w for w in widths))
    for row in rows:
        print("  " + fmt.format(*row))


def text_size(data: bytes) -> int:
    """Bytes of the plan text as UTF-8 (the seeds are UTF-8 already; GB18030 would differ)."""
    return len(_decoded(data).encode("utf-8"))


def _decoded(data: bytes) -> str:
    for enc in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(enc)
        except UnicodeDecodeError:
            continue
    return data.decode("utf-8", errors="replace")


# ---------------------------------------------------------------------------- the seeds


def bench_seeds(repeat: int) -> tuple[list[str], list[str]]:
    """Parse each seed; return (problems: wrong year or item count against the gold, misses)."""
    gold: dict[str, Any] = {}
    if GOLD.exists():
        gold = json.loads(GOLD.read_text("utf-8")).get("plans", {})
    problems: list[str] = []
    rows: list[list[str]] = []
    total_bytes = total_items = 0
    total_time = 0.0
    for path in sorted(SEEDS.glob("*.txt")):
        data = path.read_bytes()
        size = text_size(data)
        seconds, parsed = best_of(functools.partial(parse_bytes, data, name=path.name), repeat)
        items = len(parsed.plan.items)
        expected = gold.get(path.name)
        if expected is not None:
            if items != expected.get("item_count", items):
                problems.append(
                    f"{path.name}: {items} items, the gold says {expected['item_count']}"
                )
            if parsed.plan.year != expected.get("year", parsed.plan.year):
                problems.append(f"{path.name}: year {parsed.plan.year}, gold {expected['year']}")
        total_bytes += size
        total_items += items
        total_time += seconds
        rows.append(
            [
                path.name,
                f"{size / 1000:.1f}",
                str(items),
                f"{seconds * 1000:.2f}",
                f"{rate(items, seconds):,.0f}",
                f"{rate(size, seconds) / MB:.2f}",
            ]
        )
    rows.append(
        [
            "all five",
            f"{total_bytes / 1000:.1f}",
            str(total_items),
            f"{total_time * 1000:.2f}",
            f"{rate(total_items, total_time):,.0f}",
            f"{rate(total_bytes, total_time) / MB:.2f}",
        ]
    )
    print(f"1. Parse of the seeds (plans.documents.sources.parse_bytes, best of {repeat})")
    table(["seed", "kB", "items", "ms", "items/s", "MB/s"], rows)
    mb_s = rate(total_bytes, total_time) / MB
    print(
        f"  all five: {mb_s:.2f} MB/s, target >= {TARGET_MB_S:g} MB/s: {verdict(mb_s >= TARGET_MB_S)}"
    )
    misses = [] if mb_s >= TARGET_MB_S else [f"{mb_s:.2f} MB/s parsing the seeds"]
    return problems, misses


# ---------------------------------------------------------------------------- synthetic plan


@dataclass(frozen=True)
class SeedSection:
    """One 一、 section of the base seed: its raw lines and the items the seed parse gave it."""

    lines: tuple[str, ...]
    items: tuple[Item, ...]


@dataclass(frozen=True)
class Synthetic:
    """A synthetic plan document and the items a right parse must give, in order."""

    data: bytes
    expected: tuple[tuple[str, Item], ...]  # (section label, the seed item it repeats)
    sections: int


class SeedPlan:
    """The base seed cut into page header + title, preamble, 一、 sections and page footer."""

    def __init__(self, path: Path) -> None:
        self.name = path.name
        raw = path.read_bytes()
        self.plan: Plan = parse_bytes(raw, name=path.name).plan
        lines = _decoded(raw).replace("\r\n", "\n").split("\n")
        titles = [i for i, line in enumerate(lines) if normalize(line).strip() == self.plan.title]
        if not titles:
            raise WrongResult(f"{self.name}: the title line {self.plan.title!r} is not in the text")
        body_at = titles[-1] + 1
        starts = [i for i in range(body_at, len(lines)) if _SECTION_LINE.match(lines[i])]
        if not starts:
            raise WrongResult(f"{self.name}: no 一、 sections to repeat")
        self.head = lines[:body_at]
        self.preamble = lines[body_at : starts[0]]
        chunks = [lines[a:b] for a, b in zip(starts, [*starts[1:], len(lines)], strict=True)]
        # Page furniture after the last item ("扫一扫在手机打开当前页") closes the document once.
        last = chunks[-1]
        cut = len(last)
        while cut > 0 and (
            not last[cut - 1].strip() or is_furniture(normalize(last[cut - 1]).strip())
        ):
            cut -= 1
        self.foot = last[cut:]
        chunks[-1] = last[:cut]

        by_section: dict[str, list[Item]] = {}
        for item in self.plan.items:
            by_section.setdefault(item.path[0], []).append(item)
        labels = [_section_label(chunk[0]) for chunk in chunks]
        if labels != list(by_section):
            raise WrongResult(
                f"{self.name}: sections in the text {labels} differ from the parse {list(by_section)}"
            )
        self.sections: list[SeedSection] = []
        for label, chunk in zip(labels, chunks, strict=True):
            items = by_section[label]
            lines_with_items = sum(1 for line in chunk if _ITEM_LINE.match(line))
            if lines_with_items != len(items):
                raise WrongResult(
                    f"{self.name}: section {label} has {lines_with_items} item lines "
                    f"but parses into {len(items)} items"
                )
            self.sections.append(SeedSection(tuple(chunk), tuple(items)))

    def build(self, min_items: int, *, edit_item: int | None = None) -> Synthetic:
        """Repeat the seed's sections, renumbered 一、二、…, until there are >= min_items items.

        With `edit_item` (0-based), that item's text gets one more sentence (after its first,
        so its title stays): the "edited plan" of the re-import benchmark.
        """
        out = [*self.head, *self.preamble]
        expected: list[tuple[str, Item]] = []
        k = 0
        while len(expected) < min_items:
            section = self.sections[k % len(self.sections)]
            label = cn2an.an2cn(k % MAX_SECTION + 1) + "、"
            heading, *rest = section.lines
            out.append(_SECTION_LINE.sub(label, heading, count=1))
            n = 0
            for line in rest:
                if _ITEM_LINE.match(line):
                    if edit_item is not None and len(expected) + n == edit_item:
                        line = line.replace("。", "。同步加强督查调度。", 1)
                    n += 1
                out.append(line)
            expected.extend((label, item) for item in section.items)
            k += 1
        out.extend(self.foot)
        return Synthetic("\n".join(out).encode("utf-8"), tuple(expected), k)


def _section_label(line: str) -> str:
    m = _SECTION_LINE.match(line)
    assert m is not None  # chunks start at lines that matched
    return m.group(1) + "、"


def check_synthetic(parsed: Plan, synthetic: Synthetic, base: Plan) -> None:
    """Raise WrongResult unless every item is its seed item again, under its renumbered section."""
    problems: list[str] = []
    if (parsed.title, parsed.year) != (base.title, base.year):
        problems.append(f"title/year {parsed.title!r} {parsed.year}, expected {base.title!r}")
    if len(parsed.items) != len(synthetic.expected):
        problems.append(f"{len(parsed.items)} items, expected {len(synthetic.expected)}")
    if len(parsed.sections) != synthetic.sections:
        problems.append(f"{len(parsed.sections)} sections, expected {synthetic.sections}")
    for got, (label, seed_item) in zip(parsed.items, synthetic.expected, strict=False):
        want = dataclasses.replace(seed_item, seq=got.seq, path=(label, *seed_item.path[1:]))
        if got != want:
            fields = [
                f.name
                for f in dataclasses.fields(Item)
                if getattr(got, f.name) != getattr(want, f.name)
            ]
            problems.append(
                f"item {got.seq} {got.path}: {', '.join(fields)} differ from seed item "
                f"{seed_item.seq} {seed_item.number} (got {got.title[:20]!r}…)"
            )
        if len(problems) >= 6:
            break
    if problems:
        raise WrongResult("the synthetic plan parsed wrongly:\n    " + "\n    ".join(problems))


def bench_synthetic(seed: SeedPlan, repeat: int) -> tuple[Synthetic, ParsedFile, float, list[str]]:
    """Parse the 200- and 2,000-item plans; return the big one, its parse and time, and misses."""
    misses: list[str] = []
    results: dict[int, tuple[Synthetic, ParsedFile, float]] = {}
    for n in (SMALL_ITEMS, BIG_ITEMS):
        synthetic = seed.build(n)
        seconds, parsed = best_of(
            functools.partial(parse_bytes, synthetic.data, name="synthetic.txt"), repeat
        )
        check_synthetic(parsed.plan, synthetic, seed.plan)
        results[n] = (synthetic, parsed, seconds)

    print(
        f"\n2. Parse of synthetic plans: {seed.name}'s sections repeated, headings renumbered "
        f"(best of {repeat})"
    )
    rows = []
    for n in (SMALL_ITEMS, BIG_ITEMS):
        synthetic, parsed, seconds = results[n]
        size = len(synthetic.data)
        items = len(parsed.plan.items)
        rows.append(
            [
                f"{n:,}-item plan",
                f"{size / 1000:,.1f}",
                str(synthetic.sections),
                f"{items:,}",
                f"{seconds * 1000:,.1f}",
                f"{rate(items, seconds):,.0f}",
                f"{rate(size, seconds) / MB:.2f}",
                f"{seconds / items * 1e6:,.0f}",
            ]
        )
    table(["plan", "kB", "sections", "items", "ms", "items/s", "MB/s", "us/item"], rows)
    print("  every item parsed as its seed item again (title, text, units, targets, deadline)")

    small, big = results[SMALL_ITEMS], results[BIG_ITEMS]
    size_ratio = len(big[0].data) / len(small[0].data)
    time_ratio = big[2] / small[2]
    linear = time_ratio <= LINEAR_SLACK * size_ratio
    print(
        f"  growth: input x{size_ratio:.2f} (bytes), time x{time_ratio:.2f}"
        f" -> {'linear' if linear else 'NOT linear'} (limit x{LINEAR_SLACK * size_ratio:.1f}):"
        f" {verdict(linear)}"
    )
    if not linear:
        misses.append(f"time grows x{time_ratio:.2f} for x{size_ratio:.2f} the input")
    mb_s = rate(len(big[0].data), big[2]) / MB
    print(
        f"  {BIG_ITEMS:,}-item plan: {mb_s:.2f} MB/s, target >= {TARGET_MB_S:g} MB/s:"
        f" {verdict(mb_s >= TARGET_MB_S)}"
    )
    if mb_s < TARGET_MB_S:
        misses.append(f"{mb_s:.2f} MB/s parsing the {BIG_ITEMS:,}-item plan")
    return big[0], big[1], big[2], misses


# ---------------------------------------------------------------------------- storage


@dataclass
class ImportTimes:
    first: float = float("inf")
    unchanged: float = float("inf")
    edited: float = float("inf")


async def _import_round(
    db_path: Path, plan: ParsedFile, edited: ParsedFile
) -> tuple[tuple[float, float, float], tuple[ImportResult, ImportResult, ImportResult]]:
    """Into a fresh database: import, re-import the same plan, import the edited plan."""
    db = await Database.open(db_path)
    try:
        times: list[float] = []
        results: list[ImportResult] = []
        for parsed in (plan, plan, edited):
            gc.collect()
            start = time.perf_counter()
            result = await import_plan(
                db,
                parsed.plan,
                source_name=parsed.source_name,
                content_hash=parsed.content_hash,
            )
            times.append(time.perf_counter() - start)
            results.append(result)
    finally:
        await db.close()
    return (times[0], times[1], times[2]), (results[0], results[1], results[2])


def check_imports(results: tuple[ImportResult, ImportResult, ImportResult], n: int) -> None:
    first, again, edited = results
    problems = []
    if not (first.created and first.items_added == n):
        problems.append(f"first import: {first}")
    if not (again.unchanged and again.items_unchanged == n):
        problems.append(f"unchanged re-import: {again}")
    if not (
        edited.items_updated == 1
        and edited.items_unchanged == n - 1
        and edited.items_added == 0
        and edited.items_removed == 0
    ):
        problems.append(f"edited re-import (one item changed): {edited}")
    if problems:
        raise WrongResult("the import gave a wrong result:\n    " + "\n    ".join(problems))


def bench_import(seed: SeedPlan, parsed: ParsedFile, synthetic: Synthetic, repeat: int) -> None:
    n = len(parsed.plan.items)
    edited_doc = seed.build(BIG_ITEMS, edit_item=n // 2)
    edited = parse_bytes(edited_doc.data, name="synthetic.txt")
    if edited.content_hash == parsed.content_hash:
        raise WrongResult("the edited plan is the same document as the original")
    best = ImportTimes()
    with tempfile.TemporaryDirectory(prefix="duban-bench-") as tmp:
        for round_ in range(repeat + 1):  # round 0 is the warm-up
            times, results = asyncio.run(
                _import_round(Path(tmp) / f"bench-{round_}.sqlite", parsed, edited)
            )
            check_imports(results, n)
            if round_ == 0:
                continue
            best.first = min(best.first, times[0])
            best.unchanged = min(best.unchanged, times[1])
            best.edited = min(best.edited, times[2])
    print(
        f"\n3. Import of the {n:,}-item plan into a fresh SQLite file "
        f"(storage.import_plan, best of {repeat}; parse not included)"
    )
    table(
        ["import", "ms", "items/s"],
        [
            ["first import (all new)", f"{best.first * 1000:,.1f}", f"{rate(n, best.first):,.0f}"],
            [
                "re-import, unchanged (fast path)",
                f"{best.unchanged * 1000:,.1f}",
                f"{rate(n, best.unchanged):,.0f}",
            ],
            [
                "re-import, one item edited (matching)",
                f"{best.edited * 1000:,.1f}",
                f"{rate(n, best.edited):,.0f}",
            ],
        ],
    )


# ---------------------------------------------------------------------------- memory


def bench_memory(synthetic: Synthetic) -> None:
    gc.collect()
    tracemalloc.start()
    try:
        parsed = parse_bytes(synthetic.data, name="synthetic.txt")
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    size = len(synthetic.data)
    print(f"\n4. Peak memory of parsing the {len(parsed.plan.items):,}-item plan (tracemalloc)")
    print(
        f"  peak {peak / MB:.1f} MB for {size / MB:.2f} MB of input ({peak / size:.1f}x the input)"
    )


# ---------------------------------------------------------------------------- main


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description="duban import benchmark")
    p.add_argument("--quick", action="store_true", help="best of 2 instead of 5")
    args = p.parse_args(argv)
    repeat = 2 if args.quick else 5
    started = time.perf_counter()

    print("duban import benchmark")
    print(f"  Python {platform.python_version()} ({platform.python_implementation()})")
    print(f"  {platform.platform()}, {platform.machine()}, {_cpus()} CPUs")
    print(f"  seeds: {SEEDS}")
    print()
    if not SEEDS.is_dir() or not any(SEEDS.glob(f"{BASE_SEED}*.txt")):
        print(f"import_bench: no seeds in {SEEDS}", file=sys.stderr)
        return 1

    try:
        problems, misses = bench_seeds(repeat)
        if problems:
            raise WrongResult("a seed parsed wrongly:\n    " + "\n    ".join(problems))
        seed = SeedPlan(next(SEEDS.glob(f"{BASE_SEED}*.txt")))
        synthetic, parsed, _, synth_misses = bench_synthetic(seed, repeat)
        misses += synth_misses
        bench_import(seed, parsed, synthetic, repeat)
        bench_memory(synthetic)
    except WrongResult as e:
        print(f"\nWRONG RESULT: {e}", file=sys.stderr)
        return 1

    print(f"\ntotal run time {time.perf_counter() - started:.1f} s")
    if misses:
        print("MISSED: " + "; ".join(misses))
    else:
        print("all targets met")
    return 0


def _cpus() -> str:
    return str(os.cpu_count() or "?")


if __name__ == "__main__":
    raise SystemExit(main())
