"""The one line the bot sends back so the contact can correct what was understood."""

from __future__ import annotations

from plans.replies.reading import ProgressReading


def describe(reading: ProgressReading, lang: str = "zh") -> str:
    """One line confirming what was recorded ("进展 60%(已达 320 家,目标 600家以上),预计 …").

    No final full stop: the handler embeds the line in a sentence of its own.
    """
    en = lang.lower().startswith("en")
    status, percent = reading.status, reading.percent
    parts: list[str] = []
    if status == "blocked":
        if reading.blocker:
            parts.append(f"blocked: {reading.blocker}" if en else f"有困难:{reading.blocker}")
        else:
            parts.append("blocked" if en else "有困难")
    elif status == "done":
        parts.append("done" if en else "已完成")
    elif status == "not_started":
        parts.append("not started" if en else "未启动")

    if percent is not None and status != "done":
        if en:
            lead = "in progress " if status in (None, "in_progress") else ""
            parts.append(f"{lead}{_fmt(percent)}%")
        else:
            parts.append(f"进展 {_fmt(percent)}%")
    elif status == "in_progress":
        parts.append("in progress" if en else "推进中")

    if reading.value is not None and reading.measure is not None:
        space = "" if reading.measure in ("%", "‰") else " "
        amount = f"{_fmt(reading.value)}{space}{reading.measure}"
        if en:
            value = f"{amount} of target {reading.target_text}" if reading.target_text else amount
        else:
            value = f"已达 {amount},目标 {reading.target_text}" if reading.target_text else amount
        if parts:
            parts[-1] += f" ({value})" if en else f"({value})"
        else:
            parts.append(value)

    if reading.expected_date is not None:
        when = reading.expected_date.isoformat()
        parts.append(f"expected {when}" if en else f"预计 {when} 完成")

    if not parts:
        return "received (no progress figure understood)" if en else "已收到(未识别出进度)"
    return (", " if en else ",").join(parts)


def _fmt(x: float) -> str:
    """600.0 → "600", 53.333 → "53.3": a confirmation line, not a ledger."""
    rounded = round(x, 1)
    return str(int(rounded)) if float(rounded).is_integer() else f"{rounded:g}"
