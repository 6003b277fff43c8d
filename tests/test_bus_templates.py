"""EventBridge Pipes input templates: typed and embedded substitution, missing values, nested
structures, arrays, the reference app's record, no aliasing, and malformed placeholders."""

from __future__ import annotations

import copy
from datetime import date
from typing import Any

import pytest

from bedtales.bus.templates import compile_template
from bedtales.errors import ConfigError

WHERE = "pipe 'stories': input_template"

RECORD: dict[str, Any] = {
    "eventName": "INSERT",
    "keys": {"id": "s-1"},
    "newImage": {
        "id": "s-1",
        "title": "The Moon",
        "household": "casa",
        "characters": ["Eric", "Dave"],
        "words": 240,
        "ratio": 2.5,
        "published": True,
        "expires": None,
        "meta": {"lang": "en", "tags": ["sea"]},
        "scenes": [{"name": "forest"}, {"name": "sea"}],
        "name with spaces": "odd",
        "ünïcode": "ok",
    },
    "oldImage": None,
}


def render(template: object, record: dict[str, Any] = RECORD) -> Any:
    return compile_template(template, where=WHERE).render(record)


@pytest.mark.parametrize(
    ("placeholder", "expected"),
    [
        pytest.param("<$.newImage.id>", "s-1", id="string"),
        pytest.param("<$.newImage.characters>", ["Eric", "Dave"], id="list"),
        pytest.param("<$.newImage.words>", 240, id="int"),
        pytest.param("<$.newImage.ratio>", 2.5, id="float"),
        pytest.param("<$.newImage.published>", True, id="bool"),
        pytest.param("<$.newImage.expires>", None, id="null"),
        pytest.param("<$.newImage.meta>", {"lang": "en", "tags": ["sea"]}, id="object"),
        pytest.param("<$.newImage.characters[1]>", "Dave", id="index"),
        pytest.param("<$.newImage.scenes[1].name>", "sea", id="index-then-key"),
        pytest.param("<$.newImage.meta.tags[0]>", "sea", id="key-then-index"),
        pytest.param("<$['newImage']['name with spaces']>", "odd", id="quoted-single"),
        pytest.param('<$.newImage["name with spaces"]>', "odd", id="quoted-double"),
        pytest.param("<$.newImage.ünïcode>", "ok", id="unicode-key"),
        pytest.param("<$.keys>", {"id": "s-1"}, id="keys"),
        pytest.param("<$>", RECORD, id="whole-record"),
        pytest.param("<$.newImage.nothing>", None, id="missing-key"),
        pytest.param("<$.nothing.deeper>", None, id="missing-parent"),
        pytest.param("<$.oldImage.id>", None, id="under-null"),
        pytest.param("<$.newImage.characters[5]>", None, id="index-out-of-range"),
        pytest.param("<$.newImage.meta[0]>", None, id="index-into-object"),
        pytest.param("<$.newImage.characters.length>", None, id="key-into-list"),
        pytest.param("<$.newImage.title.x>", None, id="key-into-string"),
    ],
)
def test_whole_string_placeholder_keeps_the_json_type(placeholder: str, expected: Any) -> None:
    assert render({"value": placeholder}) == {"value": expected}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("Story <$.newImage.title>", "Story The Moon", id="string"),
        pytest.param(
            "Story <$.newImage.title> for <$.newImage.household>",
            "Story The Moon for casa",
            id="two",
        ),
        pytest.param("<$.newImage.id><$.newImage.household>", "s-1casa", id="adjacent"),
        pytest.param(" <$.newImage.id>", " s-1", id="leading-space-is-text"),
        pytest.param("words=<$.newImage.words>", "words=240", id="int"),
        pytest.param("ratio=<$.newImage.ratio>", "ratio=2.5", id="float"),
        pytest.param("cast=<$.newImage.characters>", 'cast=["Eric","Dave"]', id="list-as-json"),
        pytest.param("meta=<$.newImage.meta>", 'meta={"lang":"en","tags":["sea"]}', id="object"),
        pytest.param("on=<$.newImage.published>", "on=true", id="bool"),
        pytest.param("until=<$.newImage.expires>", "until=null", id="null"),
        pytest.param("[<$.newImage.nothing>]", "[]", id="missing-is-empty"),
        pytest.param("é <$.newImage.ünïcode>", "é ok", id="unicode"),
        pytest.param("<b><$.newImage.id></b>", "<b>s-1</b>", id="html-left-alone"),
    ],
)
def test_placeholder_inside_text_is_replaced_by_text(text: str, expected: str) -> None:
    assert render({"value": text}) == {"value": expected}


