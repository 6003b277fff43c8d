"""Targets: the handlers that events on the bus are delivered to, registered by name.

A handler is ``handler(ctx: HandlerContext) -> None``; ``ctx.delivery`` carries the event and
its delivery key. Raising an exception fails the attempt (it is retried per the target's
policy); returning acknowledges it. Deliveries are at-least-once, so handlers are idempotent:
``ctx.once(...)`` records effects that must not be repeated.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Sequence

from bedtales.bus.effects import HandlerContext
from bedtales.errors import ConfigError

Handler = Callable[[HandlerContext], None]

_HANDLERS: dict[str, Handler] = {}


def handler(name: str) -> Callable[[Handler], Handler]:
    """Register a target handler under ``name``."""

    def decorator(func: Handler) -> Handler:
        _HANDLERS[name] = func
        return func

    return decorator


def load_handlers(modules: Sequence[str] = ()) -> dict[str, Handler]:
    """Import the built-in handlers and the configured ``bus.handler_modules``."""
    from bedtales.targets import placeholders  # noqa: F401 - registers the built-in handlers

    for module in modules:
        try:
            importlib.import_module(module)
        except ImportError as exc:
            raise ConfigError(
                f"invalid setting bus.handler_modules: cannot import {module!r}: {exc}"
            ) from None
    return dict(_HANDLERS)
