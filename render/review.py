"""The import review as message lines (Telegram HTML) and as plain text for the command line.

What the review found is plans.documents.review's business; how it is said is here.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Iterable
from datetime import date

from plans.documents.review import (
    LINES_PER_KIND,
    MANY_TARGETS,
    NAME_CHARS,
    NAMES_SHOWN,
    RANGES_SHOWN,
    SKIPPED_CHARS,
    SKIPPED_SHOWN,
    WARNINGS_SHOWN,
    Fix,
    Review,
)
from plans.refs import ItemRef
from render.chunks import clip
from render.texts import Texts, esc


def review_lines(
    t: Texts,
    review: Review,
    *,
    title: str,
    fix: Fix = "chat",
    plan_id: int | None = None,
) -> list[str]:
    """The review as message lines (Telegram HTML, every plan string escaped).

    `fix` chooses the commands offered: chat commands, or the command line's `duban units`.
    With `plan_id` (several plans), items are referred to as plan-seq ("2-4") in commands.
    """
    name = esc(clip(title, 40))
    if review.clean:
        return [t("rv_clean", title=name)]
    if plan_id is None:
        lines = [t("rv_head", title=name, count=review.item_count)]
    else:
        lines = [t("rv_head_plan", title=name, count=review.item_count, plan=plan_id)]

    def ref(seq: int) -> str:
        return str(seq) if plan_id is None else ItemRef.format(plan_id, seq, multi=True)

    lines += _no_unit_lines(t, review, fix, ref)
    lines += _unit_name_lines(t, review, fix)
    lines += _deadline_lines(t, review)
    lines += _target_lines(t, review, fix, ref)
    lines += _skipped_lines(t, review)
    lines += [t("rv_warning", text=esc(clip(w, 120))) for w in review.warnings[:WARNINGS_SHOWN]]
    if len(review.warnings) > WARNINGS_SHOWN:
        lines.append(t("rv_more", count=len(review.warnings) - WARNINGS_SHOWN))
    return lines


def _no_unit_lines(t: Texts, review: Review, fix: Fix, ref: Callable[[int], str]) -> list[str]:
    if not review.no_unit:
        return []
    command = f"/assign {ref(review.no_unit[0])} " + t("rv_unit_word")
    return [
        t("rv_no_unit", count=len(review.no_unit), items=seq_ranges(t, review.no_unit)),
        t("rv_fix" if fix == "chat" else "rv_fix_in_chat", command=esc(command)),
    ]


def _unit_name_lines(t: Texts, review: Review, fix: Fix) -> list[str]:
    lines: list[str] = []
    for a in review.look_alikes[:LINES_PER_KIND]:
        lines.append(
            t(
                f"rv_look_alike_{a.why}",
                name=esc(clip(a.name, NAME_CHARS)),
                count=len(a.seqs),
                other=esc(clip(a.other, NAME_CHARS)),
                other_count=len(a.other_seqs),
                command=esc(_merge_command(fix, a.name, a.other)),
            )
        )
    if len(review.look_alikes) > LINES_PER_KIND:
        lines.append(t("rv_more", count=len(review.look_alikes) - LINES_PER_KIND))
    new_name = t("rv_new_name_word")
    for u in review.odd_names[:LINES_PER_KIND]:
        lines.append(
            t(
                "rv_odd",
                name=esc(clip(u.name, NAME_CHARS)),
                items=seq_ranges(t, u.seqs),
                command=esc(_rename_command(fix, u.name, new_name)),
            )
        )
    if len(review.odd_names) > LINES_PER_KIND:
        lines.append(t("rv_more", count=len(review.odd_names) - LINES_PER_KIND))
    if review.once:
        shown = [
            t("rv_once_name", name=esc(clip(u.name, NAME_CHARS)), item=u.seqs[0])
            for u in review.once[:NAMES_SHOWN]
        ]
        units = t("list_sep").join(shown)
        if len(review.once) > NAMES_SHOWN:
            units = t("rv_and_more", items=units, count=len(review.once) - NAMES_SHOWN)
        lines.append(t("rv_once", count=len(review.once), units=units))
        lines.append(
            t(
                "rv_fix_once",
                rename=esc(_rename_command(fix, t("rv_name_word"), new_name)),
                merge=esc(_merge_command(fix, t("rv_name_word"), t("rv_unit_word"))),
            )
        )
    return lines


def _deadline_lines(t: Texts, review: Review) -> list[str]:
    if not review.no_deadline:
        return []
    return [
        t(
            "rv_no_deadline",
            count=len(review.no_deadline),
            items=seq_ranges(t, review.no_deadline),
            date=date(review.year, 12, 31).isoformat(),
        )
    ]


def _target_lines(t: Texts, review: Review, fix: Fix, ref: Callable[[int], str]) -> list[str]:
    if not review.many_targets:
        return []
    shown = [t("rv_target_item", item=seq, count=n) for seq, n in review.many_targets[:NAMES_SHOWN]]
    items = t("list_sep").join(shown)
    if len(review.many_targets) > NAMES_SHOWN:
        items = t("rv_and_more", items=items, count=len(review.many_targets) - NAMES_SHOWN)
    lines = [t("rv_many_targets", count=len(review.many_targets), min=MANY_TARGETS, items=items)]
    if fix == "chat":
        lines.append(t("rv_fix", command=esc(f"/status {ref(review.many_targets[0][0])}")))
    return lines


def _skipped_lines(t: Texts, review: Review) -> list[str]:
    if not review.skipped:
        return []
    lines = [t("rv_skipped", count=len(review.skipped))]
    lines += [
        t("rv_skipped_text", text=esc(clip(" ".join(s.split()), SKIPPED_CHARS)))
        for s in review.skipped[:SKIPPED_SHOWN]
    ]
    if len(review.skipped) > SKIPPED_SHOWN:
        lines.append(t("rv_more", count=len(review.skipped) - SKIPPED_SHOWN))
    return lines


def _merge_command(fix: Fix, name: str, into: str) -> str:
    return f"duban units --merge {name} {into}" if fix == "cli" else f"/merge {name} {into}"


def _rename_command(fix: Fix, name: str, new: str) -> str:
    return f"duban units --rename {name} {new}" if fix == "cli" else f"/rename {name} {new}"


def seq_ranges(t: Texts, seqs: Iterable[int]) -> str:
    """Item numbers as runs: 1, 2, 3, 5, 7, 8 → "1–3、5、7–8" (", " in English)."""
    runs: list[tuple[int, int]] = []
    for seq in sorted(set(seqs)):
        if runs and seq == runs[-1][1] + 1:
            runs[-1] = (runs[-1][0], seq)
        else:
            runs.append((seq, seq))
    parts = [str(a) if a == b else f"{a}–{b}" for a, b in runs[:RANGES_SHOWN]]
    if len(runs) > RANGES_SHOWN:
        parts.append("…")
    return t("list_sep").join(parts)


def plain_text(lines: Iterable[str]) -> str:
    """Rendered lines as plain text for a terminal: tags dropped, entities decoded."""
    return html.unescape(re.sub(r"<[^>]+>", "", "\n".join(lines)))
