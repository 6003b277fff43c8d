"""The child-safety word list: words that never appear in a story, a name or a scene.

Whole words, case-insensitive, with common endings (s, es, ed, d, ing). A few everyday
bedtime phrases that contain a listed word ("shooting star", "pillow fight") are allowed.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from importlib.resources import files

_ENDINGS = "(?:s|es|ed|d|ing)?"


def _data_lines(name: str) -> tuple[str, ...]:
    text = files("bedtales").joinpath(f"data/{name}").read_text(encoding="utf-8")
    lines = (line.strip().casefold() for line in text.splitlines())
    return tuple(line for line in lines if line and not line.startswith("#"))


@lru_cache(maxsize=1)
def builtin_blocked_words() -> tuple[str, ...]:
    return _data_lines("blocked_words.txt")


def _alternatives(phrases: Iterable[str]) -> str:
    return "|".join(
        r"\s+".join(map(re.escape, p.split())) for p in sorted(set(phrases), key=len, reverse=True)
    )


@lru_cache(maxsize=1)
def _allowed() -> re.Pattern[str]:
    allowed = _alternatives(_data_lines("allowed_phrases.txt"))
    return re.compile(rf"(?<![^\W_])(?:{allowed}){_ENDINGS}(?![^\W_])", re.IGNORECASE)


@dataclass(frozen=True)
class SafetyList:
    pattern: re.Pattern[str]

    @classmethod
    def build(cls, extra: Iterable[str] = ()) -> SafetyList:
        words = {*builtin_blocked_words(), *(w.strip().casefold() for w in extra if w.strip())}
        return cls(
            re.compile(rf"(?<![^\W_])(?:{_alternatives(words)}){_ENDINGS}(?![^\W_])", re.IGNORECASE)
        )

    def find(self, text: str) -> list[str]:
        """The blocked words in ``text`` (lower-cased, sorted), after allowed phrases."""
        text = _allowed().sub(" ", text)
        return sorted({match.group(0).casefold() for match in self.pattern.finditer(text)})


@lru_cache(maxsize=1)
def builtin_safety_list() -> SafetyList:
    return SafetyList.build()
