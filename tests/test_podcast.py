"""The podcast feed and its artwork, read back the way podcast apps read them: feedparser
for what an app shows, ElementTree for the exact iTunes tags."""

from __future__ import annotations

import html
import io
import math
import xml.etree.ElementTree as ET
from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone
from email.utils import format_datetime, parsedate_to_datetime
from typing import Any
from zoneinfo import ZoneInfo

import feedparser
import pytest
from PIL import Image

from bedtales.errors import InputError
from bedtales.web.podcast import Channel, Episode, artwork_png, podcast_xml

NS = {"itunes": "http://www.itunes.com/dtds/podcast-1.0.dtd", "atom": "http://www.w3.org/2005/Atom"}
ITUNES = "{" + NS["itunes"] + "}"
BASE = "https://stories.example/households/tok3n"
CHANNEL = Channel(
    title="Bedtime stories for the Hartley family",
    link=BASE,
    description="A new rhyming bedtime story every night, read aloud.",
    artwork_url=f"{BASE}/podcast/artwork.png",
    feed_url=f"{BASE}/podcast.xml",
)
EPISODE = Episode(
    guid="6f1c2a3e-4b5d-4e6f-8a9b-0c1d2e3f4a5b",
    title="Milo and the Sleepy Moon",
    description=(
        "A story for Milo. The moon came down to say goodnight,\n"
        "and tucked the stars in, soft and bright."
    ),
    link="https://stories.example/stories/6f1c2a3e-4b5d-4e6f-8a9b-0c1d2e3f4a5b",
    published=datetime(2025, 3, 4, 19, 30, 5, tzinfo=UTC),
    audio_url=f"{BASE}/podcast/6f1c2a3e-4b5d-4e6f-8a9b-0c1d2e3f4a5b.mp3",
    audio_bytes=2_345_678,
    duration_s=312.4,
    image_url=f"{BASE}/podcast/6f1c2a3e-4b5d-4e6f-8a9b-0c1d2e3f4a5b.png",
)
HOSTILE = [
    "<script>alert('x')</script>",
    'Tom & Jerry\'s "big" <b>night</b>',
    # not together in one string: feedparser takes "<![CDATA[" beside entities for HTML and
    # shows it escaped (its guess; ElementTree reads our XML back exactly either way)
    "]]> <![CDATA[ & <i>",
    "& &amp; &#60; &lt; &nbsp;",
    "</title></item><item><title>injected",
    "Zoë, Лиза and 小明 under the 🌙",
]


def nightly(count: int) -> list[Episode]:
    """``count`` stories, one a night, newest first (as the route lists them)."""
    return [
        replace(
            EPISODE,
            guid=f"story-{i}",
            title=f"Night {i}",
            link=f"https://stories.example/stories/{i}",
            published=EPISODE.published - timedelta(days=i),
            audio_url=f"{BASE}/podcast/{i}.mp3",
            audio_bytes=1000 + i,
            image_url=f"{BASE}/podcast/{i}.png",
        )
        for i in range(count)
    ]


def parsed(channel: Channel, episodes: list[Episode]) -> Any:
    feed = feedparser.parse(podcast_xml(channel, episodes))
    assert not feed.bozo, feed.get("bozo_exception")
    return feed


def tree(channel: Channel, episodes: list[Episode]) -> ET.Element:
    return read_xml(podcast_xml(channel, episodes))


def read_xml(body: bytes) -> ET.Element:
    return ET.fromstring(body)  # noqa: S314 - our own output, checked


def shown(description_html: str) -> str:
    """The text a podcast app shows for a description: its HTML, line breaks as newlines."""
    return html.unescape(description_html.replace("<br />", "").replace("<br>", ""))


# ----------------------------------------------------------------------------- the channel


