"""A pipe's declaration, compiled and checked once at start-up from ``[[bus.pipes]]``: which
records of the change stream it keeps (its filter, an event pattern), how it renders each
into an event (its input template) and what it names the events (source, detail-type).

A bad filter or template stops start-up with a message naming the pipe.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from bedtales.bus.patterns import EventPattern, compile_pattern
from bedtales.bus.templates import InputTemplate, compile_template
from bedtales.errors import ConfigError

if TYPE_CHECKING:
    from bedtales.config import PipeSettings


@dataclass(frozen=True)
class PipeSpec:
    name: str
    filter: EventPattern
    template: InputTemplate
    event_source: str
    detail_type: str


def compile_pipes(declared: Sequence[PipeSettings]) -> tuple[PipeSpec, ...]:
    """Compile and check each declared pipe; a bad one raises ConfigError naming it."""
    pipes = tuple(
        PipeSpec(
            name=pipe.name,
            filter=compile_pattern(pipe.filter, where=f"pipe {pipe.name!r}: filter"),
            template=compile_template(
                pipe.input_template, where=f"pipe {pipe.name!r}: input_template"
            ),
            event_source=pipe.event_source,
            detail_type=pipe.detail_type,
        )
        for pipe in declared
    )
    seen: set[str] = set()
    for pipe in pipes:
        if pipe.name in seen:
            raise ConfigError(f"pipe {pipe.name!r} is declared twice")
        seen.add(pipe.name)
    return pipes
