"""The family's own site: kept stories (``stories.kept_at``), the narration's length
(``stories.audio_seconds``, for the podcast feed), the household's passphrase
(``households.passphrase_hash``) and its signed-in sessions (``household_sessions``), failed
sign-ins per client (``sign_in_failures``, for the rate limit), and who added a subscriber
(``subscribers.added_by``: the operator, with full Apprise URLs, or the household, whose URLs
are held to what cannot reach inside the server's network).

Existing subscribers were added by the operator; no story is kept; no household has a
passphrase (its site is read-only until ``bedtales households passphrase NAME``).

SQLite's change-stream triggers list the stories columns, so they are made again with the
new ones (as 0006 did).

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02 11:00:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from bedtales.storage.story_triggers import drop_sqlite_triggers, sqlite_triggers

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

STORY_COLUMNS_0006 = (
    "id", "household_id", "title", "description", "scene", "characters", "prompt", "engine",
    "engine_note", "seed", "word_count", "created_at", "expires_at",
    "image_state", "image_key", "image_mime", "image_size", "image_engine", "image_error",
    "audio_state", "audio_key", "audio_mime", "audio_size", "audio_engine", "audio_error",
    "notify_state", "notify_error", "notified_at", "plan",
)  # fmt: skip
STORY_COLUMNS = (*STORY_COLUMNS_0006, "kept_at", "audio_seconds")


def upgrade() -> None:
    op.add_column("stories", sa.Column("kept_at", sa.DateTime(timezone=True), nullable=True))
    op.add_column("stories", sa.Column("audio_seconds", sa.Double(), nullable=True))
    op.add_column("households", sa.Column("passphrase_hash", sa.String(255), nullable=True))
    op.add_column(
        "subscribers",
        sa.Column("added_by", sa.String(16), nullable=False, server_default="operator"),
    )
    op.create_table(
        "household_sessions",
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("household_id", sa.Integer(), nullable=False),
        sa.Column("csrf_token", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["household_id"],
            ["households.id"],
            name=op.f("fk_household_sessions_household_id_households"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("token_hash", name=op.f("pk_household_sessions")),
    )
    op.create_index(
        "ix_household_sessions_household", "household_sessions", ["household_id"], unique=False
    )
    op.create_table(
        "sign_in_failures",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("client", sa.String(length=64), nullable=False),
        sa.Column("failed_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sign_in_failures")),
    )
    op.create_index(
        "ix_sign_in_failures_client", "sign_in_failures", ["client", "failed_at"], unique=False
    )
    # a kept story is never swept: the sweeper walks expires_at among unkept ones
    sqlite_triggers(STORY_COLUMNS)


def downgrade() -> None:
    drop_sqlite_triggers()
    op.drop_index("ix_sign_in_failures_client", table_name="sign_in_failures")
    op.drop_table("sign_in_failures")
    op.drop_index("ix_household_sessions_household", table_name="household_sessions")
    op.drop_table("household_sessions")
    op.drop_column("subscribers", "added_by")
    op.drop_column("households", "passphrase_hash")
    op.drop_column("stories", "audio_seconds")
    op.drop_column("stories", "kept_at")
    sqlite_triggers(STORY_COLUMNS_0006)
