"""The `bedtales` commands that run and operate the event backbone: worker, events, dlq."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table
from rich.text import Text

from bedtales.cli.common import command, err, opened, out, print_json
from bedtales.cli.daemon import MetricsHostOpt, serve_metrics_on, stop_on_signals
from bedtales.cli.options import DataDir, JsonOpt
from bedtales.cli.parts import processes
from bedtales.errors import NotFound

if TYPE_CHECKING:
    from bedtales.bus.backends import Backend
    from bedtales.bus.events import DeadLetter

events_app = typer.Typer(help="Events on the bus.")
dlq_app = typer.Typer(help="Dead-letter queues: deliveries that ran out of retries, per target.")


def register(cli: typer.Typer) -> None:
    cli.add_typer(events_app, name="events", no_args_is_help=True)
    cli.add_typer(dlq_app, name="dlq", no_args_is_help=True)
    command(cli, "worker")(worker)


def worker(
    targets: Annotated[
        str | None, typer.Option(help="Comma-separated targets to serve (default: all).")
    ] = None,
    concurrency: Annotated[int, typer.Option(help="Handlers running at once.")] = 4,
    pipe: Annotated[bool, typer.Option(help="Also run the pipes (one instance leads).")] = True,
    sweep: Annotated[
        bool, typer.Option(help="Also delete expired stories and their media every few minutes.")
    ] = True,
    metrics_port: Annotated[
        int | None,
        typer.Option(min=1, max=65535, help="Serve this worker's Prometheus /metrics on a port."),
    ] = None,
    metrics_host: MetricsHostOpt = "127.0.0.1",
    data_dir: DataDir = None,
) -> None:
    """Run target handlers for events on the bus (and the pipe and the expiry sweeper).

    Stops cleanly on SIGTERM or Ctrl-C: running handlers finish, the rest is handed back.
    """
    with opened(data_dir) as bedtales:
        chosen = [t.strip() for t in targets.split(",") if t.strip()] if targets else None
        parts = processes.Parts(
            targets=tuple(chosen) if chosen else None,
            concurrency=concurrency,
            scheduler=False,
            pipes=pipe,
            sweeper=sweep,
        )
        background = processes.Background(bedtales, parts)
        assert background.worker is not None  # asked for in parts
        stop = stop_on_signals()
        serve_metrics_on(metrics_port, metrics_host)
        background.start(stop)
        err.print(Text(f"worker serving {', '.join(background.worker.options.targets)}"))
        background.wait()
        background.shut_down()


@command(events_app, "tail")
def events_tail(
    count: Annotated[
        int | None, typer.Option(help="Stop after this many events (default: follow for ever).")
    ] = None,
    data_dir: DataDir = None,
) -> None:
    """Follow events as they are published, one JSON envelope a line."""
    with opened(data_dir) as bedtales:
        backend = bedtales.bus.backend
        _, cursor = backend.recent_events(None, 0)
        seen = 0
        while count is None or seen < count:
            events, cursor = backend.recent_events(cursor, 100)
            for event in events:
                print(event.to_json(), flush=True)
                seen += 1
                if count is not None and seen >= count:
                    return
            if not events:
                time.sleep(0.1)


@command(dlq_app, "list")
def dlq_list(
    target: Annotated[str | None, typer.Option(help="Only this target.")] = None,
    limit: Annotated[int, typer.Option(min=1, max=10000)] = 100,
    data_dir: DataDir = None,
    as_json: JsonOpt = False,
) -> None:
    """List dead letters."""
    with opened(data_dir) as bedtales:
        letters = bedtales.bus.backend.dead_letters(target, limit)
    if as_json:
        print_json([_letter_json(letter) for letter in letters])
        return
    table = Table("id", "target", "event", "subject", "attempts", "failed", "error")
    for letter in letters:
        table.add_row(
            letter.id,
            letter.target,
            letter.event.detail_type,
            Text(letter.event.subject or ""),
            str(letter.attempts),
            f"{letter.failed_at:%Y-%m-%d %H:%M}",
            Text(letter.error[:80]),
        )
    out.print(table)


@command(dlq_app, "show")
def dlq_show(
    letter_id: Annotated[str, typer.Argument(metavar="ID")],
    data_dir: DataDir = None,
) -> None:
    """Show one dead letter: the event, the target, the attempts and the last error."""
    with opened(data_dir) as bedtales:
        print_json(_letter_json(_find(bedtales.bus.backend.dead_letters(None, 100_000), letter_id)))


LetterIds = Annotated[list[str] | None, typer.Argument(metavar="ID...", help="Dead-letter ids.")]
AllOpt = Annotated[bool, typer.Option("--all", help="Every dead letter (of --target).")]
TargetOpt = Annotated[str | None, typer.Option(help="With --all: only this target.")]


@command(dlq_app, "replay")
def dlq_replay(
    ids: LetterIds = None, all_: AllOpt = False, target: TargetOpt = None, data_dir: DataDir = None
) -> None:
    """Put dead letters back on their target's queue with fresh attempts."""
    _act_on_letters(data_dir, ids, all_, target, "Replayed", lambda backend: backend.replay)


@command(dlq_app, "drop")
def dlq_drop(
    ids: LetterIds = None, all_: AllOpt = False, target: TargetOpt = None, data_dir: DataDir = None
) -> None:
    """Delete dead letters for good."""
    _act_on_letters(data_dir, ids, all_, target, "Dropped", lambda backend: backend.drop)


def _act_on_letters(
    data_dir: Path | None,
    ids: list[str] | None,
    all_: bool,
    target: str | None,
    done: str,
    action: Callable[[Backend], Callable[[Sequence[str]], int]],
) -> None:
    with opened(data_dir) as bedtales:
        backend = bedtales.bus.backend
        chosen = _chosen(backend.dead_letters(target, 100_000), ids, all_)
        out.print(Text(f"{done} {action(backend)(chosen)} dead letter(s)."))


def _chosen(letters: list[DeadLetter], ids: list[str] | None, all_: bool) -> list[str]:
    if all_ == bool(ids):
        raise typer.BadParameter("give dead-letter ids or --all (not both)")
    if all_:
        return [letter.id for letter in letters]
    return [_find(letters, letter_id).id for letter_id in ids or []]


def _find(letters: list[DeadLetter], letter_id: str) -> DeadLetter:
    for letter in letters:
        if letter.id == letter_id:
            return letter
    raise NotFound(f"no dead letter {letter_id!r} (see `bedtales dlq list`)")


def _letter_json(letter: DeadLetter) -> dict[str, object]:
    return {
        "id": letter.id,
        "target": letter.target,
        "attempts": letter.attempts,
        "error": letter.error,
        "failedAt": letter.failed_at.isoformat(),
        "event": json.loads(letter.event.to_json()),
    }
