"""Bedtime schedule expressions, in the forms EventBridge Scheduler accepts, plus plain cron.

Four forms parse into an :data:`Expression`:

* ``15 19 * * *`` - standard 5-field cron, evaluated by ``cronsim``;
* ``cron(15 19 * * ? *)`` - AWS cron (minutes hours day-of-month month day-of-week year),
  translated to 5-field cron: ``?`` becomes ``*``, AWS day-of-week 1-7 (SUN-SAT) becomes
  cron's 0-6 (``L`` alone is 7, Saturday, the last day of the week), and what cron lacks is
  kept beside it: the years (with ``/`` steps) and a day-of-month ``15W`` (the weekday
  nearest the 15th, within the month);
* ``rate(1 day)`` - every N minutes, hours or days of plain elapsed time;
* ``at(2026-12-24T19:15:00)`` - once, at a local date-time in the schedule's zone.

Cron runs on the wall clock of an IANA zone. ``cronsim`` handles aware datetimes in two
different ways (Debian-cron fix-ups only for 5-field fixed-time jobs, UTC ticking otherwise,
which fires wildcard-hour jobs in both copies of a repeated hour), so we hand it naive local
times and resolve them ourselves:

* a local time that does not exist (the spring-forward gap) is skipped that night by
  ``cron()``, as EventBridge Scheduler skips it; 5-field cron and ``at()`` fire at the first
  real instant after the gap instead (a 02:30 job in New York fires at 03:00 that night,
  once), so plain cron keeps the Debian cron behaviour people know and a one-time
  schedule is never lost;
* a local time that happens twice (the autumn repeat) fires at its first occurrence only,
  in every form, so nothing fires twice; matches inside the second copy of the hour are
  skipped.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
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
_NEAREST_WEEKDAY = re.compile(r"([1-9]|[12][0-9]|3[01])W")


@dataclass(frozen=True)
class CronExpression:
    """A cron schedule: ``cron`` is always 5-field; ``years`` is None when any year will do.

    ``nearest_weekday`` is N for a day-of-month ``NW`` (``cron`` then names the days around
    N, and each is kept only if it is that month's weekday nearest N). ``skips_gap`` is the
    daylight-saving rule: True (``cron()``) skips a time that does not exist that night,
    False (5-field cron) fires it at the end of the gap.
    """

    text: str
    cron: str
    years: frozenset[int] | None = None
    nearest_weekday: int | None = None
    skips_gap: bool = False


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
    """Translate AWS's 6 fields to 5-field cron plus what cron lacks (years, ``NW``)."""
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
    cron_dom = "*" if dom == "?" else dom
    nearest: int | None = None
    if match := _NEAREST_WEEKDAY.fullmatch(dom.upper()):
        nearest = int(match.group(1))
        # the plain day first: 30W in February is refused as 30 in February is
        _checked_cron(text, " ".join((minutes, hours, str(nearest), month, cron_dow)))
        cron_dom = f"{max(1, nearest - 2)}-{min(31, nearest + 2)}"
    cron = " ".join((minutes, hours, cron_dom, month, cron_dow))
    return CronExpression(text, _checked_cron(text, cron), years, nearest, skips_gap=True)


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
        if item == "L":  # alone, L is the last day of the week: 7, Saturday
            days.add(_DAYS.index("SAT"))
        elif item.endswith("L"):
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
    """Year field: *, a year, a range, a step (2026/2, */2, 2026-2030/2) or a list of those,
    within 1970-2199."""
    if field == "*":
        return None
    years: set[int] = set()
    for item in field.split(","):
        years.update(_aws_year_item(item))
    return frozenset(years)


def _aws_year_item(item: str) -> range:
    """One item of the year field; a step with no end runs to 2199, as on AWS."""
    span, slash, step = item.partition("/")
    first, _, last = span.partition("-")
    every_year = first == "*" and not last and slash != ""
    bad_step = slash != "" and (not step.isdigit() or int(step) < 1)
    if bad_step or not (every_year or first.isdigit()) or (last and not last.isdigit()):
        raise ValueError(f"year {item!r} must be *, a year or a range such as 2026-2028")
    if every_year:
        lo, hi = AWS_YEARS.start, AWS_YEARS.stop - 1
    else:
        lo = int(first)
        hi = int(last) if last else (AWS_YEARS.stop - 1 if slash else lo)
    if lo not in AWS_YEARS or hi not in AWS_YEARS or hi < lo:
        raise ValueError(f"year {item!r} must lie within 1970-2199, low to high")
    return range(lo, hi + 1, int(step or 1))


def nearest_weekday(year: int, month: int, day: int) -> int | None:
    """The day of the month (Monday to Friday) nearest ``day``, never in another month: a
    Saturday moves to the Friday before, or to Monday the 3rd when it is the 1st; a Sunday
    to the Monday after, or to the Friday before when it is the month's last day. None when
    the month has no such day (31W in April)."""
    last = calendar.monthrange(year, month)[1]
    if day > last:
        return None
    weekday = date(year, month, day).weekday()  # Monday 0 … Sunday 6
    if weekday == 5:
        return day - 1 if day > 1 else day + 2
    if weekday == 6:
        return day + 1 if day < last else day - 2
    return day


def zone_of(tz: str) -> ZoneInfo:
    """An IANA zone, or InputError(field="timezone") naming a valid one."""
    try:
        return ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError, OSError) as exc:
        raise InputError(
            f"unknown time zone {tz!r}; use an IANA name, for example Europe/London",
            field="timezone",
        ) from exc


def exists(local: datetime, zone: ZoneInfo) -> bool:
    """Whether a naive local time happens in ``zone``: False inside a spring-forward gap."""
    round_trip = local.replace(tzinfo=zone, fold=0).astimezone(UTC).astimezone(zone)
    return round_trip.replace(tzinfo=None) == local


def to_utc(local: datetime, zone: ZoneInfo) -> datetime:
    """Naive local time to UTC: first occurrence if repeated, end of the gap if skipped."""
    first = local.replace(tzinfo=zone, fold=0)
    if exists(local, zone):
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
        if not _on_its_day(expr, local):
            continue
        if expr.skips_gap and not exists(local, zone):
            continue  # EventBridge Scheduler skips a cron() time the clocks jump over
        instant = to_utc(local, zone)
        if instant > last:  # skips the repeated hour's second copy and gap duplicates
            fires.append(instant)
            last = instant
    return fires


def _on_its_day(expr: CronExpression, local: datetime) -> bool:
    """False for a day cron matched only as a neighbour of an ``NW`` day-of-month."""
    if expr.nearest_weekday is None:
        return True
    return local.day == nearest_weekday(local.year, local.month, expr.nearest_weekday)


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
