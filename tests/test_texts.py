"""User-facing texts, message splitting and composition: the limits Telegram enforces."""

from __future__ import annotations

import re
import string
from datetime import date

import pytest

from render.chunks import MESSAGE_LIMIT, callback_data, split_message, utf16_len
from render.compose import MAX_BUTTON_ITEMS, NudgeLine, compose_nudge
from render.texts import EN, ZH, Texts, esc
from sandbox import parse_html


def test_every_language_has_every_text_with_the_same_fields() -> None:
    assert set(ZH) == set(EN)
    fields = string.Formatter()
    for key in ZH:
        zh = {f for _, f, _, _ in fields.parse(ZH[key]) if f}
        en = {f for _, f, _, _ in fields.parse(EN[key]) if f}
        assert zh == en, key


def test_the_english_catalog_carries_no_chinese() -> None:
    # CJK characters and CJK punctuation (【】〔〕、,:): the plan's words come in as arguments
    cjk = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uf900-\ufaff\uff00-\uffef]")
    assert [key for key, text in EN.items() if cjk.search(text)] == []


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_text_is_valid_telegram_html(lang: str) -> None:
    t = Texts(lang)
    for key, template in (ZH if lang == "zh" else EN).items():
        names = {f for _, f, _, _ in string.Formatter().parse(template) if f}
        text = t(key, **{n: esc("<&>") for n in names})
        parse_html(text)  # raises on what Telegram would refuse


def test_split_keeps_every_line_and_stays_under_the_limit() -> None:
    lines = [f"<b>{i}</b>. " + "事项" * 30 for i in range(400)]
    chunks = split_message(lines)
    assert len(chunks) > 1
    assert all(utf16_len(c) <= MESSAGE_LIMIT for c in chunks)
    assert "\n".join(chunks).split("\n") == lines
    for chunk in chunks:
        parse_html(chunk)


def test_an_oversized_line_is_cut_without_breaking_entities() -> None:
    line = "<b>x</b>" + ("a&amp;b😀" * 2000)
    chunks = split_message([line])
    assert all(utf16_len(c) <= MESSAGE_LIMIT for c in chunks)
    for chunk in chunks:
        parse_html(chunk)


def test_callback_data_over_64_bytes_is_refused() -> None:
    assert callback_data("r", 123456789, "d") == "r:123456789:d"
    with pytest.raises(ValueError, match="64 bytes"):
        callback_data("i", "项" * 30)


def test_nudge_for_many_items_fits_and_caps_buttons() -> None:
    t = Texts("zh")
    lines = [
        NudgeLine(
            item_id=i,
            ref=f"12-{i}",
            title="<script>很长的标题</script>" * 5,
            kind="upcoming",
            about=date(2023, 12, 31),
            deadline=date(2023, 12, 31),
            days_left=3,
        )
        for i in range(1, 120)
    ]
    composed = compose_nudge(t, "各辖市、区科技局 & <X>", lines)
    assert len(composed.chunks) > 1
    for chunk in composed.chunks:
        assert utf16_len(chunk) <= MESSAGE_LIMIT
        parse_html(chunk)
    assert len(composed.buttons) == MAX_BUTTON_ITEMS
    assert all(len(data.encode()) <= 64 for row in composed.buttons for _, data in row)
    assert "&lt;script&gt;" in composed.chunks[0] and "<script>" not in composed.chunks[0]
    assert re.search(r"各辖市、区科技局 &amp; &lt;X&gt;", composed.chunks[0])
