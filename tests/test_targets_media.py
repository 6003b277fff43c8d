"""The illustrate and narrate targets: real engines, the local media store, real workers."""

from __future__ import annotations

import io
import json
import threading
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
import soundfile
from PIL import Image
from sqlalchemy import delete, update

from bedtales.app import App
from bedtales.bus.events import Delivery, Event
from bedtales.clock import utcnow
from bedtales.config import load_settings
from bedtales.engines.image import Picture, PictureRequest
from bedtales.engines.speech.audio import split_words
from bedtales.errors import EngineError
from bedtales.households import services
from bedtales.media import AUDIO, IMAGE, THUMBNAIL, TIMINGS, story_key
from bedtales.metrics import REGISTRY
from bedtales.storage.models import StoryRow
from bedtales.targets.narrate import spoken_text
from working import work_until


@pytest.fixture
def quick(data_dir: Path) -> Iterator[App]:
    """The app with espeak narrating (fast) and quick retries."""
    bedtales = App(
        load_settings(
            data_dir,
            speech={"engine": "espeak"},
            bus={
                "targets": {
                    name: {"max_attempts": 2, "base_delay_s": 0.01, "max_delay_s": 0.02}
                    for name in ("illustrate", "narrate")
                }
            },
        )
    )
    yield bedtales
    bedtales.close()


def delivery_for(story_id: str, target: str) -> Delivery:
    event = Event("bedtales.stories", "StoryCreated", {"id": story_id}, id=f"event-{story_id}")
    return Delivery(event, target, attempt=1, receipt="r1")


class CountingPainter:
    """The real engine, counting its calls; ``during`` runs while it paints."""

    name = "counting"

    def __init__(self, bedtales: App, during: object = None) -> None:
        self.real = bedtales.tools.image_engine()
        self.calls = 0
        self.during = during

    def illustrate(self, request: PictureRequest) -> Picture:
        self.calls += 1
        if callable(self.during):
            self.during()
        return self.real.illustrate(request)


class BrokenPainter:
    name = "broken"

    def illustrate(self, request: PictureRequest) -> Picture:
        raise EngineError("the paint box is empty")


def use_painter(bedtales: App, painter: object) -> None:
    bedtales.tools._built["image.engine"] = painter


def test_the_picture_and_its_thumbnail_are_stored_and_recorded(quick: App) -> None:
    story = quick.write_story(seed=3)

    quick.run_delivery(delivery_for(story.id, "illustrate"))

    image = services.get_story(quick.db, story.id).image
    store = quick.tools.media
    data = store.get(story_key(story.id, IMAGE))
    assert (image.state, image.key, image.mime, image.engine) == (
        "done",
        story_key(story.id, IMAGE),
        "image/png",
        "builtin",
    )
    assert image.size == len(data)
    assert Image.open(io.BytesIO(data)).size == (1024, 1024)
    assert Image.open(io.BytesIO(store.get(story_key(story.id, THUMBNAIL)))).size == (256, 256)


def test_the_narration_is_an_mp3_with_word_timings(quick: App) -> None:
    story = quick.write_story(seed=4)

    quick.run_delivery(delivery_for(story.id, "narrate"))

    audio = services.get_story(quick.db, story.id).audio
    store = quick.tools.media
    mp3 = store.get(story_key(story.id, AUDIO))
    timings = json.loads(store.get(story_key(story.id, TIMINGS)))
    assert (audio.state, audio.mime, audio.engine, audio.size) == (
        "done",
        "audio/mpeg",
        "espeak",
        len(mp3),
    )
    decoded, rate = soundfile.read(io.BytesIO(mp3))
    assert rate == 24000
    assert decoded.ndim == 1
    assert len(decoded) / rate == pytest.approx(timings["duration"], abs=0.2)
    words = [w["word"] for w in timings["words"]]
    assert words[:5] == ["This", "is", "a", "story", "called"]
    assert words == split_words(spoken_text(story.title, story.description))


