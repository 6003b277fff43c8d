"""The household's podcast feed and the picture book, served by the real app: real stories,
painted and narrated by the real targets, on SQLite and PostgreSQL. The feed is read with
feedparser and every enclosure fetched through its redirect; the book is read with pypdf."""

from __future__ import annotations

import io
from collections.abc import Iterator
from datetime import timedelta

import feedparser
import pytest
from fastapi.testclient import TestClient
from pypdf import PdfReader
from sqlalchemy import update

from bedtales.app import App
from bedtales.bus.events import Delivery, Event
from bedtales.clock import utcnow
from bedtales.domain import Story
from bedtales.households import access, services
from bedtales.storage.models import StoryRow
from bedtales.stories.views import stanzas
from bedtales.web import create_site

MISSING_ID = "0b5a3a4e-7d8f-4c2b-9a1e-3f6d5c4b2a19"


def deliver(bedtales: App, story: Story, *targets: str) -> None:
    event = Event("bedtales.stories", "StoryCreated", {"id": story.id}, id=f"event-{story.id}")
    for target in targets:
        bedtales.run_delivery(Delivery(event, target, attempt=1, receipt="r1"))


@pytest.fixture
def client(bedtales: App) -> Iterator[TestClient]:
    with TestClient(create_site(bedtales), base_url="http://phone.test:9000") as client:
        yield client


@pytest.fixture
def token(bedtales: App) -> str:
    return services.get_household(bedtales.db, "home").page_token


@pytest.fixture
def narrated(bedtales: App) -> list[Story]:
    stories = []
    for seed in range(3):
        story = bedtales.write_story(seed=seed)
        deliver(bedtales, story, "illustrate", "narrate")
        stories.append(services.get_story(bedtales.db, story.id))
    return stories


def feed_of(client: TestClient, token: str) -> feedparser.FeedParserDict:
    answer = client.get(f"/households/{token}/podcast.xml")
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("application/rss+xml")
    return feedparser.parse(answer.content)


def test_the_feed_has_one_episode_per_narrated_story_newest_first(
    client: TestClient, bedtales: App, token: str, narrated: list[Story]
) -> None:
    unnarrated = bedtales.write_story(seed=99)
    feed = feed_of(client, token)
    assert not feed.bozo, feed.get("bozo_exception")
    assert feed.feed.title == "Bedtime stories for home"
    assert feed.feed.image.href.endswith(f"/households/{token}/podcast/artwork.png")
    ids = [entry.id for entry in feed.entries]
    assert ids == [s.id for s in reversed(narrated)]
    assert unnarrated.id not in ids
    for entry, story in zip(feed.entries, reversed(narrated), strict=True):
        assert entry.title == story.title
        assert entry.link == f"http://phone.test:9000/stories/{story.id}"
        assert entry.published_parsed is not None
        (enclosure,) = entry.enclosures
        assert enclosure.type == "audio/mpeg"
        assert int(enclosure.length) == story.audio.size
        assert story.audio.seconds is not None
        hours, minutes, seconds = (int(part) for part in entry.itunes_duration.split(":"))
        assert abs(hours * 3600 + minutes * 60 + seconds - story.audio.seconds) <= 1
        assert stanzas(story.description)[0][0] in entry.summary


def test_every_enclosure_and_picture_can_be_fetched(
    client: TestClient, token: str, narrated: list[Story]
) -> None:
    feed = feed_of(client, token)
    artwork = client.get(feed.feed.image.href)
    assert artwork.status_code == 200
    assert artwork.content.startswith(b"\x89PNG")
    for entry in feed.entries:
        (enclosure,) = entry.enclosures
        audio = client.get(enclosure.href)  # a redirect to a freshly signed link, followed
        assert audio.status_code == 200
        assert len(audio.content) == int(enclosure.length)
        assert audio.content[:3] == b"ID3" or audio.content[0] == 0xFF  # an MP3
        picture = client.get(entry.image.href)
        assert picture.status_code == 200
        assert picture.content.startswith(b"\x89PNG")


