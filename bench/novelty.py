"""Benchmark how different the nights are: one household's stories over a month and a year.

Run from the repository root: ``.venv/bin/python bench/novelty.py [--nights 30 365]``. For
each count it makes a fresh data directory with ``bedtales init`` (the household "home", its
two sample characters and starter scenes), then writes one story a night through the real
story writer, with no seed and the household memory, as the scheduler would. It prints how
many lines and couplets also appear on another night (compared without case and
punctuation), how many titles differ, how many plot shapes were used, the writing speed, and
three whole stories for a person to read.
"""

from __future__ import annotations

import argparse
import collections
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bedtales.app import App
from bedtales.storage.models import StoryRow
from bedtales.stories.memory import couplets, normalise, stanza_lines

# The goals, by number of nights.
GOALS: dict[int, dict[str, str]] = {
    30: {"lines": "<= 10%", "couplets": "<= 2%", "plots": ">= 12", "titles": "30"},
    365: {"lines": "<= 25%"},
}


@dataclass(frozen=True)
class Night:
    title: str
    description: str
    plot: str


def write_nights(nights: int) -> tuple[list[Night], float]:
    """``nights`` stories for a new household, one a night, through the real writer."""
    with tempfile.TemporaryDirectory() as data_dir:
        subprocess.run(
            [sys.executable, "-m", "bedtales", "init", "--data-dir", data_dir],
            check=True,
            capture_output=True,
        )
        app = App.open(Path(data_dir))
        start = datetime(2026, 1, 1, 19, 15, tzinfo=UTC)
        written: list[Night] = []
        began = time.perf_counter()
        for night in range(nights):
            story = app.write_story(now=start + timedelta(days=night))
            with app.db.session() as session:
                row = session.get(StoryRow, story.id)
                plan = row.plan if row is not None else None
            plot = plan.get("plot", "?") if isinstance(plan, dict) else "?"
            written.append(Night(story.title, story.description, str(plot)))
        elapsed = time.perf_counter() - began
        app.db.engine.dispose()
    return written, elapsed


def recurring_share(per_night: list[list[str]]) -> float:
    """The share of items (over all nights) that also appear on another night, in %."""
    nights_of: dict[str, set[int]] = collections.defaultdict(set)
    for night, items in enumerate(per_night):
        for item in items:
            nights_of[item].add(night)
    total = sum(len(items) for items in per_night)
    again = sum(1 for items in per_night for item in items if len(nights_of[item]) > 1)
    return 100 * again / total if total else 0.0


def measure(nights: int) -> list[Night]:
    written, elapsed = write_nights(nights)
    lines_per_night: list[list[str]] = []
    couplets_per_night: list[list[str]] = []
    for night in written:
        stanzas = list(stanza_lines(night.description))
        lines_per_night.append([normalise(line) for lines in stanzas for line in lines])
        couplets_per_night.append(
            [normalise(f"{a} / {b}") for lines in stanzas for a, b in couplets(lines)]
        )
    plots = collections.Counter(night.plot for night in written)
    goals = GOALS.get(nights, {})

    def row(label: str, value: str, goal: str = "") -> None:
        wanted = f"   goal {goals[goal]}" if goal in goals else ""
        print(f"  {label:38s}{value:>8s}{wanted}")

    print(f"\none household, {nights} nights (no seed, with the household memory)")
    row("lines also on another night:", f"{recurring_share(lines_per_night):.1f}%", "lines")
    row(
        "couplets also on another night:", f"{recurring_share(couplets_per_night):.1f}%", "couplets"
    )
    row("distinct titles:", str(len({night.title for night in written})), "titles")
    row("plot shapes used:", str(len(plots)), "plots")
    row("stories per second (writer, SQLite):", f"{nights / elapsed:.1f}")
    print(f"  plots: {', '.join(f'{key} {count}' for key, count in sorted(plots.items()))}")
    return written


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--nights", type=int, nargs="+", default=[30, 365])
    parser.add_argument("--show", type=int, default=3, help="whole stories to print")
    args = parser.parse_args()
    first: list[Night] = []
    for count in args.nights:
        written = measure(count)
        first = first or written
    for night in first[: args.show]:
        print(f"\n---- {night.plot}\n{night.title}\n\n{night.description}")


if __name__ == "__main__":
    main()
