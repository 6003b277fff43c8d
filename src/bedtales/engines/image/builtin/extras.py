"""The little extras that tell characters apart: hats, scarves and things to hold."""

from __future__ import annotations

import math
from collections.abc import Callable

from bedtales.engines.image.builtin.body import Body
from bedtales.engines.image.builtin.canvas import star_points
from bedtales.engines.image.builtin.color import RGB, mix, shade
from bedtales.engines.image.builtin.creatures import Anchors

GOLD: RGB = (252, 206, 92)
WARM: RGB = (255, 212, 128)
WHITE: RGB = (250, 248, 244)


def hat(b: Body, anchors: Anchors) -> None:
    """What the character wears on its head, sitting on ``anchors.top``."""
    wear = HATS.get(b.look.hat)
    if wear is not None:
        wear(b, anchors.top)


def _crown(b: Body, top: float) -> None:
    spec = [(-13, top + 5), (-15, top - 10), (-7, top - 3), (0, top - 14), (7, top - 3)]
    b.shape([*spec, (15, top - 10), (13, top + 5)], GOLD)
    for dx in (-7, 0, 7):
        b.oval(dx, top + 1, 1.8, 1.8, b.look.accent, line=False)


def _bow(b: Body, top: float) -> None:
    x, y = 15.0, top + 6
    b.shape([(x, y), (x - 11, y - 8), (x - 10, y + 7)], b.look.accent)
    b.shape([(x, y), (x + 11, y - 8), (x + 10, y + 7)], b.look.accent)
    b.oval(x, y, 3.4, 3.4, shade(b.look.accent, 0.85))


def _star(b: Body, top: float) -> None:
    x, y = b.at(15, top + 7)
    points = star_points(x, y, 8 * b.u, 3.6 * b.u)
    b.canvas.polygon(points, GOLD, shade(GOLD, 0.6), b.width(0.9))


def _nightcap(b: Body, top: float) -> None:
    """A floppy night-cap drooping to one side, with a pompom."""
    cap = b.look.accent
    b.shape(
        [
            (-22, top + 8),
            (-14, top - 10),
            (2, top - 22),
            (22, top - 26),
            (34, top - 14),
            (24, top - 8),
            (22, top + 8),
        ],
        cap,
    )
    b.stroke([(4, top - 14), (18, top - 18)], mix(cap, WHITE, 0.4), 1.2)
    b.shape(
        [(-24, top + 4), (24, top + 4), (24, top + 11), (-24, top + 11)],
        mix(b.look.accent2, WHITE, 0.5),
    )
    b.oval(36, top - 12, 6, 6, WHITE)


def _flower(b: Body, top: float) -> None:
    x, y = 15.0, top + 7
    for i in range(5):
        t = 2 * math.pi * i / 5 - math.pi / 2
        b.oval(x + 5 * math.cos(t), y + 5 * math.sin(t), 4, 4, mix(b.look.accent, WHITE, 0.25))
    b.oval(x, y, 3, 3, GOLD, line=False)


HATS: dict[str, Callable[[Body, float], None]] = {
    "nightcap": _nightcap,
    "crown": _crown,
    "bow": _bow,
    "flower": _flower,
    "star": _star,
}


def neck(b: Body, anchors: Anchors) -> None:
    """A striped scarf or a bow tie where the head meets the body."""
    y = anchors.neck
    if b.look.neck == "scarf":
        scarf, stripe = b.look.accent2, mix(b.look.accent, WHITE, 0.3)
        b.shape([(6, y + 2), (16, y + 3), (15, y + 22), (6, y + 21)], scarf)
        b.stroke([(7, y + 16), (14.5, y + 16.5)], stripe, 2)
        b.shape([(-18, y - 4), (18, y - 4), (17, y + 5), (-17, y + 5)], scarf)
        for dx in (-9, 3):
            b.stroke([(dx, y - 2.5), (dx + 3, y + 3.5)], stripe, 2.2)
    elif b.look.neck == "bowtie":
        tie = b.look.accent2
        b.shape([(0, y), (-11, y - 6), (-11, y + 6)], tie)
        b.shape([(0, y), (11, y - 6), (11, y + 6)], tie)
        b.oval(0, y, 3, 3, shade(tie, 0.85))


def held(b: Body) -> None:
    """A glowing lantern or a star wand in the right hand, or nothing."""
    if b.look.held == "lantern":
        hx, hy = b.at(26, -14)
        b.canvas.glow(hx, hy, 34 * b.u, WARM, 0.55)
        b.stroke([(22, -26), (26, -22)], b.ink, 1.0)
        b.shape([(21, -22), (31, -22), (32, -6), (20, -6)], (255, 230, 160))
        b.shape([(20, -24), (32, -24), (30, -21), (22, -21)], shade(b.look.accent2, 0.8))
        b.shape([(21, -7), (31, -7), (32, -4), (20, -4)], shade(b.look.accent2, 0.8))
        b.oval(26, -14, 2.6, 4, (255, 190, 90), line=False)
    elif b.look.held == "wand":
        b.stroke([(22, -26), (34, -52)], (226, 200, 170), 1.8)
        x, y = b.at(35, -55)
        b.canvas.glow(x, y, 18 * b.u, GOLD, 0.5)
        b.canvas.polygon(
            star_points(x, y, 7.5 * b.u, 3.4 * b.u), GOLD, shade(GOLD, 0.6), b.width(0.8)
        )
