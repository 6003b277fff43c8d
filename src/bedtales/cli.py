"""The `bedtales` command line: a thin layer over :mod:`bedtales.services` and the app.

Shared options and the error mapping are in :mod:`bedtales.cli_common`; the event-backbone
commands (worker, events, dlq) in :mod:`bedtales.cli_bus`.
"""

from __future__ import annotations

import logging
import shlex
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table
from rich.text import Text

from bedtales import (
    __version__,
    cli_access,
    cli_bus,
    cli_notify,
    cli_schedule,
    cli_web,
    schedules,
    services,
)
from bedtales.app import initialise
from bedtales.cli_common import (
    DataDir,
    HouseholdOpt,
    JsonOpt,
    command,
    opened,
    out,
    print_json,
)
from bedtales.config import load_settings
from bedtales.domain import MediaState, Story, clean_on_off
from bedtales.expiry import sweep
from bedtales.importer import read_characters, read_scenes
from bedtales.storage import Database

app = typer.Typer(
    name="bedtales",
    help="A new rhyming bedtime story every night — offline, on your own machine.",
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode=None,
    pretty_exceptions_enable=False,
)
households_app = typer.Typer(help="Households: each has its own characters, scenes and stories.")
characters_app = typer.Typer(help="The characters every story is about.")
scenes_app = typer.Typer(help="The scenes a story may be set in; one is picked at random.")
story_app = typer.Typer(help="Write, show and list stories.")
for sub, name in (
    (households_app, "households"),
    (characters_app, "characters"),
    (scenes_app, "scenes"),
    (story_app, "story"),
):
    app.add_typer(sub, name=name, no_args_is_help=True)
cli_bus.register(app)
cli_notify.register(app, households_app)
cli_access.register(households_app)
cli_web.register(app)
cli_schedule.register(app)


def _version(value: bool) -> None:
    if value:
        print(f"bedtales {__version__}")
        raise typer.Exit()


@app.callback()
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


@command(app, "init")
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
    bedtales, home, created = initialise(
        data_dir, household=household, timezone=timezone, samples=samples
    )
    try:
        where = bedtales.settings.data_dir
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


def _say_the_zone_is_utc(household: str, data_dir: Path | None) -> None:
    """A server's clock is often UTC: stories would come at 19:15 UTC, not the family's."""
    where = f" --data-dir {shlex.quote(str(data_dir))}" if data_dir else ""
    name = shlex.quote(household)
    out.print(
        Text(
            f"This machine's time zone is UTC, so {household!r} gets its story at 19:15 UTC. "
            "If the family lives elsewhere, give it their zone:\n"
            f"  bedtales households set {name} --timezone Europe/London{where}\n"
            f"  bedtales schedule set {schedules.DEFAULT_NAME} --timezone Europe/London"
            f" --household {name}{where}"
        )
    )


@command(app, "migrate")
def migrate(data_dir: DataDir = None) -> None:
    """Bring the database's schema up to date, and nothing else: for deployments, where the
    database is shared and `init` (which also creates a household) is run once, if ever.
    Safe to run from several machines at once."""
    settings = load_settings(data_dir)
    db = Database(settings.resolved_database_url)
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


# ----------------------------------------------------------------------------- households


@command(households_app, "add")
def households_add(
    name: Annotated[str, typer.Argument(help="Household name.")],
    timezone: Annotated[str, typer.Option(help="IANA time zone, e.g. America/New_York.")] = "UTC",
    ttl_hours: Annotated[int, typer.Option(help="Hours a story is kept (1 to 168).")] = 48,
    data_dir: DataDir = None,
) -> None:
    """Add a household."""
    with opened(data_dir) as bedtales:
        home = services.add_household(bedtales.db, name, timezone=timezone, ttl_hours=ttl_hours)
        out.print(Text(f"Added household {home.name!r} ({home.timezone})."))


