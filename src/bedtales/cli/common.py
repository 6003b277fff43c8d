"""What every `bedtales` command module shares: options, output consoles, error mapping.

Every error bedtales raises on purpose is printed as one clear line on stderr and mapped to
an exit code here, once: 2 for bad input or settings, 1 for everything else.

A command answers at once only if it imports no more than it uses: `bedtales --help` must
not load SQLAlchemy, and `characters list` must not load FastAPI, numpy or an engine. So the
command modules reach the rest of bedtales through :mod:`bedtales.cli.parts`, whose modules
are loaded on first use (:func:`lazy`); ``bench/cli.py`` measures this. The options the
commands share are in :mod:`bedtales.cli.options`.
"""

from __future__ import annotations

import functools
import importlib.util
import json
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any, ParamSpec, TextIO, TypeVar

import typer
from rich.console import Console
from rich.text import Text

from bedtales.errors import BedtalesError

if TYPE_CHECKING:
    from bedtales.app import App
    from bedtales.config import Settings


def lazy(name: str) -> ModuleType:
    """The module ``name``, loaded when one of its attributes is first used (the standard
    library's :class:`importlib.util.LazyLoader`). Pair it with a ``TYPE_CHECKING`` import of
    the same module, so the type checker still sees what it is."""
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.find_spec(name)
    if spec is None or spec.loader is None:
        raise ImportError(f"no module named {name!r}")
    loader = importlib.util.LazyLoader(spec.loader)
    spec.loader = loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    loader.exec_module(module)
    parent, _, child = name.rpartition(".")
    if parent:  # as an import does: bedtales.households.services is an attribute too
        setattr(sys.modules[parent], child, module)
    return module


P = ParamSpec("P")
R = TypeVar("R")

# Piped or redirected output is not cut to 80 columns (Rich's guess when there is no
# terminal), which squeezed a table's short columns to nothing beside a long link. COLUMNS,
# when set, still wins.
PIPED_WIDTH = 200


def _width(stream: TextIO) -> int | None:
    return None if stream.isatty() or "COLUMNS" in os.environ else PIPED_WIDTH


out = Console(highlight=False, soft_wrap=True, width=_width(sys.stdout))
err = Console(stderr=True, highlight=False, soft_wrap=True, width=_width(sys.stderr))


def command(
    group: typer.Typer, name: str | None = None
) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """Register a command whose bedtales errors become one line on stderr and an exit code."""

    def decorator(func: Callable[P, R]) -> Callable[P, R]:
        @functools.wraps(func)
        def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
            try:
                return func(*args, **kwargs)
            except BedtalesError as exc:
                err.print(Text(f"error: {exc}", style="red"))
                raise typer.Exit(exc.exit_code) from None
            except Exception as exc:
                refusal = _database_refusal(exc)
                if refusal is None:
                    raise
                err.print(Text(f"error: {refusal}", style="red"))
                raise typer.Exit(1) from None

        group.command(name)(wrapper)
        return wrapper

    return decorator


def _database_refusal(exc: Exception) -> str | None:
    """The database's own reason when it refused the work (SQLite's "database or disk is
    full", PostgreSQL's "could not extend file"), as one line: the operator needs to read that
    the disk is full, not a traceback that ends in an SQL statement. None for anything else.
    Found by type through sys.modules: a command that never loaded SQLAlchemy cannot have
    raised its error, and must not load it just to check."""
    sqlalchemy_errors = sys.modules.get("sqlalchemy.exc")
    if sqlalchemy_errors is None or not isinstance(exc, sqlalchemy_errors.OperationalError):
        return None
    reason = str(exc.orig).strip().splitlines()[0] if str(exc.orig).strip() else "no reason given"
    return f"the database refused: {reason}"


@contextmanager
def opened(
    data_dir: Path | None, *, adjust: Callable[[Settings], Settings] | None = None
) -> Iterator[App]:
    """The App for ``data_dir``, closed on leaving; ``adjust`` changes its settings before
    anything is built from them (`bedtales web --lan`: see :meth:`App.open`)."""
    from bedtales.app import App

    bedtales = App.open(data_dir, adjust=adjust)
    try:
        yield bedtales
    finally:
        bedtales.close()


def print_json(value: Any) -> None:
    out.print_json(json.dumps(value, ensure_ascii=False)) if sys.stdout.isatty() else print(
        json.dumps(value, ensure_ascii=False, indent=2)
    )
