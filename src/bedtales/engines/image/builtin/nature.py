"""Wild places: the forest, mountains, snow, the jungle and the desert."""

from __future__ import annotations

import itertools
import math

from PIL import Image, ImageDraw, ImageFilter

from bedtales.engines.image.builtin.canvas import SIZE, Point
from bedtales.engines.image.builtin.color import RGB, alpha, mix, shade
from bedtales.engines.image.builtin.shapes import (
    fireflies,
    grass_tufts,
    height_at,
    hills,
    land,
    leaf,
    pine,
    ridge,
    round_tree,
)
from bedtales.engines.image.builtin.stage import GROUND, HORIZON, Stage

FIREFLY: RGB = (214, 255, 160)
SNOW: RGB = (226, 234, 250)


def forest(stage: Stage) -> None:
    """Layers of fir trees fading into the distance, tall firs framing the sides."""
    c, rng, p = stage.canvas, stage.rng, stage.palette
    far = hills(c, rng, HORIZON, 22, p.far)
    for i in range(26):
        x = SIZE * (i + rng.uniform(0, 0.8)) / 25
        pine(c, x, height_at(far, x) + 6, rng.uniform(60, 100), shade(p.far, 0.92))
    mid = hills(c, rng, HORIZON + 90, 26, p.mid)
    for i in range(12):
        x = SIZE * (i + rng.uniform(0.1, 0.9)) / 12
        pine(c, x, height_at(mid, x) + 10, rng.uniform(120, 190), shade(p.mid, 0.85))
    hills(c, rng, GROUND + 10, 14, p.near)
    for x in (rng.uniform(20, 90), rng.uniform(SIZE - 90, SIZE - 20)):
        pine(c, x, GROUND + 60, rng.uniform(380, 460), shade(p.near, 0.62))
    grass_tufts(c, rng, 40, GROUND + 20, SIZE - 10, shade(p.near, 1.15))
    _mushrooms(stage)
    fireflies(c, rng, 14, HORIZON - 40, GROUND + 80, FIREFLY)


def _mushrooms(stage: Stage) -> None:
    c, rng = stage.canvas, stage.rng
    for _ in range(rng.randint(2, 4)):
        x = rng.choice((rng.uniform(60, 220), rng.uniform(SIZE - 220, SIZE - 60)))
        y, r = rng.uniform(GROUND + 150, SIZE - 30), rng.uniform(9, 15)
        c.rect((x - r * 0.35, y - r * 0.9, x + r * 0.35, y), (232, 222, 210), radius=r * 0.2)
        c.chord(x, y - r * 0.8, r, r * 0.8, 180, 360, (214, 92, 96))
        for dx, dy in ((-0.45, -1.15), (0.3, -1.3), (0.55, -0.95)):
            c.circle(x + dx * r, y + dy * r, r * 0.13, (250, 240, 232))


def mountains(stage: Stage) -> None:
    """Snow-capped peaks in two ranges, firs at their feet, a meadow in front."""
    c, rng, p = stage.canvas, stage.rng, stage.palette
    _range(stage, HORIZON - 20, 230, p.far, peaks=4)
    _range(stage, HORIZON + 60, 150, p.mid, peaks=5)
    foot = hills(c, rng, GROUND - 40, 16, mix(p.mid, p.near, 0.5))
    for i in range(16):
        x = SIZE * (i + rng.uniform(0, 0.9)) / 16
        pine(c, x, height_at(foot, x) + 14, rng.uniform(70, 120), shade(p.near, 0.75))
    hills(c, rng, GROUND + 12, 12, p.near)
    grass_tufts(c, rng, 40, GROUND + 20, SIZE - 10, shade(p.near, 1.15))
    fireflies(c, rng, 8, GROUND - 120, GROUND + 80, FIREFLY)


