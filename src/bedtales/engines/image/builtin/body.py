"""A figure's body, drawn in its own units: 100 units from its feet to the top of its head.

:class:`Body` turns a figure's own coordinates into picture units (x to the right, y up
being negative, 0 at the feet), so creature code reads as "an ear at (18, -84)". Every
creature shares the round-headed, round-bodied build of picture-book animals, with a soft
darker outline, rosy cheeks and a small smile.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from bedtales.engines.image.builtin.canvas import Canvas, Ink, Point, oval
from bedtales.engines.image.builtin.color import RGB, alpha, mix, shade
from bedtales.engines.image.builtin.looks import Look

EYE: RGB = (44, 36, 56)
CHEEK: RGB = (246, 140, 150)
PINK: RGB = (246, 178, 196)
HEAD_Y = -66.0  # the centre of a standard head


@dataclass(frozen=True)
class Body:
    canvas: Canvas
    x: float  # the point between the feet, in picture units
    y: float
    u: float  # picture units per body unit (the figure's height / 100)
    look: Look

    @property
    def ink(self) -> RGB:
        """The outline colour: a deep shade of the coat."""
        return shade(mix(self.look.coat, (60, 40, 90), 0.25), 0.5)

    @property
    def light(self) -> RGB:
        """A paler coat for bellies and muzzles."""
        return mix(self.look.coat, (255, 250, 240), 0.6)

    def at(self, dx: float, dy: float) -> Point:
        return (self.x + dx * self.u, self.y + dy * self.u)

    def points(self, spec: Sequence[Point]) -> list[Point]:
        return [self.at(dx, dy) for dx, dy in spec]

    def width(self, units: float = 1.4) -> float:
        return max(1.0, units * self.u)

    def oval(
        self,
        dx: float,
        dy: float,
        rx: float,
        ry: float,
        fill: Ink,
        angle: float = 0,
        line: bool = True,
    ) -> None:
        """An ellipse, outlined unless ``line`` is False, turned by ``angle`` degrees."""
        cx, cy = self.at(dx, dy)
        outline = self.ink if line else None
        if angle:
            shape = oval(cx, cy, rx * self.u, ry * self.u, angle, 40)
            self.canvas.polygon(shape, fill, outline, self.width())
        else:
            self.canvas.ellipse(cx, cy, rx * self.u, ry * self.u, fill, outline, self.width())

    def shape(self, spec: Sequence[Point], fill: Ink, line: bool = True) -> None:
        self.canvas.polygon(self.points(spec), fill, self.ink if line else None, self.width())

    def stroke(self, spec: Sequence[Point], fill: Ink, units: float = 1.4) -> None:
        self.canvas.line(self.points(spec), fill, self.width(units))

    def arc(
        self,
        dx: float,
        dy: float,
        rx: float,
        ry: float,
        start: float,
        end: float,
        fill: Ink,
        units: float = 1.2,
    ) -> None:
        cx, cy = self.at(dx, dy)
        self.canvas.arc(cx, cy, rx * self.u, ry * self.u, start, end, fill, self.width(units))


def shadow(body: Body) -> None:
    """The soft shadow a figure casts on the ground."""
    x, y = body.at(0, 0)
    body.canvas.ellipse(x, y, 30 * body.u, 6 * body.u, alpha((10, 10, 30), 0.28))


def standard_body(body: Body, coat: RGB | None = None) -> None:
    """Feet, a round body with a paler tummy, and two little arms."""
    coat = coat or body.look.coat
    for side in (-1, 1):
        body.oval(side * 9, -4, 8, 5, coat)
    body.oval(0, -27, 19, 23, coat)
    for side in (-1, 1):
        body.oval(side * 18, -31, 5.5, 11, coat, angle=-side * 28)


def tummy(body: Body) -> None:
    body.oval(0, -23, 11, 13, body.light, line=False)


def head(
    body: Body, rx: float = 25, ry: float = 22, dy: float = HEAD_Y, coat: RGB | None = None
) -> None:
    body.oval(0, dy, rx, ry, coat or body.look.coat)
    # a soft highlight where the moonlight falls
    body.oval(-8, dy - ry * 0.55, rx * 0.35, ry * 0.18, alpha((255, 255, 255), 0.22), line=False)


def eyes(body: Body, dy: float = HEAD_Y + 1, apart: float = 9, size: float = 1.0) -> None:
    """Bright round eyes with a sparkle, or happy closed sleepy ones."""
    for side in (-1, 1):
        ex = side * apart
        if body.look.sleepy:
            body.arc(ex, dy - 1, 3.6 * size, 2.6 * size, 20, 160, EYE, 1.3 * size)
        else:
            body.oval(ex, dy, 2.9 * size, 3.6 * size, EYE, line=False)
            body.oval(
                ex - 0.9 * size,
                dy - 1.3 * size,
                1.1 * size,
                1.1 * size,
                (255, 255, 255),
                line=False,
            )


def cheeks(body: Body, dy: float = HEAD_Y + 8, apart: float = 15) -> None:
    for side in (-1, 1):
        body.oval(side * apart, dy, 4.6, 3.0, alpha(CHEEK, 0.55), line=False)


def smile(body: Body, dy: float = HEAD_Y + 8, wide: float = 3.6) -> None:
    body.arc(0, dy - 1.5, wide, 2.6, 25, 155, EYE, 1.1)
