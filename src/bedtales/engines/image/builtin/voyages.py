"""Places far away: the moonlit sea and outer space."""

from __future__ import annotations

import math

from bedtales.engines.image.builtin.canvas import SIZE
from bedtales.engines.image.builtin.color import RGB, alpha, mix, shade
from bedtales.engines.image.builtin.shapes import ridge
from bedtales.engines.image.builtin.stage import GROUND, HORIZON, Stage

MOONLIGHT: RGB = (255, 246, 214)


def sea(stage: Stage) -> None:
    """Calm sea to the horizon, the moon's path on the water, a lighthouse, a sandy shore."""
    c, rng, p = stage.canvas, stage.rng, stage.palette
    horizon = HORIZON + 20
    c.gradient(
        horizon,
        SIZE,
        [(0.0, mix(p.far, stage.sky[2], 0.35)), (0.6, p.mid), (1.0, shade(p.mid, 0.8))],
    )
    if rng.random() < 0.7:
        _lighthouse(
            stage, rng.choice((rng.uniform(90, 200), rng.uniform(SIZE - 200, SIZE - 90))), horizon
        )
    _moon_path(stage, horizon)
    for _ in range(70):  # little wave crests, smaller towards the horizon
        y = horizon + (GROUND - horizon) * rng.random() ** 0.8
        near = (y - horizon) / (GROUND - horizon)
        x, w = rng.uniform(0, SIZE), 8 + 26 * near
        c.arc(x, y, w, w * 0.35, 200, 340, alpha(MOONLIGHT, 0.18 + 0.2 * near), 1.2 + 1.4 * near)
    if rng.random() < 0.6:
        _sailboat(stage, rng.uniform(300, SIZE - 300), horizon + rng.uniform(40, 90))
    shore = ridge(rng, GROUND + 20, 14, waves=2)
    c.polygon([*shore, (SIZE, SIZE), (0, SIZE)], p.near)
    c.line(shore, alpha((236, 240, 255), 0.7), 5)
    c.line([(x, y + 9) for x, y in shore], alpha((236, 240, 255), 0.25), 4)
    for _ in range(5):  # shells and starfish on the sand
        x, y = rng.uniform(40, SIZE - 40), rng.uniform(GROUND + 140, SIZE - 30)
        _starfish(stage, x, y, rng.uniform(9, 14))


def _moon_path(stage: Stage, horizon: float) -> None:
    """The moon's glittering path on the water: short strokes, widening towards us."""
    c, rng, moon = stage.canvas, stage.rng, stage.moon
    for _ in range(40):
        t = rng.random()
        y = horizon + 4 + t * (GROUND - horizon - 10)
        spread = 8 + 70 * t
        x = moon.x + rng.gauss(0, spread * 0.45)
        half = rng.uniform(4, 10) + 16 * t
        c.ellipse(x, y, half, 1.2 + 1.4 * t, alpha(MOONLIGHT, 0.65 - 0.35 * t))


def _lighthouse(stage: Stage, x: float, horizon: float) -> None:
    c = stage.canvas
    base = horizon + 36
    c.ellipse(x, base, 70, 14, (52, 60, 92))
    c.polygon(
        [(x - 18, base), (x - 12, base - 120), (x + 12, base - 120), (x + 18, base)],
        (232, 226, 240),
    )
    for band in (base - 30, base - 80):
        c.polygon(
            [(x - 16.5, band), (x - 15, band - 18), (x + 15, band - 18), (x + 16.5, band)],
            (200, 96, 110),
        )
    c.glow(x, base - 134, 70, (255, 230, 160), 0.6)
    for side in (-1, 1):
        c.polygon(
            [(x, base - 134), (x + side * 260, base - 170), (x + side * 260, base - 110)],
            alpha((255, 236, 180), 0.09),
        )
    c.rect((x - 10, base - 146, x + 10, base - 122), (255, 236, 170))
    c.polygon([(x - 16, base - 146), (x, base - 164), (x + 16, base - 146)], (200, 96, 110))


