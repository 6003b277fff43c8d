"""The ``openai`` speech engine: the speech API (tts-1, gpt-4o-mini-tts…) through the SDK.

The reference app narrated with Amazon Polly; this asks an OpenAI-compatible speech endpoint
for raw PCM (24 kHz, 16-bit, mono) and encodes the MP3 itself, so the narration has the same
shape as the offline engines'. The API takes at most 4,096 characters a request, so longer
text is sent sentence-aligned in parts. The API gives no word timings: they are spread over
each part by word length, then each word's end is pulled back over the silence after it.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

import numpy as np

from bedtales.engines.openai_service import Call, OpenAIService
from bedtales.engines.speech import Speech, SpeechEngine, WordTiming, register
from bedtales.engines.speech.audio import (
    TARGET_RATE,
    FloatArray,
    as_float,
    distribute,
    make_speech,
    split_sentences,
    split_words,
    tighten_ends,
)
from bedtales.errors import EngineError

if TYPE_CHECKING:
    from bedtales.config import Settings

log = logging.getLogger(__name__)

MAX_CHARS = 4096  # the speech API's limit on one request's input


@register("openai")
def create_engine(settings: Settings) -> SpeechEngine:
    return OpenAISpeechEngine(settings)


def parts(text: str, limit: int = MAX_CHARS) -> list[str]:
    """``text`` in pieces of at most ``limit`` characters, cut between sentences (or, for a
    sentence longer than that, between words)."""
    pieces: list[str] = []
    current = ""
    for sentence in split_sentences(text):
        for chunk in _fit(sentence, limit):
            joined = f"{current} {chunk}" if current else chunk
            if len(joined) <= limit:
                current = joined
            else:
                pieces.append(current)
                current = chunk
    if current:
        pieces.append(current)
    return pieces


def _fit(sentence: str, limit: int) -> list[str]:
    if len(sentence) <= limit:
        return [sentence]
    chunks, current = [], ""
    for word in sentence.split():
        joined = f"{current} {word}" if current else word
        if len(joined) > limit and current:
            chunks.append(current)
            joined = word
        current = joined[:limit]
    return [*chunks, current] if current else chunks


class OpenAISpeechEngine:
    name = "openai"

    def __init__(self, settings: Settings) -> None:
        speech = settings.speech
        self.settings = speech
        self.service = OpenAIService(
            settings.openai,
            Call.configured("speech", speech, "openai_model"),
        )

    def __repr__(self) -> str:
        return f"OpenAISpeechEngine({self.service!r})"

    def speak(self, text: str) -> Speech:
        pieces: list[FloatArray] = []
        words: list[WordTiming] = []
        offset = 0.0
        for part in parts(text):
            samples = self._pcm(part)
            duration = samples.size / TARGET_RATE
            timed = tighten_ends(distribute(split_words(part), 0.0, duration), samples, TARGET_RATE)
            words += [WordTiming(w.word, w.start + offset, w.end + offset) for w in timed]
            pieces.append(samples)
            offset += duration
        if not pieces:
            raise EngineError("there is nothing to say: the text is empty")
        return make_speech(
            np.concatenate(pieces),
            TARGET_RATE,
            words,
            engine=self.name,
            bitrate_kbps=self.settings.bitrate_kbps,
        )

    def _pcm(self, text: str) -> FloatArray:
        voice: Any = self.settings.openai_voice  # the SDK types voices as a Literal
        answer = self.service.request(
            lambda client: client.audio.speech.create(
                model=self.settings.openai_model,
                voice=voice,
                input=text,
                response_format="pcm",
            )
        )
        raw = answer.content
        if len(raw) < 2:
            raise EngineError(f"{self.service.base_url} answered with no audio")
        return as_float(np.frombuffer(raw[: len(raw) // 2 * 2], dtype="<i2"))
