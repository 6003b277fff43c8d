"""Titles: short, warm, and naming the characters or the place ("Eric and the Fallen Star")."""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass

TITLE_MAX = 80

ADJECTIVES = (
    "Starry", "Moonlit", "Magical", "Gentle", "Twinkly", "Silver", "Sleepy", "Wonderful",
    "Secret", "Happy", "Dreamy", "Whispering", "Golden", "Glowing", "Quiet", "Peaceful",
    "Merry", "Hushed", "Sparkly", "Velvet", "Snuggly", "Lovely", "Twinkling", "Enchanted",
    "Cuddly", "Marvelous", "Shimmering", "Twilight",
)  # fmt: skip
OUTINGS = (
    "Night", "Evening", "Adventure", "Journey", "Bedtime Tale", "Evening Stroll",
    "Night Out", "Little Quest", "Wander",
)  # fmt: skip
MOON_WORDS = ("Silver", "Smiling", "Sleepy", "Golden", "Friendly", "Gentle", "Round", "Dreamy")

_SMALL_WORDS = frozenset({"a", "an", "and", "the", "of", "in", "on", "to", "at", "for"})


def title_case(phrase: str) -> str:
    """ "the baby whale" -> "the Baby Whale" (small words stay small, hyphens too)."""
    words = phrase.split(" ")
    return " ".join(
        word if word in _SMALL_WORDS else "-".join(p[:1].upper() + p[1:] for p in word.split("-"))
        for word in words
    )


def join_names(names: Sequence[str]) -> str:
    """ "Eric", "Eric and Dave", "Eric, Dave and Mia"."""
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + " and " + names[-1]


def possessive(text: str) -> str:
    """ "Eric's", "Eric and Dave's", "Mr. Whiskers'"."""
    return text + ("'" if text.endswith(("s", "S")) else "'s")


def _possessive(names: Sequence[str]) -> str:
    return possessive(join_names(names))


# How a title says where: "by the Sea", "on the Moon"; otherwise "in the Forest".
_WHERE = {
    "the sea": "by the Sea",
    "the ocean": "by the Ocean",
    "the shore": "by the Shore",
    "the beach": "on the Beach",
    "the moon": "on the Moon",
    "mars": "on Mars",
    "the stars": "among the Stars",
    "the farm": "on the Farm",
}


def where(place: str) -> str:
    return _WHERE.get(place.lower()) or f"in {title_case(place)}"


@dataclass(frozen=True)
class TitleParts:
    names: tuple[str, ...]
    place: str  # "the Forest", "Outer Space", "Dreamland"
    where: str  # "in the Forest", "by the Sea"
    problem: str  # "the Fallen Star", "the Sleepless Baby Whale"
    problem_can_be_helped: bool  # "How Eric Helped the Fallen Star" reads well
    helper: str  # "the Wise Old Owl"


_Template = Callable[[TitleParts, random.Random], str]


def _a(phrase: str) -> str:
    """ "Enchanted Night" -> "An Enchanted Night"."""
    return ("An " if phrase[:1] in "AEIOU" else "A ") + phrase


def _outing(rng: random.Random) -> str:
    adjective = rng.choice(ADJECTIVES)
    return f"{adjective} {rng.choice(OUTINGS)}"


_NAMED: tuple[_Template, ...] = (
    lambda p, rng: join_names([*p.names, p.problem]),
    lambda p, rng: join_names([*p.names, p.helper]),
    lambda p, rng: f"{_possessive(p.names)} {_outing(rng)}",
    lambda p, rng: f"{_possessive(p.names)} {_outing(rng)} {p.where}",
    lambda p, rng: f"{join_names(p.names)} {p.where}",
    lambda p, rng: f"The Night {join_names(p.names)} Met {p.helper}",
    lambda p, rng: f"{join_names(p.names)} Under the {rng.choice(MOON_WORDS)} Moon",
    lambda p, rng: _a(f"{_outing(rng)} for {join_names(p.names)}"),
)
_HELPED: tuple[_Template, ...] = (
    lambda p, rng: f"How {join_names(p.names)} Helped {p.problem}",
    lambda p, rng: f"The Night {join_names(p.names)} Helped {p.problem}",
)
_PLACED: tuple[_Template, ...] = (
    lambda p, rng: f"{rng.choice(ADJECTIVES)} Dreams {p.where}",
    lambda p, rng: _a(f"{_outing(rng)} {p.where}"),
    lambda p, rng: f"{p.problem} of {p.place}",
    lambda p, rng: f"{p.helper} of {p.place}",
)


def make_title(parts: TitleParts, rng: random.Random) -> str:
    """A title of at most TITLE_MAX characters that names the characters or the place."""
    templates = [*_NAMED, *(_HELPED if parts.problem_can_be_helped else ()), *_PLACED]
    title = _capitalise(rng.choice(templates)(parts, rng))
    if len(title) <= TITLE_MAX:
        return title
    for template in _PLACED:  # long names: a title about the place instead
        title = _capitalise(template(parts, rng))
        if len(title) <= TITLE_MAX:
            return title
    return title[: TITLE_MAX - 1].rsplit(" ", 1)[0] + "…"


def _capitalise(text: str) -> str:
    return text[:1].upper() + text[1:]