@command(households_app, "list")
def households_list(data_dir: DataDir = None, as_json: JsonOpt = False) -> None:
    """List households, with when they are told and the address of their private page."""
    with opened(data_dir) as bedtales:
        homes = services.list_households(bedtales.db)
        base_url = bedtales.settings.web.base_url
    rows = [
        {
            "name": h.name,
            "timezone": h.timezone,
            "storyTtlHours": h.story_ttl_hours,
            "notifyWhen": h.notify_when,
            "notifyTimeoutS": h.notify_timeout_s,
            "series": h.series,
            "page": f"{base_url}/households/{h.page_token}",
        }
        for h in homes
    ]
    if as_json:
        print_json(rows)
        return
    table = Table("name", "time zone", "story TTL (h)", "notify when", "series")
    table.add_column("private page", no_wrap=True)
    for h, row in zip(homes, rows, strict=True):
        page = str(row["page"])
        series = "on" if h.series else "off"
        table.add_row(
            Text(h.name), Text(h.timezone), str(h.story_ttl_hours), h.notify_when, series, page
        )
    out.print(table)


@command(households_app, "set")
def households_set(
    name: Annotated[str, typer.Argument(help="Household name.")],
    series: Annotated[
        str | None,
        typer.Option(
            metavar="on|off",
            help="on: a story may bring back a friend from a recent story and remember the "
            "last one in a line or two (off by default).",
        ),
    ] = None,
    timezone: Annotated[
        str | None,
        typer.Option(
            help="IANA time zone of the family, e.g. Europe/London: the times its pages and "
            "messages show (a schedule keeps its own: bedtales schedule set --timezone)."
        ),
    ] = None,
    data_dir: DataDir = None,
) -> None:
    """Change a household's settings (what is not given stays)."""
    with opened(data_dir) as bedtales:
        home = services.update_household(
            bedtales.db,
            name,
            series=None if series is None else clean_on_off(series, field="series"),
            timezone=timezone,
        )
    if timezone is not None:
        out.print(Text(f"Time zone of {home.name!r}: {home.timezone}."))
    if series is None:
        return
    if home.series:
        out.print(
            Text(
                f"Series on for {home.name!r}: a story may bring back a friend from a recent "
                "story and remembers the last one."
            )
        )
    else:
        out.print(Text(f"Series off for {home.name!r}: every story stands on its own."))


# ----------------------------------------------------------------------------- characters


@command(characters_app, "add")
def characters_add(
    names: Annotated[list[str], typer.Argument(help="One or more names.", show_default=False)],
    household: HouseholdOpt = None,
    data_dir: DataDir = None,
) -> None:
    """Add characters (all or none: a duplicate refuses the lot)."""
    with opened(data_dir) as bedtales:
        added = services.add_characters(bedtales.db, bedtales.household(household), names)
    for character in added:
        out.print(Text(f"Added character {character.name!r} to {character.household!r}."))


@command(characters_app, "list")
def characters_list(
    household: HouseholdOpt = None, data_dir: DataDir = None, as_json: JsonOpt = False
) -> None:
    """List a household's characters."""
    with opened(data_dir) as bedtales:
        characters = services.list_characters(bedtales.db, bedtales.household(household))
    if as_json:
        print_json([{"id": c.id, "name": c.name} for c in characters])
        return
    for character in characters:
        out.print(Text(character.name))


@command(characters_app, "remove")
def characters_remove(
    name: Annotated[str, typer.Argument(help="The character's name (any case).")],
    household: HouseholdOpt = None,
    data_dir: DataDir = None,
) -> None:
    """Remove a character."""
    with opened(data_dir) as bedtales:
        removed = services.remove_character(bedtales.db, bedtales.household(household), name)
    out.print(Text(f"Removed character {removed.name!r}."))


# ----------------------------------------------------------------------------- scenes


@command(scenes_app, "add")
def scenes_add(
    description: Annotated[
        str, typer.Argument(help="Where the story happens, up to 300 characters.")
    ],
    household: HouseholdOpt = None,
    data_dir: DataDir = None,
) -> None:
    """Add a scene."""
    with opened(data_dir) as bedtales:
        scene = services.add_scene(bedtales.db, bedtales.household(household), description)
    out.print(Text(f"Added scene {scene.id}: {scene.description}"))


