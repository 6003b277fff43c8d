"""What every painter of a setting is handed: the canvas, the story's dice, the colours.

The picture's layout is fixed so the parts fit together: the title sits in the top band,
the moon and stars in the sky beneath it, the setting's land rises from about
:data:`HORIZON`, and the characters stand on the near ground, below :data:`GROUND`, which
every setting keeps open and fairly flat for them.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from bedtales.engines.image.builtin.canvas import Canvas
from bedtales.engines.image.builtin.color import RGB
from bedtales.engines.image.builtin.places import Palette

HORIZON = 600.0  # where distant land meets the sky
GROUND = 800.0  # the top of the near ground, where the characters stand


@dataclass(frozen=True)
class Moon:
    x: float
    y: float
    r: float


@dataclass(frozen=True)
class Stage:
    canvas: Canvas
    rng: random.Random
    palette: Palette
    sky: tuple[RGB, RGB, RGB]  # the sky's colours as painted: top, middle, horizon
    moon: Moon
