from __future__ import annotations

import socket
import time
from collections.abc import Iterator

import pytest

from bedtales.app import App
from bedtales.config import load_settings
from bedtales.engines import text as text_engines
from bedtales.engines.text import Answer, StoryRequest
from bedtales.errors import EngineError, EngineUnavailable, InputError
from bedtales.households import services
from bedtales.stories.gates import SafetyList, check_story
from bedtales.stories.prompt import split_answer
from bedtales.stories.writer import pick_scene


class ScriptedEngine:
    """A text engine for these tests: answers with the given texts in turn."""

    name = "scripted"

    def __init__(self, answers: list[str]) -> None:
        self.answers = answers
        self.requests: list[StoryRequest] = []
        self.finish_reason = "stop"
        self.hang = False  # wait until the story's deadline, like a server that never answers

    def write(self, request: StoryRequest) -> Answer:
        self.requests.append(request)
        if self.hang:
            assert request.deadline is not None
            time.sleep(max(0.0, request.deadline - time.monotonic()))
            raise EngineError("scripted was stopped at the story's deadline")
        text = self.answers[min(len(self.requests), len(self.answers)) - 1]
        return Answer(text, self.finish_reason)


@pytest.fixture
def scripted(monkeypatch: pytest.MonkeyPatch) -> Iterator[ScriptedEngine]:
    engine = ScriptedEngine(["Short\n\nMilo and Luna slept."])
    monkeypatch.setitem(text_engines.engines._entries, "scripted", lambda _settings: engine)
    return engine


def test_story_names_every_character_uses_a_scene_and_passes_the_gates(bedtales: App) -> None:
    story = bedtales.write_story(seed=42)
    assert story.engine == "builtin"
    assert story.engine_note is None
    assert story.characters == ("Milo", "Luna")
    assert story.scene in [s.description for s in services.list_scenes(bedtales.db, "home")]
    assert story.prompt.startswith(
        "Write a title and a rhyming story on 2 main characters called Milo and Luna."
    )
    assert story.scene in story.prompt
    assert story.word_count >= 200
    assert "\n\n" in story.description  # stanzas kept
    text = split_answer(f"{story.title}\n\n{story.description}")
    assert check_story(text, story.characters, min_words=200, safety=SafetyList.build()) == []


def test_the_same_seed_writes_the_same_story(bedtales: App) -> None:
    services.add_household(bedtales.db, "twin")
    services.import_entries(
        bedtales.db,
        "twin",
        [c.name for c in services.list_characters(bedtales.db, "home")],
        [s.description for s in services.list_scenes(bedtales.db, "home")],
    )
    first, twin = bedtales.write_story("home", seed=5), bedtales.write_story("twin", seed=5)
    assert first.id != twin.id
    assert (first.scene, first.title, first.description) == (
        twin.scene,
        twin.title,
        twin.description,
    )
    other = bedtales.write_story("twin", seed=6)
    assert (other.title, other.description) != (first.title, first.description)


def test_recent_scenes_are_not_repeated_while_others_remain(bedtales: App) -> None:
    for scene in services.list_scenes(bedtales.db, "home")[3:]:
        services.remove_scene(bedtales.db, "home", str(scene.id))
    scenes = [bedtales.write_story(seed=s).scene for s in range(3)]
    assert len(set(scenes)) == 3


def test_pick_scene_falls_back_to_any_scene_when_all_are_recent() -> None:
    import random

    assert pick_scene(["a"], ["A"], random.Random(1)) == "a"
    picks = {pick_scene(["a", "b", "c"], ["a", "b"], random.Random(s)) for s in range(20)}
    assert picks == {"c"}


def test_failing_answers_are_retried_then_builtin_writes_it(
    bedtales: App, scripted: ScriptedEngine
) -> None:
    story = bedtales.write_story(engine="scripted", seed=3)
    assert len(scripted.requests) == 2  # text.max_attempts
    assert story.engine == "builtin"
    assert story.engine_note is not None
    assert "scripted failed 2 time(s)" in story.engine_note
    assert "story has 4 words" in story.engine_note


def test_a_good_answer_from_another_engine_is_split_and_stored(
    bedtales: App, scripted: ScriptedEngine
) -> None:
    body = "\n".join(
        f"Milo and Luna sailed past island {i}, singing a gentle evening song." for i in range(25)
    )
    scripted.answers = ["Short\n\nMilo.", f'Title: "The Evening Song"\n\n{body}']
    story = bedtales.write_story(engine="scripted", seed=3)
    assert story.engine == "scripted"
    assert story.title == "The Evening Song"
    assert story.description == body
    assert story.engine_note is not None
    assert "refused first" in story.engine_note
    assert [r.seed for r in scripted.requests] == [3, 4]


