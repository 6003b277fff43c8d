"""The ``narrate`` target: reads the story aloud and keeps the MP3 and its word timings.

As the reference app's Polly function, but offline by default (piper, else espeak). The
spoken text is the reference app's: "This is a story called {title}. {description}". The word
timings (``audio.json`` beside the MP3) let the page highlight words as they are read.
"""

from __future__ import annotations

import json
import logging
import time

from bedtales.engines.speech import Speech
from bedtales.engines.speech.audio import word_records
from bedtales.media import AUDIO, TIMINGS, story_key
from bedtales.targets import TargetContext, handler
from bedtales.targets.media import StoredMedia, mark_failed, record, story_for

log = logging.getLogger(__name__)


def spoken_text(title: str, story: str) -> str:
    return f"This is a story called {title}. {story}"


def timings_json(speech: Speech) -> bytes:
    document = {"duration": round(speech.duration_s, 3), "words": word_records(speech.words)}
    return json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode()


def _give_up(ctx: TargetContext, error: str) -> None:
    mark_failed(ctx, "audio", error)


@handler("narrate", on_dead_letter=_give_up)
def narrate(ctx: TargetContext) -> None:
    story = story_for(ctx)
    if story is None or story.audio.state == "done":
        return
    started = time.perf_counter()
    speech = ctx.tools.speech_engine().speak(spoken_text(story.title, story.description))
    store = ctx.tools.media
    store.put(story_key(story.id, TIMINGS), timings_json(speech), "application/json")
    key = story_key(story.id, AUDIO)
    store.put(key, speech.data, speech.mime)
    media = StoredMedia(key, speech.mime, len(speech.data), speech.engine, speech.duration_s)
    if record(ctx, story, "audio", media):
        log.info(
            "narrated %s with %s: %.0f s of audio in %.1f s (%d KB)",
            story.id,
            speech.engine,
            speech.duration_s,
            time.perf_counter() - started,
            len(speech.data) // 1024,
        )
