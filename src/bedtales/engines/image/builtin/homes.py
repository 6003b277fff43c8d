"""Places people live: the castle, the town, the farm, the garden and the cottage hills."""

from __future__ import annotations

from bedtales.engines.image.builtin.canvas import SIZE
from bedtales.engines.image.builtin.color import RGB, alpha, mix, shade
from bedtales.engines.image.builtin.shapes import (
    fireflies,
    flower,
    grass_tufts,
    height_at,
    hills,
    house,
    round_tree,
)
from bedtales.engines.image.builtin.stage import GROUND, HORIZON, Stage

FIREFLY: RGB = (255, 236, 150)
PETALS: tuple[RGB, ...] = ((246, 170, 196), (255, 236, 160), (236, 232, 255), (196, 176, 250))


def castle(stage: Stage) -> None:
    """A fairy-tale castle on a hill: towers with pointed roofs, pennants and lit windows."""
    c, rng, p = stage.canvas, stage.rng, stage.palette
    hills(c, rng, HORIZON, 24, p.far)
    # on the other side of the sky from the moon, so its towers do not hide it
    x = rng.uniform(560, 700) if stage.moon.x < SIZE / 2 else rng.uniform(324, 464)
    _castle(stage, x, HORIZON + 60, rng.uniform(0.9, 1.1))
    hills(c, rng, HORIZON + 90, 18, p.mid)
    for side in (rng.uniform(40, 160), rng.uniform(SIZE - 160, SIZE - 40)):
        round_tree(c, rng, side, GROUND + 20, rng.uniform(170, 230), mix(p.mid, p.near, 0.6))
    hills(c, rng, GROUND + 10, 12, p.near)
    grass_tufts(c, rng, 40, GROUND + 20, SIZE - 10, shade(p.near, 1.15))
    fireflies(c, rng, 10, HORIZON - 60, GROUND + 80, FIREFLY)


def _castle(stage: Stage, x: float, base: float, size: float) -> None:
    c, rng = stage.canvas, stage.rng
    wall, roof = (150, 140, 190), rng.choice(((196, 110, 150), (110, 120, 200), (150, 100, 190)))
    wall_dark = shade(wall, 0.8)
    c.rect((x - 140 * size, base - 120 * size, x + 140 * size, base), wall_dark)
    for i in range(8):  # battlements along the wall
        bx = x - 140 * size + i * 40 * size
        c.rect((bx, base - 134 * size, bx + 20 * size, base - 118 * size), wall_dark)
    towers = ((-140, 46, 190), (140, 46, 190), (-60, 40, 230), (60, 40, 230), (0, 56, 290))
    for dx, width, tall in sorted(towers, key=lambda t: -t[2]):
        tx, w, h = x + dx * size, width * size, tall * size
        c.rect((tx - w / 2, base - h, tx + w / 2, base), wall)
        c.rect((tx, base - h, tx + w / 2, base), alpha(shade(wall, 1.15), 0.5))
        c.polygon(
            [(tx - w * 0.68, base - h), (tx, base - h - w * 1.4), (tx + w * 0.68, base - h)], roof
        )
        pole = base - h - w * 1.4
        c.line([(tx, pole), (tx, pole - 22 * size)], (220, 214, 236), 1.6)
        c.polygon(
            [(tx, pole - 22 * size), (tx + 20 * size, pole - 17 * size), (tx, pole - 12 * size)],
            (255, 214, 130),
        )
        for wy in (base - h * 0.75, base - h * 0.45):
            if rng.random() < 0.75:
                c.glow(tx, wy, 18 * size, stage.palette.light, 0.35)
                c.rect(
                    (tx - 6 * size, wy - 10 * size, tx + 6 * size, wy + 10 * size),
                    stage.palette.light,
                    radius=6 * size,
                )
    c.chord(x, base, 26 * size, 40 * size, 180, 360, (84, 70, 96))


