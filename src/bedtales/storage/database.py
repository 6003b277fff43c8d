"""The database handle: engine, sessions and migrations, for SQLite and PostgreSQL."""

from __future__ import annotations

import fcntl
import os
import re
import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, Engine, create_engine, event, inspect, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, IntegrityError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from bedtales import private
from bedtales.errors import ConfigError, Unreachable

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS = Path(__file__).parent / "migrations"
# Migrations are numbered and follow one another (0001, 0002, …), so the newest is the
# highest number: known without importing Alembic, which every command would pay for (a
# test checks it against Alembic's own head).
HEAD_REVISION = max(path.name[:4] for path in (MIGRATIONS / "versions").glob("[0-9]*_*.py"))
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


def _create_private(path: Path) -> None:
    """Create a missing SQLite file empty and 0600 before SQLite opens it, which would make it
    0644 (an empty file is an empty database); SQLite gives its -wal and -shm the main file's
    mode. A failure is left to SQLite to report."""
    with suppress(OSError):  # there already, or not creatable: SQLite opens it or says why
        private.create_file(path)


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
            event.listen(self.engine, "do_connect", self._before_sqlite_connects)
        else:
            self.engine = create_engine(parsed, pool_pre_ping=True)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)
        path = self.sqlite_path
        # commits ring it; waiting threads of every Database on the file hear it at once
        self._chime = _chime_for(path) if path is not None else None
        self._doorbell: SqliteDoorbell | None = None
        self._doorbell_lock = threading.Lock()

    def _before_sqlite_connects(self, *_: Any) -> None:
        path = self.sqlite_path
        if path is not None and not self.url.query.get("uri"):  # a file: URI is SQLite's to open
            _create_private(path)

    @property
    def safe_url(self) -> str:
        """The URL with any password hidden, fit for messages and logs."""
        return self.url.render_as_string(hide_password=True)

    @property
    def doorbell(self) -> SqliteDoorbell | None:
        """What threads waiting for new commits wait on, for an SQLite file (None on
        PostgreSQL, which notifies instead); opened on first use, shared by all of them."""
        if self._chime is None:
            return None
        with self._doorbell_lock:
            if self._doorbell is None:
                path = self.sqlite_path
                assert path is not None  # a chime is only made for a file
                self._doorbell = SqliteDoorbell(path)
            return self._doorbell

    def ring(self) -> None:
        """Wake this process's doorbells on the file now (after a commit, or to let waiters
        look at their stop event); nothing on PostgreSQL."""
        if self._chime is not None:
            self._chime.ring()

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
        """The revision the database is at (Alembic's ``alembic_version`` row); None before
        the first migration."""
        with self._connect() as connection:
            if not inspect(connection).has_table("alembic_version"):
                return None
            found = connection.execute(text("SELECT version_num FROM alembic_version"))
            revision: str | None = found.scalar_one_or_none()
            return revision

    @staticmethod
    def head_revision() -> str:
        return HEAD_REVISION

    def migrate(self) -> None:
        """Bring the schema to the newest revision; safe to run from several processes.
        An SQLite file that others can read (made by an older bedtales) is made 0600 first."""
        self.check_revision()
        path = self.sqlite_path
        if path is None:
            self._migrate()
            return
        private.make_folders(path.parent)
        # SQLite has no advisory locks: a lock file next to the database serialises migrations
        lock_path = path.with_name(path.name + ".migrate-lock")
        with os.fdopen(
            os.open(lock_path, os.O_WRONLY | os.O_CREAT, private.PRIVATE_FILE), "w"
        ) as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            for name in (path.name, f"{path.name}-wal", f"{path.name}-shm"):
                private.tighten(path.with_name(name))
            self._migrate()

    def check_revision(self) -> None:
        """Refuse a database migrated by a newer bedtales than this one."""
        current = (
            self.current_revision()
            if self.sqlite_path is None or self.sqlite_path.exists()
            else None
        )
        from alembic.script import ScriptDirectory

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
                from alembic import command

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
            changes = self._changes(session.connection())
            yield session
            session.flush()  # what the commit would write, counted before it
            wrote = self._changes(session.connection()) != changes
        if wrote:
            self.ring()

    @contextmanager
    def transaction(self, *, durable: bool = True) -> Iterator[Connection]:
        """A Core transaction, for hot paths where ORM sessions cost too much; ``durable`` as
        in :meth:`session`."""
        with self.engine.begin() as connection:
            if not durable and self.dialect == "postgresql":
                connection.execute(text("SET LOCAL synchronous_commit TO OFF"))
            changes = self._changes(connection)
            yield connection
            wrote = self._changes(connection) != changes
        if wrote:
            self.ring()

    def _changes(self, connection: Connection) -> int:
        """How many rows this SQLite connection has changed so far (triggers' too): a
        transaction that changed none rings no doorbell, so a read wakes no one. Always 0
        elsewhere (PostgreSQL has no doorbell)."""
        if self._chime is None:
            return 0
        dbapi = connection.connection.dbapi_connection
        return int(getattr(dbapi, "total_changes", 0))

    def dispose(self) -> None:
        with self._doorbell_lock:
            if self._doorbell is not None:
                self._doorbell.close()
                self._doorbell = None
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


