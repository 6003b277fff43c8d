"""The household memory and the series (stories/recall.py), on SQLite and PostgreSQL: what a
household heard is kept as fingerprints, outlives the stories, reaches the engine, and never
stops a story; a series remembers the last story that has not expired."""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select, text, update
from typer.testing import CliRunner

from bedtales.app import App, initialise
from bedtales.cli.main import cli
from bedtales.clock import utcnow
from bedtales.domain import Story
from bedtales.engines.text import Answer, StoryRequest
from bedtales.households import services
from bedtales.storage.models import HouseholdMemoryRow, StoryRow
from bedtales.stories import writer
from bedtales.stories.memory import (
    MEMORY_STORIES,
    Previously,
    StoryPlan,
    couplet_fingerprint,
    fingerprint,
    scene_fingerprint,
    story_fingerprints,
    title_fingerprint,
)
from bedtales.stories.stream import read_changes
from bedtales.stories.ttl import sweep

PLAN = StoryPlan(
    plot="lost-creature-home",
    friend="hedgehog",
    friend_name="Bramble",
    recap="helped a little lost star find its way home",
)
OLD = timedelta(days=3)  # past the default 48-hour expiry


def story_text(number: int) -> str:
    """A story the gates pass (every character named, 200 words and more), its lines
    different for each number."""
    stanzas = [
        f"Milo and Luna found a lantern, glowing number {number} and {row},\n"
        f"and carried it softly home across the meadow, row {row} of {number}."
        for row in range(12)
    ]
    return f"The Lantern Night {number}\n\n" + "\n\n".join(stanzas)


class RecordingEngine:
    """A text engine that writes ``story_text`` stories, answers with ``plan``, and keeps
    every request it was given."""

    name = "recording"

    def __init__(self, plan: StoryPlan | None = PLAN) -> None:
        self.plan = plan
        self.requests: list[StoryRequest] = []

    def write(self, request: StoryRequest) -> Answer:
        self.requests.append(request)
        return Answer(story_text(len(self.requests)), "stop", self.plan)

    @property
    def last(self) -> StoryRequest:
        return self.requests[-1]


def write(bedtales: App, engine: RecordingEngine, **options: object) -> Story:
    return writer.write_story(
        bedtales.db,
        bedtales.settings,
        str(options.pop("household", "home")),
        text_engine=engine,
        **options,  # type: ignore[arg-type]
    )


def memory_rows(bedtales: App, household: str = "home") -> list[HouseholdMemoryRow]:
    with bedtales.db.session() as session:
        home = services.household_row(session, household)
        query = (
            select(HouseholdMemoryRow)
            .where(HouseholdMemoryRow.household_id == home.id)
            .order_by(HouseholdMemoryRow.created_at.desc())
        )
        return list(session.scalars(query))


@pytest.fixture
def engine() -> RecordingEngine:
    return RecordingEngine()


# ----------------------------------------------------------------------------- the memory


def test_a_story_is_remembered_by_fingerprints_and_never_by_its_text(
    bedtales: App, engine: RecordingEngine
) -> None:
    story = write(bedtales, engine, seed=1)

    [row] = memory_rows(bedtales)
    assert row.story_id == story.id
    assert row.created_at == story.created_at
    assert (row.plot, row.friend) == ("lost-creature-home", "hedgehog")
    assert row.scene == scene_fingerprint(story.scene)
    assert set(row.fingerprints.split()) == story_fingerprints(story.title, story.description)
    stored = " ".join(str(value) for value in (row.story_id, row.plot, row.friend, row.scene))
    stored = f"{stored} {row.fingerprints}".casefold()
    private = [*story.characters, PLAN.friend_name, story.scene, story.title]
    assert [p for p in private if p.casefold() in stored] == []
    lines = [line.casefold() for line in story.description.splitlines() if line]
    assert [line for line in lines if line in stored] == []
    assert "lantern" not in stored
    # the story keeps the plan for the series
    with bedtales.db.session() as session:
        assert session.get(StoryRow, story.id).plan == PLAN.to_json()  # type: ignore[union-attr]


