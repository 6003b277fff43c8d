"""Bedtime schedule expressions, in the forms EventBridge Scheduler accepts, plus plain cron.

Four forms parse into an :data:`Expression`:

* ``15 19 * * *`` - standard 5-field cron, evaluated by ``cronsim``;
* ``cron(15 19 * * ? *)`` - AWS cron (minutes hours day-of-month month day-of-week year),
  translated to 5-field cron: ``?`` becomes ``*``, AWS day-of-week 1-7 (SUN-SAT) becomes
  cron's 0-6, and the year field is checked here because cron has none;
* ``rate(1 day)`` - every N minutes, hours or days of plain elapsed time;
* ``at(2026-12-24T19:15:00)`` - once, at a local date-time in the schedule's zone.

Cron runs on the wall clock of an IANA zone. ``cronsim`` handles aware datetimes in two
different ways (Debian-cron fix-ups only for 5-field fixed-time jobs, UTC ticking otherwise,
which fires wildcard-hour jobs in both copies of a repeated hour), so we hand it naive local
times and resolve them ourselves, the same way for every expression:

* a local time that does not exist (the spring-forward gap) fires at the first real instant
  after the gap, so a 02:30 job in New York fires at 03:00 local that night, once;
* a local time that happens twice (the autumn repeat) fires at its first occurrence only,
  so nothing fires twice; matches inside the second copy of the hour are skipped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from itertools import pairwise
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from cronsim import CronSim, CronSimError

from bedtales.errors import InputError

EXAMPLES = "for example cron(15 19 * * ? *) or 15 19 * * *, rate(1 day), at(2026-12-24T19:15:00)"
AWS_YEARS = range(1970, 2200)  # the years EventBridge accepts
_DAYS = ("SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT")  # AWS numbers them 1-7
_UNITS = {"minute": timedelta(minutes=1), "hour": timedelta(hours=1), "day": timedelta(days=1)}
_RATE = re.compile(r"rate\((\d+) ([a-z]+)\)")
_AT = re.compile(r"at\((\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})\)")
_CRON = re.compile(r"cron\((.*)\)")


@dataclass(frozen=True)
class CronExpression:
    """A cron schedule: ``cron`` is always 5-field; ``years`` is None when any year will do."""

    text: str
    cron: str
    years: frozenset[int] | None = None


@dataclass(frozen=True)
class RateExpression:
    """Fires every ``every`` of elapsed time from an anchor, blind to daylight saving."""

    text: str
    every: timedelta


@dataclass(frozen=True)
class AtExpression:
    """Fires once, at ``local`` (naive) read in the schedule's zone."""

    text: str
    local: datetime


Expression = CronExpression | RateExpression | AtExpression


def _bad(reason: str, example: str = EXAMPLES) -> InputError:
    """Every refusal says why and shows a valid expression, so people can fix it at once."""
    return InputError(f"invalid schedule expression: {reason}; {example}", field="expression")


def parse(expression: str) -> Expression:
    """Parse one of the four forms, or raise InputError(field="expression")."""
    text = expression.strip()
    if match := _CRON.fullmatch(text):
        return _parse_aws_cron(text, match.group(1))
    if match := _RATE.fullmatch(text):
        return _parse_rate(text, int(match.group(1)), match.group(2))
    if match := _AT.fullmatch(text):
        try:
            return AtExpression(text, datetime.fromisoformat(match.group(1)))
        except ValueError as exc:
            raise _bad(
                f"{text!r} is not a real date-time ({exc})", "for example at(2026-12-24T19:15:00)"
            ) from exc
    if text.startswith(("cron", "rate", "at")):
        raise _bad(f"{text!r} is malformed")
    fields = text.split()
    if len(fields) != 5:
        raise _bad(f"{text!r} has {len(fields)} fields, standard cron needs 5")
    return CronExpression(text, _checked_cron(text, " ".join(fields)))


