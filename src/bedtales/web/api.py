"""The JSON API (OpenAPI at ``/api/openapi.json``): a story for anyone who has its id, and
for an administrator, the settings, stories, characters, scenes and subscribers of every
household.

A story's id is its capability, as on its page, so ``GET /api/stories/{id}`` is public. The
rest needs ``Authorization: Bearer <admin_token>`` (``BEDTALES_ADMIN_TOKEN``); with no token
set the admin endpoints stay off (403). Every endpoint calls :mod:`bedtales.households.services` (or
the app's story writer) — the rules live there, not here — and every error goes through
:mod:`bedtales.web.errors`. Endpoints are plain ``def``: FastAPI runs them in its threadpool,
so a slow database or text engine never blocks the event loop.
"""

from __future__ import annotations

import hmac
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import TYPE_CHECKING, Annotated, Any

from fastapi import APIRouter, Body, Depends, Path, Query, Request, Response, Security
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StrictBool
from starlette.exceptions import HTTPException

from bedtales.domain import NAME_MAX, SCENE_MAX, Character, Scene, Story
from bedtales.domain import Household as HouseholdRecord
from bedtales.errors import InputError, NotFound
from bedtales.households import services
from bedtales.notify import subscribers
from bedtales.notify.channels import URL_MAX
from bedtales.notify.subscribers import Subscriber
from bedtales.stories.views import StoryView, story_view
from bedtales.web import urls
from bedtales.web.errors import ErrorBody

if TYPE_CHECKING:
    from bedtales.app import App

router = APIRouter(prefix="/api", tags=["api"])

bearer = HTTPBearer(
    auto_error=False,  # missing and wrong tokens get our own JSON answers
    scheme_name="adminToken",
    description="The admin token, BEDTALES_ADMIN_TOKEN.",
)
DISABLED = "admin API disabled: set BEDTALES_ADMIN_TOKEN"

# The schema states the services' lengths, so clients (and schemathesis) know them; the rest
# of the rules (trimming, control characters, the child-safety list, duplicates) and their
# messages stay the services'.


def _storable(value: str) -> str:
    # NUL and lone surrogates cannot be sent to PostgreSQL (or encoded at all): a lookup with
    # them would fail in the driver, a 500, rather than find nothing
    if "\x00" in value or any("\ud800" <= ch <= "\udfff" for ch in value):
        raise ValueError("must not contain NUL or unpaired surrogate characters")
    return value


Text = Annotated[str, AfterValidator(_storable)]


_DESCRIPTIONS = {
    400: "Malformed JSON, or a body that is not JSON.",
    401: "No bearer token.",
    403: "Wrong token, or the admin API is off.",
    404: "No such household, story, character, scene or subscriber.",
    410: "The story has expired.",
    413: "Request body too large.",
    422: "Invalid input; `field` names it.",
    502: "The text engine failed.",
    503: "Not configured or not reachable.",
}


def _errors(*codes: int) -> dict[int | str, dict[str, Any]]:
    return {code: {"model": ErrorBody, "description": _DESCRIPTIONS[code]} for code in codes}


ADMIN_ERRORS = (401, 403, 404, 422)
BODY_ERRORS = (400, 413)


def _app(request: Request) -> App:
    bedtales: App = request.app.state.bedtales
    return bedtales


def require_admin(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Security(bearer)],
) -> None:
    token = _app(request).settings.admin_token
    if token is None or not token.get_secret_value():
        raise HTTPException(403, DISABLED)
    if credentials is None:
        raise HTTPException(401, "bearer token required", headers={"WWW-Authenticate": "Bearer"})
    # bytes: compare_digest refuses non-ASCII str, and a header may carry any latin-1 text
    given = credentials.credentials.encode("utf-8", "surrogateescape")
    if not hmac.compare_digest(given, token.get_secret_value().encode("utf-8")):
        raise HTTPException(403, "wrong admin token")


ADMIN = Depends(require_admin)


def is_admin(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Security(bearer)],
) -> bool:
    """For a route open to all that shows more to the admin: no token (or the admin API
    off), False; a token, checked as :func:`require_admin` checks it (a wrong one is 403,
    not a quiet False)."""
    configured = _app(request).settings.admin_token
    if credentials is None or configured is None or not configured.get_secret_value():
        return False
    require_admin(request, credentials)
    return True


# ----------------------------------------------------------------------------- models


class _Input(BaseModel):
    model_config = ConfigDict(extra="forbid")


class StartStory(_Input):
    household: Text | None = Field(
        None,
        max_length=NAME_MAX,
        description="Household; unset: the default household.",
        examples=["home"],
    )


