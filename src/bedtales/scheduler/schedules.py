"""Schedules: when bedtales writes a story for a household by itself. Each one is an
expression (see :mod:`bedtales.scheduler.expressions`) read in an IANA time zone, by default
the household's. These services keep ``next_fire_at`` up to date; the scheduler process that
fires them reads it (through the ``ix_schedules_due`` index).

:class:`Schedule` is the one shape of a schedule, for these commands and for the scheduler
(:mod:`bedtales.scheduler.firing`) alike, and the one place that knows when a firing is due
(its fire time plus its place in the window) and where ``rate()`` counts from.
"""

from __future__ import annotations

import functools
import hashlib
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from bedtales.clock import utcnow
from bedtales.domain import clean_name, clean_timezone
from bedtales.errors import InputError, NotFound
from bedtales.households.services import check_cap, household_row, refuse_duplicates
from bedtales.scheduler import (
    DEFAULT_EXPRESSION,
    DEFAULT_MAX_AGE_S,
    DEFAULT_MAX_ATTEMPTS,
    DEFAULT_NAME,
)
from bedtales.scheduler import expressions as sx
from bedtales.storage import Database
from bedtales.storage.models import HouseholdRow, ScheduleRow

MAX_SCHEDULES = 10  # a household's cap
EXPRESSION_MAX = 200
WINDOW_MAX_MINUTES = 1440  # EventBridge Scheduler's limit for a flexible time window
# EventBridge Scheduler's bounds: up to 185 retries, events kept 60 s to 24 h
MAX_ATTEMPTS_RANGE = (1, 186)
MAX_AGE_RANGE_S = (60, 86400)


@dataclass(frozen=True)
class Schedule:
    """A schedule with its household's name: what the commands show and the scheduler fires.

    The fields come in the order of :data:`COLUMNS`, so a selected row is ``Schedule(*row)``.
    The last three have defaults for a schedule put together by hand (a test, a check): it
    is enabled, has no stored due moment, and counts as created now.
    """

    id: int
    household_id: int
    household: str
    name: str
    expression: str
    timezone: str
    window_minutes: int
    max_attempts: int
    max_age_s: int
    next_fire_at: datetime | None
    last_fired_at: datetime | None
    enabled: bool = True
    due_at: datetime | None = None
    created_at: datetime = field(default_factory=utcnow)

    def due_for(self, fire: datetime) -> datetime:
        """When the firing at ``fire`` is due (see :func:`due_time`)."""
        return fire + window_delay(self.household_id, self.name, fire, self.window_minutes)

    def fires_after(self, after: datetime, count: int) -> list[datetime]:
        """The next ``count`` fire times strictly after ``after``, in UTC.

        ``rate()`` counts from the stored next fire time, so its firings stay on the grid it
        was started on (when added, resumed or given a new expression); with none stored
        (paused) it counts from ``after``, as resuming now would. The other forms follow the
        wall clock of the schedule's zone.
        """
        expr = parsed(self.expression)
        if isinstance(expr, sx.RateExpression):
            return sx.next_fires(expr, self.timezone, after, count, start=self.next_fire_at)
        if count == 1:
            fire = _next_on_the_clock(self.expression, self.timezone, after)
            return [] if fire is None else [fire]
        return sx.next_fires(expr, self.timezone, after, count)

    def next_after(self, after: datetime) -> datetime | None:
        """The first fire time strictly after ``after``; None when there is none."""
        fires = self.fires_after(after, 1)
        return fires[0] if fires else None

    def to_json(self) -> dict[str, object]:
        """The schedule as ``schedule list --json`` prints it. Its times keep the form they
        have always had there (``2026-12-24T19:15:00+00:00``), which scripts may read."""
        return {
            "household": self.household,
            "name": self.name,
            "expression": self.expression,
            "timezone": self.timezone,
            "enabled": self.enabled,
            "windowMinutes": self.window_minutes,
            "maxAttempts": self.max_attempts,
            "maxAgeSeconds": self.max_age_s,
            "nextFireAt": _listed(self.next_fire_at),
            "dueAt": _listed(self.due_at),
            "lastFiredAt": _listed(self.last_fired_at),
            "createdAt": _listed(self.created_at),
        }


