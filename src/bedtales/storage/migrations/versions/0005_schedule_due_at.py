"""Schedules: ``due_at``, the moment a firing is due (its fire time plus its place in the
flexible time window), indexed for the scheduler's claim. ``next_fire_at`` stays the fire
time itself, which ``rate()`` counts from and the idempotency key names.

Existing schedules are due at their next fire time (windows are spread from their next fire
on).

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-25 17:40:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # plain ADD COLUMN and index changes: no batch copy of a table on SQLite
    op.add_column("schedules", sa.Column("due_at", sa.DateTime(timezone=True), nullable=True))
    op.execute("UPDATE schedules SET due_at = next_fire_at WHERE enabled")
    op.drop_index("ix_schedules_due", table_name="schedules")
    # paused and finished schedules have no due_at; the claim reads `due_at <= now` only
    op.create_index("ix_schedules_due", "schedules", ["due_at"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_schedules_due", table_name="schedules")
    op.create_index("ix_schedules_due", "schedules", ["enabled", "next_fire_at"], unique=False)
    op.drop_column("schedules", "due_at")
