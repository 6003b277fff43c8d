"""The household's own site in a real browser, used as a parent would on a phone (390 by 844):
Debian's chromium through playwright, the real app under uvicorn, and for "Tell a story now"
the real worker and pipes of ``bedtales run`` in threads, with mail to the test SMTP server.

Every flow goes through the pages only (links, forms, buttons): sign in, characters, bedtime,
messages, a story told now and watched as it arrives, kept, its picture book and the podcast
feed. One test does it all with the keyboard alone; one runs axe on every page and checks that
none scrolls sideways. A browser-side error fails the test that caused it (pages loaded on
purpose with a refusal's status excepted). Run only the browser tests with ``pytest -m browser``.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial
from io import BytesIO
from pathlib import Path
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

import feedparser
import pytest
from pypdf import PdfReader

import browser_site
from bedtales.app import App
from bedtales.clock import utcnow
from bedtales.households import access as household_access
from bedtales.households import services
from bedtales.web import urls
from browser_site import (
    FOCUS_SHOWN,
    Inspection,
    Site,
    deliver,
    open_site,
    phone,
    press_and_follow,
    tab_to,
)
from servers.smtp import SmtpServer

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

pytestmark = pytest.mark.browser
browser = browser_site.browser  # the shared fixtures, under their names here
database_url = browser_site.database_url

PASSPHRASE = "moon and stars and tea"
# refusals the tests bring about on purpose: a wrong passphrase, a form without its token,
# a refused field, a story asked for too soon (and the 404 and 410 of the story pages)
REFUSALS = (401, 403, 404, 410, 422, 429)
# generous: the page script asks every few seconds, and a loaded machine paints slowly
ARRIVAL_TIMEOUT_MS = 45_000
PICTURE_LOADED = """() => {
    const img = document.querySelector("figure.picture img");
    return img !== null && img.complete && img.naturalWidth > 0;
}"""


@dataclass(frozen=True)
class Family:
    """The household "home" (Milo and Luna, the starter scenes, a passphrase) on its site."""

    site: Site
    token: str

    @property
    def bedtales(self) -> App:
        return self.site.bedtales

    def url(self, page: str = "") -> str:
        return self.site.url + urls.household(self.token, page)


class Background:
    """The worker and the pipes that ``bedtales run`` starts (``Runner.start_background``),
    in threads, from when the test calls :meth:`start`. Not its scheduler and sweeper: a
    bedtime that came round mid-test would write a story of its own."""

    def __init__(self, bedtales: App) -> None:
        self.bedtales = bedtales
        self.stop = threading.Event()
        self.threads: list[threading.Thread] = []

    def start(self) -> None:
        parts: list[Callable[[threading.Event], None]] = [
            self.bedtales.worker(concurrency=2).run,
            *(partial(pipe.run, idle_wait_s=0.1) for pipe in self.bedtales.pipes()),
        ]
        for run in parts:
            thread = threading.Thread(target=run, args=(self.stop,), daemon=True)
            thread.start()
            self.threads.append(thread)

    def close(self) -> None:
        self.stop.set()
        for thread in self.threads:
            thread.join(10)


@pytest.fixture
def family(
    data_dir: Path, smtp_server: SmtpServer, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Family]:
    """The site of a server whose operator set up mail (the test SMTP server)."""
    monkeypatch.setenv("BEDTALES_SMTP__HOST", smtp_server.host)
    monkeypatch.setenv("BEDTALES_SMTP__PORT", str(smtp_server.port))
    monkeypatch.setenv("BEDTALES_SMTP__SECURITY", "none")
    monkeypatch.setenv("BEDTALES_SMTP__SENDER", "stories@example.org")
    with open_site(data_dir, monkeypatch) as site:
        household_access.set_passphrase(site.bedtales.db, "home", PASSPHRASE)
        yield Family(site, services.get_household(site.bedtales.db, "home").page_token)


@pytest.fixture
def background(family: Family) -> Iterator[Background]:
    parts = Background(family.bedtales)
    yield parts
    parts.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    with phone(browser, REFUSALS) as opened:
        yield opened


# ----------------------------------------------------------------------------- helpers


def sign_in(page: Page, family: Family, then: str = "") -> None:
    """Sign in from the sign-in page, as a parent does, landing on ``then``."""
    page.goto(family.site.url + urls.sign_in(family.token, urls.household(family.token, then)))
    page.get_by_label("Passphrase").fill(PASSPHRASE)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(family.url(then))


def nav(page: Page, words: str) -> None:
    page.get_by_role("navigation", name="Household").get_by_role("link", name=words).click()


def field_error(page: Page, field_id: str) -> str:
    """The error shown with a field: in the field's own box, and tied to its input."""
    field = page.locator(f"#{field_id}")
    error = page.locator(f"#{field_id}-error")
    assert field.get_attribute("aria-invalid") == "true"
    assert f"{field_id}-error" in (field.get_attribute("aria-describedby") or "").split()
    same_box = "(error, field) => error.parentElement === field.parentElement"
    assert error.evaluate(same_box, field.element_handle())
    return error.inner_text()


