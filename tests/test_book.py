"""The picture book: a story as an A5 PDF, read back with pypdf and drawn with pdftoppm."""

from __future__ import annotations

import io
import logging
import shutil
import subprocess
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import cast

import pytest
from PIL import Image, ImageChops, ImageDraw
from pypdf import PageObject, PdfReader
from pypdf.generic import DictionaryObject

from bedtales.errors import ConfigError
from bedtales.stories import book
from bedtales.stories.book import picture_book
from bedtales.stories.views import NarrationView, PictureView, StoryView
from conftest import require_service

A5_PT = (419.53, 595.28)
CREATED = datetime(2026, 3, 14, 19, 30, tzinfo=UTC)
STANZAS = [
    ["The moon rose high above the hill,", "and Milo's house was warm and still."],
    ["Luna found a silver feather,", "soft as clouds and light as weather.", "She tucked it in."],
    ["Goodnight, moon; goodnight, sea;", "goodnight, Luna; goodnight, me."],
]


def story(
    *,
    title: str = "Milo, Luna and the Silver Owl",
    stanzas: list[list[str]] | None = None,
    created_at: datetime = CREATED,
) -> StoryView:
    return StoryView(
        id="story-1",
        household="home",
        title=title,
        scene="a moonlit pine forest where owls hoot softly",
        characters=["Milo", "Luna"],
        stanzas=STANZAS if stanzas is None else stanzas,
        created_at=created_at,
        expires_at=created_at + timedelta(days=7),
        image=PictureView(state="done"),
        audio=NarrationView(state="pending"),
    )


