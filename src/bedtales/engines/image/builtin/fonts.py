"""Finding a font that can write the title.

Pillow bundles a FreeType font (Aileron, from :func:`ImageFont.load_default`), which works
in any fresh virtualenv but has only the basic Latin letters. When a title needs letters it
lacks ("Zoë", "Лиза", "小明"), a common system font that has them is used instead, looked
up by file name the way Pillow searches the system's font folders. If nothing has the
letters, the bundled font draws them as boxes: the picture is still made.
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache

from PIL import Image, ImageDraw, ImageFont

Font = ImageFont.FreeTypeFont | ImageFont.ImageFont

BUNDLED = "<bundled>"
# Tried in order when the bundled font lacks a letter; each is found only where installed.
SYSTEM_FONTS = (
    "DejaVuSans-Bold.ttf",
    "NotoSans-Bold.ttf",
    "LiberationSans-Bold.ttf",
    "FreeSansBold.ttf",
    "Arial Unicode.ttf",
    "arialbd.ttf",
    "DejaVuSans.ttf",
)
_MISSING = "\U000f0000"  # a private-use letter no font draws: shows a font's "no glyph" box


@lru_cache(maxsize=16)
def _path(name: str) -> str | None:
    """Where the system font called ``name`` is, or None: searched for once, then known."""
    try:
        font = ImageFont.truetype(name, 24)
    except OSError:
        return None
    return str(font.path)


@lru_cache(maxsize=64)
def load(name: str, size: int) -> Font | None:
    """The font called ``name`` at ``size`` pixels, or None where it is not installed."""
    if name == BUNDLED:
        return ImageFont.load_default(size=size)
    path = _path(name)
    return None if path is None else ImageFont.truetype(path, size)


@lru_cache(maxsize=4096)
def _has(name: str, letter: str) -> bool:
    """Whether the font draws ``letter`` as itself rather than as its "no glyph" box."""
    font = load(name, 24)
    if not isinstance(font, ImageFont.FreeTypeFont):
        return font is not None and letter == drawable(letter, font)
    return _drawing(font, letter) != _drawing(font, _MISSING)


def drawable(text: str, font: Font) -> str:
    """``text`` as ``font`` can take it: Pillow's bitmap fonts (without FreeType) take Latin-1."""
    if isinstance(font, ImageFont.FreeTypeFont):
        return text
    return text.encode("latin-1", "replace").decode("latin-1")


@lru_cache(maxsize=4096)
def _drawing(font: Font, letter: str) -> bytes:
    image = Image.new("L", (48, 48))
    ImageDraw.Draw(image).text((8, 4), letter, fill=255, font=font)
    return image.tobytes()


def _letters(text: str) -> set[str]:
    """The letters whose shapes must be in the font (not spaces, marks or controls)."""
    return {ch for ch in text if unicodedata.category(ch)[0] not in "ZMC"}


def font_name_for(text: str) -> str:
    """The bundled font if it has every letter, else the installed font that has the most."""
    letters = _letters(text)
    best, best_count = BUNDLED, sum(_has(BUNDLED, ch) for ch in letters)
    if best_count == len(letters):
        return best
    for name in SYSTEM_FONTS:
        count = sum(_has(name, ch) for ch in letters)
        if count > best_count:
            best, best_count = name, count
        if count == len(letters):
            break
    return best


def font_for(text: str, size: int) -> Font:
    """A font of ``size`` pixels that can write ``text`` as well as anything installed."""
    font = load(font_name_for(text), size)
    return font if font is not None else ImageFont.load_default(size=size)
