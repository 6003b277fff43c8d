"""The kinds of creature a character can be, each a short recipe on the shared build.

Every recipe draws the whole figure (tail, body, head and face) and returns where a hat
sits and where a scarf goes, so the extras in :mod:`.extras` fit every kind.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from bedtales.engines.image.builtin.body import (
    EYE,
    HEAD_Y,
    PINK,
    Body,
    cheeks,
    eyes,
    head,
    smile,
    standard_body,
    tummy,
)
from bedtales.engines.image.builtin.color import RGB, mix, shade
from bedtales.engines.image.builtin.hair import hair_back, hair_front, pyjamas

ORANGE: RGB = (246, 160, 72)


@dataclass(frozen=True)
class Anchors:
    top: float = -88.0  # the top of the head, where hats sit
    neck: float = -46.0  # where a scarf or bow tie goes


def bunny(b: Body) -> Anchors:
    for side in (-1, 1):
        b.oval(side * 10, -100, 6.5, 19, b.look.coat, angle=side * 12)
        b.oval(side * 10.4, -99, 3.2, 13, PINK, angle=side * 12, line=False)
    _critter(b)
    b.oval(0, -61, 2.6, 1.9, (236, 130, 150), line=False)
    return Anchors(top=-87)


def bear(b: Body) -> Anchors:
    for side in (-1, 1):
        b.oval(side * 18, -84, 8.5, 8.5, b.look.coat)
        b.oval(side * 18, -84, 4.5, 4.5, mix(b.look.coat, PINK, 0.5), line=False)
    _critter(b, muzzle=True)
    b.oval(0, -61.5, 3.8, 2.6, EYE, line=False)
    return Anchors()


def cat(b: Body) -> Anchors:
    _tail(b, ((16, -10), (30, -16), (36, -34), (30, -46)), 4.2)
    for side in (-1, 1):
        b.shape([(side * 23, -76), (side * 18, -101), (side * 5, -85)], b.look.coat)
        b.shape([(side * 19, -79), (side * 17.5, -94), (side * 10, -85)], PINK, line=False)
    _critter(b)
    _whiskers(b)
    b.shape([(-2.4, -62), (2.4, -62), (0, -59.5)], (236, 130, 150), line=False)
    return Anchors()


def fox(b: Body) -> Anchors:
    b.oval(27, -24, 12, 22, b.look.coat, angle=38)
    b.oval(36, -37, 6, 8, (250, 248, 244), angle=38, line=False)
    for side in (-1, 1):
        b.shape([(side * 24, -75), (side * 19, -106), (side * 5, -85)], b.look.coat)
        b.shape(
            [(side * 20.4, -96), (side * 19, -106), (side * 16, -99)],
            shade(b.look.coat, 0.5),
            line=False,
        )
    _critter(b, belly=(250, 246, 240), face=False)
    for side in (-1, 1):
        b.oval(side * 8, -58, 10, 7.5, (250, 246, 240), line=False)
    _face(b, muzzle=True)
    b.oval(0, -61.5, 3.2, 2.4, EYE, line=False)
    return Anchors()


def mouse(b: Body) -> Anchors:
    _tail(b, ((14, -8), (30, -6), (38, -16), (34, -26)), 1.6)
    for side in (-1, 1):
        b.oval(side * 22, -84, 12, 12, b.look.coat)
        b.oval(side * 22, -84, 7.5, 7.5, PINK, line=False)
    _critter(b)
    _whiskers(b)
    b.oval(0, -61, 2.8, 2.2, (236, 130, 150), line=False)
    return Anchors(top=-87)


def puppy(b: Body) -> Anchors:
    _tail(b, ((14, -12), (26, -20), (30, -32)), 3.4)
    _critter(b, muzzle=True, face=False)
    b.oval(9, -67, 7.5, 7, shade(b.look.coat, 0.82), line=False)  # a patch over one eye
    eyes(b)
    cheeks(b)
    b.oval(0, -62, 4.4, 3.2, EYE, line=False)
    b.arc(0, -57.5, 4, 3, 20, 160, EYE, 1.1)
    for side in (-1, 1):
        b.oval(side * 25, -62, 7.5, 16, shade(b.look.coat, 0.8), angle=side * 18)
    return Anchors()


def dragon(b: Body) -> Anchors:
    accent = b.look.accent2
    wing = mix(b.look.coat, (255, 255, 255), 0.35)
    for side in (-1, 1):  # little bat-like wings with two ribs
        spec = [
            (side * 14, -50),
            (side * 42, -64),
            (side * 38, -48),
            (side * 42, -36),
            (side * 16, -30),
        ]
        b.shape(spec, wing)
        for tip in ((38, -48), (42, -36)):
            b.stroke([(side * 18, -46), (side * tip[0], tip[1])], shade(wing, 0.8), 1.0)
    _tail(b, ((14, -8), (30, -10), (38, -22)), 5)
    b.shape([(38, -22), (42, -34), (46, -20)], accent)
    standard_body(b)
    for i in range(3):  # a striped tummy
        b.oval(0, -14 - i * 9, 11 - i * 0.8, 4, mix(b.look.coat, (255, 236, 170), 0.6), line=False)
    for side in (-1, 1):
        b.shape([(side * 9, -84), (side * 14, -98), (side * 16, -84)], (250, 234, 190))
    for dx in (-6, 0, 6):
        b.shape([(dx - 3, -87), (dx, -94), (dx + 3, -87)], accent)
    head(b)
    _face(b)
    for side in (-1, 1):
        b.oval(side * 3, -61, 1, 1, EYE, line=False)
    return Anchors(top=-92)


def owl(b: Body) -> Anchors:
    coat = b.look.coat
    for side in (-1, 1):
        b.oval(side * 8, -2, 5, 3, ORANGE)
        b.shape([(side * 14, -80), (side * 22, -96), (side * 24, -76)], coat)
    b.oval(0, -45, 28, 42, coat)
    b.oval(0, -30, 18, 24, b.light, line=False)
    for row in range(3):
        for col in (-1, 0, 1):
            b.arc(col * 8 + (row % 2) * 4 - 2, -40 + row * 9, 3, 2.5, 20, 160, shade(coat, 0.8), 1)
    for side in (-1, 1):
        b.oval(side * 26, -40, 8, 19, shade(coat, 0.82), angle=side * 12)
        b.oval(side * 10, -62, 10.5, 10.5, b.light)
    eyes(b, dy=-62, apart=10, size=1.35)
    b.shape([(-3.5, -55), (3.5, -55), (0, -49)], ORANGE)
    cheeks(b, dy=-52, apart=18)
    return Anchors(top=-84, neck=-44)


def penguin(b: Body) -> Anchors:
    coat = b.look.coat
    white = (250, 248, 246)
    for side in (-1, 1):
        b.oval(side * 9, -2, 8, 4, ORANGE)
        b.oval(side * 26, -40, 6, 17, coat, angle=-side * 24)
    b.oval(0, -45, 27, 43, coat)
    b.oval(0, -30, 19, 27, white, line=False)
    for side in (-1, 1):
        b.oval(side * 8, -62, 11, 11, white, line=False)
    eyes(b, dy=-64)
    cheeks(b, dy=-56, apart=15)
    b.shape([(-4, -58), (4, -58), (0, -52)], ORANGE)
    return Anchors(top=-86, neck=-50)


def frog(b: Body) -> Anchors:
    coat = b.look.coat
    for side in (-1, 1):
        b.oval(side * 12, -4, 11, 5, coat)
    b.oval(0, -28, 24, 25, coat)
    b.oval(0, -24, 15, 16, b.light, line=False)
    for side in (-1, 1):
        b.oval(side * 21, -30, 5.5, 10, coat, angle=-side * 24)
        b.oval(side * 14, -78, 10, 10, coat)
    b.oval(0, -60, 29, 18, coat)
    for side in (-1, 1):
        b.oval(side * 14, -78, 7, 7, (252, 250, 246), line=False)
    eyes(b, dy=-78, apart=14)
    cheeks(b, dy=-58, apart=19)
    b.arc(0, -60, 13, 7, 20, 160, EYE, 1.2)
    return Anchors(top=-86, neck=-44)


def child(b: Body) -> Anchors:
    hair_back(b)
    pyjamas(b)
    for side in (-1, 1):
        b.oval(side * 24, -64, 4.5, 5.5, b.look.coat)
    head(b, rx=24, ry=22)
    hair_front(b)
    eyes(b, dy=-64)
    cheeks(b, dy=-57)
    smile(b, dy=-56)
    return Anchors(top=-90)


def _critter(b: Body, muzzle: bool = False, belly: RGB | None = None, face: bool = True) -> None:
    """The shared build: body, tummy, head, and (unless ``face`` is False) the face."""
    standard_body(b)
    if belly:
        b.oval(0, -23, 11, 13, belly, line=False)
    else:
        tummy(b)
    head(b)
    if muzzle:
        b.oval(0, -58, 10, 7.5, b.light, line=False)
    if face:
        _face(b, muzzle)


def _face(b: Body, muzzle: bool = False) -> None:
    eyes(b)
    cheeks(b)
    if not muzzle:
        smile(b, dy=HEAD_Y + 9)
    else:
        b.arc(0, -57, 3.6, 2.6, 25, 155, EYE, 1.1)


def _tail(b: Body, spec: tuple[tuple[float, float], ...], thick: float) -> None:
    b.stroke(spec, b.ink, thick + 2.8)
    b.stroke(spec, b.look.coat, thick)


def _whiskers(b: Body) -> None:
    for side in (-1, 1):
        for dy in (-2.5, 1.5):
            b.stroke([(side * 12, -60 + dy * 0.4), (side * 27, -60 + dy * 1.6)], b.ink, 0.6)


KINDS: dict[str, Callable[[Body], Anchors]] = {
    "bunny": bunny,
    "bear": bear,
    "cat": cat,
    "fox": fox,
    "mouse": mouse,
    "owl": owl,
    "penguin": penguin,
    "frog": frog,
    "puppy": puppy,
    "dragon": dragon,
    "child": child,
}
