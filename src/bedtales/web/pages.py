"""The bedtime site: the story page, the household page and their error pages.

Everything is rendered on the server and works with JavaScript off. While the picture or
the narration is still being made the page says so; ``static/bedtales.js`` polls
``/stories/{id}/parts`` (the ``image`` and ``audio`` of :class:`~bedtales.stories.views.StoryView`,
nothing else) and brings them in when they arrive, then highlights each word as it is read.
Media links are the media store's signed links, made by :func:`~bedtales.stories.views.story_view`.

Error pages: the routes here render their own 404 and 410. For any other error outside the
API (an unknown address, a crash), ``web.errors`` asks :func:`html_error`, which ``install``
sets as its ``app.state.html_error`` hook; under ``/api/`` and ``/media/`` errors stay JSON.
"""

from __future__ import annotations

import hashlib
import re
import secrets
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from functools import cache, lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, FastAPI, Form, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from jinja2 import Environment, FileSystemLoader, StrictUndefined
from sqlalchemy import Row, bindparam, select
from starlette.concurrency import run_in_threadpool

from bedtales.clock import utcnow
from bedtales.errors import Expired, NotFound
from bedtales.households import services
from bedtales.storage import Database
from bedtales.storage.models import StoryRow
from bedtales.stories.book import picture_book
from bedtales.stories.scenes import read_scene
from bedtales.stories.views import StoryView, story_view
from bedtales.web import access, urls
from bedtales.web.ops import LabelledMount, LabelledRoute

if TYPE_CHECKING:
    from bedtales.app import App

HERE = Path(__file__).parent
STATIC = HERE / "static"

# story ids are UUIDs; anything else is answered 404 without asking the database
STORY_ID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", re.I)
# page tokens are secrets.token_urlsafe(24): 32 URL-safe characters
# a kept story's page never expires by itself (the cache still drops it after max_age_s)
NEVER = datetime.max.replace(tzinfo=UTC)
KEPT = "kept"
# random, made once a process: no name or story can hold it, so only the forms' fields
# are replaced by each visitor's token (the page caches live in this process)
CSRF_PLACEHOLDER = f"csrf-{secrets.token_hex(16)}"
# how long other visits are served a page as it is while one visit checks it
RECHECK_GRACE_S = 2.0
# stanza lines that make the preview text of a shared link
SUMMARY_LINES = 2

router = APIRouter(include_in_schema=False)


# ----------------------------------------------------------------------------- templates


@cache
def asset(name: str) -> str:
    """The address of a static file, with its content hash, so browsers never keep an old one
    after an upgrade."""
    digest = hashlib.sha256((STATIC / name).read_bytes()).hexdigest()[:12]
    return f"/static/{name}?v={digest}"


templates = Environment(
    loader=FileSystemLoader(HERE / "templates"),
    autoescape=True,  # names and scenes are shown as written: "<script>" is text, never markup
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
    auto_reload=False,
)
templates.globals["asset"] = asset


# private: a page carries its visitor's form token (and may set its cookie);
# no-cache, not no-store: the back button may show a page, but every visit asks again, as
# the picture and narration arrive after the first one
PAGE_HEADERS = {"Cache-Control": "private, no-cache"}


def render(name: str, status: int = 200, **context: Any) -> HTMLResponse:
    html = templates.get_template(name).render(**context)
    return HTMLResponse(html, status_code=status, headers=PAGE_HEADERS)


# ----------------------------------------------------------------------------- wording


def names_of(characters: list[str]) -> str:
    """The names as said aloud: Milo; Milo and Luna; Milo, Luna and Eric."""
    if len(characters) <= 1:
        return "".join(characters)
    return f"{', '.join(characters[:-1])} and {characters[-1]}"


def picture_alt(characters: list[str], scene: str) -> str:
    """What the builtin illustrator paints: every character, in the scene ("A picture of Milo
    and Luna at a picnic by a bubbling river")."""
    names = names_of(characters) or "the story"
    return f"A picture of {names} {read_scene(scene).phrase()}"


def lifetime(expires_at: datetime, now: datetime) -> str:
    """What the page says of the story's time left ("in about 2 days"), or KEPT."""
    return KEPT if expires_at == NEVER else time_left(expires_at, now)


def no_wording(_expires: datetime, _now: datetime) -> str:
    """For a :class:`PageCache` of pages that say nothing that changes with the clock alone."""
    return ""


