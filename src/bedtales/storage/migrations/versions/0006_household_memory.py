"""The household memory and the series: ``household_memory`` (one row per story written: its
lines', couplets' and title's fingerprints, its scene's fingerprint, the builtin writer's plot
and friend keys; no text, no names), ``stories.plan`` (the builtin writer's choices, which
the series brings back) and ``households.series`` (off).

The story id in ``household_memory`` is no foreign key: a row outlives its story's expiry.
Existing stories are not remembered (their text may be gone soon anyway); existing
households have the series off.

SQLite's change-stream triggers list the stories columns (migration 0002), so they are made
again with ``plan`` among them: the new and old images carry it on both databases, as
PostgreSQL's ``to_jsonb(NEW)`` does by itself. The StoryCreated contract does not change (the
pipe's input template picks its fields).

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02 10:20:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from bedtales.storage.story_triggers import drop_sqlite_triggers, sqlite_triggers

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # a new table and plain ADD COLUMNs: no batch copy of households or stories, whose SQLite
    # copy would trip over the story triggers
    op.create_table(
        "household_memory",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("household_id", sa.Integer(), nullable=False),
        sa.Column("story_id", sa.String(length=36), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("plot", sa.String(length=64), nullable=True),
        sa.Column("friend", sa.String(length=64), nullable=True),
        sa.Column("scene", sa.String(length=16), nullable=False),
        sa.Column("fingerprints", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["household_id"],
            ["households.id"],
            name=op.f("fk_household_memory_household_id_households"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_household_memory")),
        sa.UniqueConstraint("story_id", name=op.f("uq_household_memory_story_id")),
    )
    # the writer reads (and prunes past) a household's latest rows
    op.create_index(
        "ix_household_memory_latest",
        "household_memory",
        ["household_id", "created_at"],
        unique=False,
    )
    op.add_column(
        "households",
        sa.Column("series", sa.Boolean(), nullable=False, server_default=sa.false()),
    )
    op.add_column("stories", sa.Column("plan", sa.JSON(), nullable=True))
    sqlite_triggers(STORY_COLUMNS)


def downgrade() -> None:
    # SQLite refuses to drop a column that a trigger names: the triggers go first
    drop_sqlite_triggers()
    op.drop_column("stories", "plan")
    sqlite_triggers(tuple(c for c in STORY_COLUMNS if c != "plan"))
    op.drop_column("households", "series")
    op.drop_index("ix_household_memory_latest", table_name="household_memory")
    op.drop_table("household_memory")


# The stories columns as of this revision (0002's and plan). A later migration that changes
# the columns must make the SQLite triggers again with its own list.
STORY_COLUMNS = (
    "id", "household_id", "title", "description", "scene", "characters", "prompt", "engine",
    "engine_note", "seed", "word_count", "created_at", "expires_at",
    "image_state", "image_key", "image_mime", "image_size", "image_engine", "image_error",
    "audio_state", "audio_key", "audio_mime", "audio_size", "audio_engine", "audio_error",
    "notify_state", "notify_error", "notified_at", "plan",
)  # fmt: skip
