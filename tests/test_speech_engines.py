"""The offline speech engines, piper and espeak, with real synthesis, and the audio helpers
they share. The MP3s are decoded with soundfile (libsndfile's mpg123), as a player would.

Under CI=true the engines' extras are installed, so a missing one fails; locally it skips.
"""

from __future__ import annotations

import io
import json
import os
import re
import shutil
import stat
import sys
import threading
from pathlib import Path

import numpy as np
import pytest
import soundfile

from bedtales.config import Settings, load_settings
from bedtales.engines.speech import (
    Speech,
    SpeechEngine,
    WordTiming,
    audio,
    engines,
    espeak,
    piper,
)
from bedtales.errors import EngineError, EngineUnavailable
from conftest import require_service

BEDTIME_TEXT = (
    "Once upon a time, in a cosy house by the sea, lived Pip the rabbit and Luna the owl. "
    "Every night they counted 42 stars from the old oak tree. “Good night, moon!” "
    "whispered Pip. Luna smiled, and soon the two friends were fast asleep."
)
ENGINES = ["piper", "espeak"]


def _settings(data_dir: Path, **speech: object) -> Settings:
    with pytest.MonkeyPatch.context() as patch:  # never the developer's own BEDTALES_ settings
        for key in list(os.environ):
            if key.startswith("BEDTALES_"):
                patch.delenv(key)
        return load_settings(data_dir, speech=speech) if speech else load_settings(data_dir)


def _create(name: str, settings: Settings) -> SpeechEngine:
    try:
        return engines.create(name, settings)
    except EngineUnavailable as exc:
        require_service(f"the {name} speech engine", str(exc))  # skips, or fails in CI
        raise


def _skip_without_piper() -> None:
    if not piper.available():
        require_service("the piper speech engine", "pip install 'bedtales[voice]'")


