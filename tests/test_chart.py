"""The digest's chart: a valid PNG of sensible size, Chinese labels in a CJK font (or a legend
when there is none), grouping, folding, colours, and no matplotlib state left behind."""

from __future__ import annotations

import gc
import io
import logging
import struct
import subprocess
import sys
import warnings
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import matplotlib
import numpy as np
import pytest
from matplotlib._pylab_helpers import Gcf
from matplotlib.figure import Figure
from matplotlib.font_manager import fontManager
from matplotlib.ft2font import FT2Font
from matplotlib.image import imread

from plans.documents.sources import parse_file
from plans.followup.status import ItemRecord, Snapshot, build_snapshot
from plans.model import Item, Plan, Report, UnitRef
from render.chart import (
    CJK_FAMILIES,
    COLOURS,
    Chart,
    find_cjk_font,
    group_bars,
    pace_points,
    progress_chart,
)

TZ = ZoneInfo("Asia/Shanghai")
SEED_000 = Path(__file__).resolve().parent / "data" / "seeds" / "000_0585e7f56649ebe7.txt"
TODAY = date(2023, 6, 30)  # 序时进度 180/364 = 49.5%
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def png_chunks(data: bytes) -> list[tuple[bytes, bytes]]:
    assert data[:8] == PNG_SIGNATURE
    chunks, at = [], 8
    while at < len(data):
        (length,) = struct.unpack(">I", data[at : at + 4])
        kind = data[at + 4 : at + 8]
        chunks.append((kind, data[at + 8 : at + 8 + length]))
        at += 12 + length
    assert at == len(data)
    return chunks


def png_size(data: bytes) -> tuple[int, int]:
    kind, body = png_chunks(data)[0]
    assert kind == b"IHDR"
    width, height = struct.unpack(">II", body[:8])
    return width, height


def pixels_of(data: bytes, colour: str) -> int:
    """How many pixels of the PNG are exactly `colour` ("#rrggbb")."""
    image = (imread(io.BytesIO(data))[:, :, :3] * 255).round().astype(np.uint8)
    rgb = tuple(int(colour[k : k + 2], 16) for k in (1, 3, 5))
    return int(np.all(image == np.array(rgb, dtype=np.uint8), axis=2).sum())


@pytest.fixture(scope="module")
def plan() -> Plan:
    return parse_file(SEED_000).plan


@pytest.fixture(scope="module")
def snap(plan: Plan) -> Snapshot:
    records = [ItemRecord(100 + i.seq, 1, str(i.seq), i, date(plan.year, 1, 1)) for i in plan.items]
    reports = [
        Report(
            id=k,
            item_id=100 + item.seq,
            unit_id=1,
            status=("in_progress", "done", "blocked")[k % 3],
            percent=float(20 + 7 * k % 80),
            text="",
            created_at=datetime(2023, 6, 1 + k % 25, 9, tzinfo=TZ),
            unit_name=item.lead_units[0],
        )
        for k, item in enumerate(plan.items)
        if k % 2 == 0
    ]
    return build_snapshot(records, reports, today=TODAY, tz=TZ)


def synthetic(percents: list[float | None], *, per_unit: int = 1) -> Snapshot:
    """Unit k has `per_unit` items, each reported at percents[k] (None: not reported)."""
    records, reports = [], []
    for k, percent in enumerate(percents):
        unit = f"第{k + 1}单位"
        for _ in range(per_unit):
            seq = len(records) + 1
            item = Item(
                seq=seq,
                number=f"{seq}.",
                path=(f"{seq}.",),
                kind="task",
                title=f"任务{seq}",
                text=f"任务{seq}。",
                units=(UnitRef(unit),),
                deadline=date(2023, 12, 31),
            )
            records.append(ItemRecord(seq, 1, str(seq), item, date(2023, 1, 1)))
            if percent is not None:
                at = datetime(2023, 6, 20, tzinfo=TZ)
                reports.append(Report(seq, seq, k, "in_progress", percent, "", at, unit_name=unit))
    return build_snapshot(records, reports, today=TODAY, tz=TZ)


