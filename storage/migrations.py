"""The schema as an ordered list of versioned migrations, applied with PRAGMA user_version.

A migration is `(version, sql)`. Versions start at 1 and increase by one; a released migration is
never edited, only followed by a new one. Timestamps are TEXT in UTC, `YYYY-MM-DDTHH:MM:SSZ`,
and dates are TEXT `YYYY-MM-DD`, so they sort and compare as strings.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Sequence

import aiosqlite

from storage.errors import StorageError

Migration = tuple[int, str]

SCHEMA_V1 = """
CREATE TABLE plans (
    id            INTEGER PRIMARY KEY,
    title         TEXT NOT NULL,
    year          INTEGER NOT NULL,
    source_name   TEXT NOT NULL,
    content_hash  TEXT NOT NULL,
    default_units TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(default_units)),
    imported_at   TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')),
    updated_at    TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')),
    active        INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
    UNIQUE (title, year)
);

CREATE TABLE sections (
    id       INTEGER PRIMARY KEY,
    plan_id  INTEGER NOT NULL REFERENCES plans (id) ON DELETE CASCADE,
    number   TEXT NOT NULL,
    title    TEXT NOT NULL,
    path     TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(path)),
    position INTEGER NOT NULL
);
CREATE INDEX sections_plan ON sections (plan_id, position);

-- Items are never deleted once imported: reports point at them. An item dropped from a
-- re-imported plan gets removed_at instead. Re-imports renumber seq, so (plan_id, seq) is an
-- index, not a constraint.
CREATE TABLE items (
    id            INTEGER PRIMARY KEY,
    plan_id       INTEGER NOT NULL REFERENCES plans (id),
    section_id    INTEGER REFERENCES sections (id) ON DELETE SET NULL,
    seq           INTEGER NOT NULL,
    number        TEXT NOT NULL,
    path          TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(path)),
    kind          TEXT NOT NULL CHECK (kind IN ('task', 'indicator')),
    title         TEXT NOT NULL,
    text          TEXT NOT NULL,
    deadline      TEXT CHECK (deadline IS NULL OR deadline = date(deadline)),
    deadline_text TEXT NOT NULL DEFAULT '',
    created_at    TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')),
    updated_at    TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')),
    removed_at    TEXT
);
CREATE INDEX items_plan_seq ON items (plan_id, seq);
CREATE INDEX items_section ON items (section_id);

CREATE TABLE units (
    id         INTEGER PRIMARY KEY,
    name       TEXT NOT NULL UNIQUE,
    key        TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
);

-- Every spelling a unit is known by, as plans.documents.units.unit_key(spelling), its own key included,
-- so that resolving a name is one lookup here.
CREATE TABLE unit_aliases (
    alias_key TEXT PRIMARY KEY,
    unit_id   INTEGER NOT NULL REFERENCES units (id) ON DELETE CASCADE
);
CREATE INDEX unit_aliases_unit ON unit_aliases (unit_id);

CREATE TABLE item_units (
    item_id  INTEGER NOT NULL REFERENCES items (id) ON DELETE CASCADE,
    unit_id  INTEGER NOT NULL REFERENCES units (id),
    role     TEXT NOT NULL CHECK (role IN ('lead', 'support')),
    position INTEGER NOT NULL,  -- the order the plan names the units in
    PRIMARY KEY (item_id, unit_id)
);
CREATE INDEX item_units_unit ON item_units (unit_id);

