"""EventBridge event patterns: every operator's match and non-match, arrays, missing fields,
nested fields, ``$or``, and every validation error (naming ``where`` and the path)."""

from __future__ import annotations

import itertools
import random
import re
from collections.abc import Sequence
from typing import Any

import pytest

from bedtales.bus.patterns import MAX_DEPTH, EventPattern, compile_pattern
from bedtales.errors import ConfigError

WHERE = "rule 'story-created': event_pattern"

EVENT: dict[str, Any] = {
    "version": "0",
    "id": "e-1",
    "source": "bedtales.stories",
    "detail-type": "Story Created",
    "time": "2024-05-01T20:00:00Z",
    "resources": [],
    "detail": {
        "id": "s-1",
        "title": "The Moon",
        "household": "casa",
        "size": 3,
        "ratio": 2.5,
        "one": 1,
        "size_text": "3",
        "stars": "5*",
        "published": True,
        "expires": None,
        "empty": "",
        "characters": ["Eric", "Dave"],
        "nights": [1, 5],
        "tags": [],
        "meta": {"lang": "en", "words": 240},
        "scenes": [{"name": "forest", "night": 1}, {"name": "sea", "night": 2}],
        "ip": "10.0.0.33",
        "ip6": "2001:db8::1",
    },
}

RECORD: dict[str, Any] = {
    "eventName": "INSERT",
    "keys": {"id": "s-1"},
    "newImage": {"id": "s-1", "title": "The Moon", "characters": ["Eric", "Dave"]},
    "oldImage": None,
}


def detail(**fields: Any) -> dict[str, Any]:
    return {"detail": fields}


