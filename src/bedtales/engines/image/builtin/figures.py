"""The characters: where each stands, and each drawn from the look its name gives it.

Up to four stand in one row; five to eight in two staggered rows, the back row a little
smaller and higher; more than :data:`MOST` are not drawn, so the picture stays readable
(the story still names them all).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from bedtales.engines.image.builtin.body import Body, shadow
from bedtales.engines.image.builtin.canvas import SIZE, Canvas
from bedtales.engines.image.builtin.creatures import KINDS
from bedtales.engines.image.builtin.extras import hat, held, neck
from bedtales.engines.image.builtin.looks import look_for

MOST = 12  # at most this many characters are drawn
ROW_HEIGHTS = {1: 300.0, 2: 270.0, 3: 240.0, 4: 212.0}
USABLE = SIZE - 120  # the width the characters spread over, margins kept clear


@dataclass(frozen=True)
class Spot:
    x: float  # between the feet
    y: float  # where the feet touch the ground
    height: float


def spots(count: int) -> list[Spot]:
    """Where ``count`` characters stand, back row first so the front row overlaps it."""
    count = min(count, MOST)
    if count <= 4:
        height = ROW_HEIGHTS.get(count, 212.0)
        return _row(count, 920, height, min(height * 1.05, USABLE / max(count, 1)), 0)
    back = count // 2
    front = count - back
    height = min(212.0, USABLE / front / 1.02)
    step = min(height * 1.05, USABLE / front)
    # Rows of equal length are set a quarter-step apart, each way, so no one hides anyone.
    shift = 0.25 if back == front else 0.0
    return _row(back, 858, height * 0.86, step, shift) + _row(front, 962, height, step, -shift)


def _row(count: int, y: float, height: float, step: float, shift: float) -> list[Spot]:
    """``count`` spots ``step`` apart, centred, then moved ``shift`` steps to the right."""
    first = SIZE / 2 - step * (count - 1) / 2 + step * shift
    return [Spot(first + i * step, y, height) for i in range(count)]


def paint_characters(canvas: Canvas, names: Sequence[str]) -> None:
    """Every character (up to :data:`MOST`) in its spot, in the order they are named."""
    for name, spot in zip(names, spots(len(names)), strict=False):
        paint_character(canvas, name, spot)


def paint_character(canvas: Canvas, name: str, spot: Spot) -> None:
    look = look_for(name)
    body = Body(canvas, spot.x, spot.y, spot.height / 100, look)
    shadow(body)
    anchors = KINDS[look.kind](body)
    neck(body, anchors)
    hat(body, anchors)
    held(body)