CREATE TABLE targets (
    id       INTEGER PRIMARY KEY,
    item_id  INTEGER NOT NULL REFERENCES items (id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    text     TEXT NOT NULL,
    value    REAL NOT NULL,
    upper    REAL,
    measure  TEXT NOT NULL,
    -- No CHECK on op: its vocabulary is plans.model.TargetOp, which the parser still grows,
    -- and a constraint here would need a table rebuild each time it does.
    op       TEXT NOT NULL
);
CREATE INDEX targets_item ON targets (item_id, position);

CREATE TABLE milestones (
    id       INTEGER PRIMARY KEY,
    item_id  INTEGER NOT NULL REFERENCES items (id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    date     TEXT NOT NULL CHECK (date = date(date)),
    text     TEXT NOT NULL
);
CREATE INDEX milestones_item ON milestones (item_id, position);

-- A person or group chat the bot may talk to. A unit's contact must name its unit.
CREATE TABLE contacts (
    id               INTEGER PRIMARY KEY,
    unit_id          INTEGER REFERENCES units (id),
    role             TEXT NOT NULL
                     CHECK (role IN ('admin', 'coordinator', 'leader', 'contact')),
    telegram_user_id INTEGER,
    chat_id          INTEGER NOT NULL,
    display_name     TEXT NOT NULL DEFAULT '',
    active           INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
    joined_at        TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')),
    CHECK (role <> 'contact' OR unit_id IS NOT NULL)
);
CREATE INDEX contacts_unit ON contacts (unit_id);
CREATE INDEX contacts_user ON contacts (telegram_user_id);

-- Only a hash of the invite token is stored: the database alone can't be used to join.
CREATE TABLE invites (
    id         INTEGER PRIMARY KEY,
    token_hash TEXT NOT NULL UNIQUE,
    unit_id    INTEGER REFERENCES units (id),
    role       TEXT NOT NULL
               CHECK (role IN ('admin', 'coordinator', 'leader', 'contact')),
    created_by INTEGER NOT NULL,  -- Telegram user id
    created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')),
    expires_at TEXT NOT NULL,
    used_at    TEXT,
    used_by    INTEGER,           -- Telegram user id
    CHECK ((used_at IS NULL) = (used_by IS NULL)),
    CHECK (role <> 'contact' OR unit_id IS NOT NULL)
);

-- Progress replies. No cascade from items: a report outlives any re-import of its plan.
CREATE TABLE reports (
    id            INTEGER PRIMARY KEY,
    item_id       INTEGER NOT NULL REFERENCES items (id),
    unit_id       INTEGER NOT NULL REFERENCES units (id),
    contact_id    INTEGER REFERENCES contacts (id),
    status        TEXT NOT NULL
                  CHECK (status IN ('not_started', 'in_progress', 'done', 'blocked')),
    percent       REAL CHECK (percent IS NULL OR percent BETWEEN 0 AND 100),
    text          TEXT NOT NULL DEFAULT '',
    expected_date TEXT CHECK (expected_date IS NULL OR expected_date = date(expected_date)),
    chat_id       INTEGER,
    message_id    INTEGER,
    created_at    TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')),
    updated_at    TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')),
    superseded_by INTEGER REFERENCES reports (id)
);
CREATE INDEX reports_item_unit ON reports (item_id, unit_id, created_at);

CREATE TABLE nudges (
    id         INTEGER PRIMARY KEY,
    unit_id    INTEGER NOT NULL REFERENCES units (id),
    item_id    INTEGER REFERENCES items (id),
    kind       TEXT NOT NULL,
    due_on     TEXT NOT NULL CHECK (due_on = date(due_on)),
    state      TEXT NOT NULL DEFAULT 'pending'
               CHECK (state IN ('pending', 'sent', 'failed', 'skipped')),
    chat_id    INTEGER,
    message_id INTEGER,
    created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')),
    sent_at    TEXT
);
-- One nudge per (unit, item, kind, day). A plain UNIQUE would let unit-wide nudges
-- (item_id NULL) repeat, since SQLite treats NULLs as distinct; ifnull() closes that hole.
CREATE UNIQUE INDEX nudges_once ON nudges (unit_id, ifnull(item_id, 0), kind, due_on);
CREATE INDEX nudges_state ON nudges (state, due_on);
"""

# v2: what the bot needs to talk to people — one membership per chat, who reported what and
# from which message, evidence files, the bot messages a reply can refer to, drafts of replies
# waiting for "which item?", and nudge batches (one message per unit per pass).
SCHEMA_V2 = """
ALTER TABLE contacts ADD COLUMN blocked_at TEXT;
CREATE UNIQUE INDEX contacts_once ON contacts (ifnull(unit_id, 0), role, chat_id);
CREATE INDEX contacts_chat ON contacts (chat_id);

ALTER TABLE item_units ADD COLUMN assigned_at TEXT;

ALTER TABLE reports ADD COLUMN value REAL;
ALTER TABLE reports ADD COLUMN measure TEXT;
ALTER TABLE reports ADD COLUMN source TEXT NOT NULL DEFAULT 'command';
ALTER TABLE reports ADD COLUMN reporter_user_id INTEGER;
ALTER TABLE reports ADD COLUMN reporter_name TEXT NOT NULL DEFAULT '';
CREATE INDEX reports_message ON reports (chat_id, message_id);
CREATE INDEX reports_current ON reports (item_id, superseded_by, created_at);

CREATE TABLE evidence (
    id             INTEGER PRIMARY KEY,
    report_id      INTEGER NOT NULL REFERENCES reports (id),
    kind           TEXT NOT NULL CHECK (kind IN ('photo', 'document')),
    file_id        TEXT NOT NULL,
    file_unique_id TEXT NOT NULL DEFAULT '',
    file_name      TEXT NOT NULL DEFAULT '',
    mime_type      TEXT NOT NULL DEFAULT '',
    file_size      INTEGER,
    created_at     TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
);
CREATE INDEX evidence_report ON evidence (report_id);

-- Every bot message a person may reply to, and what it was about.
CREATE TABLE bot_messages (
    chat_id    INTEGER NOT NULL,
    message_id INTEGER NOT NULL,
    kind       TEXT NOT NULL CHECK (kind IN ('nudge', 'confirm', 'ask', 'escalation', 'other')),
    unit_id    INTEGER REFERENCES units (id),
    item_ids   TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(item_ids)),
    report_id  INTEGER REFERENCES reports (id),
    created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')),
    PRIMARY KEY (chat_id, message_id)
);

-- A reply duban could not tie to an item waits here until the person picks the item.
CREATE TABLE drafts (
    id         INTEGER PRIMARY KEY,
    chat_id    INTEGER NOT NULL,
    user_id    INTEGER,
    message_id INTEGER,
    text       TEXT NOT NULL,
    created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')),
    used_at    TEXT
);

-- One message per unit per pass; its nudges point at it.
CREATE TABLE nudge_batches (
    id         INTEGER PRIMARY KEY,
    unit_id    INTEGER NOT NULL REFERENCES units (id),
    created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')),
    sent_at    TEXT,
    recipients INTEGER NOT NULL DEFAULT 0
);
ALTER TABLE nudges ADD COLUMN batch_id INTEGER REFERENCES nudge_batches (id);
ALTER TABLE nudges ADD COLUMN about TEXT;
CREATE INDEX nudges_unit_state ON nudges (unit_id, state);
"""

# v3: the weekly digest, once per week whatever restarts or cron runs happen.
SCHEMA_V3 = """
CREATE TABLE digests (
    id         INTEGER PRIMARY KEY,
    week       TEXT NOT NULL UNIQUE,  -- ISO week of the digest, e.g. 2023-W47
    created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')),
    sent_at    TEXT,
    recipients INTEGER NOT NULL DEFAULT 0,
    headline   TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(headline))
);
"""

# v4: version numbers of the catalog (plans, items, units and who is responsible for what) and
# of the people (contacts), bumped by triggers in the same transaction as any change, by any
# process. The bot keeps both in memory and reloads one only when its number moves: replies
# read them on every message, they change only on imports, assignments and joins.
_VERSIONED = {
    "catalog": ("plans", "sections", "items", "units", "unit_aliases", "item_units", "targets",
                "milestones"),
    "people": ("contacts",),
}  # fmt: skip
SCHEMA_V4 = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL);
INSERT INTO meta (key, value) VALUES ('catalog_version', 0), ('people_version', 0);
-- the status views read reports incrementally: new ones by id, superseded ones by updated_at
CREATE INDEX reports_updated ON reports (updated_at);
""" + "".join(
    f"""
CREATE TRIGGER {table}_{event.lower()}_bumps_{key} AFTER {event} ON {table}
BEGIN
    UPDATE meta SET value = value + 1 WHERE key = '{key}_version';
END;
"""
    for key, tables in _VERSIONED.items()
    for table in tables
    for event in ("INSERT", "UPDATE", "DELETE")
)

