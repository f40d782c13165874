"""Reading Bot API parameters the way Telegram does: from the query string, a JSON body,
a form-urlencoded body or a multipart body, with every value possibly a string.

python-telegram-bot sends form-urlencoded bodies whose non-string values are JSON-encoded
(``reply_markup='{"inline_keyboard": ...}'``, ``chat_id='42'``) and switches to multipart when a
file is uploaded; other clients send JSON. The typed getters below accept all of these.
"""

from __future__ import annotations

import contextlib
import json
from dataclasses import dataclass
from typing import Any

from aiohttp import web

from .model import JSON, ApiError, bad_request

__all__ = ["Params", "Upload"]

_TRUE = frozenset({"true", "1", "yes", "on"})


@dataclass(frozen=True)
class Upload:
    """A file part of a multipart request."""

    file_name: str | None
    content_type: str | None
    data: bytes


class Params:
    """The parameters of one Bot API call, with Telegram-style coercion."""

    def __init__(self, values: dict[str, Any], uploads: dict[str, Upload] | None = None) -> None:
        self.values = values
        self.uploads = uploads or {}

    @classmethod
    async def from_request(cls, request: web.Request) -> Params:
        """Collect query-string and body parameters; the body wins on a clash."""
        values: dict[str, Any] = dict(request.query)
        uploads: dict[str, Upload] = {}
        if request.body_exists:
            content_type = request.content_type
            try:
                if content_type == "application/json":
                    try:
                        body = await request.json()
                    except ValueError as exc:
                        raise bad_request(f"can't parse JSON encoded request: {exc}") from exc
                    if not isinstance(body, dict):
                        raise bad_request("JSON request body must be an object")
                    values.update(body)
                elif content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
                    form = await request.post()
                    for name, value in form.items():
                        if isinstance(value, web.FileField):
                            uploads[name] = Upload(
                                value.filename, value.content_type, value.file.read()
                            )
                        else:
                            values[name] = value
            except web.HTTPRequestEntityTooLarge as exc:
                raise ApiError(413, "Request Entity Too Large") from exc
        return cls(values, uploads)

    def has(self, name: str) -> bool:
        """Whether the parameter was given at all."""
        return name in self.values or name in self.uploads

    def get_str(self, name: str) -> str | None:
        """A string parameter; JSON-typed values are turned back into text."""
        value = self.values.get(name)
        if value is None or isinstance(value, str):
            return value
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, int | float):
            return str(value)
        return json.dumps(value, ensure_ascii=False)

    def get_int(self, name: str, *, error: str | None = None) -> int | None:
        """An integer parameter; a value that is not one gives 400 ``error``."""
        value = self.values.get(name)
        if value is None or value == "":
            return None
        if isinstance(value, bool):
            return int(value)
        if isinstance(value, int):
            return value
        try:
            return int(str(value).strip())
        except ValueError:
            raise bad_request(error or f"invalid {name} specified") from None

    def get_float(self, name: str) -> float | None:
        """A number parameter (``timeout`` may be fractional when sent by other clients)."""
        value = self.values.get(name)
        if value is None or value == "":
            return None
        try:
            return float(value)
        except (TypeError, ValueError):
            raise bad_request(f"invalid {name} specified") from None

    def get_bool(self, name: str) -> bool:
        """A boolean parameter; absent means false."""
        value = self.values.get(name)
        if isinstance(value, str):
            return value.strip().lower() in _TRUE
        return bool(value)

    def get_json(self, name: str, *, error: str) -> Any:
        """An object or array parameter, JSON-decoded when it arrived as a string."""
        value = self.values.get(name)
        if isinstance(value, str):
            if not value:
                return None
            try:
                return json.loads(value)
            except ValueError:
                raise bad_request(error) from None
        return value

    def upload(self, name: str) -> Upload | None:
        """The file uploaded for ``name``, directly or through an ``attach://`` reference."""
        if name in self.uploads:
            return self.uploads[name]
        value = self.values.get(name)
        if isinstance(value, str) and value.startswith("attach://"):
            attached = self.uploads.get(value.removeprefix("attach://"))
            if attached is None:
                raise bad_request(f"can't find attached file {value!r}")
            return attached
        return None

    def loggable(self) -> JSON:
        """Parameters for the call log: decoded where possible, files as name and size."""
        logged: JSON = {}
        for name, value in self.values.items():
            if isinstance(value, str) and value[:1] in ("{", "["):
                with contextlib.suppress(ValueError):
                    value = json.loads(value)
            logged[name] = value
        for name, upload in self.uploads.items():
            logged[name] = {"file_name": upload.file_name, "size": len(upload.data)}
        return logged
