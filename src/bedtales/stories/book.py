"""The picture book: a story as an A5 PDF, to print and staple or to read from a tablet in bed.

A cover with the title and the picture, then the stanzas in large type with generous leading
(a child follows along, a tired parent reads without glasses), as many whole stanzas to a page
as fit, then "The End". The text is real, embedded DejaVu Serif text: it can be searched,
copied and read aloud by a screen reader, and prints the same everywhere.

Titles and lines come from people and models, so nothing in them is trusted: fpdf2 writes
every string as encoded glyphs (never as PDF syntax), and :func:`printable` first turns
control characters into spaces and removes what no embedded font can draw (emoji), so a
line of "%PDF" or "<script>" is simply printed, and an unknown letter shows as "�" rather
than as a silent gap.

fpdf2 subsets each font in place when it writes a document, so a parsed font cannot be
shared between books; what is cached is where the fonts are and which characters they cover.
"""

from __future__ import annotations

import io
import logging
import unicodedata
from datetime import UTC
from functools import lru_cache
from itertools import chain
from pathlib import Path
from typing import cast

from fontTools import ttLib  # type: ignore[import-untyped]  # no stubs; one call, typed below
from fpdf import FPDF
from fpdf.enums import Align, XPos, YPos
from PIL import Image, UnidentifiedImageError

from bedtales.errors import ConfigError
from bedtales.stories.views import StoryView

log = logging.getLogger(__name__)

FONT_PACKAGE = "fonts-dejavu-core"
# Debian's folder first, then where other systems put DejaVu.
FONT_DIRS = (
    Path("/usr/share/fonts/truetype/dejavu"),
    Path("/usr/share/fonts/dejavu"),
    Path("/usr/share/fonts/TTF"),
    Path("/usr/local/share/fonts"),
    Path("/opt/homebrew/share/fonts"),
)
SERIF = "serif"
SANS = "sans"
# (family, style, file): the serif sets the book; the sans is the fallback for the symbols
# and scripts it has that the serif lacks (★, ♥, Arabic).
FONT_FILES = (
    (SERIF, "", "DejaVuSerif.ttf"),
    (SERIF, "B", "DejaVuSerif-Bold.ttf"),
    (SERIF, "I", "DejaVuSerif-Italic.ttf"),
    (SANS, "", "DejaVuSans.ttf"),
)
UNKNOWN_LETTER = "\ufffd"

PAGE_MM = (148.0, 210.0)  # A5 portrait
MARGIN = 16.0
TOP = 18.0
BOTTOM = 20.0  # room for the page number
PT = 25.4 / 72  # millimetres in a point
BODY_PT = 17.0
BODY_LINE = BODY_PT * 1.5 * PT  # generous leading
STANZA_GAP = BODY_LINE * 0.7
HANGING = 8.0  # indent of a long line's continuation
TITLE_SIZES_PT = (30.0, 26.0, 22.0, 18.0, 15.0)  # tried in turn until the title fits
TITLE_MAX_MM = 62.0  # of the cover, above the picture
DEDICATION_PT = 13.0
JPEG_QUALITY = 90  # with full colour resolution: crisp in print at A5


def picture_book(view: StoryView, picture: bytes | None, *, names: str) -> bytes:
    """The story as an A5 PDF picture book.

    ``picture`` is the story's PNG once it is ready (None while pending or failed: the cover
    then simply has none); ``names`` are the characters as said aloud ("Milo and Luna"),
    for the dedication on the cover. The PDF's creation date is the story's, so the same
    story always gives the same bytes.
    """
    title, dedication = printable(view.title), _dedication(names)
    stanzas = [[text for line in stanza if (text := printable(line))] for stanza in view.stanzas]
    pdf = _new_book(
        view, title, sans=_needs_sans([title, dedication, *chain.from_iterable(stanzas)])
    )
    _cover(pdf, title, _picture(picture), dedication, printable(view.scene))
    pdf.add_page()
    for lines in stanzas:
        _stanza(pdf, lines)
    _the_end(pdf)
    return bytes(pdf.output())


class _Book(FPDF):
    """An fpdf2 document whose pages, all but the cover, carry their number."""

    def footer(self) -> None:
        if self.page_no() == 1:
            return
        self.set_y(-BOTTOM + 6)
        self.set_font(SERIF, "", 10)
        self.cell(0, 6, str(self.page_no()), align=Align.C)