def city(stage: Stage) -> None:
    """A sleepy town: far towers, a row of lit houses, a clock tower and street lamps."""
    c, rng, p = stage.canvas, stage.rng, stage.palette
    x = -20.0
    while x < SIZE:  # the far skyline: tall blocks with a few lit windows
        w, h = rng.uniform(50, 110), rng.uniform(110, 260)
        c.rect((x, HORIZON + 40 - h, x + w, HORIZON + 200), p.far)
        for _ in range(int(h / 20)):
            wx, wy = rng.uniform(x + 6, x + w - 14), rng.uniform(HORIZON + 50 - h, HORIZON + 20)
            c.rect((wx, wy, wx + 7, wy + 9), alpha(p.light, rng.uniform(0.4, 0.9)))
        x += w + rng.uniform(0, 20)
    tower = rng.uniform(250, SIZE - 250)
    _clock_tower(stage, tower, HORIZON + 120)
    x = -30.0
    while x < SIZE:
        w = rng.uniform(90, 130)
        if abs(x + w / 2 - tower) > 80:
            wall = mix(p.mid, rng.choice(((170, 110, 120), (120, 120, 170), (150, 130, 110))), 0.3)
            house(
                c, rng, x, HORIZON + 200, w, rng.uniform(90, 150), wall, shade(wall, 0.7), p.light
            )
        x += w + rng.uniform(15, 40)
    c.rect((0, HORIZON + 200, SIZE, SIZE), p.near)
    c.rect((0, HORIZON + 200, SIZE, HORIZON + 214), shade(p.near, 1.2))
    for _ in range(140):  # cobbles
        cx, cy = rng.uniform(0, SIZE), rng.uniform(HORIZON + 230, SIZE)
        c.ellipse(cx, cy, rng.uniform(10, 16), rng.uniform(4, 7), alpha(shade(p.near, 1.2), 0.35))
    for lamp in (rng.uniform(60, 160), rng.uniform(SIZE - 160, SIZE - 60)):
        _street_lamp(stage, lamp, GROUND + 40)


def _clock_tower(stage: Stage, x: float, base: float) -> None:
    c, p = stage.canvas, stage.palette
    stone = mix(p.mid, (140, 120, 150), 0.3)
    c.rect((x - 38, base - 250, x + 38, base + 80), stone)
    c.polygon([(x - 48, base - 250), (x, base - 330), (x + 48, base - 250)], shade(stone, 0.7))
    c.glow(x, base - 200, 50, (255, 236, 190), 0.35)
    c.circle(x, base - 200, 26, (250, 238, 200), outline=shade(stone, 0.6), width=3)
    c.line([(x, base - 200), (x, base - 218)], (70, 60, 80), 3)
    c.line([(x, base - 200), (x + 13, base - 193)], (70, 60, 80), 3)


def _street_lamp(stage: Stage, x: float, base: float) -> None:
    c = stage.canvas
    post = (40, 40, 60)
    c.line([(x, base), (x, base - 190)], post, 7)
    c.glow(x, base - 205, 90, stage.palette.light, 0.45)
    c.polygon(
        [(x - 16, base - 190), (x - 20, base - 222), (x + 20, base - 222), (x + 16, base - 190)],
        (255, 226, 160),
    )
    c.polygon([(x - 26, base - 222), (x, base - 240), (x + 26, base - 222)], post)
    c.ellipse(x, base + 4, 40, 8, alpha((255, 226, 160), 0.25))


def garden(stage: Stage) -> None:
    """A moonlit garden: leafy trees, a hedge, a little fence and flowers everywhere."""
    c, rng, p = stage.canvas, stage.rng, stage.palette
    far = hills(c, rng, HORIZON, 24, p.far)
    for i in range(7):
        x = SIZE * (i + rng.uniform(0.1, 0.9)) / 7
        round_tree(c, rng, x, height_at(far, x) + 12, rng.uniform(100, 150), shade(p.far, 0.9))
    hills(c, rng, HORIZON + 110, 18, p.mid)
    _fence(stage, GROUND - 20)
    hills(c, rng, GROUND + 10, 10, p.near)
    grass_tufts(c, rng, 30, GROUND + 20, SIZE - 10, shade(p.near, 1.15))
    for _ in range(34):
        x, y = rng.uniform(10, SIZE - 10), rng.uniform(GROUND + 20, SIZE - 20)
        flower(c, x, y, rng.uniform(4, 7), rng.choice(PETALS), shade(p.near, 0.8))
    fireflies(c, rng, 14, HORIZON - 60, GROUND + 100, FIREFLY)


