"""Alembic environment. bedtales runs migrations in-process (``Database.migrate``), which
hands over an open connection; the ``alembic`` command line is not needed."""

from __future__ import annotations

from alembic import context

from bedtales.storage.models import Base

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("bedtales migrates its database itself: run `bedtales init`")

context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=connection.dialect.name == "sqlite",
)
with context.begin_transaction():
    context.run_migrations()
