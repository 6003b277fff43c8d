"""The ``illustrate`` target: paints the story's picture and keeps it in the media store.

As the reference app's DALL-E function, but offline by default (the builtin Pillow engine).
Idempotent: a redelivered event for a story whose picture is done does nothing, and a
repeated attempt after a crash overwrites the same keys before recording them.
"""

from __future__ import annotations

import logging
import time

from bedtales.engines.image import PictureRequest
from bedtales.media import IMAGE, THUMBNAIL, story_key
from bedtales.targets import TargetContext, handler
from bedtales.targets.media import StoredMedia, mark_failed, record, story_for

log = logging.getLogger(__name__)


def _give_up(ctx: TargetContext, error: str) -> None:
    mark_failed(ctx, "image", error)


@handler("illustrate", on_dead_letter=_give_up)
def illustrate(ctx: TargetContext) -> None:
    story = story_for(ctx)
    if story is None or story.image.state == "done":
        return
    started = time.perf_counter()
    engine = ctx.tools.image_engine()
    picture = engine.illustrate(
        PictureRequest(
            story_id=story.id,
            title=story.title,
            scene=story.scene,
            characters=story.characters,
            description=story.description,
        )
    )
    store = ctx.tools.media
    # the thumbnail first: once the picture is recorded, both are there
    store.put(story_key(story.id, THUMBNAIL), picture.thumbnail, "image/png")
    key = story_key(story.id, IMAGE)
    store.put(key, picture.data, picture.mime)
    media = StoredMedia(key, picture.mime, len(picture.data), picture.engine)
    if record(ctx, story, "image", media):
        log.info(
            "illustrated %s with %s in %.2f s (%d KB)",
            story.id,
            picture.engine,
            time.perf_counter() - started,
            len(picture.data) // 1024,
        )
