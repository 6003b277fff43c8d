"""The night sky: a deep gradient, a scatter of stars, the moon in some phase, soft clouds.

Everything here is chosen by the story's random generator, so each story has its own star
field, moon phase and moon position, while the same story always gets the same sky.
"""

from __future__ import annotations

import math
import random

from PIL import Image, ImageDraw, ImageFilter

from bedtales.engines.image.builtin.canvas import SIZE, Canvas, Point, star_points
from bedtales.engines.image.builtin.color import RGB, alpha, mix, shade, tint
from bedtales.engines.image.builtin.places import Palette

MOONLIGHT: RGB = (255, 246, 214)
STAR_COLOURS: tuple[RGB, ...] = ((255, 255, 255), (255, 244, 204), (214, 228, 255))


def paint_gradient(canvas: Canvas, rng: random.Random, palette: Palette) -> tuple[RGB, RGB, RGB]:
    """Fill the whole canvas with the sky; returns the (slightly varied) sky colours used."""
    top, middle, horizon = (tint(c, rng, hue=0.025, light=0.08) for c in palette.sky)
    canvas.gradient(0, SIZE, [(0.0, top), (0.38, middle), (0.62, horizon), (1.0, horizon)])
    return top, middle, horizon


def paint_stars(canvas: Canvas, rng: random.Random, bottom: float, count: int) -> None:
    """Tiny dots, brighter stars with a halo and a few four-pointed twinkles, thinning low."""
    for _ in range(count):
        x = rng.uniform(0, SIZE)
        y = bottom * rng.random() ** 1.5  # more stars high up, fewer near the horizon
        color = rng.choice(STAR_COLOURS)
        size = rng.random()
        fade = 0.45 + 0.55 * (1 - y / bottom)
        if size < 0.86:
            canvas.circle(x, y, 0.7 + 1.1 * size, alpha(color, fade * rng.uniform(0.55, 1.0)))
        elif size < 0.97:
            canvas.glow(x, y, 10, color, 0.35 * fade)
            canvas.circle(x, y, 2.0, alpha(color, fade))
        else:
            twinkle(canvas, x, y, rng.uniform(9, 15), color)


def twinkle(canvas: Canvas, x: float, y: float, r: float, color: RGB) -> None:
    """A four-pointed sparkle with a soft halo, the star of picture books."""
    canvas.glow(x, y, r * 1.6, color, 0.4)
    points: list[Point] = []
    for i in range(8):
        reach = r if i % 2 == 0 else r * 0.18
        t = math.pi * i / 4 - math.pi / 2
        points.append((x + reach * math.cos(t), y + reach * math.sin(t)))
    canvas.polygon(points, color)


def paint_moon(canvas: Canvas, rng: random.Random, x: float, y: float, r: float, sky: RGB) -> None:
    """The moon with its glow: a crescent, a half or full moon, lit from either side."""
    canvas.glow(x, y, r * 5.0, shade(MOONLIGHT, 0.9), 0.22)
    canvas.glow(x, y, r * 2.0, MOONLIGHT, 0.35)
    # The dark part still shows faintly (earthshine), so the moon always reads as round.
    canvas.circle(x, y, r, alpha(mix(sky, MOONLIGHT, 0.35), 0.55))
    lit = rng.choice((-1.0, rng.uniform(-1.0, 0.55), rng.uniform(-1.0, 0.2)))
    side = rng.choice((-1, 1))
    canvas.polygon(_lit_part(x, y, r, lit, side), MOONLIGHT)
    if lit < -0.7 and rng.random() < 0.5:
        _sleepy_face(canvas, x, y, r)
        return
    for _ in range(5):
        angle, reach = rng.uniform(0, 2 * math.pi), r * math.sqrt(rng.uniform(0.0, 0.6))
        cx, cy = x + reach * math.cos(angle), y + reach * math.sin(angle)
        if (cx - x) * side > r * lit * math.sqrt(max(0.0, 1 - ((cy - y) / r) ** 2)) + 4:
            canvas.circle(cx, cy, r * rng.uniform(0.07, 0.16), alpha((226, 214, 186), 0.6))