def _new_book(view: StoryView, title: str, *, sans: bool) -> _Book:
    pdf = _Book(orientation="P", unit="mm", format=PAGE_MM)
    for family, style, path in _font_paths():
        if family == SERIF or sans:  # parsing a font is most of a book's time: only if used
            pdf.add_font(family, style, path)
    if sans:
        pdf.set_fallback_fonts([SANS], exact_match=False)
    pdf.set_margins(MARGIN, TOP, MARGIN)
    pdf.set_auto_page_break(True, margin=BOTTOM)
    pdf.set_title(title)
    pdf.set_author("bedtales")
    pdf.set_creator("bedtales")
    created = view.created_at
    pdf.set_creation_date(created if created.tzinfo else created.replace(tzinfo=UTC))
    return pdf


@lru_cache(maxsize=1)
def _font_paths() -> tuple[tuple[str, str, str], ...]:
    """Where each DejaVu file is, looked up once; a clear error naming the package if not."""
    found = []
    for family, style, name in FONT_FILES:
        path = next((d / name for d in FONT_DIRS if (d / name).is_file()), None)
        if path is None:
            searched = ", ".join(str(d) for d in FONT_DIRS)
            raise ConfigError(
                f"the picture book needs the font {name}, found in none of {searched}: "
                f"install the Debian package {FONT_PACKAGE}"
            )
        found.append((family, style, str(path)))
    return tuple(found)


@lru_cache(maxsize=1)
def _serif_coverage() -> frozenset[int]:
    """The characters every serif style has: text of only these needs no fallback font."""
    cmaps = [_cmap(path) for family, _, path in _font_paths() if family == SERIF]
    return frozenset.intersection(*cmaps)


@lru_cache(maxsize=1)
def _coverage() -> frozenset[int]:
    """The characters the book can draw: every serif style has them, or the sans does."""
    sans = [_cmap(path) for family, _, path in _font_paths() if family == SANS]
    return _serif_coverage().union(*sans)


def _needs_sans(texts: list[str]) -> bool:
    serif = _serif_coverage()
    return any(ord(ch) not in serif for text in texts for ch in text)


def _cmap(path: str) -> frozenset[int]:
    font = ttLib.TTFont(path, lazy=True)
    try:
        return frozenset(font.getBestCmap())
    finally:
        font.close()


def printable(text: str) -> str:
    """``text`` on one line as the book's fonts can draw it.

    Controls and line breaks become spaces; a letter or digit no font has becomes "�" (a
    name never silently loses a letter); anything else missing (emoji, stray surrogates) is
    left out.
    """
    coverage = _coverage()
    kept = []
    for ch in text:
        category = unicodedata.category(ch)
        if category in ("Cc", "Zl", "Zp"):
            kept.append(" ")
        elif ord(ch) in coverage:
            kept.append(ch)
        elif category[0] in "LN":
            kept.append(UNKNOWN_LETTER)
    return " ".join("".join(kept).split())


def _dedication(names: str) -> str:
    said = printable(names)
    return f"A bedtime story for {said}" if said else "A bedtime story"


def _picture(picture: bytes | None) -> io.BytesIO | None:
    """The picture as a JPEG on white paper, or None: a damaged file costs the cover its
    picture, not the book. A JPEG, because fpdf2 embeds one as it is, where it would deflate
    a PNG's pixels again (most of a book's time, and a file several times larger)."""
    if picture is None:
        return None
    try:
        with Image.open(io.BytesIO(picture)) as image:
            rgba = image.convert("RGBA")
    except (UnidentifiedImageError, Image.DecompressionBombError, OSError, ValueError) as exc:
        log.warning("picture book: the story's picture cannot be read (%s); cover without it", exc)
        return None
    paper = Image.new("RGBA", rgba.size, "white")
    jpeg = io.BytesIO()
    Image.alpha_composite(paper, rgba).convert("RGB").save(
        jpeg, "JPEG", quality=JPEG_QUALITY, subsampling=0
    )
    return jpeg


