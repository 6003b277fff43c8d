"""Storage: the SQLAlchemy tables, the Alembic migrations and the database handle."""

from bedtales.storage.database import Database

__all__ = ["Database"]
