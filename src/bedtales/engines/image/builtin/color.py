"""Colours and seeds: small helpers shared by every part of the picture.

Colours are plain ``(r, g, b)`` or ``(r, g, b, a)`` tuples so they go straight into Pillow.
Seeds come from SHA-256, never from :func:`hash`, which Python salts per process: the same
story and the same name must look the same in every run, on every machine.
"""

from __future__ import annotations

import colorsys
import hashlib
import random

RGB = tuple[int, int, int]
RGBA = tuple[int, int, int, int]


def digest(*parts: str) -> bytes:
    """A stable 32-byte digest of some text (parts kept apart, so "ab","c" != "a","bc")."""
    return hashlib.sha256("\x1f".join(parts).encode("utf-8", "surrogatepass")).digest()


def seeded(*parts: str) -> random.Random:
    """A random generator that gives the same sequence for the same text, always."""
    return random.Random(int.from_bytes(digest(*parts)[:16], "big"))


def _clamp(value: float) -> int:
    return max(0, min(255, round(value)))


def mix(a: RGB, b: RGB, t: float) -> RGB:
    """The colour ``t`` of the way from ``a`` to ``b``."""
    return (
        _clamp(a[0] + (b[0] - a[0]) * t),
        _clamp(a[1] + (b[1] - a[1]) * t),
        _clamp(a[2] + (b[2] - a[2]) * t),
    )


def shade(color: RGB, factor: float) -> RGB:
    """Darker (factor < 1) or lighter towards white (factor > 1), keeping the hue."""
    if factor <= 1:
        return mix((0, 0, 0), color, factor)
    return mix(color, (255, 255, 255), factor - 1)


def alpha(color: RGB, opacity: float) -> RGBA:
    """The colour with an opacity from 0 to 1, for translucent strokes and fills."""
    return (color[0], color[1], color[2], _clamp(opacity * 255))


def tint(color: RGB, rng: random.Random, hue: float = 0.03, light: float = 0.06) -> RGB:
    """A gentle variation of a colour: hue turned and brightness nudged by a little."""
    h, lum, s = colorsys.rgb_to_hls(*(c / 255 for c in color))
    h = (h + rng.uniform(-hue, hue)) % 1.0
    lum = min(1.0, max(0.0, lum * (1 + rng.uniform(-light, light))))
    r, g, b = colorsys.hls_to_rgb(h, lum, s)
    return (_clamp(r * 255), _clamp(g * 255), _clamp(b * 255))
