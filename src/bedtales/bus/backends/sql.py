"""The ``sql`` delivery backend: the bus in the application's own database.

SQLite on one machine; on PostgreSQL any number of workers on any number of machines claim
deliveries with ``FOR UPDATE SKIP LOCKED`` and wake on ``LISTEN/NOTIFY``. A claim pushes a
delivery's ``due_at`` to the end of its lease (like an SQS visibility timeout): acked, it is
done; failed, it is due again after the backoff; and if the worker dies, the lease simply runs
out and the delivery is claimable again. ``publish`` can join the caller's transaction, which
is how the pipe advances its checkpoint exactly once.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import timedelta
from functools import cached_property
from typing import Any

from sqlalchemy import Connection, bindparam, delete, func, insert, select, text, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from bedtales.bus.backends import Backend, BackendSettings, backends
from bedtales.bus.events import DeadLetter, Delivery, DeliveryState, Event, RetryPolicy
from bedtales.clock import utcnow
from bedtales.storage import Database
from bedtales.storage.models import BusDeliveryRow, BusEventRow

NOTIFY_CHANNEL = "bedtales_bus"
RETENTION_S = 7 * 86400  # done deliveries stay visible (story show) for a week


@backends.register("sql")
def create_backend(settings: BackendSettings, db: Database) -> Backend:
    """Deliveries in the tables of bedtales' own database."""
    return SqlBackend(db)


