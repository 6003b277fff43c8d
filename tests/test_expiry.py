"""The expiry sweeper: expired stories go, with their media, in batches; others stay."""

from __future__ import annotations

import threading
from datetime import timedelta

from typer.testing import CliRunner

from bedtales.app import App
from bedtales.cli.main import cli
from bedtales.clock import utcnow
from bedtales.households import services
from bedtales.media import AUDIO, IMAGE, story_key
from bedtales.stories.stream import read_changes
from bedtales.stories.ttl import Sweeper, sweep


def story_with_media(bedtales: App, seed: int, age: timedelta) -> str:
    story = bedtales.write_story(seed=seed, now=utcnow() - age)
    store = bedtales.tools.media
    store.put(story_key(story.id, IMAGE), b"png", "image/png")
    store.put(story_key(story.id, AUDIO), b"mp3", "audio/mpeg")
    return story.id


def test_expired_stories_go_with_their_media_and_the_rest_stay(bedtales: App) -> None:
    expired = [story_with_media(bedtales, seed, timedelta(days=3)) for seed in range(5)]
    fresh = story_with_media(bedtales, 99, timedelta(hours=1))

    done = sweep(bedtales.db, bedtales.tools.media, batch=2)

    assert (done.stories, done.files) == (5, 10)
    store = bedtales.tools.media
    for story_id in expired:
        assert not store.exists(story_key(story_id, IMAGE))
        assert not store.exists(story_key(story_id, AUDIO))
    assert store.exists(story_key(fresh, IMAGE))
    assert [s.id for s in services.list_stories(bedtales.db)] == [fresh]
    # the deletions are on the change stream, as TTL deletions are in the reference app
    with bedtales.db.session() as session:
        changes = read_changes(session, 0, 100)
    removed = [c for c in changes if c.event_name == "REMOVE"]
    assert {c.keys["id"] for c in removed} == set(expired)


def test_a_second_sweep_finds_nothing(bedtales: App) -> None:
    story_with_media(bedtales, 1, timedelta(days=3))
    sweep(bedtales.db, bedtales.tools.media)

    assert sweep(bedtales.db, bedtales.tools.media).stories == 0


def test_the_sweeper_runs_until_stopped(bedtales: App) -> None:
    story_id = story_with_media(bedtales, 1, timedelta(days=3))
    stop = threading.Event()
    thread = threading.Thread(
        target=Sweeper(bedtales.db, bedtales.tools.media, every_s=0.05).run, args=(stop,)
    )
    thread.start()
    try:
        for _ in range(100):
            if not bedtales.tools.media.exists(story_key(story_id, IMAGE)):
                break
            stop.wait(0.05)
    finally:
        stop.set()
        thread.join(5)
    assert not thread.is_alive()
    assert not bedtales.tools.media.exists(story_key(story_id, IMAGE))


def test_bedtales_expire(bedtales: App) -> None:
    story_with_media(bedtales, 1, timedelta(days=3))
    data_dir = str(bedtales.settings.data_dir)

    result = CliRunner().invoke(cli, ["expire", "--data-dir", data_dir])

    assert result.exit_code == 0, result.output
    assert "Removed 1 expired stories and 2 media files." in result.stdout
    again = CliRunner().invoke(cli, ["expire", "--data-dir", data_dir, "--json"])
    assert '"stories": 0' in again.stdout