def time_left(expires_at: datetime, now: datetime) -> str:
    hours = (expires_at - now).total_seconds() / 3600
    if hours >= 36:
        return f"in about {round(hours / 24)} days"
    if hours >= 1.5:
        return f"in about {round(hours)} hours"
    return "within the hour" if hours < 1 else "in about an hour"


def day_and_time(moment: datetime, timezone: str) -> str:
    local = moment.astimezone(ZoneInfo(timezone))
    hour = local.hour % 12 or 12
    return (
        f"{local:%A} {local.day} {local:%B}, {hour}:{local:%M} {'am' if local.hour < 12 else 'pm'}"
    )


def summary(view: StoryView) -> str:
    lines = [line for stanza in view.stanzas for line in stanza][:SUMMARY_LINES]
    return " ".join(lines)


# ----------------------------------------------------------------------------- page cache

_STATE = select(
    StoryRow.expires_at,
    StoryRow.kept_at,
    StoryRow.image_state,
    StoryRow.image_key,
    StoryRow.audio_state,
    StoryRow.audio_key,
).where(StoryRow.id == bindparam("story_id"))
StoryState = Row[datetime, datetime | None, str, str | None, str, str | None]


def story_state(db: Database, story_id: str) -> StoryState | None:
    """What a story page depends on besides the story's text, which never changes."""
    with db.engine.connect() as connection:
        state: StoryState | None = connection.execute(_STATE, {"story_id": story_id}).first()
        return state


@dataclass(frozen=True)
class CachedPage:
    version: tuple[object, ...]  # the story's state and the "drifts away in …" wording
    expires_at: datetime  # for a kept story, NEVER
    body: bytes
    rendered: float  # time.monotonic()
    checked: float  # when the story's state was last seen to match


class PageCache:
    """Rendered story pages, each kept with the version of the story it shows.

    A story's text never changes; its page changes only with its expiry, the state of its
    picture and narration, and the wording of the time it has left. So a page is rendered
    once (the full read, four link signatures, the template) and served again while a small
    read of that version (:func:`story_state`) matches. That read happens at most every
    ``recheck_s`` per story: meanwhile the page is served as it is, never past its story's
    expiry. A page is dropped after ``max_age_s`` whatever happens (S3 links signed with
    short-lived credentials die with them), and at most ``size`` pages are kept, the least
    recently used going first.

    When a page is due for its read, the first visit makes it and the others are served the
    page as it is meanwhile (for up to ``RECHECK_GRACE_S``): under load, one request a second
    reads the database rather than every request that arrives while that read is running.
    """

    def __init__(
        self,
        size: int = 256,
        recheck_s: float = 1.0,
        max_age_s: float = 600.0,
        wording: Callable[[datetime, datetime], str] | None = None,
    ) -> None:
        self.size = size
        self.recheck_s = recheck_s
        self.max_age_s = max_age_s
        # the part of a page that changes with the clock alone (a version's last item)
        self.wording = wording or lifetime
        self._pages: OrderedDict[str, CachedPage] = OrderedDict()
        self._lock = threading.Lock()  # the loop reads, threads from the pool write
        # pages being checked now, and since when (monotonic): their others wait no longer
        self._checking: dict[str, float] = {}

    def recent(self, story_id: str, now: datetime) -> bytes | None:
        """The page if its story was checked less than ``recheck_s`` ago and is still on,
        or if another visit is checking it right now. None: this caller checks it (and
        must then call :meth:`get` or :meth:`put`, or the others wait out the grace)."""
        page = self._pages.get(story_id)  # story_id: or any key (web.family keeps its own)
        if page is None:
            return None
        if page.expires_at <= now or page.version[-1] != self.wording(page.expires_at, now):
            return None
        clock = time.monotonic()
        if clock - page.checked < self.recheck_s:
            return page.body
        # one caller at a time checks; the loop is one thread, so this is not a race
        since = self._checking.get(story_id)
        if since is not None and clock - since < RECHECK_GRACE_S:
            return page.body
        self._checking[story_id] = clock
        return None

    def get(self, story_id: str, version: tuple[object, ...]) -> bytes | None:
        """The page if it shows this version of its story (noting that it was checked)."""
        clock = time.monotonic()
        with self._lock:
            page = self._pages.get(story_id)
            if page is None or page.version != version or clock - page.rendered > self.max_age_s:
                return None
            self._pages[story_id] = replace(page, checked=clock)
            self._pages.move_to_end(story_id)
            self._checking.pop(story_id, None)
            return page.body

    def forget(self, story_id: str) -> None:
        """Drop a page this process just changed (kept, unkept): its next visit is rendered
        anew. Other processes see the change within ``recheck_s``."""
        with self._lock:
            self._pages.pop(story_id, None)
            self._checking.pop(story_id, None)

    def forget_all(self) -> None:
        with self._lock:
            self._pages.clear()
            self._checking.clear()

    def put(
        self, story_id: str, version: tuple[object, ...], expires: datetime, body: bytes
    ) -> None:
        clock = time.monotonic()
        with self._lock:
            self._pages[story_id] = CachedPage(version, expires, body, clock, clock)
            self._pages.move_to_end(story_id)
            self._checking.pop(story_id, None)
            while len(self._pages) > self.size:
                self._pages.popitem(last=False)


