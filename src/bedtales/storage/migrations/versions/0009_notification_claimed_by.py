"""Which delivery holds a subscriber's claim (``story_notifications.claimed_by``: the event's
id). A delivery that comes back after its worker died knows the claim it finds "sending" is
its own, and so unsure; a claim of another delivery of the same story (the event published
twice) is left to it until it is old. Rows from before have none: they are settled, or are
judged by their age.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02 18:40:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("story_notifications", sa.Column("claimed_by", sa.String(255), nullable=True))


def downgrade() -> None:
    op.drop_column("story_notifications", "claimed_by")