def _checked_cron(text: str, cron: str) -> str:
    """Let cronsim judge each field now, so a bad schedule fails when saved, not at night."""
    try:
        CronSim(cron, datetime(2000, 1, 1))
    except (CronSimError, ValueError) as exc:
        raise _bad(f"{text!r}: {exc}") from exc
    return cron


def _parse_rate(text: str, value: int, unit: str) -> RateExpression:
    """AWS rules: N >= 1, singular unit exactly when N is 1."""
    example = "for example rate(1 day) or rate(30 minutes)"
    if value < 1:
        raise _bad(f"{text!r}: the value must be at least 1", example)
    base = unit.removesuffix("s")
    if base not in _UNITS:
        raise _bad(f"{text!r}: the unit must be minute(s), hour(s) or day(s)", example)
    if (value == 1) != (unit == base):
        raise _bad(f"{text!r}: the unit is singular for 1 and plural above 1", example)
    return RateExpression(text, _UNITS[base] * value)


def _parse_aws_cron(text: str, body: str) -> CronExpression:
    """Translate AWS's 6 fields to 5-field cron plus a set of allowed years."""
    example = "for example cron(15 19 * * ? *) or cron(0 19 ? * MON-FRI *)"
    fields = body.split()
    if len(fields) != 6:
        raise _bad(f"{text!r} has {len(fields)} fields, cron() needs 6", example)
    minutes, hours, dom, month, dow, year = fields
    if (dom == "?") == (dow == "?"):
        raise _bad(f"{text!r}: exactly one of day-of-month and day-of-week must be ?", example)
    try:
        cron_dow = "*" if dow == "?" else _aws_weekdays(dow.upper())
        years = _aws_years(year)
    except ValueError as exc:
        raise _bad(f"{text!r}: {exc}", example) from exc
    cron = " ".join((minutes, hours, "*" if dom == "?" else dom, month, cron_dow))
    return CronExpression(text, _checked_cron(text, cron), years)


def _aws_day(token: str) -> int:
    """AWS day-of-week (1-7 or SUN-SAT) to cron's 0-6."""
    if token in _DAYS:
        return _DAYS.index(token)
    if token.isdigit() and 1 <= int(token) <= 7:
        return int(token) - 1
    raise ValueError(f"day-of-week {token!r} must be 1-7 or SUN-SAT")


def _aws_weekdays(field: str) -> str:
    """Expand ranges and steps ourselves: AWS 2/2 means MON,WED,FRI, not cron's 1/2 with 7."""
    if field == "*":
        return "*"
    days: set[int] = set()
    special: list[str] = []
    for item in field.split(","):
        if item.endswith("L") and len(item) > 1:
            special.append(f"{_aws_day(item[:-1])}L")
        elif "#" in item:
            day, _, nth = item.partition("#")
            special.append(f"{_aws_day(day)}#{nth}")
        else:
            span, _, step = item.partition("/")
            first, _, last = span.partition("-")
            start = 0 if first == "*" else _aws_day(first)
            end = _aws_day(last) if last else (6 if step or first == "*" else start)
            bad_step = step != "" and (not step.isdigit() or int(step) < 1)
            if bad_step or end < start:
                raise ValueError(f"day-of-week {item!r} is not a forward range or step")
            days.update(range(start, end + 1, int(step or 1)))
    return ",".join([str(day) for day in sorted(days)] + special)


def _aws_years(field: str) -> frozenset[int] | None:
    """Year field: *, a year, a range, or a list of those, within 1970-2199."""
    if field == "*":
        return None
    years: set[int] = set()
    for item in field.split(","):
        first, _, last = item.partition("-")
        if not first.isdigit() or (last and not last.isdigit()):
            raise ValueError(f"year {item!r} must be *, a year or a range such as 2026-2028")
        lo, hi = int(first), int(last or first)
        if lo not in AWS_YEARS or hi not in AWS_YEARS or hi < lo:
            raise ValueError(f"year {item!r} must lie within 1970-2199, low to high")
        years.update(range(lo, hi + 1))
    return frozenset(years)


