"""`bedtales story` (write, show, list, keep) and `bedtales expire`."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table
from rich.text import Text

from bedtales.cli.common import command, opened, out, print_json
from bedtales.cli.options import DataDir, HouseholdOpt, JsonOpt
from bedtales.cli.parts import services, subscribers, ttl
from bedtales.web import urls

if TYPE_CHECKING:
    from bedtales.domain import MediaState, Story

story_app = typer.Typer(help="Write, show and list stories.")


def register(cli: typer.Typer) -> None:
    cli.add_typer(story_app, name="story", no_args_is_help=True)
    command(cli, "expire")(expire)


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
    """Write one story now and store it (with ``--json``, its page's address as ``url``, as
    the API's answer has it)."""
    with opened(data_dir) as bedtales:
        story = bedtales.write_story(household, engine=engine, seed=seed)
        base_url = bedtales.settings.web.base_url
    if as_json:
        print_json({**story.to_json(), "url": urls.story_link(base_url, story.id)})
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
        notifications = subscribers.story_notifications(bedtales.db, story.id)
    if as_json:
        document = story.to_json()
        document["notifications"] = [n.to_json() for n in notifications]
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
    if notifications:
        told = Table("subscriber", "service", "state", "sent (UTC)", "error", title="told")
        for n in notifications:
            sent = f"{n.sent_at:%Y-%m-%d %H:%M:%S}" if n.sent_at else ""
            told.add_row(Text(n.subscriber), Text(n.service), n.state, sent, Text(n.error or ""))
        out.print(told)


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


def expire(data_dir: DataDir = None, as_json: JsonOpt = False) -> None:
    """Delete the stories past their expiry time, with their pictures and narrations.

    `bedtales run` does this every few minutes; reads refuse expired stories even before.
    """
    with opened(data_dir) as bedtales:
        done = ttl.sweep(bedtales.db, bedtales.tools.media)
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