# a schedule's columns in the order of Schedule's fields (select them joined to households)
COLUMNS = (
    ScheduleRow.id,
    ScheduleRow.household_id,
    HouseholdRow.name,
    ScheduleRow.name,
    ScheduleRow.expression,
    ScheduleRow.timezone,
    ScheduleRow.window_minutes,
    ScheduleRow.max_attempts,
    ScheduleRow.max_age_s,
    ScheduleRow.next_fire_at,
    ScheduleRow.last_fired_at,
    ScheduleRow.enabled,
    ScheduleRow.due_at,
    ScheduleRow.created_at,
)


@functools.lru_cache(maxsize=1024)
def parsed(expression: str) -> sx.Expression:
    """A stored expression, parsed once: thousands of schedules share a few expressions."""
    return sx.parse(expression)


@functools.lru_cache(maxsize=65536)
def _next_on_the_clock(expression: str, tz: str, after: datetime) -> datetime | None:
    # cron() and at() depend only on these three: one walk serves every family sharing them
    return sx.next_fire(parsed(expression), tz, after)


def _listed(value: datetime | None) -> str | None:
    return None if value is None else value.isoformat()


def _now(now: datetime | None) -> datetime:
    if now is None:
        return utcnow()
    if now.tzinfo is None:
        raise InputError("now must be an aware datetime", field="now")
    return now


def _parse(expression: str) -> sx.Expression:
    if len(expression.strip()) > EXPRESSION_MAX:
        raise InputError(
            f"invalid schedule expression: longer than {EXPRESSION_MAX} characters; {sx.EXAMPLES}",
            field="expression",
        )
    return sx.parse(expression)


def _window(minutes: int) -> int:
    if not 0 <= minutes <= WINDOW_MAX_MINUTES:
        raise InputError(
            f"window must be 0 (off) to {WINDOW_MAX_MINUTES} minutes, not {minutes}; "
            "for example 30",
            field="window",
        )
    return minutes


def _attempts(value: int) -> int:
    low, high = MAX_ATTEMPTS_RANGE
    if not low <= value <= high:
        raise InputError(
            f"max attempts must be {low} to {high}, not {value}; for example 3",
            field="max_attempts",
        )
    return value


def _max_age(value: int) -> int:
    low, high = MAX_AGE_RANGE_S
    if not low <= value <= high:
        raise InputError(
            f"max age must be {low} to {high} seconds, not {value}; for example 21600 (6 hours)",
            field="max_age",
        )
    return value