def test_by_default_piper_narrates(data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("BEDTALES_SPEECH__ENGINE")
    bedtales = App.open(data_dir)
    try:
        story = bedtales.write_story(seed=11)
        bedtales.run_delivery(delivery_for(story.id, "narrate"))
        assert services.get_story(bedtales.db, story.id).audio.engine == "piper"
    finally:
        bedtales.close()


def test_a_redelivered_event_paints_nothing_twice(quick: App) -> None:
    story = quick.write_story(seed=5)
    painter = CountingPainter(quick)
    use_painter(quick, painter)

    quick.run_delivery(delivery_for(story.id, "illustrate"))
    quick.run_delivery(delivery_for(story.id, "illustrate"))

    assert painter.calls == 1


def test_an_expired_story_is_left_alone(quick: App) -> None:
    story = quick.write_story(seed=6, now=utcnow() - timedelta(days=3))
    painter = CountingPainter(quick)
    use_painter(quick, painter)

    quick.run_delivery(delivery_for(story.id, "illustrate"))

    assert painter.calls == 0
    assert not quick.tools.media.exists(story_key(story.id, IMAGE))


def test_a_story_swept_away_while_painting_leaves_no_files(quick: App) -> None:
    story = quick.write_story(seed=7)

    def sweep_it() -> None:
        with quick.db.session() as session:
            session.execute(delete(StoryRow).where(StoryRow.id == story.id))

    use_painter(quick, CountingPainter(quick, during=sweep_it))

    quick.run_delivery(delivery_for(story.id, "illustrate"))

    store = quick.tools.media
    assert not store.exists(story_key(story.id, IMAGE))
    assert not store.exists(story_key(story.id, THUMBNAIL))


def delivered(target: str, outcome: str) -> float:
    value = REGISTRY.get_sample_value(
        "bedtales_deliveries_total", {"target": target, "outcome": outcome}
    )
    return value or 0.0


def test_a_new_story_gets_its_picture_and_narration_through_the_bus(quick: App) -> None:
    written_before = REGISTRY.get_sample_value(
        "bedtales_stories_written_total", {"engine": "builtin"}
    )
    done_before = delivered("narrate", "done")
    story = quick.write_story(seed=8)

    def finished() -> bool:
        current = services.get_story(quick.db, story.id)
        return current.image.state == "done" and current.audio.state == "done"

    work_until(quick, finished, timeout_s=60)

    states = {d.target: d.state for d in quick.bus.backend.delivery_states(story.id)}
    assert states == {"illustrate": "done", "narrate": "done", "notify": "done"}
    # and the metrics count it
    assert delivered("narrate", "done") == done_before + 1
    written = REGISTRY.get_sample_value("bedtales_stories_written_total", {"engine": "builtin"})
    assert written == (written_before or 0) + 1


def test_a_target_that_gives_up_says_why_on_the_story(quick: App) -> None:
    use_painter(quick, BrokenPainter())
    story = quick.write_story(seed=9)
    backend = quick.bus.backend

    dead_before = delivered("illustrate", "dead")

    work_until(quick, lambda: backend.dead_letters("illustrate"), timeout_s=30)

    assert delivered("illustrate", "dead") == dead_before + 1
    image = services.get_story(quick.db, story.id).image
    assert image.state == "failed"
    assert "the paint box is empty" in (image.error or "")
    [letter] = backend.dead_letters("illustrate")
    assert letter.attempts == 2


def test_an_enormous_story_is_refused_at_once_with_the_reason(quick: App) -> None:
    story = quick.write_story(seed=10)
    with quick.db.session() as session:
        session.execute(
            update(StoryRow).where(StoryRow.id == story.id).values(description="la " * 8000)
        )
    backend = quick.bus.backend

    work_until(
        quick,
        lambda: backend.dead_letters("illustrate") and backend.dead_letters("narrate"),
        timeout_s=30,
    )

    for letter in backend.dead_letters():
        if letter.target in ("illustrate", "narrate"):
            assert letter.attempts == 1  # not retried: retrying cannot help
            assert "20,000" in letter.error
    current = services.get_story(quick.db, story.id)
    assert current.image.state == current.audio.state == "failed"
    assert "20,000" in (current.audio.error or "")


def test_handlers_share_one_engine_across_threads(quick: App) -> None:
    stories = [quick.write_story(seed=20 + i) for i in range(3)]
    threads = [
        threading.Thread(target=quick.run_delivery, args=(delivery_for(s.id, "illustrate"),))
        for s in stories
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)

    pictures = {quick.tools.media.get(story_key(s.id, IMAGE)) for s in stories}
    assert len(pictures) == 3  # each story its own picture
