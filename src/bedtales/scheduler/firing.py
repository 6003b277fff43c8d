"""The scheduler: fires due schedules by putting ``ScheduleFired`` on the bus.

As EventBridge Scheduler invokes its target, the scheduler does not write stories itself: a
rule routes ``ScheduleFired`` to the ``write_story`` target, which the workers run, so writing
scales with the workers and is retried and dead-lettered by the bus, with the schedule's own
retry policy (carried in the event as ``detail.retryPolicy``).

Each pass claims due schedules (``due_at <= now``) in batches, in one transaction per batch:

- on PostgreSQL with ``FOR UPDATE SKIP LOCKED``, so any number of schedulers share the work
  and never claim the same row; on SQLite the batch takes the database's write lock first;
- for each row it works out which firing to make (see :func:`plan`), puts the events on the
  bus and moves the rows to their next firing. On the ``sql`` bus the events join the same
  transaction: fired and moved, or neither. On the ``redis`` bus the events go out before
  the commit; a crash in between fires the same firing again, with the same event id, which
  the bus drops.

Two keys make one firing one story, however often it is fired: the event id and the id of
the story to write are both derived from (schedule, fire time). A second scheduler, a
restart or a replay cannot write a second story for the same night.

After downtime a missed firing is caught up once, if it is no later than the schedule's grace
(``max_age_s``, 6 hours by default); otherwise it is skipped and logged. When several firings
of one schedule were missed, only the latest is made.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, bindparam, func, select, text, update

from bedtales.bus.bus import Bus
from bedtales.bus.events import Event, event_id_for
from bedtales.clock import iso_utc, utcnow
from bedtales.metrics import record_firings
from bedtales.scheduler.schedules import COLUMNS, Schedule
from bedtales.storage import Database
from bedtales.storage.models import HouseholdRow, ScheduleRow

log = logging.getLogger(__name__)

SOURCE = "bedtales.scheduler"
DETAIL_TYPE = "ScheduleFired"
BATCH = 1000
IDLE_WAIT_S = 1.0  # the longest sleep: a schedule added by another process waits no longer
# on SQLite the database's doorbell tells of such commits: the longest sleep is then only a
# bound for a machine back from suspend (the monotonic clock stands still meanwhile)
DOORBELL_WAIT_S = 60.0
RETRY_S = 2.0  # after the database or the bus failed
# when the soonest due schedule could not be claimed (another scheduler holds it): no spin
BUSY_WAIT_S = 0.1
# a schedule whose next firing cannot be worked out (its zone vanished from the system's
# time zone data…) is set aside this long, and the others fire meanwhile
PARKED_S = 600
PARKED = timedelta(seconds=PARKED_S)
WALK_LIMIT = 100_000  # a bound for a hand-edited row; the grace allows at most a few thousand
COUNT_LIMIT = 1000  # missed fire times counted one by one; beyond, the count is "at least"

_MOVE = (
    update(ScheduleRow)
    .where(ScheduleRow.id == bindparam("b_id"))
    .values(
        next_fire_at=bindparam("b_next"),
        due_at=bindparam("b_due"),
        last_fired_at=bindparam("b_last"),
    )
)


@dataclass(frozen=True)
class Plan:
    """What one pass does with a due schedule."""

    fire: datetime | None  # the fire time to make now; None: nothing to make (skipped)
    fire_due: datetime | None  # when that firing was due (its fire time plus its window)
    skipped: int  # missed fire times passed over (at least this many)
    first_missed: datetime | None  # the earliest of them
    next_fire_at: datetime | None
    due_at: datetime | None


@dataclass(frozen=True)
class Pass:
    fired: int = 0
    skipped: int = 0

    def __add__(self, other: Pass) -> Pass:
        return Pass(self.fired + other.fired, self.skipped + other.skipped)


def plan(row: Schedule, now: datetime) -> Plan:
    """Which firing of ``row`` to make at ``now``, and where the row goes next.

    Every fire time from ``next_fire_at`` on whose due moment has come is due; the latest of
    them is made (once), the others are passed over. It is made only if it is no more than
    ``max_age_s`` late; otherwise it is skipped too. The row moves to its first fire time not
    yet due.
    """

    def due(fire: datetime | None) -> datetime | None:
        return None if fire is None else row.due_for(fire)

    if row.next_fire_at is None:
        return Plan(None, None, 0, None, None, None)
    grace = timedelta(seconds=row.max_age_s)
    fire: datetime | None = row.next_fire_at
    skipped, first_missed = 0, None
    # far behind (a scheduler down for days): every fire time before the horizon is past its
    # grace whatever its window, so jump there rather than walk every one of them
    horizon = now - grace - timedelta(minutes=row.window_minutes)
    if row.next_fire_at < horizon:
        first_missed = row.next_fire_at
        while fire is not None and fire < horizon and skipped < COUNT_LIMIT:
            skipped += 1  # counted one by one up to a limit, then "at least"
            fire = row.next_after(fire)
        if fire is not None and fire < horizon:
            fire = row.next_after(horizon - timedelta(microseconds=1))
    chosen: datetime | None = None
    for _ in range(WALK_LIMIT):
        moment = due(fire)
        if fire is None or moment is None or moment > now:
            break
        if chosen is not None:
            skipped += 1
            first_missed = first_missed or chosen
        chosen = fire
        fire = row.next_after(fire)
    else:  # a pathological row: move it to the future rather than walk for ever
        fire = row.next_after(now)
    chosen_due = due(chosen)
    if chosen is not None and chosen_due is not None and now - chosen_due > grace:
        skipped += 1
        first_missed = first_missed or chosen
        chosen = chosen_due = None
    return Plan(chosen, chosen_due, skipped, first_missed, fire, due(fire))


def fired_event(
    row: Schedule, fire: datetime, now: datetime, *, due: datetime | None = None
) -> Event:
    """The ``ScheduleFired`` event for one firing. Its id and the id of the story it asks for
    depend only on the schedule and the fire time: the same firing is always the same event,
    and writes the same story."""
    stamp = iso_utc(fire)
    return Event(
        id=event_id_for("schedule-fired", row.id, stamp),
        source=SOURCE,
        detail_type=DETAIL_TYPE,
        time=now,
        detail={
            "storyId": event_id_for("scheduled-story", row.id, stamp),
            "household": row.household,
            "schedule": row.name,
            "scheduleId": row.id,
            "scheduledTime": stamp,
            "dueTime": iso_utc(due or row.due_for(fire)),
            "retryPolicy": {"maxAttempts": row.max_attempts, "maxAgeSeconds": row.max_age_s},
        },
    )


class Scheduler:
    """Claims due schedules and fires them; see the module's docstring."""

    def __init__(
        self,
        db: Database,
        bus: Bus,
        *,
        batch: int = BATCH,
        idle_wait_s: float = IDLE_WAIT_S,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self.db = db
        self.bus = bus
        self.batch = batch
        self.idle_wait_s = idle_wait_s
        self.clock = clock

    def run(self, stop: threading.Event) -> None:
        """Fire schedules as they come due until ``stop`` is set."""
        log.info("scheduler: started (%s database, %s bus)", self.db.dialect, self.bus.backend.name)
        while not stop.is_set():
            try:
                self._pass_then_sleep(stop)
            except Exception:  # the database or the bus went away: wait and try again
                log.exception("scheduler: a pass failed; trying again in %g s", RETRY_S)
                stop.wait(RETRY_S)
        log.info("scheduler: stopped")

    def _pass_then_sleep(self, stop: threading.Event) -> None:
        """Fire what is due, then sleep until the next schedule is due. A schedule added or
        changed meanwhile must not wait for that: on SQLite the database's doorbell wakes the
        scheduler for a commit (at most once every ``idle_wait_s``), elsewhere it looks again
        every ``idle_wait_s``."""
        doorbell = self.db.doorbell
        if doorbell is None:
            self.run_once(stop)
            stop.wait(self._until_next_due())
            return
        started = time.monotonic()
        mark = doorbell.mark()  # before the pass: a schedule changed from now on is not missed
        self.run_once(stop)
        wait = self._until_next_due(DOORBELL_WAIT_S)
        if doorbell.wait(mark, time.monotonic() + wait, stop):
            stop.wait(started + self.idle_wait_s - time.monotonic())

    def run_once(self, stop: threading.Event | None = None) -> Pass:
        """Fire everything due now, batch by batch (stopping between batches if asked)."""
        total = Pass()
        while True:
            done, claimed = self._batch(self.clock())
            total += done
            if claimed < self.batch or (stop is not None and stop.is_set()):
                return total

    def _batch(self, now: datetime) -> tuple[Pass, int]:
        with self.db.transaction() as connection:
            rows = self._claim(connection, now)
            events: list[Event] = []
            moves: list[dict[str, Any]] = []
            lags: list[float] = []
            skipped = 0
            for row in rows:
                # by default the row keeps its firing and is set aside (see below)
                next_fire: datetime | None = row.next_fire_at
                due: datetime | None = now + PARKED
                last = row.last_fired_at
                try:
                    step = plan(row, now)
                    if step.fire is not None and step.fire_due is not None:
                        events.append(fired_event(row, step.fire, now, due=step.fire_due))
                        lags.append(max(0.0, (now - step.fire_due).total_seconds()))
                        last = step.fire
                except Exception:  # one broken row must not hold back every other one
                    log.exception(
                        "schedule %r of %r: cannot work out its firing; set aside for %d s",
                        row.name,
                        row.household,
                        PARKED_S,
                    )
                    skipped += 1
                else:
                    next_fire, due = step.next_fire_at, step.due_at
                    if step.skipped:
                        skipped += step.skipped
                        _log_skipped(row, step)
                moves.append({"b_id": row.id, "b_next": next_fire, "b_due": due, "b_last": last})
            if events:
                backend = self.bus.backend
                # the sql bus joins this transaction; another bus is told before the commit,
                # so a crash fires again (the same event ids, dropped as repeats)
                self.bus.publish(events, connection=connection if backend.transactional else None)
            _move(connection, moves)
        if events:
            sent = self.clock()
            lags = [lag + (sent - now).total_seconds() for lag in lags]
            log.info("scheduler: fired %d schedule(s)", len(events))
            for event in events:
                log.debug("fired %s for %s", event.detail["schedule"], event.detail["household"])
        record_firings(lags, skipped)
        return Pass(len(events), skipped), len(rows)

    def _claim(self, connection: Connection, now: datetime) -> list[Schedule]:
        if self.db.dialect == "sqlite":
            # take the write lock before reading: two schedulers on one SQLite file then
            # claim one after the other, never the same rows
            connection.execute(text("UPDATE schedules SET id = id WHERE 0 = 1"))
        query = (
            select(*COLUMNS)
            .join(HouseholdRow, HouseholdRow.id == ScheduleRow.household_id)
            .where(ScheduleRow.due_at <= now, ScheduleRow.next_fire_at.is_not(None))
            .order_by(ScheduleRow.due_at)
            .limit(self.batch)
            .with_for_update(of=ScheduleRow, skip_locked=True)
        )
        return [Schedule(*row) for row in connection.execute(query)]

    def _until_next_due(self, longest: float | None = None) -> float:
        """Seconds until the next schedule is due, at most ``longest`` (default:
        ``idle_wait_s``). One that is due
        already, and was not claimed by this pass, is held by another scheduler: look again
        shortly rather than at once."""
        with self.db.transaction() as connection:
            soonest = connection.execute(
                select(func.min(ScheduleRow.due_at)).where(ScheduleRow.next_fire_at.is_not(None))
            ).scalar()
        longest = self.idle_wait_s if longest is None else longest
        if soonest is None:
            return longest
        wait = (soonest - self.clock()).total_seconds()
        return BUSY_WAIT_S if wait <= 0 else min(longest, wait)


def _move(connection: Connection, moves: list[dict[str, Any]]) -> None:
    """Move the rows to their next firing: one UPDATE … WHERE id IN (…) for each group that
    moves alike (at 19:15 a whole batch of families moves to tomorrow's 19:15), one
    executemany for the rest (schedules with windows are each due at their own moment)."""
    groups: dict[tuple[Any, ...], list[int]] = {}
    for move in moves:
        groups.setdefault((move["b_next"], move["b_due"], move["b_last"]), []).append(move["b_id"])
    alone = []
    for (next_fire, due, last), ids in groups.items():
        if len(ids) == 1:
            alone.append({"b_id": ids[0], "b_next": next_fire, "b_due": due, "b_last": last})
            continue
        connection.execute(
            update(ScheduleRow)
            .where(ScheduleRow.id.in_(ids))
            .values(next_fire_at=next_fire, due_at=due, last_fired_at=last)
        )
    if alone:
        connection.execute(_MOVE, alone)


def _log_skipped(row: Schedule, step: Plan) -> None:
    since = "?" if step.first_missed is None else iso_utc(step.first_missed)
    count = f"{step.skipped}+" if step.skipped >= COUNT_LIMIT else str(step.skipped)
    if step.fire is not None:
        log.warning(
            "schedule %r of %r: %s missed firing(s) since %s passed over; caught up %s once",
            row.name,
            row.household,
            count,
            since,
            iso_utc(step.fire),
        )
    else:
        log.warning(
            "schedule %r of %r: missed firing(s) since %s skipped: more than %d s late "
            "(the schedule's grace, max_age_s)",
            row.name,
            row.household,
            since,
            row.max_age_s,
        )
