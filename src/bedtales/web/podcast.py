"""A household's podcast feed: RSS 2.0 with Apple's iTunes tags, one item per narrated story.

A family subscribes once to ``/households/{token}/podcast.xml`` and every night's story
appears in their podcast app. This module is the pure part: records in, feed bytes out; the
route reads the stories and signs the links.

The feed is written as text rather than through :mod:`xml.etree.ElementTree`, whose
serialiser is pure Python and takes tens of milliseconds for a thousand items; written
directly the same feed takes a few. Safety does not depend on care at each call site:
every value, whoever wrote it, goes through :func:`_text` (element content) or
:func:`_attr` (attribute values), which drop the characters XML 1.0 forbids and escape the
rest. Descriptions are HTML in RSS 2.0, so the plain-text lines of a story are escaped as
HTML first: a "<b>" in a story shows as those three letters in every podcast app.

The output depends only on its input (``lastBuildDate`` is the newest episode's date, not
the clock), so the same stories give the same bytes and the route can answer conditional
requests. ``itunes:block`` keeps the feed out of Apple's directory: its URL holds the
household's token and is meant for one family.
"""

from __future__ import annotations

import functools
import html
import io
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from PIL import Image, ImageDraw, ImageFilter, ImageFont

from bedtales.errors import InputError

ITUNES_NS = "http://www.itunes.com/dtds/podcast-1.0.dtd"
ATOM_NS = "http://www.w3.org/2005/Atom"
AUTHOR = "bedtales"
CATEGORY = "Kids & Family"
AUDIO_TYPE = "audio/mpeg"
ARTWORK_SIZES = range(1400, 3001)  # what Apple and the other podcast directories ask for

# XML 1.0 allows tab, newline, carriage return and everything from U+0020 but surrogates,
# U+FFFE and U+FFFF; carriage returns go too, so Windows line ends become plain newlines.
_FORBIDDEN = re.compile("[^\t\n\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


@dataclass(frozen=True)
class Channel:
    """The podcast itself: one per household."""

    title: str  # e.g. "Bedtime stories for the Hartley family"
    link: str  # absolute URL of the household page
    description: str  # plain text
    artwork_url: str  # absolute URL of the square PNG from artwork_png
    feed_url: str  # absolute URL of this feed, for atom:link rel="self"
    language: str = "en"

    def __post_init__(self) -> None:
        for field in ("link", "artwork_url", "feed_url"):
            _check_absolute(getattr(self, field), field)


@dataclass(frozen=True)
class Episode:
    """One narrated story, as a podcast app sees it."""

    guid: str  # the story id: stable, so an app never shows a story twice
    title: str
    description: str  # the story's first lines, plain text
    link: str  # absolute URL of the story page
    published: datetime  # aware (the story's created_at)
    audio_url: str  # absolute URL of the narration (MP3)
    audio_bytes: int
    duration_s: float | None  # omitted from the feed when unknown
    image_url: str | None  # the story's picture, when it has one

    def __post_init__(self) -> None:
        for field in ("link", "audio_url"):
            _check_absolute(getattr(self, field), field)
        if self.image_url is not None:
            _check_absolute(self.image_url, "image_url")
        if self.published.utcoffset() is None:
            raise InputError("published must carry a time zone", field="published")
        if self.audio_bytes < 0:
            raise InputError("audio_bytes must not be negative", field="audio_bytes")
        if self.duration_s is not None and not self.duration_s >= 0:  # also refuses NaN
            raise InputError("duration_s must not be negative", field="duration_s")


def _check_absolute(url: str, field: str) -> None:
    """Podcast apps fetch every link on their own, with no page to resolve it against."""
    if not url.startswith(("https://", "http://")):
        raise InputError(f"{field} must be an absolute http(s) URL, not {url!r}", field=field)


# ----------------------------------------------------------------------------- the feed


def podcast_xml(channel: Channel, episodes: Sequence[Episode]) -> bytes:
    """The feed as UTF-8 bytes with an XML declaration; items in the order given (the
    route passes the newest first, as podcast apps list them)."""
    newest = max((e.published for e in episodes), default=None)
    parts = [_channel_head(channel, newest)]
    parts.extend(map(_item, episodes))
    parts.append("</channel>\n</rss>\n")
    return "".join(parts).encode()


def _channel_head(channel: Channel, newest: datetime | None) -> str:
    title, link, artwork = _text(channel.title), _text(channel.link), _text(channel.artwork_url)
    built = "" if newest is None else f"<lastBuildDate>{_rfc822(newest)}</lastBuildDate>\n"
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<rss version="2.0" xmlns:itunes="{ITUNES_NS}" xmlns:atom="{ATOM_NS}">\n'
        "<channel>\n"
        f"<title>{title}</title>\n"
        f"<link>{link}</link>\n"
        f"<description>{_html(channel.description)}</description>\n"
        f"<language>{_text(channel.language)}</language>\n"
        f"{built}"
        f'<atom:link href="{_attr(channel.feed_url)}" rel="self" type="application/rss+xml"/>\n'
        f"<itunes:author>{AUTHOR}</itunes:author>\n"
        f'<itunes:image href="{_attr(channel.artwork_url)}"/>\n'
        f"<image><url>{artwork}</url><title>{title}</title><link>{link}</link></image>\n"
        f'<itunes:category text="{_attr(CATEGORY)}"/>\n'
        "<itunes:explicit>false</itunes:explicit>\n"
        "<itunes:block>Yes</itunes:block>\n"
    )