class StoryStarted(BaseModel):
    id: str = Field(description="The new story's id.")
    url: str = Field(description="Its page, for people.")


class SubscriberNotified(BaseModel):
    subscriber: str = Field(description="The subscriber's label, else #id.")
    service: str
    state: str = Field(
        description="sending, sent, failed (error says why; retried by the bus), resending, "
        "resent (a worker stopped mid-send and it was sent again, with the same Message-ID) or "
        "unsure (a worker stopped mid-send; the household chose not to send again)."
    )
    error: str | None
    sent_at: datetime | None = Field(alias="sentAt")

    model_config = ConfigDict(populate_by_name=True, serialize_by_alias=True)


class Notified(BaseModel):
    state: str = Field(description="pending, done or failed: the notify target's.")
    subscribers: list[SubscriberNotified]


class AdminStoryView(StoryView):
    notify: Notified | None = Field(
        None, description="How far telling the household got; with the admin token only."
    )


class NewCharacter(_Input):
    name: Text = Field(min_length=1, max_length=NAME_MAX, examples=["Pip"])


class CharacterOut(BaseModel):
    id: int
    name: str


class NewScene(_Input):
    description: Text = Field(
        min_length=1,
        max_length=SCENE_MAX,
        description="Where a story may happen.",
        examples=["a lighthouse at dusk"],
    )


class SceneOut(BaseModel):
    id: int
    description: str


class NewSubscriber(_Input):
    url: Text = Field(
        min_length=1,
        max_length=URL_MAX,
        description="An Apprise URL: mailto://…, ntfy://…, slack://…, json://… (docs/notify.md).",
        examples=["ntfy://ntfy.sh/our-bedtime-stories"],
    )
    label: Text | None = Field(
        None, max_length=NAME_MAX, description="A name for it; not a number.", examples=["Grandma"]
    )


class SubscriberOut(BaseModel):
    """A subscriber as shown: its URL masked, never as given (it may hold a password)."""

    id: int
    household: str
    label: str | None
    service: str = Field(description="The channel: E-Mail, ntfy, Slack…")
    masked_url: str = Field(alias="maskedUrl", description="The URL, passwords and tokens hidden.")
    created_at: datetime = Field(alias="createdAt")

    model_config = ConfigDict(populate_by_name=True, serialize_by_alias=True)


class HouseholdOut(BaseModel):
    """A household's settings (its private page's token stays out: see the CLI)."""

    name: str
    timezone: str = Field(description="IANA time zone of its schedules.")
    story_ttl_hours: int = Field(alias="storyTtlHours", description="Hours a story is kept.")
    notify_when: str = Field(alias="notifyWhen", description="created or complete.")
    notify_timeout_s: int = Field(alias="notifyTimeoutS")
    notify_on_unsure: str = Field(
        alias="notifyOnUnsure",
        description="resend or skip: a send a stopped worker may or may not have made "
        "(bedtales households notify --on-unsure).",
    )
    series: bool = Field(
        description="Stories may bring back a friend from a recent story and remember the last one."
    )

    model_config = ConfigDict(populate_by_name=True, serialize_by_alias=True)


class HouseholdChange(_Input):
    series: StrictBool | None = Field(
        None,
        description="true: stories may bring back a friend from a recent story and remember "
        "the last one in a line or two; false: every story stands on its own.",
        examples=[True],
    )


# ----------------------------------------------------------------------------- stories


@router.get(
    "/stories/{story_id}",
    response_model=AdminStoryView,
    summary="A story and the state of its picture and narration",
    description="With the admin token, also how far telling each subscriber got (`notify`).",
    responses=_errors(403, 404, 410, 503),
)
def read_story(
    story_id: str, request: Request, admin: Annotated[bool, Depends(is_admin)]
) -> AdminStoryView:
    bedtales = _app(request)
    story = services.get_story(bedtales.db, _uuid(story_id))
    return _view(bedtales, story, notify=admin)