# v5: the import review. What the importer read but did not take as items (Plan.skipped) and
# its warnings (Plan.warnings), kept with the plan so /review can show them later: everything
# else the review says is recomputed from what is stored now. (A coordinator's assignment is
# told from the document's by item_units.assigned_at, set by /assign since v2; re-imports keep
# those rows.)
SCHEMA_V5 = """
ALTER TABLE plans ADD COLUMN warnings TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(warnings));
ALTER TABLE plans ADD COLUMN skipped TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(skipped));
"""

# v6: the 督办 workflow. A unit's "done" waits for a coordinator's 销号 (reports.signoff:
# pending → signed, or returned with a reason); a unit asks for more time (extensions: pending →
# granted or refused), and a granted one moves that unit's deadline for the item. Extensions are
# part of the catalog (they change deadlines): the catalog version moves with them. A
# coordinator's next message may be an answer the bot asked for (awaiting_input: the reason for
# sending a report back), kept here so a restart does not lose the question.
SCHEMA_V6 = """
ALTER TABLE reports ADD COLUMN signoff TEXT
    CHECK (signoff IS NULL OR signoff IN ('pending', 'signed', 'returned'));
ALTER TABLE reports ADD COLUMN signoff_at TEXT;
ALTER TABLE reports ADD COLUMN signoff_by INTEGER;
ALTER TABLE reports ADD COLUMN signoff_note TEXT NOT NULL DEFAULT '';
CREATE INDEX reports_signoff_pending ON reports (created_at) WHERE signoff = 'pending';

CREATE TABLE extensions (
    id             INTEGER PRIMARY KEY,
    item_id        INTEGER NOT NULL REFERENCES items (id),
    unit_id        INTEGER NOT NULL REFERENCES units (id),
    contact_id     INTEGER REFERENCES contacts (id),
    requester_name TEXT NOT NULL DEFAULT '',
    old_deadline   TEXT CHECK (old_deadline IS NULL OR old_deadline = date(old_deadline)),
    new_deadline   TEXT NOT NULL CHECK (new_deadline = date(new_deadline)),
    phrase         TEXT NOT NULL DEFAULT '',
    reason         TEXT NOT NULL DEFAULT '',
    state          TEXT NOT NULL DEFAULT 'pending'
                   CHECK (state IN ('pending', 'granted', 'refused')),
    created_at     TEXT NOT NULL,
    decided_at     TEXT,
    decided_by     INTEGER,
    CHECK ((state = 'pending') = (decided_at IS NULL))
);
CREATE INDEX extensions_item_unit ON extensions (item_id, unit_id, state);

CREATE TABLE awaiting_input (
    chat_id    INTEGER NOT NULL,
    user_id    INTEGER NOT NULL,
    kind       TEXT NOT NULL CHECK (kind IN ('return_reason')),
    ref        INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    PRIMARY KEY (chat_id, user_id)
);
""" + "".join(
    f"""
CREATE TRIGGER extensions_{event.lower()}_bumps_catalog AFTER {event} ON extensions
BEGIN
    UPDATE meta SET value = value + 1 WHERE key = 'catalog_version';
END;
"""
    for event in ("INSERT", "UPDATE", "DELETE")
)

