"""The `bedtales` command line: the root group :data:`cli`, `init`, `migrate`, and one module
per command group beside this one (households, stories, schedule, notify, access, bus, web).

Shared options and the error mapping are in :mod:`bedtales.cli.common`.
"""

from __future__ import annotations

import logging
import shlex
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.text import Text

from bedtales import __version__
from bedtales.cli import access, backup, bus, households, notify, schedule, stories, web
from bedtales.cli.common import command, out
from bedtales.cli.options import DataDir, HouseholdOpt
from bedtales.cli.parts import app, config, services, storage
from bedtales.scheduler import DEFAULT_NAME

if TYPE_CHECKING:
    from bedtales.app import App

cli = typer.Typer(
    name="bedtales",
    help="A new rhyming bedtime story every night — offline, on your own machine.",
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode=None,
    pretty_exceptions_enable=False,
)


def _version(value: bool) -> None:
    if value:
        print(f"bedtales {__version__}")
        raise typer.Exit()


@cli.callback()
def _root(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Show the version.")
    ] = False,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Log what happens.")] = False,
) -> None:
    logging.basicConfig(
        level=logging.INFO if verbose else logging.WARNING,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )


# ----------------------------------------------------------------------------- init


@command(cli, "init")
def init(
    data_dir: DataDir = None,
    household: HouseholdOpt = None,
    timezone: Annotated[
        str | None,
        typer.Option(
            help="IANA time zone of the household, e.g. Europe/London (default: this machine's)."
        ),
    ] = None,
    samples: Annotated[
        bool,
        typer.Option(help="Add two sample characters and the starter scenes to a new household."),
    ] = True,
) -> None:
    """Create the data directory, the database and the default household 'home'.

    Safe to run again: it brings the database up to date and leaves existing data alone.
    """
    bedtales, home, created = app.initialise(
        data_dir, household=household, timezone=timezone, samples=samples
    )
    try:
        where = _where_it_is(bedtales)
        if created:
            chars = services.list_characters(bedtales.db, home.name)
            scenes = services.list_scenes(bedtales.db, home.name)
            out.print(
                Text(
                    f"Created household {home.name!r} ({home.timezone}) with "
                    f"{len(chars)} characters and {len(scenes)} scenes in {where}."
                )
            )
        else:
            out.print(
                Text(f"bedtales is ready in {where}; household {home.name!r} already exists.")
            )
        if created and timezone is None and home.timezone == "UTC":
            _say_the_zone_is_utc(home.name, data_dir)
        out.print(Text("Next: bedtales story new", style="bold"))
    finally:
        bedtales.close()


def _where_it_is(bedtales: App) -> str:
    """Where the household now lives: the data directory when the database is an SQLite
    file in it, else the database itself (PostgreSQL, or a file elsewhere), password hidden."""
    data_dir = bedtales.settings.data_dir
    path = bedtales.db.sqlite_path
    if path is not None and path.resolve().parent == data_dir.resolve():
        return str(data_dir)
    return f"the database {bedtales.db.safe_url}"


def _say_the_zone_is_utc(household: str, data_dir: Path | None) -> None:
    """A server's clock is often UTC: stories would come at 19:15 UTC, not the family's."""
    where = f" --data-dir {shlex.quote(str(data_dir))}" if data_dir else ""
    name = shlex.quote(household)
    out.print(
        Text(
            f"This machine's time zone is UTC, so {household!r} gets its story at 19:15 UTC. "
            "If the family lives elsewhere, give it their zone:\n"
            f"  bedtales households set {name} --timezone Europe/London{where}\n"
            f"  bedtales schedule set {DEFAULT_NAME} --timezone Europe/London"
            f" --household {name}{where}"
        )
    )


@command(cli, "migrate")
def migrate(data_dir: DataDir = None) -> None:
    """Bring the database's schema up to date, and nothing else: for deployments, where the
    database is shared and `init` (which also creates a household) is run once, if ever.
    Safe to run from several machines at once."""
    settings = config.load_settings(data_dir)
    db = storage.Database(settings.resolved_database_url)
    try:
        before = db.current_revision() if db.exists() else None
        db.migrate()
        after = db.current_revision()
    finally:
        db.dispose()
    if before == after:
        out.print(Text(f"{db.safe_url} is up to date (revision {after})."))
    else:
        out.print(Text(f"{db.safe_url}: migrated from {before or 'empty'} to {after}."))


# the command groups, after init and migrate so that --help lists those first
households.register(cli)
stories.register(cli)
bus.register(cli)
notify.register(cli, households.households_app)
access.register(households.households_app)
web.register(cli)
schedule.register(cli)
backup.register(cli)


def main() -> None:
    cli()
