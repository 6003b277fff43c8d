"""Pipes: from the story change stream to the bus (bedtales' EventBridge Pipes).

A pipe reads the stream in order from its stored checkpoint, keeps the records matching its
filter, renders its input template into the event detail and puts the events on the bus.

* With the ``sql`` bus the events are enqueued and the checkpoint advanced in one transaction:
  a crash neither loses nor repeats an event.
* With another bus (Redis) the events are published first and the checkpoint advanced after:
  at-least-once, and the deterministic event id (pipe + stream position) lets the bus drop
  a repeat.

Only one instance of a pipe is active at a time: on PostgreSQL it holds an advisory lock
(others wait for it), and on every database the checkpoint row is locked for each batch.
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time
import zlib
from typing import Any

from sqlalchemy import Connection, insert, select, text, update
from sqlalchemy.exc import IntegrityError

from bedtales.bus.bus import Bus
from bedtales.bus.events import Event, event_id_for
from bedtales.clock import utcnow
from bedtales.errors import one_line
from bedtales.pipes.spec import PipeSpec
from bedtales.storage import Database
from bedtales.storage.models import PipeCheckpointRow
from bedtales.stories.stream import StreamRecord, prune_changes, read_changes

log = logging.getLogger(__name__)

BATCH = 500
PRUNE_EVERY_S = 600.0
RETRY_S = 2.0
# a failure that repeats every RETRY_S (a full disk) shows its traceback this often
TRACEBACK_EVERY_S = 300.0


class Pipe:
    def __init__(self, spec: PipeSpec, db: Database, bus: Bus) -> None:
        self.spec = spec
        self.db = db
        self.bus = bus
        self._leader: Any = None
        # the checkpoint, kept in memory while this instance leads on PostgreSQL
        self._position: int | None = None
        self._woken = False  # told of new records since the last batch
        self._last_prune = 0.0
        self._traceback_at = time.monotonic() - TRACEBACK_EVERY_S  # the first failure has it

    def run_once(self, limit: int = BATCH, *, check: bool = True) -> int:
        """Move one batch from the stream to the bus; returns how many records were read.

        ``check=False`` skips the read-only "anything new?" query, for a caller that was just
        told there is (a NOTIFY, the SQLite doorbell)."""
        if check and not self._behind():
            return 0  # read-only when idle: no write lock, no commit that wakes the others
        if self.bus.backend.transactional:
            return self._move_in_one_transaction(limit)
        return self._move_then_advance(limit)

    def _move_in_one_transaction(self, limit: int) -> int:
        # not durable: if a crash undoes it, it is undone whole and simply done again
        with self.db.transaction(durable=False) as connection:
            if self._position is None:
                position = _lock_checkpoint(connection, self.spec.name)
            else:  # the leader knows where it is; the advance below checks nobody moved it
                position = self._position
            records = read_changes(connection, position, limit)
            if records:
                self.bus.publish(self._events(records), connection=connection)
                _advance(connection, self.spec.name, records[-1].seq, expected=self._position)
        if records and self._position is not None:
            self._position = records[-1].seq
        return len(records)

    def _move_then_advance(self, limit: int) -> int:
        if self._position is None:
            with self.db.transaction() as connection:
                position = _lock_checkpoint(connection, self.spec.name)
                records = read_changes(connection, position, limit)
        else:  # leading: one read, no lock, no transaction to begin or end
            with self.db.engine.connect().execution_options(
                isolation_level="AUTOCOMMIT"
            ) as connection:
                records = read_changes(connection, self._position, limit)
        if records:
            self.bus.publish(self._events(records))
            # not durable either: after a crash the bus drops the events it has by their id
            with self.db.transaction(durable=False) as connection:
                _advance(connection, self.spec.name, records[-1].seq)
            if self._position is not None:
                self._position = records[-1].seq
        return len(records)

    def run(self, stop: threading.Event, idle_wait_s: float = 1.0) -> None:
        """Run until ``stop`` is set: lead (or wait to), move batches, prune old records.

        When the stream is read to its end the pipe waits: on SQLite for the file's doorbell
        (a commit in this process wakes it at once, another process's within the doorbell's
        polling), on PostgreSQL for the trigger's notification, up to ``idle_wait_s``."""
        try:
            while not stop.is_set():
                try:
                    self._step(stop, idle_wait_s)
                except Exception as exc:  # a database restart must not end the pipe for good
                    self._failed(exc)
                    self._resign()
                    stop.wait(RETRY_S)
        finally:
            self._resign()

    def _failed(self, exc: Exception) -> None:
        """Log a failure with its reason: with the traceback now and then, on one line in
        between (a full disk fails every RETRY_S for as long as it stays full)."""
        name, reason = self.spec.name, one_line(exc)
        if time.monotonic() - self._traceback_at < TRACEBACK_EVERY_S:
            log.warning("pipe %s: failed again (%s); trying again in %g s", name, reason, RETRY_S)
            return
        self._traceback_at = time.monotonic()
        log.exception("pipe %s: failed (%s); trying again in %g s", name, reason, RETRY_S)

    def _step(self, stop: threading.Event, idle_wait_s: float) -> None:
        if not self._lead():
            stop.wait(1.0)
            return
        doorbell = self.db.doorbell
        # taken before reading: a commit from now on is not missed
        mark = doorbell.mark() if doorbell is not None else 0
        moved = self.run_once(check=not self._woken)
        self._woken = False
        self._prune()
        if moved >= BATCH:
            return
        if doorbell is not None:
            # the doorbell rings for any commit (the workers' too): still check before locking.
            # It misses no commit, so only the next prune bounds the wait.
            doorbell.wait(mark, self._last_prune + PRUNE_EVERY_S, stop)
        else:  # the trigger notifies only for stream records
            self._woken = self._wait_for_notify(idle_wait_s)

    def _behind(self) -> bool:
        """Whether the stream has records past the checkpoint: one read, no transaction."""
        with self.db.engine.connect() as connection:
            return bool(connection.execute(_BEHIND, {"pipe": self.spec.name}).scalar())

    def _events(self, records: list[StreamRecord]) -> list[Event]:
        events = []
        for record in records:
            document = record.document()
            if not self.spec.filter.matches(document):
                continue
            detail = self.spec.template.render(document)
            events.append(
                Event(
                    id=event_id_for(self.spec.name, record.seq),
                    source=self.spec.event_source,
                    detail_type=self.spec.detail_type,
                    detail=detail if isinstance(detail, dict) else {"value": detail},
                    time=record.changed_at,
                )
            )
        return events

    def _prune(self) -> None:
        if time.monotonic() - self._last_prune < PRUNE_EVERY_S:
            return
        self._last_prune = time.monotonic()
        with self.db.session() as session:
            pruned = prune_changes(session)
        if pruned:
            log.info(
                "pipe %s: pruned %d stream records older than 24 hours", self.spec.name, pruned
            )

    # ------------------------------------------------------------------ leadership and waking

    def _lead(self) -> bool:
        if self.db.dialect != "postgresql":
            return True  # one machine: the checkpoint row lock is enough
        if self._leader is None:
            import psycopg

            url = self.db.url.set(drivername="postgresql").render_as_string(hide_password=False)
            connection = psycopg.connect(url, autocommit=True)
            key = zlib.crc32(f"bedtales-pipe:{self.spec.name}".encode())
            got = connection.execute("SELECT pg_try_advisory_lock(%s)", (key,)).fetchone()
            if not got or not got[0]:
                connection.close()
                return False
            connection.execute("LISTEN bedtales_story_changes")
            self._leader = connection
            with self.db.transaction() as transaction:  # creates the checkpoint if new
                self._position = _lock_checkpoint(transaction, self.spec.name)
            log.info("pipe %s: leading from position %d", self.spec.name, self._position)
        return True

    def _resign(self) -> None:
        self._position = None
        if self._leader is not None:
            with contextlib.suppress(Exception):  # it may be broken already
                self._leader.close()  # closing the session releases the advisory lock
            self._leader = None

    def _wait_for_notify(self, timeout_s: float) -> bool:
        # notifications that came while the batch was moved are queued: none is missed
        for _ in self._leader.notifies(timeout=timeout_s, stop_after=1):
            return True
        return False