# v7: claims, so that two passes at once (the bot's scheduler and a cron `duban send-due`, or two
# digests) never send the same thing twice, and a crash repeats only what was in flight. A pass
# claims a unit's pending nudges (claimed_by, claimed_at: a lease; a crashed claimer's run out and
# the next pass takes them over) and notes in nudge_deliveries, per nudge and chat, that a
# request is on its way ('sending', with the chunks already delivered) before it goes and that
# it arrived ('sent') right after; 'stopped' when the Bot API refused it. The digest's row is its
# claim, with the chats it already reached.
SCHEMA_V7 = """
ALTER TABLE nudges ADD COLUMN claimed_by TEXT;
ALTER TABLE nudges ADD COLUMN claimed_at TEXT;
CREATE TABLE nudge_deliveries (
    nudge_id    INTEGER NOT NULL REFERENCES nudges (id) ON DELETE CASCADE,
    chat_id     INTEGER NOT NULL,
    state       TEXT NOT NULL CHECK (state IN ('sending', 'sent', 'stopped')),
    claimed_by  TEXT NOT NULL,
    fingerprint TEXT NOT NULL,  -- of the composed message, to resume it where it stopped
    chunks_done INTEGER NOT NULL DEFAULT 0,
    message_ids TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(message_ids)),
    updated_at  TEXT NOT NULL,
    PRIMARY KEY (nudge_id, chat_id)
) WITHOUT ROWID;
ALTER TABLE digests ADD COLUMN claimed_by TEXT;
ALTER TABLE digests ADD COLUMN claimed_at TEXT;
ALTER TABLE digests ADD COLUMN delivered TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(delivered));
"""

