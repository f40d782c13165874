"""Files people and the bot send: what the sandbox keeps of one, and what a message shows of it.

An upload is kept whole as a :class:`StoredFile`; a message carries its Document object or its
PhotoSize list, and the bot downloads the same bytes by ``file_id`` (see ``World.store_file``).
"""

from __future__ import annotations

import mimetypes
from dataclasses import dataclass
from typing import Literal

from .model import JSON

__all__ = ["StoredFile", "guess_mime", "image_size"]


def image_size(data: bytes) -> tuple[int, int]:
    """Width and height of a PNG or JPEG, so PhotoSize looks plausible; (0, 0) if unknown."""
    if data.startswith(b"\x89PNG\r\n\x1a\n") and len(data) >= 24:
        return int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
    if data.startswith(b"\xff\xd8"):
        i = 2
        while i + 9 < len(data):
            if data[i] != 0xFF:
                break
            marker = data[i + 1]
            length = int.from_bytes(data[i + 2 : i + 4], "big")
            if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):
                height = int.from_bytes(data[i + 5 : i + 7], "big")
                width = int.from_bytes(data[i + 7 : i + 9], "big")
                return width, height
            i += 2 + length
    return 0, 0


@dataclass
class StoredFile:
    """A file somebody uploaded; the bot reaches it by ``file_id`` and downloads ``file_path``."""

    file_id: str
    file_unique_id: str
    kind: Literal["document", "photo"]
    data: bytes
    file_name: str | None = None
    mime_type: str | None = None
    width: int = 0
    height: int = 0
    file_path: str | None = None

    def document_json(self) -> JSON:
        """The Document object Telegram puts in a message."""
        doc: JSON = {
            "file_id": self.file_id,
            "file_unique_id": self.file_unique_id,
            "file_size": len(self.data),
        }
        if self.file_name is not None:
            doc["file_name"] = self.file_name
        if self.mime_type is not None:
            doc["mime_type"] = self.mime_type
        return doc

    def photo_json(self) -> list[JSON]:
        """The PhotoSize list; Telegram sends several sizes, the sandbox keeps the original only."""
        return [
            {
                "file_id": self.file_id,
                "file_unique_id": self.file_unique_id,
                "file_size": len(self.data),
                "width": self.width,
                "height": self.height,
            }
        ]


def guess_mime(name: str) -> str:
    """The MIME type a client would give a file of this name."""
    return mimetypes.guess_type(name)[0] or "application/octet-stream"
