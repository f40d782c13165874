"""Shared pytest fixtures."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from storage.db import Database


@pytest.fixture
async def fresh_db(tmp_path: Path) -> AsyncIterator[Database]:
    """A new, fully migrated database in a real SQLite file of its own."""
    db = await Database.open(tmp_path / "duban.sqlite3")
    try:
        yield db
    finally:
        await db.close()