def _item(e: Episode) -> str:
    # one f-string per item: a thousand items build in a few milliseconds
    duration = (
        "" if e.duration_s is None else f"<itunes:duration>{_hms(e.duration_s)}</itunes:duration>"
    )
    image = "" if e.image_url is None else f'<itunes:image href="{_attr(e.image_url)}"/>'
    return (
        f"<item><title>{_text(e.title)}</title>"
        f"<description>{_html(e.description)}</description>"
        f"<link>{_text(e.link)}</link>"
        f'<enclosure url="{_attr(e.audio_url)}" length="{int(e.audio_bytes)}" '
        f'type="{AUDIO_TYPE}"/>'
        f'<guid isPermaLink="false">{_text(e.guid)}</guid>'
        f"<pubDate>{_rfc822(e.published)}</pubDate>"
        f"{duration}{image}"
        "<itunes:explicit>false</itunes:explicit></item>\n"
    )


def _clean(value: str) -> str:
    """``value`` without the characters XML 1.0 forbids (most text has none: one C call)."""
    return value if value.isprintable() else _FORBIDDEN.sub("", value)


def _text(value: str) -> str:
    """``value`` as element content: forbidden characters dropped, markup escaped."""
    return _clean(value).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _attr(value: str) -> str:
    """``value`` inside double quotes; tabs and newlines kept as references, since a parser
    would turn them into spaces."""
    escaped = _text(value).replace('"', "&quot;")
    return escaped.replace("\t", "&#9;").replace("\n", "&#10;")


def _html(plain: str) -> str:
    """Plain text as an RSS description (HTML, then escaped as XML): lines stay lines."""
    return _text(html.escape(_clean(plain), quote=False).replace("\n", "<br>\n"))


def _rfc822(moment: datetime) -> str:
    """What ``email.utils.format_datetime(moment.astimezone(UTC))`` gives, several times
    faster (it was the costliest part of an item); English names, whatever the locale."""
    t = moment.astimezone(UTC)
    return (
        f"{_DAYS[t.weekday()]}, {t.day:02d} {_MONTHS[t.month - 1]} {t.year:04d} "
        f"{t.hour:02d}:{t.minute:02d}:{t.second:02d} +0000"
    )


def _hms(seconds: float) -> str:
    minutes, s = divmod(round(seconds), 60)
    hours, m = divmod(minutes, 60)
    return f"{hours:02d}:{m:02d}:{s:02d}"


# ----------------------------------------------------------------------------- the artwork

