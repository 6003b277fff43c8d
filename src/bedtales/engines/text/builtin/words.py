"""The characters' names in verse: "Milo", "Milo and Luna", "Milo, Luna and Eric"."""

from __future__ import annotations

import re
from collections.abc import Sequence

FALLBACK_NAME = "Little Dreamer"
_BREAKS = re.compile(r"[\r\n\t\v\f\u2028\u2029]")


def clean_names(characters: Sequence[str]) -> tuple[str, ...]:
    """Names as written; only line breaks inside one would break the verse."""
    names = tuple(
        " ".join(name.split()) if _BREAKS.search(name) else name.strip()
        for name in characters
        if name.strip()
    )
    return names or (FALLBACK_NAME,)


def join_names(names: Sequence[str]) -> str:
    """ "Eric", "Eric and Dave", "Eric, Dave and Mia"."""
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + " and " + names[-1]


def possessive(text: str) -> str:
    """ "Eric's", "Eric and Dave's", "Mr. Whiskers'"."""
    return text + ("'" if text.endswith(("s", "S")) else "'s")


def cast_slots(names: Sequence[str]) -> dict[str, str]:
    """The cast's slots; with one character, "they" is the name (no guess at a pronoun)."""
    joined = join_names(names)
    if len(names) == 1:
        they, them, their = joined, joined, possessive(joined)
    else:
        they, them, their = "they", "them", "their"
    return {
        "names": joined,
        "Names": capitalise(joined),
        "they": they,
        "They": capitalise(they),
        "them": them,
        "their": their,
        "Their": capitalise(their),
    }


def capitalise(text: str) -> str:
    """The first letter upper-cased, the rest as written ("the fox" -> "The fox")."""
    return text[:1].upper() + text[1:]
