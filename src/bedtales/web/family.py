"""The household's own site, ``/households/{page_token}``: the family's app at bedtime.

The home page shows tonight's story and the library (filtered by character); the other
pages live in their own modules and are gathered into :data:`router` here:
``family_manage`` (characters and scenes), ``family_bedtime`` (the schedule and the time
zone), ``family_messages`` (subscribers and when they hear) and ``family_stories`` ("tell a
story now" and its progress). This module also signs the family in and out and gives the
household a new private link. Who may do what is :mod:`bedtales.web.family_visit`'s.

Everything is plain HTML forms (POST, then 303 to a page) and works with JavaScript off;
``static/family.js`` only adds the live progress and the browser's time zone.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from bedtales.clock import utcnow
from bedtales.errors import NotFound, SignInRefused, TooManyAttempts
from bedtales.households import access as household_access
from bedtales.media import MediaStore
from bedtales.web import (
    access,
    family_bedtime,
    family_manage,
    family_messages,
    family_stories,
    urls,
)
from bedtales.web.family_library import Card, character_names, library
from bedtales.web.family_visit import (
    FAMILY_HEADERS,
    GENERAL,
    FormData,
    Visit,
    notice_of,
    see_other,
    visit_of,
)
from bedtales.web.feeds import public_base
from bedtales.web.ops import LabelledRoute
from bedtales.web.pages import (
    CSRF_PLACEHOLDER,
    NEVER,
    PageCache,
    day_and_time,
    names_of,
    no_wording,
    not_found_page,
    picture_alt,
    served,
    templates,
)

HOME_STORIES = 50  # the most the home page shows at once; "More" shows the next ones
TONIGHT = timedelta(hours=20)  # the newest story is "tonight's" while younger than this
NEXT_MAX = 300
# views of the home page the cache keeps (any other query, such as a notice, is rendered)
CACHED_QUERIES = frozenset({"character", "before"})
# where signing in may lead: a page of this household, and nothing else (no "..", no other
# host, no scheme)
_NEXT = re.compile(r"(/[A-Za-z0-9_-]+)*/?(\?[A-Za-z0-9=&%._+-]*)?")

router = APIRouter(include_in_schema=False)


# ----------------------------------------------------------------------------- the library


@dataclass(frozen=True)
class ShelfItem:
    """One story as the home page shows it."""

    path: str
    title: str
    names: str
    day: str  # the day it was written, in the household's zone
    when: str  # its day and time, for tonight's card
    iso: str
    kept: bool
    picture_state: str
    picture_url: str | None
    thumbnail_url: str | None
    alt: str


def shelf_item(
    card: Card, store: MediaStore, zone: ZoneInfo, now: datetime, *, picture: bool = False
) -> ShelfItem:
    """``picture``: sign the full picture's link too (tonight's card); the library shows
    thumbnails only."""
    local = card.created_at.astimezone(zone)
    return ShelfItem(
        path=urls.story(card.id),
        title=card.title,
        names=names_of(card.characters),
        day=f"{local:%A} {local.day} {local:%B}",
        when=day_and_time(card.created_at, zone.key),
        iso=card.created_at.isoformat(),
        kept=card.kept,
        picture_state=card.image_state,
        picture_url=card.picture_link(store, thumbnail=False, now=now) if picture else None,
        thumbnail_url=card.picture_link(store, thumbnail=True, now=now),
        alt=picture_alt(card.characters, card.scene),
    )


def _before(value: str | None) -> datetime | None:
    """The ``before`` of a "More" link; anything else is the first page."""
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else None


@router.get("/households/{page_token}")
def home(request: Request, page_token: str) -> Response:
    """Tonight's story, then the library, newest first (``family_library``: one query for
    the stories, whatever their number). The busiest view — the private link, no session,
    no filter — goes through :func:`home_page` and its cache first."""
    visit = visit_of(request, page_token)
    return visit.page("home.html", **home_context(visit, request))


def home_context(visit: Visit, request: Request) -> dict[str, Any]:
    """What the home page shows: for the page itself, and as the version of a cached one."""
    character = request.query_params.get("character") or None
    before = _before(request.query_params.get("before"))
    now = utcnow()
    cards = library(
        visit.db, visit.token, character=character, before=before, limit=HOME_STORIES + 1, now=now
    )
    more = len(cards) > HOME_STORIES
    cards = cards[:HOME_STORIES]
    first_page = character is None and before is None
    zone, store = ZoneInfo(visit.household.timezone), visit.bedtales.tools.media
    shelf = [
        shelf_item(card, store, zone, now, picture=first_page and n == 0)
        for n, card in enumerate(cards)
    ]
    tonight = shelf.pop(0) if shelf and first_page else None
    # a kept story of last month at the top is the newest, not tonight's
    fresh = bool(cards) and now - cards[0].created_at < TONIGHT
    return {
        "current": "home",
        "notice": notice_of(request),
        "tonight": tonight,
        "tonight_heading": "Tonight’s story" if fresh else "The newest story",
        "shelf": shelf,
        "character": character,
        "characters": character_names(visit.db, visit.token),
        "more_url": (
            visit.url(character=character, before=cards[-1].created_at.isoformat())
            if more
            else None
        ),
        "podcast_url": urls.absolute(public_base(request), urls.podcast(visit.token)),
        "cards": cards,  # the version of a cached page (the template does not use them)
    }


# ----------------------------------------------------------------------------- the cache


async def home_page(request: Request) -> Response:
    """``/households/{token}`` as most visits see it — the private link, no session, at
    most a character or a page of the library asked for — through a page cache as the
    story page's (``pages.PageCache``): served as it is for up to a second, then rendered
    again only when what it shows has changed (the household, its stories and their
    pictures, its characters, the feed's address). Every other view goes to :func:`home`."""
    token: str = request.path_params["page_token"]
    if not set(request.query_params) <= CACHED_QUERIES or request.cookies.get(
        access.SESSION_COOKIE
    ):
        return await run_in_threadpool(home, request, token)
    cache: PageCache = request.app.state.household_pages
    key = f"{token} {public_base(request)} {request.url.query}"
    body = cache.recent(key, utcnow())
    if body is None:
        answer = await run_in_threadpool(_cached_home, request, token, key, cache)
        if isinstance(answer, Response):
            return answer
        body = answer
    return served(request, body, FAMILY_HEADERS)


def _cached_home(request: Request, token: str, key: str, cache: PageCache) -> bytes | Response:
    try:
        visit = replace(visit_of(request, token), csrf=CSRF_PLACEHOLDER)
    except NotFound:  # a link rotated in another process, say
        cache.forget(key)
        return not_found_page()
    context = home_context(visit, request)
    household = visit.household
    version = (
        (household.name, household.timezone, household.has_passphrase, household.story_ttl_hours),
        tuple(context.pop("cards")),
        tuple(context["characters"]),
        context["tonight_heading"],
        context["podcast_url"],
        "",  # the clock alone changes nothing here (PageCache.wording)
    )
    body = cache.get(key, version)
    if body is None:
        html = templates.get_template("family/home.html").render(visit=visit, **context)
        body = html.encode()
        cache.put(key, version, NEVER, body)
    return body


def install(site: FastAPI) -> None:
    """The household's site, and its home page first in line (matched before the rest)."""
    site.state.household_pages = PageCache(wording=no_wording)
    site.include_router(router)
    site.router.routes.insert(
        0, LabelledRoute("/households/{page_token}", home_page, methods=["GET"])
    )


# ----------------------------------------------------------------------------- signing in


def safe_next(visit: Visit, wanted: str | None) -> str:
    """Where to go once signed in: ``wanted`` if it is a page of this household, else its
    home page (a link that would send the family elsewhere is ignored)."""
    home_path = urls.household(visit.token)
    if wanted and len(wanted) <= NEXT_MAX and wanted.startswith(home_path):
        rest = wanted.removeprefix(home_path)
        if _NEXT.fullmatch(rest) and not rest.startswith("//"):
            return wanted
    return home_path


def _sign_in_page(
    visit: Visit, next_path: str, status: int = 200, errors: dict[str, str] | None = None
) -> Response:
    return visit.page(
        "sign_in.html", status, current="sign-in", next_path=next_path, errors=errors or {}
    )


@router.get("/households/{page_token}/sign-in")
def sign_in_form(request: Request, page_token: str) -> Response:
    visit = visit_of(request, page_token)
    return _sign_in_page(visit, safe_next(visit, request.query_params.get("next")))


@router.post("/households/{page_token}/sign-in")
def sign_in(request: Request, page_token: str, form: FormData) -> Response:
    """The passphrase opens a session: a wrong one is counted and answered 401 with the
    form again, too many from here 429 (with Retry-After)."""
    visit = visit_of(request, page_token)
    if (refused := visit.refuse_forgery(form)) is not None:
        return refused
    next_path = safe_next(visit, form.get("next"))
    try:
        new = household_access.sign_in(
            visit.db, page_token, form.get("passphrase"), access.client_of(request)
        )
    except SignInRefused as exc:
        return _sign_in_page(visit, next_path, 401, {"passphrase": str(exc)})
    except TooManyAttempts as exc:
        response = _sign_in_page(visit, next_path, 429, {GENERAL: str(exc)})
        response.headers["Retry-After"] = str(exc.retry_after_s)
        return response
    response = see_other(next_path)
    access.start_session(request, response, new)
    return response


@router.post("/households/{page_token}/sign-out")
def sign_out(request: Request, page_token: str, form: FormData) -> Response:
    visit = visit_of(request, page_token)
    if (refused := visit.refuse_forgery(form)) is not None:
        return refused
    response = visit.done(notice="signed-out")
    access.end_session(visit.db, request, response)
    return response


@router.post("/households/{page_token}/link")
def new_link(request: Request, page_token: str, form: FormData) -> Response:
    """A new private link, for when the old one went somewhere it should not have: the old
    one answers 404 from now on; this browser's session stays."""
    visit = visit_of(request, page_token)
    if (refused := visit.refuse_change(form)) is not None:
        return refused
    token = household_access.rotate_link(visit.db, visit.name)
    request.app.state.household_pages.forget_all()
    return see_other(urls.household_query(token, done="new-link"))


router.include_router(family_stories.router)
router.include_router(family_manage.router)
router.include_router(family_bedtime.router)
router.include_router(family_messages.router)
