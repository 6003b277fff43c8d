"""EventBridge event patterns: validated once at start-up, compiled to closures, matched fast.

The pattern language is Amazon EventBridge's ("Content filtering in Amazon EventBridge event
patterns"), as implemented by AWS's open-source matcher, Event Ruler:

* A pattern is a JSON object. A key whose value is an object matches the nested field; a key
  whose value is an array is a *leaf* whose items are alternatives (OR). Every key must match
  (AND). ``"$or": [pattern, pattern, …]`` (two or more) at any level needs one branch to match.
* Alternatives are literals (string, number, ``true``, ``false``, ``null``) or one-key operator
  objects: ``prefix``, ``suffix``, ``equals-ignore-case``, ``wildcard``, ``anything-but``,
  ``exists``, ``numeric`` and ``cidr``.
* Numbers compare numerically (``5`` matches ``5.0``); ``true`` never equals ``1``; ``null``
  matches an explicit null and nothing else (not ``""``, not a missing field).
* If the event's value is an array, the field matches when any element does; nested arrays are
  flattened. When a nested pattern object meets an array of objects, all of its fields must be
  satisfied by the *same* element (Event Ruler's "array-consistent" matching).

Choices where the documentation is terse, following Event Ruler and AWS's observed behaviour:

* ``exists`` looks only at *leaves*. ``{"exists": true}`` matches a present scalar, ``null``
  included (the value is not considered), or an array holding one; it does not match an object
  or an empty array. ``{"exists": false}`` matches a missing field, an object (an intermediate
  node, not a leaf) and an empty array. Inside an array of objects, "missing" means missing
  from the element being matched.
* ``anything-but`` matches any present leaf that is not excluded, so ``null``, booleans and
  numbers pass a string exclusion, and non-strings pass ``{"anything-but": {"prefix": …}}``. Like
  every operator except ``exists: false`` it never matches a missing field.
* ``prefix``, ``suffix``, ``equals-ignore-case``, ``wildcard`` and ``cidr`` match strings only;
  ``numeric`` matches numbers only (never booleans). Case folding uses ``str.casefold``.
* ``wildcard``'s ``*`` matches any run of characters, the empty one included; ``\\*`` and
  ``\\\\`` escape, other backslashes and ``**`` are refused, as EventBridge refuses them.
* ``numeric`` takes ``["=", n]`` or up to one lower (``>``, ``>=``) and one upper (``<``,
  ``<=``) bound, in either order; the lower must be below the upper.
* Keys are literal: ``"a.b"`` names a key with a dot in it, not a nested field.
* Empty objects are refused, as EventBridge refuses them; match everything with
  ``{"source": [{"prefix": ""}]}``.
"""

from __future__ import annotations

import enum
import ipaddress
import json
import math
import operator
from collections.abc import Callable, Iterator, Mapping, Sequence
from types import MappingProxyType
from typing import Any, Final, NoReturn

from bedtales.errors import ConfigError

__all__ = ["MAX_DEPTH", "EventPattern", "compile_pattern"]

MAX_DEPTH: Final = 10
"""Nested objects a pattern may have (``$or`` branches count as a level): deeper ones are
almost certainly mistakes, and the limit bounds the work per event."""

Test = Callable[[Any], bool]
"""A compiled check of one value; never raises."""

Fields = Callable[[Mapping[str, Any]], bool]
"""A compiled pattern object, applied to one object of the event."""

Path = tuple[str, ...]


class _Missing(enum.Enum):
    MISSING = enum.auto()


_MISSING: Final = _Missing.MISSING
# What a nested pattern sees below a missing or non-object field: no keys at all.
_NO_FIELDS: Final[Mapping[str, Any]] = MappingProxyType({})
_ANY_NUMBER: Final = (int, float)
# JSON's scalar types, looked up by exact class: the fast path for the common leaf value
_SCALARS: Final = frozenset({str, int, float, bool, type(None)})
_OPERATOR_HINT: Final = (
    "prefix, suffix, equals-ignore-case, wildcard, anything-but, exists, numeric, cidr"
)


class EventPattern:
    """A compiled event pattern; :meth:`matches` is pure and safe to share between threads."""

    __slots__ = ("_match",)

    def __init__(self, match: Fields) -> None:
        self._match = match

    def matches(self, event: Mapping[str, Any]) -> bool:
        """Whether ``event`` (a JSON-like dict: an envelope or a stream record) matches."""
        return self._match(event)