@command(scenes_app, "list")
def scenes_list(
    household: HouseholdOpt = None, data_dir: DataDir = None, as_json: JsonOpt = False
) -> None:
    """List a household's scenes with their numbers."""
    with opened(data_dir) as bedtales:
        scenes = services.list_scenes(bedtales.db, bedtales.household(household))
    if as_json:
        print_json([{"id": s.id, "description": s.description} for s in scenes])
        return
    for scene in scenes:
        out.print(Text(f"{scene.id:>4}  {scene.description}"))


@command(scenes_app, "remove")
def scenes_remove(
    scene: Annotated[
        str, typer.Argument(help="The scene's number (from `scenes list`) or its text.")
    ],
    household: HouseholdOpt = None,
    data_dir: DataDir = None,
) -> None:
    """Remove a scene."""
    with opened(data_dir) as bedtales:
        removed = services.remove_scene(bedtales.db, bedtales.household(household), scene)
    out.print(Text(f"Removed scene {removed.id}: {removed.description}"))


# ----------------------------------------------------------------------------- import


@command(app, "import")
def import_files(
    characters: Annotated[
        Path | None,
        typer.Option("--characters", help='JSON file: [{"id": "1", "name": "Eric"}, …]'),
    ] = None,
    scenes: Annotated[
        Path | None,
        typer.Option("--scenes", help='JSON file: [{"id": "1", "description": "…"}, …]'),
    ] = None,
    household: HouseholdOpt = None,
    data_dir: DataDir = None,
) -> None:
    """Import the reference app's characters and scenes files (either or both).

    Every entry is checked first: one bad entry imports nothing. Entries the household
    already has are skipped, so importing the same file twice is harmless.
    """
    if characters is None and scenes is None:
        raise typer.BadParameter("give --characters FILE, --scenes FILE or both")
    names = read_characters(characters) if characters else []
    descriptions = read_scenes(scenes) if scenes else []
    with opened(data_dir) as bedtales:
        result = services.import_entries(
            bedtales.db, bedtales.household(household), names, descriptions
        )
    out.print(
        Text(
            f"Imported {result.characters_added} characters "
            f"({result.characters_skipped} already there) and {result.scenes_added} scenes "
            f"({result.scenes_skipped} already there)."
        )
    )


# ----------------------------------------------------------------------------- stories


@command(story_app, "new")
def story_new(
    household: HouseholdOpt = None,
    engine: Annotated[
        str | None,
        typer.Option(
            help="Text engine: builtin, openai or llamacpp (default: the setting text.engine)."
        ),
    ] = None,
    seed: Annotated[
        int | None, typer.Option(help="Seed for the scene choice and the builtin composer.")
    ] = None,
    data_dir: DataDir = None,
    as_json: JsonOpt = False,
) -> None:
    """Write one story now and store it."""
    with opened(data_dir) as bedtales:
        story = bedtales.write_story(household, engine=engine, seed=seed)
    if as_json:
        print_json(story.to_json())
    else:
        _print_story(story)


@command(story_app, "show")
def story_show(
    story_id: Annotated[str, typer.Argument(metavar="ID", help="The story's id.")],
    data_dir: DataDir = None,
    as_json: JsonOpt = False,
) -> None:
    """Show one story (expired stories are gone) and how far its targets have got."""
    with opened(data_dir) as bedtales:
        story = services.get_story(bedtales.db, story_id)
        deliveries = bedtales.bus.backend.delivery_states(story.id)
    if as_json:
        document = story.to_json()
        document["deliveries"] = [
            {
                "event": d.detail_type,
                "target": d.target,
                "state": d.state,
                "attempts": d.attempts,
                "lastError": d.last_error,
            }
            for d in deliveries
        ]
        print_json(document)
        return
    _print_story(story)
    if deliveries:
        table = Table("event", "target", "state", "attempts", "last error", title="deliveries")
        for d in deliveries:
            table.add_row(
                d.detail_type, d.target, d.state, str(d.attempts), Text(d.last_error or "")
            )
        out.print(table)
    else:
        out.print(Text("No deliveries yet: is a worker running? (bedtales worker)", style="dim"))