_BEHIND = text(
    "SELECT COALESCE((SELECT MAX(seq) FROM story_changes), 0) > "
    "COALESCE((SELECT position FROM pipe_checkpoints WHERE pipe = :pipe), 0)"
)


def _lock_checkpoint(connection: Connection, pipe: str) -> int:
    """The pipe's position, with its row locked until the transaction ends."""
    locked = (
        update(PipeCheckpointRow)
        .where(PipeCheckpointRow.pipe == pipe)
        .values(updated_at=utcnow())
        .returning(PipeCheckpointRow.position)
    )
    position = connection.execute(locked).scalar()
    if position is not None:
        return int(position)
    try:
        with connection.begin_nested():
            connection.execute(
                insert(PipeCheckpointRow).values(pipe=pipe, position=0, updated_at=utcnow())
            )
    except IntegrityError:
        pass  # created meanwhile by another instance
    return int(connection.execute(locked).scalar_one())


def _advance(
    connection: Connection, pipe: str, position: int, *, expected: int | None = None
) -> None:
    """Move the checkpoint to ``position``. With ``expected``, only from there: if another
    instance moved it meanwhile, :class:`LostLead` rolls the whole batch back."""
    query = update(PipeCheckpointRow).where(PipeCheckpointRow.pipe == pipe)
    if expected is not None:
        query = query.where(PipeCheckpointRow.position == expected)
    moved = connection.execute(query.values(position=position, updated_at=utcnow())).rowcount
    if expected is not None and moved != 1:
        raise LostLead(f"pipe {pipe}: the checkpoint moved away from {expected}")


class LostLead(RuntimeError):
    """Another instance moved the checkpoint: this one must re-read it before going on."""


def checkpoint(db: Database, pipe: str) -> int:
    with db.session() as session:
        query = select(PipeCheckpointRow.position).where(PipeCheckpointRow.pipe == pipe)
        return session.scalar(query) or 0
