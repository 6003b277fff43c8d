"""The database handle: engine, sessions and migrations, for SQLite and PostgreSQL."""

from __future__ import annotations

import fcntl
import re
import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, IntegrityError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from bedtales.errors import ConfigError, Unreachable

MIGRATIONS = Path(__file__).parent / "migrations"
# Any fixed number: it keeps two processes from migrating a PostgreSQL database at once.
_MIGRATION_LOCK = 0x62656474
# PostgreSQL's answers that no retry will change: a wrong password or user (28…), a database
# that does not exist (3D000)
_REFUSED = {"28000", "28P01", "3D000"}
# the same answers as the server words them when it refuses a connection (psycopg has no
# SQLSTATE for errors while connecting); "starting up" or "too many clients" are not here
_REFUSAL = re.compile(
    r"FATAL:\s+(password authentication failed|role \S+ does not exist|"
    r"database \S+ does not exist|no pg_hba\.conf entry)"
)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    # In WAL mode NORMAL never corrupts the database; a power cut may lose the last few
    # commits, atomically. The bus survives that: it only ever repeats a delivery.
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


class Database:
    """One database: an engine, a session factory, and the migrations to bring it up to date."""

    def __init__(self, url: str) -> None:
        try:
            parsed = make_url(url)
        except (ArgumentError, ValueError) as exc:
            # the message never repeats the URL: it may hold a password
            raise ConfigError(f"invalid setting database_url: {exc}") from None
        self.url = parsed
        self.dialect = parsed.get_backend_name()
        if self.dialect == "sqlite":
            # the driver's own timeout applies from the first statement (PRAGMA journal_mode)
            self.engine: Engine = create_engine(parsed, connect_args={"timeout": 30})
            event.listen(self.engine, "connect", _sqlite_pragmas)
        else:
            self.engine = create_engine(parsed, pool_pre_ping=True)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)

    @property
    def safe_url(self) -> str:
        """The URL with any password hidden, fit for messages and logs."""
        return self.url.render_as_string(hide_password=True)

    @property
    def sqlite_path(self) -> Path | None:
        if self.dialect != "sqlite" or not self.url.database or self.url.database == ":memory:":
            return None
        return Path(self.url.database)

    def exists(self) -> bool:
        """Whether the database has been created (migrated at least once)."""
        path = self.sqlite_path
        if path is not None and not path.exists():
            return False
        return self.current_revision() is not None

    def current_revision(self) -> str | None:
        with self._connect() as connection:
            return MigrationContext.configure(connection).get_current_revision()

    @staticmethod
    def head_revision() -> str | None:
        return ScriptDirectory.from_config(_alembic_config()).get_current_head()

    def migrate(self) -> None:
        """Bring the schema to the newest revision; safe to run from several processes."""
        self.check_revision()
        path = self.sqlite_path
        if path is None:
            self._migrate()
            return
        path.parent.mkdir(parents=True, exist_ok=True)
        # SQLite has no advisory locks: a lock file next to the database serialises migrations
        with open(path.with_name(path.name + ".migrate-lock"), "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            self._migrate()

    def check_revision(self) -> None:
        """Refuse a database migrated by a newer bedtales than this one."""
        current = (
            self.current_revision()
            if self.sqlite_path is None or self.sqlite_path.exists()
            else None
        )
        known = {
            script.revision
            for script in ScriptDirectory.from_config(_alembic_config()).walk_revisions()
        }
        if current is not None and current not in known:
            raise ConfigError(
                f"the database {self.safe_url} was upgraded by a newer bedtales "
                f"(schema {current}); "
                "upgrade bedtales to use it"
            )

    def _migrate(self) -> None:
        with self._connect() as connection:
            if self.dialect == "postgresql":
                connection.execute(text("SELECT pg_advisory_lock(:k)"), {"k": _MIGRATION_LOCK})
            try:
                config = _alembic_config()
                config.attributes["connection"] = connection
                command.upgrade(config, "head")
                connection.commit()
            finally:
                if self.dialect == "postgresql":
                    connection.execute(
                        text("SELECT pg_advisory_unlock(:k)"), {"k": _MIGRATION_LOCK}
                    )
                    connection.commit()

    @contextmanager
    def session(self, *, durable: bool = True) -> Iterator[Session]:
        """A unit of work: committed when the block ends, rolled back on any error.

        ``durable=False`` lets PostgreSQL acknowledge the commit before it is flushed to disk
        (``synchronous_commit = off``): a crash may undo the last such transactions, whole,
        never half. The bus uses it for claims, acks and publishing, where an undone
        transaction means one more delivery, which at-least-once delivery allows.
        """
        with self._sessions() as session, session.begin():
            if not durable and self.dialect == "postgresql":
                session.execute(text("SET LOCAL synchronous_commit TO OFF"))
            yield session

    @contextmanager
    def transaction(self, *, durable: bool = True) -> Iterator[Connection]:
        """A Core transaction, for hot paths where ORM sessions cost too much; ``durable`` as
        in :meth:`session`."""
        with self.engine.begin() as connection:
            if not durable and self.dialect == "postgresql":
                connection.execute(text("SET LOCAL synchronous_commit TO OFF"))
            yield connection

    def dispose(self) -> None:
        self.engine.dispose()

    @contextmanager
    def _connect(self) -> Iterator[Any]:
        try:
            connection = self.engine.connect()
        except OperationalError as exc:
            reason = str(exc.orig).strip().splitlines()[0] if exc.orig else str(exc)
            message = f"cannot open the database {self.safe_url}: {reason}"
            if getattr(exc.orig, "sqlstate", None) in _REFUSED or _REFUSAL.search(reason):
                raise ConfigError(f"invalid setting database_url: {message}") from None
            raise Unreachable(message) from None
        with connection:
            yield connection


class SqliteDoorbell:
    """Tells a waiter that another connection committed to an SQLite file.

    ``PRAGMA data_version`` changes whenever another connection commits: a cheap, cross-
    process signal that reads no table. ``mark()`` before looking for work and ``wait()``
    after finding none: a commit in between is then never missed.
    """

    POLL_S = 0.002
    # after QUIET_S without a commit, look less often: an idle family machine then spends
    # a tenth of the CPU on waiting, and the first commit after a quiet spell waits at most
    # IDLE_POLL_S more (while work flows, commits keep it at POLL_S)
    IDLE_POLL_S = 0.02
    QUIET_S = 5.0

    def __init__(self, path: Path) -> None:
        self._connection = sqlite3.connect(path, check_same_thread=False)
        self._lock = threading.Lock()
        self._version = self._read()
        self._rung_at = time.monotonic()

    def _read(self) -> int:
        with self._lock:
            return int(self._connection.execute("PRAGMA data_version").fetchone()[0])

    def mark(self) -> None:
        version = self._read()
        if version != self._version:
            self._rung_at = time.monotonic()
        self._version = version

    def wait(
        self, deadline: float, interrupt: threading.Event | threading.Condition | None = None
    ) -> bool:
        """Poll until a commit since the last mark (True) or ``deadline`` (monotonic)."""
        while (left := deadline - time.monotonic()) > 0:
            if self._read() != self._version:
                self._rung_at = time.monotonic()
                return True
            quiet = time.monotonic() - self._rung_at >= self.QUIET_S
            step = min(self.IDLE_POLL_S if quiet else self.POLL_S, left)
            if isinstance(interrupt, threading.Condition):
                with interrupt:
                    if interrupt.wait(step):
                        return True
            elif interrupt is not None:
                if interrupt.wait(step):
                    return True
            else:
                time.sleep(step)
        return False

    def close(self) -> None:
        self._connection.close()


def is_unique_violation(exc: IntegrityError) -> bool:
    """Whether a failed write broke a UNIQUE constraint (two writers adding one name)."""
    original = exc.orig
    return getattr(original, "sqlstate", None) == "23505" or "UNIQUE constraint failed" in str(
        original
    )


def _alembic_config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config
