"""Reading a scene into its parts: the place, the time and weather, the things in it, the
clause that makes it special, and the phrase that says where a story is set (in the
message and the picture's alt text)."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import get_args

import pytest

from bedtales.domain import Story
from bedtales.media.local import LocalMediaStore
from bedtales.notify.messages import story_message
from bedtales.stories import scene_words
from bedtales.stories.scenes import (
    SETTINGS,
    Noun,
    Season,
    Time,
    Weather,
    read_scene,
    tidy,
)
from bedtales.stories.starter import STARTER_SCENES
from bedtales.web.pages import picture_alt

# scene: phrase, place, preposition, setting, indoors, time, season, weather, things, wonder,
# activity
STARTERS = {
    "a magical forest where the trees whisper goodnight": (
        "in a magical forest where the trees whisper goodnight",
        "magical forest", "in", "forest", False, None, None, None,
        ["trees"], "the trees whisper goodnight", None,
    ),
    "a sandy beach with rock pools at sunset": (
        "on a sandy beach with rock pools at sunset",
        "sandy beach", "on", "sea", False, "sunset", None, None,
        ["rock pools"], None, None,
    ),
    "a cosy cottage on a snowy hill": (
        "in a cosy cottage on a snowy hill",
        "cosy cottage", "in", "snow", True, None, "winter", "snow",
        ["snowy hill"], None, None,
    ),
    "a rocket trip to visit the friendly moon": (
        "on a rocket trip to visit the friendly moon",
        "rocket", "in", "space", False, None, None, None,
        ["friendly moon"], None, None,
    ),
    "a sleepy farm where the animals are saying goodnight": (
        "on a sleepy farm where the animals are saying goodnight",
        "sleepy farm", "on", "farm", False, None, None, None,
        ["animals"], "the animals are saying goodnight", None,
    ),
    "a castle in the clouds with a kind old king": (
        "in a castle in the clouds with a kind old king",
        "castle", "in", "castle", False, None, None, None,
        ["clouds", "kind old king"], None, None,
    ),
    "a garden full of glow-worms and sleepy flowers": (
        "in a garden full of glow-worms and sleepy flowers",
        "garden", "in", "garden", False, None, None, None,
        ["glow-worms", "sleepy flowers"], None, None,
    ),
    "a little boat drifting on a calm blue sea": (
        "in a little boat drifting on a calm blue sea",
        "little boat", "in", "sea", False, None, None, None,
        ["calm blue sea"], None, "drifting on a calm blue sea",
    ),
    "a meadow of wildflowers under the stars": (
        "in a meadow of wildflowers under the stars",
        "meadow", "in", "garden", False, "night", None, None,
        ["wildflowers", "stars"], None, None,
    ),
    "a treehouse high up in an old oak tree": (
        "in a treehouse high up in an old oak tree",
        "treehouse", "in", "forest", True, None, None, None,
        ["old oak tree"], None, None,
    ),
    "a snowy mountain where the wind hums softly": (
        "on a snowy mountain where the wind hums softly",
        "snowy mountain", "on", "mountains", False, None, None, "wind",
        [], "the wind hums softly", None,
    ),
    "a quiet town where the lamplighter lights the lamps": (
        "in a quiet town where the lamplighter lights the lamps",
        "quiet town", "in", "town", False, None, None, None,
        ["lamplighter", "lamps"], "the lamplighter lights the lamps", None,
    ),
    "a jungle where the parrots sing lullabies": (
        "in a jungle where the parrots sing lullabies",
        "jungle", "in", "jungle", False, None, None, None,
        ["parrots"], "the parrots sing lullabies", None,
    ),
    "a desert of soft golden dunes under a big round moon": (
        "in a desert of soft golden dunes under a big round moon",
        "desert", "in", "desert", False, "night", None, None,
        ["soft golden dunes", "big round moon"], None, None,
    ),
    "an underwater garden with gentle turtles": (
        "in an underwater garden with gentle turtles",
        "underwater garden", "in", "underwater", False, None, None, None,
        ["gentle turtles"], None, None,
    ),
    "a picnic by a bubbling river": (
        "at a picnic by a bubbling river",
        "picnic", "at", "river", False, None, None, None,
        ["bubbling river"], None, None,
    ),
    "a hot-air balloon ride over sleepy hills": (
        "on a hot-air balloon ride over sleepy hills",
        "hot-air balloon", "in", "sky", False, None, None, None,
        ["sleepy hills"], None, None,
    ),
    "a library where the books tell their own stories": (
        "in a library where the books tell their own stories",
        "library", "in", "home", True, None, None, None,
        ["books"], "the books tell their own stories", None,
    ),
    "a train journey through the countryside at dusk": (
        "on a train journey through the countryside at dusk",
        "train", "on", "farm", False, "dusk", None, None,
        ["countryside"], None, None,
    ),
    "building a snowman in the first snow of winter": (
        "building a snowman in the first snow of winter",
        "first snow", "in", "snow", False, None, "winter", "snow",
        ["snowman"], None, "building a snowman",
    ),
    "a lighthouse by the sea that guides the little boats home": (
        "at a lighthouse by the sea that guides the little boats home",
        "lighthouse", "at", "sea", False, None, None, None,
        ["sea", "little boats"], "the lighthouse guides the little boats home", None,
    ),
    "a field of fireflies on a warm summer night": (
        "in a field of fireflies on a warm summer night",
        "field", "in", "garden", False, "night", "summer", None,
        ["fireflies"], None, None,
    ),
    "a bakery where the bread is baked for the morning": (
        "in a bakery where the bread is baked for the morning",
        "bakery", "in", "home", True, None, None, None,
        ["bread"], "the bread is baked for the morning", None,
    ),
    "a pond where the ducks and frogs say goodnight": (
        "by a pond where the ducks and frogs say goodnight",
        "pond", "by", "river", False, None, None, None,
        ["ducks", "frogs"], "the ducks and frogs say goodnight", None,
    ),
}  # fmt: skip


def test_every_starter_scene_is_read() -> None:
    assert set(STARTERS) == set(STARTER_SCENES)


@pytest.mark.parametrize("scene", STARTER_SCENES)
def test_a_starter_scene_is_read_into_its_parts(scene: str) -> None:
    (phrase, place, preposition, setting, indoors, time, season, weather, things, wonder,
     activity) = STARTERS[scene]  # fmt: skip
    parts = read_scene(scene)
    assert parts.text == scene
    assert parts.phrase() == phrase
    assert parts.place is not None
    assert parts.place.words == place
    assert parts.preposition == preposition
    assert parts.setting == setting
    assert parts.indoors is indoors
    assert (parts.time, parts.season, parts.weather) == (time, season, weather)
    assert [thing.words for thing in parts.things] == things
    assert parts.wonder == wonder
    assert parts.activity == activity


@pytest.mark.parametrize("scene", STARTER_SCENES)
def test_a_starter_scene_appears_once_in_its_phrase(scene: str) -> None:
    phrase = read_scene(scene).phrase()
    assert phrase.count(scene) == 1
    assert phrase.endswith(scene)


def test_the_parts_read_well_after_the_and_a() -> None:
    beach = read_scene("a sandy beach with rock pools at sunset")
    assert beach.place is not None
    assert (beach.place.the, beach.place.a, beach.place.was) == (
        "the sandy beach",
        "a sandy beach",
        "was",
    )
    [pools] = beach.things
    assert (pools.plural, pools.the, pools.a, pools.was, pools.is_) == (
        True,
        "the rock pools",
        "some rock pools",
        "were",
        "are",
    )
    [bread] = read_scene("a bakery where the bread is baked for the morning").things
    assert (bread.mass, bread.plural, bread.a, bread.was) == (True, False, "some bread", "was")
    train = read_scene("a train journey through the countryside at dusk")
    assert [t.a for t in train.things] == ["the countryside"]
    assert train.where == "on the train"
    tree = read_scene("a treehouse high up in an old oak tree")
    assert [t.a for t in tree.things] == ["an old oak tree"]


@pytest.mark.parametrize(
    ("words", "a"),
    [
        ("old oak tree", "an old oak tree"),
        ("unicorn", "a unicorn"),
        ("hour", "an hour"),
        ("honest fox", "an honest fox"),
        ("one-eyed pirate", "a one-eyed pirate"),
        ("umbrella", "an umbrella"),
        ("useful map", "a useful map"),
        ("European robin", "a European robin"),
        ("igloo", "an igloo"),
        ("hill", "a hill"),
    ],
)
def test_a_or_an_follows_the_sound(words: str, a: str) -> None:
    assert Noun(words).a == a


def test_names_keep_their_capitals_and_take_no_article() -> None:
    assert Noun("Mars", proper=True).a == Noun("Mars", proper=True).the == "Mars"
    paris = read_scene("Paris at night")
    assert paris.place == Noun("Paris", proper=True)
    assert (paris.time, paris.setting, paris.phrase()) == ("night", "town", "in Paris at night")
    assert read_scene("PARIS AT NIGHT").text == "Paris at night"
    wood = read_scene("the Hundred Acre Wood")
    assert wood.place is not None
    assert (wood.place.the, wood.place.a) == ("the Hundred Acre Wood", "the Hundred Acre Wood")
    house = read_scene("Grandma's house")
    assert house.place is not None
    assert (house.place.the, house.indoors, house.phrase()) == (
        "Grandma's house",
        True,
        "in Grandma's house",
    )
    picnic = read_scene("a picnic with Grandma")
    assert [t.the for t in picnic.things] == ["Grandma"]


def test_common_capitals_are_lowered() -> None:
    forest = read_scene("The Forest")
    assert forest.text == "the forest"
    assert forest.place == Noun("forest")
    shout = read_scene("A MAGICAL FOREST WHERE THE TREES WHISPER GOODNIGHT")
    assert shout.text == "a magical forest where the trees whisper goodnight"
    assert shout.wonder == "the trees whisper goodnight"
    assert read_scene("Playing Football In The Park").text == "playing football in the park"
    assert tidy('  "a quiet pond."  ') == "a quiet pond"


@pytest.mark.parametrize(
    ("scene", "phrase"),
    [
        ("Playing football in the park", "playing football in the park"),
        ("on a pirate ship sailing the seas", "on a pirate ship sailing the seas"),
        ("farm animals", "with farm animals"),
        ("dinosaurs", "with dinosaurs"),
        ("to the moon", "on the way to the moon"),
        ("Paris at night", "in Paris at night"),
        ("space", "in space"),
        ("snow", "in the snow"),
        ("Birthday party", "at a birthday party"),
        ("Space adventure", "on a space adventure"),
        ("Christmas Eve", "on Christmas Eve"),
        ("Narnia", "in Narnia"),
        ("home", "at home"),
        ("the bottom of the garden", "at the bottom of the garden"),
        ("the seaside on a windy day", "at the seaside on a windy day"),
        ("kindness", "in a world of kindness"),
        ("a unicorn", "with a unicorn"),
        ("a dragon who lost its roar", "with a dragon who lost its roar"),
        ("a warm summer night in the forest", "on a warm summer night in the forest"),
        ("under the sea", "under the sea"),
        ("the moon is made of cheese", "where the moon is made of cheese"),
        ("where the wild things are", "where the wild things are"),
        ("after playing football in the garden", "after playing football in the garden"),
        ("", "in a land of gentle dreams"),
    ],
)
def test_the_phrase_frames_each_kind_of_scene(scene: str, phrase: str) -> None:
    assert read_scene(scene).phrase() == phrase


def test_scenes_of_other_shapes() -> None:
    bakery = read_scene("a bakery after closing time where the dough will not stop rising")
    assert bakery.place == Noun("bakery")
    assert (bakery.setting, bakery.indoors, bakery.time) == ("home", True, "night")
    assert bakery.things == (Noun("dough", mass=True),)
    assert bakery.wonder == "the dough will not stop rising"
    assert bakery.activity is None
    football = read_scene("Playing football in the park")
    assert (football.shape, football.activity, football.setting) == (
        "doing",
        "playing football",
        "garden",
    )
    assert football.place == Noun("park")
    ship = read_scene("on a pirate ship sailing the seas")
    assert (ship.shape, ship.preposition, ship.activity) == ("where", "on", "sailing the seas")
    assert ship.place == Noun("pirate ship")
    animals = read_scene("farm animals")
    assert (animals.shape, animals.place, animals.setting) == ("topic", None, "farm")
    moon = read_scene("to the moon")
    assert (moon.shape, moon.place, moon.setting) == ("whereto", Noun("moon"), "space")
    sea = read_scene("under the sea")
    assert (sea.setting, sea.preposition) == ("underwater", "under")
    boat = read_scene("a boat carrying lanterns down the river")
    assert boat.setting == "river"  # a boat defers to the water it is on
    garden = read_scene("a garden full of flowers that glow at night")
    assert garden.wonder == "the flowers glow at night"  # "glow": the flowers, not the garden
    dragon = read_scene("a castle with a dragon that breathes bubbles")
    assert dragon.wonder == "the dragon breathes bubbles"


# ----------------------------------------------------------------------------- odd scenes

ODD = [
    "",
    "   ",
    "!!!",
    "...",
    "'",
    '""',
    "?!?! ,,, ;;",
    "a" * 300,
    ("a magical forest where the trees whisper goodnight and " * 6)[:300],
    "A MAGICAL FOREST WHERE THE TREES WHISPER GOODNIGHT",
    "THE MOON",
    "🌙✨",
    "a forest 🌲 with owls 🦉",
    "Milo and Luna's secret den",
    "Grandma",
    '<script>alert("hi")</script>',
    "a <b>castle</b> where \"quotes\" & 'apostrophes' live",
    "un bosque mágico donde los árboles cantan",
    "la forêt enchantée où les arbres chantent",
    "ein Zauberwald voller Glühwürmchen",
    "雪の森",
    "лес, где деревья шепчут",
    "in in in on on the the",
    "the the the",
    "where",
    "that that that",
    "a of the and",
    "and then",
    "building",
    "sailing sailing sailing",
    "1 2 3 4",
    "3 little pigs",
    "a\nmulti\tline\rscene",
    "a scene with \u202ebidi\u202c marks and \u200b zero widths",
    "—",
    "a -- b",
    "a forest, a beach; a moon: a star!",
    "(a castle) [in] {braces}",
    "O'Brien's farm",
    "rock 'n' roll island",
    "I love the sea",
    "where the wild things are",
]
_PIECES = [
    piece
    for pieces in (
        "a an the some my every two lots of magical snowy sleepy little big old kind friendly",
        "forest beach moon castle farm rock pools dough bread trees owls king dragon Mars Paris",
        "Grandma Milo in on at by under with of to through over where that who which when and",
        "whisper sings is are will not stop rising building sailing drifting softly home at",
        "night dusk sunset winter summer snow rain wind fog , . ! ? ; - ' \" 🌙 <b> </b> &",
        "é ü 森 ünïcödé",
    )
    for piece in pieces.split()
]


def _generated(count: int) -> list[str]:
    rng = random.Random(11)
    scenes = []
    for _ in range(count):
        words = [rng.choice(_PIECES) for _ in range(rng.randint(1, 14))]
        scene = " ".join(words)
        if rng.random() < 0.2:
            scene = scene.upper()
        elif rng.random() < 0.2:
            scene = scene.title()
        scenes.append(scene)
    return scenes


_FRAME_WORDS = scene_words.PREPOSITIONS | {"a", "an", "the", "way", "world", "where"}
_BAD_FIRST = scene_words.DETERMINERS
_BAD_LAST = scene_words.DETERMINERS | scene_words.PREPOSITIONS | scene_words.CONJUNCTIONS


def _assert_clean(noun: Noun) -> None:
    words = noun.words.split(" ")
    assert noun.words.strip() == noun.words
    assert all(words), noun
    assert not any(ch in noun.words for ch in '<>"\n'), noun
    assert not any(word in scene_words.DETERMINERS for word in words), noun
    assert words[0] not in _BAD_FIRST, noun
    assert words[-1].lower() not in _BAD_LAST, noun
    assert not (noun.plural and noun.mass), noun
    assert noun.the.endswith(noun.words)
    assert noun.a.endswith(noun.words)


@pytest.mark.parametrize("scene", ODD + list(STARTER_SCENES) + _generated(600))
def test_any_scene_reads_into_clean_parts(scene: str) -> None:
    parts = read_scene(scene)
    assert parts.text
    assert "\n" not in parts.text
    assert parts.text == parts.text.strip()
    assert parts.text[-1] not in ".,;:!?"
    assert parts.setting in SETTINGS
    assert parts.time in (None, *get_args(Time))
    assert parts.season in (None, *get_args(Season))
    assert parts.weather in (None, *get_args(Weather))
    assert parts.preposition in scene_words.PREPOSITIONS
    assert len(parts.things) <= 5
    for noun in (parts.place, *parts.things):
        if noun is not None:
            _assert_clean(noun)
    assert parts.place not in parts.things
    for clause in (parts.wonder, parts.activity):
        assert clause is None or (clause and clause == clause.strip() and "\n" not in clause)
    if parts.activity is not None:
        assert parts.activity.split()[0].lower().endswith("ing")
    assert parts.phrase() == f"{parts.frame} {parts.text}".strip()
    assert set(parts.frame.split()) <= _FRAME_WORDS
    assert not parts.indoors or parts.place is not None


def test_reading_is_cached_and_never_raises_on_long_text() -> None:
    scene = "a magical forest where the trees whisper goodnight"
    assert read_scene(scene) is read_scene(scene)
    assert read_scene("x" * 5000).phrase().endswith("x" * 5000)


# ----------------------------------------------------------------------------- message, alt


def test_the_picture_alt_reads_the_scene() -> None:
    assert (
        picture_alt(["Milo", "Luna"], "a picnic by a bubbling river")
        == "A picture of Milo and Luna at a picnic by a bubbling river"
    )
    assert (
        picture_alt(["Milo"], "building a snowman in the first snow of winter")
        == "A picture of Milo building a snowman in the first snow of winter"
    )
    assert (
        picture_alt(["Milo", "Luna"], "farm animals")
        == "A picture of Milo and Luna with farm animals"
    )


def _story(scene: str, characters: tuple[str, ...] = ("Milo", "Luna")) -> Story:
    now = datetime(2026, 1, 5, 19, 0, tzinfo=UTC)
    return Story(
        id="0d8f3a52-5b7e-4c1a-9d0e-2f6b8a4c1e77",
        household="home",
        title="The Bubbling River",
        description="Line one\nLine two",
        scene=scene,
        characters=characters,
        prompt="",
        engine="builtin",
        engine_note=None,
        seed=1,
        word_count=4,
        created_at=now,
        expires_at=now + timedelta(days=2),
    )


def test_the_message_reads_the_scene_naturally(tmp_path: Path) -> None:
    store = LocalMediaStore(tmp_path, link_secret=b"s" * 32)
    message = story_message(_story("a picnic by a bubbling river"), store, "http://x")
    sentence = "A story about Milo and Luna at a picnic by a bubbling river."
    assert sentence in message.text
    assert sentence in message.html
    assert "set in" not in message.text
    snowy = story_message(_story("a snowy mountain where the wind hums softly"), store, "http://x")
    assert "A story about Milo and Luna on a snowy mountain where the wind hums softly." in (
        snowy.text
    )


def test_the_message_escapes_the_scene_in_html_only(tmp_path: Path) -> None:
    store = LocalMediaStore(tmp_path, link_secret=b"s" * 32)
    scene = "a <b>castle</b> where \"quotes\" & 'apostrophes'\nlive"
    message = story_message(_story(scene), store, "http://x")
    assert (
        "A story about Milo and Luna in a <b>castle</b> where \"quotes\" & 'apostrophes' live."
        in message.text
    )
    assert "<b>" not in message.html
    assert (
        "in a &lt;b&gt;castle&lt;/b&gt; where &#34;quotes&#34; &amp; &#39;apostrophes&#39; live."
        in message.html
    )