MATCH_CASES: list[tuple[str, dict[str, Any], bool]] = [
    # literals, OR within a field, AND across fields
    ("string", {"source": ["bedtales.stories"]}, True),
    ("string-other", {"source": ["bedtales.other"]}, False),
    ("or-alternatives", {"source": ["x", "bedtales.stories"]}, True),
    ("and-fields", {"source": ["bedtales.stories"], "detail-type": ["Story Created"]}, True),
    ("and-one-fails", {"source": ["bedtales.stories"], "detail-type": ["Story Read"]}, False),
    ("case-sensitive", {"source": ["Bedtales.Stories"]}, False),
    ("number", detail(size=[3]), True),
    ("number-as-float", detail(size=[3.0]), True),
    ("float", detail(ratio=[2.5]), True),
    ("number-not-string", detail(size=["3"]), False),
    ("string-not-number", detail(size_text=[3]), False),
    ("true", detail(published=[True]), True),
    ("true-is-not-1", detail(one=[True]), False),
    ("1-is-not-true", detail(published=[1]), False),
    ("null", detail(expires=[None]), True),
    ("null-is-not-empty", detail(empty=[None]), False),
    ("empty-string", detail(empty=[""]), True),
    ("empty-is-not-null", detail(expires=[""]), False),
    ("null-is-not-missing", detail(nothing=[None]), False),
    ("literal-missing", detail(nothing=["x"]), False),
    # arrays in the event: any element
    ("array-any-element", detail(characters=["Dave"]), True),
    ("array-no-element", detail(characters=["Zed"]), False),
    ("array-operator", detail(characters=[{"prefix": "Da"}]), True),
    ("array-numeric", detail(nights=[{"numeric": [">", 4]}]), True),
    ("array-numeric-none", detail(nights=[{"numeric": [">", 5]}]), False),
    ("empty-array-literal", detail(tags=["x"]), False),
    # nested objects
    ("nested", detail(meta={"lang": ["en"]}), True),
    ("nested-other", detail(meta={"lang": ["fr"]}), False),
    ("object-is-not-a-leaf", detail(meta=["en"]), False),
    ("nested-under-scalar", detail(title={"x": ["y"]}), False),
    ("nested-under-missing", detail(nothing={"x": ["y"]}), False),
    ("array-of-objects", detail(scenes={"name": ["sea"]}), True),
    ("array-consistent", detail(scenes={"name": ["sea"], "night": [2]}), True),
    ("array-inconsistent", detail(scenes={"name": ["forest"], "night": [2]}), False),
    # prefix
    ("prefix", detail(title=[{"prefix": "The"}]), True),
    ("prefix-case", detail(title=[{"prefix": "the"}]), False),
    ("prefix-empty", detail(title=[{"prefix": ""}]), True),
    ("prefix-number", detail(size=[{"prefix": "3"}]), False),
    ("prefix-ignore-case", detail(title=[{"prefix": {"equals-ignore-case": "the m"}}]), True),
    ("prefix-ignore-case-no", detail(title=[{"prefix": {"equals-ignore-case": "moon"}}]), False),
    # suffix
    ("suffix", detail(title=[{"suffix": "Moon"}]), True),
    ("suffix-case", detail(title=[{"suffix": "moon"}]), False),
    ("suffix-ignore-case", detail(title=[{"suffix": {"equals-ignore-case": "MOON"}}]), True),
    ("suffix-ignore-case-no", detail(title=[{"suffix": {"equals-ignore-case": "THE"}}]), False),
    # equals-ignore-case
    ("equals-ignore-case", detail(title=[{"equals-ignore-case": "tHE mOON"}]), True),
    ("equals-ignore-case-no", detail(title=[{"equals-ignore-case": "the"}]), False),
    ("equals-ignore-case-number", detail(size=[{"equals-ignore-case": "3"}]), False),
    # wildcard
    ("wildcard-prefix", detail(title=[{"wildcard": "The*"}]), True),
    ("wildcard-middle", detail(title=[{"wildcard": "T*e M*n"}]), True),
    ("wildcard-empty-run", detail(title=[{"wildcard": "The Moon*"}]), True),
    ("wildcard-no", detail(title=[{"wildcard": "*Sun"}]), False),
    ("wildcard-whole", detail(title=[{"wildcard": "The"}]), False),
    ("wildcard-escaped-star", detail(stars=[{"wildcard": "5\\*"}]), True),
    ("wildcard-escaped-is-literal", detail(title=[{"wildcard": "The\\*"}]), False),
    # anything-but
    ("anything-but", detail(household=[{"anything-but": "draft"}]), True),
    ("anything-but-no", detail(household=[{"anything-but": "casa"}]), False),
    ("anything-but-list", detail(household=[{"anything-but": ["x", "casa"]}]), False),
    ("anything-but-number", detail(size=[{"anything-but": 4}]), True),
    ("anything-but-number-no", detail(size=[{"anything-but": 3.0}]), False),
    ("anything-but-numbers", detail(size=[{"anything-but": [1, 2, 3]}]), False),
    ("anything-but-string-on-number", detail(size=[{"anything-but": "3"}]), True),
    ("anything-but-null", detail(expires=[{"anything-but": "x"}]), True),
    ("anything-but-missing", detail(nothing=[{"anything-but": "x"}]), False),
    ("anything-but-object", detail(meta=[{"anything-but": "x"}]), False),
    ("anything-but-array-one-left", detail(characters=[{"anything-but": "Eric"}]), True),
    ("anything-but-array-all", detail(characters=[{"anything-but": ["Eric", "Dave"]}]), False),
    ("anything-but-prefix", detail(household=[{"anything-but": {"prefix": "zz"}}]), True),
    ("anything-but-prefix-no", detail(household=[{"anything-but": {"prefix": "ca"}}]), False),
    ("anything-but-prefixes", detail(household=[{"anything-but": {"prefix": ["x", "ca"]}}]), False),
    ("anything-but-suffix", detail(household=[{"anything-but": {"suffix": "zz"}}]), True),
    ("anything-but-suffix-no", detail(household=[{"anything-but": {"suffix": "sa"}}]), False),
    (
        "anything-but-ignore-case",
        detail(household=[{"anything-but": {"equals-ignore-case": "HOME"}}]),
        True,
    ),
    (
        "anything-but-ignore-case-no",
        detail(household=[{"anything-but": {"equals-ignore-case": "CASA"}}]),
        False,
    ),
    (
        "anything-but-ignore-case-list",
        detail(household=[{"anything-but": {"equals-ignore-case": ["A", "CASA"]}}]),
        False,
    ),
    ("anything-but-wildcard", detail(household=[{"anything-but": {"wildcard": "h*"}}]), True),
    ("anything-but-wildcard-no", detail(household=[{"anything-but": {"wildcard": "c*a"}}]), False),
    ("anything-but-prefix-on-number", detail(size=[{"anything-but": {"prefix": "3"}}]), True),
    # exists: leaves only
    ("exists-true", detail(title=[{"exists": True}]), True),
    ("exists-true-missing", detail(nothing=[{"exists": True}]), False),
    ("exists-false-missing", detail(nothing=[{"exists": False}]), True),
    ("exists-false-present", detail(title=[{"exists": False}]), False),
    ("exists-true-null", detail(expires=[{"exists": True}]), True),
    ("exists-false-null", detail(expires=[{"exists": False}]), False),
    ("exists-true-object", detail(meta=[{"exists": True}]), False),
    ("exists-false-object", detail(meta=[{"exists": False}]), True),
    ("exists-true-empty-array", detail(tags=[{"exists": True}]), False),
    ("exists-false-empty-array", detail(tags=[{"exists": False}]), True),
    ("exists-true-array", detail(characters=[{"exists": True}]), True),
    ("exists-false-under-missing", detail(nothing={"deeper": [{"exists": False}]}), True),
    ("exists-true-under-missing", detail(nothing={"deeper": [{"exists": True}]}), False),
    ("exists-false-under-scalar", detail(title={"deeper": [{"exists": False}]}), True),
    ("exists-false-under-empty-array", detail(tags={"deeper": [{"exists": False}]}), True),
    ("literal-or-absent", detail(nothing=["x", {"exists": False}]), True),
    ("literal-or-absent-present", detail(household=["x", {"exists": False}]), False),
    # numeric
    ("numeric-range", detail(size=[{"numeric": [">", 0, "<=", 5]}]), True),
    ("numeric-range-edge", detail(size=[{"numeric": [">", 0, "<=", 3]}]), True),
    ("numeric-range-open-edge", detail(size=[{"numeric": [">", 0, "<", 3]}]), False),
    ("numeric-range-any-order", detail(size=[{"numeric": ["<=", 5, ">", 0]}]), True),
    ("numeric-gt", detail(size=[{"numeric": [">", 3]}]), False),
    ("numeric-ge", detail(size=[{"numeric": [">=", 3]}]), True),
    ("numeric-lt", detail(size=[{"numeric": ["<", 3]}]), False),
    ("numeric-le", detail(size=[{"numeric": ["<=", 3]}]), True),
    ("numeric-eq", detail(size=[{"numeric": ["=", 3]}]), True),
    ("numeric-eq-float", detail(ratio=[{"numeric": ["=", 2.5]}]), True),
    ("numeric-eq-no", detail(ratio=[{"numeric": ["=", 2]}]), False),
    ("numeric-negative", detail(ratio=[{"numeric": [">", -1e3, "<", 2.6]}]), True),
    ("numeric-string", detail(size_text=[{"numeric": [">", 0]}]), False),
    ("numeric-bool", detail(published=[{"numeric": [">", 0]}]), False),
    ("numeric-null", detail(expires=[{"numeric": [">", 0]}]), False),
    ("numeric-missing", detail(nothing=[{"numeric": [">", 0]}]), False),
    # cidr
    ("cidr", detail(ip=[{"cidr": "10.0.0.0/24"}]), True),
    ("cidr-outside", detail(ip=[{"cidr": "10.0.1.0/24"}]), False),
    ("cidr-not-an-ip", detail(title=[{"cidr": "10.0.0.0/8"}]), False),
    ("cidr-ipv6", detail(ip6=[{"cidr": "2001:db8::/32"}]), True),
    # $or
    ("or-first", {"$or": [{"source": ["bedtales.stories"]}, {"detail-type": ["x"]}]}, True),
    ("or-second", {"$or": [{"source": ["x"]}, {"detail-type": ["Story Created"]}]}, True),
    ("or-none", {"$or": [{"source": ["x"]}, {"detail-type": ["y"]}]}, False),
    ("or-and-field", {"source": ["x"], "$or": [{"id": ["e-1"]}, {"time": ["y"]}]}, False),
    (
        "or-nested",
        detail(**{"$or": [{"size": [{"numeric": [">", 10]}]}, {"meta": {"lang": ["en"]}}]}),
        True,
    ),
    (
        "or-branch-with-and",
        {"$or": [{"source": ["x"]}, {"source": ["bedtales.stories"], "detail": {"size": [4]}}]},
        False,
    ),
    (
        "or-in-or",
        {"$or": [{"source": ["x"]}, {"$or": [{"id": ["no"]}, {"detail": {"size": [3]}}]}]},
        True,
    ),
]


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [pytest.param(pattern, expected, id=name) for name, pattern, expected in MATCH_CASES],
)
def test_pattern_matches_envelope(pattern: dict[str, Any], expected: bool) -> None:
    assert compile_pattern(pattern, where=WHERE).matches(EVENT) is expected


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [
        ({"eventName": ["INSERT"]}, True),
        ({"eventName": ["INSERT"], "newImage": {"characters": ["Eric"]}}, True),
        ({"eventName": ["MODIFY", "REMOVE"]}, False),
        ({"oldImage": [None]}, True),
        ({"oldImage": {"id": [{"exists": False}]}}, True),
        ({"oldImage": {"id": [{"exists": True}]}}, False),
        ({"keys": {"id": [{"prefix": "s-"}]}, "newImage": {"title": [{"exists": True}]}}, True),
    ],
)
def test_pattern_matches_stream_record(pattern: dict[str, Any], expected: bool) -> None:
    assert compile_pattern(pattern, where=WHERE).matches(RECORD) is expected


