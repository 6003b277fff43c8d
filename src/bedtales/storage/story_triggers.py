"""The SQLite triggers that write the change stream (``story_changes``) for ``stories``.

PostgreSQL's trigger (migration 0002) takes the whole row with ``to_jsonb``; SQLite's must
list the columns, so a migration that adds a stories column makes them again with its own
list (0006, 0007). The functions are shared; each migration keeps its own list of columns.
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

JSON_COLUMNS = frozenset({"characters", "plan"})
SQLITE_NOW = "strftime('%Y-%m-%d %H:%M:%f000', 'now')"
TRIGGERS = ("insert", "modify", "remove")


def _sqlite_image(row: str, columns: Sequence[str]) -> str:
    pairs = []
    for column in columns:
        value = f"json({row}.{column})" if column in JSON_COLUMNS else f"{row}.{column}"
        pairs.append(f"'{column}', {value}")
    household = f"(SELECT name FROM households WHERE id = {row}.household_id)"
    pairs.append(f"'household', {household}")
    return f"json_object({', '.join(pairs)})"


def _sqlite_trigger(name: str, when: str, event: str, new: str, old: str, key: str) -> str:
    return (
        f"CREATE TRIGGER {name} AFTER {when} ON stories {event} BEGIN "
        "INSERT INTO story_changes (event_name, keys, new_image, old_image, changed_at) "
        f"VALUES ('{name.split('_')[-1].upper()}', json_object('id', {key}), {new}, {old}, "
        f"{SQLITE_NOW}); END"
    )


def drop_sqlite_triggers() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    for name in TRIGGERS:
        op.execute(f"DROP TRIGGER IF EXISTS stories_change_{name}")


def sqlite_triggers(columns: Sequence[str]) -> None:
    """The SQLite triggers of 0002, listing ``columns`` (PostgreSQL's need no change)."""
    if op.get_bind().dialect.name != "sqlite":
        return
    drop_sqlite_triggers()
    new, old = _sqlite_image("NEW", columns), _sqlite_image("OLD", columns)
    op.execute(_sqlite_trigger("stories_change_insert", "INSERT", "", new, "NULL", "NEW.id"))
    op.execute(
        _sqlite_trigger(
            "stories_change_modify", "UPDATE", f"WHEN {old} IS NOT {new}", new, old, "NEW.id"
        )
    )
    op.execute(_sqlite_trigger("stories_change_remove", "DELETE", "", "NULL", old, "OLD.id"))
