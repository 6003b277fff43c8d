"""The canvas: a 1024-unit square, painted at twice the size and shrunk for soft edges.

Everything is drawn in picture units (0 to 1024 across and down) so the drawing code reads
like the picture; the canvas scales to its pixels. Painting at 2x and averaging each 2x2
block on the way out (:meth:`Canvas.finish`) gives smooth, anti-aliased edges, which plain
Pillow shapes lack, for a fraction of the cost of blurring.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
from PIL import Image, ImageDraw

from bedtales.engines.image.builtin.color import RGB, RGBA

SIZE = 1024  # picture units across and down, and the size of the finished picture
SCALE = 2  # pixels per unit while painting

Point = tuple[float, float]
Ink = RGB | RGBA


def oval(
    cx: float, cy: float, rx: float, ry: float, angle: float = 0.0, n: int = 36
) -> list[Point]:
    """Points around an ellipse turned by ``angle`` degrees: Pillow cannot turn its own."""
    turn = math.radians(angle)
    cos, sin = math.cos(turn), math.sin(turn)
    points = []
    for i in range(n):
        t = 2 * math.pi * i / n
        x, y = rx * math.cos(t), ry * math.sin(t)
        points.append((cx + x * cos - y * sin, cy + x * sin + y * cos))
    return points


def star_points(cx: float, cy: float, outer: float, inner: float, tips: int = 5) -> list[Point]:
    """A star's outline, one tip straight up."""
    points = []
    for i in range(tips * 2):
        r = outer if i % 2 == 0 else inner
        t = math.pi * i / tips - math.pi / 2
        points.append((cx + r * math.cos(t), cy + r * math.sin(t)))
    return points


