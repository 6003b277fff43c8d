"""EventBridge Pipes style input templates: JSON values with ``<$.path>`` placeholders.

A pipe renders each record it lets through into an event's detail. The template is a JSON
value (usually an object from TOML) whose strings may hold placeholders:

* a string that is exactly one placeholder, ``"<$.newImage.characters>"``, becomes the value at
  that path with its JSON type kept (a list stays a list, a number a number); missing → null;
* a placeholder inside other text, ``"Story <$.newImage.title>"``, is replaced by the value as
  text: strings as they are, other values JSON-encoded, missing → the empty string;
* objects and arrays are rendered recursively; other literals pass through; object keys are
  literal.

Paths: ``$`` (the whole record), ``$.a.b``, ``$.a[0].b`` and ``$['odd key']`` (or ``["…"]``);
a quoted key cannot contain its own quote, ``<`` or ``>``. Wildcards, ``..`` and slices are
refused. Every ``<$…>`` must be a well-formed placeholder; other text, ``<b>`` included, is
left alone. Rendering returns a fresh structure that shares no list or object with the record
or the template, so a handler may change it freely.
"""

from __future__ import annotations

import enum
import json
import re
from collections.abc import Callable, Mapping
from typing import Any, Final, NoReturn

from bedtales.errors import ConfigError

__all__ = ["InputTemplate", "compile_template"]

Render = Callable[[Mapping[str, Any]], Any]
Step = str | int  # a key, or an index into an array

# "<$" up to the next ">": everything that looks like a placeholder, well-formed or not
_PLACEHOLDER: Final = re.compile(r"<(\$[^<>]*)>")
_SEGMENT: Final = re.compile(
    r"""\.(?P<name>[^.\[\]'"*<>\s]+)"""
    r"""|\[(?P<index>\d+)\]"""
    r"""|\['(?P<single>[^'<>]*)'\]"""
    r"""|\["(?P<double>[^"<>]*)"\]"""
)


class _Missing(enum.Enum):
    MISSING = enum.auto()


_MISSING: Final = _Missing.MISSING


class InputTemplate:
    """A compiled input template; :meth:`render` is pure and safe to share between threads."""

    __slots__ = ("_render",)

    def __init__(self, render: Render) -> None:
        self._render = render

    def render(self, record: Mapping[str, Any]) -> Any:
        """The template filled in from ``record``, as a fresh JSON-like value."""
        return self._render(record)


def compile_template(template: object, *, where: str) -> InputTemplate:
    """Validate ``template`` and compile it; a ConfigError's message starts with ``where``."""
    return InputTemplate(_compile(template, (), where))


def _fail(where: str, path: tuple[str, ...], problem: str) -> NoReturn:
    location = where + "".join(path)
    raise ConfigError(f"{location}: {problem}")


def _compile(node: object, path: tuple[str, ...], where: str) -> Render:
    if isinstance(node, str):
        return _compile_string(node, path, where)
    if isinstance(node, Mapping):
        return _compile_object(node, path, where)
    if isinstance(node, list):
        items = tuple(
            _compile(item, (*path, f"[{index}]"), where) for index, item in enumerate(node)
        )
        return lambda record: [item(record) for item in items]
    if node is None or isinstance(node, bool | int | float):
        return lambda record: node  # immutable: safe to hand out every time
    _fail(where, path, f"a template holds JSON values only, not {type(node).__name__}")


def _compile_object(node: Mapping[Any, Any], path: tuple[str, ...], where: str) -> Render:
    fields: list[tuple[str, Render]] = []
    for key, value in node.items():
        if not isinstance(key, str):
            _fail(where, path, f"object keys must be strings, not {key!r}")
        fields.append((key, _compile(value, (*path, f".{key}"), where)))
    frozen = tuple(fields)
    return lambda record: {key: value(record) for key, value in frozen}


def _compile_string(text: str, path: tuple[str, ...], where: str) -> Render:
    found = list(_PLACEHOLDER.finditer(text))
    gaps = [text[end:start] for end, start in _gaps(found, len(text))]
    for gap in gaps:
        _refuse_unclosed(gap, path, where)
    if not found:
        return lambda record: text
    lookups = [_lookup(_parse_path(m.group(1), m.group(0), path, where)) for m in found]
    if len(found) == 1 and found[0].span() == (0, len(text)):
        lookup = lookups[0]
        return lambda record: _typed(lookup(record))
    pieces: list[str | Render] = [gaps[0]]
    for lookup, gap in zip(lookups, gaps[1:], strict=True):
        pieces += [lookup, gap]
    return _joined(tuple(piece for piece in pieces if piece != ""))


def _gaps(found: list[re.Match[str]], length: int) -> list[tuple[int, int]]:
    """The spans of text before, between and after the placeholders (one more than them)."""
    ends = [0, *(m.end() for m in found)]
    starts = [*(m.start() for m in found), length]
    return list(zip(ends, starts, strict=True))


def _refuse_unclosed(text: str, path: tuple[str, ...], where: str) -> None:
    """A ``<$`` outside every ``<$…>`` is a placeholder missing its ``>`` (or broken by a ``<``)."""
    start = text.find("<$")
    if start >= 0:
        _fail(where, path, f"unclosed placeholder {text[start : start + 40]!r}")


def _parse_path(
    path_text: str, placeholder: str, path: tuple[str, ...], where: str
) -> tuple[Step, ...]:
    """``$.a[0]['b c']`` → ``("a", 0, "b c")``; anything else is refused."""
    steps: list[Step] = []
    position = 1  # past the "$"
    while position < len(path_text):
        segment = _SEGMENT.match(path_text, position)
        if segment is None:
            _fail(
                where,
                path,
                f"malformed placeholder {placeholder!r} at {path_text[position:]!r}: "
                "expected .name, [index] or ['key']",
            )
        index = segment.group("index")
        if index is not None:
            steps.append(int(index))
        else:
            steps.append(
                segment.group("name") or segment.group("single") or segment.group("double") or ""
            )
        position = segment.end()
    return tuple(steps)


def _lookup(steps: tuple[Step, ...]) -> Callable[[Mapping[str, Any]], Any]:
    """The value at ``steps`` in a record, or ``_MISSING``."""

    def lookup(record: Mapping[str, Any]) -> Any:
        node: Any = record
        for step in steps:
            if isinstance(step, int):
                if not isinstance(node, list | tuple) or step >= len(node):
                    return _MISSING
                node = node[step]
            elif isinstance(node, Mapping):
                node = node.get(step, _MISSING)
                if node is _MISSING:
                    return _MISSING
            else:
                return _MISSING
        return node

    return lookup


def _typed(value: Any) -> Any:
    """A whole-string placeholder's value, with its JSON type kept and nothing shared."""
    return None if value is _MISSING else _fresh(value)


def _fresh(value: Any) -> Any:
    """A copy of a JSON-like value: new lists and dicts all the way down (tuples become lists)."""
    if isinstance(value, Mapping):
        return {key: _fresh(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_fresh(item) for item in value]
    return value


def _as_text(value: Any) -> str:
    """A value embedded in text: strings as they are, others as JSON, missing as nothing."""
    if isinstance(value, str):
        return value
    if value is _MISSING:
        return ""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), default=str)


def _joined(pieces: tuple[str | Render, ...]) -> Render:
    def render(record: Mapping[str, Any]) -> str:
        return "".join(
            piece if isinstance(piece, str) else _as_text(piece(record)) for piece in pieces
        )

    return render
