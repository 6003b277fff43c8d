"""`bedtales households`, `characters`, `scenes` and `import`: who the stories are about
and where they happen, over :mod:`bedtales.households.services`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table
from rich.text import Text

from bedtales.cli.common import command, opened, out, print_json
from bedtales.cli.options import DataDir, HouseholdOpt, JsonOpt
from bedtales.cli.parts import domain, importer, services

households_app = typer.Typer(help="Households: each has its own characters, scenes and stories.")
characters_app = typer.Typer(help="The characters every story is about.")
scenes_app = typer.Typer(help="The scenes a story may be set in; one is picked at random.")


def register(cli: typer.Typer) -> None:
    for sub, name in (
        (households_app, "households"),
        (characters_app, "characters"),
        (scenes_app, "scenes"),
    ):
        cli.add_typer(sub, name=name, no_args_is_help=True)
    command(cli, "import")(import_files)


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
            "notifyOnUnsure": h.notify_on_unsure,
            "series": h.series,
            "page": f"{base_url}/households/{h.page_token}",
        }
        for h in homes
    ]
    if as_json:
        print_json(rows)
        return
    table = Table("name", "time zone", "story TTL (h)", "notify when", "if unsure", "series")
    table.add_column("private page", no_wrap=True)
    for h, row in zip(homes, rows, strict=True):
        page = str(row["page"])
        series = "on" if h.series else "off"
        table.add_row(
            Text(h.name),
            Text(h.timezone),
            str(h.story_ttl_hours),
            h.notify_when,
            h.notify_on_unsure,
            series,
            page,
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
            series=None if series is None else domain.clean_on_off(series, field="series"),
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
    names = importer.read_characters(characters) if characters else []
    descriptions = importer.read_scenes(scenes) if scenes else []
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
