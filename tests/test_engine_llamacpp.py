"""The llamacpp engine.

llama-cpp-python is an optional extra that is not installed here, and no GGUF weights can
exist on a test machine, so the call path runs against a stand-in ``llama_cpp`` module that
records what the engine passes to ``Llama`` and ``create_chat_completion``.
"""

from __future__ import annotations

import sys
import types
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from bedtales.config import LlamaCppSettings, load_settings
from bedtales.engines.text import StoryRequest
from bedtales.engines.text.llamacpp import EXTRA_HINT, LlamaCppEngine, create_engine
from bedtales.errors import EngineError, EngineUnavailable

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
                return recorder.answer

        module = types.ModuleType("llama_cpp")
        module.Llama = Llama  # type: ignore[attr-defined]
        return module


def chat_answer(content: str | None) -> dict[str, Any]:
    """llama-cpp-python's OpenAI-shaped answer."""
    return {
        "id": "chatcmpl-local",
        "object": "chat.completion",
        "created": 0,
        "model": "tiny.gguf",
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": content},
                "logprobs": None,
                "finish_reason": "stop",
            }
        ],
        "usage": {"prompt_tokens": 20, "completion_tokens": 40, "total_tokens": 60},
    }


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


def test_story_comes_back_and_settings_reach_llama_cpp(
    llama_cpp: FakeLlamaCpp, model_file: Path
) -> None:
    assert LlamaCppEngine(settings_for(model_file)).write(REQUEST).text == STORY

    assert llama_cpp.loads == [
        {"model_path": str(model_file), "n_ctx": 2048, "n_threads": 2, "verbose": False}
    ]
    assert llama_cpp.calls == [
        {
            "messages": [{"role": "user", "content": REQUEST.prompt}],
            "max_tokens": 600,
            "temperature": 0.5,
            "seed": 1234,
        }
    ]


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
    [chat_answer(""), chat_answer("  \n"), chat_answer(None), {"choices": []}, {}, None],
    ids=["empty", "blank", "null", "no-choices", "no-choices-key", "none"],
)
def test_empty_answer_is_an_error(llama_cpp: FakeLlamaCpp, model_file: Path, answer: Any) -> None:
    llama_cpp.answer = answer

    with pytest.raises(EngineError, match="empty story") as caught:
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
