"""The household's podcast feed: every narrated story, for the family's podcast app.

``/households/{token}/podcast.xml`` is RSS 2.0 with the iTunes tags (built by
:mod:`bedtales.web.podcast`). Its links must outlive the signed media links, which expire
with the story and at most after seven days, while a podcast app may fetch an episode days
after it saw it in the feed: so each enclosure and episode picture is a stable address under
the household's private link (``…/podcast/{id}.mp3``, ``…/podcast/{id}.png``) that answers
with a redirect to a link signed at that moment. It works for as long as the story is shown
(kept stories: for good), and stops with the household's link when it is rotated.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import ColumnElement, Row, and_, case, func, select

from bedtales.clock import utcnow
from bedtales.domain import Household
from bedtales.errors import Expired, NotFound
from bedtales.households import services
from bedtales.households.services import household_row
from bedtales.media import AUDIO, IMAGE, story_key
from bedtales.storage import Database
from bedtales.storage.models import StoryRow
from bedtales.stories.views import links_until
from bedtales.web import urls
from bedtales.web.pages import (
    NEVER,
    STORY_ID,
    PageCache,
    names_of,
    no_wording,
    not_found_page,
)
from bedtales.web.podcast import Channel, Episode, artwork_png, podcast_xml

if TYPE_CHECKING:
    from bedtales.app import App

router = APIRouter(include_in_schema=False)

FEED_MAX = 1000  # episodes in one feed, newest first
DESCRIPTION_LINES = 4
PARTS = {"mp3": (AUDIO, "audio"), "png": (IMAGE, "image")}


def _bedtales(request: Request) -> App:
    bedtales: App = request.app.state.bedtales
    return bedtales


def public_base(request: Request) -> str:
    """Where the feed's links point: ``web.base_url`` when the operator set it, else the
    address the podcast app fetched the feed from (a LAN address, a reverse proxy's)."""
    web = _bedtales(request).settings.web
    if "base_url" in web.model_fields_set:
        return web.base_url
    return str(request.base_url).rstrip("/")


@router.get("/households/{page_token}/podcast.xml")
def podcast(request: Request, page_token: str) -> Response:
    bedtales = _bedtales(request)
    try:
        household = services.household_by_token(bedtales.db, page_token)
    except NotFound:
        return not_found_page()
    now, base = utcnow(), public_base(request)
    cache: PageCache = request.app.state.feeds
    key = f"{page_token} {base}"
    version = (household.name, *feed_version(bedtales.db, household.name, now), "")
    body = cache.get(key, version)
    if body is None:
        episodes = narrated(bedtales.db, household.name, now)
        channel = _channel(household, base)
        body = podcast_xml(channel, [_episode(e, household, base) for e in episodes])
        cache.put(key, version, NEVER, body)
    return Response(
        body,
        media_type="application/rss+xml; charset=utf-8",
        headers={"Cache-Control": "private, no-cache"},
    )


def _channel(household: Household, base: str) -> Channel:
    token = household.page_token
    return Channel(
        title=f"Bedtime stories for {household.name}",
        link=urls.absolute(base, urls.household(token)),
        description=f"A new rhyming bedtime story for {household.name} every night, read aloud.",
        artwork_url=urls.absolute(base, urls.podcast_artwork(token)),
        feed_url=urls.absolute(base, urls.podcast(token)),
    )


_EPISODES = select(
    StoryRow.id,
    StoryRow.title,
    StoryRow.description,
    StoryRow.characters,
    StoryRow.created_at,
    StoryRow.audio_size,
    StoryRow.audio_seconds,
    StoryRow.image_state,
)


def _narrated_of(household_id: int, now: datetime) -> ColumnElement[bool]:
    return and_(
        StoryRow.household_id == household_id,
        StoryRow.audio_state == "done",
        StoryRow.alive(now),
    )


def feed_version(db: Database, household: str, now: datetime) -> tuple[object, ...]:
    """What the feed shows, in a few numbers read in one small query: which stories are in
    it (how many, the newest and oldest) and what they have (their narrations' sizes, how many
    have a picture). A feed is built again only when these change (``PageCache``); titles
    and lines never change once written."""
    with db.session() as session:
        home_id = household_row(session, household).id
        row = session.execute(
            select(
                func.count(),
                func.min(StoryRow.created_at),
                func.max(StoryRow.created_at),
                func.sum(StoryRow.audio_size),
                func.sum(func.coalesce(StoryRow.audio_seconds, 0)),
                func.sum(case((StoryRow.image_state == "done", 1), else_=0)),
            ).where(_narrated_of(home_id, now))
        ).one()
        return tuple(row)


def narrated(db: Database, household: str, now: datetime) -> list[Row[Any]]:
    """The household's narrated stories still shown, newest first: only what the feed
    shows (a full story record for each of 1,000 episodes costs most of a request)."""
    with db.session() as session:
        home_id = household_row(session, household).id
        query = (
            _EPISODES.where(_narrated_of(home_id, now))
            .order_by(StoryRow.created_at.desc())
            .limit(FEED_MAX)
        )
        return list(session.execute(query))


def _episode(story: Row[Any], household: Household, base: str) -> Episode:
    token = household.page_token
    description = " ".join(_first_lines(story.description, DESCRIPTION_LINES))
    if story.characters:
        description = f"A story for {names_of(list(story.characters))}. {description}"
    return Episode(
        guid=story.id,
        title=story.title,
        description=description,
        link=urls.story_link(base, story.id),
        published=story.created_at,
        audio_url=urls.absolute(base, urls.podcast_part(token, story.id, "mp3")),
        audio_bytes=story.audio_size or 0,
        duration_s=story.audio_seconds,
        image_url=(
            urls.absolute(base, urls.podcast_part(token, story.id, "png"))
            if story.image_state == "done"
            else None
        ),
    )


def _first_lines(text: str, count: int) -> list[str]:
    lines: list[str] = []
    for line in text.splitlines():
        if line.strip():
            lines.append(line.strip())
            if len(lines) == count:
                break
    return lines


@router.get("/households/{page_token}/podcast/artwork.png")
def artwork(request: Request, page_token: str) -> Response:
    try:
        services.household_by_token(_bedtales(request).db, page_token)
    except NotFound:
        return not_found_page()
    return Response(
        artwork_png(), media_type="image/png", headers={"Cache-Control": "private, max-age=86400"}
    )


@router.get("/households/{page_token}/podcast/{story_id}.{part}")
def episode_part(request: Request, page_token: str, story_id: str, part: str) -> Response:
    """An episode's narration (``.mp3``) or picture (``.png``): a redirect to a link signed
    now, so the feed's addresses never expire while the story is shown."""
    if part not in PARTS or not STORY_ID.fullmatch(story_id):
        return not_found_page()
    bedtales = _bedtales(request)
    try:
        household = services.household_by_token(bedtales.db, page_token)
        story = services.get_story(bedtales.db, story_id)
    except (NotFound, Expired):
        return not_found_page()
    name, kind = PARTS[part]
    media = story.audio if kind == "audio" else story.image
    if story.household != household.name or media.state != "done":
        return not_found_page()
    now = utcnow()
    until = links_until(story.expires_at, story.kept_at, now)
    link = bedtales.tools.media.link(story_key(story.id, name), until, now=now)
    return RedirectResponse(link, status_code=302, headers={"Cache-Control": "no-store"})


def install(site: FastAPI) -> None:
    """The feed's routes, and the feeds built, kept while what they show is unchanged."""
    site.state.feeds = PageCache(size=64, wording=no_wording)
    site.include_router(router)
