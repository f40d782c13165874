"""One rule for the command menus: the same at start-up (after a restart) as after a join, the
union of a person's roles, in the deployment's language."""

from __future__ import annotations

import re

import pytest

from bot.app import set_menus
from handlers.onboarding import menu_for
from render.texts import Texts
from tests.e2e_support import ADMIN_ID, World

CJK = re.compile(r"[\u3400-\u9fff]")


def chat_menu(w: World, chat_id: int) -> set[str]:
    return {c["command"] for c in w.sb.commands({"type": "chat", "chat_id": chat_id})}


async def test_a_coordinator_who_is_also_a_contact_keeps_both_menus_after_a_restart(
    world: World,
) -> None:
    w = world
    person = w.sb.create_user("双重身份")
    await w.join(person, "coordinator")
    await w.join(person, "局高新处")
    # the join sets the menu right after its answer
    await w.sb.wait_for(lambda: "mine" in chat_menu(w, person.id), what="the joined menu")
    joined = chat_menu(w, person.id)
    assert {"mine", "extend", "invite", "pending"} <= joined
    # a restart sets every menu again from the database: the same rule, the same menu
    await set_menus(w.app)
    assert chat_menu(w, person.id) == joined
    assert {"invite", "pending"} <= chat_menu(w, ADMIN_ID) and "mine" not in chat_menu(w, ADMIN_ID)


@pytest.mark.parametrize(
    "roles", [{"contact"}, {"coordinator"}, {"admin"}, {"leader"}, {"contact", "leader"}, set()]
)
def test_english_menus_carry_no_chinese(roles: set[str]) -> None:
    menu = menu_for(Texts("en"), roles)
    assert menu and all(not CJK.search(d) for _, d in menu), menu
    assert all(c.isascii() and c.islower() for c, _ in menu)


def test_every_menu_command_is_described_in_both_languages() -> None:
    for roles in ({"contact"}, {"coordinator"}, {"leader"}, set()):
        for lang in ("zh", "en"):
            for command, text in menu_for(Texts(lang), roles):
                assert text and text != f"menu_{command}"


async def test_mine_shows_the_same_light_as_status(world: World) -> None:
    # one light rule: a support unit's /mine shows the item's light, the one /status shows
    w = world
    lead, support = w.sb.create_user("创新处联络"), w.sb.create_user("高新处联络")
    await w.join(lead, "局创新处")
    await w.join(support, "局高新处")
    await w.say(lead, "/report 5 有困难:资金未到位")
    status = await w.say(w.admin, "/status 5")
    assert status["text"].startswith("🔴")
    mine = await w.say(support, "/mine")
    line = next(x for x in mine["text"].split("\n") if x[2:].startswith("5. "))
    assert line.startswith("🔴"), line
