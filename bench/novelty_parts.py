"""Which parts of the builtin stories repeat over a year, for whoever writes verses.

Run from the repository root: ``.venv/bin/python bench/novelty_parts.py [--nights 365]``.
It writes one story a night for one household (the sample characters, a random starter
scene, no seed) straight through the composer, with the household memory kept as the story
writer keeps it (the last 30 stories), and prints, for each part of the story (opening,
arrival, the plot's middle, goodbye, sleep), the share of its lines that also appear on
another night, then the lines heard most often. ``bench/novelty.py`` measures the same
through the real story writer and database; this one is faster and tells where to write.
"""

from __future__ import annotations

import argparse
import collections
import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bedtales.engines.text.builtin.composer import compose_story
from bedtales.stories.memory import MEMORY_STORIES, Memory, normalise, story_fingerprints
from bedtales.stories.prompt import split_answer
from bedtales.stories.starter import SAMPLE_CHARACTERS, STARTER_SCENES

PARTS = {0: "opening", 1: "arrival", 2: "second stanza", 3: "middle", -2: "goodbye", -1: "sleep"}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--nights", type=int, default=365)
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument("--seed", type=int, default=5)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    heard: list[frozenset[str]] = []
    plots: list[str] = []
    friends: list[str] = []
    nights: list[list[tuple[int, str]]] = []
    for _ in range(args.nights):
        memory = Memory(
            fingerprints=frozenset().union(*heard[-MEMORY_STORIES:]),
            plots=tuple(reversed(plots[-MEMORY_STORIES:])),
            friends=tuple(reversed(friends[-MEMORY_STORIES:])),
        )
        scene = rng.choice(STARTER_SCENES)
        text, plan = compose_story(SAMPLE_CHARACTERS, scene, rng.randrange(2**31), memory=memory)
        story = split_answer(text)
        heard.append(story_fingerprints(story.title, story.description))
        plots.append(plan.plot)
        friends.append(plan.friend)
        stanzas = story.description.split("\n\n")
        nights.append(
            [
                (_part(index, len(stanzas)), normalise(line))
                for index, stanza in enumerate(stanzas)
                for line in stanza.split("\n")
            ]
        )
    seen: dict[str, set[int]] = collections.defaultdict(set)
    for night, lines in enumerate(nights):
        for _, line in lines:
            seen[line].add(night)
    total: collections.Counter[int] = collections.Counter()
    again: collections.Counter[int] = collections.Counter()
    for lines in nights:
        for part, line in lines:
            total[part] += 1
            again[part] += len(seen[line]) > 1
    print(f"{args.nights} nights: lines also on another night, by part of the story")
    for part in sorted(total, key=lambda p: (p < 0, p)):
        print(f"  {PARTS[part]:14s} {100 * again[part] / total[part]:5.1f}%  of {total[part]}")
    share = 100 * sum(again.values()) / sum(total.values())
    print(f"  {'all':14s} {share:5.1f}%")
    print("most heard:")
    counts = collections.Counter({line: len(n) for line, n in seen.items()})
    for line, count in counts.most_common(args.top):
        print(f"  {count:4d}  {line}")


def _part(index: int, count: int) -> int:
    if index == count - 1:
        return -1
    if index == count - 2:
        return -2
    return min(index, 3)


if __name__ == "__main__":
    main()
