"""The llamacpp engine against a stand-in ``llama_cpp`` module.

The stand-in records what the engine passes to ``Llama`` and ``create_chat_completion`` and
streams scripted answers, for what a real model cannot be made to do on cue (answer nothing,
answer in an odd shape, never stop). The real library and a real model run in
``tests/test_text_models.py``.
"""

from __future__ import annotations

import sys
import time
import types
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import pytest

from bedtales.config import LlamaCppSettings, load_settings
from bedtales.engines.text import StoryRequest
from bedtales.engines.text.llamacpp import EXTRA_HINT, LlamaCppEngine, create_engine
from bedtales.errors import EngineError, EngineUnavailable
from bedtales.stories.prompt import STOP_SEQUENCES

REQUEST = StoryRequest(
    prompt="Write a title and a rhyming story on 2 main characters called Mia and Leo.",
    characters=("Mia", "Leo"),
    scene="a moonlit forest",
    seed=1234,
)
STORY = "The Moonlit Picnic\n\nMia and Leo went out one night."


@dataclass
class FakeLlamaCpp:
    """What the stand-in ``llama_cpp`` module saw, and what it answers."""

    loads: list[dict[str, Any]] = field(default_factory=list)
    calls: list[dict[str, Any]] = field(default_factory=list)
    answer: Any = None
    closed: bool = False
    load_error: Exception | None = None
    write_error: Exception | None = None

    def module(self) -> types.ModuleType:
        recorder = self

        class Llama:
            # the real signature: model_path, then keyword-only parameters
            def __init__(self, model_path: str, **kwargs: Any) -> None:
                if recorder.load_error:
                    raise recorder.load_error
                recorder.loads.append({"model_path": model_path, **kwargs})

            def create_chat_completion(self, **kwargs: Any) -> Any:
                recorder.calls.append(kwargs)
                if recorder.write_error:
                    raise recorder.write_error
                return recorder.stream()

        module = types.ModuleType("llama_cpp")
        module.Llama = Llama  # type: ignore[attr-defined]
        return module

    def stream(self) -> Iterator[Any]:
        """The answer as llama-cpp-python streams it; ``closed`` says if we stopped early."""
        self.closed = False
        try:
            yield from self.answer
        finally:
            self.closed = True


