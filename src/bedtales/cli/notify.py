"""The `bedtales subscribers` commands (who hears about new stories) and
`bedtales households notify` (when they hear). A thin layer over :mod:`bedtales.notify.subscribers`.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table
from rich.text import Text

from bedtales.cli.common import command, err, opened, out, print_json
from bedtales.cli.options import DataDir, HouseholdOpt, JsonOpt
from bedtales.cli.parts import services, subscribers

if TYPE_CHECKING:
    from bedtales.domain import Household

subscribers_app = typer.Typer(
    help="Who hears about each new story: Apprise URLs (email, ntfy, Slack, Discord, "
    "Telegram, webhooks…). See docs/notify.md."
)
IdOrLabel = Annotated[
    str,
    typer.Argument(
        metavar="ID_OR_LABEL", help="The number `subscribers list` shows, or the label."
    ),
]


def register(cli: typer.Typer, households_app: typer.Typer) -> None:
    cli.add_typer(subscribers_app, name="subscribers", no_args_is_help=True)
    command(households_app, "notify")(households_notify)


def _quiet_apprise() -> None:
    """Apprise logs why it refuses a URL or a message, and the command says it once
    already. Unless --verbose: its lines still reach the capture it reads reasons from
    (a handler on its own logger), just not stderr."""
    if logging.getLogger().getEffectiveLevel() > logging.INFO:
        logging.getLogger("apprise").propagate = False


@command(subscribers_app, "add")
def subscribers_add(
    url: Annotated[
        str,
        typer.Argument(
            metavar="URL",
            help="Apprise URL, e.g. mailto://user:password@example.com or ntfy://ntfy.sh/topic. "
            "Quote it in the shell.",
        ),
    ],
    label: Annotated[
        str | None, typer.Option(help="A name for it, e.g. grandma (used by remove and test).")
    ] = None,
    household: HouseholdOpt = None,
    data_dir: DataDir = None,
) -> None:
    """Add a subscriber; a URL Apprise cannot use is refused with the reason."""
    _quiet_apprise()
    with opened(data_dir) as bedtales:
        added = subscribers.add_subscriber(
            bedtales.db, bedtales.household(household), url, label=label
        )
    out.print(
        Text(f"Added subscriber {added.name} ({added.service}) to {added.household!r}: ")
        + Text(added.masked_url)
    )


@command(subscribers_app, "list")
def subscribers_list(
    household: HouseholdOpt = None, data_dir: DataDir = None, as_json: JsonOpt = False
) -> None:
    """List a household's subscribers, with their URLs masked."""
    with opened(data_dir) as bedtales:
        found = subscribers.list_subscribers(bedtales.db, bedtales.household(household))
    if as_json:
        print_json([s.to_json() for s in found])
        return
    if not found:
        out.print(Text("No subscribers yet: bedtales subscribers add URL", style="dim"))
        return
    table = Table("id", "label", "service", "URL (masked)")
    for s in found:
        table.add_row(str(s.id), Text(s.label or ""), Text(s.service), Text(s.masked_url))
    out.print(table)


@command(subscribers_app, "remove")
def subscribers_remove(
    subscriber: IdOrLabel, household: HouseholdOpt = None, data_dir: DataDir = None
) -> None:
    """Remove a subscriber."""
    with opened(data_dir) as bedtales:
        removed = subscribers.remove_subscriber(
            bedtales.db, bedtales.household(household), subscriber
        )
    out.print(Text(f"Removed subscriber {removed.name}: ") + Text(removed.masked_url))


@command(subscribers_app, "test")
def subscribers_test(
    subscriber: Annotated[
        str | None,
        typer.Argument(metavar="[ID_OR_LABEL]", help="Only this subscriber (default: every one)."),
    ] = None,
    household: HouseholdOpt = None,
    data_dir: DataDir = None,
) -> None:
    """Send a short test message now and say which subscribers it reached.

    Exits with 1 when any of them could not be reached.
    """
    _quiet_apprise()
    with opened(data_dir) as bedtales:
        outcomes = subscribers.send_test(
            bedtales.db,
            bedtales.household(household),
            bedtales.settings.web.base_url,
            subscriber,
            smtp=bedtales.settings.smtp,
        )
    if not outcomes:
        out.print(Text("No subscribers yet: bedtales subscribers add URL", style="dim"))
        return
    for outcome in outcomes:
        who = f"{outcome.subscriber.name} ({outcome.subscriber.service})"
        if outcome.error is None:
            out.print(Text(f"sent: {who}", style="green"))
        else:
            err.print(Text(f"failed: {who}: {outcome.error}", style="red"))
    if any(outcome.error is not None for outcome in outcomes):
        raise typer.Exit(1)


def households_notify(
    household: HouseholdOpt = None,
    when: Annotated[
        str | None,
        typer.Option(
            help="created: tell subscribers at once; complete: once the picture and the "
            "narration are done (or after --timeout)."
        ),
    ] = None,
    timeout: Annotated[
        int | None,
        typer.Option(
            help="With complete: seconds after the story is written when subscribers are "
            "told with whatever is ready (30 to 86400; default 600)."
        ),
    ] = None,
    on_unsure: Annotated[
        str | None,
        typer.Option(
            help="A send a stopped worker may or may not have made: resend (default: a "
            "second message is better than none) or skip (shown as unsure)."
        ),
    ] = None,
    data_dir: DataDir = None,
) -> None:
    """Choose when a household's subscribers hear about a new story (no option: show it)."""
    with opened(data_dir) as bedtales:
        name = bedtales.household(household)
        if on_unsure is not None:
            subscribers.set_notify_on_unsure(bedtales.db, name, on_unsure)
        if when is not None or timeout is not None:
            current = services.get_household(bedtales.db, name).notify_when
            subscribers.set_notify_when(bedtales.db, name, when or current, timeout)
        home = services.get_household(bedtales.db, name)
    out.print(Text(_describe(home)))


def _describe(home: Household) -> str:
    if home.notify_when == "complete":
        when = (
            f"{home.name!r} hears about a story once its picture and narration are done, "
            f"or {home.notify_timeout_s} s after it is written with whatever is ready."
        )
    else:
        when = f"{home.name!r} hears about a story as soon as it is written."
    if home.notify_on_unsure == "skip":
        return f"{when}\nA send a stopped worker may have made is not made again (unsure)."
    return f"{when}\nA send a stopped worker may have made is made again (resend)."
