"""Shapes that several settings share: rolling land, trees, houses, fireflies, flowers.

Land is layered far to near, each layer darker and more saturated, as in a picture book
where distance is shown by soft, hazy colour rather than detail.
"""

from __future__ import annotations

import math
import random

from bedtales.engines.image.builtin.canvas import SIZE, Canvas, Point, oval
from bedtales.engines.image.builtin.color import RGB, alpha, mix, shade


def ridge(
    rng: random.Random, base: float, height: float, waves: int = 3, points: int = 48
) -> list[Point]:
    """A gentle skyline from left to right: a few sine waves of random phase added up."""
    phases = [rng.uniform(0, 2 * math.pi) for _ in range(waves)]
    line: list[Point] = []
    for i in range(points + 1):
        x = SIZE * i / points
        wave = sum(
            math.sin(x / SIZE * math.pi * (k + 1) * 1.3 + phase) / (k + 1)
            for k, phase in enumerate(phases)
        )
        line.append((x, base - height * wave / 1.6))
    return line


def land(canvas: Canvas, skyline: list[Point], color: RGB, rim: RGB | None = None) -> None:
    """Fill below a skyline to the bottom, with an optional moonlit rim along its top."""
    canvas.polygon([*skyline, (SIZE, SIZE), (0, SIZE)], color)
    if rim is not None:
        canvas.line(skyline, alpha(rim, 0.35), 2.5)


def hills(
    canvas: Canvas, rng: random.Random, base: float, height: float, color: RGB
) -> list[Point]:
    """A layer of rolling hills; returns its skyline so things can stand on it."""
    skyline = ridge(rng, base, height)
    land(canvas, skyline, color, rim=mix(color, (255, 246, 214), 0.35))
    return skyline


