""" "Tell a story now" and the page that follows it while the story is made.

Writing runs the text engine here, in the request (a plain ``def``: FastAPI's thread pool),
as ``bedtales story`` does; the picture, the narration and the message follow through the
change stream and the bus like any other story's. The progress page shows those steps from
the story's row (``image_state``, ``audio_state``, ``notify_state``); ``static/family.js``
polls :func:`progress_json` and updates it in place, and without JavaScript the page has a
Refresh link.

One story at a time: a new one is refused (429) while the household's newest story is
under :data:`BREATHER` old, or still being painted, narrated or sent and under
:data:`STUCK_AFTER` old (a story whose worker is down must not block the button all night).
Two taps at the same instant may both pass the check and write two stories: the rule keeps
a family from queueing stories by accident, it is no quota.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response

from bedtales.clock import utcnow
from bedtales.domain import Story
from bedtales.errors import EngineError, InputError, NotFound
from bedtales.households import services
from bedtales.notify import subscribers
from bedtales.web import urls
from bedtales.web.family_visit import FAMILY_HEADERS, FormData, Visit, see_other, visit_of
from bedtales.web.pages import STORY_ID, names_of

log = logging.getLogger(__name__)
router = APIRouter(include_in_schema=False)

BREATHER = timedelta(minutes=1)
STUCK_AFTER = timedelta(minutes=10)
STEPS = ("written", "painted", "narrated", "sent")


@dataclass(frozen=True)
class Progress:
    """Each step's state: pending, done or failed."""

    written: str
    painted: str
    narrated: str
    sent: str

    @classmethod
    def of(cls, story: Story) -> Progress:
        # the notify target marks "done" also when nobody is subscribed: nothing to wait for
        return cls("done", story.image.state, story.audio.state, story.notify_state)

    def states(self) -> dict[str, str]:
        return {step: getattr(self, step) for step in STEPS}

    @property
    def complete(self) -> bool:
        """Every step has ended, done or failed: nothing more will change."""
        return all(state != "pending" for state in self.states().values())

    def to_json(self) -> dict[str, object]:
        states = self.states()
        shape: dict[str, object] = {step: state == "done" for step, state in states.items()}
        shape["failed"] = [step for step, state in states.items() if state == "failed"]
        shape["complete"] = self.complete
        return shape


def busy_with(visit: Visit) -> Story | None:
    """The household's newest story, if a new one must wait for it."""
    newest = services.list_stories(visit.db, household=visit.name, limit=1)
    if not newest:
        return None
    story = newest[0]
    age = utcnow() - story.created_at
    if age < BREATHER or (age < STUCK_AFTER and not Progress.of(story).complete):
        return story
    return None


def progress_path(visit: Visit, story_id: str) -> str:
    return visit.url(f"stories/{story_id}")


@router.post("/households/{page_token}/stories")
def tell_now(request: Request, page_token: str, form: FormData) -> Response:
    """Write a story now (the private link may: it is the family's button)."""
    visit = visit_of(request, page_token)
    if (refused := visit.refuse_forgery(form)) is not None:
        return refused
    waiting = busy_with(visit)
    if waiting is not None:
        progress = progress_path(visit, waiting.id)
        response = visit.page("busy.html", 429, current="home", story=waiting, progress=progress)
        response.headers["Retry-After"] = str(int(BREATHER.total_seconds()))
        return response
    try:
        story = visit.bedtales.write_story(visit.name)
    except InputError as exc:  # no characters or no scenes yet
        page = "scenes" if exc.field == "scenes" else "characters"
        return visit.problem("No story yet", str(exc), 422, link=(visit.url(page), f"Go to {page}"))
    except EngineError as exc:
        log.error("telling a story now for %r failed: %s", visit.name, exc)
        return visit.problem(
            "The storyteller is resting",
            "No story could be written just now. Try again in a minute; if it keeps happening, "
            "ask whoever runs bedtales to look at the server's log.",
            502,
        )
    return see_other(progress_path(visit, story.id))


@router.get("/households/{page_token}/stories")
def stories(request: Request, page_token: str) -> Response:
    """The address the "tell a story now" answers are shown at: opened again (from the
    history, a bookmark), it leads home rather than to an error."""
    return see_other(visit_of(request, page_token).url())


def _story(visit: Visit, story_id: str) -> Story:
    """The household's story; NotFound for an id of another household's (or none)."""
    if not STORY_ID.fullmatch(story_id):
        raise NotFound("no such story")
    story = services.get_story(visit.db, story_id)
    if story.household != visit.name:
        raise NotFound("no such story")
    return story


@router.get("/households/{page_token}/stories/{story_id}")
def progress_page(request: Request, page_token: str, story_id: str) -> Response:
    visit = visit_of(request, page_token)
    story = _story(visit, story_id)
    progress = Progress.of(story)
    return visit.page(
        "progress.html",
        current="home",
        story=story,
        names=names_of(list(story.characters)),
        story_path=urls.story(story.id),
        progress=progress,
        states=progress.states(),
        progress_json=visit.url(f"stories/{story.id}/progress"),
        refresh=progress_path(visit, story.id),
        nobody=not subscribers.list_subscribers(visit.db, visit.name),
    )


@router.get("/households/{page_token}/stories/{story_id}/progress")
def progress_json(request: Request, page_token: str, story_id: str) -> Response:
    """The steps as JSON, for the page's script: ``{"written": true, "painted": false, …,
    "failed": [], "complete": false}``."""
    try:
        story = _story(visit_of(request, page_token), story_id)
    except NotFound:  # Expired too
        return JSONResponse({"error": "not found"}, status_code=404, headers=FAMILY_HEADERS)
    return JSONResponse(Progress.of(story).to_json(), headers=FAMILY_HEADERS)