def test_deepest_allowed_nesting_matches() -> None:
    pattern: dict[str, Any] = {"leaf": ["x"]}
    event: dict[str, Any] = {"leaf": "x"}
    for _ in range(MAX_DEPTH - 1):
        pattern, event = {"a": pattern}, {"a": event}
    assert compile_pattern(pattern, where=WHERE).matches(event)


def test_compiled_pattern_does_not_follow_later_changes_to_its_source() -> None:
    source: dict[str, Any] = {"source": ["bedtales.stories"]}
    compiled = compile_pattern(source, where=WHERE)
    source["source"].clear()
    source["detail-type"] = ["nothing"]
    assert compiled.matches(EVENT)


def reference_wildcard(pattern: str) -> re.Pattern[str]:
    """The obvious (backtracking) reading of a wildcard pattern: ``*`` is ``.*``, ``\\x`` is x."""
    tokens = re.findall(r"\\(.)|(\*)|(.)", pattern, re.DOTALL)
    return re.compile(
        "".join(".*" if star else re.escape(escaped or char) for escaped, star, char in tokens),
        re.DOTALL,
    )


def wildcard(pattern: str) -> EventPattern:
    return compile_pattern({"v": [{"wildcard": pattern}]}, where=WHERE)


def wildcard_matches(pattern: str, value: str) -> bool:
    return wildcard(pattern).matches({"v": value})