def test_a_podcast_app_reads_the_channel() -> None:
    feed = parsed(CHANNEL, nightly(2)).feed

    assert feed.title == CHANNEL.title
    assert feed.link == CHANNEL.link
    assert shown(feed.subtitle) == CHANNEL.description
    assert feed.language == "en"
    assert feed.image.href == CHANNEL.artwork_url
    assert feed.author == "bedtales"
    assert [t.term for t in feed.tags] == ["Kids & Family"]
    assert {"rel": "self", "href": CHANNEL.feed_url, "type": "application/rss+xml"} in [
        dict(link) for link in feed.links
    ]


def test_the_channel_carries_the_itunes_tags() -> None:
    channel = tree(CHANNEL, nightly(3)).find("channel")
    assert channel is not None

    assert channel.findtext("itunes:author", namespaces=NS) == "bedtales"
    assert channel.find("itunes:image", NS).get("href") == CHANNEL.artwork_url  # type: ignore[union-attr]
    assert channel.find("itunes:category", NS).get("text") == "Kids & Family"  # type: ignore[union-attr]
    assert channel.findtext("itunes:explicit", namespaces=NS) == "false"
    # a household's feed is private: kept out of Apple's directory
    assert channel.findtext("itunes:block", namespaces=NS) == "Yes"
    assert channel.find("atom:link", NS).attrib == {  # type: ignore[union-attr]
        "href": CHANNEL.feed_url,
        "rel": "self",
        "type": "application/rss+xml",
    }
    image = channel.find("image")
    assert image is not None
    assert (image.findtext("url"), image.findtext("title"), image.findtext("link")) == (
        CHANNEL.artwork_url,
        CHANNEL.title,
        CHANNEL.link,
    )


def test_last_build_date_is_the_newest_story_whatever_the_order() -> None:
    episodes = nightly(3)
    channel = tree(CHANNEL, [episodes[2], episodes[0], episodes[1]]).find("channel")
    assert channel is not None

    built = channel.findtext("lastBuildDate")
    assert built is not None
    assert parsedate_to_datetime(built) == episodes[0].published


def test_the_same_stories_give_the_same_bytes() -> None:
    # nothing depends on the clock, so the route can answer conditional requests
    assert podcast_xml(CHANNEL, nightly(3)) == podcast_xml(CHANNEL, nightly(3))


def test_no_stories_yet_is_still_a_valid_feed() -> None:
    feed = parsed(CHANNEL, [])

    assert feed.entries == []
    assert feed.feed.title == CHANNEL.title
    assert feed.feed.image.href == CHANNEL.artwork_url
    channel = tree(CHANNEL, []).find("channel")
    assert channel is not None
    assert channel.find("item") is None
    assert channel.find("lastBuildDate") is None


def test_output_is_utf8_with_an_xml_declaration() -> None:
    body = podcast_xml(replace(CHANNEL, title="Bedtime stories for Zoë 🌙"), [])

    assert body.startswith(b'<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0"')
    assert "Zoë 🌙".encode() in body


# ----------------------------------------------------------------------------- the episodes


def test_a_podcast_app_reads_every_episode_in_order() -> None:
    episodes = nightly(3)
    entries = parsed(CHANNEL, episodes).entries

    assert [e.id for e in entries] == [e.guid for e in episodes]
    for entry, episode in zip(entries, episodes, strict=True):
        assert entry.title == episode.title
        assert entry.link == episode.link
        assert entry.guidislink is False
        assert shown(entry.summary) == episode.description
        assert entry.published_parsed == episode.published.utctimetuple()
        [enclosure] = entry.enclosures
        assert (enclosure.href, enclosure.length, enclosure.type) == (
            episode.audio_url,
            str(episode.audio_bytes),
            "audio/mpeg",
        )
        assert entry.itunes_duration == "00:05:12"
        assert entry.image.href == episode.image_url


def test_an_episode_without_duration_or_picture_leaves_them_out() -> None:
    episode = replace(EPISODE, duration_s=None, image_url=None)
    [entry] = parsed(CHANNEL, [episode]).entries

    assert "itunes_duration" not in entry
    assert "image" not in entry
    item = tree(CHANNEL, [episode]).find("channel/item")
    assert item is not None
    assert item.find("itunes:duration", NS) is None
    assert item.find("itunes:image", NS) is None
    assert item.findtext("itunes:explicit", namespaces=NS) == "false"