@pytest.mark.parametrize(
    "literal",
    [
        pytest.param("plain", id="string"),
        pytest.param("", id="empty-string"),
        pytest.param("<b>bold</b>", id="html"),
        pytest.param("$.newImage.id", id="path-without-brackets"),
        pytest.param("a > b < c", id="angle-brackets"),
        pytest.param("<>", id="empty-brackets"),
        pytest.param(42, id="int"),
        pytest.param(2.5, id="float"),
        pytest.param(False, id="bool"),
        pytest.param(None, id="null"),
        pytest.param([], id="empty-list"),
        pytest.param({}, id="empty-object"),
        pytest.param({"<$.newImage.id>": 1}, id="keys-are-literal"),
    ],
)
def test_literals_pass_through(literal: object) -> None:
    assert render(literal) == literal


def test_nested_structures_and_arrays_render_recursively() -> None:
    template = {
        "source": "bedtales.stories",
        "story": {
            "id": "<$.newImage.id>",
            "cast": ["<$.newImage.characters[0]>", "and", "<$.newImage.characters[1]>"],
            "about": {"line": "<$.newImage.title> (<$.newImage.words> words)", "n": 1},
        },
        "list": [["<$.keys.id>"], {"lang": "<$.newImage.meta.lang>"}, 3, None],
    }
    assert render(template) == {
        "source": "bedtales.stories",
        "story": {
            "id": "s-1",
            "cast": ["Eric", "and", "Dave"],
            "about": {"line": "The Moon (240 words)", "n": 1},
        },
        "list": [["s-1"], {"lang": "en"}, 3, None],
    }


def test_top_level_template_may_be_a_single_placeholder() -> None:
    assert render("<$.newImage.characters>") == ["Eric", "Dave"]


def test_reference_app_stream_record_becomes_the_event_detail() -> None:
    record = {
        "eventName": "INSERT",
        "keys": {"id": "b3c0e7b2"},
        "newImage": {
            "id": "b3c0e7b2",
            "title": "The Dragon Who Lost Its Roar",
            "characters": ["Eric", "Dave"],
            "scene": "a snowy mountain",
            "household": "casa",
        },
        "oldImage": None,
    }
    template = {
        "id": "<$.newImage.id>",
        "title": "<$.newImage.title>",
        "characters": "<$.newImage.characters>",
    }
    assert render(template, record) == {
        "id": "b3c0e7b2",
        "title": "The Dragon Who Lost Its Roar",
        "characters": ["Eric", "Dave"],
    }


def test_rendering_never_aliases_the_record() -> None:
    record = copy.deepcopy(RECORD)
    before = copy.deepcopy(record)
    compiled = compile_template(
        {"cast": "<$.newImage.characters>", "meta": "<$.newImage.meta>", "all": "<$>"},
        where=WHERE,
    )
    rendered = compiled.render(record)
    assert rendered["cast"] == record["newImage"]["characters"]
    assert rendered["cast"] is not record["newImage"]["characters"]
    assert rendered["meta"]["tags"] is not record["newImage"]["meta"]["tags"]
    assert rendered["all"]["newImage"]["characters"] is not record["newImage"]["characters"]
    rendered["cast"].append("Zed")
    rendered["meta"]["tags"].append("sky")
    rendered["all"]["newImage"]["scenes"][0]["name"] = "desert"
    assert record == before


