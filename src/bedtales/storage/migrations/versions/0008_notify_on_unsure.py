"""What a household's notify target does with a send that may or may not have happened
(``households.notify_on_unsure``): a worker claimed a subscriber, then died before it could
note the send. ``resend`` (the default, for existing households too): send again, a second
message being better than none at bedtime; ``skip``: mark it unsure and send nothing.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02 16:00:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "households",
        sa.Column("notify_on_unsure", sa.String(16), nullable=False, server_default="resend"),
    )


def downgrade() -> None:
    op.drop_column("households", "notify_on_unsure")