MIGRATIONS: tuple[Migration, ...] = (
    (1, SCHEMA_V1),
    (2, SCHEMA_V2),
    (3, SCHEMA_V3),
    (4, SCHEMA_V4),
    (5, SCHEMA_V5),
    (6, SCHEMA_V6),
    (7, SCHEMA_V7),
)


def latest_version(migrations: Sequence[Migration]) -> int:
    """The schema version a database has once every migration has run."""
    return migrations[-1][0] if migrations else 0


def check_migrations(migrations: Sequence[Migration]) -> None:
    """Refuse a migration list whose versions are not 1, 2, 3, … in order."""
    for expected, (version, _sql) in enumerate(migrations, start=1):
        if version != expected:
            raise StorageError(
                f"migration versions must run 1, 2, 3, …; found {version} where {expected} belongs"
            )


async def migrate(conn: aiosqlite.Connection, migrations: Sequence[Migration]) -> int:
    """Bring the database on `conn` up to the last version in `migrations`; return it.

    `conn` must be in autocommit mode (isolation_level=None) and outside a transaction. All
    pending migrations run in one transaction, so a failed upgrade leaves the database exactly
    at its old version.
    """
    check_migrations(migrations)
    latest = latest_version(migrations)
    current = await user_version(conn)
    _refuse_newer(current, latest)
    if current == latest:
        return current

    # A migration that rebuilds a table (the SQLite way to change a column) drops the old
    # table, which with foreign keys on would cascade-delete or reject the rows pointing at it.
    # SQLite ignores this pragma inside a transaction, so it is switched off around it, and
    # foreign_key_check proves the result consistent before commit.
    await conn.execute("PRAGMA foreign_keys = OFF")
    try:
        await conn.execute("BEGIN IMMEDIATE")
        try:
            # Re-read under the write lock: another process may have migrated meanwhile.
            current = await user_version(conn)
            _refuse_newer(current, latest)
            for version, sql in migrations:
                if version <= current:
                    continue
                try:
                    for statement in split_statements(sql):
                        await conn.execute(statement)
                except sqlite3.Error as exc:
                    raise StorageError(
                        f"migration to schema version {version} failed: {exc}"
                    ) from exc
                # user_version takes no bound parameter; version is a checked int.
                await conn.execute(f"PRAGMA user_version = {int(version)}")
            problems = await conn.execute_fetchall("PRAGMA foreign_key_check")
            if list(problems):
                raise StorageError(
                    f"migration to schema version {latest} left broken foreign keys: "
                    f"{[tuple(row) for row in problems]}"
                )
            await conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:
                await conn.execute("ROLLBACK")
            raise
    finally:
        await conn.execute("PRAGMA foreign_keys = ON")
    return latest


async def user_version(conn: aiosqlite.Connection) -> int:
    """The schema version recorded in the database file (0 for a new file)."""
    rows = list(await conn.execute_fetchall("PRAGMA user_version"))
    return int(rows[0][0])


def split_statements(sql: str) -> Iterable[str]:
    """Split a migration script into single statements.

    executescript() would be simpler but commits any open transaction first, which would
    break the all-or-nothing upgrade. sqlite3.complete_statement knows about strings,
    comments and trigger bodies, so a `;` inside those does not split.
    """
    pending = ""
    for piece in sql.split(";"):
        pending += piece + ";"
        if sqlite3.complete_statement(pending):
            statement = pending.strip()
            pending = ""
            if _has_code(statement):
                yield statement
    if _has_code(pending.rstrip(";")):
        raise StorageError(f"incomplete SQL statement at the end of a migration: {pending!r}")


def _has_code(statement: str) -> bool:
    """Whether a fragment holds anything but comments, whitespace and semicolons."""
    lines = (line.split("--", 1)[0] for line in statement.splitlines())
    return any(line.strip(" \t;") for line in lines)


def _refuse_newer(current: int, latest: int) -> None:
    if current > latest:
        raise StorageError(
            f"database schema version {current} is newer than this duban ({latest}); upgrade duban"
        )