def test_an_item_carries_the_itunes_tags() -> None:
    item = tree(CHANNEL, [EPISODE]).find("channel/item")
    assert item is not None

    assert item.findtext("itunes:duration", namespaces=NS) == "00:05:12"
    assert item.find("itunes:image", NS).get("href") == EPISODE.image_url  # type: ignore[union-attr]
    assert item.findtext("itunes:explicit", namespaces=NS) == "false"
    assert item.find("guid").attrib == {"isPermaLink": "false"}  # type: ignore[union-attr]
    assert item.find("enclosure").attrib == {  # type: ignore[union-attr]
        "url": EPISODE.audio_url,
        "length": "2345678",
        "type": "audio/mpeg",
    }


@pytest.mark.parametrize(
    ("seconds", "shown_as"),
    [
        (0, "00:00:00"),
        (59.4, "00:00:59"),
        (59.6, "00:01:00"),
        (3725.6, "01:02:06"),
        (36_000, "10:00:00"),
    ],
)
def test_duration_is_hours_minutes_seconds(seconds: float, shown_as: str) -> None:
    item = tree(CHANNEL, [replace(EPISODE, duration_s=seconds)]).find("channel/item")
    assert item is not None
    assert item.findtext("itunes:duration", namespaces=NS) == shown_as


@pytest.mark.parametrize(
    "published",
    [
        datetime(2025, 3, 4, 19, 30, 5, tzinfo=UTC),
        datetime(2025, 7, 1, 20, 0, 0, 123456, tzinfo=ZoneInfo("Europe/London")),
        datetime(2025, 12, 31, 23, 59, 59, tzinfo=timezone(timedelta(hours=-8))),
        datetime(2024, 2, 29, 0, 15, tzinfo=ZoneInfo("Asia/Kolkata")),
    ],
)
def test_pub_date_is_rfc_822_in_utc(published: datetime) -> None:
    item = tree(CHANNEL, [replace(EPISODE, published=published)]).find("channel/item")
    assert item is not None

    text = item.findtext("pubDate")
    assert text == format_datetime(published.astimezone(UTC).replace(microsecond=0))
    assert parsedate_to_datetime(text) == published.replace(microsecond=0)


def test_a_thousand_episodes_are_all_there() -> None:
    # the size the route caps a feed at; how fast it builds is measured in bench/web.py
    entries = parsed(CHANNEL, nightly(1000)).entries
    assert len(entries) == 1000
    assert entries[-1].id == "story-999"


# ----------------------------------------------------------------------------- hostile text


@pytest.mark.parametrize("text", HOSTILE)
def test_hostile_text_stays_text(text: str) -> None:
    episode = replace(EPISODE, title=text, description=f"{text}\n{text}", guid=text)
    channel = replace(CHANNEL, title=text, description=text)
    body = podcast_xml(channel, [episode])
    root = read_xml(body)

    # no element was injected: one channel, one item, nothing unexpected inside
    assert [child.tag for child in root] == ["channel"]
    [item] = root.findall("channel/item")
    assert item.findtext("title") == text
    assert item.findtext("guid") == text
    assert shown(item.findtext("description") or "") == f"{text}\n{text}"
    assert root.findtext("channel/title") == text
    # what an app shows: the description's HTML holds no tag but the line break
    feed = parsed(channel, [episode])
    [entry] = feed.entries
    assert (feed.feed.title, entry.title, entry.id) == (text, text, text)
    assert entry.summary.count("<") == 1  # the <br />
    assert shown(entry.summary) == f"{text}\n{text}"
    assert shown(feed.feed.subtitle) == text


