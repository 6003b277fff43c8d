"""Couplet templates: two lines that rhyme, with slots for names, the scene and the cast.

A template line holds ``{slots}`` (filled per story, never at the end of a line) and
``[one|more]`` or ``[one|two|more]`` choices that follow how many characters there are
(``[was|were]``). Each line must end on a word of the rhyme lexicon, and both lines of a
couplet on two different words of one group; :func:`pool` checks all of this when the data
modules are imported, so a broken verse fails loudly at once instead of in a child's story.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bedtales.engines.text.builtin.lexicon import end_word, rhyme_group

# Every slot a template may use; the composer fills them all for each story.
SLOTS = frozenset(
    {
        "names",  # "Eric", "Eric and Dave", "Eric, Dave and Mia"
        "they",  # "they", or the name when there is one character
        "They",
        "them",
        "their",  # "their", or "Eric's"
        "Their",
        "scene",  # the scene as written, tidied for the middle of a line
        "goto",  # "to a magical forest", "to the moon"
        "place",  # "the forest"
        "Place",
        "helper",  # "a wise old owl"
        "helper_the",  # "the owl"
        "Helper_the",
        "helper_move",  # "gliding"
        "little",  # "a baby rabbit": the small creature of the problem
        "little_the",
        "Little_the",
        "ground",  # "the mossy ground"
        "glowers",  # "fireflies"
        "toy",  # "kite"
    }
)

FORMS = 3  # one character, two characters, three or more
_CHOICE = re.compile(r"\[([^\[\]]*)\]")
_SLOT = re.compile(r"\{([A-Za-z_]+)\}")
_TRAILING = re.compile(r"[^A-Za-z}]+$")


@dataclass(frozen=True)
class Couplet:
    """Two rhyming template lines, resolved for each number of characters."""

    forms: tuple[tuple[str, str], ...]  # indexed by form: one, two, many
    rhyme: str  # the lexicon group of both end words
    ends: frozenset[str]  # the two end words


def _resolve(text: str, form: int) -> str:
    def choose(match: re.Match[str]) -> str:
        options = match.group(1).split("|")
        if len(options) == 2:
            return options[0] if form == 0 else options[1]
        if len(options) == 3:
            return options[form]
        raise ValueError(f"verse choice needs 2 or 3 options: {match.group(0)!r} in {text!r}")

    return _CHOICE.sub(choose, text)


def _check_line(line: str, template: str) -> str:
    for slot in _SLOT.findall(line):
        if slot not in SLOTS:
            raise ValueError(f"verse has an unknown slot {{{slot}}}: {template!r}")
    if "[" in line or "]" in line or "|" in line:
        raise ValueError(f"verse has an unclosed choice: {template!r}")
    if _TRAILING.sub("", line).endswith("}"):
        raise ValueError(f"verse ends on a slot, not a rhyme word: {template!r}")
    word = end_word(line)
    if rhyme_group(word) is None:
        raise ValueError(f"verse ends on {word!r}, which the rhyme lexicon lacks: {template!r}")
    return word


def couplet(first: str, second: str) -> Couplet:
    """Build and check one couplet."""
    forms = tuple((_resolve(first, form), _resolve(second, form)) for form in range(FORMS))
    ends: set[str] = set()
    groups: set[str | None] = set()
    for one, two in forms:
        a, b = _check_line(one, first), _check_line(two, second)
        if a == b:
            raise ValueError(f"couplet rhymes {a!r} with itself: {first!r} / {second!r}")
        groups.update((rhyme_group(a), rhyme_group(b)))
        ends.update((a, b))
    if len(groups) != 1 or len(ends) != 2:
        raise ValueError(f"couplet does not rhyme: {first!r} / {second!r}")
    group = groups.pop()
    assert group is not None
    return Couplet(forms=forms, rhyme=group, ends=frozenset(ends))


def pool(*pairs: tuple[str, str]) -> tuple[Couplet, ...]:
    """A pool of interchangeable couplets for one moment of the story."""
    if not pairs:
        raise ValueError("a verse pool needs at least one couplet")
    return tuple(couplet(first, second) for first, second in pairs)