class Canvas:
    """A picture being painted; all coordinates and sizes are in picture units."""

    def __init__(self, background: RGB = (0, 0, 0)) -> None:
        self.image = Image.new("RGB", (SIZE * SCALE, SIZE * SCALE), background)
        self.draw = ImageDraw.Draw(self.image, "RGBA")  # RGBA inks blend over the picture

    def _xy(self, points: Sequence[Point]) -> list[Point]:
        return [(x * SCALE, y * SCALE) for x, y in points]

    @staticmethod
    def _width(width: float) -> int:
        return max(1, round(width * SCALE))

    def ellipse(
        self,
        cx: float,
        cy: float,
        rx: float,
        ry: float,
        fill: Ink | None,
        outline: Ink | None = None,
        width: float = 0.0,
    ) -> None:
        box = ((cx - rx) * SCALE, (cy - ry) * SCALE, (cx + rx) * SCALE, (cy + ry) * SCALE)
        if box[2] - box[0] < 1 or box[3] - box[1] < 1:
            return
        self.draw.ellipse(
            box, fill=fill, outline=outline, width=self._width(width) if outline else 0
        )

    def circle(
        self,
        cx: float,
        cy: float,
        r: float,
        fill: Ink | None,
        outline: Ink | None = None,
        width: float = 0.0,
    ) -> None:
        self.ellipse(cx, cy, r, r, fill, outline, width)

    def polygon(
        self,
        points: Sequence[Point],
        fill: Ink | None,
        outline: Ink | None = None,
        width: float = 0.0,
    ) -> None:
        if outline:
            self.draw.polygon(
                self._xy(points), fill=fill, outline=outline, width=self._width(width)
            )
        else:
            self.draw.polygon(self._xy(points), fill=fill)

    def line(
        self, points: Sequence[Point], fill: Ink, width: float, round_ends: bool = True
    ) -> None:
        """A stroke through the points, with curved joints and (by default) round ends."""
        self.draw.line(self._xy(points), fill=fill, width=self._width(width), joint="curve")
        if round_ends and width * SCALE >= 3:
            for x, y in (points[0], points[-1]):
                self.ellipse(x, y, width / 2 - 0.25, width / 2 - 0.25, fill)

    def rect(self, box: tuple[float, float, float, float], fill: Ink, radius: float = 0.0) -> None:
        scaled = tuple(v * SCALE for v in box)
        if radius > 0:
            self.draw.rounded_rectangle(scaled, radius=radius * SCALE, fill=fill)
        else:
            self.draw.rectangle(scaled, fill=fill)

    def arc(
        self,
        cx: float,
        cy: float,
        rx: float,
        ry: float,
        start: float,
        end: float,
        fill: Ink,
        width: float,
    ) -> None:
        """Part of an ellipse's rim, angles in degrees clockwise from three o'clock."""
        box = ((cx - rx) * SCALE, (cy - ry) * SCALE, (cx + rx) * SCALE, (cy + ry) * SCALE)
        self.draw.arc(box, start, end, fill=fill, width=self._width(width))

    def chord(
        self, cx: float, cy: float, rx: float, ry: float, start: float, end: float, fill: Ink
    ) -> None:
        box = ((cx - rx) * SCALE, (cy - ry) * SCALE, (cx + rx) * SCALE, (cy + ry) * SCALE)
        self.draw.chord(box, start, end, fill=fill)

    def glow(self, cx: float, cy: float, radius: float, color: RGB, strength: float) -> None:
        """A soft round light fading to nothing at ``radius``: moonlight, lanterns, fireflies."""
        r = radius * SCALE
        left, top = math.floor(cx * SCALE - r), math.floor(cy * SCALE - r)
        right, bottom = math.ceil(cx * SCALE + r), math.ceil(cy * SCALE + r)
        limit = SIZE * SCALE
        left, top, right, bottom = max(left, 0), max(top, 0), min(right, limit), min(bottom, limit)
        if right <= left or bottom <= top:
            return
        # Wide glows are smooth, so they are worked out coarsely and stretched: much faster.
        step = max(1, int(r // 48))
        width, height = right - left, bottom - top
        ys = (np.arange(top, bottom, step, dtype=np.float32) + step / 2 - cy * SCALE) / r
        xs = (np.arange(left, right, step, dtype=np.float32) + step / 2 - cx * SCALE) / r
        falloff = np.clip(1.0 - np.sqrt(ys[:, None] ** 2 + xs[None, :] ** 2), 0.0, 1.0)
        mask = Image.fromarray((falloff**2.2 * (255 * strength)).astype(np.uint8), "L")
        if step > 1:
            mask = mask.resize((width, height), Image.Resampling.BILINEAR)
        self.image.paste(color, (left, top, right, bottom), mask)

    def through(
        self, box: tuple[float, float, float, float], color: RGB, mask: Image.Image
    ) -> None:
        """Paint ``color`` through a greyscale mask stretched over ``box``.

        Soft things (clouds, the aurora) are drawn on a small mask, blurred, and stretched:
        a blur at full size would cost many times more.
        """
        left, top, right, bottom = (round(v * SCALE) for v in box)
        stretched = mask.resize((right - left, bottom - top), Image.Resampling.BILINEAR)
        self.image.paste(color, (left, top, right, bottom), stretched)

    def gradient(self, top: float, bottom: float, stops: Sequence[tuple[float, RGB]]) -> None:
        """Fill the band from ``top`` to ``bottom`` with colours changing downwards."""
        y0, y1 = round(top * SCALE), round(bottom * SCALE)
        positions = np.array([t for t, _ in stops], dtype=np.float32)
        ts = np.linspace(0.0, 1.0, y1 - y0, dtype=np.float32)
        column = np.empty((y1 - y0, 1, 3), dtype=np.uint8)
        for channel in range(3):
            values = np.array([c[channel] for _, c in stops], dtype=np.float32)
            column[:, 0, channel] = np.round(np.interp(ts, positions, values))
        band = Image.fromarray(column, "RGB").resize(
            (SIZE * SCALE, y1 - y0), Image.Resampling.NEAREST
        )
        self.image.paste(band, (0, y0))

    def finish(self) -> Image.Image:
        """The finished 1024x1024 picture: every 2x2 block of paint averaged into a pixel."""
        return self.image.reduce(SCALE)