def story_id_of_progress(page: Page, family: Family) -> str:
    found = re.fullmatch(re.escape(family.url("stories/")) + r"([0-9a-f-]{36})", page.url)
    assert found is not None, f"not a progress page: {page.url}"
    return found.group(1)


# ----------------------------------------------------------------------------- the flows


def test_the_passphrase_signs_the_family_in(family: Family, page: Page) -> None:
    response = page.goto(family.url())
    assert response is not None
    assert response.status == 200
    assert page.get_by_role("heading", level=1).inner_text() == "Stories for home"
    assert page.get_by_role("button", name="Make a new private link").count() == 0
    nav(page, "Sign in")
    page.get_by_label("Passphrase").fill("not our passphrase")
    with page.expect_navigation() as refused:
        page.get_by_role("button", name="Sign in").click()
    assert refused.value is not None
    assert refused.value.status == 401
    assert field_error(page, "passphrase")  # the reason, next to the field
    assert page.evaluate("() => document.activeElement.id") == "passphrase"
    page.get_by_label("Passphrase").fill(PASSPHRASE)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(family.url())
    assert page.get_by_role("button", name="Sign out").is_visible()
    assert page.get_by_role("button", name="Make a new private link").is_visible()


def test_a_character_is_added_shown_as_typed_and_an_empty_name_refused(
    family: Family, page: Page
) -> None:
    sign_in(page, family, "characters")
    page.get_by_label("Name").fill("<b>Zog</b>")
    page.get_by_role("button", name="Add", exact=True).click()
    page.get_by_role("status").filter(has_text="Added.").wait_for()
    entries = page.locator(".entries .entry-text")
    assert entries.all_inner_texts() == ["Milo", "Luna", "<b>Zog</b>"]  # text, not markup
    assert page.locator(".entries b").count() == 0
    page.get_by_label("Name").fill("   ")  # passes `required`; the server refuses it
    with page.expect_navigation() as refused:
        page.get_by_role("button", name="Add", exact=True).click()
    assert refused.value is not None
    assert refused.value.status == 422
    assert field_error(page, "new-name") == "name must not be empty"
    assert [c.name for c in services.list_characters(family.bedtales.db, "home")] == [
        "Milo",
        "Luna",
        "<b>Zog</b>",
    ]


def test_bedtime_is_set_on_weekdays_in_the_phones_time_zone(
    family: Family, browser: Browser
) -> None:
    zone = ZoneInfo("America/New_York")
    with phone(browser, REFUSALS, timezone_id=zone.key) as page:
        sign_in(page, family, "bedtime")
        page.get_by_role("button", name="Use this device's zone, America/New York").click()
        assert page.get_by_label("Time zone").input_value() == zone.key
        page.get_by_label("Time", exact=True).fill("19:30")
        for weekend in ("Sat", "Sun"):
            page.get_by_label(weekend).uncheck()
        page.get_by_role("button", name="Save bedtime").click()
        page.get_by_role("status").filter(has_text="Saved.").wait_for()
        lede = page.locator(".lede").inner_text()
        assert lede == (
            "A new story is written at 19:30, on Mon, Tue, Wed, Thu, Fri, America/New_York time."
        )
        times = page.locator(".upcoming time")
        assert times.count() == 5
        for shown in times.all():
            local = datetime.fromisoformat(shown.get_attribute("datetime") or "").astimezone(zone)
            assert (local.hour, local.minute) == (19, 30)
            assert local.weekday() < 5
            assert shown.inner_text() == f"{local:%A} {local.day} {local:%B}, 7:30 pm"
    assert services.get_household(family.bedtales.db, "home").timezone == zone.key


