"""Speech engines: narrate the story.

An engine receives the text to speak and returns :class:`Speech`: MP3 bytes (24 kHz mono, as
the reference app's narration), the duration and the start time of every word, for
read-along highlighting. The ``narrate`` target stores the audio and the timings.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from bedtales.errors import EngineUnavailable
from bedtales.registry import Registry

if TYPE_CHECKING:
    from bedtales.config import Settings


@dataclass(frozen=True)
class WordTiming:
    """One spoken word and when it starts and ends, in seconds from the start of the audio."""

    word: str
    start: float
    end: float


@dataclass(frozen=True)
class Speech:
    data: bytes
    mime: str
    duration_s: float
    words: tuple[WordTiming, ...]
    engine: str


class SpeechEngine(Protocol):
    name: str

    def speak(self, text: str) -> Speech: ...


engines: Registry[Callable[[Settings], SpeechEngine]] = Registry(
    "speech engine",
    {
        "piper": "bedtales.engines.speech.piper",
        "espeak": "bedtales.engines.speech.espeak",
        "openai": "bedtales.engines.speech.openai",
    },
    error=EngineUnavailable,
)
register = engines.register