@router.get(
    "/stories",
    response_model=list[AdminStoryView],
    summary="Stories not yet expired, newest first",
    dependencies=[ADMIN],
    responses=_errors(*ADMIN_ERRORS, 503),
)
def list_stories(
    request: Request,
    household: Annotated[Text | None, Query(max_length=NAME_MAX)] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> list[AdminStoryView]:
    bedtales = _app(request)
    stories = services.list_stories(bedtales.db, household=household, limit=limit)
    return [_view(bedtales, story, notify=True) for story in stories]


@router.post(
    "/stories",
    status_code=202,
    response_model=StoryStarted,
    summary="Write a story now; its picture and narration follow",
    dependencies=[ADMIN],
    responses=_errors(*ADMIN_ERRORS, *BODY_ERRORS, 502, 503),
)
def start_story(
    request: Request, response: Response, body: Annotated[StartStory | None, Body()] = None
) -> StoryStarted:
    bedtales = _app(request)
    story = bedtales.write_story(body.household if body else None)
    response.headers["Location"] = f"/api/stories/{story.id}"
    return StoryStarted(id=story.id, url=urls.story_link(bedtales.settings.web.base_url, story.id))


@router.put(
    "/stories/{story_id}/keep",
    response_model=StoryView,
    summary="Keep a story: it and its media never expire while kept",
    responses=_errors(404, 410, 503),
)
def keep_story(story_id: str, request: Request) -> StoryView:
    """The story's id is its capability here too, as for the heart on its page. A PUT is no
    simple cross-site request (a browser asks first, and no other origin is allowed), so
    another site cannot make a visitor's browser send it."""
    bedtales = _app(request)
    story = services.keep_story(bedtales.db, _uuid(story_id))
    request.app.state.story_pages.forget(story.id)
    return _view(bedtales, story)


@router.delete(
    "/stories/{story_id}/keep",
    response_model=StoryView,
    summary="Let a kept story expire normally again",
    responses=_errors(404, 410, 503),
)
def unkeep_story(story_id: str, request: Request) -> StoryView:
    bedtales = _app(request)
    story = services.unkeep_story(bedtales.db, _uuid(story_id))
    request.app.state.story_pages.forget(story.id)
    return _view(bedtales, story)


def _view(bedtales: App, story: Story, *, notify: bool = False) -> AdminStoryView:
    """The story as the API shows it: its media links absolute, from ``web.base_url`` (a
    client may be a script on another machine, with no page to resolve a path against);
    with ``notify``, each subscriber's state too (their labels are the operator's to see)."""
    view = story_view(story, bedtales.tools.media)
    base = bedtales.settings.web.base_url

    def full(link: str | None) -> str | None:
        return None if link is None else urls.absolute(base, link)

    image, audio = view.image, view.audio
    told = None
    if notify:
        told = Notified(
            state=story.notify_state,
            subscribers=[
                SubscriberNotified(
                    subscriber=n.subscriber,
                    service=n.service,
                    state=n.state,
                    error=n.error,
                    sent_at=n.sent_at,
                )
                for n in subscribers.story_notifications(bedtales.db, story.id)
            ],
        )
    fields = dict(view)  # field names to values
    fields["image"] = image.model_copy(
        update={"url": full(image.url), "thumbnail_url": full(image.thumbnail_url)}
    )
    fields["audio"] = audio.model_copy(
        update={"url": full(audio.url), "timings_url": full(audio.timings_url)}
    )
    return AdminStoryView(**fields, notify=told)


def _uuid(value: str) -> str:
    """The canonical form of a story id; anything else cannot be a story (404, not 500)."""
    try:
        return str(uuid.UUID(value))
    except ValueError:
        raise NotFound("no story with that id") from None


# ----------------------------------------------------------------------------- households

Household = Annotated[Text, Path(description="The household's name.", examples=["home"])]


@router.get(
    "/households/{household}",
    response_model=HouseholdOut,
    summary="A household's settings",
    dependencies=[ADMIN],
    responses=_errors(*ADMIN_ERRORS),
)
def read_household(household: Household, request: Request) -> HouseholdOut:
    return _household(services.get_household(_app(request).db, household))


@router.patch(
    "/households/{household}",
    response_model=HouseholdOut,
    summary="Change a household's settings (what is not given stays); answers them all",
    dependencies=[ADMIN],
    responses=_errors(*ADMIN_ERRORS, *BODY_ERRORS),
)
def change_household(household: Household, body: HouseholdChange, request: Request) -> HouseholdOut:
    return _household(services.update_household(_app(request).db, household, series=body.series))


def _household(home: HouseholdRecord) -> HouseholdOut:
    return HouseholdOut(
        name=home.name,
        timezone=home.timezone,
        story_ttl_hours=home.story_ttl_hours,
        notify_when=home.notify_when,
        notify_timeout_s=home.notify_timeout_s,
        notify_on_unsure=home.notify_on_unsure,
        series=home.series,
    )


# ----------------------------------------------------------------------------- characters


@router.get(
    "/households/{household}/characters",
    response_model=list[CharacterOut],
    summary="A household's characters",
    dependencies=[ADMIN],
    responses=_errors(*ADMIN_ERRORS),
)
def list_characters(household: Household, request: Request) -> list[CharacterOut]:
    return [_character(c) for c in services.list_characters(_app(request).db, household)]


@router.post(
    "/households/{household}/characters",
    status_code=201,
    response_model=CharacterOut,
    summary="Add a character",
    dependencies=[ADMIN],
    responses=_errors(*ADMIN_ERRORS, *BODY_ERRORS),
)
def add_character(household: Household, body: NewCharacter, request: Request) -> CharacterOut:
    return _character(services.add_character(_app(request).db, household, body.name))


@router.delete(
    "/households/{household}/characters/{name}",
    response_model=CharacterOut,
    summary="Remove a character (by name, any case); answers the one removed",
    dependencies=[ADMIN],
    responses=_errors(*ADMIN_ERRORS),
)
def remove_character(household: Household, name: Text, request: Request) -> CharacterOut:
    return _character(services.remove_character(_app(request).db, household, name))


def _character(character: Character) -> CharacterOut:
    return CharacterOut(id=character.id, name=character.name)


# ----------------------------------------------------------------------------- scenes


@router.get(
    "/households/{household}/scenes",
    response_model=list[SceneOut],
    summary="A household's scenes",
    dependencies=[ADMIN],
    responses=_errors(*ADMIN_ERRORS),
)
def list_scenes(household: Household, request: Request) -> list[SceneOut]:
    return [_scene(s) for s in services.list_scenes(_app(request).db, household)]


@router.post(
    "/households/{household}/scenes",
    status_code=201,
    response_model=SceneOut,
    summary="Add a scene",
    dependencies=[ADMIN],
    responses=_errors(*ADMIN_ERRORS, *BODY_ERRORS),
)
def add_scene(household: Household, body: NewScene, request: Request) -> SceneOut:
    with _field_named("scene", "description"):
        return _scene(services.add_scene(_app(request).db, household, body.description))


@router.delete(
    "/households/{household}/scenes/{scene}",
    response_model=SceneOut,
    summary="Remove a scene (by its id, or its exact text); answers the one removed",
    dependencies=[ADMIN],
    responses=_errors(*ADMIN_ERRORS),
)
def remove_scene(household: Household, scene: Text, request: Request) -> SceneOut:
    return _scene(services.remove_scene(_app(request).db, household, scene))


def _scene(scene: Scene) -> SceneOut:
    return SceneOut(id=scene.id, description=scene.description)


# ----------------------------------------------------------------------------- subscribers


@router.get(
    "/households/{household}/subscribers",
    response_model=list[SubscriberOut],
    summary="Who hears about a household's new stories (URLs masked)",
    dependencies=[ADMIN],
    responses=_errors(*ADMIN_ERRORS),
)
def list_subscribers(household: Household, request: Request) -> list[SubscriberOut]:
    return [_subscriber(s) for s in subscribers.list_subscribers(_app(request).db, household)]


@router.post(
    "/households/{household}/subscribers",
    status_code=201,
    response_model=SubscriberOut,
    summary="Add a subscriber",
    dependencies=[ADMIN],
    responses=_errors(*ADMIN_ERRORS, *BODY_ERRORS),
)
def add_subscriber(household: Household, body: NewSubscriber, request: Request) -> SubscriberOut:
    added = subscribers.add_subscriber(_app(request).db, household, body.url, label=body.label)
    return _subscriber(added)


@router.delete(
    "/households/{household}/subscribers/{subscriber}",
    response_model=SubscriberOut,
    summary="Remove a subscriber (by its id, or its label); answers the one removed",
    dependencies=[ADMIN],
    responses=_errors(*ADMIN_ERRORS),
)
def remove_subscriber(household: Household, subscriber: Text, request: Request) -> SubscriberOut:
    return _subscriber(subscribers.remove_subscriber(_app(request).db, household, subscriber))


def _subscriber(subscriber: Subscriber) -> SubscriberOut:
    # built field by field, so the raw URL can never ride along
    return SubscriberOut(
        id=subscriber.id,
        household=subscriber.household,
        label=subscriber.label,
        service=subscriber.service,
        masked_url=subscriber.masked_url,
        created_at=subscriber.created_at,
    )


@contextmanager
def _field_named(service_name: str, api_name: str) -> Iterator[None]:
    """Name the field as the request body does, where the service calls it otherwise."""
    try:
        yield
    except InputError as exc:
        if exc.field == service_name:
            exc.field = api_name
        raise