def chunk(delta: dict[str, str], finish_reason: str | None = None) -> dict[str, Any]:
    """One streamed chunk, in llama-cpp-python's shape."""
    return {
        "id": "chatcmpl-local",
        "object": "chat.completion.chunk",
        "created": 0,
        "model": "tiny.gguf",
        "choices": [{"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish_reason}],
    }


def chat_answer(content: str | None, finish_reason: str = "stop") -> list[dict[str, Any]]:
    """An answer streamed a few characters at a time, then the reason it stopped."""
    chunks = [chunk({"role": "assistant"})]
    text = content or ""
    chunks += [chunk({"content": text[i : i + 7]}) for i in range(0, len(text), 7)]
    return [*chunks, chunk({}, finish_reason)]


def endless() -> Iterator[dict[str, Any]]:
    """A model that never stops."""
    yield chunk({"role": "assistant"})
    while True:
        yield chunk({"content": "A beacon,\n"})


@pytest.fixture
def llama_cpp(monkeypatch: pytest.MonkeyPatch) -> FakeLlamaCpp:
    fake = FakeLlamaCpp(answer=chat_answer(f"  {STORY}\n"))
    monkeypatch.setitem(sys.modules, "llama_cpp", fake.module())
    return fake


@pytest.fixture
def model_file(tmp_path: Path) -> Path:
    path = tmp_path / "tiny.gguf"
    path.write_bytes(b"GGUF")
    return path


def settings_for(model_path: Path | None, **overrides: Any) -> LlamaCppSettings:
    values: dict[str, Any] = {"model_path": model_path, "n_ctx": 2048, "max_tokens": 600}
    return LlamaCppSettings(**(values | {"temperature": 0.5, "threads": 2} | overrides))


def test_missing_extra_says_how_to_install_it(
    monkeypatch: pytest.MonkeyPatch, model_file: Path
) -> None:
    monkeypatch.setitem(sys.modules, "llama_cpp", None)  # makes the import fail

    with pytest.raises(EngineUnavailable) as caught:
        LlamaCppEngine(settings_for(model_file))

    assert str(caught.value) == EXTRA_HINT
    assert "pip install 'bedtales[llamacpp]'" in EXTRA_HINT


@pytest.mark.usefixtures("llama_cpp")
def test_unset_model_path_names_the_setting() -> None:
    with pytest.raises(EngineUnavailable, match="BEDTALES_LLAMACPP__MODEL_PATH"):
        LlamaCppEngine(settings_for(None))


@pytest.mark.usefixtures("llama_cpp")
def test_missing_model_file_names_the_path(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere.gguf"

    with pytest.raises(EngineUnavailable, match="BEDTALES_LLAMACPP__MODEL_PATH") as caught:
        LlamaCppEngine(settings_for(missing))

    assert str(missing) in str(caught.value)


@pytest.mark.usefixtures("llama_cpp")
@pytest.mark.parametrize(
    "content", [b"", b"GGU", b"<html>404 Not Found</html>", b"\x00" * 64], ids=str
)
def test_a_file_that_is_not_a_model_is_refused_when_the_engine_is_built(
    tmp_path: Path, content: bytes
) -> None:
    junk = tmp_path / "model.gguf"
    junk.write_bytes(content)

    with pytest.raises(EngineUnavailable, match="not a GGUF model file") as caught:
        LlamaCppEngine(settings_for(junk))

    assert str(junk) in str(caught.value)
    assert "BEDTALES_LLAMACPP__MODEL_PATH" in str(caught.value)


def test_story_comes_back_and_settings_reach_llama_cpp(
    llama_cpp: FakeLlamaCpp, model_file: Path
) -> None:
    engine = LlamaCppEngine(settings_for(model_file), system_message="Be brief.")

    answer = engine.write(REQUEST)

    assert (answer.text, answer.finish_reason) == (STORY, "stop")
    assert llama_cpp.loads == [
        {"model_path": str(model_file), "n_ctx": 2048, "n_threads": 2, "verbose": False}
    ]
    assert llama_cpp.calls == [
        {
            "messages": [
                {"role": "system", "content": "Be brief."},
                {"role": "user", "content": REQUEST.prompt},
            ],
            "max_tokens": 600,
            "temperature": 0.5,
            "top_p": 0.95,
            "top_k": 40,
            "min_p": 0.05,
            "repeat_penalty": 1.1,
            "stop": list(STOP_SEQUENCES),
            "seed": 1234,
            "stream": True,
        }
    ]


def test_sampling_settings_and_a_sized_answer_limit(
    llama_cpp: FakeLlamaCpp, model_file: Path
) -> None:
    settings = settings_for(
        model_file, max_tokens=None, repeat_penalty=1.3, top_k=20, top_p=0.8, min_p=0.1
    )

    LlamaCppEngine(settings).write(replace(REQUEST, min_words=300))

    (call,) = llama_cpp.calls
    assert call["messages"] == [{"role": "user", "content": REQUEST.prompt}]  # none set
    assert (call["repeat_penalty"], call["top_k"], call["top_p"], call["min_p"]) == (
        1.3,
        20,
        0.8,
        0.1,
    )
    assert call["max_tokens"] == 1450  # 300 words asked for: 4.5 tokens a word, plus 100


def test_defaults_sample_as_the_llama_cpp_server_does(tmp_path: Path) -> None:
    """llama-cpp-python's own repeat_penalty is 1.0, which lets small models loop."""
    settings = load_settings(tmp_path).llamacpp

    assert settings.repeat_penalty == 1.1
    assert (settings.top_k, settings.top_p, settings.min_p) == (40, 0.95, 0.05)
    assert settings.max_tokens is None


def test_the_system_message_comes_from_the_text_settings(
    llama_cpp: FakeLlamaCpp, model_file: Path, tmp_path: Path
) -> None:
    settings = load_settings(
        tmp_path,
        llamacpp={"model_path": str(model_file)},
        text={"system_message": "Write for a four-year-old."},
    )

    create_engine(settings).write(REQUEST)

    assert llama_cpp.calls[0]["messages"][0] == {
        "role": "system",
        "content": "Write for a four-year-old.",
    }


def test_an_answer_cut_off_at_the_limit_says_so(llama_cpp: FakeLlamaCpp, model_file: Path) -> None:
    llama_cpp.answer = chat_answer("Title: Loop\n\nA beacon,\nA beacon,", finish_reason="length")

    answer = LlamaCppEngine(settings_for(model_file)).write(REQUEST)

    assert answer.finish_reason == "length"  # the story writer refuses it


def test_generation_stops_at_the_deadline(llama_cpp: FakeLlamaCpp, model_file: Path) -> None:
    llama_cpp.answer = endless()
    engine = LlamaCppEngine(settings_for(model_file))

    with pytest.raises(EngineError, match="stopped at the story's deadline") as caught:
        engine.write(replace(REQUEST, deadline=time.monotonic() + 0.2))

    assert type(caught.value) is EngineError  # a refusal: builtin writes the story
    assert llama_cpp.closed  # llama.cpp's generator is closed, so generation ends
    llama_cpp.answer = chat_answer(STORY)
    assert engine.write(REQUEST).text == STORY  # and the model is free for the next story


def test_model_loads_lazily_and_once(llama_cpp: FakeLlamaCpp, model_file: Path) -> None:
    engine = LlamaCppEngine(settings_for(model_file, threads=None))
    assert llama_cpp.loads == []  # listing or checking engines must not load gigabytes

    engine.write(REQUEST)
    engine.write(REQUEST)

    assert len(llama_cpp.loads) == 1
    assert llama_cpp.loads[0]["n_threads"] is None  # unset lets llama.cpp choose
    assert len(llama_cpp.calls) == 2


def test_factory_builds_the_engine_from_settings(
    llama_cpp: FakeLlamaCpp, model_file: Path, tmp_path: Path
) -> None:
    settings = load_settings(tmp_path, llamacpp={"model_path": str(model_file)})

    engine = create_engine(settings)

    assert engine.name == "llamacpp"
    assert isinstance(engine, LlamaCppEngine)
    assert engine.write(REQUEST).text == STORY


@pytest.mark.parametrize(
    "answer",
    [chat_answer(""), chat_answer("  \n"), chat_answer(None), []],
    ids=["empty", "blank", "null", "no-chunks"],
)
def test_empty_answer_is_an_error(llama_cpp: FakeLlamaCpp, model_file: Path, answer: Any) -> None:
    llama_cpp.answer = answer

    with pytest.raises(EngineError, match="empty story") as caught:
        LlamaCppEngine(settings_for(model_file)).write(REQUEST)

    assert type(caught.value) is EngineError


@pytest.mark.parametrize(
    "answer",
    [[{"choices": []}], [{}], [None], [{"choices": ["text"]}]],
    ids=["no-choices", "no-choices-key", "none", "not-a-choice"],
)
def test_malformed_chunks_are_an_error(
    llama_cpp: FakeLlamaCpp, model_file: Path, answer: Any
) -> None:
    llama_cpp.answer = answer

    with pytest.raises(EngineError, match="unexpected shape") as caught:
        LlamaCppEngine(settings_for(model_file)).write(REQUEST)

    assert type(caught.value) is EngineError


def test_unloadable_model_is_unavailable(llama_cpp: FakeLlamaCpp, model_file: Path) -> None:
    llama_cpp.load_error = ValueError(f"Failed to load model from file: {model_file}")

    with pytest.raises(EngineUnavailable, match="GGUF") as caught:
        LlamaCppEngine(settings_for(model_file)).write(REQUEST)

    assert str(model_file) in str(caught.value)


def test_failed_generation_is_an_engine_error(llama_cpp: FakeLlamaCpp, model_file: Path) -> None:
    llama_cpp.write_error = ValueError("Requested tokens (5000) exceed context window of 2048")

    with pytest.raises(EngineError, match="exceed context window") as caught:
        LlamaCppEngine(settings_for(model_file)).write(REQUEST)

    assert type(caught.value) is EngineError
