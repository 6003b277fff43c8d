"""The title, lettered on a soft cloud across the top of the picture.

The title is wrapped onto at most three lines, shrinking the letters for long titles and
cutting the longest with an ellipsis. Any text is drawn as text, never interpreted:
quotes, ``<script>`` and emoji are just letters here.
"""

from __future__ import annotations

import math
import random
from functools import lru_cache

from PIL import Image, ImageDraw, ImageFilter, ImageFont

from bedtales.engines.image.builtin.canvas import SCALE, SIZE, Canvas
from bedtales.engines.image.builtin.color import RGB
from bedtales.engines.image.builtin.fonts import BUNDLED, Font, drawable, font_for, font_name_for

INK: RGB = (46, 40, 92)
CLOUD: RGB = (252, 247, 236)
SHADOW: RGB = (20, 12, 60)
MAX_LINES = 3
LEADING = 1.18  # line spacing, in letter sizes
TEXT_WIDTH = 760.0  # picture units the lines may span
TOP = 44.0  # the top of the cloud
LONGEST = 400  # more letters than three lines can ever hold: the rest is never measured


def tidy(title: str) -> str:
    return " ".join(title.split())


def _text(title: str) -> str:
    """The title as it is set: tidied, and no longer than three lines could ever hold."""
    return tidy(title)[:LONGEST]


def wrap(text: str, font: Font, width: float, most: int = MAX_LINES) -> list[str]:
    """Greedy word wrap to ``width`` pixels; over-long words are broken between letters.

    Wrapping stops once there are more than ``most`` lines: the rest would not be shown.
    """
    lines: list[str] = []
    line = ""
    for word in text.split(" "):
        if len(lines) > most:
            break
        candidate = f"{line} {word}" if line else word
        if font.getlength(candidate) <= width:
            line = candidate
            continue
        if line:
            lines.append(line)
        line = word
        while font.getlength(line) > width and len(line) > 1 and len(lines) <= most:
            cut = _fitting(line, font, width)
            lines.append(line[:cut])
            line = line[cut:]
    if line:
        lines.append(line)
    return lines


def _fitting(text: str, font: Font, width: float) -> int:
    """How many leading letters of ``text`` fit in ``width`` (at least one)."""
    cut = 1
    while cut < len(text) and font.getlength(text[: cut + 1]) <= width:
        cut += 1
    return cut


@lru_cache(maxsize=16)
def layout(title: str) -> tuple[Font, tuple[str, ...], float]:
    """The font, the lines and the letter size (in picture units) the title is set in."""
    text = _text(title)
    for size in (62.0, 56.0, 50.0, 45.0, 40.0, 36.0):
        font = font_for(text, round(size * SCALE))
        lines = wrap(drawable(text, font), font, TEXT_WIDTH * SCALE)
        if len(lines) <= MAX_LINES:
            return font, tuple(lines), size
    lines = lines[:MAX_LINES]
    last = lines[-1]
    while last and font.getlength(last + "…") > TEXT_WIDTH * SCALE:
        last = last[:-1]
    lines[-1] = last.rstrip() + "…"
    return font, tuple(lines), size


def _height(lines: tuple[str, ...], size: float) -> float:
    return size * LEADING * len(lines) + size * 0.55


def title_bottom(title: str) -> float:
    """Where the title's cloud will end, in picture units down from the top."""
    if not tidy(title):
        return TOP
    _, lines, size = layout(title)
    return TOP + _height(lines, size)


def paint_title(canvas: Canvas, title: str) -> None:
    """Letter the title on its cloud across the top of the picture."""
    if not tidy(title):
        return
    font, lines, size = layout(title)
    leading = size * LEADING
    widest = max(font.getlength(line) for line in lines) / SCALE
    height = _height(lines, size)
    _cloud(canvas, SIZE / 2, TOP, max(widest + 80, 360), height)
    # The bundled font has one weight; a hairline stroke of the same ink makes it bolder.
    bold = isinstance(font, ImageFont.FreeTypeFont) and font_name_for(_text(title)) == BUNDLED
    stroke = round(size * SCALE * 0.03) if bold else 0
    top, bottom = font.getbbox("Hg")[1::2]
    for i, line in enumerate(lines):
        left, right = font.getbbox(line)[::2]
        middle = (TOP + size * 0.35 + leading * (i + 0.5)) * SCALE
        canvas.draw.text(
            (SIZE / 2 * SCALE - (left + right) / 2, middle - (top + bottom) / 2),
            line,
            font=font,
            fill=INK,
            stroke_width=stroke,
            stroke_fill=INK,
        )


def _cloud(canvas: Canvas, cx: float, top: float, width: float, height: float) -> None:
    """A soft cloud: a rounded panel, big puffs along the top, small ones below, a shadow."""
    rng = random.Random(round(width))  # the puffs follow the title's width: same title, same cloud
    left, bottom = cx - width / 2, top + height
    count = max(4, math.ceil(width / 92))
    puffs = [
        (left + 34 + (width - 68) * (i + rng.uniform(0.35, 0.65)) / count, rng.uniform(26, 38))
        for i in range(count)
    ]
    lumps = [
        (left + 26 + (width - 52) * i / (count + 1), rng.uniform(15, 22)) for i in range(count + 2)
    ]
    canvas.through(
        (left - 40, top - 30, left + width + 40, bottom + 50),
        SHADOW,
        _cloud_mask(
            left - 40,
            top - 30,
            width + 80,
            height + 80,
            puffs,
            lumps,
            (left, top + 14, width, height),
        ),
    )
    for x, r in puffs:
        canvas.circle(x, top + 12, r, CLOUD)
    for x, r in lumps:
        canvas.circle(x, bottom - 4, r, CLOUD)
    canvas.rect((left, top, left + width, bottom), CLOUD, radius=30)


def _cloud_mask(
    x0: float,
    y0: float,
    width: float,
    height: float,
    puffs: list[tuple[float, float]],
    lumps: list[tuple[float, float]],
    panel: tuple[float, float, float, float],
) -> Image.Image:
    """The cloud's shape, moved down a little and blurred, on a small mask: its shadow."""
    step = 4.0
    mask = Image.new("L", (round(width / step), round(height / step)))
    draw = ImageDraw.Draw(mask)
    left, top, w, h = (
        (panel[0] - x0) / step,
        (panel[1] - y0) / step,
        panel[2] / step,
        panel[3] / step,
    )
    draw.rounded_rectangle((left, top, left + w, top + h), radius=30 / step, fill=120)
    for x, r in puffs:
        cx, r = (x - x0) / step, r / step
        draw.ellipse((cx - r, top + 12 / step - r, cx + r, top + 12 / step + r), fill=120)
    for x, r in lumps:
        cx, r = (x - x0) / step, r / step
        draw.ellipse((cx - r, top + h - 4 / step - r, cx + r, top + h - 4 / step + r), fill=120)
    return mask.filter(ImageFilter.GaussianBlur(3))
