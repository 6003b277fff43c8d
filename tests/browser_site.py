"""What the browser tests share: Debian's chromium through playwright (one browser per test
module, never `playwright install`), a phone-sized page that fails its test on any browser
error, the real app under uvicorn on a free port, and the checks a person's eyes and keyboard
would make: moving the focus with the keyboard, seeing where it is (:func:`tab_to`), and axe
plus sideways scrolling on a page (:class:`Inspection`).

Import the fixtures into a test module (``from browser_site import browser, page, site``).
Without chromium or playwright the tests are skipped locally and fail under ``CI=true``.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from axe import BLOCKING, describe, violations
from bedtales.app import App
from bedtales.bus.events import Delivery, Event
from bedtales.domain import Story
from bedtales.web import create_site
from conftest import require_service
from servers.web import address_of, free_socket, serving

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page, ViewportSize

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
# pages loaded on purpose with these statuses: chromium notes each one as a console error
EXPECTED_STATUSES = (404, 410)

# the focused element shows where it is: an outline, or a ring drawn with box-shadow (the
# browser's own controls, such as an audio player's buttons, draw their rings inside, out of
# getComputedStyle's sight: keep them off a path given to tab_to)
FOCUS_SHOWN = """() => {
    const element = document.activeElement;
    if (element === null || element === document.body) { return false; }
    const style = getComputedStyle(element);
    const outlined = style.outlineStyle !== "none" && parseFloat(style.outlineWidth) > 0;
    return outlined || style.boxShadow !== "none";
}"""
FOCUSED = """() => {
    const element = document.activeElement;
    return element.tagName.toLowerCase() + (element.id ? "#" + element.id : "") + " "
        + JSON.stringify((element.innerText || element.value || "").slice(0, 40));
}"""
SIDEWAYS = """() => {
    const root = document.scrollingElement;
    return {scroll: root.scrollWidth, client: root.clientWidth};
}"""


@dataclass(frozen=True)
class Site:
    url: str
    bedtales: App

    def story(self, story: Story) -> str:
        return f"{self.url}/stories/{story.id}"


def deliver(bedtales: App, story: Story, *targets: str) -> None:
    """Run targets for a story by hand, as the worker would (for tests about the pages)."""
    event = Event("bedtales.stories", "StoryCreated", {"id": story.id}, id=f"event-{story.id}")
    for target in targets:
        bedtales.run_delivery(Delivery(event, target, attempt=1, receipt="r1"))


@pytest.fixture
def database_url(tmp_path: Path) -> str:
    """SQLite only: the browser sees the same pages on either database, and
    test_web_pages.py and test_web_family.py check them on both."""
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


@contextmanager
def open_site(data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Site]:
    """The web app of ``data_dir`` on a free port; links that leave it name that port."""
    with free_socket() as sock:
        monkeypatch.setenv("BEDTALES_WEB__BASE_URL", address_of(sock))
        bedtales = App.open(data_dir)
        try:
            with serving(create_site(bedtales), sock):
                yield Site(address_of(sock), bedtales)
        finally:
            bedtales.close()


@pytest.fixture
def site(data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Site]:
    with open_site(data_dir, monkeypatch) as opened:
        yield opened


def _is_error(message: Any, expected: tuple[int, ...]) -> bool:
    statuses = tuple(f"with a status of {status}" for status in expected)
    return message.type == "error" and not any(text in message.text for text in statuses)


@contextmanager
def phone(
    browser: Browser, expected: tuple[int, ...] = EXPECTED_STATUSES, **options: Any
) -> Iterator[Page]:
    """A page in a fresh phone-sized context (its own cookies); a script error, a refusal
    by the Content-Security-Policy or a page loaded with a status not in ``expected``
    fails the test when the block ends. ``options``: more of ``new_context``'s."""
    context = browser.new_context(viewport=PHONE, device_scale_factor=2, **options)
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if _is_error(msg, expected) else None)
    page.on("pageerror", lambda error: errors.append(str(error)))
    try:
        yield page
    finally:
        context.close()
    assert errors == [], "the browser reported errors"


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    with phone(browser) as opened:
        yield opened


# ----------------------------------------------------------------------------- checks


def tab_to(page: Page, selector: str, key: str = "Tab", most: int = 40) -> None:
    """Press ``key`` until the element matching ``selector`` has the focus, checking at
    every stop that the focus can be seen."""
    for _ in range(most):
        page.keyboard.press(key)
        assert page.evaluate(FOCUS_SHOWN), f"focus not visible on {page.evaluate(FOCUSED)}"
        if page.evaluate("(s) => document.activeElement.matches(s)", selector):
            return
    raise AssertionError(f"{selector} cannot be reached with {key} on {page.url}")


def press_and_follow(page: Page, key: str) -> None:
    """Press a key that leads to another page (a link, a form), and wait for that page."""
    with page.expect_navigation():
        page.keyboard.press(key)


class Inspection:
    """Each page's problems: axe's serious and critical violations, and sideways scrolling
    on a phone 390 px wide. Gathered over a tour of pages, and reported together."""

    def __init__(self) -> None:
        self.problems: list[str] = []
        self.pages: list[str] = []

    def check(self, page: Page, name: str) -> None:
        """Look at the page as it is now, noting its problems under ``name``."""
        found = violations(page)
        blocking = [v for v in found if v["impact"] in BLOCKING]
        if blocking:
            self.problems.append(f"{name}: axe:\n{describe(found)}")
        width = page.evaluate(SIDEWAYS)
        if width["scroll"] > min(PHONE["width"], width["client"]):
            self.problems.append(f"{name}: scrolls sideways ({width['scroll']} px wide)")
        self.pages.append(name)