def test_the_memory_reaches_the_engine(bedtales: App, engine: RecordingEngine) -> None:
    first = write(bedtales, engine, seed=1)
    assert engine.last.memory.fingerprints == frozenset()

    write(bedtales, engine, seed=2)

    memory = engine.last.memory
    lines = first.description.split("\n\n")[0].splitlines()
    assert memory.heard(lines[0])
    assert memory.heard_couplet(lines[0], lines[1])
    assert memory.heard_title(first.title)
    assert not memory.heard("a line nobody ever heard")
    assert memory.plots == ("lost-creature-home",)
    assert memory.friends == ("hedgehog",)
    assert memory.scenes == (scene_fingerprint(first.scene),)


def test_the_memory_outlives_the_stories_and_is_still_used(
    bedtales: App, engine: RecordingEngine
) -> None:
    first = write(bedtales, engine, seed=1, now=utcnow() - OLD)
    result = CliRunner().invoke(cli, ["expire", "--data-dir", str(bedtales.settings.data_dir)])
    assert "Removed 1 expired stories" in result.stdout, result.output
    assert services.list_stories(bedtales.db) == []
    with bedtales.db.session() as session:
        assert session.get(StoryRow, first.id) is None

    assert [row.story_id for row in memory_rows(bedtales)] == [first.id]
    write(bedtales, engine, seed=2)
    assert engine.last.memory.heard_title(first.title)
    assert engine.last.memory.fingerprints >= story_fingerprints(first.title, first.description)


def test_only_the_last_30_stories_are_remembered(bedtales: App, engine: RecordingEngine) -> None:
    start = utcnow() - timedelta(days=40)
    written = [
        write(bedtales, engine, seed=n, now=start + timedelta(days=n))
        for n in range(MEMORY_STORIES + 2)
    ]
    rows = memory_rows(bedtales)
    assert len(rows) == MEMORY_STORIES
    assert [row.story_id for row in rows] == [s.id for s in reversed(written[2:])]
    write(bedtales, engine, seed=99)
    memory = engine.last.memory
    assert not memory.heard_title(written[1].title)  # forgotten
    assert memory.heard_title(written[2].title)
    assert len(memory.scenes) == MEMORY_STORIES


def test_a_story_written_again_is_remembered_once(bedtales: App, engine: RecordingEngine) -> None:
    story_id = "3f0c9a52-7b1e-4c55-9d8f-0a6b2c4e8d10"
    first = write(bedtales, engine, story_id=story_id, now=utcnow() - OLD)
    assert write(bedtales, engine, story_id=story_id).id == first.id  # there already
    assert len(memory_rows(bedtales)) == 1
    # swept, and its firing delivered again: a new story under the same id, one memory row
    sweep(bedtales.db, bedtales.tools.media)
    again = write(bedtales, engine, story_id=story_id)
    assert again.id == story_id
    assert services.get_story(bedtales.db, story_id).title == again.title
    assert [row.story_id for row in memory_rows(bedtales)] == [story_id]


