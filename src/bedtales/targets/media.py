"""What the picture and narration targets share: finding the story an event is about,
refusing text no engine should be given, and recording the result on the story row.

The story row is the truth, not the event: a story that has expired (or been swept away)
since the event was published is skipped, and media written for a story that vanished while
the engine worked are deleted again, so nothing outlives its story.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Literal

from sqlalchemy import update

from bedtales.clock import utcnow
from bedtales.domain import Story
from bedtales.errors import Expired, NotFound, Unprocessable
from bedtales.households import services
from bedtales.media import story_prefix
from bedtales.storage.models import StoryRow
from bedtales.targets import TargetContext

log = logging.getLogger(__name__)

MAX_TEXT_CHARS = 20_000
Kind = Literal["image", "audio"]


@dataclass(frozen=True)
class StoredMedia:
    key: str
    mime: str
    size: int
    engine: str
    seconds: float | None = None  # a narration's length (the podcast feed shows it)


def story_for(ctx: TargetContext) -> Story | None:
    """The story the event is about, or None when it has expired or is gone (nothing to do)."""
    story_id = ctx.delivery.event.subject
    if not story_id:
        raise Unprocessable("the event names no story: its detail has no 'id'")
    try:
        story = services.get_story(ctx.db, story_id)
    except Expired:
        log.info("%s: story %s has expired; nothing to do", ctx.delivery.target, story_id)
        return None
    except NotFound:
        log.info("%s: story %s is gone; nothing to do", ctx.delivery.target, story_id)
        return None
    check_text(story)
    return story


def check_text(story: Story) -> None:
    """Refuse a story no engine should be handed: retrying would not change it."""
    if not story.title.strip() or not story.description.strip():
        raise Unprocessable(f"story {story.id} has an empty title or text")
    size = len(story.title) + len(story.description)
    if size > MAX_TEXT_CHARS:
        raise Unprocessable(
            f"story {story.id} is {size:,} characters long; the most a target takes is "
            f"{MAX_TEXT_CHARS:,}"
        )


def record(ctx: TargetContext, story: Story, kind: Kind, media: StoredMedia) -> bool:
    """Mark ``kind`` done on the story. If the story expired or vanished meanwhile, delete
    what was written for it instead and return False."""
    columns: dict[str, object] = {
        f"{kind}_state": "done",
        f"{kind}_key": media.key,
        f"{kind}_mime": media.mime,
        f"{kind}_size": media.size,
        f"{kind}_engine": media.engine,
        f"{kind}_error": None,
    }
    if media.seconds is not None:
        columns[f"{kind}_seconds"] = media.seconds
    with ctx.db.session() as session:
        updated = session.execute(
            update(StoryRow)
            .where(StoryRow.id == story.id, StoryRow.alive(utcnow()))
            .values(columns)
        ).rowcount  # type: ignore[attr-defined]
    if updated:
        return True
    log.info("%s: story %s expired while it was made; removing its media", kind, story.id)
    ctx.tools.media.delete_prefix(story_prefix(story.id))
    return False


def mark_failed(ctx: TargetContext, kind: Kind, error: str) -> None:
    """After the target gave up for good: the story shows the reason (unless it is done)."""
    story_id = ctx.delivery.event.subject
    if not story_id:
        return
    with ctx.db.session() as session:
        session.execute(
            update(StoryRow)
            .where(StoryRow.id == story_id, getattr(StoryRow, f"{kind}_state") != "done")
            .values({f"{kind}_state": "failed", f"{kind}_error": error[:2000]})
        )
