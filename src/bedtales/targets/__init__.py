"""Targets: the handlers that events on the bus are delivered to, registered by name.

A handler is ``handler(ctx: TargetContext) -> None``; ``ctx.delivery`` carries the event and
its delivery key, ``ctx.tools`` the engines and the media store. Raising an exception fails
the attempt (it is retried per the target's policy; :class:`~bedtales.errors.Unprocessable`
dead-letters it at once); returning acknowledges it. Deliveries are at-least-once, so
handlers are idempotent: ``ctx.once(...)`` records effects that must not be repeated.

A target may also register what to do when it gives up on an event for good
(``on_dead_letter``): the picture and narration targets mark the story's media as failed,
with the reason, so the page and ``bedtales story show`` can say so.
"""

from __future__ import annotations

import importlib
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from bedtales.bus.effects import HandlerContext
from bedtales.errors import ConfigError

if TYPE_CHECKING:
    from bedtales.engines.image import ImageEngine
    from bedtales.engines.speech import SpeechEngine
    from bedtales.engines.text import TextEngine
    from bedtales.media import MediaStore

log = logging.getLogger(__name__)


class Tools(Protocol):
    """What targets use besides the database; built once per process, on first use."""

    @property
    def media(self) -> MediaStore: ...

    def image_engine(self) -> ImageEngine: ...

    def speech_engine(self) -> SpeechEngine: ...

    def text_engine(self) -> TextEngine: ...


@dataclass(frozen=True)
class TargetContext(HandlerContext):
    tools: Tools


Handler = Callable[[TargetContext], None]
# called once when a target gives up on an event: (context, the last error)
GiveUp = Callable[[TargetContext, str], None]

_HANDLERS: dict[str, Handler] = {}
_GIVE_UPS: dict[str, GiveUp] = {}


def handler(name: str, *, on_dead_letter: GiveUp | None = None) -> Callable[[Handler], Handler]:
    """Register a target handler under ``name``."""

    def decorator(func: Handler) -> Handler:
        _HANDLERS[name] = func
        if on_dead_letter is not None:
            _GIVE_UPS[name] = on_dead_letter
        return func

    return decorator


def load_handlers(modules: Sequence[str] = ()) -> dict[str, Handler]:
    """Import the built-in handlers and the configured ``bus.handler_modules``."""
    from bedtales.targets import illustrate, narrate, notify, write_story  # noqa: F401

    for module in modules:
        try:
            importlib.import_module(module)
        except ImportError as exc:
            raise ConfigError(
                f"invalid setting bus.handler_modules: cannot import {module!r}: {exc}"
            ) from None
    return dict(_HANDLERS)


def give_up_hook(name: str) -> GiveUp | None:
    return _GIVE_UPS.get(name)