def _fence(stage: Stage, base: float) -> None:
    c, p = stage.canvas, stage.palette
    wood = mix(p.mid, (200, 180, 170), 0.35)
    c.rect((0, base - 44, SIZE, base - 36), wood)
    c.rect((0, base - 20, SIZE, base - 12), wood)
    for x in range(10, SIZE, 44):
        c.polygon(
            [(x, base), (x, base - 56), (x + 8, base - 64), (x + 16, base - 56), (x + 16, base)],
            wood,
        )


def farm(stage: Stage) -> None:
    """A red barn with a lit hayloft, haystacks, a fence and the fields beyond."""
    c, rng, p = stage.canvas, stage.rng, stage.palette
    hills(c, rng, HORIZON, 22, p.far)
    mid = hills(c, rng, HORIZON + 80, 20, p.mid)
    x = rng.choice((rng.uniform(90, 260), rng.uniform(SIZE - 400, SIZE - 230)))
    _barn(stage, x, height_at(mid, x + 70) + 70)
    for hx in (rng.uniform(420, 520), rng.uniform(560, 660)):
        base = height_at(mid, hx) + 60
        c.chord(hx, base, 44, 50, 180, 360, (186, 160, 110))
        c.arc(hx, base, 30, 32, 200, 340, (150, 126, 86), 2)
    _fence(stage, GROUND - 10)
    hills(c, rng, GROUND + 12, 10, p.near)
    grass_tufts(c, rng, 40, GROUND + 20, SIZE - 10, shade(p.near, 1.15))
    fireflies(c, rng, 10, HORIZON - 60, GROUND + 80, FIREFLY)


def _barn(stage: Stage, x: float, base: float) -> None:
    c = stage.canvas
    red, trim = (150, 70, 86), (230, 220, 230)
    c.rect((x, base - 110, x + 140, base), red)
    c.polygon(
        [(x - 10, base - 110), (x + 20, base - 160), (x + 120, base - 160), (x + 150, base - 110)],
        shade(red, 0.75),
    )
    c.rect((x + 45, base - 70, x + 95, base), shade(red, 0.7))
    c.line([(x + 45, base - 70), (x + 95, base)], trim, 3)
    c.line([(x + 95, base - 70), (x + 45, base)], trim, 3)
    c.glow(x + 70, base - 128, 36, stage.palette.light, 0.4)
    c.rect((x + 58, base - 140, x + 82, base - 116), stage.palette.light, radius=3)


def cottage(stage: Stage) -> None:
    """The gentle default: rolling hills, a cottage with a lit window, trees and fireflies."""
    c, rng, p = stage.canvas, stage.rng, stage.palette
    hills(c, rng, HORIZON, 26, p.far)
    mid = hills(c, rng, HORIZON + 90, 22, p.mid)
    x = rng.choice((rng.uniform(110, 260), rng.uniform(SIZE - 360, SIZE - 220)))
    house(c, rng, x, height_at(mid, x + 60) + 40, 120, 90, (196, 170, 180), (120, 80, 110), p.light)
    for tx in (x - 50, x + 200):
        round_tree(c, rng, tx, height_at(mid, tx) + 40, rng.uniform(120, 170), shade(p.mid, 0.8))
    hills(c, rng, GROUND + 10, 12, p.near)
    grass_tufts(c, rng, 40, GROUND + 20, SIZE - 10, shade(p.near, 1.15))
    for _ in range(12):
        x, y = rng.uniform(10, SIZE - 10), rng.uniform(GROUND + 30, SIZE - 20)
        flower(c, x, y, rng.uniform(4, 6), rng.choice(PETALS), shade(p.near, 0.8))
    fireflies(c, rng, 12, HORIZON - 60, GROUND + 80, FIREFLY)
