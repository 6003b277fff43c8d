"""The ``builtin`` image engine: an offline children's-book illustrator, in Pillow alone.

It paints a night scene for the story: the setting read from the scene's words (woods, sea,
castle, space, mountains, snow, garden, farm, city, jungle, desert, or gentle cottage hills),
a sky with the moon and stars, every character as a friendly creature whose look comes
from its name, and the title lettered on a cloud. The same story always gives the same
picture, byte for byte; different stories get different skies, moons and colours.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from bedtales.engines.image import ImageEngine, Picture, PictureRequest, register
from bedtales.engines.image.builtin.looks import Look, look_for
from bedtales.engines.image.builtin.places import DEFAULT, SETTINGS, setting_for

if TYPE_CHECKING:
    from bedtales.config import Settings

__all__ = ["DEFAULT", "SETTINGS", "BuiltinIllustrator", "Look", "look_for", "setting_for"]


class BuiltinIllustrator:
    """Paints a 1024x1024 PNG and a 256x256 thumbnail for a story, offline."""

    name = "builtin"

    def illustrate(self, request: PictureRequest) -> Picture:
        # Pillow and numpy load on first use, so listing the engines stays cheap.
        from bedtales.engines.image.builtin.picture import paint, png, thumbnail

        image = paint(request)
        return Picture(
            data=png(image),
            mime="image/png",
            width=image.width,
            height=image.height,
            thumbnail=png(thumbnail(image)),
            engine=self.name,
        )


@register("builtin")
def create_engine(settings: Settings) -> ImageEngine:
    return BuiltinIllustrator()