def _cover(pdf: _Book, title: str, picture: io.BytesIO | None, dedication: str, scene: str) -> None:
    """Title at the top, the picture as large as the rest allows, the dedication beneath;
    without a picture, title and dedication sit together a little above the middle."""
    pdf.add_page()
    pdf.set_auto_page_break(False)  # a cover is one page, whatever its title
    size, height = _title_size(pdf, title)
    dedication_y = PAGE_MM[1] - BOTTOM - 10
    if picture is None:
        pdf.set_y(max(TOP, (PAGE_MM[1] - height) * 0.4))
    _title(pdf, title, size)
    if picture is not None:
        top = pdf.get_y() + 8
        side = min(pdf.epw, dedication_y - 6 - top)
        pdf.image(
            picture,
            x=(PAGE_MM[0] - side) / 2,
            y=top,
            w=side,
            h=side,
            keep_aspect_ratio=True,
            alt_text=scene or None,
        )
    else:
        dedication_y = pdf.get_y() + 12
    pdf.set_xy(MARGIN, dedication_y)
    pdf.set_font(SERIF, "I", DEDICATION_PT)
    _wrap(pdf, dedication, DEDICATION_PT * 1.3 * PT, Align.C)
    pdf.set_auto_page_break(True, margin=BOTTOM)


def _title_size(pdf: _Book, title: str) -> tuple[float, float]:
    """The largest size (pt) that keeps the title to its share of the cover without breaking
    a word, and its height; at the smallest size, a word too long for a line is broken."""
    words = title.split() or [""]
    for size in TITLE_SIZES_PT:
        height = _title(pdf, title, size, dry_run=True)
        widest = max(pdf.get_string_width(word) for word in words) + 2 * pdf.c_margin
        if height <= TITLE_MAX_MM and widest <= pdf.epw:
            break
    return size, height


def _title(pdf: _Book, title: str, size: float, *, dry_run: bool = False) -> float:
    """Writes (or only measures) the title, centred and wrapped, in bold at ``size`` pt."""
    pdf.set_font(SERIF, "B", size)
    return _wrap(pdf, title, size * 1.25 * PT, Align.C, dry_run=dry_run)


def _stanza(pdf: _Book, lines: list[str]) -> None:
    """Whole on this page if it fits, else on a fresh one; only a stanza taller than a page
    is split (by the automatic page break)."""
    pdf.set_font(SERIF, "", BODY_PT)
    rows = [row for line in lines for row in _rows(pdf, line)]
    if not rows:
        return
    at_top = pdf.get_y() <= TOP + 0.01
    gap = 0.0 if at_top else STANZA_GAP
    if not at_top and pdf.will_page_break(gap + len(rows) * BODY_LINE):
        pdf.add_page()
        gap = 0.0
    pdf.set_y(pdf.get_y() + gap)
    for indent, row in rows:
        pdf.set_x(MARGIN + indent)
        pdf.cell(pdf.epw - indent, BODY_LINE, row, new_x=XPos.LMARGIN, new_y=YPos.NEXT)


def _rows(pdf: _Book, line: str) -> list[tuple[float, str]]:
    """The printed rows of one line of verse, with their indents: a line too wide for the
    page wraps, its continuation indented as poems are."""
    if pdf.get_string_width(line) + 2 * pdf.c_margin <= pdf.epw:  # most lines
        return [(0.0, line)]
    pieces = pdf.multi_cell(pdf.epw - HANGING, BODY_LINE, line, dry_run=True, output="LINES")
    return [(HANGING if n else 0.0, piece) for n, piece in enumerate(cast(list[str], pieces))]


def _wrap(pdf: _Book, text: str, line: float, align: Align, *, dry_run: bool = False) -> float:
    """Writes (or only measures) ``text`` wrapped to the page's width; gives its height."""
    height = pdf.multi_cell(
        pdf.epw,
        line,
        text,
        align=align,
        new_x=XPos.LMARGIN,
        new_y=YPos.NEXT,
        dry_run=dry_run,
        output="HEIGHT",
    )
    return cast(float, height)


def _the_end(pdf: _Book) -> None:
    """ "The End", centred after the last stanza, or at the top of a page of its own."""
    pdf.set_font(SERIF, "I", BODY_PT + 3)
    height = (BODY_PT + 3) * 1.5 * PT
    gap = 2 * STANZA_GAP
    if pdf.will_page_break(gap + height):
        pdf.add_page()
        gap = 0.0
    pdf.set_y(pdf.get_y() + gap)
    pdf.cell(pdf.epw, height, "The End", align=Align.C)
