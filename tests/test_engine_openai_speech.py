"""The openai speech engine against a real local HTTP server speaking the speech API."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import soundfile

from bedtales.config import load_settings
from bedtales.engines.speech import engines
from bedtales.engines.speech.audio import split_words
from bedtales.engines.speech.openai import MAX_CHARS, OpenAISpeechEngine, parts
from bedtales.errors import EngineError, EngineUnavailable
from servers.chat_completions import ScriptedResponse, ScriptedServer, error_body

SPEECH_PATH = "/v1/audio/speech"
TEXT = (
    "This is a story called The Sleepy Owl. Milo and Luna walked beneath the moon. "
    "The owl said hush, and soon they slept."
)


def pcm(seconds: float) -> bytes:
    """24 kHz 16-bit mono: a soft tone, as the API's "pcm" format."""
    t = np.arange(int(24000 * seconds)) / 24000
    return (np.sin(2 * np.pi * 220 * t) * 8000).astype("<i2").tobytes()


def make_engine(server: ScriptedServer, tmp_path: Path, **speech: Any) -> OpenAISpeechEngine:
    settings = load_settings(
        tmp_path,
        openai={"base_url": server.openai_base_url, "api_key": "sk-speech-test"},
        speech={"engine": "openai", "max_retries": 2, "timeout_s": 5, **speech},
    )
    engine = engines.create("openai", settings)
    assert isinstance(engine, OpenAISpeechEngine)
    return engine


def test_narration_is_a_24khz_mp3_with_word_timings(
    chat_server: ScriptedServer, tmp_path: Path
) -> None:
    chat_server.enqueue(SPEECH_PATH, ScriptedResponse(body=pcm(3.0), content_type="audio/pcm"))

    speech = make_engine(chat_server, tmp_path).speak(TEXT)

    body = chat_server.requests_to(SPEECH_PATH)[0].json()
    assert body == {"model": "tts-1", "voice": "fable", "input": TEXT, "response_format": "pcm"}
    decoded, rate = soundfile.read(io.BytesIO(speech.data))
    assert (rate, decoded.ndim, speech.mime, speech.engine) == (24000, 1, "audio/mpeg", "openai")
    assert speech.duration_s == pytest.approx(3.0, abs=0.15)
    assert len(decoded) / rate == pytest.approx(speech.duration_s, abs=0.15)
    assert [w.word for w in speech.words] == split_words(TEXT)
    starts = [w.start for w in speech.words]
    assert starts == sorted(starts)
    assert all(0 <= w.start <= w.end <= speech.duration_s for w in speech.words)


def test_long_text_is_sent_in_sentence_aligned_parts(
    chat_server: ScriptedServer, tmp_path: Path
) -> None:
    text = " ".join(f"Sentence number {i} is here and it is calm." for i in range(250))
    chat_server.always(SPEECH_PATH, ScriptedResponse(body=pcm(0.5), content_type="audio/pcm"))

    speech = make_engine(chat_server, tmp_path).speak(text)

    inputs = [r.json()["input"] for r in chat_server.requests_to(SPEECH_PATH)]
    assert len(inputs) == len(parts(text)) >= 3
    assert all(len(i) <= MAX_CHARS and i.endswith("calm.") for i in inputs)
    assert " ".join(inputs) == text
    assert len(speech.words) == len(split_words(text))
    assert speech.duration_s == pytest.approx(0.5 * len(inputs), abs=0.2)


def test_a_sentence_longer_than_the_limit_is_cut_between_words() -> None:
    text = "la " * 3000
    pieces = parts(text.strip(), limit=100)
    assert all(len(p) <= 100 for p in pieces)
    assert " ".join(pieces).split() == text.split()


def test_server_errors_are_retried_and_a_refused_key_is_clear(
    chat_server: ScriptedServer, tmp_path: Path
) -> None:
    busy = ScriptedResponse(500, error_body("oops"), headers={"retry-after-ms": "1"})
    chat_server.enqueue(
        SPEECH_PATH, busy, ScriptedResponse(body=pcm(1.0), content_type="audio/pcm")
    )
    make_engine(chat_server, tmp_path).speak(TEXT)
    assert len(chat_server.requests_to(SPEECH_PATH)) == 2

    chat_server.enqueue(SPEECH_PATH, ScriptedResponse(401, error_body("bad key sk-speech-test")))
    with pytest.raises(EngineUnavailable, match="BEDTALES_OPENAI__API_KEY") as caught:
        make_engine(chat_server, tmp_path).speak(TEXT)
    assert "sk-speech-test" not in str(caught.value)


def test_an_empty_answer_is_an_error(chat_server: ScriptedServer, tmp_path: Path) -> None:
    chat_server.enqueue(SPEECH_PATH, ScriptedResponse(body=b"", content_type="audio/pcm"))

    with pytest.raises(EngineError, match="no audio"):
        make_engine(chat_server, tmp_path).speak(TEXT)