def compile_pattern(pattern: object, *, where: str) -> EventPattern:
    """Validate ``pattern`` and compile it; a ConfigError's message starts with ``where``."""
    return EventPattern(_compile_object(pattern, (), 1, where))


# --- errors ------------------------------------------------------------------------------


def _location(where: str, path: Path) -> str:
    return f"{where}.{'.'.join(path)}" if path else where


def _fail(where: str, path: Path, problem: str) -> NoReturn:
    raise ConfigError(f"{_location(where, path)}: {problem}")


def _show(value: object) -> str:
    """A short rendering of a bad value for an error message."""
    try:
        text = json.dumps(value, ensure_ascii=False)
    except (TypeError, ValueError):
        text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


# --- pattern objects ---------------------------------------------------------------------


def _compile_object(node: object, path: Path, depth: int, where: str) -> Fields:
    if not isinstance(node, Mapping):
        _fail(where, path, f"a pattern must be an object, not {_show(node)}")
    if not node:
        _fail(where, path, "empty objects are not allowed")
    if depth > MAX_DEPTH:
        _fail(where, path, f"nested deeper than {MAX_DEPTH} levels")
    fields: list[tuple[str, Test]] = []
    branches: tuple[Fields, ...] = ()
    for key, value in node.items():
        if not isinstance(key, str):
            _fail(where, path, f"field names must be strings, not {_show(key)}")
        if key == "$or":
            branches = _compile_or(value, (*path, key), depth, where)
        elif isinstance(value, Mapping):
            fields.append((key, _nested(_compile_object(value, (*path, key), depth + 1, where))))
        elif isinstance(value, list):
            fields.append((key, _compile_leaf(value, (*path, key), where)))
        else:
            _fail(where, (*path, key), f"must be an object or an array, not {_show(value)}")
    return _all_of(tuple(fields), branches)


def _compile_or(value: object, path: Path, depth: int, where: str) -> tuple[Fields, ...]:
    if not isinstance(value, list) or len(value) < 2:
        _fail(where, path, "must be an array of at least two pattern objects")
    parent, key = path[:-1], path[-1]
    return tuple(
        _compile_object(branch, (*parent, f"{key}[{index}]"), depth + 1, where)
        for index, branch in enumerate(value)
    )


def _all_of(fields: tuple[tuple[str, Test], ...], branches: tuple[Fields, ...]) -> Fields:
    def match(event: Mapping[str, Any]) -> bool:
        # a plain loop: about twice as fast as all() over a generator, and this is the hot path
        for key, test in fields:  # noqa: SIM110
            if not test(event.get(key, _MISSING)):
                return False
        return True

    if not branches:
        return match

    def match_with_or(event: Mapping[str, Any]) -> bool:
        return match(event) and any(branch(event) for branch in branches)

    return match_with_or


def _nested(fields: Fields) -> Test:
    """A nested pattern object applied to a field's value, whatever that value is."""

    def test(value: Any) -> bool:
        if isinstance(value, dict):
            return fields(value)
        if isinstance(value, (list, tuple)):
            seen = False
            for element in _objects(value):
                if fields(element):
                    return True
                seen = True
            # no object below: every nested field is missing, which only exists:false accepts
            return not seen and fields(_NO_FIELDS)
        if isinstance(value, Mapping):
            return fields(value)
        return fields(_NO_FIELDS)

    return test


def _objects(values: Sequence[Any]) -> Iterator[Mapping[str, Any]]:
    for value in values:
        if isinstance(value, Mapping):
            yield value
        elif isinstance(value, (list, tuple)):
            yield from _objects(value)


def _leaves(values: Sequence[Any]) -> Iterator[Any]:
    for value in values:
        if isinstance(value, (list, tuple)):
            yield from _leaves(value)
        elif not isinstance(value, Mapping):
            yield value


# --- leaves ------------------------------------------------------------------------------


class _Alternatives:
    """The alternatives of one leaf, sorted by kind so literals can be looked up in sets."""

    def __init__(self) -> None:
        self.strings: set[str] = set()
        self.numbers: set[int | float] = set()
        self.constants: list[bool | None] = []  # true, false, null: compared by identity
        self.tests: list[Test] = []
        self.absent = False  # {"exists": false}
        self.present = False  # {"exists": true}