def _sleepy_face(canvas: Canvas, x: float, y: float, r: float) -> None:
    """A full moon that has nodded off: closed eyes, a small smile, rosy cheeks."""
    ink = alpha((196, 170, 130), 0.9)
    for side in (-1, 1):
        canvas.arc(x + side * r * 0.33, y - r * 0.12, r * 0.17, r * 0.12, 20, 160, ink, r * 0.05)
        canvas.ellipse(
            x + side * r * 0.5, y + r * 0.18, r * 0.14, r * 0.09, alpha((246, 170, 160), 0.5)
        )
    canvas.arc(x, y + r * 0.16, r * 0.16, r * 0.12, 25, 155, ink, r * 0.05)


def _lit_part(x: float, y: float, r: float, lit: float, side: int) -> list[Point]:
    """The lit shape: one half-rim, closed by the terminator, an ellipse ``lit`` wide.

    ``lit`` runs from -1 (full moon) through 0 (half) to near 1 (a thin crescent).
    """
    points: list[Point] = []
    for i in range(25):
        t = math.pi * (i / 24 - 0.5)
        points.append((x + side * r * math.cos(t), y + r * math.sin(t)))
    for i in range(25):
        t = math.pi * (0.5 - i / 24)
        points.append((x + side * r * lit * math.cos(t), y + r * math.sin(t)))
    return points


def paint_clouds(canvas: Canvas, rng: random.Random, sky: RGB, top: float, bottom: float) -> None:
    """Two or three long, soft clouds, faintly moonlit along their tops."""
    for _ in range(rng.randint(2, 3)):
        cx, cy = rng.uniform(40, SIZE - 40), rng.uniform(top, bottom)
        width = rng.uniform(150, 240)
        color = mix(sky, MOONLIGHT, 0.3)
        puffs = [
            (rng.uniform(-0.35, 0.35) * width, rng.uniform(18, 34))
            for _ in range(rng.randint(3, 4))
        ]
        box = (cx - width / 2 - 20, cy - 60, cx + width / 2 + 20, cy + 30)
        canvas.through(
            box, mix(color, MOONLIGHT, 0.3), _cloud_mask(box, cx, cy - 4, width, puffs, 0.16)
        )
        canvas.through(box, color, _cloud_mask(box, cx, cy, width, puffs, 0.3))


def _cloud_mask(
    box: tuple[float, float, float, float],
    cx: float,
    cy: float,
    width: float,
    puffs: list[tuple[float, float]],
    opacity: float,
) -> Image.Image:
    """A soft-edged cloud shape: a long flat base with round puffs on top, on a small mask."""
    step = 2.0  # picture units per mask pixel: the blur hides the coarseness
    left, top = box[0], box[1]
    mask = Image.new("L", (round((box[2] - left) / step), round((box[3] - top) / step)))
    draw = ImageDraw.Draw(mask)
    value = round(255 * opacity)

    def blob(x: float, y: float, rx: float, ry: float) -> None:
        draw.ellipse(
            (
                (x - rx - left) / step,
                (y - ry - top) / step,
                (x + rx - left) / step,
                (y + ry - top) / step,
            ),
            fill=value,
        )

    blob(cx, cy + 4, width / 2, 12)
    for dx, r in puffs:
        blob(cx + dx, cy - r * 0.55, r, r * 0.9)
    return mask.filter(ImageFilter.GaussianBlur(2))


def paint_shooting_star(canvas: Canvas, rng: random.Random, top: float, bottom: float) -> None:
    """A shooting star with a fading tail, for a wish at bedtime."""
    x, y = rng.uniform(150, SIZE - 150), rng.uniform(top, bottom)
    direction = rng.choice((-1, 1))
    length = rng.uniform(90, 150)
    steps = 12
    for i in range(steps):
        t0, t1 = i / steps, (i + 1) / steps
        a = (x - direction * length * t0, y - length * 0.45 * t0)
        b = (x - direction * length * t1, y - length * 0.45 * t1)
        canvas.line([a, b], alpha((255, 250, 228), 0.9 * (1 - t0) ** 1.5), 3.2 * (1 - t0) + 0.6)
    canvas.glow(x, y, 16, (255, 250, 228), 0.5)
    canvas.polygon(star_points(x, y, 5, 2.2, 4), (255, 255, 240))
