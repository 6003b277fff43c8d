"""The ``espeak`` engine: espeak-ng, a small formant synthesiser, robotic but instant.

It runs espeak-ng as a library (``libespeak-ng`` from the ``espeakng-loader`` wheel, the
extra ``bedtales[espeak]``) through ctypes, synchronously, collecting the audio and the
events in a callback. Its WORD events give each word's start exactly (to the millisecond)
and its position in the text, so text words are matched by position; a word's end is its
next word's start pulled back over the silence between them. Without the library the
``espeak-ng`` program is run instead; it reports no events, so the words share the voiced
audio in proportion to their length.

libespeak-ng keeps all its state in globals (voice, rate, callback), so it is initialised
once per process and every synthesis holds one module-level lock.
"""

from __future__ import annotations

import ctypes
import io
import logging
import shutil
import subprocess
import threading
import wave
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from bedtales.engines.speech import Speech, SpeechEngine, WordTiming, register
from bedtales.engines.speech.audio import (
    FloatArray,
    TextWord,
    as_float,
    distribute,
    find_words,
    make_speech,
    tighten_ends,
    voiced_span,
)
from bedtales.errors import EngineError, EngineUnavailable

if TYPE_CHECKING:
    from bedtales.config import Settings, SpeechSettings

log = logging.getLogger(__name__)

INSTALL_HINT = (
    "the espeak engine needs espeak-ng: pip install 'bedtales[espeak]', "
    "or apt-get install espeak-ng"
)
VOICE_SETTING = "speech.espeak_voice (BEDTALES_SPEECH__ESPEAK_VOICE)"

# from espeak-ng's speak_lib.h
_AUDIO_OUTPUT_SYNCHRONOUS = 2
_INITIALIZE_DONT_EXIT = 0x8000  # return an error instead of calling exit()
_EVENT_LIST_TERMINATED = 0
_EVENT_WORD = 1
_PARAMETER_RATE = 1
_POS_CHARACTER = 1
_CHARS_UTF8 = 1
_BUFFER_MS = 1000  # audio handed to the callback at a time


class _Event(ctypes.Structure):
    """``espeak_EVENT``; ``id`` is a union of an int, a pointer and 8 chars."""

    _fields_ = (
        ("type", ctypes.c_int),
        ("unique_identifier", ctypes.c_uint),
        ("text_position", ctypes.c_int),  # in characters, from 1
        ("length", ctypes.c_int),
        ("audio_position", ctypes.c_int),  # in milliseconds
        ("sample", ctypes.c_int),
        ("user_data", ctypes.c_void_p),
        ("id", ctypes.c_void_p),
    )


_Callback = ctypes.CFUNCTYPE(
    ctypes.c_int, ctypes.POINTER(ctypes.c_short), ctypes.c_int, ctypes.POINTER(_Event)
)


@dataclass
class _Capture:
    """What one synthesis produced: int16 PCM bytes and (character index, start s) of words."""

    audio: list[bytes] = field(default_factory=list)
    words: list[tuple[int, float]] = field(default_factory=list)


class _Library:
    """libespeak-ng, initialised once. Only use it while holding ``_LOCK``."""

    def __init__(self, lib: ctypes.CDLL, data_path: str) -> None:
        self.lib = lib
        lib.espeak_Initialize.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_char_p, ctypes.c_int]
        lib.espeak_SetVoiceByName.argtypes = [ctypes.c_char_p]
        lib.espeak_SetParameter.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_int]
        lib.espeak_Synth.argtypes = [
            ctypes.c_char_p,
            ctypes.c_size_t,
            ctypes.c_uint,
            ctypes.c_int,
            ctypes.c_uint,
            ctypes.c_uint,
            ctypes.c_void_p,
            ctypes.c_void_p,
        ]
        self.rate = lib.espeak_Initialize(
            _AUDIO_OUTPUT_SYNCHRONOUS, _BUFFER_MS, data_path.encode(), _INITIALIZE_DONT_EXIT
        )
        if self.rate <= 0:
            raise EngineUnavailable(f"espeak-ng could not start with its data at {data_path}")
        self.capture = _Capture()
        # kept on the instance: ctypes callbacks must outlive every call into the library
        self._callback = _Callback(self._on_synth)
        lib.espeak_SetSynthCallback(self._callback)

    def _on_synth(
        self, wav: ctypes._Pointer[ctypes.c_short], count: int, events: ctypes._Pointer[_Event]
    ) -> int:
        if wav and count > 0:
            self.capture.audio.append(ctypes.string_at(wav, count * 2))
        index = 0
        while events[index].type != _EVENT_LIST_TERMINATED:
            event = events[index]
            if event.type == _EVENT_WORD:
                self.capture.words.append((event.text_position - 1, event.audio_position / 1000))
            index += 1
        return 0  # carry on

    def select(self, voice: str, wpm: int) -> None:
        if self.lib.espeak_SetVoiceByName(voice.encode()) != 0:
            raise EngineUnavailable(f"espeak-ng has no voice {voice!r} ({VOICE_SETTING})")
        self.lib.espeak_SetParameter(_PARAMETER_RATE, wpm, 0)

    def synthesise(self, text: str) -> _Capture:
        self.capture = _Capture()
        data = text.encode()
        status = self.lib.espeak_Synth(
            data, len(data) + 1, 0, _POS_CHARACTER, 0, _CHARS_UTF8, None, None
        )
        if status != 0:
            raise EngineError(f"espeak-ng could not speak (error {status})")
        return self.capture


_LOCK = threading.Lock()
_library: _Library | None = None
_library_error: str | None = None


