"""Quality gates: what every story must pass before it is stored.

Children read these stories, so the gates are strict and cheap, and each refusal says why in
words a parent can follow. A story needs a title that looks like a title, enough words,
every character named, no word from the child-safety list, no loop, and the letters of the
names and the prompt. The title, loop and script gates catch what real models do wrong: small
ones repeat a line until the token limit, open with a verse line instead of a title, or drift
into another language.
(An answer cut off at the token limit is refused before the gates, by the story writer.)
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence
from functools import lru_cache

from bedtales.stories.prompt import StoryText
from bedtales.stories.safety import SafetyList

__all__ = [
    "SafetyList",
    "check_repetition",
    "check_script",
    "check_story",
    "check_title",
    "count_words",
]

TITLE_MAX = 100
TITLE_MAX_WORDS = 12
LINE_REPEATS_MAX = 2  # a refrain may come back once; a third time is a loop
DISTINCT_LINES_MIN = 0.75  # share of a story's lines that must differ from each other
FOREIGN_LETTERS_MAX = 0.25  # share of letters allowed in scripts the prompt does not use
_WORD = re.compile(r"[^\W_]+(?:['’-][^\W_]+)*")
_VERSE_ENDS = ",;:"
_SENTENCE_ENDS = ".…"


def count_words(text: str) -> int:
    return len(_WORD.findall(text))


def check_story(
    story: StoryText,
    characters: Sequence[str],
    *,
    min_words: int,
    safety: SafetyList,
    prompt: str = "",
) -> list[str]:
    """Every reason the story fails the gates; an empty list means it may be stored.

    ``prompt`` is what the engine was asked; with the names it sets the expected script.
    """
    problems = check_title(story.title, characters)
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
    problems += check_repetition(story.description)
    problems += check_script(text, [*characters, prompt])
    return problems


def check_title(title: str, characters: Sequence[str] = ()) -> list[str]:
    """A title is a short line with a letter that does not end like a verse line or a
    sentence: at most 100 characters and 12 words (the characters' names aside, so that five
    of them fit), and no ``,`` ``;`` ``:`` or ``.`` at the end. "Milo, Luna and the Lost
    Silver Button", "Who Is Awake in the Bakery?" and "Zoë's Long Way Home!" pass;
    "In a parched moon," and "They sailed away." do not.
    """
    if not title:
        return ["no title"]
    if not any(char.isalpha() for char in title):
        return [f"title {_quoted(title)} has no letter"]
    if len(title) > TITLE_MAX:
        return [f"title is {len(title)} characters long (most {TITLE_MAX})"]
    if (words := count_words(_without(title, characters))) > TITLE_MAX_WORDS:
        return [f"title has {words} words (most {TITLE_MAX_WORDS})"]
    if title[-1] in _VERSE_ENDS:
        return [f"title {_quoted(title)} ends in {title[-1]!r} like a line of verse"]
    if title[-1] in _SENTENCE_ENDS:
        return [f"title {_quoted(title)} ends in {title[-1]!r} like a sentence"]
    return []


def check_repetition(story: str) -> list[str]:
    """A story that loops: a line (compared without case and punctuation) more than twice,
    or fewer than 3 in 4 of its lines different from each other (the whole story told twice).

    A refrain that comes back once passes; a model stuck on "A beacon," does not.
    """
    lines = [(key, line) for line in story.splitlines() if (key := _line_key(line))]
    if not lines:
        return []
    counts = Counter(key for key, _ in lines)
    key, times = counts.most_common(1)[0]
    if times > LINE_REPEATS_MAX:
        first = next(line for k, line in lines if k == key)
        return [f"the line {_quoted(first)} comes {times} times"]
    if len(counts) < DISTINCT_LINES_MIN * len(lines):
        return [f"only {len(counts)} of its {len(lines)} lines differ from each other"]
    return []


def check_script(text: str, reference: Iterable[str]) -> list[str]:
    """A story mostly in letters of a script that neither the names nor the prompt use
    (a Latin-script prompt answered in Cyrillic or Chinese): more than a quarter of its
    letters. No reference letters, no check."""
    expected = {_script(char) for part in reference for char in part if char.isalpha()}
    if not expected:
        return []
    letters = Counter(_script(char) for char in text if char.isalpha())
    total = sum(letters.values())
    foreign = Counter({script: n for script, n in letters.items() if script not in expected})
    if not total or sum(foreign.values()) <= FOREIGN_LETTERS_MAX * total:
        return []
    script, _ = foreign.most_common(1)[0]
    share = round(100 * sum(foreign.values()) / total)
    return [
        f"story is written in {_script_name(script)} letters ({share} % of its letters), "
        f"not in the {' or '.join(sorted(map(_script_name, expected)))} of the names and "
        f"the prompt"
    ]


@lru_cache(maxsize=4096)
def _script(char: str) -> str:
    # Unicode names start with the script: "LATIN SMALL LETTER E WITH DIAERESIS",
    # "CYRILLIC CAPITAL LETTER A", "CJK UNIFIED IDEOGRAPH-4E00", "HIRAGANA LETTER KA"
    return unicodedata.name(char, "UNKNOWN").split(" ", 1)[0].split("-", 1)[0]


def _script_name(script: str) -> str:
    return script if script == "CJK" else script.title()


def _line_key(line: str) -> str:
    return " ".join(_WORD.findall(line.casefold()))


def _quoted(text: str, limit: int = 50) -> str:
    return repr(text if len(text) <= limit else text[: limit - 1] + "…")


def _names(text: str, name: str) -> bool:
    # a name counts when it stands as a whole word ("Eric", "Eric's"), in any case
    return _name_pattern(name).search(text) is not None


def _without(text: str, names: Sequence[str]) -> str:
    for name in names:
        text = _name_pattern(name).sub(" ", text)
    return text


@lru_cache(maxsize=256)
def _name_pattern(name: str) -> re.Pattern[str]:
    return re.compile(rf"(?<![^\W_]){re.escape(name)}(?![^\W_])", re.IGNORECASE)
