"""The event backbone: the story change stream (table + triggers), pipe checkpoints, the sql
bus's events and deliveries, and the handlers' effect log.

The triggers are the only writers of story_changes. On PostgreSQL the trigger takes a
transaction-level advisory lock before appending, so sequence order is commit order and a
reader that has seen seq N can never later find a smaller seq appear; SQLite serialises
writers anyway.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25 12:42:13.006040
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "bus_effects",
        sa.Column("key", sa.String(length=255), nullable=False),
        sa.Column("applied_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_bus_effects")),
    )
    op.create_table(
        "bus_events",
        sa.Column(
            "seq",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("source", sa.String(length=128), nullable=False),
        sa.Column("detail_type", sa.String(length=128), nullable=False),
        sa.Column("time", sa.DateTime(timezone=True), nullable=False),
        sa.Column(
            "detail",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("subject", sa.String(length=64), nullable=True),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_bus_events")),
        sa.UniqueConstraint("id", name=op.f("uq_bus_events_id")),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("bus_events", schema=None) as batch_op:
        batch_op.create_index("ix_bus_events_subject", ["subject"], unique=False)

    op.create_table(
        "pipe_checkpoints",
        sa.Column("pipe", sa.String(length=64), nullable=False),
        sa.Column("position", sa.BigInteger(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("pipe", name=op.f("pk_pipe_checkpoints")),
    )
    op.create_table(
        "story_changes",
        sa.Column(
            "seq",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("event_name", sa.String(length=8), nullable=False),
        sa.Column(
            "keys",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column(
            "new_image",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=True,
        ),
        sa.Column(
            "old_image",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=True,
        ),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_story_changes")),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("story_changes", schema=None) as batch_op:
        batch_op.create_index("ix_story_changes_changed_at", ["changed_at"], unique=False)

    op.create_table(
        "bus_deliveries",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column(
            "event_seq", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("target", sa.String(length=64), nullable=False),
        sa.Column("state", sa.String(length=8), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("due_at", sa.Double(), nullable=False),
        sa.Column("lease_token", sa.String(length=32), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["event_seq"],
            ["bus_events.seq"],
            name=op.f("fk_bus_deliveries_event_seq_bus_events"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_bus_deliveries")),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("bus_deliveries", schema=None) as batch_op:
        batch_op.create_index(
            "ix_bus_deliveries_due",
            ["due_at"],
            unique=False,
            postgresql_where=sa.text("state = 'pending'"),
            sqlite_where=sa.text("state = 'pending'"),
        )
        batch_op.create_index(
            "ix_bus_deliveries_dead",
            ["target"],
            unique=False,
            postgresql_where=sa.text("state = 'dead'"),
            sqlite_where=sa.text("state = 'dead'"),
        )
        batch_op.create_index("ix_bus_deliveries_event", ["event_seq"], unique=False)

    create_story_triggers()


def downgrade() -> None:
    drop_story_triggers()
    with op.batch_alter_table("bus_deliveries", schema=None) as batch_op:
        batch_op.drop_index("ix_bus_deliveries_event")
        batch_op.drop_index(
            "ix_bus_deliveries_dead",
            postgresql_where=sa.text("state = 'dead'"),
            sqlite_where=sa.text("state = 'dead'"),
        )
        batch_op.drop_index(
            "ix_bus_deliveries_due",
            postgresql_where=sa.text("state = 'pending'"),
            sqlite_where=sa.text("state = 'pending'"),
        )

    op.drop_table("bus_deliveries")
    with op.batch_alter_table("story_changes", schema=None) as batch_op:
        batch_op.drop_index("ix_story_changes_changed_at")

    op.drop_table("story_changes")
    op.drop_table("pipe_checkpoints")
    with op.batch_alter_table("bus_events", schema=None) as batch_op:
        batch_op.drop_index("ix_bus_events_subject")

    op.drop_table("bus_events")
    op.drop_table("bus_effects")


# The stories columns as of this revision. A later migration that changes the columns must
# recreate the SQLite triggers with its own list (PostgreSQL's to_jsonb(NEW) follows by itself).
STORY_COLUMNS = (
    "id", "household_id", "title", "description", "scene", "characters", "prompt", "engine",
    "engine_note", "seed", "word_count", "created_at", "expires_at",
    "image_state", "image_key", "image_mime", "image_size", "image_engine", "image_error",
    "audio_state", "audio_key", "audio_mime", "audio_size", "audio_engine", "audio_error",
    "notify_state", "notify_error", "notified_at",
)  # fmt: skip
JSON_COLUMNS = frozenset({"characters"})
CHANGE_LOCK = 0x62747363  # any constant; serialises appends to story_changes on PostgreSQL

SQLITE_NOW = "strftime('%Y-%m-%d %H:%M:%f000', 'now')"

POSTGRES_FUNCTION = f"""
CREATE OR REPLACE FUNCTION bedtales_story_change() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    new_image jsonb;
    old_image jsonb;
BEGIN
    PERFORM pg_advisory_xact_lock({CHANGE_LOCK});
    IF TG_OP <> 'DELETE' THEN
        new_image := to_jsonb(NEW) || jsonb_build_object(
            'household', (SELECT name FROM households WHERE id = NEW.household_id));
    END IF;
    IF TG_OP <> 'INSERT' THEN
        old_image := to_jsonb(OLD) || jsonb_build_object(
            'household', (SELECT name FROM households WHERE id = OLD.household_id));
    END IF;
    INSERT INTO story_changes (event_name, keys, new_image, old_image, changed_at)
    VALUES (
        CASE TG_OP WHEN 'INSERT' THEN 'INSERT' WHEN 'UPDATE' THEN 'MODIFY' ELSE 'REMOVE' END,
        jsonb_build_object('id', COALESCE(NEW.id, OLD.id)),
        new_image, old_image, now()
    );
    PERFORM pg_notify('bedtales_story_changes', '');
    RETURN NULL;
END
$$
"""


def _sqlite_image(row: str) -> str:
    pairs = []
    for column in STORY_COLUMNS:
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


def create_story_triggers() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(POSTGRES_FUNCTION)
        op.execute(
            "CREATE TRIGGER stories_change_insert_delete AFTER INSERT OR DELETE ON stories "
            "FOR EACH ROW EXECUTE FUNCTION bedtales_story_change()"
        )
        # DynamoDB Streams report MODIFY only when something changed
        op.execute(
            "CREATE TRIGGER stories_change_update AFTER UPDATE ON stories FOR EACH ROW "
            "WHEN (to_jsonb(OLD) IS DISTINCT FROM to_jsonb(NEW)) "
            "EXECUTE FUNCTION bedtales_story_change()"
        )
        return
    new, old = _sqlite_image("NEW"), _sqlite_image("OLD")
    op.execute(_sqlite_trigger("stories_change_insert", "INSERT", "", new, "NULL", "NEW.id"))
    op.execute(
        _sqlite_trigger(
            "stories_change_modify", "UPDATE", f"WHEN {old} IS NOT {new}", new, old, "NEW.id"
        )
    )
    op.execute(_sqlite_trigger("stories_change_remove", "DELETE", "", "NULL", old, "OLD.id"))


def drop_story_triggers() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS stories_change_insert_delete ON stories")
        op.execute("DROP TRIGGER IF EXISTS stories_change_update ON stories")
        op.execute("DROP FUNCTION IF EXISTS bedtales_story_change()")
        return
    for name in ("insert", "modify", "remove"):
        op.execute(f"DROP TRIGGER IF EXISTS stories_change_{name}")
