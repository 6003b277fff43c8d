"""The one way bedtales plugs things in: a registry of things of one kind, by name.

The text, image and speech engines, the target handlers, the bus backends and the media
stores each have a registry. A registry is declared with its built-in names and the module
that provides each; that module registers its thing when it is imported
(``@registry.register("name")`` or ``registry.add``), and the registry imports it only when
the name is first asked for. So listing and checking names imports nothing, a command starts
without loading numpy or boto3, and a worker that narrates with espeak never imports piper.
Anything else registers the same way from a module named in ``bus.handler_modules``.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from typing import Generic, ParamSpec, TypeVar

from bedtales.errors import BedtalesError, ConfigError

T = TypeVar("T")
P = ParamSpec("P")
R = TypeVar("R")


class Registry(Generic[T]):
    """Things of one kind by name. ``kind`` names them in messages ("image engine");
    ``builtins`` maps each built-in name to the module that registers it; an unknown name
    raises ``error``."""

    def __init__(
        self,
        kind: str,
        builtins: Mapping[str, str],
        *,
        error: type[BedtalesError] = ConfigError,
    ) -> None:
        self.kind = kind
        self._builtins = dict(builtins)
        self._error = error
        self._entries: dict[str, T] = {}

    def add(self, name: str, value: T) -> None:
        """Register ``value`` under ``name`` (a later one of the same name wins)."""
        self._entries[name] = value

    def register(self, name: str) -> Callable[[T], T]:
        """Decorator form of :meth:`add`."""

        def decorator(value: T) -> T:
            self.add(name, value)
            return value

        return decorator

    def names(self) -> list[str]:
        """Every name, built-in ones first in the order declared; imports nothing."""
        return [*self._builtins, *(name for name in self._entries if name not in self._builtins)]

    def __contains__(self, name: object) -> bool:
        return name in self._builtins or name in self._entries

    def get(self, name: str) -> T:
        """The thing called ``name``, importing its built-in module on first use."""
        if name not in self._entries and name in self._builtins:
            importlib.import_module(self._builtins[name])
        try:
            return self._entries[name]
        except KeyError:
            raise self._error(self.unknown(name)) from None

    def create(self: Registry[Callable[P, R]], name: str, *args: P.args, **kwargs: P.kwargs) -> R:
        """Build the thing called ``name`` with its registered factory."""
        return self.get(name)(*args, **kwargs)

    def unknown(self, name: str) -> str:
        """Why ``name`` cannot be used: "unknown image engine 'x'; known: builtin, openai"."""
        return f"unknown {self.kind} {name!r}; known: {', '.join(sorted(self.names()))}"