def _range(stage: Stage, base: float, height: float, color: RGB, peaks: int) -> None:
    """A mountain range: sharp peaks of varied height, each with a cap of snow."""
    c, rng = stage.canvas, stage.rng
    step = SIZE / peaks
    tops: list[Point] = []
    for i in range(peaks + 1):
        x = step * (i + rng.uniform(-0.25, 0.25))
        tops.append((x, base - height * rng.uniform(0.6, 1.0)))
    outline: list[Point] = [(-40, base + 40)]
    for (x0, y0), (x1, y1) in itertools.pairwise(tops):
        outline += [(x0, y0), ((x0 + x1) / 2, max(y0, y1) + height * rng.uniform(0.3, 0.5))]
    outline += [tops[-1], (SIZE + 40, base + 40)]
    c.polygon([*outline, (SIZE + 40, SIZE), (-40, SIZE)], color)
    lit = shade(color, 1.12)
    for x, y in tops:  # the moon side of each peak is lit a little
        c.polygon(
            [(x, y), (x + height * 0.45, y + height * 0.75), (x + height * 0.1, y + height * 0.75)],
            alpha(lit, 0.5),
        )
        cap = height * 0.2
        c.polygon(
            [
                (x, y),
                (x + cap * 0.62, y + cap),
                (x + cap * 0.25, y + cap * 0.8),
                (x, y + cap * 1.05),
                (x - cap * 0.3, y + cap * 0.78),
                (x - cap * 0.62, y + cap),
            ],
            mix(SNOW, color, 0.15),
        )
    c.rect((-40, base + 40, SIZE + 40, SIZE), color)


def snow(stage: Stage) -> None:
    """An aurora over snowy hills and snow-laden firs, with snowflakes drifting down."""
    c, rng, p = stage.canvas, stage.rng, stage.palette
    _aurora(stage)
    far = hills(c, rng, HORIZON + 10, 26, p.far)
    for i in range(9):
        x = SIZE * (i + rng.uniform(0, 0.9)) / 9
        pine(c, x, height_at(far, x) + 8, rng.uniform(60, 95), (60, 90, 110), snow=True)
    hills(c, rng, HORIZON + 110, 24, p.mid)
    _igloo(stage, rng.choice((rng.uniform(150, 300), rng.uniform(SIZE - 300, SIZE - 150))))
    hills(c, rng, GROUND + 10, 12, p.near)
    for x in (rng.uniform(20, 80), rng.uniform(SIZE - 80, SIZE - 20)):
        pine(c, x, GROUND + 70, rng.uniform(300, 380), (44, 82, 100), snow=True)
    for _ in range(90):
        x, y = rng.uniform(0, SIZE), rng.uniform(160, SIZE)
        c.circle(x, y, rng.uniform(1.2, 3.0), alpha((255, 255, 255), rng.uniform(0.5, 0.9)))


def _aurora(stage: Stage) -> None:
    """Soft curtains of green and violet light hanging in the sky."""
    c, rng = stage.canvas, stage.rng
    for band, color in enumerate(((120, 255, 190), (176, 140, 255))):
        mask = Image.new("L", (128, 40))  # 8 picture units a pixel: it is blurred anyway
        draw = ImageDraw.Draw(mask)
        base, phase = rng.uniform(28, 32) - band * 5, rng.uniform(0, 2 * math.pi)
        for i in range(128):
            t = i / 128
            y = base + 6 * math.sin(t * 2.4 * math.pi + phase)
            tall = 14 + 8 * math.sin(t * 5.3 + phase * 1.7)
            glow = 0.35 + 0.65 * math.sin(t * 3.1 * math.pi + phase) ** 2
            for k in range(int(tall)):  # bright at the foot, fading upwards
                draw.point((i, y - k), fill=round(150 * glow * (1 - k / tall) ** 1.5))
        c.through((0, 160, SIZE, 480), color, mask.filter(ImageFilter.GaussianBlur(1.6)))


def _igloo(stage: Stage, x: float) -> None:
    c = stage.canvas
    base, r = HORIZON + 150, 58
    c.chord(x, base, r, r * 0.85, 180, 360, (214, 226, 248))
    for k in (0.35, 0.65):
        c.arc(x, base, r, r * 0.85 * k * 1.5, 180, 360, (170, 186, 222), 1.6)
    c.glow(x, base - 16, 34, (255, 200, 120), 0.45)
    c.chord(x, base, 18, 26, 180, 360, (255, 206, 130))