def test_a_story_told_now_arrives_step_by_step(
    family: Family, page: Page, background: Background, smtp_server: SmtpServer
) -> None:
    sign_in(page, family, "messages")
    page.get_by_label("Email address").fill("grandma@example.com")
    page.get_by_label("Label (optional)").first.fill("Grandma")
    page.get_by_role("button", name="Add email").click()
    page.get_by_role("status").filter(has_text="Added.").wait_for()
    nav(page, "Stories")
    page.get_by_role("button", name="Tell a story now").click()
    page.wait_for_url(re.compile(re.escape(family.url("stories/"))))
    story_id = story_id_of_progress(page, family)
    title = page.get_by_role("heading", level=1).inner_text()
    steps = page.locator("[data-step]")
    assert steps.all_inner_texts() == [
        "The story is written",
        "Painting the picture…",
        "Recording the narration…",
        "Sending the message…",
    ]
    page.evaluate("() => { window.stillTheSamePage = true; }")
    background.start()  # from here on, as `bedtales run` does it
    for step, words in (
        ("painted", "The picture is painted"),
        ("narrated", "The narration is recorded"),
        ("sent", "The message is sent"),
    ):
        page.locator(f'[data-step="{step}"][data-state="done"]').filter(has_text=words).wait_for(
            timeout=ARRIVAL_TIMEOUT_MS
        )
    assert page.get_by_role("status").inner_text() == "All done: the story is ready."
    assert page.get_by_role("link", name="Refresh").count() == 0
    assert page.evaluate("() => window.stillTheSamePage") is True, "updated in place"
    [mail] = smtp_server.wait_for(1)
    assert mail["To"] == "grandma@example.com"
    text = mail.get_body(("plain",))
    assert text is not None
    assert family.site.url + urls.story(story_id) in text.get_content()
    page.get_by_role("link", name="Read the story").click()
    page.wait_for_url(family.site.url + urls.story(story_id))
    assert page.get_by_role("heading", level=1).inner_text() == title
    page.wait_for_function(PICTURE_LOADED)


def test_a_kept_story_is_marked_in_the_library_and_has_its_book_and_episode(
    family: Family, page: Page
) -> None:
    story = family.bedtales.write_story(now=utcnow() - timedelta(hours=20))  # yesterday's
    deliver(family.bedtales, story, "illustrate", "narrate")
    tonight = family.bedtales.write_story()  # not narrated yet: no episode
    page.goto(family.site.story(story))
    page.get_by_role("button", name="♡ Keep").click()
    kept = page.get_by_role("button", name="♥ Kept")
    kept.wait_for()
    assert kept.get_attribute("aria-pressed") == "true"
    assert page.get_by_text("Kept: this story stays until you unkeep it.").is_visible()
    book = page.get_by_role("link", name="Picture book (PDF)").get_attribute("href")
    answer = page.request.get(family.site.url + (book or ""))
    assert answer.status == 200
    assert answer.headers["content-type"] == "application/pdf"
    cover = PdfReader(BytesIO(answer.body())).pages[0].extract_text() or ""
    assert story.title in " ".join(cover.split())

    page.goto(family.url())  # the household's bookmark
    assert page.locator(".tonight-title").inner_text() == tonight.title
    assert page.locator(".tonight-card .kept-mark").count() == 0
    [shelved] = page.locator(".shelf-item").all()
    assert shelved.locator(".shelf-title").inner_text() == story.title
    assert shelved.locator(".kept-mark").inner_text() == "♥ Kept"
    feed_link = page.get_by_role("region", name="Listen in a podcast app").get_by_role("link")
    assert feed_link.inner_text() == family.site.url + urls.podcast(family.token)
    answer = page.request.get(feed_link.get_attribute("href") or "")
    assert answer.status == 200
    feed = feedparser.parse(answer.body())
    assert not feed.bozo, feed.get("bozo_exception")
    [episode] = feed.entries
    assert episode.title == story.title
    assert episode.link == family.site.story(story)
    assert episode.enclosures[0].type == "audio/mpeg"


# ----------------------------------------------------------------------------- the keyboard


def test_the_keyboard_alone_signs_in_adds_a_character_tells_and_keeps_a_story(
    family: Family, page: Page
) -> None:
    """Tab, Shift+Tab, Enter and Space only (and typing into fields); every stop of the
    focus must be visible."""
    page.goto(family.url())
    page.keyboard.press("Tab")
    assert page.evaluate("() => document.activeElement.classList.contains('skip-link')")
    assert page.evaluate(FOCUS_SHOWN)
    assert page.get_by_role("link", name="Skip to the stories").is_visible()
    page.keyboard.press("Enter")
    assert page.evaluate("() => document.activeElement.id") == "main"
    tab_to(page, "nav a[href*='sign-in']", key="Shift+Tab")  # the nav is just before main
    press_and_follow(page, "Enter")
    tab_to(page, "#passphrase")
    page.keyboard.type(PASSPHRASE)
    press_and_follow(page, "Enter")
    assert page.url == family.url()

    tab_to(page, "nav a[href$='/characters']")
    press_and_follow(page, "Enter")
    tab_to(page, "#new-name")
    page.keyboard.type("Zog")
    press_and_follow(page, "Enter")
    assert "Zog" in page.locator(".entries").inner_text()

    tab_to(page, f".family-nav a[href$='{family.token}']")
    press_and_follow(page, "Enter")
    tab_to(page, ".tell-form button")
    press_and_follow(page, "Space")
    story_id = story_id_of_progress(page, family)
    tab_to(page, f"a[href='{urls.story(story_id)}']")
    press_and_follow(page, "Enter")
    tab_to(page, ".keep-button")
    press_and_follow(page, "Space")
    page.get_by_role("button", name="♥ Kept").wait_for()
    assert services.get_story(family.bedtales.db, story_id).kept_at is not None
    assert "Zog" in services.get_story(family.bedtales.db, story_id).characters