class _Chime:
    """Rung after every commit that this process makes to one SQLite file, through any
    :class:`Database` on it: wakes the doorbells waiting there at once."""

    def __init__(self) -> None:
        self._rang = threading.Condition()
        self.rings = 0

    def ring(self) -> None:
        with self._rang:
            self.rings += 1
            self._rang.notify_all()

    def wait(self, rings: int, timeout_s: float) -> None:
        """Wait up to ``timeout_s`` unless it rang since it had rung ``rings`` times."""
        with self._rang:
            if self.rings == rings:
                self._rang.wait(timeout_s)


_chimes: dict[Path, _Chime] = {}
_chimes_lock = threading.Lock()


def _chime_for(path: Path) -> _Chime:
    with _chimes_lock:
        return _chimes.setdefault(path.resolve(), _Chime())


class SqliteDoorbell:
    """Tells waiting threads that the SQLite file changed: at once for a commit made in this
    process (:class:`Database` rings after each commit), by polling for other processes'.

    ``PRAGMA data_version`` changes whenever another connection commits: a cheap signal that
    reads no table. It is read when this process rings, and otherwise every
    :attr:`FAST_POLL_S` while commits come, then less often the longer the file stays
    unchanged (a tenth of the quiet time so far, at most :attr:`SLOW_POLL_S`): an idle
    machine looks every :attr:`SLOW_POLL_S`, and a commit by another process after a quiet
    spell is seen within a tenth of that spell, never more than :attr:`SLOW_POLL_S` late.

    Take a :meth:`mark` before looking for work and :meth:`wait` from it after finding none:
    a commit in between is then never missed. One doorbell serves every waiter of a
    :class:`Database`.
    """

    FAST_POLL_S = 0.002
    SLOW_POLL_S = 2.0
    BACKOFF = 0.1  # the poll interval, as a share of the time since the last change
    # how late a waiter may notice its stop event when nobody rings (processes.Background
    # rings when it stops the parts)
    STOP_CHECK_S = 1.0

    def __init__(self, path: Path) -> None:
        _create_private(path)
        self._connection = sqlite3.connect(path, check_same_thread=False)
        self._lock = threading.Lock()
        self._chime = _chime_for(path)
        self._last_seen = -1  # the first look sets it
        self._changed_at = time.monotonic()

    def mark(self) -> int:
        """The file's version now: what :meth:`wait` compares with."""
        return self._look()

    def wait(self, mark: int, deadline: float, stop: threading.Event | None = None) -> bool:
        """Wait for a commit since ``mark`` (True), ``deadline`` (monotonic) or ``stop``."""
        while stop is None or not stop.is_set():
            rings = self._chime.rings  # taken before looking: a later ring is not missed
            if self._look() != mark:
                return True
            now = time.monotonic()
            if now >= deadline:
                return False
            self._sleep(rings, min(now + self._poll_interval(now), deadline), stop)
        return False

    def _sleep(self, rings: int, until: float, stop: threading.Event | None) -> None:
        """Until ``until`` (monotonic), a ring of the chime or ``stop``, whichever is first."""
        while (left := until - time.monotonic()) > 0 and self._chime.rings == rings:
            if stop is not None:
                if stop.is_set():
                    return
                left = min(left, self.STOP_CHECK_S)
            self._chime.wait(rings, left)

    def _poll_interval(self, now: float) -> float:
        quiet = now - self._changed_at
        return min(self.SLOW_POLL_S, max(self.FAST_POLL_S, quiet * self.BACKOFF))

    def _look(self) -> int:
        """Read the version; a change since the last look starts the fast polling again."""
        with self._lock:
            version = int(self._connection.execute("PRAGMA data_version").fetchone()[0])
            if version != self._last_seen:
                self._last_seen = version
                self._changed_at = time.monotonic()
            return version

    def close(self) -> None:
        with self._lock:
            self._connection.close()


# PostgreSQL's SQLSTATEs for a server going away: the connection broke (class 08), or the
# server is stopping (57P01 by an administrator, 57P02 after a crash) or not up yet (57P03)
_GONE = ("08", "57P01", "57P02", "57P03")


def is_outage(exc: BaseException) -> bool:
    """Whether a failure is the database server being away (stopped, restarting, out of
    reach) rather than anything about the work: the connection could not be made, broke, or
    the server said it is going down. Nothing about the work is wrong then, and it succeeds
    once the server is back (bus/worker.py tries it again without using up its attempts)."""
    if isinstance(exc, Unreachable):
        return True
    if not isinstance(exc, DBAPIError):
        return False
    if exc.connection_invalidated:  # SQLAlchemy saw the connection break
        return True
    original = exc.orig
    if type(original).__module__.partition(".")[0] != "psycopg":
        return False  # SQLite's errors are about its file, never a server away
    sqlstate = getattr(original, "sqlstate", None)
    if sqlstate is None:
        # psycopg names no SQLSTATE for the connection's own failures: refused, closed, lost
        return isinstance(exc, OperationalError)
    return str(sqlstate).startswith(_GONE)


def is_unique_violation(exc: IntegrityError) -> bool:
    """Whether a failed write broke a UNIQUE constraint (two writers adding one name)."""
    original = exc.orig
    return getattr(original, "sqlstate", None) == "23505" or "UNIQUE constraint failed" in str(
        original
    )


def _alembic_config() -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config
