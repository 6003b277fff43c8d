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
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from sqlalchemy import bindparam, delete, func, insert, select, text, update
from sqlalchemy.orm import Session

from bedtales.bus.events import DeadLetter, Delivery, DeliveryState, Event, RetryPolicy, utcnow
from bedtales.storage import Database
from bedtales.storage.models import BusDeliveryRow, BusEventRow

NOTIFY_CHANNEL = "bedtales_bus"
_POLL_S = 0.002  # SQLite: how often PRAGMA data_version is read while waiting


class SqlBackend:
    name = "sql"
    transactional = True

    def __init__(self, db: Database) -> None:
        self.db = db
        self._postgres = db.dialect == "postgresql"
        self._events: dict[int, Event] = {}  # event rows never change: cache them by seq
        self._local_wake = threading.Condition()
        self._listener: Any = None

    # ------------------------------------------------------------------ publishing

    def publish(
        self, items: Sequence[tuple[Event, Sequence[str]]], *, session: Session | None = None
    ) -> int:
        if not items:
            return 0
        with self._session(session) as s:
            new = self._insert_events(s, [event for event, _ in items])
            now = time.time()
            rows = [
                {"event_seq": seq, "target": target, "due_at": now}
                for (event, targets) in items
                if (seq := new.get(event.id)) is not None
                for target in targets
            ]
            if rows:
                s.execute(insert(BusDeliveryRow), rows)
            if self._postgres:
                s.execute(text("SELECT pg_notify(:c, '')"), {"c": NOTIFY_CHANNEL})
        with self._local_wake:
            self._local_wake.notify_all()
        return len(new)

    def _insert_events(self, s: Session, events: list[Event]) -> dict[str, int]:
        """Insert events not seen before; returns {event id: seq} of the new ones."""
        ids = [e.id for e in events]
        seen = set(s.scalars(select(BusEventRow.id).where(BusEventRow.id.in_(ids))))
        new: dict[str, int] = {}
        for event in events:
            if event.id in seen or event.id in new:
                continue
            row = BusEventRow(
                id=event.id,
                source=event.source,
                detail_type=event.detail_type,
                time=event.time,
                detail=event.detail,
                subject=event.subject,
            )
            s.add(row)
            s.flush()
            new[event.id] = row.seq
        return new

    # ------------------------------------------------------------------ claiming

    def claim(self, targets: Sequence[str], limit: int, lease_s: float) -> list[Delivery]:
        if not targets or limit <= 0:
            return []
        token = secrets.token_hex(8)
        now = time.time()
        due = (
            select(BusDeliveryRow.id)
            .where(
                BusDeliveryRow.state == "pending",
                BusDeliveryRow.target.in_(targets),
                BusDeliveryRow.due_at <= now,
            )
            .order_by(BusDeliveryRow.due_at)
            .limit(limit)
        )
        if self._postgres:
            due = due.with_for_update(skip_locked=True)
        claim = (
            update(BusDeliveryRow)
            .where(BusDeliveryRow.id.in_(due.scalar_subquery()))
            .values(
                attempts=BusDeliveryRow.attempts + 1,
                due_at=now + lease_s,
                lease_token=token,
                updated_at=utcnow(),
            )
            .returning(
                BusDeliveryRow.id,
                BusDeliveryRow.event_seq,
                BusDeliveryRow.target,
                BusDeliveryRow.attempts,
            )
        )
        with self.db.session() as s:
            rows = s.execute(claim).all()
            events = self._load_events(s, {row.event_seq for row in rows})
        return [
            Delivery(
                event=events[row.event_seq],
                target=row.target,
                attempt=row.attempts,
                receipt=f"{row.id}:{token}",
            )
            for row in sorted(rows, key=lambda r: r.id)
        ]

    def _load_events(self, s: Session, seqs: set[int]) -> dict[int, Event]:
        missing = [seq for seq in seqs if seq not in self._events]
        if missing:
            for row in s.scalars(select(BusEventRow).where(BusEventRow.seq.in_(missing))):
                self._events[row.seq] = _event(row)
            if len(self._events) > 50_000:  # a bounded cache: drop the oldest half
                for seq in sorted(self._events)[:25_000]:
                    del self._events[seq]
        return {seq: self._events[seq] for seq in seqs}

    # ------------------------------------------------------------------ settling

    def ack(self, deliveries: Sequence[Delivery]) -> None:
        self._settle(deliveries, state="done", due_at=None, error=None)

    def fail(self, delivery: Delivery, error: str, policy: RetryPolicy) -> bool:
        now = utcnow()
        if policy.gives_up(delivery.attempt, delivery.event.time, now):
            self._settle([delivery], state="dead", due_at=None, error=error)
            return True
        retry_at = time.time() + policy.next_delay(delivery.attempt)
        self._settle([delivery], state="pending", due_at=retry_at, error=error)
        return False

    def release(self, deliveries: Sequence[Delivery]) -> None:
        if not deliveries:
            return
        with self.db.session() as s:
            for delivery_id, token in _receipts(deliveries):
                s.execute(
                    update(BusDeliveryRow)
                    .where(BusDeliveryRow.id == delivery_id, BusDeliveryRow.lease_token == token)
                    .values(
                        attempts=BusDeliveryRow.attempts - 1,
                        due_at=time.time(),
                        lease_token=None,
                        updated_at=utcnow(),
                    )
                )
        self._wake_local()

    def extend(self, deliveries: Sequence[Delivery], lease_s: float) -> None:
        if not deliveries:
            return
        with self.db.session() as s:
            for delivery_id, token in _receipts(deliveries):
                s.execute(
                    update(BusDeliveryRow)
                    .where(BusDeliveryRow.id == delivery_id, BusDeliveryRow.lease_token == token)
                    .values(due_at=time.time() + lease_s)
                )

    def _settle(
        self, deliveries: Sequence[Delivery], *, state: str, due_at: float | None, error: str | None
    ) -> None:
        if not deliveries:
            return
        values: dict[str, Any] = {"state": state, "lease_token": None, "updated_at": utcnow()}
        if due_at is not None:
            values["due_at"] = due_at
        if error is not None:
            values["last_error"] = error[:4000]
        statement = (
            update(BusDeliveryRow)
            .where(
                BusDeliveryRow.id == bindparam("d_id"),
                BusDeliveryRow.lease_token == bindparam("d_token"),
            )
            .values(**values)
        )
        params = [{"d_id": d_id, "d_token": token} for d_id, token in _receipts(deliveries)]
        with self.db.session() as s:
            s.connection().execute(statement, params)
        if state == "pending":
            self._wake_local()

    # ------------------------------------------------------------------ waiting

    def wait(self, targets: Sequence[str], timeout_s: float) -> None:
        deadline = time.monotonic() + max(0.0, timeout_s)
        next_due = self._next_due(targets)
        if next_due is not None:
            deadline = min(deadline, time.monotonic() + max(0.0, next_due - time.time()))
        if self._postgres:
            self._wait_notify(deadline)
        else:
            self._wait_data_version(deadline)

    def _next_due(self, targets: Sequence[str]) -> float | None:
        with self.db.session() as s:
            return s.scalar(
                select(func.min(BusDeliveryRow.due_at)).where(
                    BusDeliveryRow.state == "pending", BusDeliveryRow.target.in_(targets)
                )
            )

    def _wait_data_version(self, deadline: float) -> None:
        # PRAGMA data_version changes whenever another connection commits to the file: a
        # cheap cross-process doorbell that reads no table.
        with self.db.engine.connect() as connection:
            start = connection.exec_driver_sql("PRAGMA data_version").scalar()
            while (left := deadline - time.monotonic()) > 0:
                with self._local_wake:
                    if self._local_wake.wait(min(_POLL_S, left)):
                        return
                if connection.exec_driver_sql("PRAGMA data_version").scalar() != start:
                    return

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

    def _wake_local(self) -> None:
        with self._local_wake:
            self._local_wake.notify_all()

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
        with self.db.session() as s:
            rows = list(s.scalars(query))
            events = self._load_events(s, {row.event_seq for row in rows})
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
        with self.db.session() as s:
            result = s.execute(
                delete(BusDeliveryRow).where(
                    BusDeliveryRow.id.in_(numbers), BusDeliveryRow.state == "dead"
                )
            )
            return int(result.rowcount)  # type: ignore[attr-defined]

    def _from_dead(self, ids: Sequence[str], values: dict[str, Any]) -> int:
        numbers = _numbers(ids)
        with self.db.session() as s:
            result = s.execute(
                update(BusDeliveryRow)
                .where(BusDeliveryRow.id.in_(numbers), BusDeliveryRow.state == "dead")
                .values(updated_at=utcnow(), lease_token=None, **values)
            )
            count = int(result.rowcount)  # type: ignore[attr-defined]
        self._wake_local()
        return count

    def delivery_states(self, subject: str) -> list[DeliveryState]:
        query = (
            select(BusEventRow.id, BusEventRow.detail_type, BusDeliveryRow)
            .join(BusDeliveryRow, BusDeliveryRow.event_seq == BusEventRow.seq)
            .where(BusEventRow.subject == subject)
            .order_by(BusEventRow.seq, BusDeliveryRow.target)
        )
        now = time.time()
        with self.db.session() as s:
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
        with self.db.session() as s:
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

    def purge(self) -> None:
        """Delete every event and delivery (tests and benchmarks only)."""
        with self.db.session() as s:
            s.execute(delete(BusDeliveryRow))
            s.execute(delete(BusEventRow))
        self._events.clear()

    def close(self) -> None:
        if self._listener is not None:
            self._listener.close()
            self._listener = None

    @contextmanager
    def _session(self, session: Session | None) -> Iterator[Session]:
        if session is not None:
            yield session
        else:
            with self.db.session() as s:
                yield s


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