def _compile_leaf(alternatives: list[Any], path: Path, where: str) -> Test:
    if not alternatives:
        _fail(where, path, "empty arrays are not allowed")
    found = _Alternatives()
    for alternative in alternatives:
        if isinstance(alternative, str):
            found.strings.add(alternative)
        elif alternative is None or isinstance(alternative, bool):
            found.constants.append(alternative)
        elif isinstance(alternative, _ANY_NUMBER):
            found.numbers.add(_number(alternative, path, where, "a literal"))
        elif isinstance(alternative, Mapping):
            _add_operator(found, alternative, path, where)
        else:
            _fail(
                where,
                path,
                "alternatives must be strings, numbers, true, false, null or one-key "
                f"operator objects, not {_show(alternative)}",
            )
    return _leaf_test(_value_test(found), found.absent)


def _value_test(found: _Alternatives) -> Test:
    """One check of a present leaf value against every alternative but ``exists: false``."""
    if found.present:
        return _always
    strings, numbers, constants, tests = (
        frozenset(found.strings),
        frozenset(found.numbers),
        tuple(found.constants),
        tuple(found.tests),
    )
    if not (numbers or constants or tests):
        # the common case, a list of strings: a set lookup (a non-string never equals a string)
        return strings.__contains__
    if not (strings or numbers or constants) and len(tests) == 1:
        return tests[0]  # a single operator: no dispatch at all

    def test(value: Any) -> bool:
        if isinstance(value, str):
            if value in strings:
                return True
        elif value is None or isinstance(value, bool):
            if any(value is constant for constant in constants):
                return True
        elif isinstance(value, _ANY_NUMBER) and value in numbers:
            return True
        for check in tests:  # noqa: SIM110 - a loop is faster than any() over a generator
            if check(value):
                return True
        return False

    return test


def _leaf_test(value_ok: Test, absent: bool) -> Test:
    """Apply ``value_ok`` to the leaves of a field's value; ``absent`` when there are none."""

    def test(value: Any) -> bool:
        if value.__class__ in _SCALARS:
            return value_ok(value)
        if value is _MISSING:
            return absent
        if isinstance(value, (list, tuple)):
            seen = False
            for leaf in _leaves(value):
                if value_ok(leaf):
                    return True
                seen = True
            return absent and not seen
        if isinstance(value, Mapping):
            return absent  # an object is an intermediate node, not a leaf
        try:  # not JSON (a str subclass, a set…): compare what can be compared
            return value_ok(value)
        except TypeError:
            return False

    return test


def _always(value: Any) -> bool:
    return True


def _is_number(value: Any) -> bool:
    return isinstance(value, _ANY_NUMBER) and not isinstance(value, bool)


def _number(value: object, path: Path, where: str, role: str) -> int | float:
    if isinstance(value, _ANY_NUMBER) and not isinstance(value, bool) and math.isfinite(value):
        return value
    _fail(where, path, f"{role} must be a finite number, not {_show(value)}")


# --- operators ---------------------------------------------------------------------------


def _add_operator(found: _Alternatives, spec: Mapping[Any, Any], path: Path, where: str) -> None:
    if len(spec) != 1:
        _fail(where, path, f"an operator object must have exactly one key, not {_show(spec)}")
    [(name, argument)] = spec.items()
    if name == "exists":
        if not isinstance(argument, bool):
            _fail(where, path, f"exists: must be true or false, not {_show(argument)}")
        if argument:
            found.present = True
        else:
            found.absent = True
        return
    compiler = _OPERATORS.get(name)
    if compiler is None:
        _fail(where, path, f"unknown operator {name!r} (known: {_OPERATOR_HINT})")
    found.tests.append(compiler(argument, path, where))


def _text_argument(name: str, argument: object, path: Path, where: str) -> tuple[str, bool]:
    """The string of prefix/suffix: plain, or ``{"equals-ignore-case": …}`` (then folded)."""
    if isinstance(argument, str):
        return argument, False
    if (
        isinstance(argument, Mapping)
        and len(argument) == 1
        and isinstance(argument.get("equals-ignore-case"), str)
    ):
        return str(argument["equals-ignore-case"]).casefold(), True
    _fail(
        where,
        path,
        f'{name}: expected a string or {{"equals-ignore-case": string}}, not {_show(argument)}',
    )


