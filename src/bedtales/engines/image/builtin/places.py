"""Which setting a scene calls for, and the night colours each setting is painted in.

The setting is the one the story writer reads from the scene
(:func:`bedtales.stories.scenes.read_scene`), so the picture shows the place the story tells
of: a scene the story calls "the forest" is painted as woods. Settings without a painter of
their own borrow a neighbour's (a river is painted as a garden, a town as a city); anything
else falls back to :data:`DEFAULT`, gentle hills with a cottage.
"""

from __future__ import annotations

from dataclasses import dataclass

from bedtales.engines.image.builtin.color import RGB
from bedtales.stories.scenes import read_scene


@dataclass(frozen=True)
class Palette:
    """A setting's night colours, sky from top to horizon, land from far to near."""

    sky: tuple[RGB, RGB, RGB]
    far: RGB
    mid: RGB
    near: RGB
    light: RGB = (255, 214, 130)  # windows, lanterns, fireflies


PALETTES: dict[str, Palette] = {
    "forest": Palette(
        ((10, 16, 48), (30, 42, 98), (88, 92, 156)), (48, 70, 112), (32, 60, 84), (42, 84, 76)
    ),
    "sea": Palette(
        ((10, 18, 56), (28, 50, 112), (96, 112, 172)), (34, 60, 118), (28, 52, 104), (120, 112, 150)
    ),
    "castle": Palette(
        ((18, 14, 54), (54, 40, 112), (150, 104, 168)), (62, 58, 112), (44, 62, 98), (50, 84, 86)
    ),
    "space": Palette(
        ((6, 6, 26), (20, 16, 58), (48, 30, 92)), (92, 80, 140), (118, 104, 160), (130, 116, 170)
    ),
    "mountains": Palette(
        ((12, 22, 60), (38, 58, 120), (108, 128, 184)), (74, 88, 146), (52, 70, 118), (46, 82, 88)
    ),
    "snow": Palette(
        ((8, 22, 58), (26, 60, 108), (78, 128, 164)),
        (150, 170, 214),
        (180, 196, 232),
        (206, 218, 244),
    ),
    "garden": Palette(
        ((16, 22, 62), (44, 50, 116), (124, 104, 164)), (46, 72, 104), (40, 80, 88), (54, 100, 82)
    ),
    "farm": Palette(
        ((14, 22, 60), (42, 52, 114), (132, 108, 160)), (50, 76, 104), (44, 84, 86), (60, 102, 80)
    ),
    "city": Palette(
        ((14, 18, 50), (40, 40, 100), (126, 92, 152)), (54, 52, 100), (68, 62, 112), (78, 74, 110)
    ),
    "jungle": Palette(
        ((8, 24, 50), (20, 58, 84), (64, 116, 124)), (30, 80, 84), (24, 72, 64), (36, 88, 66)
    ),
    "desert": Palette(
        ((14, 16, 54), (62, 46, 114), (186, 116, 146)),
        (132, 92, 128),
        (164, 112, 128),
        (196, 146, 136),
    ),
    "default": Palette(
        ((14, 20, 58), (40, 48, 112), (120, 106, 166)), (52, 74, 112), (46, 86, 94), (56, 100, 86)
    ),
}

DEFAULT = "default"
SETTINGS: tuple[str, ...] = tuple(PALETTES)
# The story's settings this engine paints as another one.
_PAINTED_AS = {"town": "city", "river": "garden", "underwater": "sea", "sky": "mountains"}


def setting_for(scene: str) -> str:
    """The setting to paint for a scene: "forest", "sea", … or :data:`DEFAULT`.

    >>> setting_for("a moonlit pine forest where owls hoot softly")
    'forest'
    """
    setting: str = read_scene(scene).setting
    key = _PAINTED_AS.get(setting, setting)
    return key if key in PALETTES else DEFAULT
