"""The builtin illustrator: a night-time picture of the story's setting, cast and title."""

from __future__ import annotations

import io
from functools import cache
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from bedtales.config import load_settings
from bedtales.engines.image import Picture, PictureRequest, engines
from bedtales.engines.image.builtin import (
    DEFAULT,
    SETTINGS,
    BuiltinIllustrator,
    look_for,
    setting_for,
)

TITLE = "Milo and Luna and the Silver Owl"
SCENE = "a moonlit pine forest where owls hoot softly"

# A scene a parent might write for each setting the illustrator paints.
SCENES = {
    "forest": "a moonlit pine forest where owls hoot softly",
    "sea": "a sandy beach by the sea",
    "castle": "a castle with a kind old king",
    "space": "a rocket ride to the planets",
    "mountains": "climbing the tall mountains",
    "snow": "a snowy night with sleds",
    "garden": "a garden full of flowers",
    "farm": "a farm with a big red barn",
    "city": "a quiet town at night",
    "jungle": "a jungle full of parrots",
    "desert": "riding camels across the desert dunes",
    "default": "a tea party with teddy bears",
}


@cache
def illustrate(
    story_id: str = "story-1",
    title: str = TITLE,
    scene: str = SCENE,
    characters: tuple[str, ...] = ("Milo", "Luna"),
) -> Picture:
    return BuiltinIllustrator().illustrate(PictureRequest(story_id, title, scene, characters))


def pixels(data: bytes) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(data)).convert("RGB"), dtype=np.int16)


def changed(a: Picture, b: Picture, top: int = 0, bottom: int = 1024) -> float:
    """The share of pixels between rows ``top`` and ``bottom`` that differ noticeably."""
    diff = np.abs(pixels(a.data)[top:bottom] - pixels(b.data)[top:bottom]).sum(axis=2)
    return float((diff > 24).mean())


def test_paints_a_1024_png_with_a_256_thumbnail() -> None:
    picture = illustrate()
    assert (picture.mime, picture.engine) == ("image/png", "builtin")
    assert (picture.width, picture.height) == (1024, 1024)
    image = Image.open(io.BytesIO(picture.data))
    assert (image.format, image.size, image.mode) == ("PNG", (1024, 1024), "RGB")
    thumbnail = Image.open(io.BytesIO(picture.thumbnail))
    assert (thumbnail.format, thumbnail.size) == ("PNG", (256, 256))


def test_the_same_story_gives_the_same_bytes() -> None:
    request = PictureRequest("story-1", TITLE, SCENE, ("Milo", "Luna"))
    first, second = (
        BuiltinIllustrator().illustrate(request),
        BuiltinIllustrator().illustrate(request),
    )
    assert first.data == second.data
    assert first.thumbnail == second.thumbnail


def test_different_stories_get_different_skies() -> None:
    one, other = illustrate("story-1"), illustrate("story-2")
    assert one.data != other.data
    # stars, moon and clouds move: a good part of the sky changes, not a few pixels
    assert changed(one, other, top=220, bottom=560) > 0.02


@pytest.mark.parametrize(("setting", "scene"), SCENES.items())
def test_the_setting_is_read_from_the_scene(setting: str, scene: str) -> None:
    assert setting_for(scene) == setting


@pytest.mark.parametrize("scene", ["", "a tea party with teddy bears", "Grandma's kitchen", "🦄✨"])
def test_scenes_with_no_known_place_get_the_default(scene: str) -> None:
    assert setting_for(scene) == DEFAULT


def test_every_setting_has_a_scene_here() -> None:
    assert set(SCENES) == set(SETTINGS)


def test_each_setting_looks_different() -> None:
    pictures = {key: illustrate(scene=scene) for key, scene in SCENES.items()}
    keys = sorted(pictures)
    for i, one in enumerate(keys):
        for other in keys[i + 1 :]:
            # the land (below the sky, around the characters) is painted differently
            assert changed(pictures[one], pictures[other], top=560, bottom=1024) > 0.1, (one, other)


def test_characters_appear_on_the_ground() -> None:
    empty = illustrate(characters=())
    milo = illustrate(characters=("Milo",))
    both = illustrate(characters=("Milo", "Luna"))
    assert changed(empty, milo, top=600) > 0.03
    assert changed(milo, both, top=600) > 0.03


def test_a_name_always_gives_the_same_look() -> None:
    assert look_for("Milo") == look_for("Milo")
    assert look_for("Milo") == look_for("  milo ")
    assert look_for("Milo") != look_for("Luna")


def test_names_give_many_different_looks() -> None:
    names = ["Milo", "Luna", "Ava", "Theo", "Zoë", "Sam", "Nora", "Oliver", "Ivy", "Leo"]
    names += ["Maya", "Finn", "Grandpa", "Rex", "Pip", "Rosa", "Kai", "Mei", "Omar", "Elsa"]
    looks = {look_for(name) for name in names}
    assert len(looks) == len(names)
    assert len({look.kind for look in looks}) >= 6


@pytest.mark.parametrize("count", [4, 8, 20])
def test_many_characters_still_make_a_picture(count: int) -> None:
    names = tuple(f"Friend {i}" for i in range(count))
    picture = illustrate(characters=names)
    assert Image.open(io.BytesIO(picture.data)).size == (1024, 1024)
    assert changed(illustrate(characters=()), picture, top=600) > 0.1


@pytest.mark.parametrize(
    "title",
    [
        "",
        "   ",
        "The Very Long and Winding Tale of " + "Milo the Brave and Sleepy Little Fox " * 12,
        "Supercalifragilisticexpialidocious" * 4,
        'Zoë, Лиза and 小明 find the “Sleepy” <script>alert("hi")</script> moon 🌙',
        "שָׁלוֹם and مرحبا at bedtime",
        "Tabs\tand\nnew\r\nlines\x00and a NUL",
    ],
)
def test_any_title_is_lettered_without_error(title: str) -> None:
    picture = illustrate(title=title)
    assert Image.open(io.BytesIO(picture.data)).size == (1024, 1024)


def test_the_title_is_lettered_at_the_top() -> None:
    titled, untitled = illustrate(), illustrate(title="")
    assert changed(titled, untitled, top=0, bottom=200) > 0.2
    retitled = illustrate(title="Ava and the Dancing Fireflies")
    assert changed(titled, retitled, top=0, bottom=200) > 0.02


def test_the_engine_is_found_through_the_registry(tmp_path: Path) -> None:
    settings = load_settings(tmp_path)
    assert "builtin" in engines.names()
    engine = engines.create("builtin", settings)
    assert isinstance(engine, BuiltinIllustrator)
    assert engine.name == "builtin"
    picture = engine.illustrate(PictureRequest("story-1", TITLE, SCENE, ("Milo",)))
    assert picture.engine == "builtin"
