"""Exceptions raised by storage/."""

from __future__ import annotations


class StorageError(Exception):
    """Base class of every error storage/ raises on purpose."""


class UnknownUnit(StorageError, LookupError):
    """No unit is known by this name or any of its aliases."""

    def __init__(self, name: str) -> None:
        super().__init__(f"unknown unit: {name!r}")
        self.name = name
