"""The ``write_story`` target: the create-story step, run by the workers when a schedule fires.

As the reference app's scheduler invokes its create-story function, a ``ScheduleFired``
event is routed here; the story writer (prompt, text engine, quality gates) stores the story,
and the stream and the pipe take it from there (StoryCreated → picture, narration, message).

Idempotent: the event names the id of the story to write, derived from the schedule and the
fire time, so a redelivery, a second scheduler or a replay finds that story and stops.
A text service that is down does not fail it: the writer asks again, then has the offline
``builtin`` engine write the story (and notes why). What does fail it (the database away) is
retried by the bus with the schedule's retry policy; a firing that can never be written (its
household was removed, or has no characters) is dead-lettered at once with the reason.
"""

from __future__ import annotations

import logging
import uuid

from bedtales.errors import InputError, NotFound, Unprocessable
from bedtales.stories import writer
from bedtales.targets import TargetContext, handler

log = logging.getLogger(__name__)


@handler("write_story")
def write_story(ctx: TargetContext) -> None:
    detail = ctx.delivery.event.detail
    household, story_id = detail.get("household"), detail.get("storyId")
    if not isinstance(household, str) or not household:
        raise Unprocessable("the event names no household (detail.household)")
    if not isinstance(story_id, str) or not _is_uuid(story_id):
        raise Unprocessable("the event names no story id (detail.storyId, a UUID)")
    try:
        story = writer.write_story(
            ctx.db,
            ctx.settings,
            household,
            story_id=story_id.lower(),
            text_engine=ctx.tools.text_engine(),
        )
    except (NotFound, InputError) as exc:  # no such household, no characters or scenes
        raise Unprocessable(str(exc)) from exc
    log.info(
        "schedule %s of %s: story %s (%s)",
        detail.get("schedule", "?"),
        household,
        story.id,
        story.title,
    )


def _is_uuid(value: str) -> bool:
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True
