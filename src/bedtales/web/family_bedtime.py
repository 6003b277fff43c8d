"""Bedtime: when the household's story is written by itself, and the household's time zone.

The page edits the household's first schedule (the oldest) as a time and days of the week,
saved as ``cron(MM HH ? * MON,WED *)`` (every day: ``cron(MM HH * * ? *)``), read in the
chosen zone; saving adds the schedule if there is none. A schedule that is no plain time
and days (``rate(1 day)`` or a monthly cron set from the command line) is shown as it is,
with its next times, and the form offers to replace it. Other schedules are left alone: they
are the operator's.

The time zone is the household's (its pages and messages show times in it) and, once saved
here, the schedule's too, so that "7:30 pm" means 7:30 pm where the family is.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from functools import cache
from zoneinfo import available_timezones

from fastapi import APIRouter, Request
from fastapi.responses import Response

from bedtales.clock import utcnow
from bedtales.domain import clean_timezone
from bedtales.errors import InputError
from bedtales.households import services
from bedtales.scheduler import expressions as sx
from bedtales.scheduler import schedules
from bedtales.scheduler.schedules import Schedule
from bedtales.web.family_visit import GENERAL, FormData, Visit, field_errors, notice_of, visit_of
from bedtales.web.pages import day_and_time

router = APIRouter(include_in_schema=False)

WEEK = ("MON", "TUE", "WED", "THU", "FRI", "SAT", "SUN")
DAY_NAMES = dict(zip(WEEK, ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"), strict=True))
_CRON_DAYS = ("SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT")  # cron's 0-6
# a plain time and days, as parsed into 5-field cron ("30 19 * * 1,2,3,4,5")
_SIMPLE = re.compile(r"([0-9]{1,2}) ([0-9]{1,2}) \* \* (\*|[0-6](?:,[0-6])*)")
_TIME = re.compile(r"([0-9]{1,2}):([0-9]{2})(?::[0-9]{2}(?:\.[0-9]+)?)?")
DEFAULT_TIME = "19:15"
UPCOMING = 5
ZONE_REGIONS = frozenset(
    {"Africa", "America", "Antarctica", "Asia", "Atlantic", "Australia", "Europe", "Indian"}
    | {"Pacific", "Arctic"}
)
FIELDS = ("time", "days", "timezone")


@dataclass(frozen=True)
class Bedtime:
    time: str  # "19:30"
    days: frozenset[str]  # of WEEK


def bedtime_of(expression: str) -> Bedtime | None:
    """The time and days of a plain daily or weekly schedule; None for anything else."""
    try:
        expr = sx.parse(expression)
    except InputError:
        return None
    if not isinstance(expr, sx.CronExpression) or expr.years is not None:
        return None
    match = _SIMPLE.fullmatch(expr.cron)
    if match is None or int(match[1]) > 59 or int(match[2]) > 23:
        return None
    days = WEEK if match[3] == "*" else [_CRON_DAYS[int(day)] for day in match[3].split(",")]
    return Bedtime(f"{int(match[2]):02d}:{int(match[1]):02d}", frozenset(days))


def clean_time(value: str) -> tuple[int, int]:
    """``19:30`` (as ``<input type="time">`` sends it) as hour and minute."""
    match = _TIME.fullmatch(value.strip())
    if match is None or int(match[1]) > 23 or int(match[2]) > 59:
        raise InputError("time must be a time of day such as 19:30", field="time")
    return int(match[1]), int(match[2])


def clean_days(values: list[str]) -> list[str]:
    chosen = {value.strip().upper() for value in values}
    if not chosen:
        raise InputError("tick at least one day", field="days")
    if not chosen <= set(WEEK):
        raise InputError("days must be days of the week, Monday to Sunday", field="days")
    return [day for day in WEEK if day in chosen]


def expression_for(hour: int, minute: int, days: list[str]) -> str:
    if len(days) == len(WEEK):
        return f"cron({minute} {hour} * * ? *)"
    return f"cron({minute} {hour} ? * {','.join(days)} *)"


def first_schedule(visit: Visit) -> Schedule | None:
    found = schedules.list_schedules(visit.db, visit.name)
    return min(found, key=lambda s: s.created_at) if found else None


@cache
def zone_groups() -> list[tuple[str, list[str]]]:
    """The IANA zones by region, for the picker (old aliases such as US/Eastern left out)."""
    groups: defaultdict[str, list[str]] = defaultdict(list)
    for zone in sorted(available_timezones()):
        region = zone.split("/", 1)[0]
        if region in ZONE_REGIONS and "/" in zone:
            groups[region].append(zone)
    return [("Universal", ["UTC"]), *sorted(groups.items())]


def _page(
    visit: Visit,
    status: int = 200,
    errors: dict[str, str] | None = None,
    chosen: tuple[str, frozenset[str], str] | None = None,
) -> Response:
    schedule = first_schedule(visit)
    bedtime = bedtime_of(schedule.expression) if schedule else None
    fires = schedules.local_fires(schedule, UPCOMING, utcnow()) if schedule else []
    zone_of_fires = schedule.timezone if schedule else visit.household.timezone
    time, days, zone = chosen or (
        bedtime.time if bedtime else DEFAULT_TIME,
        bedtime.days if bedtime else frozenset(WEEK),
        visit.household.timezone,
    )
    return visit.page(
        "bedtime.html",
        status,
        current="bedtime",
        notice=notice_of(visit.request),
        errors=errors or {},
        schedule=schedule,
        bedtime=bedtime,
        upcoming=[(fire.isoformat(), day_and_time(fire, zone_of_fires)) for fire in fires],
        time=time,
        days=days,
        week=[(day, DAY_NAMES[day]) for day in WEEK],
        zone=zone,
        zone_groups=zone_groups(),
        zone_known=any(zone in zones for _, zones in zone_groups()),
    )


@router.get("/households/{page_token}/bedtime")
def bedtime(request: Request, page_token: str) -> Response:
    return _page(visit_of(request, page_token))


@router.post("/households/{page_token}/bedtime")
def save_bedtime(request: Request, page_token: str, form: FormData) -> Response:
    """Every field is checked before anything is written; then the schedule (updated, or
    added if there is none) and the household's zone."""
    visit = visit_of(request, page_token)
    if (refused := visit.refuse_change(form)) is not None:
        return refused
    chosen = (form.get("time"), frozenset(form.all("days")), form.get("timezone"))
    errors: dict[str, str] = {}
    hour = minute = 0
    days: list[str] = []
    zone = ""
    try:
        hour, minute = clean_time(form.get("time"))
    except InputError as exc:
        errors.update(field_errors(exc, FIELDS))
    try:
        days = clean_days(form.all("days"))
    except InputError as exc:
        errors.update(field_errors(exc, FIELDS))
    try:
        zone = clean_timezone(form.get("timezone"), field="timezone")
    except InputError as exc:
        errors["timezone"] = str(exc)
    if errors:
        return _page(visit, 422, errors, chosen)
    expression = expression_for(hour, minute, days)
    schedule = first_schedule(visit)
    try:
        if schedule is None:
            schedules.add_schedule(visit.db, visit.name, expression, timezone=zone)
        else:
            schedules.update(
                visit.db, visit.name, schedule.name, expression=expression, timezone=zone
            )
    except InputError as exc:
        return _page(visit, 422, {GENERAL: str(exc)}, chosen)
    services.update_household(visit.db, visit.name, timezone=zone)
    return visit.done("bedtime", "saved")


@router.post("/households/{page_token}/bedtime/pause")
def pause(request: Request, page_token: str, form: FormData) -> Response:
    return _switch(request, page_token, form, on=False)


@router.post("/households/{page_token}/bedtime/resume")
def resume(request: Request, page_token: str, form: FormData) -> Response:
    return _switch(request, page_token, form, on=True)


def _switch(request: Request, page_token: str, form: FormData, *, on: bool) -> Response:
    visit = visit_of(request, page_token)
    if (refused := visit.refuse_change(form)) is not None:
        return refused
    schedule = first_schedule(visit)
    if schedule is None:
        return visit.done("bedtime")
    try:
        if on:
            schedules.resume(visit.db, visit.name, schedule.name)
        else:
            schedules.pause(visit.db, visit.name, schedule.name)
    except InputError as exc:  # an at() whose moment has passed cannot be resumed
        return _page(visit, 422, {GENERAL: str(exc)})
    return visit.done("bedtime", "resumed" if on else "paused")
