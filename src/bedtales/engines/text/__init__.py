"""Text engines: one small protocol, a registry, and the engines that write tonight's story.

An engine receives a :class:`StoryRequest` (the prompt plus the structured facts it was built
from) and returns its raw answer: a title on the first line, then the story. The story writer
splits the answer, runs the quality gates and stores it; engines never touch the database.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from bedtales.errors import EngineUnavailable

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


EngineFactory = Callable[["Settings"], TextEngine]

_REGISTRY: dict[str, EngineFactory] = {}


def register(name: str) -> Callable[[EngineFactory], EngineFactory]:
    """Register a factory that builds the engine called ``name`` from settings."""

    def decorator(factory: EngineFactory) -> EngineFactory:
        _REGISTRY[name] = factory
        return factory

    return decorator


def engine_names() -> list[str]:
    _load_builtin_engines()
    return sorted(_REGISTRY)


def get_text_engine(name: str, settings: Settings) -> TextEngine:
    """Build the engine called ``name``; unknown names and missing extras raise clearly."""
    _load_builtin_engines()
    try:
        factory = _REGISTRY[name]
    except KeyError:
        known = ", ".join(sorted(_REGISTRY))
        raise EngineUnavailable(f"unknown text engine {name!r}; known engines: {known}") from None
    return factory(settings)


def _load_builtin_engines() -> None:
    # Importing the modules runs their @register decorators. Each module imports its heavy
    # or optional dependency lazily, inside the factory, so this import is always cheap.
    from bedtales.engines.text import builtin, llamacpp, openai  # noqa: F401
