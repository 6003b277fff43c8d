"""The story page in a real browser: Debian's chromium, driven by playwright, against the real
app under uvicorn, with pictures and narrations made by the real targets (espeak narrates).

Without chromium or playwright these tests are skipped locally and fail under ``CI=true``.
A browser-side error (a script error, or anything the Content-Security-Policy refused)
fails the test that caused it. Run only these with ``pytest -m browser``.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from sqlalchemy import update

from bedtales.app import App
from bedtales.bus.events import Delivery, Event
from bedtales.domain import Story
from bedtales.media import TIMINGS, story_key
from bedtales.storage.models import StoryRow, utcnow
from bedtales.web import create_app
from conftest import require_service
from servers.web import address_of, free_socket, serving

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page, ViewportSize

pytestmark = pytest.mark.browser

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PHONE: ViewportSize = {"width": 390, "height": 844}
# generous: the page script asks every few seconds, and a loaded CI machine is slow
ARRIVAL_TIMEOUT_MS = 30_000

PICTURE_LOADED = """() => {
    const img = document.querySelector("figure.picture img");
    return img !== null && img.complete && img.naturalWidth > 0;
}"""
NARRATION_LOADED = """() => {
    const audio = document.querySelector(".listen audio");
    return audio !== null && audio.readyState >= 1 && Number.isFinite(audio.duration)
        && audio.duration > 0;
}"""


@dataclass(frozen=True)
class Site:
    url: str
    bedtales: App

    def story(self, story: Story) -> str:
        return f"{self.url}/stories/{story.id}"


def deliver(bedtales: App, story: Story, *targets: str) -> None:
    event = Event("bedtales.stories", "StoryCreated", {"id": story.id}, id=f"event-{story.id}")
    for target in targets:
        bedtales.run_delivery(Delivery(event, target, attempt=1, receipt="r1"))


@pytest.fixture
def database_url(tmp_path: Path) -> str:
    """SQLite only: the browser sees the same pages on either database, and
    test_web_pages.py checks them on both."""
    return f"sqlite:///{tmp_path / 'data' / 'bedtales.db'}"


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    try:
        from playwright.sync_api import Error, sync_playwright
    except ImportError as exc:
        require_service("playwright", f"{exc} (pip install playwright; never `playwright install`)")
    if not CHROMIUM.is_file():
        require_service("chromium", f"{CHROMIUM} is missing (apt-get install chromium)")
    with sync_playwright() as playwright:
        try:
            browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        except Error as exc:
            require_service("chromium", str(exc))
        yield browser
        browser.close()


@pytest.fixture
def site(data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Site]:
    """The web app on a free port; its media links name that port."""
    with free_socket() as sock:
        monkeypatch.setenv("BEDTALES_WEB__BASE_URL", address_of(sock))
        bedtales = App.open(data_dir)
        try:
            with serving(create_app(bedtales), sock):
                yield Site(address_of(sock), bedtales)
        finally:
            bedtales.close()


def _is_error(message: Any) -> bool:
    # the 404 and 410 pages are loaded on purpose; chromium notes their status
    expected = ("with a status of 404", "with a status of 410")
    return message.type == "error" and not any(text in message.text for text in expected)


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport=PHONE, device_scale_factor=2)
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda message: errors.append(message.text) if _is_error(message) else None)
    page.on("pageerror", lambda error: errors.append(str(error)))
    yield page
    context.close()
    assert errors == [], "the browser reported errors"


def test_a_finished_story_shows_its_picture_and_plays_its_narration(
    site: Site, page: Page, tmp_path: Path
) -> None:
    story = site.bedtales.write_story()
    deliver(site.bedtales, story, "illustrate", "narrate")
    response = page.goto(site.story(story))
    assert response is not None
    assert response.status == 200
    assert "default-src 'none'" in response.headers["content-security-policy"]
    assert page.locator("h1").inner_text() == story.title
    page.wait_for_function(PICTURE_LOADED)
    assert page.locator("figure.picture img").evaluate("img => img.naturalWidth") == 1024
    alt = page.locator("figure.picture img").get_attribute("alt")
    assert alt is not None
    assert alt.startswith("A picture of Milo and Luna")
    page.wait_for_function(NARRATION_LOADED)
    duration = page.locator(".listen audio").evaluate("audio => audio.duration")
    timings = json.loads(site.bedtales.tools.media.get(story_key(story.id, TIMINGS)))
    assert duration == pytest.approx(timings["duration"], abs=1.0)
    assert page.locator(".stanza").count() >= 2
    assert page.get_by_text("being painted").count() == 0
    page.screenshot(path=tmp_path / "story.png", full_page=True)
    assert (tmp_path / "story.png").stat().st_size > 10_000


def test_the_words_are_highlighted_as_the_narration_reads_them(site: Site, page: Page) -> None:
    story = site.bedtales.write_story()
    deliver(site.bedtales, story, "illustrate", "narrate")
    page.goto(site.story(story))
    page.wait_for_function(NARRATION_LOADED)
    page.wait_for_function("() => document.querySelectorAll('.stanza .word').length > 0")
    timings = json.loads(site.bedtales.tools.media.get(story_key(story.id, TIMINGS)))
    word = timings["words"][-5]  # a word of the story's last line
    moment = (word["start"] + word["end"]) / 2
    # seeking moves the highlight as playing does, without needing a sound card
    page.locator(".listen audio").evaluate(f"audio => {{ audio.currentTime = {moment}; }}")
    spoken = page.locator(".word.is-spoken")
    spoken.wait_for()
    assert spoken.count() == 1
    assert word["word"] in spoken.inner_text()


def test_a_story_still_being_made_brings_in_its_parts_as_they_arrive(
    site: Site, page: Page
) -> None:
    story = site.bedtales.write_story()
    page.goto(site.story(story))
    assert page.get_by_text("The picture is being painted…").is_visible()
    assert page.get_by_text("The narration is being recorded…").is_visible()
    assert page.locator("figure.picture img").count() == 0
    page.evaluate("() => { window.stillTheSamePage = true; }")
    deliver(site.bedtales, story, "illustrate", "narrate")
    page.wait_for_function(PICTURE_LOADED, timeout=ARRIVAL_TIMEOUT_MS)
    page.wait_for_function(NARRATION_LOADED, timeout=ARRIVAL_TIMEOUT_MS)
    assert page.evaluate("() => window.stillTheSamePage") is True, "updated in place"
    assert page.get_by_text("being painted").count() == 0
    assert page.get_by_text("being recorded").count() == 0
    alt = page.locator("figure.picture img").get_attribute("alt")
    assert alt is not None
    assert alt.startswith("A picture of Milo and Luna")


def test_a_part_that_fails_for_good_leaves_the_page(site: Site, page: Page) -> None:
    story = site.bedtales.write_story()
    page.goto(site.story(story))
    with site.bedtales.db.session() as session:
        failed = {"image_state": "failed", "image_error": "the paint box is empty"}
        session.execute(update(StoryRow).where(StoryRow.id == story.id).values(**failed))
    page.locator("figure.picture").wait_for(state="detached", timeout=ARRIVAL_TIMEOUT_MS)
    assert page.get_by_text("The narration is being recorded…").is_visible()


def test_without_javascript_the_page_says_what_is_coming(site: Site, browser: Browser) -> None:
    story = site.bedtales.write_story()
    context = browser.new_context(viewport=PHONE, java_script_enabled=False)
    page = context.new_page()
    page.goto(site.story(story))
    assert page.get_by_text("The picture is being painted…").is_visible()
    # (the <noscript> hint stays hidden here: playwright turns scripts off after parsing,
    # so chromium parses the page as if they ran; test_web_pages.py checks the hint is there)
    assert page.get_by_text("The narration is being recorded…").is_visible()
    context.close()


def test_the_keyboard_can_skip_to_the_story(site: Site, page: Page) -> None:
    story = site.bedtales.write_story()
    page.goto(site.story(story))
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to the story")
    assert skip.evaluate("link => link === document.activeElement")
    assert skip.is_visible()
    page.keyboard.press("Enter")
    assert page.evaluate("() => document.activeElement.id") == "main"


def test_unknown_and_expired_stories_have_their_own_pages(site: Site, page: Page) -> None:
    for address in ("/stories/0b5a3a4e-7d8f-4c2b-9a1e-3f6d5c4b2a19", "/stories/not-a-story"):
        response = page.goto(site.url + address)
        assert response is not None
        assert response.status == 404
        assert page.locator("h1").inner_text() == "We could not find that story"
    expired = site.bedtales.write_story(now=utcnow() - timedelta(days=3))
    response = page.goto(site.story(expired))
    assert response is not None
    assert response.status == 410
    assert page.locator("h1").inner_text() == "This story has gone back to the land of dreams"
