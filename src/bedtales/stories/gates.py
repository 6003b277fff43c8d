"""Quality gates: what every story must pass before it is stored.

Children read these stories, so the gates are strict and cheap: a title, enough words,
every character named, and no word from the child-safety list.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib.resources import files

from bedtales.stories.prompt import StoryText

TITLE_MAX = 100
_WORD = re.compile(r"[^\W_]+(?:['’-][^\W_]+)*")
_ENDINGS = "(?:s|es|ed|d|ing)?"


def count_words(text: str) -> int:
    return len(_WORD.findall(text))


@lru_cache(maxsize=1)
def builtin_blocked_words() -> tuple[str, ...]:
    text = files("bedtales").joinpath("data/blocked_words.txt").read_text(encoding="utf-8")
    lines = (line.strip().casefold() for line in text.splitlines())
    return tuple(line for line in lines if line and not line.startswith("#"))


@dataclass(frozen=True)
class SafetyList:
    """Whole-word, case-insensitive matching of blocked words and phrases (with endings)."""

    pattern: re.Pattern[str]

    @classmethod
    def build(cls, extra: Iterable[str] = ()) -> SafetyList:
        words = sorted(
            {*builtin_blocked_words(), *(w.strip().casefold() for w in extra if w.strip())}
        )
        alternatives = "|".join(r"\s+".join(map(re.escape, w.split())) for w in words)
        return cls(re.compile(rf"(?<![^\W_])(?:{alternatives}){_ENDINGS}(?![^\W_])", re.IGNORECASE))

    def find(self, text: str) -> list[str]:
        return sorted({match.group(0).casefold() for match in self.pattern.finditer(text)})


def check_story(
    story: StoryText, characters: Sequence[str], *, min_words: int, safety: SafetyList
) -> list[str]:
    """Every reason the story fails the gates; an empty list means it may be stored."""
    problems: list[str] = []
    if not story.title:
        problems.append("no title")
    elif len(story.title) > TITLE_MAX:
        problems.append(f"title is {len(story.title)} characters long (most {TITLE_MAX})")
    words = count_words(story.description)
    if words < min_words:
        problems.append(f"story has {words} words (fewest {min_words})")
    text = f"{story.title}\n{story.description}"
    missing = [name for name in characters if not _names(text, name)]
    if missing:
        problems.append(f"character(s) not named: {', '.join(missing)}")
    blocked = safety.find(text)
    if blocked:
        problems.append(f"words from the child-safety list: {', '.join(blocked)}")
    return problems


def _names(text: str, name: str) -> bool:
    # a name counts when it stands as a whole word ("Eric", "Eric's"), in any case
    return re.search(rf"(?<![^\W_]){re.escape(name)}(?![^\W_])", text, re.IGNORECASE) is not None
