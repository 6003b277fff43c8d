"""Children: hair in five styles and striped or spotted pyjamas."""

from __future__ import annotations

import math

from bedtales.engines.image.builtin.body import Body
from bedtales.engines.image.builtin.color import mix, shade


def hair_back(b: Body) -> None:
    """The hair that falls behind the head: a bob, curls or a ponytail."""
    hair, style = b.look.hair, b.look.hairstyle
    if style == "bob":
        b.oval(0, -64, 29, 25, hair)
    elif style == "curls":
        for i in range(11):
            t = math.pi * (0.95 + 1.1 * i / 10)
            b.oval(27 * math.cos(t), -68 + 24 * math.sin(t), 9, 9, hair)
    elif style == "ponytail":
        b.oval(27, -66, 8, 15, hair, angle=-24)
        b.oval(23, -76, 4, 4, b.look.accent2)
    elif style == "buns":
        for side in (-1, 1):
            b.oval(side * 21, -86, 8.5, 8.5, hair)


def hair_front(b: Body) -> None:
    """The cap of hair over the top of the head, with a soft fringe."""
    hair = b.look.hair
    cx, cy = b.at(0, -71)
    b.canvas.chord(cx, cy, 25 * b.u, 19.5 * b.u, 180, 360, hair)
    b.arc(0, -71, 25, 19.5, 185, 355, b.ink, 1.4)
    for dx in (-14, -5, 4, 13):  # a fringe of rounded locks
        b.oval(dx, -72.5, 6.5, 4.2, hair, line=False)
    b.oval(-8, -84, 7, 2.6, mix(hair, (255, 255, 255), 0.3), angle=-12, line=False)


def pyjamas(b: Body) -> None:
    """Feet in socks, a round body in pyjamas with a stripe or spot pattern, hands."""
    suit = mix(b.look.accent, (255, 255, 255), 0.35)
    trim = mix(b.look.accent2, (255, 255, 255), 0.5)
    for side in (-1, 1):
        b.oval(side * 9, -4, 8, 5, trim)
    b.oval(0, -27, 19, 23, suit)
    if sum(b.look.accent2) % 2:
        for dy in (-40, -30, -20, -10):
            half = 19 * math.sqrt(max(0.0, 1 - ((dy + 27) / 23) ** 2)) - 1.5
            b.stroke([(-half, dy), (half, dy)], trim, 2.4)
    else:
        for dx, dy in ((-8, -36), (7, -30), (-5, -18), (9, -14), (0, -44)):
            b.oval(dx, dy, 2.6, 2.6, trim, line=False)
    for side in (-1, 1):
        b.oval(side * 18, -31, 5.5, 11, suit, angle=-side * 28)
        b.oval(side * 22.5, -22, 3.8, 3.8, b.look.coat)
    b.oval(0, -47, 9, 3, shade(suit, 0.92), line=False)