def test_hostile_urls_stay_one_attribute() -> None:
    url = 'https://stories.example/a.mp3?x=1&y="2"\'<b>\tz\n'
    [entry] = parsed(CHANNEL, [replace(EPISODE, audio_url=url, image_url=url)]).entries
    item = tree(CHANNEL, [replace(EPISODE, audio_url=url, image_url=url)]).find("channel/item")
    assert item is not None

    assert set(item.find("enclosure").attrib) == {"url", "length", "type"}  # type: ignore[union-attr]
    assert item.find("enclosure").get("url") == url  # type: ignore[union-attr]
    assert item.find("itunes:image", NS).get("href") == url  # type: ignore[union-attr]
    assert entry.enclosures[0].href.startswith('https://stories.example/a.mp3?x=1&y="2"')


def test_characters_xml_forbids_are_dropped() -> None:
    dirty = "Mi\x00lo\x01 and\x08 the\x0b \x0cMo\x1bon\x1f\ud800\ufffe\uffff"
    episode = replace(EPISODE, title=dirty, description=f"{dirty}\r\nline\ttwo", guid=dirty)
    body = podcast_xml(replace(CHANNEL, title=dirty), [episode])

    item = read_xml(body).find("channel/item")
    assert item is not None
    assert item.findtext("title") == "Milo and the Moon"
    assert item.findtext("guid") == "Milo and the Moon"
    assert shown(item.findtext("description") or "") == "Milo and the Moon\nline\ttwo"
    feed = parsed(replace(CHANNEL, title=dirty), [episode])
    assert feed.feed.title == "Milo and the Moon"
    assert feed.entries[0].title == "Milo and the Moon"


# ----------------------------------------------------------------------------- bad records


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"published": datetime(2025, 3, 4, 19, 30)}, "published"),
        ({"audio_bytes": -1}, "audio_bytes"),
        ({"duration_s": -0.5}, "duration_s"),
        ({"duration_s": math.nan}, "duration_s"),
        ({"audio_url": "/households/tok3n/podcast/1.mp3"}, "audio_url"),
        ({"image_url": "javascript:alert(1)"}, "image_url"),
        ({"link": "stories/1"}, "link"),
    ],
)
def test_a_bad_episode_is_refused_naming_the_field(change: dict[str, Any], field: str) -> None:
    with pytest.raises(InputError, match=field) as caught:
        replace(EPISODE, **change)
    assert caught.value.field == field


@pytest.mark.parametrize("field", ["link", "artwork_url", "feed_url"])
def test_a_channel_with_a_relative_url_is_refused(field: str) -> None:
    with pytest.raises(InputError, match=field) as caught:
        replace(CHANNEL, **{field: "/households/tok3n"})
    assert caught.value.field == field


# ----------------------------------------------------------------------------- the artwork


@pytest.mark.parametrize("size", [1400, 2048])
def test_artwork_is_a_square_png_of_the_size_asked(size: int) -> None:
    image = Image.open(io.BytesIO(artwork_png(size)))

    assert image.format == "PNG"
    assert image.size == (size, size)


def test_artwork_is_the_night_sky_with_the_moon() -> None:
    image = Image.open(io.BytesIO(artwork_png())).convert("RGB")
    assert image.size == (1400, 1400)

    def at(x: float, y: float) -> tuple[int, ...]:
        return tuple(image.getpixel((round(x * 1400), round(y * 1400))))  # type: ignore[arg-type]

    gold, night = (245, 210, 122), (13, 18, 48)
    assert at(0.30, 0.50) == gold  # the lit side of the crescent
    assert at(0.99, 0.99) == night  # the bottom corner, as the page's sky
    red, green, blue = at(0.58, 0.36)  # the moon's dark side is sky, not moon
    assert blue > red
    assert blue > green


@pytest.mark.parametrize("size", [0, 144, 1399, 3001])
def test_artwork_sizes_podcast_apps_refuse_are_refused(size: int) -> None:
    with pytest.raises(InputError, match="1400-3000") as caught:
        artwork_png(size)
    assert caught.value.field == "size"
