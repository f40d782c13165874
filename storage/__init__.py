"""Persistence for duban: SQLite through aiosqlite, one writer, repositories of domain objects.

Nothing outside this package writes SQL. Open the database with `await Database.open(path)`.
"""

from storage.db import Database
from storage.errors import StorageError, UnknownUnit
from storage.plan_import import ImportResult, import_plan
from storage.plans_repo import (
    StoredItem,
    StoredPlan,
    get_item,
    items_by_ids,
    list_items,
    list_plans,
    unassigned_items,
    unit_item_ids,
)
from storage.units_repo import (
    UNIT_NAME_MAX,
    MergeResult,
    RenameResult,
    StoredUnit,
    UnitChangeRefused,
    add_unit,
    assign_units,
    find_unit,
    list_units,
    match_unit,
    merge_units,
    rename_unit,
    search_units,
)

__all__ = [
    "UNIT_NAME_MAX",
    "Database",
    "ImportResult",
    "MergeResult",
    "RenameResult",
    "StorageError",
    "StoredItem",
    "StoredPlan",
    "StoredUnit",
    "UnitChangeRefused",
    "UnknownUnit",
    "add_unit",
    "assign_units",
    "find_unit",
    "get_item",
    "import_plan",
    "items_by_ids",
    "list_items",
    "list_plans",
    "list_units",
    "match_unit",
    "merge_units",
    "rename_unit",
    "search_units",
    "unassigned_items",
    "unit_item_ids",
]