# ---------------------------------------------------------------------------- the font


def test_a_cjk_font_is_found_and_has_the_glyphs() -> None:
    font = find_cjk_font()
    assert font is not None and font.is_file()
    ft = FT2Font(str(font))
    assert all(ft.get_char_index(ord(c)) for c in "督办局高新处进度")
    assert find_cjk_font() is font  # cached
    system = [
        e for e in fontManager.ttflist if any(f.lower() in e.name.lower() for f in CJK_FAMILIES)
    ]
    if not system:  # here: the pip package's Noto Sans CJK
        assert font.parent.name == "cvttf_NotoSansCJK_Regular" and font.suffix == ".otf"


def test_chinese_labels_are_drawn_with_the_cjk_font(snap: Snapshot, plan: Plan) -> None:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        chart = progress_chart(snap, title=plan.title)
    assert chart.font == find_cjk_font() and chart.legend is None
    assert not [w for w in caught if "missing from font" in str(w.message)]


def test_a_font_without_cjk_glyphs_would_draw_boxes(snap: Snapshot) -> None:
    # the check above means something: DejaVu Sans has no 督, and matplotlib says so
    dejavu = Path(matplotlib.get_data_path()) / "fonts" / "ttf" / "DejaVuSans.ttf"
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        progress_chart(snap, font=dejavu)
    assert [w for w in caught if "missing from font" in str(w.message)]


# ---------------------------------------------------------------------------- the PNG


def test_a_valid_png_of_sensible_size(snap: Snapshot, plan: Plan) -> None:
    chart = progress_chart(snap, title=plan.title)
    assert isinstance(chart, Chart)
    width, height = png_size(chart.png)
    n = len(chart.bars)
    assert {b.label for b in chart.bars} == {u for s in snap.items for u in s.item.lead_units}
    assert width == 1200  # 8 in at 150 dpi
    assert abs(height - round((0.35 * n + 1.6 + 0.2) * 150)) <= 1
    assert 30_000 <= len(chart.png) <= 400_000
    kinds = {kind for kind, _ in png_chunks(chart.png)}
    assert kinds <= {b"IHDR", b"pHYs", b"IDAT", b"IEND"}  # no tIME, no Software text


def test_the_png_is_deterministic(snap: Snapshot) -> None:
    assert progress_chart(snap).png == progress_chart(snap).png


def test_bars_are_coloured_by_the_worst_light() -> None:
    # unit 1: a green item and the same item unreported (red) → red; unit 2: green
    snap = synthetic([60.0, 60.0], per_unit=2)
    unreported = build_snapshot([snap.items[0].record], [], today=TODAY, tz=TZ).items[0]
    snap = Snapshot(today=TODAY, items=(snap.items[0], unreported, *snap.items[2:]))
    bars = group_bars(snap)
    assert [(b.label, b.light, b.count, b.mean) for b in bars] == [
        ("第1单位", "red", 2, 30.0),
        ("第2单位", "green", 2, 60.0),
    ]
    png = progress_chart(snap).png
    red, green = pixels_of(png, COLOURS["red"]), pixels_of(png, COLOURS["green"])
    assert red > 5000 and green > 10000  # whole bars, not only the legend's swatches


def test_only_green_bars_draw_no_red(snap: Snapshot) -> None:
    png = progress_chart(synthetic([70.0, 80.0, 90.0])).png
    assert pixels_of(png, COLOURS["green"]) > 20 * pixels_of(png, COLOURS["red"])


def test_pace_is_the_elapsed_share_of_the_plan_year(snap: Snapshot) -> None:
    assert pace_points(snap) == pytest.approx(180 / 364 * 100)
    assert progress_chart(snap).pace == pytest.approx(49.45, abs=0.01)
    assert pace_points(Snapshot(today=date(2024, 3, 1), items=snap.items)) == 100.0


