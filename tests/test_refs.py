"""One item reference: read the same way by every command, written the same way by every view."""

from __future__ import annotations

import pytest

from plans.refs import ItemRef
from tests.e2e_support import World


@pytest.mark.parametrize(
    ("text", "ref"),
    [
        ("4", ItemRef(4)),
        ("第4项", ItemRef(4)),
        ("#4", ItemRef(4)),
        ("4.", ItemRef(4)),
        ("4、", ItemRef(4)),
        (" 4 ", ItemRef(4)),
        ("2-15", ItemRef(15, 2)),
        ("第2-15项", ItemRef(15, 2)),
        ("1000", ItemRef(1000)),
    ],
)
def test_parse(text: str, ref: ItemRef) -> None:
    assert ItemRef.parse(text) == ref


@pytest.mark.parametrize("text", ["", "四", "4a", "-4", "2-", "局高新处", "4-5-6", "4.5"])
def test_not_a_reference(text: str) -> None:
    assert ItemRef.parse(text) is None


def test_format_and_match() -> None:
    assert ItemRef.format(2, 15, multi=False) == "15"
    assert ItemRef.format(2, 15, multi=True) == "2-15"
    assert ItemRef.parse(ItemRef.format(2, 15, multi=True)) == ItemRef(15, 2)
    assert ItemRef(15).matches(2, 15) and ItemRef(15, 2).matches(2, 15)
    assert not ItemRef(15, 3).matches(2, 15) and not ItemRef(14).matches(2, 15)


async def test_status_reads_a_reference_as_report_does(world: World) -> None:
    w = world
    for written in ("第4项", "4.", "#4"):
        answer = await w.say(w.admin, f"/status {written}")
        assert "加快高新技术企业培育" in answer["text"], (written, answer["text"])


def test_buttons_are_read_back_as_they_were_made() -> None:
    from render.chunks import callback_data, parse_callback

    assert parse_callback(callback_data("so", 42, "y")) == ("so", 42, "y")
    for forged in ("so:x:y", "so:42", "so:42:y:z", "", "r:-1:d"):
        assert parse_callback(forged) is None
