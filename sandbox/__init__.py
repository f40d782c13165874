"""A Telegram Bot API sandbox: a loopback HTTP server that stands in for api.telegram.org.

The real python-telegram-bot ``Application`` talks to it over HTTP (``DUBAN_BOT_API_URL`` set to
``sandbox.root``); tests act as people through :class:`SandboxUser` and read what the bot sent.
It behaves like Telegram where duban depends on it -- HTML parse mode, length limits, 64-byte
callback data, offset confirmation and long polling, flood limits with ``retry_after``, 403 for
blocked users, privacy mode in groups -- and injects faults (5xx, latency, dropped connections).

    async with BotApiSandbox(token="123:ABC") as sb:     # sb.root = "http://127.0.0.1:PORT"
        app = (Application.builder().token(sb.token)
               .base_url(sb.base_url).base_file_url(sb.base_file_url).build())
        ...                                               # start polling
        alice = sb.create_user("张三")                     # SandboxUser
        alice.open_link(sb.deep_link("invite-token"))     # = alice.start("invite-token")
        reply = await sb.wait_for_message(alice)          # SentMessage dict
        alice.reply(reply, "推进中")
        alice.press(reply, "done:4")                      # CallbackQuery; sb.answers[id]
        sent = alice.send_text("完成60%")                   # Telegram Message dict
        alice.edit(sent, "完成70%")                         # edited_message update
        alice.upload_document("台账.xlsx", data, caption="证明")
        alice.block_bot()                                 # sends now get 403
        group = sb.create_group("高新处", [alice])         # negative id, bot is a member

People: ``send_text(chat, text)`` / ``send_text(text)``, ``send_command``, ``start``,
``open_link``, ``reply``, ``edit``, ``press``, ``upload_document``, ``send_photo``,
``block_bot``/``unblock_bot``, ``deactivate``. A user created without ``started=True`` has not
pressed Start, so the bot cannot write to them yet (403, as in Telegram). A button pressed on a
message older than 48 h (by ``clock``; or ``press(..., inaccessible=True)``) brings the bot an
InaccessibleMessage, and such a message cannot be quoted. ``sb.migrate_group(group)`` upgrades a
group to a supergroup: new ``-100…`` id, both service messages, and 400 with
``migrate_to_chat_id`` for the old id.

Reading: ``sent(chat)``, ``messages(chat)``, ``wait_for_message``, ``wait_for``, ``calls`` /
``calls_to(method)`` (every request: method, params, status), ``stats`` (429s issued, injected,
dropped, by status and method), ``answers``, ``commands(scope)``, ``visible_commands(chat, user)``,
``file_bytes(file_id)``, ``pending_updates``, ``errors`` (exceptions inside the sandbox).

Limits and faults: ``sb.limits.global_limit / private_chat / group_chat`` (a :class:`Limit` or
``None``), ``inject(method, status, count)``, ``set_latency(seconds, method)``,
``drop_connections(count, method, after_processing=False)``, ``stall(count, method, seconds=)``
(answer late, past a client's timeout, yet take effect), ``clear_faults()``.

Standalone: ``python -m sandbox --port 8081 --token 123:ABC`` prints the root URL; people are
then driven over HTTP under ``/_sandbox/`` (see :mod:`sandbox.control`).

Modules: ``server`` (the class, HTTP) with ``reading`` and ``faults`` · ``world`` (all state),
``people`` (users and chats), ``actions`` (what they do), ``messages``, ``files`` · ``methods``
(the Bot API) with ``validation`` and ``sending`` · ``webhook``, ``webhook_delivery`` ·
``limits``, ``html`` (parse mode), ``params``, ``model``, ``control``.
"""

from .html import HtmlParseError, parse_html
from .limits import Limit, Limits
from .model import ApiCall, ApiError, MessageVersion, SentMessage, Stats
from .server import DOWNLOAD_METHOD, BotApiSandbox
from .world import SandboxChat, SandboxUser

__all__ = [
    "DOWNLOAD_METHOD",
    "ApiCall",
    "ApiError",
    "BotApiSandbox",
    "HtmlParseError",
    "Limit",
    "Limits",
    "MessageVersion",
    "SandboxChat",
    "SandboxUser",
    "SentMessage",
    "Stats",
    "parse_html",
]
