"""The weekly digest's chart: mean progress per unit (or per section) as horizontal bars, each bar
coloured by the worst light among its items, with 序时进度 (the elapsed share of the plan year)
as a dashed reference line.

Drawn with matplotlib's object API on the Agg canvas — no pyplot, so nothing global, no display
and no figure left open in a long-running bot. Chinese labels need a CJK font (find_cjk_font);
without one the bars are labelled #1…#n in ASCII and the Chart carries the legend
("#1 局高新处") for the digest to print, instead of drawing boxes.
"""

from __future__ import annotations

import functools
import importlib.util
import io
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from plans.followup.lights import Light, elapsed_share
from plans.followup.status import ItemState, Snapshot

if TYPE_CHECKING:
    from matplotlib.artist import Artist

# matplotlib is imported where a chart is drawn or a font looked for, not with this module: it
# takes a third of a second, and most processes (the command line, a bot between digests) never
# draw.

log = logging.getLogger(__name__)

# Family names of fonts with CJK glyphs, best first; matched case-insensitively as substrings.
CJK_FAMILIES = (
    "Noto Sans CJK",
    "Noto Serif CJK",
    "Source Han Sans",
    "Source Han Serif",
    "WenQuanYi",
    "SimHei",
    "Microsoft YaHei",
    "PingFang",
    "Heiti",
)
# The pip package that ships a Noto Sans CJK .otf (a dependency, for hosts without system fonts).
FONT_PACKAGE = "cvttf_NotoSansCJK_Regular"
_PROBE = "督办"

COLOURS: dict[Light, str] = {"green": "#2e7d32", "yellow": "#f9a825", "red": "#c62828"}
_SEVERITY: dict[Light, int] = {"green": 0, "yellow": 1, "red": 2}
MAX_GROUPS = 25  # bars at most, "其他" included
_LABEL_CHARS = 14  # a longer unit name is cut with … on the axis (the legend keeps it whole)

# The chart's words: Chinese, and English (for DUBAN_LANGUAGE=en, and for a chart drawn without
# a CJK font, when nothing on the image may be outside ASCII).
WORDS_ZH = {
    "unit": "各单位平均进度",
    "section": "各板块平均进度",
    "as_of": "截至{month}月{day}日",
    "pace": "序时进度 {pace:.0f}%",
    "value": "{mean:.0f}%({count}项)",
    "other": "其他({groups}个)",
    "no_unit": "未分配单位",
    "no_section": "未分板块",
    "green": "正常",
    "yellow": "预警",
    "red": "滞后",
    "empty": "暂无事项",
    "axis": "平均进度(%)",
}
WORDS_EN = {
    "unit": "Mean progress by unit",
    "section": "Mean progress by section",
    "as_of": "as of {iso}",
    "pace": "time elapsed {pace:.0f}%",
    "value": "{mean:.0f}% ({count})",
    "other": "other ({groups})",
    "no_unit": "no unit",
    "no_section": "no section",
    "green": "on track",
    "yellow": "behind",
    "red": "late",
    "empty": "no items",
    "axis": "mean progress (%)",
}

_WIDTH_IN = 8.0
_BAR_IN = 0.35
_FRAME_IN = 1.6  # title, legend and the x axis
_DPI = 150
_STUB = 0.8  # points: the width drawn for a 0% bar


@dataclass(frozen=True)
class Bar:
    """One group on the chart: its label, how many items, their mean progress, the worst light."""

    label: str
    count: int
    mean: float
    light: Light


@dataclass(frozen=True)
class Chart:
    """The PNG and, when it was drawn without a CJK font, the legend its #n labels need."""

    png: bytes
    legend: list[str] | None
    bars: tuple[Bar, ...]
    pace: float  # 序时进度 in points, as drawn
    font: Path | None


@functools.cache
def find_cjk_font() -> Path | None:
    """A font file with CJK glyphs, or None: a system font matplotlib knows whose family is one
    of CJK_FAMILIES (in that order), else the .otf of the FONT_PACKAGE package. A candidate must
    really have glyphs for 督办. Cached for the process."""
    from matplotlib.font_manager import fontManager

    entries = fontManager.ttflist
    for family in CJK_FAMILIES:
        wanted = family.casefold()
        candidates = [e for e in entries if wanted in e.name.casefold()]
        # Regular upright Simplified Chinese first (Noto Sans CJK SC before JP/KR/TC).
        candidates.sort(
            key=lambda e: (
                e.style != "normal",
                abs(int(e.weight) - 400) if str(e.weight).isdigit() else 500,
                not e.name.endswith(" SC"),
                e.fname,
            )
        )
        for entry in candidates:
            path = Path(entry.fname)
            if _has_glyphs(path):
                return path
    for path in _package_fonts():
        if _has_glyphs(path):
            return path
    return None


