"""Text engines: one small protocol, a registry, and the engines that write tonight's story.

An engine receives a :class:`StoryRequest` (the prompt plus the structured facts it was built
from, and what the household heard lately) and returns an :class:`Answer`: its raw text (a
title on the first line, then the story), why it stopped, and, for the builtin writer, the
plan it followed. The story writer splits the text, runs the quality gates and stores it;
engines never touch the database.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from bedtales.errors import EngineUnavailable
from bedtales.registry import Registry
from bedtales.stories.memory import EMPTY_MEMORY, Memory, Previously, StoryPlan

if TYPE_CHECKING:
    from bedtales.config import Settings


@dataclass(frozen=True)
class StoryRequest:
    """What an engine is asked to write."""

    prompt: str
    characters: tuple[str, ...]
    scene: str
    seed: int
    min_words: int = 200
    memory: Memory = EMPTY_MEMORY  # what the household heard in its last stories
    previously: Previously | None = None  # the last story, when the household's series is on
    # time.monotonic() by which the engine must have answered (text.deadline_s); None: no limit
    deadline: float | None = None


@dataclass(frozen=True)
class Answer:
    """An engine's answer: the raw text (title line first, then the story)."""

    text: str
    # why the model stopped, as the server said: "stop", or "length" when it was cut off at
    # the token limit (the gates refuse that); None when the engine cannot tell
    finish_reason: str | None = None
    plan: StoryPlan | None = None  # what the builtin writer chose


class TextEngine(Protocol):
    """Writes a story."""

    name: str

    def write(self, request: StoryRequest) -> Answer: ...


engines: Registry[Callable[[Settings], TextEngine]] = Registry(
    "text engine",
    {
        "builtin": "bedtales.engines.text.builtin",
        "llamacpp": "bedtales.engines.text.llamacpp",
        "openai": "bedtales.engines.text.openai",
    },
    error=EngineUnavailable,
)
register = engines.register


def get_text_engine(name: str, settings: Settings) -> TextEngine:
    """Build the engine called ``name``; unknown names and missing extras raise clearly."""
    return engines.create(name, settings)