def zone_of(tz: str) -> ZoneInfo:
    """An IANA zone, or InputError(field="timezone") naming a valid one."""
    try:
        return ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError, OSError) as exc:
        raise InputError(
            f"unknown time zone {tz!r}; use an IANA name, for example Europe/London",
            field="timezone",
        ) from exc


def to_utc(local: datetime, zone: ZoneInfo) -> datetime:
    """Naive local time to UTC: first occurrence if repeated, end of the gap if skipped."""
    first = local.replace(tzinfo=zone, fold=0)
    if first.astimezone(UTC).astimezone(zone).replace(tzinfo=None) == local:
        return first.astimezone(UTC)
    # In a gap, fold=1 reads the time with the offset after the change (an instant before
    # it) and fold=0 with the one before (an instant after it); bisect to the change itself.
    lo = int(local.replace(tzinfo=zone, fold=1).timestamp())
    hi = int(first.timestamp())
    after_change = datetime.fromtimestamp(hi, zone).utcoffset()
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if datetime.fromtimestamp(mid, zone).utcoffset() == after_change:
            hi = mid
        else:
            lo = mid
    return datetime.fromtimestamp(hi, UTC)


def next_fires(
    expr: Expression, tz: str, after: datetime, count: int, start: datetime | None = None
) -> list[datetime]:
    """The next ``count`` fire times strictly after ``after``, as aware UTC datetimes.

    ``start`` anchors ``rate()`` (default ``after``); the other forms ignore it.
    """
    zone = zone_of(tz)
    if after.tzinfo is None or (start is not None and start.tzinfo is None):
        raise InputError("after and start must be aware datetimes", field="after")
    if count <= 0:
        return []
    if isinstance(expr, AtExpression):
        instant = to_utc(expr.local, zone)
        return [instant] if instant > after else []
    if isinstance(expr, RateExpression):
        anchor = (start or after).astimezone(UTC)
        skipped = max(0, (after - anchor) // expr.every + 1) if anchor <= after else 0
        return [anchor + expr.every * (skipped + k) for k in range(count)]
    return _cron_fires(expr, zone, after.astimezone(UTC), count)


def _cron_fires(
    expr: CronExpression, zone: ZoneInfo, after: datetime, count: int
) -> list[datetime]:
    """Walk cronsim over naive wall-clock times and resolve each one in ``zone``."""
    fires: list[datetime] = []
    last = after
    it = CronSim(expr.cron, after.astimezone(zone).replace(tzinfo=None))
    while len(fires) < count:
        try:
            local = next(it)
        except StopIteration:  # cronsim gives up after 50 years without a match
            break
        if expr.years is not None and local.year not in expr.years:
            later = [year for year in expr.years if year > local.year]
            if not later:
                break
            it = CronSim(expr.cron, datetime(min(later), 1, 1) - timedelta(seconds=1))
            continue
        instant = to_utc(local, zone)
        if instant > last:  # skips the repeated hour's second copy and gap duplicates
            fires.append(instant)
            last = instant
    return fires


def next_fire(expr: Expression, tz: str, after: datetime) -> datetime | None:
    """The next fire time, or None when there is none (an ``at()`` already past)."""
    fires = next_fires(expr, tz, after, 1)
    return fires[0] if fires else None


def shortest_gap(expr: Expression, tz: str, after: datetime, sample: int = 60) -> timedelta | None:
    """The shortest time between two firings, over the next ``sample`` of them (None for a
    schedule that fires once at most)."""
    if isinstance(expr, RateExpression):
        return expr.every
    if isinstance(expr, AtExpression):
        return None
    fires = next_fires(expr, tz, after, sample)
    gaps = [later - earlier for earlier, later in pairwise(fires)]
    return min(gaps) if gaps else None


def validate_at_not_past(expr: Expression, tz: str, now: datetime) -> None:
    """Refuse saving an ``at()`` that can never fire; other forms always fire again."""
    if isinstance(expr, AtExpression) and next_fire(expr, tz, now) is None:
        soon = (now.astimezone(zone_of(tz)) + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:00")
        raise InputError(
            f"{expr.text} is in the past in {tz}; for example at({soon})", field="expression"
        )
