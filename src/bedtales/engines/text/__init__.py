"""Text engines: one small protocol, a registry, and the engines that write tonight's story.

An engine receives a :class:`StoryRequest` (the prompt plus the structured facts it was built
from) and returns its raw answer: a title on the first line, then the story. The story writer
splits the answer, runs the quality gates and stores it; engines never touch the database.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from bedtales.engines.registry import Registry

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


class TextEngine(Protocol):
    """Writes a story. ``write`` returns the raw answer: title line first, then the story."""

    name: str

    def write(self, request: StoryRequest) -> str: ...


engines: Registry[TextEngine] = Registry(
    "text engine",
    [
        "bedtales.engines.text.builtin",
        "bedtales.engines.text.llamacpp",
        "bedtales.engines.text.openai",
    ],
)
register = engines.register


def engine_names() -> list[str]:
    return engines.names()


def get_text_engine(name: str, settings: Settings) -> TextEngine:
    """Build the engine called ``name``; unknown names and missing extras raise clearly."""
    return engines.create(name, settings)
