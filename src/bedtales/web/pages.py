"""The bedtime site: the story page, the household page and their error pages.

Everything is rendered on the server and works with JavaScript off. While the picture or
the narration is still being made the page says so; ``static/bedtales.js`` polls
``/stories/{id}/parts`` (the ``image`` and ``audio`` of :class:`~bedtales.views.StoryView`,
nothing else) and brings them in when they arrive, then highlights each word as it is read.
Media links are the media store's signed links, made by :func:`~bedtales.views.story_view`.

Error pages: the routes here render their own 404 and 410. For any other error outside the
API (an unknown address, a crash), ``web.errors`` asks :func:`html_error`, which ``install``
sets as its ``app.state.html_error`` hook; under ``/api/`` and ``/media/`` errors stay JSON.
"""

from __future__ import annotations

import hashlib
import re
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass, replace
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, FastAPI, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from jinja2 import Environment, FileSystemLoader, StrictUndefined
from sqlalchemy import Row, bindparam, select
from starlette.concurrency import run_in_threadpool
from starlette.routing import Route

from bedtales import services
from bedtales.errors import Expired, NotFound
from bedtales.storage import Database
from bedtales.storage.models import StoryRow, utcnow
from bedtales.stories.scenes import read_scene
from bedtales.views import StoryView, story_view

if TYPE_CHECKING:
    from bedtales.app import App

HERE = Path(__file__).parent
STATIC = HERE / "static"

# story ids are UUIDs; anything else is answered 404 without asking the database
STORY_ID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", re.I)
# page tokens are secrets.token_urlsafe(24): 32 URL-safe characters
# stanza lines that make the preview text of a shared link
SUMMARY_LINES = 2
HOUSEHOLD_STORIES = 50

router = APIRouter(include_in_schema=False)


def story_path(story_id: str) -> str:
    return f"/stories/{story_id}"


def household_path(page_token: str) -> str:
    """The household page's address: whoever has it sees the household's stories."""
    return f"/households/{page_token}"


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


# no-cache, not no-store: the back button may show a page, but every visit asks again, as
# the picture and narration arrive after the first one
PAGE_HEADERS = {"Cache-Control": "no-cache"}


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


# ----------------------------------------------------------------------------- households


@dataclass(frozen=True)
class ShelfItem:
    """One story on the household page."""

    path: str
    title: str
    names: str
    written: str
    written_iso: str
    thumbnail_url: str | None


# ----------------------------------------------------------------------------- page cache

_STATE = select(
    StoryRow.expires_at,
    StoryRow.image_state,
    StoryRow.image_key,
    StoryRow.audio_state,
    StoryRow.audio_key,
).where(StoryRow.id == bindparam("story_id"))
StoryState = Row[datetime, str, str | None, str, str | None]


def story_state(db: Database, story_id: str) -> StoryState | None:
    """What a story page depends on besides the story's text, which never changes."""
    with db.engine.connect() as connection:
        state: StoryState | None = connection.execute(_STATE, {"story_id": story_id}).first()
        return state


