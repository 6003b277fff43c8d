"""The ``builtin`` text engine: an offline composer of calm, rhyming bedtime stories.

No model, no network: the story is put together from hand-written rhyming couplets (see
:mod:`.verses` and :mod:`.places`), chosen by the request's seed and woven around the
characters' names and the scene. It is the default engine and the fallback when another
engine's answers fail the quality gates.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from bedtales.engines.text import Answer, StoryRequest, TextEngine, register
from bedtales.engines.text.builtin.composer import compose

if TYPE_CHECKING:
    from bedtales.config import Settings

__all__ = ["BuiltinEngine", "compose"]


class BuiltinEngine:
    """Writes a story with :func:`compose`; the prompt itself is not needed."""

    name = "builtin"

    def write(self, request: StoryRequest) -> Answer:
        text = compose(request.characters, request.scene, request.seed, request.min_words)
        return Answer(text=text, finish_reason="stop")


@register("builtin")
def _factory(settings: Settings) -> TextEngine:
    return BuiltinEngine()
