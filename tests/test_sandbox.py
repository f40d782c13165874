"""The Bot API sandbox, driven by the real python-telegram-bot client over HTTP.

If PTB accepts the sandbox's answers and raises the same exceptions it raises against
Telegram, the end-to-end tests built on the sandbox mean something.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dtm
import hashlib
import io
import subprocess
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from telegram import (
    Bot,
    BotCommand,
    BotCommandScopeAllGroupChats,
    BotCommandScopeChat,
    BotCommandScopeChatMember,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    ReplyParameters,
    Update,
)
from telegram.error import (
    BadRequest,
    Conflict,
    Forbidden,
    InvalidToken,
    NetworkError,
    RetryAfter,
    TelegramError,
)
from telegram.ext import (
    Application,
    BaseHandler,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from sandbox import BotApiSandbox, Limit, parse_html
from sandbox.html import HtmlParseError
from sandbox.limits import Limits, RateLimiter

# PTB 22 warns about its own int-valued retry_after while constructing RetryAfter.
pytestmark = pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")

TOKEN = "123456:TEST-token_abc"
REPO = Path(__file__).resolve().parents[1]


@pytest.fixture
async def sb() -> AsyncIterator[BotApiSandbox]:
    """A sandbox without flood limits; tests about limits set their own."""
    async with BotApiSandbox(
        TOKEN, global_limit=None, private_chat_limit=None, group_chat_limit=None
    ) as sandbox:
        yield sandbox
    assert sandbox.errors == []  # exceptions inside the sandbox are its bugs, never faults


@pytest.fixture
async def bot(sb: BotApiSandbox) -> AsyncIterator[Bot]:
    """A plain PTB Bot pointed at the sandbox."""
    async with Bot(TOKEN, base_url=sb.base_url, base_file_url=sb.base_file_url) as client:
        yield client


@contextlib.asynccontextmanager
async def running_app(
    sb: BotApiSandbox, *handlers: BaseHandler[Any, Any, Any]
) -> AsyncIterator[Application[Any, Any, Any, Any, Any, Any]]:
    """A real Application polling the sandbox, stopped the way `run_polling` stops it."""
    app = (
        Application.builder()
        .token(TOKEN)
        .base_url(sb.base_url)
        .base_file_url(sb.base_file_url)
        .build()
    )
    for handler in handlers:
        app.add_handler(handler)
    await app.initialize()
    await app.start()
    assert app.updater is not None
    await app.updater.start_polling(poll_interval=0, timeout=1)
    try:
        yield app
    finally:
        await app.updater.stop()
        await app.stop()
        await app.shutdown()


def retry_seconds(exc: RetryAfter) -> float:
    """retry_after as seconds, whichever type this PTB version returns."""
    value = exc.retry_after
    return value.total_seconds() if isinstance(value, dtm.timedelta) else float(value)


# -- basics ----------------------------------------------------------------------------------


async def test_get_me(sb: BotApiSandbox, bot: Bot) -> None:
    me = await bot.get_me()
    assert me.id == 123456
    assert me.is_bot
    assert me.username == "duban_test_bot"
    assert me.can_read_all_group_messages is False  # privacy mode, Telegram's default


async def test_unknown_token_and_unknown_method(sb: BotApiSandbox) -> None:
    wrong = Bot("999:WRONG", base_url=sb.base_url)
    with pytest.raises(InvalidToken):
        await wrong.initialize()  # which calls getMe
    await wrong.shutdown()
    async with httpx.AsyncClient() as client:
        response = await client.post(f"{sb.root}/bot{TOKEN}/noSuchMethod")
        assert response.status_code == 404
        assert response.json() == {"ok": False, "error_code": 404, "description": "Not Found"}
        response = await client.get(f"{sb.root}/bot999:WRONG/getMe")
        assert (response.status_code, response.json()["description"]) == (401, "Unauthorized")


async def test_json_query_and_form_bodies_are_all_accepted(sb: BotApiSandbox) -> None:
    alice = sb.create_user("Alice", started=True)
    url = f"{sb.root}/bot{TOKEN}/sendMessage"
    async with httpx.AsyncClient() as client:
        as_json = await client.post(url, json={"chat_id": alice.id, "text": "json"})
        as_query = await client.get(url, params={"chat_id": alice.id, "text": "query"})
        as_form = await client.post(
            url,
            data={
                "chat_id": str(alice.id),
                "text": "form",
                "reply_markup": '{"inline_keyboard": [[{"text": "ok", "callback_data": "1"}]]}',
            },
        )
    assert [r.json()["result"]["message_id"] for r in (as_json, as_query, as_form)] == [1, 2, 3]
    assert [m["text"] for m in sb.sent(alice)] == ["json", "query", "form"]
    assert sb.sent(alice)[2]["reply_markup"] == {
        "inline_keyboard": [[{"text": "ok", "callback_data": "1"}]]
    }
    assert [c.method for c in sb.calls] == ["sendMessage"] * 3


# -- polling -----------------------------------------------------------------------------------


async def test_echo_round_trip_through_polling(sb: BotApiSandbox) -> None:
    async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.message is not None
        await update.message.reply_text(f"started with {context.args}")

    async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.message is not None and update.message.text is not None
        await update.message.reply_html(f"<b>echo</b> {update.message.text}")

    alice = sb.create_user("Alice")
    async with running_app(
        sb,
        CommandHandler("start", start),
        MessageHandler(filters.TEXT & ~filters.COMMAND, echo),
    ):
        alice.open_link(sb.deep_link("abc"))
        first = await sb.wait_for_message(alice)
        assert first["text"] == "started with ['abc']"
        alice.send_text("完成60%")
        second = await sb.wait_for_message(alice)
        assert second["text"] == "echo 完成60%"
        assert second["raw_text"] == "<b>echo</b> 完成60%"
        assert second["entities"] == [{"type": "bold", "offset": 0, "length": 4}]
    assert [m["message_id"] for m in sb.messages(alice)] == [1, 2, 3, 4]
    assert [c.method for c in sb.calls[:3]] == ["getMe", "deleteWebhook", "getUpdates"]


async def test_no_update_is_delivered_twice_across_a_restart(sb: BotApiSandbox) -> None:
    seen: list[int] = []

    async def record(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        seen.append(update.update_id)

    handler = MessageHandler(filters.ALL, record)
    alice = sb.create_user("Alice")
    async with running_app(sb, handler):
        alice.send_text("one")
        alice.send_text("two")
        await sb.wait_for(lambda: len(seen) == 2)
    # Stopping the updater confirmed what it had fetched: nothing is left to redeliver.
    assert sb.pending_updates == []
    alice.send_text("three")  # arrives while the bot is down
    async with running_app(sb, handler):
        await sb.wait_for(lambda: len(seen) == 3)
        alice.send_text("four")
        await sb.wait_for(lambda: len(seen) == 4)
    assert seen == [1, 2, 3, 4]


async def test_offset_confirms_for_good(sb: BotApiSandbox, bot: Bot) -> None:
    alice = sb.create_user("Alice")
    for text in ("a", "b", "c"):
        alice.send_text(text)
    first = await bot.get_updates(limit=2)
    assert [u.update_id for u in first] == [1, 2]
    again = await bot.get_updates()  # nothing confirmed yet: the same ones come back
    assert [u.update_id for u in again] == [1, 2, 3]
    rest = await bot.get_updates(offset=3)  # confirms 1 and 2
    assert [u.update_id for u in rest] == [3]
    assert [u["update_id"] for u in sb.pending_updates] == [3]
    assert await bot.get_updates(offset=4) == ()
    assert await bot.get_updates(offset=1) == ()  # confirmed means gone for good


async def test_long_poll_returns_as_soon_as_an_update_arrives(sb: BotApiSandbox, bot: Bot) -> None:
    alice = sb.create_user("Alice")
    loop = asyncio.get_running_loop()

    async def later() -> None:
        await asyncio.sleep(0.2)
        alice.send_text("ping")

    started = loop.time()
    task = asyncio.create_task(later())
    updates = await bot.get_updates(timeout=10)
    elapsed = loop.time() - started
    await task
    assert [u.message.text for u in updates if u.message] == ["ping"]
    assert 0.15 < elapsed < 1.0

    started = loop.time()
    empty = await bot.get_updates(
        offset=updates[-1].update_id + 1, timeout=dtm.timedelta(seconds=0.3)
    )
    assert empty == ()
    assert 0.25 < loop.time() - started < 1.0


async def test_a_second_poll_ends_the_first_with_conflict(sb: BotApiSandbox, bot: Bot) -> None:
    first = asyncio.create_task(bot.get_updates(timeout=5))
    await asyncio.sleep(0.1)
    # A second client: PTB's own getUpdates connection pool holds one request at a time.
    async with httpx.AsyncClient() as client:
        second = await client.post(f"{sb.root}/bot{TOKEN}/getUpdates")
    assert second.json() == {"ok": True, "result": []}
    with pytest.raises(Conflict, match="terminated by other getUpdates"):
        await first


async def test_allowed_updates_filter_new_updates(sb: BotApiSandbox, bot: Bot) -> None:
    alice = sb.create_user("Alice")
    await bot.get_updates(allowed_updates=["callback_query"])
    alice.send_text("not wanted")
    assert await bot.get_updates() == ()
    await bot.get_updates(allowed_updates=[])  # empty list: back to the default set
    alice.send_text("wanted")
    assert [u.message.text for u in await bot.get_updates() if u.message] == ["wanted"]


# -- sendMessage validation ------------------------------------------------------------------------


async def test_text_limit_is_4096_after_entity_parsing(sb: BotApiSandbox, bot: Bot) -> None:
    alice = sb.create_user("Alice", started=True)
    await bot.send_message(alice.id, "a" * 4096)
    with pytest.raises(BadRequest, match="Message is too long"):
        await bot.send_message(alice.id, "a" * 4097)
    # 4096 visible characters, far more bytes of markup: fine, as in Telegram.
    await bot.send_message(alice.id, "<b>" + "&lt;" * 4096 + "</b>", parse_mode="HTML")
    with pytest.raises(BadRequest, match="Message text is empty"):
        await bot.send_message(alice.id, "  <b> </b> ", parse_mode="HTML")
    assert len(sb.sent(alice)) == 2


@pytest.mark.parametrize(
    ("html", "error"),
    [
        ("a < b", 'Unsupported start tag "" at byte offset 2'),
        ("1<2", "Unclosed start tag at byte offset 1"),
        ("<b>bold", 'Can\'t find end tag corresponding to start tag "b"'),
        ("<b><i>x</b></i>", 'Unmatched end tag at byte offset 7, expected "</i>", found "</b>"'),
        ("<foo>x</foo>", 'Unsupported start tag "foo" at byte offset 0'),
        ("<span>x</span>", 'Tag "span" must have class "tg-spoiler"'),
        ("进度</b>", "Unexpected end tag at byte offset 6"),
        ('<a href="x>y</a>', "Unclosed start tag at byte offset 0"),
    ],
)
def test_html_errors_match_telegram(html: str, error: str) -> None:
    with pytest.raises(HtmlParseError) as caught:
        parse_html(html)
    assert str(caught.value).startswith(error)


def test_html_entities_offsets_are_utf16() -> None:
    parsed = parse_html(
        '😀 <b>粗</b> <a href="https://x.cn/?a=1&amp;b=2">链接</a> &lt;tag&gt; &amp; &quot; &copy;'
        ' <pre><code class="language-python">x</code></pre>'
        ' <span class="tg-spoiler">s</span><blockquote expandable>q</blockquote>'
    )
    assert parsed.text == '😀 粗 链接 <tag> & " &copy; x sq'
    assert parsed.entities == [
        {"offset": 3, "length": 1, "type": "bold"},
        {"offset": 5, "length": 2, "type": "text_link", "url": "https://x.cn/?a=1&b=2"},
        {"offset": 25, "length": 1, "type": "pre", "language": "python"},
        {"offset": 27, "length": 1, "type": "spoiler"},
        {"offset": 28, "length": 1, "type": "expandable_blockquote"},
    ]


async def test_html_errors_reach_the_bot_as_bad_request(sb: BotApiSandbox, bot: Bot) -> None:
    alice = sb.create_user("Alice", started=True)
    with pytest.raises(BadRequest, match="Can't parse entities: unsupported start tag"):
        await bot.send_message(alice.id, "进度 < 50%", parse_mode="HTML")
    with pytest.raises(BadRequest, match="Unsupported parse_mode"):
        await bot.send_message(alice.id, "x", parse_mode="XML")
    assert sb.sent(alice) == []
    assert sb.calls[-1].status == 400


async def test_callback_data_is_limited_to_64_bytes(sb: BotApiSandbox, bot: Bot) -> None:
    alice = sb.create_user("Alice", started=True)

    def keyboard(data: str) -> InlineKeyboardMarkup:
        return InlineKeyboardMarkup([[InlineKeyboardButton("完成", callback_data=data)]])

    await bot.send_message(alice.id, "ok", reply_markup=keyboard("a" * 64))
    await bot.send_message(alice.id, "ok", reply_markup=keyboard("督" * 21))  # 63 bytes
    with pytest.raises(BadRequest, match=r"(?i)button_data_invalid"):
        await bot.send_message(alice.id, "x", reply_markup=keyboard("a" * 65))
    with pytest.raises(BadRequest, match=r"(?i)button_data_invalid"):
        await bot.send_message(alice.id, "x", reply_markup=keyboard("督" * 22))  # 22 chars, 66 B
    assert len(sb.sent(alice)) == 2


async def test_chat_not_found_and_missing_reply_target(sb: BotApiSandbox, bot: Bot) -> None:
    alice = sb.create_user("Alice", started=True)
    with pytest.raises(BadRequest, match="Chat not found"):
        await bot.send_message(987654321, "hello")
    with pytest.raises(BadRequest, match="Message to be replied not found"):
        await bot.send_message(alice.id, "x", reply_parameters=ReplyParameters(message_id=42))
    sent = await bot.send_message(
        alice.id,
        "x",
        reply_parameters=ReplyParameters(message_id=42, allow_sending_without_reply=True),
    )
    assert sent.reply_to_message is None
    question = alice.send_text("问题")
    answer = await bot.send_message(
        alice.id, "回答", reply_parameters=ReplyParameters(message_id=question["message_id"])
    )
    assert answer.reply_to_message is not None
    assert answer.reply_to_message.text == "问题"
    assert sb.sent(alice)[-1]["reply_to"] == question["message_id"]


async def test_edit_and_delete(sb: BotApiSandbox, bot: Bot) -> None:
    alice = sb.create_user("Alice", started=True)
    markup = InlineKeyboardMarkup([[InlineKeyboardButton("a", callback_data="a")]])
    sent = await bot.send_message(alice.id, "<b>v1</b>", parse_mode="HTML", reply_markup=markup)
    with pytest.raises(BadRequest, match="Message is not modified"):
        await bot.edit_message_text(
            "<b>v1</b>", alice.id, sent.message_id, parse_mode="HTML", reply_markup=markup
        )
    await bot.edit_message_text("v2", alice.id, sent.message_id)
    record = sb.sent(alice)[0]
    assert (record["text"], record["reply_markup"]) == ("v2", None)  # no markup = removed
    assert [v["text"] for v in record["edits"]] == ["v1"]
    await bot.edit_message_reply_markup(alice.id, sent.message_id, reply_markup=markup)
    assert record["reply_markup"] == markup.to_dict()
    with pytest.raises(BadRequest, match="Message to edit not found"):
        await bot.edit_message_text("x", alice.id, 99)
    assert await bot.delete_message(alice.id, sent.message_id)
    assert record["deleted"]
    with pytest.raises(BadRequest, match="Message to edit not found"):
        await bot.edit_message_text("v3", alice.id, sent.message_id)


# -- people ------------------------------------------------------------------------------------


async def test_button_press_reaches_callback_handler_and_is_answered(sb: BotApiSandbox) -> None:
    async def ask(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.message is not None
        buttons = [[InlineKeyboardButton("完成", callback_data="done:4")]]
        await update.message.reply_text("第4项进展?", reply_markup=InlineKeyboardMarkup(buttons))

    async def on_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.callback_query
        assert query is not None
        await query.answer(f"已记录 {query.data}")
        await query.edit_message_text(f"第4项: {query.data}")

    alice = sb.create_user("Alice")
    async with running_app(sb, CommandHandler("ask", ask), CallbackQueryHandler(on_button)):
        alice.send_command("/ask")
        question = await sb.wait_for_message(alice)
        press = alice.press(question, "done:4")
        answer = await sb.wait_for(lambda: sb.answers.get(press["id"]), what="the answer")
        assert answer["text"] == "已记录 done:4"
        await sb.wait_for(lambda: question["edits"], what="the edit")
        assert question["text"] == "第4项: done:4"
    assert question["reply_markup"] is None  # an edit without reply_markup removes it
    with pytest.raises(LookupError):
        alice.press(question, "done:4")


async def test_answering_an_unknown_or_answered_query_fails(sb: BotApiSandbox, bot: Bot) -> None:
    alice = sb.create_user("Alice", started=True)
    markup = InlineKeyboardMarkup([[InlineKeyboardButton("a", callback_data="a")]])
    message = await bot.send_message(alice.id, "pick", reply_markup=markup)
    query = alice.press({"chat_id": alice.id, "message_id": message.message_id}, "a")
    with pytest.raises(BadRequest, match=r"(?i)message_too_long"):
        await bot.answer_callback_query(query["id"], text="x" * 201)
    assert await bot.answer_callback_query(query["id"], text="x" * 200)
    with pytest.raises(BadRequest, match="Query is too old"):
        await bot.answer_callback_query(query["id"])
    with pytest.raises(BadRequest, match="Query is too old"):
        await bot.answer_callback_query("12345")


async def test_edited_message_reaches_edited_message_handler(sb: BotApiSandbox) -> None:
    async def on_message(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.message is not None
        await update.message.reply_text(f"收到 {update.message.text}")

    async def on_edit(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.edited_message is not None
        await update.edited_message.reply_text(f"已更新 {update.edited_message.text}")

    alice = sb.create_user("Alice")
    async with running_app(
        sb,
        MessageHandler(filters.UpdateType.MESSAGE & filters.TEXT, on_message),
        MessageHandler(filters.UpdateType.EDITED_MESSAGE, on_edit),
    ):
        report = alice.send_text("完成50%")
        assert (await sb.wait_for_message(alice))["text"] == "收到 完成50%"
        alice.edit(report, "完成60%")
        assert (await sb.wait_for_message(alice))["text"] == "已更新 完成60%"


async def test_group_privacy_mode(sb: BotApiSandbox, bot: Bot) -> None:
    alice, bob = sb.create_user("Alice"), sb.create_user("Bob")
    group = sb.create_group("高新处", [alice, bob])
    alice.send_text(group, "大家好")  # free text: a bot in privacy mode never sees it
    alice.send_text(group, "/status@other_bot")
    assert sb.pending_updates == []
    alice.send_text(group, "/status@duban_test_bot")
    await bot.send_message(group.id, "请反馈进展")
    bob.reply(sb.sent(group)[-1], "推进中")
    texts = [u.message.text for u in await bot.get_updates() if u.message]
    assert texts == ["/status@duban_test_bot", "推进中"]
    group.remove_bot()
    with pytest.raises(Forbidden, match="bot was kicked from the group chat"):
        await bot.send_message(group.id, "还在吗")


# -- limits and faults -------------------------------------------------------------------------


async def test_flood_limit_gives_retry_after(sb: BotApiSandbox, bot: Bot) -> None:
    alice = sb.create_user("Alice", started=True)
    group = sb.create_group("群", [alice])
    sb.limits.private_chat = Limit.per_second(1)
    sb.limits.group_chat = Limit(2, 60)
    await bot.send_message(alice.id, "one")
    with pytest.raises(RetryAfter) as caught:
        await bot.send_message(alice.id, "two")
    assert retry_seconds(caught.value) == 1
    await bot.send_message(group.id, "g1")
    await bot.send_message(group.id, "g2")
    with pytest.raises(RetryAfter) as caught:
        await bot.send_message(group.id, "g3")
    assert 55 <= retry_seconds(caught.value) <= 60
    assert sb.stats.too_many_requests == sb.stats.rate_limited == 2
    assert [m["text"] for m in sb.sent(alice)] == ["one"]  # refused ones are not stored
    last = sb.calls[-1]
    assert (last.method, last.status) == ("sendMessage", 429)


def test_sliding_window_spares_a_sender_exactly_at_the_limit() -> None:
    limiter = RateLimiter(Limits(Limit.per_second(300), None, None))
    for i in range(3000):  # 3,000 messages spaced exactly 1/300 s apart
        now = i / 300
        assert limiter.retry_after(i, is_group=False, now=now) is None, i
        limiter.record(i, is_group=False, now=now)
    # ...but one more message inside the same second is refused.
    limiter = RateLimiter(Limits(Limit.per_second(300), None, None))
    for _ in range(300):
        limiter.record(1, is_group=False, now=5.0)
    assert limiter.retry_after(2, is_group=False, now=5.5) == 1


async def test_paced_sender_gets_no_429_over_http(sb: BotApiSandbox, bot: Bot) -> None:
    users = [sb.create_user(f"u{i}", started=True) for i in range(40)]
    sb.limits.global_limit = Limit(20, 0.25)  # 80 msg/s
    loop = asyncio.get_running_loop()
    last = loop.time() - 1
    for user in users:
        # 95% of the limit, as a minimum gap between sends: a sender that fell behind on a
        # busy machine must not catch up in a burst (any 0.25 s then holds at most 19 sends).
        await asyncio.sleep(max(0.0, last + 1 / 76 - loop.time()))
        last = loop.time()
        await bot.send_message(user.id, "催办")
    assert sb.stats.too_many_requests == 0
    burst = await asyncio.gather(
        *(bot.send_message(u.id, "burst") for u in users[:25]), return_exceptions=True
    )
    assert any(isinstance(r, RetryAfter) for r in burst)


async def test_blocked_and_never_started_users_give_forbidden(sb: BotApiSandbox, bot: Bot) -> None:
    alice = sb.create_user("Alice")
    with pytest.raises(Forbidden, match="bot can't initiate conversation with a user"):
        await bot.send_message(alice.id, "你好")
    alice.start()
    await bot.send_message(alice.id, "你好")
    alice.block_bot()
    with pytest.raises(Forbidden, match="bot was blocked by the user"):
        await bot.send_message(alice.id, "还在吗")
    with pytest.raises(Forbidden, match="bot was blocked by the user"):
        await bot.send_chat_action(alice.id, "typing")
    updates = await bot.get_updates()
    member = updates[-1].my_chat_member
    assert member is not None and member.new_chat_member.status == "kicked"
    alice.start()  # pressing Start again unblocks
    await bot.send_message(alice.id, "欢迎回来")


async def test_injected_5xx_and_latency(sb: BotApiSandbox, bot: Bot) -> None:
    alice = sb.create_user("Alice", started=True)
    sb.inject("sendMessage", status=500)
    sb.inject("sendMessage", status=502)
    with pytest.raises(NetworkError, match="Internal Server Error"):
        await bot.send_message(alice.id, "1")
    with pytest.raises(TelegramError, match="Bad Gateway"):
        await bot.send_message(alice.id, "2")
    await bot.send_message(alice.id, "3")
    sb.inject(status=500)  # any method -- except getUpdates, so polling can't eat it
    assert await bot.get_updates() == ()
    with pytest.raises(NetworkError):
        await bot.get_me()
    sb.inject("getMe", status=429, retry_after=7)
    with pytest.raises(RetryAfter) as caught:
        await bot.get_me()
    assert retry_seconds(caught.value) == 7
    assert (sb.stats.injected, sb.stats.too_many_requests, sb.stats.rate_limited) == (4, 1, 0)
    assert [m["text"] for m in sb.sent(alice)] == ["3"]

    sb.set_latency(0.2, "getMe")
    loop = asyncio.get_running_loop()
    started = loop.time()
    await bot.get_me()
    assert loop.time() - started >= 0.2
    sb.clear_faults()


async def test_dropped_connections(sb: BotApiSandbox, bot: Bot) -> None:
    alice = sb.create_user("Alice", started=True)
    sb.drop_connections(1, "sendMessage")
    with pytest.raises(NetworkError):
        await bot.send_message(alice.id, "lost before")
    sb.drop_connections(1, "sendMessage", after_processing=True)
    with pytest.raises(NetworkError):
        await bot.send_message(alice.id, "sent, answer lost")
    assert [m["text"] for m in sb.sent(alice)] == ["sent, answer lost"]
    assert sb.stats.dropped == 2
    assert [c.status for c in sb.calls_to("sendMessage")] == [None, None]


# -- files --------------------------------------------------------------------------------------


async def test_user_upload_is_downloadable_by_the_bot(sb: BotApiSandbox) -> None:
    async def on_document(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        message = update.message
        assert message is not None and message.document is not None
        file = await message.document.get_file()
        buffer = io.BytesIO()
        await file.download_to_memory(buffer)
        digest = hashlib.sha256(buffer.getvalue()).hexdigest()
        await message.reply_text(f"{message.document.file_name} {file.file_size} {digest}")

    async def on_photo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.message is not None
        photo = update.message.photo[-1]
        data = await (await photo.get_file()).download_as_bytearray()
        await update.message.reply_text(f"photo {photo.width}x{photo.height} {len(data)}")

    data = bytes(range(256)) * 1000
    alice = sb.create_user("Alice")
    async with running_app(
        sb,
        MessageHandler(filters.Document.ALL, on_document),
        MessageHandler(filters.PHOTO, on_photo),
    ):
        alice.upload_document("2023年台账.xlsx", data, caption="证明材料")
        reply = await sb.wait_for_message(alice)
        assert reply["text"] == f"2023年台账.xlsx {len(data)} {hashlib.sha256(data).hexdigest()}"
        png = b"\x89PNG\r\n\x1a\n" + b"\0\0\0\rIHDR" + (640).to_bytes(4, "big")
        png += (480).to_bytes(4, "big") + bytes(100)
        alice.send_photo(png, caption="现场照片")
        assert (await sb.wait_for_message(alice))["text"] == f"photo 640x480 {len(png)}"


async def test_bot_documents_and_photos(sb: BotApiSandbox, bot: Bot) -> None:
    alice = sb.create_user("Alice", started=True)
    bob = sb.create_user("Bob", started=True)
    sent = await bot.send_document(
        alice.id,
        b"seq,status\n1,done\n",
        filename="台账.csv",
        caption="<b>周报</b>",
        parse_mode="HTML",
    )
    assert sent.document is not None
    record = sb.sent(alice)[-1]
    assert record["caption"] == "周报"
    assert record["document"] is not None and record["document"]["file_name"] == "台账.csv"
    assert sb.file_bytes(record["document"]["file_id"]) == b"seq,status\n1,done\n"
    assert sent.document.file_size == len(b"seq,status\n1,done\n")
    # Re-sending by file_id works; using a document as a photo does not.
    await bot.send_document(bob.id, sent.document.file_id)
    assert sb.sent(bob)[-1]["document"] == record["document"]
    with pytest.raises(BadRequest, match=r"(?i)can't use file of type document as photo"):
        await bot.send_photo(bob.id, sent.document.file_id)
    with pytest.raises(BadRequest, match="Wrong file identifier"):
        await bot.send_document(bob.id, "no-such-file-id")
    photo = await bot.send_photo(alice.id, b"\xff\xd8" + bytes(50), caption="图")
    assert photo.photo and photo.photo[-1].file_size == 52
    with pytest.raises(BadRequest, match="Message caption is too long"):
        await bot.send_document(alice.id, sent.document.file_id, caption="长" * 1025)


# -- commands -----------------------------------------------------------------------------------


async def test_commands_are_stored_per_scope(sb: BotApiSandbox, bot: Bot) -> None:
    alice, bob = sb.create_user("Alice"), sb.create_user("Bob")
    group = sb.create_group("高新处", [alice, bob])
    await bot.set_my_commands([BotCommand("start", "开始"), BotCommand("help", "帮助")])
    await bot.set_my_commands(
        [BotCommand("status", "查看进度"), BotCommand("invite", "邀请")],
        scope=BotCommandScopeChat(alice.id),
    )
    await bot.set_my_commands(
        [BotCommand("mine", "我的任务")], scope=BotCommandScopeAllGroupChats()
    )
    await bot.set_my_commands(
        [BotCommand("report", "反馈")], scope=BotCommandScopeChatMember(group.id, bob.id)
    )
    got = await bot.get_my_commands(scope=BotCommandScopeChat(alice.id))
    assert [c.command for c in got] == ["status", "invite"]
    assert [c.command for c in await bot.get_my_commands()] == ["start", "help"]
    assert await bot.get_my_commands(scope=BotCommandScopeChat(bob.id)) == ()
    assert sb.commands(BotCommandScopeChat(alice.id))[0] == {
        "command": "status",
        "description": "查看进度",
    }
    assert sb.commands({"type": "chat", "chat_id": alice.id}) == sb.commands(
        BotCommandScopeChat(alice.id)
    )
    names = [
        [c["command"] for c in cs]
        for cs in (
            sb.visible_commands(alice),
            sb.visible_commands(bob),
            sb.visible_commands(group, alice),
            sb.visible_commands(group, bob),
        )
    ]
    assert names == [["status", "invite"], ["start", "help"], ["mine"], ["report"]]
    with pytest.raises(BadRequest, match=r"(?i)bot_command_invalid"):
        await bot.set_my_commands([BotCommand("bad command", "x")])
    with pytest.raises(BadRequest, match="Chat not found"):
        await bot.set_my_commands([BotCommand("x", "x")], scope=BotCommandScopeChat(42))
    await bot.delete_my_commands(scope=BotCommandScopeChat(alice.id))
    assert sb.commands(BotCommandScopeChat(alice.id)) == []


async def test_get_chat_and_chat_action(sb: BotApiSandbox, bot: Bot) -> None:
    alice = sb.create_user("Alice", username="alice_cz", started=True)
    group = sb.create_group("科技局", [alice], supergroup=True)
    chat = await bot.get_chat(alice.id)
    assert (chat.type, chat.first_name, chat.username) == ("private", "Alice", "alice_cz")
    info = await bot.get_chat(group.id)
    assert (info.type, info.title) == ("supergroup", "科技局")
    assert await bot.send_chat_action(alice.id, "typing")
    with pytest.raises(BadRequest, match="Chat not found"):
        await bot.get_chat(-1)


# -- outside the Bot API --------------------------------------------------------------------------


async def test_control_api_acts_as_people(sb: BotApiSandbox, bot: Bot) -> None:
    async with httpx.AsyncClient(base_url=f"{sb.root}/_sandbox") as client:
        user = (await client.post("/users", json={"first_name": "张三"})).json()["result"]
        sent = await client.post(f"/users/{user['id']}/send", json={"text": "/start tok"})
        assert sent.json()["result"]["entities"][0]["type"] == "bot_command"
        await bot.send_message(user["id"], "欢迎")
        messages = await client.get(f"/chats/{user['id']}/messages", params={"after": 1})
        assert [m["text"] for m in messages.json()["result"]] == ["欢迎"]
        upload = await client.post(
            f"/users/{user['id']}/document",
            files={"document": ("a.txt", b"abc", "text/plain")},
            data={"caption": "附件"},
        )
        assert upload.json()["result"]["document"]["file_size"] == 3
        stats = (await client.get("/stats")).json()["result"]
        assert stats["by_method"]["sendMessage"] == 1
        bad = await client.post("/users/1/send", json={"text": "x"})
        assert bad.status_code == 400


def test_cli_prints_the_root_url() -> None:
    process = subprocess.Popen(
        [sys.executable, "-m", "sandbox", "--port", "0", "--token", TOKEN],
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        assert process.stdout is not None
        root = process.stdout.readline().strip()
        assert root.startswith("http://127.0.0.1:")
        me = httpx.get(f"{root}/bot{TOKEN}/getMe").json()
        assert me["ok"] and me["result"]["username"] == "duban_test_bot"
    finally:
        process.terminate()
        process.wait(timeout=5)
        if process.stdout is not None:
            process.stdout.close()