def test_enclosures_stay_valid_past_the_signed_links_lifetime(
    client: TestClient, bedtales: App, token: str, narrated: list[Story]
) -> None:
    """The feed's addresses are stable; each fetch signs anew. A kept story's episode keeps
    working after the week a signed link may live and after its own expiry."""
    story = narrated[0]
    services.keep_story(bedtales.db, story.id)
    with bedtales.db.session() as session:
        session.execute(
            update(StoryRow)
            .where(StoryRow.id == story.id)
            .values(expires_at=utcnow() - timedelta(days=8))
        )
    feed = feed_of(client, token)
    (entry,) = [e for e in feed.entries if e.id == story.id]
    first = client.get(entry.enclosures[0].href, follow_redirects=False)
    assert first.status_code == 302
    assert client.get(entry.enclosures[0].href).status_code == 200


def test_unknown_tokens_stories_and_parts_answer_404(
    client: TestClient, bedtales: App, token: str, narrated: list[Story]
) -> None:
    story = narrated[0]
    assert client.get(f"/households/{'x' * 32}/podcast.xml").status_code == 404
    assert client.get(f"/households/{token}/podcast/{MISSING_ID}.mp3").status_code == 404
    assert client.get(f"/households/{token}/podcast/{story.id}.wav").status_code == 404
    # another household's link does not reach this household's stories
    services.add_household(bedtales.db, "Other")
    other = services.get_household(bedtales.db, "Other").page_token
    assert client.get(f"/households/{other}/podcast/{story.id}.mp3").status_code == 404
    assert feed_of(client, other).entries == []
    # a rotated link takes the feed with it
    access.rotate_link(bedtales.db, "home")
    assert client.get(f"/households/{token}/podcast.xml").status_code == 404


def test_the_feed_uses_the_operators_base_url_when_set(
    bedtales: App, token: str, narrated: list[Story], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BEDTALES_WEB__BASE_URL", "https://tales.example")
    opened = App.open(bedtales.settings.data_dir)
    try:
        with TestClient(create_site(opened), base_url="http://127.0.0.1:8080") as client:
            feed = feed_of(client, token)
    finally:
        opened.close()
    assert feed.entries[0].link.startswith("https://tales.example/stories/")
    assert feed.entries[0].enclosures[0].href.startswith("https://tales.example/households/")


# ----------------------------------------------------------------------------- the picture book


def test_the_picture_book_of_a_story(client: TestClient, narrated: list[Story]) -> None:
    story = narrated[0]
    answer = client.get(f"/stories/{story.id}/book.pdf")
    assert answer.status_code == 200
    assert answer.headers["content-type"] == "application/pdf"
    assert answer.headers["content-disposition"].startswith('inline; filename="')
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(answer.content)).pages)
    normalised = " ".join(text.split())
    assert " ".join(story.title.split()) in normalised
    for stanza in stanzas(story.description):
        for line in stanza:
            assert " ".join(line.split()) in normalised
    assert "The End" in normalised


def test_the_book_of_an_unknown_or_expired_story(
    client: TestClient, bedtales: App, narrated: list[Story]
) -> None:
    assert client.get(f"/stories/{MISSING_ID}/book.pdf").status_code == 404
    assert client.get("/stories/nope/book.pdf").status_code == 404
    story = narrated[0]
    with bedtales.db.session() as session:
        session.execute(update(StoryRow).where(StoryRow.id == story.id).values(expires_at=utcnow()))
    assert client.get(f"/stories/{story.id}/book.pdf").status_code == 410


def test_the_feed_follows_new_and_expiring_stories(
    client: TestClient, bedtales: App, token: str, narrated: list[Story]
) -> None:
    """Feeds are kept while what they show is unchanged: a story narrated since, or one that
    expired, shows in the very next fetch."""
    assert len(feed_of(client, token).entries) == 3
    story = bedtales.write_story(seed=42)
    deliver(bedtales, story, "narrate")
    assert story.id in [entry.id for entry in feed_of(client, token).entries]
    with bedtales.db.session() as session:
        session.execute(
            update(StoryRow).where(StoryRow.id == narrated[0].id).values(expires_at=utcnow())
        )
    ids = [entry.id for entry in feed_of(client, token).entries]
    assert narrated[0].id not in ids
    assert len(ids) == 3