@dataclass(frozen=True)
class CachedPage:
    version: tuple[object, ...]  # the story's state and the "drifts away in …" wording
    expires_at: datetime
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
    """

    def __init__(self, size: int = 256, recheck_s: float = 1.0, max_age_s: float = 600.0) -> None:
        self.size = size
        self.recheck_s = recheck_s
        self.max_age_s = max_age_s
        self._pages: OrderedDict[str, CachedPage] = OrderedDict()
        self._lock = threading.Lock()  # the loop reads, threads from the pool write

    def recent(self, story_id: str, now: datetime) -> bytes | None:
        """The page if its story was checked less than ``recheck_s`` ago and is still on."""
        page = self._pages.get(story_id)
        if page is None or time.monotonic() - page.checked >= self.recheck_s:
            return None
        if page.expires_at <= now or page.version[-1] != time_left(page.expires_at, now):
            return None
        return page.body

    def get(self, story_id: str, version: tuple[object, ...]) -> bytes | None:
        """The page if it shows this version of its story (noting that it was checked)."""
        clock = time.monotonic()
        with self._lock:
            page = self._pages.get(story_id)
            if page is None or page.version != version or clock - page.rendered > self.max_age_s:
                return None
            self._pages[story_id] = replace(page, checked=clock)
            self._pages.move_to_end(story_id)
            return page.body

    def put(
        self, story_id: str, version: tuple[object, ...], expires: datetime, body: bytes
    ) -> None:
        clock = time.monotonic()
        with self._lock:
            self._pages[story_id] = CachedPage(version, expires, body, clock, clock)
            self._pages.move_to_end(story_id)
            while len(self._pages) > self.size:
                self._pages.popitem(last=False)


# ----------------------------------------------------------------------------- routes


def _bedtales(request: Request) -> App:
    bedtales: App = request.app.state.bedtales
    return bedtales


def _story_page(bedtales: App, cache: PageCache, story_id: str) -> Response:
    state = story_state(bedtales.db, story_id)
    now = utcnow()
    if state is None:
        return not_found_page()
    if state.expires_at <= now:
        return render("410.html", 410)
    version = (*state, time_left(state.expires_at, now))
    body = cache.get(story_id, version)
    if body is None:
        # read after the version: the page shows that version or a newer one, never older
        try:
            story = services.get_story(bedtales.db, story_id)
        except Expired:
            return render("410.html", 410)
        except NotFound:
            return not_found_page()
        view = story_view(story, bedtales.tools.media)
        page = render(
            "story.html",
            story=view,
            url=bedtales.settings.web.base_url + story_path(view.id),
            names=names_of(view.characters),
            alt=picture_alt(view.characters, view.scene),
            summary=summary(view),
            time_left=version[-1],
        )
        body = bytes(page.body)
        cache.put(story_id, version, state.expires_at, body)
    return HTMLResponse(body, headers=PAGE_HEADERS)


async def story_page(request: Request) -> Response:
    """``/stories/{id}``, through the page cache. A page checked in the last moment is served
    on the loop; anything that reads the database runs in the thread pool."""
    story_id: str = request.path_params["story_id"]
    if not STORY_ID.fullmatch(story_id):
        return not_found_page()
    story_id = story_id.lower()
    cache: PageCache = request.app.state.story_pages
    body = cache.recent(story_id, utcnow())
    if body is not None:
        return HTMLResponse(body, headers=PAGE_HEADERS)
    return await run_in_threadpool(_story_page, _bedtales(request), cache, story_id)


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


@router.get("/story")
def story_link(story_id: Annotated[str | None, Query(alias="id")] = None) -> Response:
    """The reference app's link form, ``/story?id=…``: sent in messages, so kept working."""
    if story_id is None or not STORY_ID.fullmatch(story_id.strip()):
        return not_found_page()
    return RedirectResponse(story_path(story_id.strip().lower()), status_code=301)


@router.get("/households/{page_token}", response_class=HTMLResponse)
def household_page(request: Request, page_token: str) -> Response:
    bedtales = _bedtales(request)
    try:
        household = services.household_by_token(bedtales.db, page_token)
    except NotFound:
        return not_found_page()
    stories = services.list_stories(bedtales.db, household=household.name, limit=HOUSEHOLD_STORIES)
    store = bedtales.tools.media
    shelf = []
    for story in stories:
        view = story_view(story, store)
        shelf.append(
            ShelfItem(
                path=story_path(story.id),
                title=story.title,
                names=names_of(list(story.characters)),
                written=day_and_time(story.created_at, household.timezone),
                written_iso=story.created_at.isoformat(),
                thumbnail_url=view.image.thumbnail_url,
            )
        )
    response = render("household.html", household=household, shelf=shelf)
    # the address is the key to this page: keep it out of shared caches and history snapshots
    response.headers["Cache-Control"] = "private, no-store"
    return response


# ----------------------------------------------------------------------------- error pages


def not_found_page() -> HTMLResponse:
    return render("404.html", 404)


def html_error(request: Request, status: int, message: str) -> Response | None:
    """The error page for a status, when there is one (the hook ``web.errors`` calls for
    paths outside the API); ``None`` leaves the error to it, as JSON."""
    if status == 404:
        return not_found_page()
    if status == 410:
        return render("410.html", 410)
    if status >= 500:
        # never the message: a 5xx may hold a path or a URL from the settings
        return render("500.html", status)
    return None


def install(app: FastAPI) -> None:
    app.state.story_pages = PageCache()
    app.include_router(router)
    # The busiest page: a plain Starlette route (no FastAPI parameter machinery), first in
    # line (matching walks the routes in order, and the API's are many); no other route's
    # path can look like it.
    app.router.routes.insert(0, Route("/stories/{story_id}", story_page, methods=["GET"]))
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    app.state.html_error = html_error
