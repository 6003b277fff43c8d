"""Titles: short, warm, naming the characters or what happens ("Milo and the Lost Baby Owl").

Each plot brings its own title templates (:mod:`.plots`); this module fills them, keeps them
short, and steers clear of titles the household heard lately.
"""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence

from bedtales.engines.text.builtin.grammar import Part, fill
from bedtales.engines.text.builtin.words import capitalise, join_names, possessive
from bedtales.stories.memory import Memory

TITLE_MAX = 80
TRIES = 12

ADJECTIVES = (
    "Starry", "Moonlit", "Magical", "Gentle", "Twinkly", "Silver", "Sleepy", "Wonderful",
    "Secret", "Happy", "Dreamy", "Whispering", "Golden", "Glowing", "Quiet", "Peaceful",
    "Merry", "Hushed", "Sparkly", "Velvet", "Snuggly", "Lovely", "Twinkling", "Enchanted",
    "Cuddly", "Marvellous", "Shimmering", "Twilight",
)  # fmt: skip
NIGHT_WORDS = ("Night", "Evening", "Bedtime", "Twilight")

_SMALL_WORDS = frozenset(
    {"a", "an", "and", "the", "of", "in", "on", "to", "at", "for", "by", "from", "with", "into"}
)


def title_case(phrase: str) -> str:
    """ "the baby whale" -> "the Baby Whale" (small words stay small, hyphens too)."""
    return " ".join(
        word if word in _SMALL_WORDS else "-".join(p[:1].upper() + p[1:] for p in word.split("-"))
        for word in phrase.split(" ")
    )


def make_title(
    templates: Sequence[tuple[Part, ...]],
    names: Sequence[str],
    values: Mapping[str, str],
    rng: random.Random,
    memory: Memory,
) -> str:
    """A title of at most TITLE_MAX characters the household has not heard lately."""
    joined = join_names(names)
    slots: dict[str, str | tuple[str, ...]] = {
        "Names": joined,
        "Cast_and": (", ".join(names) + " and") if len(names) > 1 else f"{joined} and",
        "Names_s": possessive(joined),
        "Friend_s": possessive(values["Friend"]),
        "Adj": ADJECTIVES,
        "Night": NIGHT_WORDS,
        **values,
    }
    fallback = ""
    for _ in range(TRIES):
        title = capitalise(" ".join(fill(rng.choice(templates), slots, 0, rng).split()))
        if len(title) > TITLE_MAX:
            continue
        fallback = fallback or title
        if not memory.heard_title(title):
            return title
    if fallback:
        return fallback
    title = capitalise(" ".join(fill(templates[0], slots, 0, rng).split()))
    return title[: TITLE_MAX - 1].rsplit(" ", 1)[0] + "…"
