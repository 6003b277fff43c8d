"""Targets: the handlers that events on the bus are delivered to, registered by name.

A handler is ``handler(ctx: TargetContext) -> None``; ``ctx.delivery`` carries the event and
its delivery key, ``ctx.tools`` the engines and the media store. Raising an exception fails
the attempt (it is retried per the target's policy; :class:`~bedtales.errors.Unprocessable`
dead-letters it at once); returning acknowledges it. Deliveries are at-least-once, so
handlers are idempotent: ``ctx.once(...)`` records effects that must not be repeated.

A target may also register what to do when it gives up on an event for good
(``on_dead_letter``): the picture and narration targets mark the story's media as failed,
with the reason, so the page and ``bedtales story show`` can say so.

Handlers live in :data:`handlers`, a :class:`~bedtales.registry.Registry` like the engines':
the built-in ones are imported when first asked for, and the modules named in
``bus.handler_modules`` register more with the same ``@handler`` decorator.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from bedtales.bus.effects import HandlerContext
from bedtales.errors import ConfigError
from bedtales.registry import Registry

if TYPE_CHECKING:
    from bedtales.config import Settings
    from bedtales.engines.image import ImageEngine
    from bedtales.engines.speech import SpeechEngine
    from bedtales.engines.text import TextEngine
    from bedtales.media import MediaStore


class Tools(Protocol):
    """What targets use besides the database; built once per process, on first use."""

    @property
    def media(self) -> MediaStore: ...

    def image_engine(self) -> ImageEngine: ...

    def speech_engine(self) -> SpeechEngine: ...

    def text_engine(self) -> TextEngine: ...


@dataclass(frozen=True)
class TargetContext(HandlerContext):
    settings: Settings
    tools: Tools


Handler = Callable[[TargetContext], None]
# called once when a target gives up on an event: (context, the last error)
GiveUp = Callable[[TargetContext, str], None]


@dataclass(frozen=True)
class TargetHandler:
    """A registered handler and what it does when its target gives up on an event."""

    run: Handler
    on_dead_letter: GiveUp | None = None


handlers: Registry[TargetHandler] = Registry(
    "target handler",
    {
        "write_story": "bedtales.targets.write_story",
        "illustrate": "bedtales.targets.illustrate",
        "narrate": "bedtales.targets.narrate",
        "notify": "bedtales.targets.notify",
    },
)


def handler(name: str, *, on_dead_letter: GiveUp | None = None) -> Callable[[Handler], Handler]:
    """Register a target handler under ``name``."""

    def decorator(func: Handler) -> Handler:
        handlers.add(name, TargetHandler(func, on_dead_letter))
        return func

    return decorator


def import_handler_modules(modules: Sequence[str]) -> None:
    """Import the configured ``bus.handler_modules``, which register more handlers."""
    for module in modules:
        try:
            importlib.import_module(module)
        except ImportError as exc:
            raise ConfigError(
                f"invalid setting bus.handler_modules: cannot import {module!r}: {exc}"
            ) from None