def without_double_stars(tokens: Sequence[str]) -> str:
    """The pattern the tokens spell, with a star dropped after a star (EventBridge refuses "**")."""
    kept: list[str] = []
    for token in tokens:
        if not (token == "*" and kept and kept[-1] == "*"):
            kept.append(token)
    return "".join(kept)


WILDCARD_TOKENS = ["a", "b", "*", "\\*"]


def test_wildcard_agrees_with_a_regex_on_every_small_pattern_and_value() -> None:
    patterns = {
        without_double_stars(tokens)
        for length in range(6)
        for tokens in itertools.product(WILDCARD_TOKENS, repeat=length)
    }
    values = ["".join(chars) for n in range(6) for chars in itertools.product("ab*", repeat=n)]
    disagreements = []
    for pattern in patterns:
        compiled, reference = wildcard(pattern), reference_wildcard(pattern)
        disagreements += [
            (pattern, value)
            for value in values
            if compiled.matches({"v": value}) != bool(reference.fullmatch(value))
        ]
    assert len(patterns) > 100
    assert disagreements == []


def test_wildcard_agrees_with_a_regex_on_random_longer_patterns_and_values() -> None:
    chooser = random.Random(14)
    checked = matched = 0
    for _ in range(400):
        tokens = chooser.choices(WILDCARD_TOKENS, weights=[4, 4, 3, 1], k=chooser.randint(1, 10))
        pattern = without_double_stars(tokens)
        compiled, reference = wildcard(pattern), reference_wildcard(pattern)
        for _ in range(25):
            value = "".join(chooser.choices("ab*", weights=[8, 8, 1], k=chooser.randint(0, 14)))
            expected = bool(reference.fullmatch(value))
            assert compiled.matches({"v": value}) is expected, (pattern, value)
            checked += 1
            matched += expected
    assert checked == 10_000
    assert matched > 500  # the comparison covers matches, not only misses


@pytest.mark.parametrize(
    "pattern",
    [
        pytest.param("*a*a*a*a*a*a*a*b", id="suffix-missing"),
        pytest.param("*a*a*a*a*a*a*a*b*", id="middle-missing"),
    ],
)
def test_wildcard_does_not_backtrack(pattern: str) -> None:
    # a backtracking regex takes hours here: the test finishing at all is the check
    assert not wildcard_matches(pattern, "a" * 5000)


@pytest.mark.parametrize(
    ("pattern", "problem"),
    [
        ("a**b", "consecutive '*' are not allowed"),
        ("a\\b", "a backslash may only escape '*' or '\\'"),
        ("a\\", "a backslash may only escape '*' or '\\'"),
    ],
)
def test_wildcard_refuses_what_eventbridge_refuses(pattern: str, problem: str) -> None:
    with pytest.raises(ConfigError, match=re.escape(f"{WHERE}.v: wildcard: {problem}")):
        compile_pattern({"v": [{"wildcard": pattern}]}, where=WHERE)


def test_wildcard_escapes_are_literal() -> None:
    assert wildcard_matches("a\\\\*", "a\\xyz")  # an escaped backslash, then a star
    assert not wildcard_matches("a\\\\*", "axyz")
    assert wildcard_matches("*\\**", "x*y")
    assert not wildcard_matches("*\\**", "xy")