@pytest.fixture(scope="module")
def png() -> bytes:
    """A 1024 by 1024 PNG like the illustrator's: a night sky with a moon."""
    image = Image.new("RGB", (1024, 1024), (20, 24, 64))
    ImageDraw.Draw(image).ellipse((600, 120, 880, 400), fill=(250, 240, 190))
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def pages(pdf: bytes) -> list[str]:
    """Each page's text with its whitespace folded, as a reader's search would see it."""
    return [" ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(pdf)).pages]


def text_of(pdf: bytes) -> str:
    return " ".join(pages(pdf))


def images_on(page: PageObject) -> list[DictionaryObject]:
    xobjects = cast(DictionaryObject, page["/Resources"]).get("/XObject", {})
    found = [xobjects[name].get_object() for name in xobjects]
    return [x for x in found if x["/Subtype"] == "/Image"]


def fonts_of(pdf: bytes) -> Iterator[DictionaryObject]:
    """Every font each page uses, with a composite font's own (descendant) font."""
    for page in PdfReader(io.BytesIO(pdf)).pages:
        resources = cast(DictionaryObject, page["/Resources"])
        for ref in cast(DictionaryObject, resources["/Font"]).values():
            font = ref.get_object()
            yield font
            for descendant in font.get("/DescendantFonts", []):
                yield descendant.get_object()


@pytest.mark.parametrize("with_picture", [True, False])
def test_the_book_reads_the_title_every_line_and_the_end(png: bytes, with_picture: bool) -> None:
    pdf = picture_book(story(), png if with_picture else None, names="Milo and Luna")
    text = text_of(pdf)
    assert "Milo, Luna and the Silver Owl" in text
    for stanza in STANZAS:
        for line in stanza:
            assert line in text
    assert text.index(STANZAS[-1][-1]) < text.rindex("The End")
    assert "A bedtime story for Milo and Luna" in pages(pdf)[0]


def test_pages_are_a5_portrait(png: bytes) -> None:
    reader = PdfReader(io.BytesIO(picture_book(story(), png, names="Milo")))
    for page in reader.pages:
        size = (float(page.mediabox.width), float(page.mediabox.height))
        assert size == pytest.approx(A5_PT, abs=0.5)


def test_fonts_are_embedded(png: bytes) -> None:
    # ★ is not in DejaVu Serif: the sans fallback is used, and must be embedded too
    view = story(stanzas=[["A star ★ for Zoë", "and Лиза"]])
    fonts = list(fonts_of(picture_book(view, png, names="Zoë")))
    described = [font for font in fonts if "/FontDescriptor" in font]
    names = {str(font["/BaseFont"]) for font in described}
    assert any("DejaVuSerif" in name for name in names)
    assert any("DejaVuSans" in name for name in names)
    for font in described:
        descriptor = cast(DictionaryObject, font["/FontDescriptor"].get_object())
        assert "/FontFile2" in descriptor, font["/BaseFont"]


def test_the_cover_has_the_picture_only_when_there_is_one(png: bytes) -> None:
    with_picture = PdfReader(io.BytesIO(picture_book(story(), png, names="Milo"))).pages
    without = PdfReader(io.BytesIO(picture_book(story(), None, names="Milo"))).pages
    assert len(images_on(with_picture[0])) == 1
    assert images_on(without[0]) == []
    assert all(images_on(page) == [] for page in [*with_picture[1:], *without[1:]])


def test_a_damaged_picture_costs_the_cover_its_picture_not_the_book(
    caplog: pytest.LogCaptureFixture,
) -> None:
    with caplog.at_level(logging.WARNING):
        pdf = picture_book(story(), b"\x89PNG but not really", names="Milo")
    assert images_on(PdfReader(io.BytesIO(pdf)).pages[0]) == []
    assert "The End" in text_of(pdf)
    assert "picture cannot be read" in caplog.text


def test_metadata_names_the_story(png: bytes) -> None:
    meta = PdfReader(io.BytesIO(picture_book(story(), png, names="Milo"))).metadata
    assert meta is not None
    assert meta.title == "Milo, Luna and the Silver Owl"
    assert meta.author == "bedtales"
    assert meta.creator == "bedtales"
    assert meta.creation_date == CREATED


def test_a_naive_creation_time_is_taken_as_utc() -> None:
    naive = CREATED.replace(tzinfo=None)
    meta = PdfReader(io.BytesIO(picture_book(story(created_at=naive), None, names=""))).metadata
    assert meta is not None
    assert meta.creation_date == CREATED


def test_the_same_story_gives_the_same_bytes(png: bytes) -> None:
    assert picture_book(story(), png, names="Milo") == picture_book(story(), png, names="Milo")


def test_names_in_any_script_come_out_as_written(caplog: pytest.LogCaptureFixture) -> None:
    title = "Zoë, Ali\u200creza and Лиза"
    lines = ["Chloé and Renée ran to the sea,", "Ali\u200creza followed, and so did Лиза."]
    with caplog.at_level(logging.WARNING):
        pdf = picture_book(story(title=title, stanzas=[lines]), None, names="Zoë and Лиза")
    text = text_of(pdf)
    assert title in text
    assert all(line in text for line in lines)
    assert "A bedtime story for Zoë and Лиза" in text
    assert "missing" not in caplog.text  # fpdf2's word for a glyph it had to leave out


def test_emoji_do_not_break_the_book(caplog: pytest.LogCaptureFixture) -> None:
    lines = ["The dragon 🐉 yawned a sleepy yawn,", "🌙🌙🌙", "and slept ☺ until the dawn."]
    with caplog.at_level(logging.WARNING):
        pdf = picture_book(story(title="🐉 Dragon Dreams", stanzas=[lines]), None, names="Milo 🦉")
    text = text_of(pdf)
    assert "Dragon Dreams" in text
    assert "The dragon yawned a sleepy yawn," in text
    assert "and slept ☺ until the dawn." in text  # DejaVu has this one
    assert "A bedtime story for Milo" in text
    assert "missing" not in caplog.text


def test_letters_no_font_has_show_as_a_mark_not_a_gap() -> None:
    text = text_of(picture_book(story(title="小明 and the Moon"), None, names="小明"))
    assert "\ufffd\ufffd and the Moon" in text


@pytest.mark.parametrize(
    "line",
    [
        "<script>alert('goodnight')</script>",
        "%PDF-1.4",
        "%%EOF endstream endobj trailer",
        "a (bracket) and a \\ backslash ) (",
        "tab\tand bell\x07 and null\x00 between",
    ],
)
def test_untrusted_text_is_printed_as_text(line: str) -> None:
    pdf = picture_book(story(title=line, stanzas=[[line, "and then to sleep"]]), None, names=line)
    reader = PdfReader(io.BytesIO(pdf), strict=True)
    shown = " ".join(line.replace("\x00", " ").replace("\x07", " ").split())
    assert reader.metadata is not None
    assert reader.metadata.title == shown
    text = text_of(pdf)
    assert text.count(shown) >= 3  # the title, the dedication and the stanza
    assert "The End" in text


def test_a_300_character_title_stays_on_the_cover(png: bytes) -> None:
    title = " ".join(["Milo and the very long winding road"] * 9)[:300]
    texts = pages(picture_book(story(title=title), png, names="Milo"))
    assert title in texts[0]
    assert texts[1].startswith(STANZAS[0][0])


def test_a_title_without_spaces_wraps_on_the_cover() -> None:
    title = "Z" * 300
    texts = pages(picture_book(story(title=title), None, names="Milo"))
    assert "".join(texts[0].split()).count("Z") == 300
    assert texts[1].startswith(STANZAS[0][0])


def test_pages_are_numbered_except_the_cover(png: bytes) -> None:
    many = [[f"Stanza {n}, line {i}: the stars kept watch." for i in range(4)] for n in range(12)]
    texts = pages(picture_book(story(stanzas=many), png, names="Milo"))
    assert len(texts) > 2
    assert texts[0].endswith("A bedtime story for Milo")
    for number, text in enumerate(texts[1:], start=2):
        assert text.split()[-1] == str(number)


def test_forty_stanzas_fill_several_pages_without_splitting_one() -> None:
    forty = [
        [f"Stanza {n}, line {i}: the little boat rocked on." for i in range(1, 5)]
        for n in range(1, 41)
    ]
    texts = pages(picture_book(story(stanzas=forty), None, names="Milo"))
    assert len(texts) >= 6
    for stanza in forty:
        holding = [text for text in texts if stanza[0] in text]
        assert len(holding) == 1
        assert all(line in holding[0] for line in stanza), stanza[0]
    assert "The End" in texts[-1]


def test_a_stanza_longer_than_a_page_is_split_and_kept_whole() -> None:
    long = [f"Line {i} of the longest lullaby." for i in range(1, 41)]
    texts = pages(picture_book(story(stanzas=[long, ["Goodnight."]]), None, names="Milo"))
    assert len(texts) >= 4
    text = " ".join(texts)
    assert all(line in text for line in long)
    assert text.index(long[-1]) < text.index("Goodnight.") < text.index("The End")


def test_missing_fonts_name_the_package(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(book, "FONT_DIRS", (tmp_path,))
    book._font_paths.cache_clear()
    try:
        with pytest.raises(ConfigError, match="fonts-dejavu-core"):
            picture_book(story(), None, names="Milo")
    finally:
        book._font_paths.cache_clear()


def pdftoppm() -> str:
    found = shutil.which("pdftoppm")
    if found is None:
        require_service("pdftoppm", "install poppler-utils (scripts/apt-install poppler-utils)")
    assert found is not None
    return found


@pytest.mark.parametrize("with_picture", [True, False])
def test_the_cover_renders_as_an_a5_page_that_is_not_blank(
    png: bytes, with_picture: bool, tmp_path: Path
) -> None:
    (tmp_path / "book.pdf").write_bytes(
        picture_book(story(), png if with_picture else None, names="Milo and Luna")
    )
    command = [pdftoppm(), "-png", "-r", "72", "-f", "1", "-l", "1", "-singlefile"]
    subprocess.run([*command, "book.pdf", "cover"], cwd=tmp_path, check=True, timeout=60)
    with Image.open(tmp_path / "cover.png") as cover:
        assert cover.height / cover.width == pytest.approx(210 / 148, abs=0.01)
        rgb = cover.convert("RGB")
    white = Image.new("RGB", rgb.size, "white")
    assert ImageChops.difference(rgb, white).getbbox() is not None
    if with_picture:  # the night sky's dark blue is drawn, not only black letters
        colours = {colour for _, colour in rgb.getcolors(maxcolors=1 << 20) or []}
        assert any(_near(colour, (20, 24, 64)) for colour in colours)


def _near(colour: object, wanted: tuple[int, int, int]) -> bool:
    """Whether an RGB pixel is ``wanted``, give or take JPEG's rounding."""
    assert isinstance(colour, tuple)
    return all(abs(a - b) <= 6 for a, b in zip(colour, wanted, strict=True))


def test_a_transparent_picture_is_laid_on_white_paper() -> None:
    image = Image.new("RGBA", (1024, 1024), (0, 0, 0, 0))
    ImageDraw.Draw(image).ellipse((300, 300, 700, 700), fill=(250, 240, 190, 255))
    out = io.BytesIO()
    image.save(out, "PNG")
    cover = PdfReader(io.BytesIO(picture_book(story(), out.getvalue(), names="Milo"))).pages[0]
    (embedded,) = cover.images
    assert embedded.image is not None
    drawn = embedded.image.convert("RGB")
    assert _near(drawn.getpixel((10, 10)), (255, 255, 255))  # transparent: the paper
    assert _near(drawn.getpixel((512, 512)), (250, 240, 190))


def test_a_line_too_long_for_the_page_wraps_with_its_continuation_indented() -> None:
    line = "and the little grey boat rocked on and on across the silver bay until morning"
    page = PdfReader(io.BytesIO(picture_book(story(stanzas=[[line]]), None, names=""))).pages[1]
    starts: dict[str, float] = {}

    def visit(text: str, cm: object, tm: list[float], *_: object) -> None:
        if text.strip():
            starts.setdefault(text.strip(), tm[4])

    page.extract_text(visitor_text=visit)
    rows = [row for row in starts if row in line]
    assert len(rows) >= 2
    assert " ".join(rows) == line
    assert starts[rows[1]] > starts[rows[0]] + 10  # points: the 8 mm hanging indent