@pytest.fixture(scope="module", params=ENGINES)
def engine(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> SpeechEngine:
    """Each engine, built once for the module: loading the piper voice takes a second."""
    name: str = request.param
    return _create(name, _settings(tmp_path_factory.mktemp("data")))


@pytest.fixture(scope="module")
def narration(engine: SpeechEngine) -> Speech:
    return engine.speak(BEDTIME_TEXT)


@pytest.fixture(scope="module")
def piper_engine(tmp_path_factory: pytest.TempPathFactory) -> piper.PiperEngine:
    settings = _settings(tmp_path_factory.mktemp("data"), length_scale=1.0)
    engine = _create("piper", settings)
    assert isinstance(engine, piper.PiperEngine)
    return engine


def _decode(speech: Speech) -> tuple[np.ndarray, int]:
    samples, rate = soundfile.read(io.BytesIO(speech.data), dtype="float32")
    return samples, rate


def _check_speech(speech: Speech, text: str, name: str) -> None:
    """Everything a narration promises: 24 kHz mono MP3 of the right length, audible and
    unclipped, with one timing per word, in order, inside the audio."""
    samples, rate = _decode(speech)
    assert (rate, samples.ndim, speech.mime, speech.engine) == (24000, 1, "audio/mpeg", name)
    assert abs(samples.size / rate - speech.duration_s) < 0.15
    words = audio.split_words(text)
    # 80 to 250 words a minute, with room for pauses
    assert len(words) / 250 * 60 < speech.duration_s < len(words) / 80 * 60 + 3
    rms, peak = float(np.sqrt(np.mean(samples**2))), float(np.max(np.abs(samples)))
    assert rms > 0.01  # not silent
    assert peak < 0.99  # not clipped
    assert [w.word for w in speech.words] == words
    starts = [w.start for w in speech.words]
    assert starts == sorted(starts)
    assert all(0 <= w.start <= w.end <= speech.duration_s for w in speech.words)
    assert all(
        a.end <= b.start + 1e-6 for a, b in zip(speech.words[:-1], speech.words[1:], strict=True)
    )
    assert starts[0] < 0.6
    assert speech.words[-1].end > speech.duration_s / 2


def test_engine_narrates_a_bedtime_text(engine: SpeechEngine, narration: Speech) -> None:
    assert engine.name in ENGINES
    _check_speech(narration, BEDTIME_TEXT, engine.name)


def test_words_are_timed_where_they_are_spoken(narration: Speech) -> None:
    """Words are loud and the pauses between them quiet: timings placed in pauses, or far
    off, would not be. (Short unstressed words, "a", may be quiet in themselves.)"""
    samples, rate = _decode(narration)

    def rms(start: float, end: float) -> float:
        return float(np.sqrt(np.mean(samples[int(start * rate) : int(end * rate)] ** 2)))

    overall = rms(0, narration.duration_s)
    for word in narration.words:
        if word.end - word.start >= 0.15:
            assert rms(word.start, word.end) > overall / 4, word
    pairs = zip(narration.words[:-1], narration.words[1:], strict=True)
    pauses = [(a.end, b.start) for a, b in pairs if b.start - a.end >= 0.2]
    assert pauses  # at the commas and full stops
    assert max(rms(start + 0.05, end - 0.05) for start, end in pauses) < overall / 4


def test_timings_survive_json(narration: Speech) -> None:
    document = audio.words_to_json(narration.words)
    again = audio.words_from_json(document)
    assert [w.word for w in again] == [w.word for w in narration.words]
    for before, after in zip(narration.words, again, strict=True):
        assert (after.start, after.end) == (round(before.start, 3), round(before.end, 3))
    assert json.loads(document)[0] == {"word": "Once", "start": again[0].start, "end": again[0].end}


def test_engine_is_shared_by_threads(engine: SpeechEngine) -> None:
    kinds = ["fox", "bear", "owl"]
    texts = [f"Story number {n}: the little {kind} fell asleep." for n, kind in enumerate(kinds)]
    results: dict[int, Speech] = {}
    errors: list[BaseException] = []

    def speak(index: int) -> None:
        try:
            results[index] = engine.speak(texts[index])
        except BaseException as exc:  # reported below, in the test's own thread
            errors.append(exc)

    threads = [threading.Thread(target=speak, args=(i,)) for i in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    for index, text in enumerate(texts):
        _check_speech(results[index], text, engine.name)


def test_nothing_to_say_is_an_error(engine: SpeechEngine) -> None:
    with pytest.raises(EngineError, match="no words"):
        engine.speak(" … — ")


def test_piper_times_words_from_the_model(piper_engine: piper.PiperEngine) -> None:
    engine = piper_engine
    assert engine.exact_timings  # the phoneme durations were exposed
    assert piper.available()
    # "on the" is said as one word, "42" as two: text words still get their own spans
    speech = engine.speak("They sat on the hill and counted 42 stars.")
    on, the = speech.words[2], speech.words[3]
    assert (on.word, the.word) == ("on", "the")
    assert on.start < on.end <= the.start < the.end


def test_piper_pace_is_calm(tmp_path: Path) -> None:
    """At the default length_scale (1.15) and with its pauses between sentences."""
    speech = _create("piper", _settings(tmp_path)).speak(BEDTIME_TEXT)
    spoken = speech.words[-1].end - speech.words[0].start
    assert 110 < len(speech.words) / spoken * 60 < 175


def test_unknown_piper_voice_names_the_setting(tmp_path: Path) -> None:
    _skip_without_piper()
    settings = _settings(tmp_path, piper_voice=str(tmp_path / "missing.onnx"))
    with pytest.raises(EngineUnavailable, match=r"speech\.piper_voice") as caught:
        engines.create("piper", settings)
    assert "BEDTALES_SPEECH__PIPER_VOICE" in str(caught.value)


def test_broken_piper_voice_is_unavailable(tmp_path: Path) -> None:
    model = tmp_path / "broken.onnx"
    model.write_bytes(b"not a model")
    Path(f"{model}.json").write_text("{}", encoding="utf-8")
    settings = _settings(tmp_path, piper_voice=str(model))
    _skip_without_piper()
    with pytest.raises(EngineUnavailable, match="cannot load the piper voice"):
        engines.create("piper", settings)


def test_unknown_espeak_voice_names_the_setting(tmp_path: Path) -> None:
    if espeak._shared_library() is None:
        require_service("the espeak-ng library", "pip install 'bedtales[espeak]'")
    settings = _settings(tmp_path, espeak_voice="xx-nowhere")
    with pytest.raises(EngineUnavailable, match=r"speech\.espeak_voice"):
        engines.create("espeak", settings)
    # the library's voice is global: an engine with a good voice still speaks with it
    good = engines.create("espeak", _settings(tmp_path))
    _check_timings_only(good.speak("The owl hooted softly."), "The owl hooted softly.")


FAKE_ESPEAK = """#!{python}
# A stand-in for the espeak-ng program: one second of tone per ten words, as a streamed WAV
# whose header sizes are placeholders, as espeak-ng writes them to a pipe.
import math, struct, sys
assert "--stdout" in sys.argv and "-v" in sys.argv
words = len(sys.stdin.read().split())
rate = 22050
frames = b"".join(
    struct.pack("<h", int(8000 * math.sin(2 * math.pi * 220 * n / rate)))
    for n in range(rate * max(1, words) // 10)
)
header = b"RIFF" + struct.pack("<I", 0x7FFFF024) + b"WAVEfmt " + struct.pack(
    "<IHHIIHH", 16, 1, 1, rate, rate * 2, 2, 16) + b"data" + struct.pack("<I", 0x7FFFF000)
sys.stdout.buffer.write(header + frames)
"""


def test_espeak_program_is_the_fallback(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Without the library the espeak-ng program speaks. This machine may not have it, so
    a stand-in program checks the plumbing (a WAV on stdout, words shared out)."""
    program = tmp_path / "bin" / "espeak-ng"
    program.parent.mkdir()
    program.write_text(FAKE_ESPEAK.format(python=sys.executable), encoding="utf-8")
    program.chmod(program.stat().st_mode | stat.S_IXUSR)
    monkeypatch.setenv("PATH", str(program.parent))
    monkeypatch.setattr(espeak, "_shared_library", lambda: None)
    engine = engines.create("espeak", _settings(tmp_path))
    text = "Sleep tight, little one, the moon is watching over you tonight."
    speech = engine.speak(text)
    _check_timings_only(speech, text)


def _check_timings_only(speech: Speech, text: str) -> None:
    samples, rate = _decode(speech)
    assert rate == 24000
    assert abs(samples.size / rate - speech.duration_s) < 0.15
    assert [w.word for w in speech.words] == audio.split_words(text)
    assert all(0 <= w.start <= w.end <= speech.duration_s for w in speech.words)


@pytest.mark.skipif(not shutil.which("espeak-ng"), reason="the espeak-ng program is not here")
def test_real_espeak_program(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(espeak, "_shared_library", lambda: None)
    engine = engines.create("espeak", _settings(tmp_path))
    _check_speech(engine.speak(BEDTIME_TEXT), BEDTIME_TEXT, "espeak")


def test_no_espeak_at_all_says_what_to_install(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.setattr(espeak, "_shared_library", lambda: None)
    with pytest.raises(EngineUnavailable, match=r"bedtales\[espeak\].*apt-get install espeak-ng"):
        engines.create("espeak", _settings(tmp_path))


# --- the shared helpers ---


def _peak_hz(samples: np.ndarray, rate: int) -> float:
    spectrum = np.abs(np.fft.rfft(samples * np.hanning(samples.size)))
    return float(np.fft.rfftfreq(samples.size, 1 / rate)[np.argmax(spectrum)])


def test_resampling_keeps_pitch_and_length() -> None:
    t = np.arange(22050) / 22050
    tone = 0.5 * np.sin(2 * np.pi * 440 * t)
    out = audio.resample(tone, 22050)
    assert out.size == 24000
    assert out.dtype == np.float32
    assert abs(_peak_hz(out, 24000) - 440) < 1.5
    expected = 0.5 * np.sin(2 * np.pi * 440 * np.arange(24000) / 24000)
    assert np.max(np.abs(out - expected)[200:-200]) < 1e-3  # the edges lack neighbours
    pcm = (tone * 32767).astype(np.int16)
    assert np.max(np.abs(audio.resample(pcm, 22050) - out)) < 1e-3


def test_resampling_down_removes_what_cannot_be_kept() -> None:
    t = np.arange(48000) / 48000
    mixed = np.sin(2 * np.pi * 440 * t) + np.sin(2 * np.pi * 15000 * t)  # 15 kHz > 12 kHz
    out = audio.resample(mixed, 48000)
    assert out.size == 24000
    spectrum = np.abs(np.fft.rfft(out[500:-500] * np.hanning(23000)))
    freqs = np.fft.rfftfreq(23000, 1 / 24000)
    alias = spectrum[np.abs(freqs - 9000) < 50].max()  # where 15 kHz would fold to
    assert alias < spectrum.max() / 1000


def test_mp3_is_24khz_mono_and_its_duration_is_exact() -> None:
    tone = 0.3 * np.sin(2 * np.pi * 330 * np.arange(22050 * 2) / 22050)
    data = audio.encode_mp3(tone.astype(np.float32), 48, rate=22050)
    samples, rate = soundfile.read(io.BytesIO(data))
    assert (rate, samples.ndim) == (24000, 1)
    assert audio.mp3_duration(data) == samples.size / rate
    onset = int(np.argmax(np.abs(samples) > 0.05))
    assert abs(onset - audio.MP3_DELAY_SAMPLES) < 30  # what the timings are shifted by


def test_words_and_sentences() -> None:
    text = "“Good-night,” said Mr. Fox. It's 10:30 — time for bed! Sleep… now?"
    assert audio.split_words(text) == [
        "Good-night",
        "said",
        "Mr",
        "Fox",
        "It's",
        "10:30",
        "time",
        "for",
        "bed",
        "Sleep",
        "now",
    ]
    assert audio.split_sentences(text) == [
        "“Good-night,” said Mr. Fox.",
        "It's 10:30 — time for bed!",
        "Sleep… now?",
    ]


def test_distribute_shares_a_span_by_length() -> None:
    timings = audio.distribute(["a", "bbb"], 1.0, 2.0)
    assert timings == [WordTiming("a", 1.0, 1.25), WordTiming("bbb", 1.25, 2.0)]
    assert audio.distribute([], 0, 1) == []


def test_without_the_voice_extra_piper_says_what_to_install(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from bedtales.app import speech_engine_name

    monkeypatch.setitem(sys.modules, "piper", None)  # as if piper-tts were not installed
    with pytest.raises(EngineUnavailable, match=re.escape("pip install 'bedtales[voice]'")):
        engines.create("piper", load_settings(tmp_path))

    monkeypatch.setattr(piper, "available", lambda: False)
    assert speech_engine_name(load_settings(tmp_path)) == "espeak"
    assert speech_engine_name(load_settings(tmp_path, speech={"engine": "piper"})) == "piper"