def test_two_writers_racing_for_one_story_store_one_story_and_one_memory(
    bedtales: App,
) -> None:
    story_id = "7d2e5a90-3c4b-4f1e-8a6d-5b9c0e1f2a37"
    both_wrote = threading.Barrier(2, timeout=30)

    class Racing(RecordingEngine):
        def write(self, request: StoryRequest) -> Answer:
            both_wrote.wait()  # neither has stored its story yet
            return Answer(story_text(request.seed), "stop", PLAN)

    stored: list[Story] = []

    def writer_thread(seed: int) -> None:
        stored.append(write(bedtales, Racing(), seed=seed, story_id=story_id))

    threads = [threading.Thread(target=writer_thread, args=(seed,)) for seed in (1, 2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert [s.id for s in stored] == [story_id, story_id]
    assert stored[0].title == stored[1].title  # the loser returns the winner's story
    assert [row.story_id for row in memory_rows(bedtales)] == [story_id]


@pytest.mark.parametrize(
    "damage",
    [
        {"fingerprints": "these are not fingerprints"},
        {"fingerprints": "0123abcd"},  # too short
        {"fingerprints": '["0123456789abcdef"]'},  # JSON, not what is written
        {"scene": "zz"},
        {"plot": "a plot with spaces"},
    ],
    ids=["words", "short-hex", "json", "scene", "plot"],
)
def test_a_damaged_row_is_left_out_with_a_warning(
    bedtales: App,
    engine: RecordingEngine,
    caplog: pytest.LogCaptureFixture,
    damage: dict[str, str],
) -> None:
    damaged = write(bedtales, engine, seed=1)
    kept = write(bedtales, engine, seed=2)
    with bedtales.db.session() as session:
        session.execute(
            update(HouseholdMemoryRow)
            .where(HouseholdMemoryRow.story_id == damaged.id)
            .values(**damage)
        )

    with caplog.at_level(logging.WARNING, logger="bedtales.stories.recall"):
        story = write(bedtales, engine, seed=3)

    assert services.get_story(bedtales.db, story.id).title == story.title
    assert f"the household memory of story {damaged.id} is damaged" in caplog.text
    memory = engine.last.memory
    assert memory.heard_title(kept.title)
    assert not memory.heard_title(damaged.title)
    assert memory.scenes == (scene_fingerprint(kept.scene),)


def test_a_missing_memory_never_stops_a_story(
    private_bedtales: App, engine: RecordingEngine, caplog: pytest.LogCaptureFixture
) -> None:
    bedtales = private_bedtales
    write(bedtales, engine, seed=1)
    with bedtales.db.session() as session:
        session.execute(text("DROP TABLE household_memory"))

    with caplog.at_level(logging.WARNING, logger="bedtales.stories.recall"):
        story = write(bedtales, engine, seed=2)

    assert services.get_story(bedtales.db, story.id).title == story.title
    assert "the household memory of household" in caplog.text
    assert "cannot be read" in caplog.text
    assert f"story {story.id} could not be added to the household memory" in caplog.text
    assert engine.last.memory.fingerprints == frozenset()


def test_recent_scenes_are_avoided_after_their_stories_expired(
    bedtales: App, engine: RecordingEngine
) -> None:
    scenes = [s.description for s in services.list_scenes(bedtales.db, "home")]
    assert len(scenes) > 6
    for scene in services.list_scenes(bedtales.db, "home")[6:]:
        services.remove_scene(bedtales.db, "home", str(scene.id))
    assert bedtales.settings.text.recent_scenes == 5
    old = [write(bedtales, engine, seed=n, now=utcnow() - OLD).scene for n in range(5)]
    assert len(set(old)) == 5
    sweep(bedtales.db, bedtales.tools.media)
    assert services.list_stories(bedtales.db, now=utcnow() - OLD * 2) == []  # all swept

    fresh = write(bedtales, engine, seed=7)
    assert fresh.scene not in old
    assert set(engine.last.memory.scenes) == {scene_fingerprint(s) for s in old}


def test_scenes_of_stories_written_before_the_memory_are_avoided_too(
    bedtales: App, engine: RecordingEngine
) -> None:
    for scene in services.list_scenes(bedtales.db, "home")[3:]:
        services.remove_scene(bedtales.db, "home", str(scene.id))
    before = [write(bedtales, engine, seed=n).scene for n in range(2)]
    with bedtales.db.session() as session:  # as if written before migration 0006
        session.execute(text("DELETE FROM household_memory"))
    assert write(bedtales, engine, seed=5).scene not in before


def test_the_change_stream_carries_the_plan_on_every_database(
    bedtales: App, engine: RecordingEngine
) -> None:
    story = write(bedtales, engine, seed=1)
    with bedtales.db.session() as session:
        [insert] = read_changes(session, 0, 10)
    assert insert.new_image is not None
    assert insert.new_image["id"] == story.id
    assert insert.new_image["plan"] == PLAN.to_json()


# ----------------------------------------------------------------------------- the series


def test_without_the_series_a_story_stands_alone(bedtales: App, engine: RecordingEngine) -> None:
    assert services.get_household(bedtales.db, "home").series is False
    write(bedtales, engine, seed=1)
    story = write(bedtales, engine, seed=2)
    assert engine.last.previously is None
    assert "Last time" not in story.prompt


def test_a_series_remembers_the_last_story_in_the_prompt_and_the_request(
    bedtales: App, engine: RecordingEngine
) -> None:
    services.update_household(bedtales.db, "home", series=True)
    first = write(bedtales, engine, seed=1)
    assert engine.last.previously is None  # nothing to remember yet

    second = write(bedtales, engine, seed=2)

    assert engine.last.previously == Previously(
        title=first.title,
        recap=PLAN.recap,
        friend=PLAN.friend,
        friend_name=PLAN.friend_name,
    )
    sentence = "Last time, Milo and Luna helped a little lost star find its way home."
    assert second.prompt.endswith("\n" + sentence)
    assert engine.last.prompt == second.prompt
    assert services.get_story(bedtales.db, second.id).prompt == second.prompt


def test_a_series_after_another_engine_remembers_the_title(bedtales: App) -> None:
    services.update_household(bedtales.db, "home", series=True)
    engine = RecordingEngine(plan=None)
    first = write(bedtales, engine, seed=1)
    second = write(bedtales, engine, seed=2)
    assert engine.last.previously == Previously(title=first.title)
    assert second.prompt.endswith(
        f"Last time, Milo and Luna had an adventure called “{first.title}”."
    )


def test_a_series_remembers_only_a_story_that_has_not_expired(
    bedtales: App, engine: RecordingEngine
) -> None:
    services.update_household(bedtales.db, "home", series=True)
    write(bedtales, engine, seed=1, now=utcnow() - OLD)  # expired, not yet swept
    story = write(bedtales, engine, seed=2)
    assert engine.last.previously is None
    assert "Last time" not in story.prompt


def test_a_series_with_a_damaged_plan_falls_back_to_the_title(
    bedtales: App, engine: RecordingEngine
) -> None:
    services.update_household(bedtales.db, "home", series=True)
    first = write(bedtales, engine, seed=1)
    with bedtales.db.session() as session:
        session.execute(
            update(StoryRow).where(StoryRow.id == first.id).values(plan={"plot": 5, "x": []})
        )
    write(bedtales, engine, seed=2)
    assert engine.last.previously == Previously(title=first.title)


def test_a_series_can_be_turned_off_again(bedtales: App, engine: RecordingEngine) -> None:
    assert services.update_household(bedtales.db, "home", series=True).series is True
    write(bedtales, engine, seed=1)
    assert services.update_household(bedtales.db, "home", series=False).series is False
    write(bedtales, engine, seed=2)
    assert engine.last.previously is None


def test_each_household_has_its_own_memory_and_series(
    bedtales: App, engine: RecordingEngine
) -> None:
    services.add_household(bedtales.db, "twin", characters=["Milo", "Luna"], scenes=["a park"])
    services.update_household(bedtales.db, "twin", series=True)
    home = write(bedtales, engine, seed=1)
    write(bedtales, engine, seed=2, household="twin")
    assert engine.last.memory.fingerprints == frozenset()
    assert engine.last.previously is None
    assert not any(row.story_id == home.id for row in memory_rows(bedtales, "twin"))
    with bedtales.db.session() as session:
        count = session.scalar(select(func.count()).select_from(HouseholdMemoryRow))
    assert count == 2


# ----------------------------------------------------------------------------- fixtures


@pytest.fixture
def private_bedtales(
    request: pytest.FixtureRequest,
    database_url: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[App]:
    """An initialised household on a database of this test's own (it may break its schema)."""
    if "postgres" in request.node.callspec.id:
        database_url = request.getfixturevalue("fresh_postgres_url")
    monkeypatch.setenv("BEDTALES_DATABASE_URL", database_url)
    directory = tmp_path / "private"
    first, _, _ = initialise(directory, timezone="UTC")
    first.close()
    opened = App.open(directory)
    yield opened
    opened.close()


def test_fingerprints_cover_lines_couplets_and_the_title() -> None:
    found = story_fingerprints("The Title", "One line,\nTwo line.\n\nThree.")
    assert found == {
        title_fingerprint("The Title"),
        fingerprint("One line,"),
        fingerprint("Two line."),
        fingerprint("Three."),
        couplet_fingerprint("One line,", "Two line."),
    }
    assert json.dumps(sorted(found))  # plain strings