# ----------------------------------------------------------------------------- routes


def _bedtales(request: Request) -> App:
    bedtales: App = request.app.state.bedtales
    return bedtales


def _story_page(bedtales: App, cache: PageCache, story_id: str) -> bytes | Response:
    state = story_state(bedtales.db, story_id)
    now = utcnow()
    if state is None:
        cache.forget(story_id)
        return not_found_page()
    shown_until = NEVER if state.kept_at is not None else state.expires_at
    if shown_until <= now:
        cache.forget(story_id)
        return render("410.html", 410)
    version = (*state, lifetime(shown_until, now))
    body = cache.get(story_id, version)
    if body is None:
        # read after the version: the page shows that version or a newer one, never older
        try:
            story = services.get_story(bedtales.db, story_id)
        except Expired:
            cache.forget(story_id)
            return render("410.html", 410)
        except NotFound:
            cache.forget(story_id)
            return not_found_page()
        view = story_view(story, bedtales.tools.media)
        page = render(
            "story.html",
            story=view,
            url=urls.story_link(bedtales.settings.web.base_url, view.id),
            # a link preview fetches the picture from elsewhere: an absolute address
            og_image=urls.absolute(bedtales.settings.web.base_url, view.image.url or ""),
            keep_path=urls.story_keep(view.id),
            book_path=urls.book(view.id),
            names=names_of(view.characters),
            alt=picture_alt(view.characters, view.scene),
            summary=summary(view),
            time_left=version[-1],
            # the page is cached for every visitor; each one's form token goes in when served
            csrf=CSRF_PLACEHOLDER,
        )
        body = bytes(page.body)
        cache.put(story_id, version, shown_until, body)
    return body


@lru_cache(maxsize=512)
def _around_placeholder(body: bytes) -> tuple[bytes, ...]:
    """A cached page cut where visitors' tokens go: joining the pieces with a token costs a
    microsecond where replacing in the whole page cost fifty. Keyed by the cached bytes
    themselves (a bytes object keeps its hash, and the cache hands out the same object)."""
    return tuple(body.split(CSRF_PLACEHOLDER.encode()))


def served(request: Request, body: bytes, headers: dict[str, str] = PAGE_HEADERS) -> Response:
    """A cached page with this visitor's CSRF token in its forms (in the cache it holds
    :data:`CSRF_PLACEHOLDER`, as every visitor has a token of their own)."""
    token = access.csrf_token(request, None)
    response = HTMLResponse(token.encode().join(_around_placeholder(body)), headers=headers)
    access.remember_csrf(request, response)
    return response


async def story_page(request: Request) -> Response:
    """``/stories/{id}``, through the page cache. A page checked in the last moment is served
    on the loop; anything that reads the database runs in the thread pool."""
    story_id: str = request.path_params["story_id"]
    if not STORY_ID.fullmatch(story_id):
        return not_found_page()
    story_id = story_id.lower()
    cache: PageCache = request.app.state.story_pages
    body = cache.recent(story_id, utcnow())
    if body is None:
        answer = await run_in_threadpool(_story_page, _bedtales(request), cache, story_id)
        if isinstance(answer, Response):
            return answer
        body = answer
    return served(request, body)


@router.post("/stories/{story_id}/keep")
def keep_form(
    request: Request,
    story_id: str,
    csrf: Annotated[str | None, Form()] = None,
    keep: Annotated[str | None, Form()] = None,
) -> Response:
    """The heart on the story page (a form, so it works without JavaScript): keep = "yes"
    keeps the story, anything else lets it expire normally. The story's link is enough,
    as for reading it; the form must come from this site (its CSRF token)."""
    access.check_csrf(request, csrf, None)
    if not STORY_ID.fullmatch(story_id):
        return not_found_page()
    # an unknown story raises NotFound, an expired one Expired: their pages (web.errors)
    change = services.keep_story if keep == "yes" else services.unkeep_story
    change(_bedtales(request).db, story_id)
    request.app.state.story_pages.forget(story_id.lower())
    return RedirectResponse(urls.story(story_id.lower()), status_code=303)


