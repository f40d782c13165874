"""HTTP endpoints under ``/_sandbox/`` that act as people and read the sandbox state.

Tests use the Python API directly; these are for driving a standalone sandbox
(``python -m sandbox``) from another process, e.g. a demo or a shell with curl:

    POST /_sandbox/users                      {"first_name", "username"?, "user_id"?, "started"?}
    POST /_sandbox/groups                     {"title", "member_ids"?, "admin_ids"?, "supergroup"?}
    POST /_sandbox/users/{id}/send            {"text", "chat_id"?, "reply_to_message_id"?}
    POST /_sandbox/users/{id}/edit            {"chat_id"?, "message_id", "text"}
    POST /_sandbox/users/{id}/press           {"chat_id"?, "message_id", "callback_data"?, "text"?}
    POST /_sandbox/users/{id}/document        multipart "document" file, or JSON
                                              {"file_name", "content_base64"}; "caption"?, "chat_id"?
    POST /_sandbox/users/{id}/photo           like document, file field "photo"
    POST /_sandbox/users/{id}/block|unblock
    GET  /_sandbox/chats/{id}/messages?after=N&wait=S   (waits up to S s for a newer message)
    GET  /_sandbox/calls?method=M&limit=N
    GET  /_sandbox/stats
    GET|POST /_sandbox/limits                 {"global"|"private"|"group": [count, period] | null}
    POST /_sandbox/faults                     {"kind": "error"|"drop"|"latency", "method"?, ...}
    DELETE /_sandbox/faults
    GET  /_sandbox/files/{file_id}
    GET  /_sandbox/commands?scope=<json>&language_code=xx

Answers are ``{"ok": true, "result": ...}`` or ``{"ok": false, "description": ...}`` (400).
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Awaitable, Callable
from dataclasses import asdict
from typing import TYPE_CHECKING, Any

from aiohttp import web

from .limits import Limit
from .model import JSON, ApiError
from .params import Params

if TYPE_CHECKING:
    from .people import SandboxChat, SandboxUser
    from .server import BotApiSandbox

__all__ = ["add_control_routes"]

_Handler = Callable[[web.Request], Awaitable[Any]]


def _ok(result: Any) -> web.Response:
    return web.Response(
        text=json.dumps({"ok": True, "result": result}, ensure_ascii=False, default=str),
        content_type="application/json",
    )


def _fail(description: str, status: int = 400) -> web.Response:
    return web.Response(
        text=json.dumps({"ok": False, "description": description}, ensure_ascii=False),
        status=status,
        content_type="application/json",
    )


def _wrap(handler: _Handler) -> Callable[[web.Request], Awaitable[web.Response]]:
    # Mistakes in control requests are the caller's: answer 400 with the reason.
    async def wrapped(request: web.Request) -> web.Response:
        try:
            return _ok(await handler(request))
        except ApiError as exc:
            return _fail(exc.description, exc.status)
        except (ValueError, LookupError, TypeError) as exc:
            return _fail(f"{type(exc).__name__}: {exc}")

    return wrapped


def _limit(value: Any) -> Limit | None:
    if value is None:
        return None
    count, period = value
    return Limit(int(count), float(period))


def add_control_routes(app: web.Application, sandbox: BotApiSandbox) -> None:
    """Register the ``/_sandbox/`` endpoints for ``sandbox`` on ``app``."""
    world = sandbox.world

    def user_of(request: web.Request) -> SandboxUser:
        user_id = int(request.match_info["user_id"])
        if user_id not in world.users:
            raise LookupError(f"no user {user_id}; create one with POST /_sandbox/users")
        return world.users[user_id]

    def chat_of(params: Params, user: SandboxUser) -> SandboxChat:
        chat_id = params.get_int("chat_id")
        return world.chat(chat_id, user)

    def reply_ref(params: Params, chat: SandboxChat) -> JSON | None:
        message_id = params.get_int("reply_to_message_id")
        return None if message_id is None else {"chat_id": chat.id, "message_id": message_id}

    async def summary(request: web.Request) -> JSON:
        return {
            "root": sandbox.root,
            "bot": world.bot_json(),
            "users": [u.to_json() for u in world.users.values()],
            "groups": [g.to_json() for g in world.groups.values()],
            "pending_updates": len(world.updates),
        }

    async def create_user(request: web.Request) -> JSON:
        p = await Params.from_request(request)
        user = sandbox.create_user(
            p.get_str("first_name") or "用户",
            user_id=p.get_int("user_id"),
            last_name=p.get_str("last_name"),
            username=p.get_str("username"),
            started=p.get_bool("started"),
        )
        return user.to_json()

    async def create_group(request: web.Request) -> JSON:
        p = await Params.from_request(request)
        members = p.get_json("member_ids", error="member_ids must be a JSON array") or []
        admins = p.get_json("admin_ids", error="admin_ids must be a JSON array") or []
        chat = sandbox.create_group(
            p.get_str("title") or "群组",
            [sandbox.user(int(i)) for i in members],
            admins=[sandbox.user(int(i)) for i in admins],
            supergroup=p.get_bool("supergroup"),
            bot_is_admin=p.get_bool("bot_is_admin"),
        )
        return chat.to_json()

    async def send(request: web.Request) -> JSON:
        user, p = user_of(request), await Params.from_request(request)
        chat = chat_of(p, user)
        text = p.get_str("text")
        if not text:
            raise ValueError("text is required")
        return user.send_text(chat, text, reply_to=reply_ref(p, chat))

    async def edit(request: web.Request) -> JSON:
        user, p = user_of(request), await Params.from_request(request)
        chat = chat_of(p, user)
        ref = {"chat_id": chat.id, "message_id": p.get_int("message_id")}
        return user.edit(ref, p.get_str("text") or "")

    async def press(request: web.Request) -> JSON:
        user, p = user_of(request), await Params.from_request(request)
        chat = chat_of(p, user)
        ref = {"chat_id": chat.id, "message_id": p.get_int("message_id")}
        return user.press(ref, p.get_str("callback_data"), text=p.get_str("text"))

    async def file_content(p: Params, field: str) -> tuple[str, bytes]:
        upload = p.upload(field)
        if upload is not None:
            return upload.file_name or field, upload.data
        encoded = p.get_str("content_base64")
        if encoded is None:
            raise ValueError(f"send a multipart file field {field!r} or content_base64")
        try:
            return p.get_str("file_name") or field, base64.b64decode(encoded, validate=True)
        except binascii.Error as exc:
            raise ValueError(f"content_base64 is not base64: {exc}") from None

    async def document(request: web.Request) -> JSON:
        user, p = user_of(request), await Params.from_request(request)
        chat = chat_of(p, user)
        name, data = await file_content(p, "document")
        return user.upload_document(name, data, p.get_str("caption"), reply_ref(p, chat), chat=chat)

    async def photo(request: web.Request) -> JSON:
        user, p = user_of(request), await Params.from_request(request)
        chat = chat_of(p, user)
        _, data = await file_content(p, "photo")
        return user.send_photo(data, p.get_str("caption"), reply_ref(p, chat), chat=chat)

    async def block(request: web.Request) -> JSON:
        user = user_of(request)
        user.block_bot()
        return user.to_json()

    async def unblock(request: web.Request) -> JSON:
        user = user_of(request)
        user.unblock_bot()
        return user.to_json()

    async def messages(request: web.Request) -> list[JSON]:
        chat = world.chat(int(request.match_info["chat_id"]))
        after = int(request.query.get("after", "0"))
        wait = min(60.0, float(request.query.get("wait", "0")))

        def newer() -> list[JSON] | None:
            found = [m for m in chat.messages_json() if m["message_id"] > after]
            return found or None

        if wait > 0:
            try:
                return await world.wait_until(newer, wait)
            except TimeoutError:
                return []
        return newer() or []

    async def calls(request: web.Request) -> list[JSON]:
        method = request.query.get("method")
        limit = int(request.query.get("limit", "100"))
        found = sandbox.calls_to(method) if method else sandbox.calls
        return [asdict(c) for c in found[-limit:]]

    async def stats(request: web.Request) -> JSON:
        current = sandbox.stats
        # Not asdict(): it rebuilds Counters from (key, value) pairs and miscounts them.
        return {
            "calls": current.calls,
            "too_many_requests": current.too_many_requests,
            "rate_limited": current.rate_limited,
            "injected": current.injected,
            "dropped": current.dropped,
            "by_status": dict(current.by_status),
            "by_method": dict(current.by_method),
        }

    async def limits(request: web.Request) -> JSON:
        if request.method == "POST":
            body = await request.json()
            if "global" in body:
                sandbox.limits.global_limit = _limit(body["global"])
            if "private" in body:
                sandbox.limits.private_chat = _limit(body["private"])
            if "group" in body:
                sandbox.limits.group_chat = _limit(body["group"])
        return asdict(sandbox.limits)

    async def faults(request: web.Request) -> JSON:
        if request.method == "DELETE":
            sandbox.clear_faults()
            return {}
        body = await request.json()
        kind = body.get("kind", "error")
        method = body.get("method")
        if kind == "error":
            sandbox.inject(
                method,
                int(body.get("status", 500)),
                int(body.get("count", 1)),
                description=body.get("description"),
                retry_after=body.get("retry_after"),
            )
        elif kind == "drop":
            sandbox.drop_connections(
                int(body.get("count", 1)),
                method,
                after_processing=bool(body.get("after_processing", False)),
            )
        elif kind == "latency":
            sandbox.set_latency(float(body.get("seconds", 0)), method)
        else:
            raise ValueError(f"unknown fault kind {kind!r}")
        return body  # type: ignore[no-any-return]

    async def file(request: web.Request) -> web.Response:
        try:
            data = sandbox.file_bytes(request.match_info["file_id"])
        except KeyError:
            return _fail("no such file", 404)
        return web.Response(body=data, content_type="application/octet-stream")

    async def commands(request: web.Request) -> list[JSON]:
        scope = request.query.get("scope")
        return sandbox.commands(
            json.loads(scope) if scope else None, request.query.get("language_code", "")
        )

    routes: list[tuple[str, str, _Handler]] = [
        ("GET", "", summary),
        ("GET", "/", summary),
        ("POST", "/users", create_user),
        ("POST", "/groups", create_group),
        ("POST", "/users/{user_id}/send", send),
        ("POST", "/users/{user_id}/edit", edit),
        ("POST", "/users/{user_id}/press", press),
        ("POST", "/users/{user_id}/document", document),
        ("POST", "/users/{user_id}/photo", photo),
        ("POST", "/users/{user_id}/block", block),
        ("POST", "/users/{user_id}/unblock", unblock),
        ("GET", "/chats/{chat_id}/messages", messages),
        ("GET", "/calls", calls),
        ("GET", "/stats", stats),
        ("GET", "/limits", limits),
        ("POST", "/limits", limits),
        ("POST", "/faults", faults),
        ("DELETE", "/faults", faults),
        ("GET", "/commands", commands),
    ]
    for verb, path, handler in routes:
        app.router.add_route(verb, f"/_sandbox{path}", _wrap(handler))
    app.router.add_route("GET", "/_sandbox/files/{file_id}", file)
