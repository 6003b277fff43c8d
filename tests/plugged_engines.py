"""A text engine, ``echo``, plugged in from outside bedtales through bus.handler_modules."""

from __future__ import annotations

from bedtales.config import Settings
from bedtales.engines import text as text_engines


class EchoWriter:
    """Writes the prompt back."""

    name = "echo"

    def write(self, request: text_engines.StoryRequest) -> text_engines.Answer:
        return text_engines.Answer(text=request.prompt)


@text_engines.register("echo")
def _echo(settings: Settings) -> EchoWriter:
    return EchoWriter()