@router.get("/stories/{story_id}/book.pdf")
def story_book(request: Request, story_id: str) -> Response:
    """The story as an A5 picture book to print or keep (stories/book.py)."""
    if not STORY_ID.fullmatch(story_id):
        return not_found_page()
    bedtales = _bedtales(request)
    story = services.get_story(bedtales.db, story_id)  # NotFound, Expired: their pages
    picture = None
    if story.image.state == "done" and story.image.key:
        try:
            picture = bedtales.tools.media.get(story.image.key)
        except NotFound:  # swept or lost: the book goes without it
            picture = None
    view = story_view(story, bedtales.tools.media)
    pdf = picture_book(view, picture, names=names_of(view.characters))
    return Response(
        pdf,
        media_type="application/pdf",
        headers={
            "Content-Disposition": f'inline; filename="{book_filename(story.title)}"',
            "Cache-Control": "private, no-cache",
        },
    )


def book_filename(title: str) -> str:
    """An ASCII file name from the title ("The Moon's Picnic" → the-moons-picnic.pdf)."""
    slug = re.sub(r"[^a-z0-9]+", "-", title.lower().replace("'", "")).strip("-")[:60]
    return f"{slug or 'bedtime-story'}.pdf"


# Plain defs: FastAPI runs them in its thread pool, so database reads never stall the loop.


@router.get("/stories/{story_id}/parts")
def story_parts(request: Request, story_id: str) -> Response:
    """The picture and narration of a story (state and signed links), for the page script;
    errors in the API's JSON shape."""
    try:
        if not STORY_ID.fullmatch(story_id):
            raise NotFound(story_id)  # not worth asking the database
        story = services.get_story(_bedtales(request).db, story_id)
    except Expired:
        return JSONResponse({"error": "gone"}, status_code=410)
    except NotFound:
        return JSONResponse({"error": "not found"}, status_code=404)
    view = story_view(story, _bedtales(request).tools.media)
    parts = view.model_dump(mode="json", by_alias=True, include={"image", "audio"})
    return JSONResponse(parts, headers={"Cache-Control": "no-store"})


@router.get("/", response_class=HTMLResponse)
def home_page() -> Response:
    """What bedtales is and how to open a household. It never lists households: their
    addresses are their keys."""
    return render("home.html")


@router.get("/story")
def story_link(story_id: Annotated[str | None, Query(alias="id")] = None) -> Response:
    """The reference app's link form, ``/story?id=…``: sent in messages, so kept working."""
    if story_id is None or not STORY_ID.fullmatch(story_id.strip()):
        return not_found_page()
    return RedirectResponse(urls.story(story_id.strip().lower()), status_code=301)


# ----------------------------------------------------------------------------- error pages


def not_found_page() -> HTMLResponse:
    return render("404.html", 404)


PROBLEMS = {
    401: "Please sign in",
    403: "That did not come from this page",
    429: "Too many tries",
}


def html_error(request: Request, status: int, message: str) -> Response | None:
    """The error page for a status, when there is one (the hook ``web.errors`` calls for
    paths outside the API); ``None`` leaves the error to it, as JSON."""
    if status == 404:
        return not_found_page()
    if status == 410:
        return render("410.html", 410)
    if status in PROBLEMS:  # the message is ours (errors.py), written for a person
        return render("problem.html", status, heading=PROBLEMS[status], message=message)
    if status >= 500:
        # never the message: a 5xx may hold a path or a URL from the settings
        return render("500.html", status)
    return None


def install(site: FastAPI) -> None:
    site.state.story_pages = PageCache()
    site.include_router(router)
    # The busiest page: a plain Starlette route (no FastAPI parameter machinery), first in
    # line (matching walks the routes in order, and the API's are many); no other route's
    # path can look like it.
    site.router.routes.insert(0, LabelledRoute("/stories/{story_id}", story_page, methods=["GET"]))
    site.router.routes.append(
        LabelledMount("/static", StaticFiles(directory=STATIC), name="static")
    )
    site.state.html_error = html_error
