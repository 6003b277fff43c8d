"""The ``builtin`` text engine: an offline writer of calm, rhyming bedtime stories.

No model, no network: a planner picks a plot shape, a friend and the small troubles of the
night (:mod:`.plan`), and the composer writes it in rhyming couplets from line templates
(:mod:`.grammar`, :mod:`.beats`, :mod:`.plots`), woven around the characters' names and the
parts of the scene. It steers clear of what the household heard in its last stories and, with
the series on, remembers last night. It is the default engine and the fallback when another
engine's answers fail the quality gates.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from bedtales.engines.text import Answer, StoryRequest, TextEngine, register
from bedtales.engines.text.builtin.composer import compose, compose_story

if TYPE_CHECKING:
    from bedtales.config import Settings

__all__ = ["BuiltinEngine", "compose", "compose_story"]


class BuiltinEngine:
    """Writes a story with :func:`compose_story`; the prompt itself is not needed."""

    name = "builtin"

    def write(self, request: StoryRequest) -> Answer:
        text, plan = compose_story(
            request.characters,
            request.scene,
            request.seed,
            request.min_words,
            memory=request.memory,
            previously=request.previously,
        )
        return Answer(text=text, finish_reason="stop", plan=plan)


@register("builtin")
def _factory(settings: Settings) -> TextEngine:
    return BuiltinEngine()
