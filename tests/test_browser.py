"""The story page in a real browser: Debian's chromium, driven by playwright, against the real
app under uvicorn, with pictures and narrations made by the real targets (espeak narrates).

Without chromium or playwright these tests are skipped locally and fail under ``CI=true``.
A browser-side error (a script error, or anything the Content-Security-Policy refused)
fails the test that caused it. Run only these with ``pytest -m browser``.
"""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from sqlalchemy import update

import browser_site
from axe import assert_accessible, violations
from bedtales.clock import utcnow
from bedtales.households import services
from bedtales.media import TIMINGS, story_key
from bedtales.storage.models import StoryRow
from browser_site import PHONE, Site, deliver

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

pytestmark = pytest.mark.browser
# the shared fixtures, under their names here (pytest finds fixtures among a module's names)
browser = browser_site.browser
database_url = browser_site.database_url
page = browser_site.page
site = browser_site.site

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


# ----------------------------------------------------------------------------- keep, book, axe


def test_the_heart_keeps_the_story_and_the_book_opens(site: Site, page: Page) -> None:
    story = site.bedtales.write_story()
    deliver(site.bedtales, story, "illustrate", "narrate")
    page.goto(site.story(story))
    heart = page.get_by_role("button", name="♡ Keep")
    heart.click()
    page.wait_for_url(site.story(story))
    assert page.get_by_role("button", name="♥ Kept").get_attribute("aria-pressed") == "true"
    assert page.get_by_text("Kept: this story stays").is_visible()
    assert services.get_story(site.bedtales.db, story.id).kept_at is not None
    book = page.get_by_role("link", name="Picture book (PDF)")
    answer = page.request.get(site.url + (book.get_attribute("href") or ""))
    assert answer.status == 200
    assert answer.headers["content-type"] == "application/pdf"
    assert answer.body().startswith(b"%PDF")


def test_the_keyboard_alone_keeps_a_story(site: Site, page: Page) -> None:
    story = site.bedtales.write_story()
    page.goto(site.story(story))
    for _ in range(30):  # Tab through the page until the heart has the focus
        page.keyboard.press("Tab")
        if page.evaluate("() => document.activeElement.classList.contains('keep-button')"):
            break
    else:
        raise AssertionError("the keep button cannot be reached with Tab")
    page.keyboard.press("Enter")
    page.wait_for_url(site.story(story))
    page.get_by_role("button", name="♥ Kept").wait_for()


@pytest.mark.parametrize("kind", ["finished", "pending", "home", "missing", "expired"])
def test_pages_have_no_serious_accessibility_problems(site: Site, page: Page, kind: str) -> None:
    if kind == "home":
        address = site.url + "/"
    elif kind == "missing":
        address = site.url + "/stories/0b5a3a4e-7d8f-4c2b-9a1e-3f6d5c4b2a19"
    elif kind == "expired":
        address = site.story(site.bedtales.write_story(now=utcnow() - timedelta(days=3)))
    else:
        story = site.bedtales.write_story()
        if kind == "finished":
            deliver(site.bedtales, story, "illustrate", "narrate")
        address = site.story(story)
    page.goto(address)
    if kind == "finished":
        page.wait_for_function(PICTURE_LOADED)
    assert_accessible(page)


def test_the_accessibility_check_can_fail(site: Site, page: Page) -> None:
    """axe really runs: a picture stripped of its text alternative is caught."""
    story = site.bedtales.write_story()
    deliver(site.bedtales, story, "illustrate")
    page.goto(site.story(story))
    page.locator("figure.picture img").evaluate("img => img.removeAttribute('alt')")
    assert "image-alt" in [v["id"] for v in violations(page)]