def _shared_library() -> _Library | None:
    """The process's libespeak-ng, loaded on first use; None without espeakng-loader."""
    global _library, _library_error
    with _LOCK:
        if _library is None and _library_error is None:
            try:
                import espeakng_loader

                lib = ctypes.CDLL(espeakng_loader.get_library_path())
                _library = _Library(lib, espeakng_loader.get_data_path())
            except (ImportError, OSError, RuntimeError, EngineUnavailable) as exc:
                _library_error = str(exc) or type(exc).__name__
                log.debug("espeak-ng library unavailable: %s", _library_error)
        return _library


@register("espeak")
def create_engine(settings: Settings) -> SpeechEngine:
    return EspeakEngine(settings.speech)


class EspeakEngine:
    """Narrates with espeak-ng: the library when installed, else the ``espeak-ng`` program."""

    name = "espeak"

    def __init__(self, settings: SpeechSettings) -> None:
        self.settings = settings
        self._library = _shared_library()
        self._program = None if self._library else shutil.which("espeak-ng")
        if self._library is None and self._program is None:
            detail = f" (the library: {_library_error})" if _library_error else ""
            raise EngineUnavailable(INSTALL_HINT + detail)
        if self._library is not None:
            with _LOCK:  # a wrong voice is a setting to fix: say so now, not at each story
                self._library.select(settings.espeak_voice, settings.espeak_wpm)

    def __repr__(self) -> str:
        how = "library" if self._library else self._program
        return f"EspeakEngine(voice={self.settings.espeak_voice!r}, via={how!r})"

    def speak(self, text: str) -> Speech:
        words = find_words(text)
        if not words:
            raise EngineError("nothing to narrate: the text has no words")
        if self._library is not None:
            rate, samples, timings = self._speak_library(self._library, text, words)
        else:
            rate, samples, timings = self._speak_program(text, words)
        # LAME's fast mode: espeak-ng is the instant voice, and the encoder would take most of
        # its time; a formant voice has little detail for the slower modes to keep
        return make_speech(
            samples,
            rate,
            timings,
            engine=self.name,
            bitrate_kbps=self.settings.bitrate_kbps,
            quality=7,
        )

    def _speak_library(
        self, library: _Library, text: str, words: list[TextWord]
    ) -> tuple[int, FloatArray, list[WordTiming]]:
        with _LOCK:
            library.select(self.settings.espeak_voice, self.settings.espeak_wpm)
            capture = library.synthesise(text)
        samples = as_float(np.frombuffer(b"".join(capture.audio), dtype=np.int16))
        duration = samples.size / library.rate
        starts = _word_starts(words, capture.words, duration)
        ends = [*starts[1:], duration]
        timings = [WordTiming(w.word, s, e) for w, s, e in zip(words, starts, ends, strict=True)]
        return library.rate, samples, tighten_ends(timings, samples, library.rate)

    def _speak_program(
        self, text: str, words: list[TextWord]
    ) -> tuple[int, FloatArray, list[WordTiming]]:
        assert self._program is not None
        command = [self._program, "--stdout", "-b", "1", "--stdin"]
        command += ["-v", self.settings.espeak_voice, "-s", str(self.settings.espeak_wpm)]
        try:
            done = subprocess.run(  # the text goes to stdin, never to the command line
                command, input=text.encode(), capture_output=True, timeout=self.settings.timeout_s
            )
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise EngineError(f"{self._program} failed: {exc}") from exc
        if done.returncode != 0 or not done.stdout:
            problem = done.stderr.decode(errors="replace").strip()[:200]
            raise EngineError(f"{self._program} failed ({VOICE_SETTING}?): {problem}")
        rate, samples = _read_wav(done.stdout)
        first, last = voiced_span(samples)
        timings = distribute([w.word for w in words], first / rate, last / rate)
        return rate, samples, timings


def _word_starts(
    words: list[TextWord], events: list[tuple[int, float]], duration: float
) -> list[float]:
    """Each word's start: the first WORD event inside its token (espeak-ng may report two
    for one token, "42", or one for two, "Good-night"). Tokens it said nothing for start
    halfway between their neighbours."""
    starts: list[float | None] = []
    remaining = iter(sorted(events))
    pending = next(remaining, None)
    for word in words:
        start = None
        while pending is not None and pending[0] < word.end:
            if start is None and pending[0] >= word.start:
                start = pending[1]
            pending = next(remaining, None)
        starts.append(start)
    return _fill(starts, duration)


def _fill(starts: list[float | None], duration: float) -> list[float]:
    """Missing starts filled in evenly between the known ones, kept in order."""
    filled: list[float] = []
    for index, start in enumerate(starts):
        if start is None:
            before = filled[-1] if filled else 0.0
            after = next((s for s in starts[index + 1 :] if s is not None), duration)
            start = (before + after) / 2
        filled.append(max(start, filled[-1]) if filled else start)
    return filled


def _read_wav(data: bytes) -> tuple[int, FloatArray]:
    """Rate and mono samples of espeak-ng's 16-bit WAV. On a pipe it cannot go back to write
    the lengths, so the header's sizes are ignored and everything after it is audio."""
    try:
        with wave.open(io.BytesIO(data)) as wav:
            rate, channels, width = wav.getframerate(), wav.getnchannels(), wav.getsampwidth()
            frames = wav.readframes(len(data))
    except (wave.Error, EOFError) as exc:
        raise EngineError(f"espeak-ng wrote no readable WAV: {exc}") from exc
    if width != 2:
        raise EngineError(f"espeak-ng wrote {8 * width}-bit audio; 16-bit was expected")
    samples = np.frombuffer(frames[: len(frames) // 2 * 2], dtype="<i2")
    return rate, as_float(samples.reshape(-1, channels).mean(axis=1).astype(np.int16))