# ---------------------------------------------------------------------------- grouping


def test_units_are_ordered_exceptions_first() -> None:
    bars = group_bars(synthetic([90.0, 10.0, 30.0, None, 50.0]))
    assert [(b.label, b.light) for b in bars] == [
        ("第4单位", "red"),  # 0: no report
        ("第2单位", "red"),
        ("第3单位", "yellow"),
        ("第5单位", "green"),
        ("第1单位", "green"),
    ]


def test_grouping_by_section(snap: Snapshot, plan: Plan) -> None:
    chart = progress_chart(snap, by="section", section_titles={"一、": "党建引领"})
    labels = [b.label for b in chart.bars]
    assert labels == [
        "一、党建引领",
        "二、",
        "三、",
        "四、",
        "五、",
        "六、",
        "七、",
        "八、",
        "九、",
    ]
    assert sum(b.count for b in chart.bars) == len(plan.items)
    assert png_size(chart.png)[0] == 1200


def test_more_than_25_units_are_folded_into_other() -> None:
    percents = [float(3 * k) for k in range(30)]
    chart = progress_chart(synthetic(percents))
    assert len(chart.bars) == 25
    other = chart.bars[-1]
    assert other.label == "其他(6个)" and other.count == 6
    # the folded units are the six best: 72 … 87%
    assert other.mean == pytest.approx(sum(percents[-6:]) / 6) and other.light == "green"
    assert chart.bars[0].label == "第1单位"
    assert 30_000 <= len(chart.png) <= 400_000
    assert png_size(chart.png)[1] == round((0.35 * 25 + 1.6) * 150)


def test_without_a_cjk_font_one_warning_and_a_legend(
    snap: Snapshot, plan: Plan, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        chart = progress_chart(snap, title=plan.title, font=None)
    assert [r.getMessage()[:18] for r in caplog.records] == ["no CJK font found:"]
    assert "fonts-noto-cjk" in caplog.records[0].getMessage()
    assert not [w for w in caught if "missing from font" in str(w.message)]  # no boxes
    assert chart.font is None and chart.legend is not None
    assert chart.legend == [f"#{k} {b.label}" for k, b in enumerate(chart.bars, start=1)]
    assert chart.legend[0].startswith("#1 局")
    assert png_size(chart.png)[0] == 1200 and len(chart.png) > 10_000


def test_the_fallback_legend_is_chinese_and_folds_too(caplog: pytest.LogCaptureFixture) -> None:
    chart = progress_chart(synthetic([float(3 * k) for k in range(30)]), font=None)
    assert chart.legend is not None and len(chart.legend) == 25
    assert chart.legend[0] == "#1 第1单位" and chart.legend[-1] == "#25 其他(6个)"
    assert len([r for r in caplog.records if r.levelno >= logging.WARNING]) == 1


def test_an_empty_snapshot_still_draws() -> None:
    chart = progress_chart(Snapshot(today=TODAY, items=()), title="空计划")
    assert chart.bars == ()
    width, height = png_size(chart.png)
    assert width == 1200 and height > 200


# ---------------------------------------------------------------------------- no state left


def test_no_figures_left_open(snap: Snapshot) -> None:
    gc.collect()
    figures = sum(isinstance(o, Figure) for o in gc.get_objects())
    assert Gcf.get_num_fig_managers() == 0
    for by in ("unit", "section"):
        progress_chart(snap, by=by)  # type: ignore[arg-type]
    progress_chart(snap, font=None)
    assert Gcf.get_num_fig_managers() == 0
    gc.collect()
    assert sum(isinstance(o, Figure) for o in gc.get_objects()) == figures


def test_the_module_does_not_use_pyplot() -> None:
    code = "import sys, render.chart; sys.exit('matplotlib.pyplot' in sys.modules)"
    root = Path(__file__).resolve().parents[1]
    assert subprocess.run([sys.executable, "-c", code], cwd=root).returncode == 0
