"""Persistence for duban: SQLite through aiosqlite, one writer, repositories of domain objects.

Nothing outside this package writes SQL. Open the database with `await Database.open(path)`.
"""

from storage.db import Database
from storage.errors import StorageError, UnknownUnit
from storage.plans_repo import (
    ImportResult,
    StoredItem,
    StoredPlan,
    get_item,
    import_plan,
    list_items,
    list_plans,
)
from storage.units_repo import StoredUnit, find_unit, list_units, search_units

__all__ = [
    "Database",
    "ImportResult",
    "StorageError",
    "StoredItem",
    "StoredPlan",
    "StoredUnit",
    "UnknownUnit",
    "find_unit",
    "get_item",
    "import_plan",
    "list_items",
    "list_plans",
    "list_units",
    "search_units",
]
