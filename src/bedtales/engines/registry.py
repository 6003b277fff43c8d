"""A registry of engines by name, shared by the text, image and speech engines.

Engine modules register a factory (``settings -> engine``) with a decorator; the registry
imports its engine modules only when first asked, and each module imports its heavy or
optional dependency inside the factory, so listing names stays cheap.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Generic, TypeVar

from bedtales.errors import EngineUnavailable

if TYPE_CHECKING:
    from bedtales.config import Settings

E = TypeVar("E")


class Registry(Generic[E]):
    """Factories of one kind of engine (``kind`` is used in messages: "image engine")."""

    def __init__(self, kind: str, modules: Sequence[str]) -> None:
        self.kind = kind
        self._modules = tuple(modules)
        self._factories: dict[str, Callable[[Settings], E]] = {}
        self._loaded = False

    def register(self, name: str) -> Callable[[Callable[[Settings], E]], Callable[[Settings], E]]:
        """Register a factory that builds the engine called ``name`` from settings."""

        def decorator(factory: Callable[[Settings], E]) -> Callable[[Settings], E]:
            self._factories[name] = factory
            return factory

        return decorator

    def names(self) -> list[str]:
        self._load()
        return sorted(self._factories)

    def create(self, name: str, settings: Settings) -> E:
        """Build the engine called ``name``; unknown names and missing extras raise clearly."""
        self._load()
        try:
            factory = self._factories[name]
        except KeyError:
            known = ", ".join(sorted(self._factories))
            raise EngineUnavailable(f"unknown {self.kind} {name!r}; known: {known}") from None
        return factory(settings)

    def _load(self) -> None:
        if not self._loaded:
            self._loaded = True
            for module in self._modules:
                importlib.import_module(module)