def test_an_answer_cut_off_at_the_token_limit_is_refused(
    bedtales: App, scripted: ScriptedEngine
) -> None:
    body = "\n".join(f"Milo and Luna counted star number {i} in the sky," for i in range(40))
    scripted.answers = [f"Title: Counting Stars\n\n{body}\nAnd then they"]
    scripted.finish_reason = "length"

    story = bedtales.write_story(engine="scripted", seed=3)

    assert story.engine == "builtin"
    assert story.engine_note == (
        "scripted failed 2 time(s) (answer cut off at the token limit (scripted.max_tokens) "
        "after 406 words; answer cut off at the token limit (scripted.max_tokens) after 406 "
        "words); written by builtin instead"
    )


def test_a_loop_is_refused(bedtales: App, scripted: ScriptedEngine) -> None:
    loop = "\n".join(["Milo and Luna saw a light,", *["A beacon,"] * 209])
    scripted.answers = [f"The Beacon\n\n{loop}"]

    story = bedtales.write_story(engine="scripted", seed=3)

    assert story.engine == "builtin"
    assert "the line 'A beacon,' comes 209 times" in (story.engine_note or "")


def test_after_the_deadline_builtin_writes_the_story(
    bedtales: App, scripted: ScriptedEngine, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BEDTALES_TEXT__DEADLINE_S", "1")
    monkeypatch.setenv("BEDTALES_TEXT__MAX_ATTEMPTS", "5")
    bedtales.settings = load_settings(bedtales.settings.data_dir)
    scripted.hang = True

    story = bedtales.write_story(engine="scripted", seed=3)

    assert story.engine == "builtin"
    assert story.engine_note == (
        "scripted did not finish within 1 s (text.deadline_s): scripted was stopped at the "
        "story's deadline; written by builtin instead"
    )
    assert len(scripted.requests) == 1  # no second answer is asked once time is up
    assert story.word_count >= 200


def test_blocked_words_are_never_stored(bedtales: App, scripted: ScriptedEngine) -> None:
    body = " ".join(["Milo and Luna met a scary ghost."] * 40)
    scripted.answers = [f"Ghosts\n\n{body}"]
    story = bedtales.write_story(engine="scripted")
    assert story.engine == "builtin"
    assert "child-safety list: ghost" in (story.engine_note or "")
    assert "ghost" not in story.description.lower()


def test_an_unreachable_service_falls_back_to_builtin(
    bedtales: App, monkeypatch: pytest.MonkeyPatch
) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    monkeypatch.setenv("BEDTALES_OPENAI__BASE_URL", f"http://127.0.0.1:{port}/v1")
    monkeypatch.setenv("BEDTALES_OPENAI__MAX_RETRIES", "0")
    monkeypatch.setenv("BEDTALES_OPENAI__TIMEOUT_S", "2")
    bedtales.settings = load_settings(bedtales.settings.data_dir)
    story = bedtales.write_story(engine="openai")
    assert story.engine == "builtin"
    assert story.engine_note is not None
    assert "openai failed 2 time(s)" in story.engine_note


def test_unknown_engine_is_refused_before_anything_is_written(bedtales: App) -> None:
    with pytest.raises(EngineUnavailable, match="unknown text engine 'gpt9'; known: builtin"):
        bedtales.write_story(engine="gpt9")
    assert services.list_stories(bedtales.db) == []


def test_a_household_without_characters_or_scenes_says_so(bedtales: App) -> None:
    services.add_household(bedtales.db, "empty")
    with pytest.raises(InputError, match="no characters yet"):
        bedtales.write_story("empty")
    services.add_character(bedtales.db, "empty", "Eric")
    with pytest.raises(InputError, match="no scenes yet"):
        bedtales.write_story("empty")


def test_seed_out_of_range_is_refused(bedtales: App) -> None:
    with pytest.raises(InputError, match="seed must be between 0"):
        bedtales.write_story(seed=-1)


def test_extra_blocked_words_make_builtin_choose_other_verses(
    bedtales: App, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BEDTALES_TEXT__EXTRA_BLOCKED_WORDS", '["alone", "lost", "fell"]')
    bedtales.settings = load_settings(bedtales.settings.data_dir)
    for seed in range(15):
        story = bedtales.write_story(seed=seed)
        assert not SafetyList.build(["alone", "lost", "fell"]).find(story.description)