def _package_fonts() -> list[Path]:
    spec = importlib.util.find_spec(FONT_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        return []
    found: list[Path] = []
    for location in spec.submodule_search_locations:
        found += sorted(
            p for p in Path(location).iterdir() if p.suffix.lower() in (".otf", ".ttf", ".ttc")
        )
    return found


def _has_glyphs(path: Path, text: str = _PROBE) -> bool:
    from matplotlib.ft2font import FT2Font

    try:
        font = FT2Font(str(path))
    except (OSError, RuntimeError, ValueError):
        return False
    return all(font.get_char_index(ord(c)) != 0 for c in text)


def progress_chart(
    snap: Snapshot,
    *,
    by: Literal["unit", "section"] = "unit",
    title: str = "",
    font: Path | Literal["auto"] | None = "auto",
    section_titles: Mapping[str, str] | None = None,
    max_groups: int = MAX_GROUPS,
    lang: str = "zh",
) -> Chart:
    """The digest's chart as a PNG: one bar per unit (items count for their lead units) or per
    top-level section, at most `max_groups` bars with the rest folded into one "其他" bar.

    `font` is a font file with CJK glyphs, "auto" to find one, or None to draw without one
    (ASCII labels #1…#n and a legend returned for the text). `section_titles` maps a section
    label ("一、") to its title for by="section". `lang` "en" draws the chart's own words in
    English (the plan's words, such as unit names, stay as they are).
    """
    cjk = find_cjk_font() if font == "auto" else font
    words = WORDS_ZH if cjk is not None and lang == "zh" else WORDS_EN
    if cjk is None:
        log.warning(
            "no CJK font found: install fonts-noto-cjk (apt) or the cvttf-notosanscjk-regular "
            "package; the chart labels its bars #1…#n and the digest prints the legend"
        )
    bars = group_bars(snap, by=by, section_titles=section_titles, max_groups=max_groups, lang=lang)
    pace = pace_points(snap)
    legend = [f"#{k} {b.label}" for k, b in enumerate(bars, start=1)] if cjk is None else None
    labels = (
        [f"#{k}" for k in range(1, len(bars) + 1)]
        if cjk is None
        else [_shorten(b.label) for b in bars]
    )
    png = _draw(
        bars,
        labels,
        pace=pace,
        heading=_heading(title, snap.today, by, words, ascii_only=cjk is None),
        words=words,
        font=cjk,
    )
    return Chart(png=png, legend=legend, bars=tuple(bars), pace=pace, font=cjk)


def pace_points(snap: Snapshot) -> float:
    """序时进度 of the plan year on snap.today, in points (the most common plan start's year)."""
    starts: dict[date, int] = {}
    for s in snap.items:
        starts[s.record.plan_start] = starts.get(s.record.plan_start, 0) + 1
    start = max(starts, key=lambda d: starts[d]) if starts else date(snap.today.year, 1, 1)
    return elapsed_share(start, date(start.year, 12, 31), snap.today) * 100.0


def group_bars(
    snap: Snapshot,
    *,
    by: Literal["unit", "section"] = "unit",
    section_titles: Mapping[str, str] | None = None,
    max_groups: int = MAX_GROUPS,
    lang: str = "zh",
) -> list[Bar]:
    """The bars, top to bottom. Units: worst light first, then lowest mean (exceptions first);
    sections: in plan order. Beyond max_groups the last groups fold into one bar.

    Labels are in `lang` even when the chart is drawn without a CJK font: they go to the legend
    the digest prints, and the image shows #n.
    """
    words = WORDS_EN if lang == "en" else WORDS_ZH
    max_groups = max(max_groups, 1)
    groups: dict[str, list[ItemState]] = {}
    several_plans = len({s.record.plan_id for s in snap.items}) > 1
    for s in snap.items:
        for key in _keys(s, by, words, section_titles or {}, several_plans):
            groups.setdefault(key, []).append(s)
    ordered = list(groups.items())
    if by == "unit":
        ordered.sort(key=lambda kv: (-_worst(kv[1]), _mean(kv[1]), -len(kv[1])))
    if len(ordered) > max_groups:
        keep, rest = ordered[: max_groups - 1], ordered[max_groups - 1 :]
        folded = list({id(s): s for _, states in rest for s in states}.values())
        ordered = [*keep, (words["other"].format(groups=len(rest)), folded)]
    return [
        Bar(
            label=label,
            count=len(states),
            mean=_mean(states),
            light=max((s.light for s in states), key=_SEVERITY.__getitem__),
        )
        for label, states in ordered
    ]


def _keys(
    s: ItemState,
    by: str,
    words: Mapping[str, str],
    section_titles: Mapping[str, str],
    several_plans: bool,
) -> list[str]:
    item = s.item
    if by == "unit":
        units = item.lead_units or tuple(u.name for u in item.units)
        return list(units) or [words["no_unit"]]
    if len(item.path) <= 1:  # the path is only the item's own number: no section
        return [words["no_section"]]
    label = item.path[0] + section_titles.get(item.path[0], "")
    if several_plans and "-" in s.record.ref:
        label = f"{s.record.ref.split('-', 1)[0]}-{label}"
    return [label]


def _mean(states: list[ItemState]) -> float:
    return sum(s.progress for s in states) / len(states) if states else 0.0


def _worst(states: list[ItemState]) -> int:
    return max((_SEVERITY[s.light] for s in states), default=0)


def _shorten(label: str) -> str:
    return label if len(label) <= _LABEL_CHARS else label[: _LABEL_CHARS - 1] + "…"


def _label_width(label: str) -> float:
    """A label's width in CJK character widths (ASCII counts as a little over half)."""
    return sum(1.0 if ord(c) > 0x2E80 else 0.6 for c in label)


def _heading(
    title: str, today: date, by: str, words: Mapping[str, str], *, ascii_only: bool
) -> str:
    as_of = words["as_of"].format(month=today.month, day=today.day, iso=today.isoformat())
    line = f"{words[by]} · {as_of}"
    if title and (title.isascii() or not ascii_only):
        return f"{title}\n{line}"
    return line


def _draw(
    bars: list[Bar],
    labels: list[str],
    *,
    pace: float,
    heading: str,
    words: Mapping[str, str],
    font: Path | None,
) -> bytes:
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.font_manager import FontProperties
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    n = max(len(bars), 1)
    height = _BAR_IN * n + _FRAME_IN + (0.2 if "\n" in heading else 0.0)
    fig = Figure(figsize=(_WIDTH_IN, height), dpi=_DPI)
    FigureCanvasAgg(fig)
    fp = FontProperties(fname=str(font)) if font else FontProperties(family="DejaVu Sans")
    small = fp.copy()
    small.set_size(8)
    try:
        # Fixed margins in inches, so bars keep their size whatever the number of groups.
        widest = max((_label_width(label) for label in labels), default=1.0)
        fig.subplots_adjust(
            left=min(0.2 + 0.135 * widest, 0.45 * _WIDTH_IN) / _WIDTH_IN,
            right=0.97,
            top=1 - (0.62 if "\n" in heading else 0.42) / height,
            bottom=0.85 / height,
        )
        ax = fig.add_subplot()
        fig.suptitle(heading, fontproperties=fp, fontsize=11, y=1 - 0.08 / height, va="top")
        ax.set_xlim(0, 118)
        ax.set_xticks([0, 20, 40, 60, 80, 100])
        ax.tick_params(axis="both", labelsize=8)
        ax.set_xlabel(words["axis"], fontproperties=small)
        ax.spines[["top", "right"]].set_visible(False)
        ax.grid(axis="x", color="#e0e0e0", linewidth=0.6)
        ax.set_axisbelow(True)
        if not bars:
            ax.set_ylim(-0.5, 0.5)
            ax.set_yticks([])
            ax.text(50, 0, words["empty"], ha="center", va="center", fontproperties=fp)
        else:
            ys = list(range(len(bars)))
            ax.barh(
                ys,
                [max(b.mean, _STUB) for b in bars],  # a 0% bar still shows its colour
                height=0.65,
                color=[COLOURS[b.light] for b in bars],
            )
            ax.set_yticks(ys, labels, fontproperties=fp, fontsize=9)
            ax.set_ylim(len(bars) - 0.4, -0.6)  # the first group on top
            for y, b in zip(ys, bars, strict=True):
                ax.text(
                    b.mean + 1.2,
                    y,
                    words["value"].format(mean=b.mean, count=b.count),
                    va="center",
                    fontproperties=small,
                    color="#333333",
                )
        ax.axvline(pace, color="#424242", linestyle=(0, (4, 3)), linewidth=1.1)
        handles: list[Artist] = [
            Patch(color=COLOURS[light], label=words[light]) for light in COLOURS
        ]
        handles.append(
            Line2D(
                [],
                [],
                color="#424242",
                linestyle=(0, (4, 3)),
                label=words["pace"].format(pace=pace),
            )
        )
        fig.legend(
            handles=handles,
            loc="lower center",
            ncol=4,
            prop=small,
            frameon=False,
            bbox_to_anchor=(0.5, 0.0),
        )
        buffer = io.BytesIO()
        fig.savefig(buffer, format="png", dpi=_DPI, metadata={"Software": None})
        return buffer.getvalue()
    finally:
        fig.clear()
