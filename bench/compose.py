"""Benchmark the builtin composer: speed, length, rhyme, titles and names over 500 stories.

Run from the repository root: ``.venv/bin/python bench/compose.py``. Writes the stories in
one process through the registered ``builtin`` engine (no household memory: the fastest
case is not what is measured; see ``bench/novelty.py`` for a month and a year with it),
splits each answer as the story writer does, checks the rhymes with the independent CMU
check in ``bench/rhyme.py``, and prints three whole stories for a person to read.
"""

from __future__ import annotations

import re
import statistics
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bedtales.config import load_settings
from bedtales.engines.text import StoryRequest, get_text_engine
from bedtales.stories.gates import count_words
from bedtales.stories.memory import MEMORY_STORIES, Memory, story_fingerprints
from bedtales.stories.prompt import split_answer
from bench.rhyme import couplet_end_words, rhymes

STORIES = 500
CASTS = (
    ("Eric", "Dave"),
    ("Eric",),
    ("Mia", "Noah", "Ava"),
    ("Ana-Lu", "Mr. Whiskers", "O'Brien", "Zoë", "Sam"),
)
SCENES = (
    "a magical forest with talking animals",
    "Playing football in the park",
    "on a pirate ship sailing the seas",
    "a picnic on the moon",
    "building a snowman",
    "exploring an underwater castle",
    "a castle with a kind old king",
    "a busy city at night",
    "a jungle full of parrots",
    "a tea party with teddy bears",
)


def _named(text: str, name: str) -> bool:
    return re.search(rf"(?<![^\W_]){re.escape(name)}(?![^\W_])", text, re.IGNORECASE) is not None


def main() -> None:
    with tempfile.TemporaryDirectory() as data_dir:
        engine = get_text_engine("builtin", load_settings(data_dir))
    requests = [
        StoryRequest(
            prompt="",
            characters=CASTS[i % len(CASTS)],
            scene=SCENES[(i // len(CASTS)) % len(SCENES)],
            seed=1000 + i * 7919,
        )
        for i in range(STORIES)
    ]

    started = time.perf_counter()
    answers = [engine.write(request) for request in requests]
    elapsed = time.perf_counter() - started

    # the same stories again, each avoiding a month (30 stories) of what was heard before it
    heard = [split_answer(answer.text) for answer in answers[:MEMORY_STORIES]]
    memory = Memory(
        fingerprints=frozenset().union(*(story_fingerprints(s.title, s.description) for s in heard))
    )
    started = time.perf_counter()
    for request in requests:
        engine.write(replace(request, memory=memory))
    remembering = time.perf_counter() - started

    words: list[int] = []
    couplets = rhyming = named = titled = 0
    for request, answer in zip(requests, answers, strict=True):
        story = split_answer(answer.text)
        words.append(count_words(story.description))
        for first, second in couplet_end_words(story.description):
            couplets += 1
            rhyming += rhymes(first, second)
        text = f"{story.title}\n{story.description}"
        named += all(_named(text, name) for name in request.characters)
        titled += bool(story.title)

    print(f"builtin composer, {STORIES} stories, {len(CASTS)} casts x {len(SCENES)} scenes")
    print(f"  stories per second (one process): {STORIES / elapsed:8.0f}   goal >= 200")
    print(f"  ... with a month's memory:        {STORIES / remembering:8.0f}   goal >= 200")
    print(f"  words, minimum:                   {min(words):8d}   goal >= 200")
    print(f"  words, median:                    {statistics.median(words):8.0f}   aim 280-420")
    print(f"  couplets that rhyme (CMU check):  {100 * rhyming / couplets:7.1f}%   goal >= 95%")
    print(f"  stories with a title:             {100 * titled / STORIES:7.1f}%   goal 100%")
    print(f"  stories naming every character:   {100 * named / STORIES:7.1f}%   goal 100%")
    for answer in answers[:3]:
        print(f"\n----\n{answer.text}")


if __name__ == "__main__":
    main()