def _prefix(argument: object, path: Path, where: str) -> Test:
    text, fold = _text_argument("prefix", argument, path, where)
    if fold:
        return lambda value: isinstance(value, str) and value.casefold().startswith(text)
    return lambda value: isinstance(value, str) and value.startswith(text)


def _suffix(argument: object, path: Path, where: str) -> Test:
    text, fold = _text_argument("suffix", argument, path, where)
    if fold:
        return lambda value: isinstance(value, str) and value.casefold().endswith(text)
    return lambda value: isinstance(value, str) and value.endswith(text)


def _equals_ignore_case(argument: object, path: Path, where: str) -> Test:
    if not isinstance(argument, str):
        _fail(where, path, f"equals-ignore-case: expected a string, not {_show(argument)}")
    folded = argument.casefold()
    return lambda value: isinstance(value, str) and value.casefold() == folded


def _wildcard(argument: object, path: Path, where: str) -> Test:
    if not isinstance(argument, str):
        _fail(where, path, f"wildcard: expected a string, not {_show(argument)}")
    segments = _wildcard_segments(argument, path, where)
    if len(segments) == 1:
        [literal] = segments
        return lambda value: isinstance(value, str) and value == literal
    first, *middle, last = segments
    matches = _segments_matcher(first, tuple(middle), last)
    return lambda value: isinstance(value, str) and matches(value)


def _wildcard_segments(text: str, path: Path, where: str) -> list[str]:
    """The literal runs between the unescaped stars of ``text``, escapes resolved.

    ``"a*b\\*c"`` gives ``["a", "b*c"]``: one more segment than there are stars.
    """
    segments: list[str] = []
    current: list[str] = []
    index = 0
    after_star = False
    while index < len(text):
        char = text[index]
        if char == "\\":
            escaped = text[index + 1 : index + 2]
            if escaped not in ("*", "\\"):
                _fail(where, path, rf"wildcard: a backslash may only escape '*' or '\' in {text!r}")
            current.append(escaped)
            index += 2
            after_star = False
            continue
        if char == "*":
            if after_star:
                _fail(where, path, f"wildcard: consecutive '*' are not allowed in {text!r}")
            segments.append("".join(current))
            current = []
            after_star = True
        else:
            current.append(char)
            after_star = False
        index += 1
    segments.append("".join(current))
    return segments


def _segments_matcher(first: str, middle: tuple[str, ...], last: str) -> Callable[[str], bool]:
    """Match ``first*middle[0]*…*last`` in time linear in the value, without backtracking.

    The first segment must be a prefix and the last a suffix (not overlapping it); each middle
    segment is then taken at its leftmost place after the one before. Leftmost is always safe:
    it leaves the most room for what follows, so a failed search means no match at all. A
    regex's ``.*`` would instead backtrack, and ``*a*a*a*a*b`` takes seconds on 200 characters.
    """
    fixed = len(first) + len(last)

    def matches(value: str) -> bool:
        end = len(value) - len(last)
        if len(value) < fixed or not value.startswith(first) or not value.endswith(last):
            return False
        position = len(first)
        for segment in middle:
            found = value.find(segment, position, end)
            if found < 0:
                return False
            position = found + len(segment)
        return True

    return matches


_COMPARISONS: Final = frozenset({"=", ">", ">=", "<", "<="})


def _numeric(argument: object, path: Path, where: str) -> Test:
    if not isinstance(argument, list) or not argument:
        _fail(
            where, path, f'numeric: expected an array like [">", 0, "<=", 5], not {_show(argument)}'
        )
    if len(argument) % 2:
        _fail(where, path, f"numeric: expected comparison/number pairs, not {_show(argument)}")
    if argument[0] == "=" and len(argument) == 2:
        return _equal_test(_number(argument[1], path, where, "numeric: the value of '='"))
    lower: tuple[float, bool] | None = None
    upper: tuple[float, bool] | None = None
    for index in range(0, len(argument), 2):
        comparison = argument[index]
        if not isinstance(comparison, str) or comparison not in _COMPARISONS:
            _fail(where, path, f"numeric: unknown comparison {_show(comparison)}")
        if comparison == "=":
            _fail(where, path, "numeric: '=' cannot be combined with other comparisons")
        bound = (
            _number(argument[index + 1], path, where, f"numeric: the value of {comparison!r}"),
            comparison in ("<", ">"),
        )
        if comparison in (">", ">="):
            if lower is not None:
                _fail(where, path, "numeric: more than one lower bound ('>' or '>=')")
            lower = bound
        else:
            if upper is not None:
                _fail(where, path, "numeric: more than one upper bound ('<' or '<=')")
            upper = bound
    if lower is not None and upper is not None and lower[0] >= upper[0]:
        _fail(where, path, "numeric: the lower bound must be below the upper bound")
    return _range_test(lower, upper)