# ----------------------------------------------------------------------------- every page


def test_every_page_is_accessible_and_fits_a_phone(family: Family, page: Page) -> None:
    older = family.bedtales.write_story(now=utcnow() - timedelta(hours=3))  # in the library
    deliver(family.bedtales, older, "illustrate")
    pages = Inspection()

    page.goto(family.site.url + "/")
    pages.check(page, "welcome /")
    page.goto(family.url())
    pages.check(page, "household, signed out")
    # no page offers a change to a visitor who is not signed in: send one from a form
    # retargeted here, with this browser's own CSRF token, to see the refusal's page
    form = page.locator(".tell-form")
    form.evaluate("(form, action) => { form.action = action; }", family.url("characters"))
    with page.expect_navigation() as unsigned:
        form.get_by_role("button").click()
    assert unsigned.value is not None
    assert unsigned.value.status == 401
    pages.check(page, "401 sign in to change this")
    nav(page, "Sign in")
    page.get_by_label("Passphrase").fill("not our passphrase")
    page.get_by_role("button", name="Sign in").click()
    page.locator("#passphrase-error").wait_for()
    pages.check(page, "sign-in with an error")

    sign_in(page, family, "characters")
    pages.check(page, "characters")
    page.get_by_label("Name").fill("   ")
    page.get_by_role("button", name="Add", exact=True).click()
    page.locator("#new-name-error").wait_for()
    pages.check(page, "characters with an error")
    for name in ("Scenes", "Bedtime", "Messages"):
        nav(page, name)
        page.get_by_role("heading", level=1, name=name).wait_for()
        pages.check(page, name.lower())
    page.get_by_label("Email address").fill("grandma@example.com")
    page.get_by_label("Label (optional)").first.fill("Grandma")
    page.get_by_role("button", name="Add email").click()
    page.get_by_role("button", name="Send a test to Grandma").wait_for()
    pages.check(page, "messages, with someone who hears")

    # signed out in another tab, then a change sent from this one: its form has expired
    nav(page, "Characters")
    other = page.context.new_page()
    other.goto(family.url())
    other.get_by_role("button", name="Sign out").click()
    other.get_by_role("status").filter(has_text="You are signed out.").wait_for()
    other.close()
    page.get_by_label("Name").fill("Zog")
    with page.expect_navigation() as expired:
        page.get_by_role("button", name="Add", exact=True).click()
    assert expired.value is not None
    assert expired.value.status == 403
    assert page.get_by_role("heading", level=1).inner_text() == "This form has expired"
    pages.check(page, "403 this form has expired")

    page.goto(family.url())
    page.get_by_role("button", name="Tell a story now").click()
    page.locator("[data-progress]").wait_for()
    story_id = story_id_of_progress(page, family)
    pages.check(page, "progress")
    nav(page, "Stories")
    with page.expect_navigation() as busy:
        page.get_by_role("button", name="Tell a story now").click()
    assert busy.value is not None
    assert busy.value.status == 429
    pages.check(page, "429 a story is on its way")

    page.goto(family.site.url + urls.story(story_id))
    page.get_by_role("button", name="♡ Keep").click()
    page.get_by_role("button", name="♥ Kept").wait_for()
    pages.check(page, "story, kept")
    sign_in(page, family)
    pages.check(page, "household, signed in, with stories")

    assert pages.problems == [], "\n".join(pages.problems)
    assert len(pages.pages) == 15


def test_the_inspection_can_fail(family: Family, page: Page) -> None:
    """Both checks really look: a button without a name and a box wider than the phone are
    caught."""
    page.goto(family.url())
    page.evaluate(
        """() => {
            const wide = document.createElement("div");
            wide.style.width = "600px";
            wide.style.height = "10px";
            document.querySelector("main").append(wide, document.createElement("button"));
        }"""
    )
    pages = Inspection()
    pages.check(page, "spoilt")
    assert len(pages.problems) == 2
    assert "button-name" in pages.problems[0]
    assert "scrolls sideways (6" in pages.problems[1]
