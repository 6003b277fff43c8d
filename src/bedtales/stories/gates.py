"""Quality gates: what every story must pass before it is stored.

Children read these stories, so the gates are strict and cheap: a title, enough words,
every character named, and no word from the child-safety list.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from bedtales.safety import SafetyList
from bedtales.stories.prompt import StoryText

__all__ = ["SafetyList", "check_story", "count_words"]

TITLE_MAX = 100
_WORD = re.compile(r"[^\W_]+(?:['’-][^\W_]+)*")


def count_words(text: str) -> int:
    return len(_WORD.findall(text))


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