def _equal_test(bound: float) -> Test:
    return lambda value: _is_number(value) and value == bound


def _range_test(lower: tuple[float, bool] | None, upper: tuple[float, bool] | None) -> Test:
    low, low_open = lower if lower is not None else (-math.inf, False)
    high, high_open = upper if upper is not None else (math.inf, False)
    above = operator.gt if low_open else operator.ge
    below = operator.lt if high_open else operator.le

    def test(value: Any) -> bool:
        return (
            isinstance(value, _ANY_NUMBER)
            and not isinstance(value, bool)
            and above(value, low)
            and below(value, high)
        )

    return test


def _cidr(argument: object, path: Path, where: str) -> Test:
    if not isinstance(argument, str) or "/" not in argument:
        _fail(where, path, f'cidr: expected a block like "10.0.0.0/24", not {_show(argument)}')
    try:
        network = ipaddress.ip_network(argument, strict=False)
    except ValueError as error:
        _fail(where, path, f"cidr: {error}")

    def test(value: Any) -> bool:
        if not isinstance(value, str):
            return False
        try:
            return ipaddress.ip_address(value) in network
        except ValueError:
            return False

    return test


def _anything_but(argument: object, path: Path, where: str) -> Test:
    """Not any of the excluded values; see the module docstring for what passes."""
    if isinstance(argument, Mapping):
        excluded = _anything_but_operator(argument, path, where)
        return lambda value: not excluded(value)
    values = argument if isinstance(argument, list) else [argument]
    if values and all(isinstance(value, str) for value in values):
        strings = frozenset(values)
        return lambda value: not (isinstance(value, str) and value in strings)
    if values and all(_is_number(value) for value in values):
        numbers = frozenset(_number(value, path, where, "anything-but") for value in values)
        return lambda value: not (_is_number(value) and value in numbers)
    _fail(
        where,
        path,
        "anything-but: expected a string, a number, a non-empty array of all strings or all "
        "numbers, or {prefix|suffix|equals-ignore-case|wildcard: …}, "
        f"not {_show(argument)}",
    )


def _anything_but_operator(spec: Mapping[Any, Any], path: Path, where: str) -> Test:
    """The positive test that ``{"anything-but": {operator: strings}}`` negates."""
    if len(spec) != 1:
        _fail(where, path, f"anything-but: expected one operator, not {_show(spec)}")
    [(name, argument)] = spec.items()
    compiler = _ANYTHING_BUT_OPERATORS.get(name)
    if compiler is None:
        _fail(where, path, f"anything-but: unsupported operator {name!r}")
    texts = argument if isinstance(argument, list) else [argument]
    if not texts or not all(isinstance(text, str) for text in texts):
        _fail(where, path, f"anything-but: {name}: expected strings, not {_show(argument)}")
    if name in ("prefix", "suffix") and "" in texts:
        _fail(where, path, f"anything-but: {name}: an empty string would exclude every string")
    tests = tuple(compiler(text, path, where) for text in texts)
    if len(tests) == 1:
        return tests[0]
    return lambda value: any(test(value) for test in tests)


_OPERATORS: Final[dict[str, Callable[[object, Path, str], Test]]] = {
    "prefix": _prefix,
    "suffix": _suffix,
    "equals-ignore-case": _equals_ignore_case,
    "wildcard": _wildcard,
    "numeric": _numeric,
    "cidr": _cidr,
    "anything-but": _anything_but,
}

_ANYTHING_BUT_OPERATORS: Final[dict[str, Callable[[object, Path, str], Test]]] = {
    "prefix": _prefix,
    "suffix": _suffix,
    "equals-ignore-case": _equals_ignore_case,
    "wildcard": _wildcard,
}