@command(story_app, "list")
def story_list(
    household: Annotated[
        str | None, typer.Option("--household", "-H", help="Only this household.")
    ] = None,
    limit: Annotated[int, typer.Option(min=1, max=1000, help="How many, newest first.")] = 50,
    data_dir: DataDir = None,
    as_json: JsonOpt = False,
) -> None:
    """List the stories that have not expired, newest first."""
    with opened(data_dir) as bedtales:
        stories = services.list_stories(bedtales.db, household=household, limit=limit)
    if as_json:
        print_json([s.to_json() for s in stories])
        return
    table = Table("created (UTC)", "household", "title", "engine")
    table.add_column("id", no_wrap=True, min_width=36)  # whole, so it can be pasted
    for s in stories:
        table.add_row(
            f"{s.created_at:%Y-%m-%d %H:%M}", Text(s.household), Text(s.title), s.engine, s.id
        )
    out.print(table)


@command(story_app, "keep")
def story_keep(
    story_id: Annotated[str, typer.Argument(metavar="ID", help="The story's id.")],
    data_dir: DataDir = None,
    as_json: JsonOpt = False,
) -> None:
    """Keep a story the family loves: it and its picture and narration never expire while
    kept."""
    with opened(data_dir) as bedtales:
        story = services.keep_story(bedtales.db, story_id)
    if as_json:
        print_json(story.to_json())
    else:
        out.print(Text(f"Kept {story.title!r}: it stays until it is unkept."))


@command(story_app, "unkeep")
def story_unkeep(
    story_id: Annotated[str, typer.Argument(metavar="ID", help="The story's id.")],
    data_dir: DataDir = None,
    as_json: JsonOpt = False,
) -> None:
    """Let a kept story expire as it would have (or in an hour, if that time has passed)."""
    with opened(data_dir) as bedtales:
        story = services.unkeep_story(bedtales.db, story_id)
    if as_json:
        print_json(story.to_json())
    else:
        until = f"{story.expires_at:%Y-%m-%d %H:%M} UTC"
        out.print(Text(f"{story.title!r} is no longer kept: it expires {until}."))


@command(app, "expire")
def expire(data_dir: DataDir = None, as_json: JsonOpt = False) -> None:
    """Delete the stories past their expiry time, with their pictures and narrations.

    `bedtales run` does this every few minutes; reads refuse expired stories even before.
    """
    with opened(data_dir) as bedtales:
        done = sweep(bedtales.db, bedtales.tools.media)
    if as_json:
        print_json({"stories": done.stories, "files": done.files})
    else:
        out.print(f"Removed {done.stories} expired stories and {done.files} media files.")


def _print_story(story: Story) -> None:
    out.print(Text(story.title, style="bold"))
    out.print(Text(f"{', '.join(story.characters)} · {story.scene}", style="dim"))
    out.print()
    out.print(Text(story.description))
    out.print()
    note = f" ({story.engine_note})" if story.engine_note else ""
    until = "kept" if story.kept_at else f"expires {story.expires_at:%Y-%m-%d %H:%M} UTC"
    out.print(
        Text(
            f"id {story.id} · {story.word_count} words · by {story.engine}{note} · {until}",
            style="dim",
        )
    )
    for label, media in (("picture", story.image), ("narration", story.audio)):
        out.print(Text(f"{label}: {_media_line(media)}", style="dim"))


def _media_line(media: MediaState) -> str:
    if media.state == "done":
        return f"done by {media.engine}, {(media.size or 0) / 1024:.0f} KB, {media.key}"
    if media.state == "failed":
        return f"failed: {media.error}"
    return media.state


def main() -> None:
    app()