class SqlBackend:
    name = "sql"
    transactional = True

    def __init__(self, db: Database) -> None:
        self.db = db
        self._postgres = db.dialect == "postgresql"
        self._events: dict[int, Event] = {}  # event rows never change: cache them by seq
        self._listener: Any = None
        # on SQLite, for each set of targets: (the file's version, its soonest pending
        # delivery's due time then). While the file is unchanged an idle worker asks the
        # database nothing: only time can make that delivery due
        self._soonest: dict[tuple[str, ...], tuple[int, float | None]] = {}
        self._insert_event = _insert_ignoring_duplicates(db.dialect).returning(
            BusEventRow.seq, BusEventRow.id
        )

    # ------------------------------------------------------------------ publishing

    def publish(
        self, items: Sequence[tuple[Event, Sequence[str]]], *, connection: Connection | None = None
    ) -> int:
        if not items:
            return 0
        if connection is not None:
            # in the caller's transaction: waiters learn of it when it commits (the doorbell
            # or NOTIFY), not before
            return self._publish(connection, items)
        with self._tx() as own:
            return self._publish(own, items)

    def _publish(self, connection: Connection, items: Sequence[tuple[Event, Sequence[str]]]) -> int:
        events = {event.id: (event, targets) for event, targets in items}  # first of each id
        rows = [
            {
                "id": event.id,
                "source": event.source,
                "detail_type": event.detail_type,
                "time": event.time,
                "detail": event.detail,
                "subject": event.subject,
                "published_at": utcnow(),
            }
            for event, _ in events.values()
        ]
        # ids seen before are skipped by the database itself (ON CONFLICT DO NOTHING)
        new = {row.id: row.seq for row in connection.execute(self._insert_event, rows)}
        now = time.time()
        deliveries = [
            {"event_seq": seq, "target": target, "due_at": now, "state": "pending", "attempts": 0}
            for event_id, seq in new.items()
            for target in events[event_id][1]
        ]
        if deliveries:
            connection.execute(insert(BusDeliveryRow), deliveries)
        if self._postgres and deliveries:
            connection.execute(text("SELECT pg_notify(:c, '')"), {"c": NOTIFY_CHANNEL})
        return len(new)

    # ------------------------------------------------------------------ claiming

    def claim(self, targets: Sequence[str], limit: int, lease_s: float) -> list[Delivery]:
        if not targets or limit <= 0:
            return []
        token = secrets.token_hex(8)
        now = time.time()
        if self._nothing_due_yet(targets, now) or not self._anything_due(targets, now):
            # an idle worker commits nothing: on SQLite a commit takes the one write lock
            # and rings every other waiter's doorbell
            return []
        with self._tx() as connection:
            rows = connection.execute(
                self._claim_statement,
                {
                    "targets": list(targets),
                    "now": now,
                    "limit": limit,
                    "until": now + lease_s,
                    "token": token,
                    "updated": utcnow(),
                },
            ).all()
            events = self._load_events(connection, {row.event_seq for row in rows})
        return [
            Delivery(
                event=events[row.event_seq],
                target=row.target,
                attempt=row.attempts,
                receipt=f"{row.id}:{token}",
            )
            for row in sorted(rows, key=lambda r: r.id)
        ]

    def _nothing_due_yet(self, targets: Sequence[str], now: float) -> bool:
        """Whether, the file unchanged since the last look, its soonest delivery is not due."""
        doorbell = self.db.doorbell
        if doorbell is None:
            return False
        seen = self._soonest.get(tuple(targets))
        if seen is None or seen[0] != doorbell.mark():
            return False
        soonest = seen[1]
        return soonest is None or soonest > now

    def _anything_due(self, targets: Sequence[str], now: float) -> bool:
        with self.db.engine.connect() as connection:
            return (
                connection.execute(
                    self._due_statement, {"targets": list(targets), "now": now}
                ).first()
                is not None
            )

    @cached_property
    def _due_statement(self) -> Any:
        return (
            select(BusDeliveryRow.id)
            .where(
                BusDeliveryRow.state == "pending",
                BusDeliveryRow.target.in_(bindparam("targets", expanding=True)),
                BusDeliveryRow.due_at <= bindparam("now"),
            )
            .limit(1)
        )

    @cached_property
    def _claim_statement(self) -> Any:
        due = (
            select(BusDeliveryRow.id)
            .where(
                BusDeliveryRow.state == "pending",
                BusDeliveryRow.target.in_(bindparam("targets", expanding=True)),
                BusDeliveryRow.due_at <= bindparam("now"),
            )
            .order_by(BusDeliveryRow.due_at)
            .limit(bindparam("limit"))
        )
        if self._postgres:
            due = due.with_for_update(skip_locked=True)
        return (
            update(BusDeliveryRow)
            .where(BusDeliveryRow.id.in_(due.scalar_subquery()))
            .values(
                attempts=BusDeliveryRow.attempts + 1,
                due_at=bindparam("until"),
                lease_token=bindparam("token"),
                updated_at=bindparam("updated"),
            )
            .returning(
                BusDeliveryRow.id,
                BusDeliveryRow.event_seq,
                BusDeliveryRow.target,
                BusDeliveryRow.attempts,
            )
        )

    def _load_events(self, connection: Connection, seqs: set[int]) -> dict[int, Event]:
        missing = [seq for seq in seqs if seq not in self._events]
        if missing:
            query = select(BusEventRow.__table__).where(BusEventRow.seq.in_(missing))
            for row in connection.execute(query):
                self._events[row.seq] = Event(
                    id=row.id,
                    source=row.source,
                    detail_type=row.detail_type,
                    time=row.time,
                    detail=row.detail,
                )
            if len(self._events) > 50_000:  # a bounded cache: drop the oldest half
                for seq in sorted(self._events)[:25_000]:
                    del self._events[seq]
        return {seq: self._events[seq] for seq in seqs}

    # ------------------------------------------------------------------ settling

    def ack(self, deliveries: Sequence[Delivery]) -> None:
        self._settle(deliveries, {"state": "done"})

    def fail(self, delivery: Delivery, error: str, policy: RetryPolicy) -> bool:
        if policy.gives_up(delivery.attempt, delivery.event.time, utcnow()):
            self._settle([delivery], {"state": "dead", "last_error": error[:4000]})
            return True
        retry_at = time.time() + policy.next_delay(delivery.attempt)
        self._settle([delivery], {"due_at": retry_at, "last_error": error[:4000]})
        return False

    def release(self, deliveries: Sequence[Delivery], delay_s: float = 0.0) -> None:
        due = time.time() + max(0.0, delay_s)
        self._settle(deliveries, {"attempts": BusDeliveryRow.attempts - 1, "due_at": due})

    def extend(self, deliveries: Sequence[Delivery], lease_s: float) -> None:
        self._settle(deliveries, {"due_at": time.time() + lease_s}, keep_lease=True)

    def _settle(
        self, deliveries: Sequence[Delivery], values: dict[str, Any], *, keep_lease: bool = False
    ) -> None:
        """Update the deliveries still leased under their receipts (a lost lease is left
        alone), one statement per claim batch."""
        by_token: dict[str, list[int]] = {}
        for delivery_id, token in _receipts(deliveries):
            by_token.setdefault(token, []).append(delivery_id)
        if not by_token:
            return
        changes = {**values, "updated_at": utcnow()}
        if not keep_lease:
            changes["lease_token"] = None
        with self._tx() as connection:
            for token, ids in by_token.items():
                connection.execute(
                    update(BusDeliveryRow)
                    .where(BusDeliveryRow.lease_token == token, BusDeliveryRow.id.in_(ids))
                    .values(**changes)
                )

    @contextmanager
    def _tx(self) -> Iterator[Connection]:
        """A Core transaction; not durable on PostgreSQL (see Database.session)."""
        with self.db.transaction(durable=False) as connection:
            yield connection

    # ------------------------------------------------------------------ waiting

    def wait(self, targets: Sequence[str], timeout_s: float) -> None:
        """Until a commit may have brought work, the earliest pending delivery is due, or
        ``timeout_s``. On SQLite the database's doorbell tells of commits (this process's at
        once, other processes' by polling); on PostgreSQL a NOTIFY."""
        doorbell = self.db.doorbell
        mark = doorbell.mark() if doorbell is not None else None  # first: no commit is missed
        deadline = time.monotonic() + max(0.0, timeout_s)
        next_due = self._next_due(targets, mark)
        if next_due is not None:
            deadline = min(deadline, time.monotonic() + max(0.0, next_due - time.time()))
        if self._postgres:
            self._wait_notify(deadline)
        elif doorbell is not None and mark is not None:
            doorbell.wait(mark, deadline)

    def _next_due(self, targets: Sequence[str], version: int | None) -> float | None:
        """The soonest pending delivery's due time; on SQLite (``version``: the file's) read
        again only when the file changed since the last read."""
        seen = self._soonest.get(tuple(targets))
        if version is not None and seen is not None and seen[0] == version:
            return seen[1]
        # a plain read: no commit, so waiting wakes no other waiter
        with self.db.engine.connect() as connection:
            soonest: float | None = connection.execute(
                select(func.min(BusDeliveryRow.due_at)).where(
                    BusDeliveryRow.state == "pending", BusDeliveryRow.target.in_(targets)
                )
            ).scalar()
        if version is not None:
            self._soonest[tuple(targets)] = (version, soonest)
        return soonest

    def _wait_notify(self, deadline: float) -> None:
        listener = self._listen()
        left = deadline - time.monotonic()
        if left > 0:
            for _ in listener.notifies(timeout=left, stop_after=1):
                break

    def _listen(self) -> Any:
        if self._listener is None or self._listener.closed:
            import psycopg

            url = self.db.url.set(drivername="postgresql")
            self._listener = psycopg.connect(
                url.render_as_string(hide_password=False), autocommit=True
            )
            self._listener.execute(f"LISTEN {NOTIFY_CHANNEL}")
        return self._listener

    # ------------------------------------------------------------------ operating

    def dead_letters(self, target: str | None = None, limit: int = 100) -> list[DeadLetter]:
        query = (
            select(BusDeliveryRow)
            .where(BusDeliveryRow.state == "dead")
            .order_by(BusDeliveryRow.id)
            .limit(limit)
        )
        if target is not None:
            query = query.where(BusDeliveryRow.target == target)
        with self.db.session(durable=False) as s:
            rows = list(s.scalars(query))
            events = self._load_events(s.connection(), {row.event_seq for row in rows})
            return [
                DeadLetter(
                    id=str(row.id),
                    event=events[row.event_seq],
                    target=row.target,
                    attempts=row.attempts,
                    error=row.last_error or "",
                    failed_at=row.updated_at,
                )
                for row in rows
            ]

    def replay(self, ids: Sequence[str]) -> int:
        return self._from_dead(ids, {"state": "pending", "attempts": 0, "due_at": time.time()})

    def drop(self, ids: Sequence[str]) -> int:
        numbers = _numbers(ids)
        with self.db.session(durable=False) as s:
            result = s.execute(
                delete(BusDeliveryRow).where(
                    BusDeliveryRow.id.in_(numbers), BusDeliveryRow.state == "dead"
                )
            )
            return int(result.rowcount)  # type: ignore[attr-defined]

    def _from_dead(self, ids: Sequence[str], values: dict[str, Any]) -> int:
        numbers = _numbers(ids)
        with self.db.session(durable=False) as s:
            result = s.execute(
                update(BusDeliveryRow)
                .where(BusDeliveryRow.id.in_(numbers), BusDeliveryRow.state == "dead")
                .values(updated_at=utcnow(), lease_token=None, **values)
            )
            return int(result.rowcount)  # type: ignore[attr-defined]

    def delivery_states(self, subject: str) -> list[DeliveryState]:
        query = (
            select(BusEventRow.id, BusEventRow.detail_type, BusDeliveryRow)
            .join(BusDeliveryRow, BusDeliveryRow.event_seq == BusEventRow.seq)
            .where(BusEventRow.subject == subject)
            .order_by(BusEventRow.seq, BusDeliveryRow.target)
        )
        now = time.time()
        with self.db.session(durable=False) as s:
            return [
                DeliveryState(
                    event_id=event_id,
                    detail_type=detail_type,
                    target=row.target,
                    state=_display_state(row, now),
                    attempts=row.attempts,
                    last_error=row.last_error,
                    updated_at=row.updated_at,
                )
                for event_id, detail_type, row in s.execute(query)
            ]

    def recent_events(self, after: Any, limit: int) -> tuple[list[Event], Any]:
        with self.db.session(durable=False) as s:
            if after is None:
                return [], s.scalar(select(func.max(BusEventRow.seq))) or 0
            rows = list(
                s.scalars(
                    select(BusEventRow)
                    .where(BusEventRow.seq > after)
                    .order_by(BusEventRow.seq)
                    .limit(limit)
                )
            )
        return [_event(row) for row in rows], (rows[-1].seq if rows else after)

    def tidy(self) -> int:
        """Delete events older than :data:`RETENTION_S` whose deliveries are all done."""
        cutoff = utcnow() - timedelta(seconds=RETENTION_S)
        unfinished = select(BusDeliveryRow.event_seq).where(BusDeliveryRow.state != "done")
        with self._tx() as connection:
            result = connection.execute(
                delete(BusEventRow).where(
                    BusEventRow.published_at < cutoff, BusEventRow.seq.not_in(unfinished)
                )
            )
            # SQLite only cascades with foreign keys on; do it explicitly everywhere
            connection.execute(
                delete(BusDeliveryRow).where(
                    BusDeliveryRow.event_seq.not_in(select(BusEventRow.seq))
                )
            )
        return int(result.rowcount)

    def purge(self) -> None:
        """Delete every event and delivery (tests and benchmarks only)."""
        with self.db.session(durable=False) as s:
            s.execute(delete(BusDeliveryRow))
            s.execute(delete(BusEventRow))
        self._events.clear()

    def close(self) -> None:
        if self._listener is not None:
            self._listener.close()
            self._listener = None


def _insert_ignoring_duplicates(dialect: str) -> Any:
    if dialect == "postgresql":
        return postgresql_insert(BusEventRow).on_conflict_do_nothing(index_elements=["id"])
    return sqlite_insert(BusEventRow).on_conflict_do_nothing(index_elements=["id"])


def _event(row: BusEventRow) -> Event:
    return Event(
        id=row.id, source=row.source, detail_type=row.detail_type, time=row.time, detail=row.detail
    )


def _receipts(deliveries: Sequence[Delivery]) -> list[tuple[int, str]]:
    pairs = []
    for delivery in deliveries:
        delivery_id, _, token = delivery.receipt.partition(":")
        pairs.append((int(delivery_id), token))
    return pairs


def _numbers(ids: Sequence[str]) -> list[int]:
    return [int(i) for i in ids if str(i).isdigit()]


def _display_state(row: BusDeliveryRow, now: float) -> str:
    if row.state == "pending" and row.lease_token is not None and row.due_at > now:
        return "running"
    if row.state == "pending" and row.attempts > 0:
        return "retrying"
    return row.state
