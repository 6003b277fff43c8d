"""The `bedtales schedule` commands: when bedtales writes a story for a household by
itself. A thin layer over :mod:`bedtales.scheduler.schedules`; see docs/schedules.md.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Annotated
from zoneinfo import ZoneInfo

import typer
from rich.table import Table
from rich.text import Text

from bedtales.cli.common import command, err, opened, out, print_json
from bedtales.cli.daemon import MetricsHostOpt, serve_metrics_on, stop_on_signals
from bedtales.cli.options import DataDir, HouseholdOpt, JsonOpt
from bedtales.cli.parts import schedules
from bedtales.clock import utcnow
from bedtales.scheduler import DEFAULT_EXPRESSION, DEFAULT_MAX_AGE_S, DEFAULT_MAX_ATTEMPTS

if TYPE_CHECKING:
    from bedtales.scheduler.schedules import Schedule

schedule_app = typer.Typer(
    help="When bedtales writes a story by itself: cron(), rate() or at() expressions in the "
    "household's time zone. See docs/schedules.md."
)
Name = Annotated[
    str, typer.Argument(metavar="NAME", help="The schedule's name, as `schedule list` shows.")
]


WINDOW_HELP = "Flexible time window: fire up to this many minutes late (0 = off, max 1440)."
ATTEMPTS_HELP = "Attempts to write one firing's story (1-186)."
MAX_AGE_HELP = "Grace: how late a firing may still be made or retried (60-86400 s)."
WindowOpt = Annotated[int, typer.Option(metavar="MINUTES", help=WINDOW_HELP)]
AttemptsOpt = Annotated[int, typer.Option(metavar="N", help=ATTEMPTS_HELP)]
MaxAgeOpt = Annotated[int, typer.Option(metavar="SECONDS", help=MAX_AGE_HELP)]


def register(cli: typer.Typer) -> None:
    cli.add_typer(schedule_app, name="schedule", no_args_is_help=True)
    command(cli, "scheduler")(scheduler)


def _local(when: datetime) -> str:
    """``when`` for a person, to the minute; to the second when it is not on the minute (a
    rate() schedule fires on the grid of the moment it was added), so the time shown is the
    time it fires."""
    on_the_minute = when.second == 0 and when.microsecond == 0
    return when.strftime("%a %Y-%m-%d %H:%M %Z" if on_the_minute else "%a %Y-%m-%d %H:%M:%S %Z")


def _next(schedule: Schedule) -> str:
    if not schedule.enabled:
        return "paused"
    if schedule.next_fire_at is None:
        return "never again"
    return _local(schedule.next_fire_at.astimezone(ZoneInfo(schedule.timezone)))


def _describe(schedule: Schedule) -> str:
    window = f", up to {schedule.window_minutes} min late" if schedule.window_minutes else ""
    return (
        f"schedule {schedule.name!r} of {schedule.household!r}: {schedule.expression} "
        f"in {schedule.timezone}{window}; {_retries(schedule)}; next: {_next(schedule)}"
    )


def _retries(schedule: Schedule) -> str:
    return f"{schedule.max_attempts} attempt(s) within {_duration(schedule.max_age_s)}"


def _duration(seconds: int) -> str:
    if seconds % 3600 == 0:
        return f"{seconds // 3600} h"
    if seconds % 60 == 0:
        return f"{seconds // 60} min"
    return f"{seconds} s"


@command(schedule_app, "add")
def schedule_add(
    expression: Annotated[
        str,
        typer.Argument(
            metavar="[EXPRESSION]",
            help="cron(15 19 * * ? *), 15 19 * * *, rate(1 day) or at(2026-12-24T19:15:00). "
            "Quote it in the shell.",
        ),
    ] = DEFAULT_EXPRESSION,
    name: Annotated[
        str | None,
        typer.Option(help="A name for it (default: nightly, then schedule-2, schedule-3…)."),
    ] = None,
    timezone: Annotated[
        str | None,
        typer.Option(help="IANA time zone, e.g. Europe/London (default: the household's)."),
    ] = None,
    window: WindowOpt = 0,
    max_attempts: AttemptsOpt = DEFAULT_MAX_ATTEMPTS,
    max_age: MaxAgeOpt = DEFAULT_MAX_AGE_S,
    household: HouseholdOpt = None,
    data_dir: DataDir = None,
) -> None:
    """Add a schedule (default: 19:15 every evening in the household's time zone)."""
    with opened(data_dir) as bedtales:
        added = schedules.add_schedule(
            bedtales.db,
            bedtales.household(household),
            expression,
            name=name,
            timezone=timezone,
            window_minutes=window,
            max_attempts=max_attempts,
            max_age_s=max_age,
        )
    out.print(Text("Added " + _describe(added)))


@command(schedule_app, "set")
def schedule_set(
    name: Name,
    expression: Annotated[
        str | None,
        typer.Option(help="A new expression, e.g. 'cron(0 19 ? * MON-FRI *)' (quote it)."),
    ] = None,
    timezone: Annotated[
        str | None, typer.Option(help="A new IANA time zone, e.g. America/New_York.")
    ] = None,
    window: Annotated[int | None, typer.Option(metavar="MINUTES", help=WINDOW_HELP)] = None,
    max_attempts: Annotated[int | None, typer.Option(metavar="N", help=ATTEMPTS_HELP)] = None,
    max_age: Annotated[int | None, typer.Option(metavar="SECONDS", help=MAX_AGE_HELP)] = None,
    household: HouseholdOpt = None,
    data_dir: DataDir = None,
) -> None:
    """Change a schedule's expression, time zone, window or retry policy (the rest stays).
    A new expression, zone or window counts from now; a paused schedule stays paused."""
    with opened(data_dir) as bedtales:
        changed = schedules.update(
            bedtales.db,
            bedtales.household(household),
            name,
            expression=expression,
            timezone=timezone,
            window_minutes=window,
            max_attempts=max_attempts,
            max_age_s=max_age,
        )
    out.print(Text("Changed " + _describe(changed)))


@command(schedule_app, "list")
def schedule_list(
    household: Annotated[
        str | None,
        typer.Option("--household", "-H", help="Only this household's (default: every one)."),
    ] = None,
    data_dir: DataDir = None,
    as_json: JsonOpt = False,
) -> None:
    """List the schedules, with their next fire times in local time."""
    with opened(data_dir) as bedtales:
        found = schedules.list_schedules(bedtales.db, household)
    if as_json:
        print_json([s.to_json() for s in found])
        return
    if not found:
        out.print(Text("No schedules yet: bedtales schedule add", style="dim"))
        return
    table = Table("household", "name", "expression", "time zone", "window", "retries", "next")
    for s in found:
        table.add_row(
            Text(s.household),
            Text(s.name),
            Text(s.expression),
            Text(s.timezone),
            f"{s.window_minutes} min" if s.window_minutes else "off",
            _retries(s),
            Text(_next(s)),
        )
    out.print(table)


@command(schedule_app, "pause")
def schedule_pause(name: Name, household: HouseholdOpt = None, data_dir: DataDir = None) -> None:
    """Stop a schedule from firing until it is resumed."""
    with opened(data_dir) as bedtales:
        paused = schedules.pause(bedtales.db, bedtales.household(household), name)
    out.print(Text("Paused " + _describe(paused)))


@command(schedule_app, "resume")
def schedule_resume(name: Name, household: HouseholdOpt = None, data_dir: DataDir = None) -> None:
    """Let a paused schedule fire again, from now on (missed firings are not caught up)."""
    with opened(data_dir) as bedtales:
        resumed = schedules.resume(bedtales.db, bedtales.household(household), name)
    out.print(Text("Resumed " + _describe(resumed)))


@command(schedule_app, "remove")
def schedule_remove(name: Name, household: HouseholdOpt = None, data_dir: DataDir = None) -> None:
    """Remove a schedule."""
    with opened(data_dir) as bedtales:
        removed = schedules.remove(bedtales.db, bedtales.household(household), name)
    out.print(Text(f"Removed schedule {removed.name!r} of {removed.household!r}"))


@command(schedule_app, "next")
def schedule_next(
    name: Annotated[
        str | None,
        typer.Argument(metavar="[NAME]", help="Only this schedule (default: every one)."),
    ] = None,
    count: Annotated[
        int, typer.Option(min=1, max=100, help="How many fire times to show per schedule.")
    ] = 5,
    household: HouseholdOpt = None,
    data_dir: DataDir = None,
) -> None:
    """Show a household's coming fire times, in each schedule's local time."""
    now = utcnow()
    with opened(data_dir) as bedtales:
        home = bedtales.household(household)
        if name is None:
            found = schedules.list_schedules(bedtales.db, home)
        else:
            found = [schedules.get_schedule(bedtales.db, home, name)]
    if not found:
        out.print(Text("No schedules yet: bedtales schedule add", style="dim"))
        return
    for s in found:
        paused = "" if s.enabled else " (paused; if resumed now)"
        out.print(Text(f"{s.name} ({s.expression}, {s.timezone}){paused}:", style="bold"))
        fires = schedules.local_fires(s, count, now)
        if not fires:
            out.print(Text("  never again", style="dim"))
        for fire in fires:
            out.print(Text(f"  {_local(fire)}"))


def scheduler(
    metrics_port: Annotated[
        int | None,
        typer.Option(
            min=1, max=65535, help="Serve this scheduler's Prometheus /metrics on a port."
        ),
    ] = None,
    metrics_host: MetricsHostOpt = "127.0.0.1",
    data_dir: DataDir = None,
) -> None:
    """Fire schedules as they come due: put ScheduleFired on the bus for the workers'
    write_story target. Run one or several (they share the work on PostgreSQL).

    Stops cleanly on SIGTERM or Ctrl-C; a batch being fired is finished or rolled back whole.
    """
    from bedtales.processes import Background, Parts

    with opened(data_dir) as bedtales:
        background = Background(
            bedtales, Parts(worker=False, scheduler=True, pipes=False, sweeper=False)
        )
        stop = stop_on_signals("finishing this pass")
        serve_metrics_on(metrics_port, metrics_host)
        err.print(Text(f"scheduler firing schedules from {bedtales.db.safe_url}"))
        background.start(stop)
        background.wait()
        background.shut_down()
