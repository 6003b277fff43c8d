"""Notifications: when each household is told (notify_when, notify_timeout_s), the
unguessable address of its story page (page_token), and which subscriber was told which
story (story_notifications), so a story goes to a subscriber at most once.

Households that already exist are told at once ("created", as before) and get a token.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25 15:41:59.047125
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "story_notifications",
        sa.Column("story_id", sa.String(length=36), nullable=False),
        sa.Column("subscriber_id", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["story_id"],
            ["stories.id"],
            name=op.f("fk_story_notifications_story_id_stories"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["subscriber_id"],
            ["subscribers.id"],
            name=op.f("fk_story_notifications_subscriber_id_subscribers"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("story_id", "subscriber_id", name=op.f("pk_story_notifications")),
    )
    # plain ADD COLUMN, not a batch copy of the table: SQLite's copy would trip over the
    # story triggers, which name households
    op.add_column(
        "households",
        sa.Column("notify_when", sa.String(length=16), nullable=False, server_default="created"),
    )
    op.add_column(
        "households",
        sa.Column("notify_timeout_s", sa.Integer(), nullable=False, server_default="600"),
    )
    op.add_column("households", sa.Column("page_token", sa.String(length=64), nullable=True))
    households = sa.table("households", sa.column("id", sa.Integer), sa.column("page_token"))
    connection = op.get_bind()
    for (household_id,) in connection.execute(sa.select(households.c.id)):
        connection.execute(
            households.update()
            .where(households.c.id == household_id)
            .values(page_token=secrets.token_urlsafe(24))
        )
    op.create_index("ix_households_page_token", "households", ["page_token"], unique=True)


def downgrade() -> None:
    op.drop_index("ix_households_page_token", table_name="households")
    for column in ("page_token", "notify_timeout_s", "notify_when"):
        op.drop_column("households", column)
    op.drop_table("story_notifications")