_NIGHT_TOP = (39, 49, 108)  # the page's sky, from bedtales.css: #27316c, #151c44, #0d1230
_NIGHT_MIDDLE = (21, 28, 68)
_NIGHT = (13, 18, 48)
_MIDDLE_AT = 0.45  # where the page's gradient reaches its middle colour
_GOLD = (245, 210, 122)  # --gold, the moon in moon.svg
_STARLIGHT = (255, 244, 214)  # the stars in moon.svg
_CREAM = (247, 238, 219)  # --cream, the lettering
# (x, y, radius) as fractions of the side; the larger ones are drawn as four-pointed twinkles
_STARS = (
    (0.12, 0.10, 0.006),
    (0.27, 0.21, 0.004),
    (0.70, 0.09, 0.030),
    (0.86, 0.20, 0.005),
    (0.80, 0.34, 0.014),
    (0.91, 0.47, 0.004),
    (0.08, 0.46, 0.022),
    (0.19, 0.62, 0.004),
    (0.88, 0.64, 0.006),
    (0.58, 0.17, 0.004),
    (0.36, 0.07, 0.005),
    (0.67, 0.60, 0.004),
)


@functools.cache
def artwork_png(size: int = 1400) -> bytes:
    """The channel's square artwork as PNG: the night sky of the site, a crescent moon,
    stars and the word "bedtales". Drawn once per size, since it never changes."""
    if size not in ARTWORK_SIZES:
        raise InputError(
            f"size must be {ARTWORK_SIZES.start}-{ARTWORK_SIZES.stop - 1} pixels "
            f"(what podcast apps accept), not {size}",
            field="size",
        )
    image = _sky(size)
    _draw_moon(image)
    _draw_stars(image)
    _draw_name(image)
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()


def _sky(size: int) -> Image.Image:
    """A column of the gradient, stretched to the square (no per-pixel Python loop)."""
    column = Image.new("RGB", (1, size))
    column.putdata([_sky_colour(i / (size - 1)) for i in range(size)])
    return column.resize((size, size), Image.Resampling.NEAREST)


def _sky_colour(height: float) -> tuple[int, int, int]:
    """The sky at ``height`` (0 at the top, 1 at the bottom), as the page's background."""
    if height < _MIDDLE_AT:
        top, bottom, t = _NIGHT_TOP, _NIGHT_MIDDLE, height / _MIDDLE_AT
    else:
        top, bottom, t = _NIGHT_MIDDLE, _NIGHT, (height - _MIDDLE_AT) / (1 - _MIDDLE_AT)
    r, g, b = (round(a + (z - a) * t) for a, z in zip(top, bottom, strict=True))
    return r, g, b


def _draw_moon(image: Image.Image) -> None:
    """A crescent like moon.svg's: a disc with a smaller one cut away, and a soft glow."""
    s = image.width
    cx, cy, r = 0.45 * s, 0.42 * s, 0.25 * s
    mask = Image.new("L", image.size)
    draw = ImageDraw.Draw(mask)
    draw.ellipse((cx - r, cy - r, cx + r, cy + r), fill=255)
    bx, by, br = cx + 0.42 * r, cy - 0.30 * r, 0.80 * r
    draw.ellipse((bx - br, by - br, bx + br, by + br), fill=0)
    glow = mask.filter(ImageFilter.GaussianBlur(s / 25)).point(lambda v: v * 3 // 10)
    image.paste(_GOLD, mask=glow)
    image.paste(_GOLD, mask=mask.filter(ImageFilter.GaussianBlur(s / 1400)))  # a clean edge


def _draw_stars(image: Image.Image) -> None:
    s = image.width
    draw = ImageDraw.Draw(image)
    for fx, fy, fr in _STARS:
        x, y, r = fx * s, fy * s, fr * s
        if fr < 0.01:
            draw.ellipse((x - r, y - r, x + r, y + r), fill=_STARLIGHT)
            continue
        thin = 0.18 * r  # a four-pointed twinkle, as on the story pictures
        draw.polygon(
            [
                (x, y - r),
                (x + thin, y - thin),
                (x + r, y),
                (x + thin, y + thin),
                (x, y + r),
                (x - thin, y + thin),
                (x - r, y),
                (x - thin, y - thin),
            ],
            fill=_STARLIGHT,
        )


def _draw_name(image: Image.Image) -> None:
    s = image.width
    font = ImageFont.load_default(size=round(0.13 * s))  # Pillow's own: no system fonts needed
    ImageDraw.Draw(image).text((s / 2, 0.83 * s), AUTHOR, fill=_CREAM, font=font, anchor="mm")