def test_tuples_in_the_record_render_as_lists() -> None:
    assert render("<$.cast>", {"cast": ("Eric", ["Dave"])}) == ["Eric", ["Dave"]]


def test_each_render_builds_a_fresh_structure() -> None:
    compiled = compile_template({"fixed": [1, {"a": [2]}]}, where=WHERE)
    first, second = compiled.render(RECORD), compiled.render(RECORD)
    assert first == second
    assert first["fixed"] is not second["fixed"]
    assert first["fixed"][1]["a"] is not second["fixed"][1]["a"]


def test_compiled_template_does_not_follow_later_changes_to_its_source() -> None:
    source: dict[str, Any] = {"id": "<$.newImage.id>"}
    compiled = compile_template(source, where=WHERE)
    source["id"] = "changed"
    source["extra"] = 1
    assert compiled.render(RECORD) == {"id": "s-1"}


@pytest.mark.parametrize(
    ("template", "path", "bad"),
    [
        pytest.param({"id": "<$.>"}, ".id", "<$.>", id="empty-name"),
        pytest.param({"id": "<$..a>"}, ".id", "<$..a>", id="deep-scan"),
        pytest.param({"id": "<$.a[x]>"}, ".id", "<$.a[x]>", id="index-not-number"),
        pytest.param({"id": "<$.a.>"}, ".id", "<$.a.>", id="trailing-dot"),
        pytest.param({"id": "<$a>"}, ".id", "<$a>", id="no-dot"),
        pytest.param({"id": "<$.*>"}, ".id", "<$.*>", id="wildcard"),
        pytest.param({"id": "<$.a[-1]>"}, ".id", "<$.a[-1]>", id="negative-index"),
        pytest.param({"id": "<$.a[0:2]>"}, ".id", "<$.a[0:2]>", id="slice"),
        pytest.param({"id": "<$.a b>"}, ".id", "<$.a b>", id="space-in-name"),
        pytest.param({"id": "<$['a'>"}, ".id", "<$['a'>", id="unclosed-quote"),
        pytest.param({"id": "<$[a]>"}, ".id", "<$[a]>", id="unquoted-key"),
        pytest.param({"s": "Story <$.a..b> tonight"}, ".s", "<$.a..b>", id="embedded"),
        pytest.param({"s": "<$.a> and <$.>"}, ".s", "<$.>", id="second-of-two"),
        pytest.param({"s": "Story <$.a"}, ".s", "<$.a", id="unclosed"),
        pytest.param({"s": "<$.a <b>"}, ".s", "<$.a <b>", id="broken-by-angle"),
        pytest.param({"a": {"b": ["x", "<$.>"]}}, ".a.b[1]", "<$.>", id="nested-path"),
        pytest.param(["<$.ok>", "<$..no>"], "[1]", "<$..no>", id="top-level-list"),
        pytest.param("<$.>", "", "<$.>", id="top-level-string"),
    ],
)
def test_malformed_placeholder_is_refused_naming_where_and_placeholder(
    template: object, path: str, bad: str
) -> None:
    with pytest.raises(ConfigError) as caught:
        compile_template(template, where=WHERE)
    message = str(caught.value)
    assert message.startswith(f"{WHERE}{path}: "), message
    assert "placeholder" in message, message
    assert bad in message, message


@pytest.mark.parametrize(
    ("template", "path"),
    [
        pytest.param({"when": date(2024, 5, 1)}, ".when", id="date"),
        pytest.param({"set": {1, 2}}, ".set", id="set"),
        pytest.param({"t": ("a", "b")}, ".t", id="tuple"),
        pytest.param([object()], "[0]", id="object"),
        pytest.param({1: "x"}, "", id="non-string-key"),
    ],
)
def test_non_json_template_is_refused(template: object, path: str) -> None:
    with pytest.raises(ConfigError) as caught:
        compile_template(template, where=WHERE)
    assert str(caught.value).startswith(f"{WHERE}{path}: ")