def _window_fits(window_minutes: int, expr: sx.Expression, tz: str, now: datetime) -> None:
    """A window must be shorter than the time between firings: otherwise one firing's
    moment could fall after the next one's, and firings would overtake each other."""
    gap = sx.shortest_gap(expr, tz, now)
    if window_minutes and gap is not None and timedelta(minutes=window_minutes) >= gap:
        longest = max(0, int(gap.total_seconds() // 60) - 1)
        raise InputError(
            f"window must be shorter than the time between firings of {expr.text} "
            f"({_minutes(gap)}); for example {min(longest, 30)}",
            field="window",
        )


def _minutes(gap: timedelta) -> str:
    minutes = int(gap.total_seconds() // 60)
    return f"{minutes} min" if minutes < 120 else f"{minutes // 60} h"


def due_time(
    household_id: int, name: str, fire: datetime | None, window_minutes: int
) -> datetime | None:
    """When a firing is due: its fire time, plus (with a flexible window) a delay of up to
    ``window_minutes`` that depends only on the schedule and the fire time. Every scheduler
    works out the same moment, and one household's schedules do not all land on the minute."""
    if fire is None:
        return None
    return fire + window_delay(household_id, name, fire, window_minutes)


def window_delay(household_id: int, name: str, fire: datetime, window_minutes: int) -> timedelta:
    """A firing's place in its window, from a hash of the schedule and the fire time."""
    if window_minutes <= 0:
        return timedelta(0)
    # the hash input keeps isoformat(): another form would move every windowed firing
    digest = hashlib.blake2b(f"{household_id}:{name}:{fire.isoformat()}".encode(), digest_size=8)
    return timedelta(seconds=int.from_bytes(digest.digest()) % (window_minutes * 60 + 1))


def _set_next(row: ScheduleRow, fire: datetime | None) -> None:
    row.next_fire_at = fire
    row.due_at = due_time(row.household_id, row.name, fire, row.window_minutes)


def add_schedule(
    db: Database,
    household: str,
    expression: str = DEFAULT_EXPRESSION,
    *,
    name: str | None = None,
    timezone: str | None = None,
    window_minutes: int = 0,
    max_attempts: int = DEFAULT_MAX_ATTEMPTS,
    max_age_s: int = DEFAULT_MAX_AGE_S,
    now: datetime | None = None,
) -> Schedule:
    """A new, enabled schedule. Refuses a bad expression, zone or window with the reason and
    an example, an ``at()`` already past, a missing household and a name already used."""
    now = _now(now)
    expr = _parse(expression)
    window = _window(window_minutes)
    attempts, max_age = _attempts(max_attempts), _max_age(max_age_s)
    wanted = None if name is None else clean_name(name, field="name")
    with db.session() as session:
        home = household_row(session, household)
        tz = home.timezone if timezone is None else clean_timezone(timezone)
        sx.validate_at_not_past(expr, tz, now)
        _window_fits(window, expr, tz, now)
        taken = set(
            session.scalars(select(ScheduleRow.name).where(ScheduleRow.household_id == home.id))
        )
        check_cap(len(taken), 1, MAX_SCHEDULES, "schedules", "schedule")
        if wanted is None:
            wanted = _free_name(taken)
        elif wanted in taken:
            raise InputError(
                f"household {home.name!r} already has a schedule {wanted!r}; choose another --name",
                field="name",
            )
        row = ScheduleRow(
            household_id=home.id,
            name=wanted,
            expression=expr.text,
            timezone=tz,
            enabled=True,
            window_minutes=window,
            max_attempts=attempts,
            max_age_s=max_age,
            created_at=now,
        )
        _set_next(row, sx.next_fire(expr, tz, now))
        with refuse_duplicates(
            f"household {home.name!r} already has a schedule {wanted!r}", "name"
        ):
            session.add(row)
            session.flush()
        return _schedule(row, home.name)


def _free_name(taken: set[str]) -> str:
    """ "nightly" for the first schedule, then "schedule-2", "schedule-3"…"""
    if DEFAULT_NAME not in taken:
        return DEFAULT_NAME
    number = 2
    while f"schedule-{number}" in taken:
        number += 1
    return f"schedule-{number}"


def list_schedules(db: Database, household: str | None = None) -> list[Schedule]:
    """Every schedule (of one household if named), by household and name."""
    with db.session() as session:
        query = select(*COLUMNS).join(HouseholdRow, HouseholdRow.id == ScheduleRow.household_id)
        if household is not None:
            query = query.where(ScheduleRow.household_id == household_row(session, household).id)
        query = query.order_by(HouseholdRow.name, ScheduleRow.name)
        return [Schedule(*row) for row in session.execute(query).all()]


def get_schedule(db: Database, household: str, name: str) -> Schedule:
    with db.session() as session:
        home = household_row(session, household)
        return _schedule(_schedule_row(session, home, name), home.name)


def pause(db: Database, household: str, name: str) -> Schedule:
    """Stop firing until resumed; a paused schedule has no next fire time."""
    with db.session() as session:
        home = household_row(session, household)
        row = _schedule_row(session, home, name)
        row.enabled = False
        _set_next(row, None)
        return _schedule(row, home.name)


def resume(db: Database, household: str, name: str, *, now: datetime | None = None) -> Schedule:
    """Fire again, from now on: firings missed while paused are not caught up."""
    now = _now(now)
    with db.session() as session:
        home = household_row(session, household)
        row = _schedule_row(session, home, name)
        sx.validate_at_not_past(sx.parse(row.expression), row.timezone, now)
        row.enabled = True
        _set_next(row, sx.next_fire(sx.parse(row.expression), row.timezone, now))
        return _schedule(row, home.name)


def update(
    db: Database,
    household: str,
    name: str,
    *,
    expression: str | None = None,
    timezone: str | None = None,
    window_minutes: int | None = None,
    max_attempts: int | None = None,
    max_age_s: int | None = None,
    now: datetime | None = None,
) -> Schedule:
    """Change what is given and keep the rest; every value is checked before anything is
    written. A new expression or zone counts from now (as ``resume`` does); a new window
    keeps the coming firing and moves only its due moment (so a firing inside its window is
    not lost). A paused schedule stays paused."""
    now = _now(now)
    if all(v is None for v in (expression, timezone, window_minutes, max_attempts, max_age_s)):
        raise InputError(
            "nothing to change: give a new expression, time zone, window, max attempts or "
            "max age; for example --window 15",
            field="schedule",
        )
    expr = None if expression is None else _parse(expression)
    window = None if window_minutes is None else _window(window_minutes)
    attempts = None if max_attempts is None else _attempts(max_attempts)
    max_age = None if max_age_s is None else _max_age(max_age_s)
    with db.session() as session:
        home = household_row(session, household)
        row = _schedule_row(session, home, name)
        tz = row.timezone if timezone is None else clean_timezone(timezone)
        expr = expr or sx.parse(row.expression)
        moves = (expr.text, tz) != (row.expression, row.timezone)
        if row.enabled and moves:
            sx.validate_at_not_past(expr, tz, now)
        _window_fits(row.window_minutes if window is None else window, expr, tz, now)
        row.expression, row.timezone = expr.text, tz
        if window is not None:
            row.window_minutes = window
        if attempts is not None:
            row.max_attempts = attempts
        if max_age is not None:
            row.max_age_s = max_age
        if row.enabled:
            _set_next(row, sx.next_fire(expr, tz, now) if moves else row.next_fire_at)
        return _schedule(row, home.name)


def remove(db: Database, household: str, name: str) -> Schedule:
    with db.session() as session:
        home = household_row(session, household)
        row = _schedule_row(session, home, name)
        session.delete(row)
        return _schedule(row, home.name)


def upcoming(
    db: Database, household: str, name: str, count: int = 5, now: datetime | None = None
) -> list[datetime]:
    """The next ``count`` fire times after now, as local times in the schedule's zone (also
    for a paused schedule: the times it would fire at if resumed now)."""
    now = _now(now)
    if count < 1:
        raise InputError(f"count must be at least 1, not {count}", field="count")
    schedule = get_schedule(db, household, name)
    return local_fires(schedule, count, now)


def local_fires(schedule: Schedule, count: int, now: datetime) -> list[datetime]:
    """The next ``count`` fire times after ``now``, in the schedule's zone."""
    zone = ZoneInfo(schedule.timezone)
    return [fire.astimezone(zone) for fire in schedule.fires_after(now, count)]


def _schedule_row(session: Session, home: HouseholdRow, name: str) -> ScheduleRow:
    row = session.scalar(
        select(ScheduleRow).where(
            ScheduleRow.household_id == home.id, ScheduleRow.name == name.strip()
        )
    )
    if row is None:
        raise NotFound(f"no schedule {name!r} in {home.name!r} (see `bedtales schedule list`)")
    return row


def _schedule(row: ScheduleRow, household: str) -> Schedule:
    return Schedule(
        id=row.id,
        household_id=row.household_id,
        household=household,
        name=row.name,
        expression=row.expression,
        timezone=row.timezone,
        enabled=row.enabled,
        window_minutes=row.window_minutes,
        max_attempts=row.max_attempts,
        max_age_s=row.max_age_s,
        next_fire_at=row.next_fire_at,
        due_at=row.due_at,
        last_fired_at=row.last_fired_at,
        created_at=row.created_at,
    )
