"""Image engines: paint tonight's picture from the story.

An engine receives a :class:`PictureRequest` (the story's facts) and returns a
:class:`Picture`: PNG bytes and a small thumbnail. The ``illustrate`` target stores both in
the media store; engines never touch the database or the store.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from bedtales.errors import EngineUnavailable
from bedtales.registry import Registry

if TYPE_CHECKING:
    from bedtales.config import Settings


@dataclass(frozen=True)
class PictureRequest:
    """What an engine is asked to paint."""

    story_id: str
    title: str
    scene: str
    characters: tuple[str, ...]
    description: str = ""


@dataclass(frozen=True)
class Picture:
    """A painted picture: ``data`` (``mime``, usually image/png) and a small PNG thumbnail."""

    data: bytes
    mime: str
    width: int
    height: int
    thumbnail: bytes
    engine: str


class ImageEngine(Protocol):
    name: str

    def illustrate(self, request: PictureRequest) -> Picture: ...


engines: Registry[Callable[[Settings], ImageEngine]] = Registry(
    "image engine",
    {"builtin": "bedtales.engines.image.builtin", "openai": "bedtales.engines.image.openai"},
    error=EngineUnavailable,
)
register = engines.register