def height_at(skyline: list[Point], x: float) -> float:
    """The skyline's height at ``x`` (linear between its points)."""
    step = skyline[1][0] - skyline[0][0]
    i = min(len(skyline) - 2, max(0, int(x // step)))
    (x0, y0), (x1, y1) = skyline[i], skyline[i + 1]
    return y0 + (y1 - y0) * (x - x0) / (x1 - x0)


def pine(
    canvas: Canvas, x: float, base: float, height: float, color: RGB, snow: bool = False
) -> None:
    """A fir tree: a short trunk and three drooping tiers, lighter on the moon side."""
    canvas.rect(
        (x - height * 0.04, base - height * 0.12, x + height * 0.04, base), shade(color, 0.7)
    )
    tiers = 3
    for i in range(tiers):
        top = base - height * (1.0 - 0.24 * i)
        low = base - height * (0.1 + 0.27 * (tiers - 1 - i))
        half = height * (0.2 + 0.07 * i)
        body = [
            (x, top),
            (x + half, low),
            (x + half * 0.5, low - height * 0.03),
            (x, low + height * 0.02),
        ]
        body += [(x - half * 0.5, low - height * 0.03), (x - half, low)]
        canvas.polygon(body, color)
        canvas.polygon(
            [(x, top), (x + half, low), (x + half * 0.5, low - height * 0.03), (x, low)],
            alpha(shade(color, 1.18), 0.5),
        )
        if snow:
            canvas.polygon(
                [
                    (x, top),
                    (x + half * 0.45, top + (low - top) * 0.45),
                    (x, top + (low - top) * 0.35),
                    (x - half * 0.45, top + (low - top) * 0.45),
                ],
                (226, 234, 250),
            )


def round_tree(
    canvas: Canvas, rng: random.Random, x: float, base: float, height: float, color: RGB
) -> None:
    """A leafy tree: a trunk under a cloud of round leaf-clumps, highlit on top."""
    trunk = shade(mix(color, (110, 80, 70), 0.6), 0.8)
    canvas.polygon(
        [
            (x - height * 0.06, base),
            (x - height * 0.035, base - height * 0.55),
            (x + height * 0.035, base - height * 0.55),
            (x + height * 0.06, base),
        ],
        trunk,
    )
    crown_y = base - height * 0.66
    r = height * 0.34
    for _ in range(7):
        angle = rng.uniform(0, 2 * math.pi)
        cx, cy = x + r * 0.6 * math.cos(angle), crown_y + r * 0.4 * math.sin(angle)
        canvas.circle(cx, cy, r * rng.uniform(0.5, 0.7), color)
    canvas.circle(x, crown_y, r * 0.75, color)
    canvas.ellipse(
        x - r * 0.2, crown_y - r * 0.4, r * 0.5, r * 0.28, alpha(shade(color, 1.25), 0.45)
    )


def house(
    canvas: Canvas,
    rng: random.Random,
    x: float,
    base: float,
    width: float,
    height: float,
    wall: RGB,
    roof: RGB,
    light: RGB,
) -> None:
    """A little house with a pointed roof, a chimney and warm lit windows."""
    roof_h = width * 0.5
    canvas.rect(
        (
            x + width * 0.6,
            base - height - roof_h * 0.9,
            x + width * 0.75,
            base - height - roof_h * 0.2,
        ),
        shade(roof, 0.8),
    )
    canvas.rect((x, base - height, x + width, base), wall)
    canvas.polygon(
        [
            (x - width * 0.1, base - height),
            (x + width / 2, base - height - roof_h),
            (x + width * 1.1, base - height),
        ],
        roof,
    )
    window = width * 0.2
    for wx in (x + width * 0.18, x + width * 0.62):
        if rng.random() < 0.8:
            wy = base - height * 0.72
            canvas.glow(wx + window / 2, wy + window / 2, window * 1.8, light, 0.35)
            canvas.rect((wx, wy, wx + window, wy + window), light, radius=2)
            canvas.line(
                [(wx + window / 2, wy), (wx + window / 2, wy + window)],
                shade(wall, 0.7),
                1.5,
                round_ends=False,
            )
    canvas.rect(
        (x + width * 0.42, base - height * 0.42, x + width * 0.58, base), shade(wall, 0.6), radius=3
    )


def fireflies(
    canvas: Canvas, rng: random.Random, count: int, top: float, bottom: float, color: RGB
) -> None:
    """Little glowing specks drifting over the land."""
    for _ in range(count):
        x, y = rng.uniform(20, SIZE - 20), rng.uniform(top, bottom)
        canvas.glow(x, y, rng.uniform(10, 16), color, 0.55)
        canvas.circle(x, y, 2.2, mix(color, (255, 255, 255), 0.6))


def flower(canvas: Canvas, x: float, y: float, r: float, petal: RGB, stem: RGB) -> None:
    """A small five-petalled flower on a stem."""
    canvas.line([(x, y), (x + r * 0.3, y + r * 3)], stem, max(1.2, r * 0.35))
    for i in range(5):
        t = 2 * math.pi * i / 5
        canvas.circle(x + r * math.cos(t), y + r * math.sin(t), r * 0.75, petal)
    canvas.circle(x, y, r * 0.55, (255, 226, 120))


def grass_tufts(
    canvas: Canvas, rng: random.Random, count: int, top: float, bottom: float, color: RGB
) -> None:
    """Short blades of grass, a little lighter than the ground, to give it texture."""
    for _ in range(count):
        x, y = rng.uniform(0, SIZE), rng.uniform(top, bottom)
        for dx in (-3.5, 0.0, 3.5):
            canvas.line([(x + dx, y), (x + dx * 1.8, y - rng.uniform(6, 11))], color, 1.6)


def leaf(canvas: Canvas, x: float, y: float, length: float, angle: float, color: RGB) -> None:
    """A pointed leaf from its stalk at (x, y), pointing along ``angle`` degrees."""
    t = math.radians(angle)
    cx, cy = x + length / 2 * math.cos(t), y + length / 2 * math.sin(t)
    canvas.polygon(oval(cx, cy, length / 2, length * 0.2, angle, 24), color)
    canvas.line(
        [(x, y), (x + length * 0.9 * math.cos(t), y + length * 0.9 * math.sin(t))],
        shade(color, 0.75),
        1.4,
    )