def jungle(stage: Stage) -> None:
    """A lush jungle: round canopies, palms, hanging vines and great leaves in front."""
    c, rng, p = stage.canvas, stage.rng, stage.palette
    far = hills(c, rng, HORIZON - 10, 26, p.far)
    for i in range(11):
        x = SIZE * (i + rng.uniform(0, 0.9)) / 11
        round_tree(c, rng, x, height_at(far, x) + 20, rng.uniform(110, 170), shade(p.far, 0.95))
    mid = hills(c, rng, HORIZON + 110, 20, p.mid)
    for i in range(5):
        x = SIZE * (i + rng.uniform(0.1, 0.9)) / 5
        _palm(stage, x, height_at(mid, x) + 10, rng.uniform(170, 240))
    hills(c, rng, GROUND + 10, 12, p.near)
    for side in (0, SIZE):
        for _ in range(7):
            angle = rng.uniform(-75, -20) if side == 0 else rng.uniform(-160, -105)
            leaf(
                c,
                side,
                rng.uniform(GROUND - 40, SIZE),
                rng.uniform(140, 230),
                angle,
                shade(p.near, rng.uniform(0.7, 1.05)),
            )
    fireflies(c, rng, 16, HORIZON - 60, GROUND + 100, (160, 255, 220))


def _palm(stage: Stage, x: float, base: float, height: float) -> None:
    c, rng, p = stage.canvas, stage.rng, stage.palette
    lean = rng.uniform(-0.18, 0.18) * height
    trunk = shade(mix(p.mid, (120, 90, 70), 0.5), 0.9)
    c.line(
        [(x, base), (x + lean * 0.5, base - height * 0.5), (x + lean, base - height)],
        trunk,
        height * 0.06,
    )
    top = (x + lean, base - height)
    for angle in (-170, -140, -110, -70, -40, -10, 20, 160):
        leaf(c, *top, height * 0.42, angle + rng.uniform(-8, 8), shade(p.mid, 0.85))


def desert(stage: Stage) -> None:
    """Rosy dunes under a wide sky, far pyramids, and cacti in the foreground."""
    c, rng, p = stage.canvas, stage.rng, stage.palette
    far = ridge(rng, HORIZON, 16, waves=2)
    if rng.random() < 0.6:
        for x, size in ((rng.uniform(150, 400), 120), (rng.uniform(560, 860), 90)):
            y = height_at(far, x) + 10
            c.polygon([(x - size, y), (x, y - size * 0.8), (x + size, y)], shade(p.far, 0.85))
            c.polygon(
                [(x, y - size * 0.8), (x + size, y), (x + size * 0.25, y)],
                alpha(shade(p.far, 1.2), 0.6),
            )
    land(c, far, p.far, rim=mix(p.far, (255, 240, 214), 0.4))
    land(c, ridge(rng, HORIZON + 100, 30, waves=2), p.mid, rim=mix(p.mid, (255, 240, 214), 0.4))
    _cactus(stage, rng.uniform(300, SIZE - 300), HORIZON + 150, rng.uniform(60, 80))
    land(c, ridge(rng, GROUND + 15, 16, waves=2), p.near, rim=mix(p.near, (255, 240, 214), 0.4))
    for x in (rng.uniform(40, 110), rng.uniform(SIZE - 110, SIZE - 40)):
        _cactus(stage, x, GROUND + rng.uniform(90, 130), rng.uniform(170, 220))
    for _ in range(50):
        x, y = rng.uniform(0, SIZE), rng.uniform(GROUND + 30, SIZE)
        c.ellipse(x, y, rng.uniform(6, 14), 1.6, alpha(shade(p.near, 0.85), 0.6))


def _cactus(stage: Stage, x: float, base: float, height: float) -> None:
    c = stage.canvas
    green = (58, 110, 96)
    w = height * 0.14
    c.rect((x - w / 2, base - height, x + w / 2, base), green, radius=w / 2)
    for side, rise in ((-1, 0.55), (1, 0.7)):
        arm_x = x + side * height * 0.24
        c.rect(
            (
                min(x, arm_x),
                base - height * (rise - 0.18),
                max(x, arm_x),
                base - height * (rise - 0.18) + w * 0.9,
            ),
            green,
            radius=w * 0.45,
        )
        c.rect(
            (
                arm_x - w * 0.45,
                base - height * rise - w,
                arm_x + w * 0.45,
                base - height * (rise - 0.18) + w * 0.9,
            ),
            green,
            radius=w * 0.45,
        )
    c.rect(
        (x - w * 0.15, base - height * 0.95, x + w * 0.05, base - height * 0.1),
        alpha((150, 200, 170), 0.35),
        radius=2,
    )
    c.circle(x, base - height - w * 0.1, w * 0.3, (240, 140, 170))