def _sailboat(stage: Stage, x: float, y: float) -> None:
    c = stage.canvas
    c.polygon([(x - 34, y), (x + 34, y), (x + 24, y + 12), (x - 24, y + 12)], (120, 80, 100))
    c.line([(x, y), (x, y - 70)], (90, 70, 90), 2)
    c.polygon([(x + 3, y - 68), (x + 3, y - 6), (x + 40, y - 6)], (236, 230, 246))
    c.polygon([(x - 3, y - 58), (x - 3, y - 6), (x - 28, y - 6)], (214, 206, 232))


def _starfish(stage: Stage, x: float, y: float, r: float) -> None:
    points = []
    for i in range(10):
        reach = r if i % 2 == 0 else r * 0.45
        t = math.pi * i / 5 + stage.rng.uniform(-0.1, 0.1)
        points.append((x + reach * math.cos(t), y + reach * 0.6 * math.sin(t)))
    stage.canvas.polygon(points, (232, 140, 130))


def space(stage: Stage) -> None:
    """Standing on a little moon: glowing nebulae, a ringed planet, craters, a rocket."""
    c, rng, p = stage.canvas, stage.rng, stage.palette
    for color in ((200, 120, 220), (100, 160, 230), (230, 130, 160)):
        c.glow(
            rng.uniform(100, SIZE - 100), rng.uniform(250, 560), rng.uniform(180, 260), color, 0.16
        )
    _planet(
        stage,
        rng.uniform(120, 300) if stage.moon.x > SIZE / 2 else rng.uniform(SIZE - 300, SIZE - 120),
    )
    c.circle(
        rng.uniform(200, SIZE - 200), rng.uniform(500, 620), rng.uniform(14, 24), (150, 210, 190)
    )
    radius = 1500.0
    cx, cy = SIZE / 2, GROUND - 10 + radius
    c.glow(cx, cy, radius + 40, mix(p.near, (255, 255, 255), 0.4), 0.35)
    c.circle(cx, cy, radius, p.near)
    c.circle(cx, cy + 30, radius, shade(p.near, 0.9))
    for _ in range(9):
        x, y = rng.uniform(30, SIZE - 30), rng.uniform(GROUND + 30, SIZE - 20)
        r = rng.uniform(14, 34) * (0.6 + 0.6 * (y - GROUND) / (SIZE - GROUND))
        c.ellipse(x, y, r, r * 0.35, shade(p.near, 0.78))
        c.arc(x, y, r, r * 0.35, 0, 180, alpha(shade(p.near, 1.25), 0.8), 2)
    _rocket(
        stage, rng.choice((rng.uniform(70, 130), rng.uniform(SIZE - 130, SIZE - 70))), GROUND + 30
    )


def _planet(stage: Stage, x: float) -> None:
    c, rng = stage.canvas, stage.rng
    y, r = rng.uniform(380, 470), rng.uniform(48, 66)
    body = rng.choice(((240, 190, 130), (180, 150, 230), (130, 200, 210)))
    ring = alpha((255, 236, 200), 0.75)
    c.arc(x, y, r * 1.9, r * 0.45, 180, 360, ring, 5)
    c.circle(x, y, r, body)
    for k in (-0.4, 0.1, 0.5):
        c.ellipse(
            x, y + k * r, r * math.sqrt(1 - k * k) * 0.95, r * 0.08, alpha(shade(body, 0.85), 0.8)
        )
    c.chord(x, y, r, r, 300, 120, alpha((20, 10, 50), 0.18))
    c.arc(x, y, r * 1.9, r * 0.45, 0, 180, ring, 5)


def _rocket(stage: Stage, x: float, base: float) -> None:
    c = stage.canvas
    body, fin = (236, 232, 246), (220, 100, 120)
    c.polygon([(x - 26, base), (x - 44, base + 6), (x - 30, base - 50)], fin)
    c.polygon([(x + 26, base), (x + 44, base + 6), (x + 30, base - 50)], fin)
    c.ellipse(x, base - 80, 30, 90, body)
    c.polygon([(x - 21, base - 148), (x, base - 190), (x + 21, base - 148)], fin)
    c.circle(x, base - 100, 14, (120, 180, 230), outline=(180, 180, 200), width=4)
    c.glow(x, base - 100, 24, (160, 220, 255), 0.3)
