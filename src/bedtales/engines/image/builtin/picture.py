"""Putting the picture together, back to front: sky, moon, land, characters, title.

One random generator, seeded from the story's id, makes every choice in order, so the same
story is painted the same way to the last byte and each new story differently.
"""

from __future__ import annotations

import io

from PIL import Image

from bedtales.engines.image import PictureRequest
from bedtales.engines.image.builtin.canvas import SIZE, Canvas
from bedtales.engines.image.builtin.color import seeded
from bedtales.engines.image.builtin.figures import paint_characters
from bedtales.engines.image.builtin.lettering import paint_title, title_bottom
from bedtales.engines.image.builtin.places import PALETTES, setting_for
from bedtales.engines.image.builtin.scenery import PAINTERS
from bedtales.engines.image.builtin.sky import (
    paint_clouds,
    paint_gradient,
    paint_moon,
    paint_shooting_star,
    paint_stars,
)
from bedtales.engines.image.builtin.stage import HORIZON, Moon, Stage

THUMBNAIL = 256


def paint(request: PictureRequest) -> Image.Image:
    """The 1024x1024 picture for a story."""
    rng = seeded("picture", request.story_id)
    setting = setting_for(request.scene)
    palette = PALETTES[setting]
    canvas = Canvas()
    sky = paint_gradient(canvas, rng, palette)
    paint_stars(canvas, rng, HORIZON, 260 if setting == "space" else 170)
    # The title is lettered last (on top) but laid out first: the moon must stay below it.
    top = title_bottom(request.title)
    moon = Moon(
        x=rng.choice((rng.uniform(130, 330), rng.uniform(SIZE - 330, SIZE - 130))),
        y=rng.uniform(max(top + 90, 250), 420),
        r=rng.uniform(44, 60),
    )
    if setting != "space":
        paint_clouds(canvas, rng, sky[1], top + 60, HORIZON - 120)
    paint_moon(canvas, rng, moon.x, moon.y, moon.r, sky[1])
    if rng.random() < 0.45:
        paint_shooting_star(canvas, rng, top + 40, HORIZON - 160)
    PAINTERS[setting](Stage(canvas, rng, palette, sky, moon))
    paint_characters(canvas, request.characters)
    paint_title(canvas, request.title)
    return canvas.finish()


def png(image: Image.Image) -> bytes:
    """PNG bytes; no timestamps or other varying chunks, so equal pictures are equal bytes."""
    out = io.BytesIO()
    image.save(out, "PNG", compress_level=6)
    return out.getvalue()


def thumbnail(image: Image.Image) -> Image.Image:
    return image.resize((THUMBNAIL, THUMBNAIL), Image.Resampling.LANCZOS)
