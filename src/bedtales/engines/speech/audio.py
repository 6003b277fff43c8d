"""Audio and word-timing helpers shared by the speech engines.

Every engine hands back the same shape: MP3, 24 kHz mono, with one :class:`WordTiming` per
word of :func:`split_words`. Engines synthesise at their own rate (piper and espeak-ng at
22.05 kHz), so :func:`resample` converts with a windowed-sinc polyphase filter (numpy only),
and :func:`make_speech` levels, encodes and shifts the timings by the MP3 codec delay.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Iterable, Sequence
from fractions import Fraction
from functools import lru_cache
from typing import NamedTuple

import numpy as np
from numpy.typing import NDArray

from bedtales.engines.speech import Speech, WordTiming

TARGET_RATE = 24000
MP3_MIME = "audio/mpeg"
# LAME's encoder delay (576) plus the decoder's filterbank delay (529): without a gapless
# (LAME/Xing) header, which lameenc does not write, every decoder plays these samples first.
MP3_DELAY_SAMPLES = 576 + 529
MP3_DELAY_S = MP3_DELAY_SAMPLES / TARGET_RATE
# Loudest sample after levelling, -1.4 dBFS: MP3 overshoots peaks slightly when decoded.
PEAK_LEVEL = 0.85

# Resampler design: 32 zero crossings each side and a Kaiser window (beta 8.6, about -86 dB
# stop band); the pass band ends at 90 % of the lower Nyquist rate, so speech up to 8 kHz is
# flat and almost nothing folds back. Rates whose ratio to 24 kHz needs more phases than
# _MAX_PHASES (odd rates such as 22051 Hz) are approximated to within one part in a million.
_ZERO_CROSSINGS = 32
_KAISER_BETA = 8.6
_ROLLOFF = 0.9
_MAX_PHASES = 1000
_BLOCKS_PER_STEP = 2048  # bounds the temporary copy of the input frames to a few MB

FloatArray = NDArray[np.float32]


def as_float(samples: NDArray[np.generic] | Sequence[float]) -> FloatArray:
    """Mono samples as float32 in [-1, 1]; signed integer PCM is scaled, floats are kept."""
    array = np.asarray(samples)
    if np.issubdtype(array.dtype, np.signedinteger):
        full_scale = float(2 ** (8 * array.dtype.itemsize - 1))
        return (array.astype(np.float32) / full_scale).reshape(-1)
    return array.astype(np.float32).reshape(-1)


def resample(
    samples: NDArray[np.generic] | Sequence[float], rate: int, target_rate: int = TARGET_RATE
) -> FloatArray:
    """Mono PCM at ``rate`` Hz resampled to ``target_rate`` Hz, as float32.

    The output has ``ceil(len * target_rate / rate)`` samples, so timings carry over exactly.
    """
    if rate <= 0 or target_rate <= 0:
        raise ValueError(f"sample rates must be positive, not {rate} and {target_rate}")
    signal = as_float(samples)
    ratio = Fraction(target_rate, rate).limit_denominator(_MAX_PHASES)
    up, down = ratio.numerator, ratio.denominator
    if up == down or signal.size == 0:
        return signal.copy()
    weights, lead = _polyphase_weights(up, down)
    n_out = -(-signal.size * up // down)
    blocks = -(-n_out // up)
    width = weights.shape[0]
    padded = np.zeros(lead + blocks * down + width, dtype=np.float32)
    padded[lead : lead + signal.size] = signal
    # frame b holds the inputs that output block b (``up`` samples) depends on
    frames = np.lib.stride_tricks.sliding_window_view(padded, width)[::down][:blocks]
    pieces = [
        (frames[i : i + _BLOCKS_PER_STEP] @ weights).reshape(-1)
        for i in range(0, blocks, _BLOCKS_PER_STEP)
    ]
    return np.concatenate(pieces)[:n_out]


@lru_cache(maxsize=16)
def _polyphase_weights(up: int, down: int) -> tuple[FloatArray, int]:
    """The filter as a matrix: output ``b*up + p`` is ``frame_b @ weights[:, p]``.

    Upsampling by ``up``, low-pass filtering with ``h`` and keeping every ``down``-th sample
    gives ``y[b*up + p] = sum_i x[b*down + i] * up * h[p*down - i*up + half]``; row ``r`` of
    the matrix is input offset ``i = r - lead``.
    """
    widest = max(up, down)
    half = _ZERO_CROSSINGS * widest
    cutoff = _ROLLOFF * 0.5 / widest  # cycles per up-sampled sample
    taps = np.arange(-half, half + 1, dtype=np.float64)
    h = 2 * cutoff * np.sinc(2 * cutoff * taps) * np.kaiser(taps.size, _KAISER_BETA)
    lead = half // up  # inputs needed before the first one, i.e. -min(i)
    last = ((up - 1) * down + half) // up
    offsets = np.arange(-lead, last + 1)[:, None]
    index = np.arange(up)[None, :] * down - offsets * up + half
    valid = (index >= 0) & (index < h.size)
    weights = np.where(valid, h[np.clip(index, 0, h.size - 1)], 0.0)
    # every phase gets unit gain at 0 Hz, so the output has no ripple at the up-sampled rate
    weights /= weights.sum(axis=0, keepdims=True)
    # float32 arithmetic: its rounding noise, near -140 dB, is far below the filter's
    return weights.astype(np.float32), lead


def level(samples: FloatArray, peak: float = PEAK_LEVEL) -> FloatArray:
    """The samples scaled so the loudest is ``peak``; silence stays silence."""
    loudest = float(np.max(np.abs(samples))) if samples.size else 0.0
    if loudest < 1e-6:
        return samples
    return (samples * (peak / loudest)).astype(np.float32)


def to_int16(samples: FloatArray) -> NDArray[np.int16]:
    return np.clip(np.round(samples * 32767.0), -32768, 32767).astype(np.int16)


def encode_mp3(
    samples: FloatArray, bitrate_kbps: int, rate: int = TARGET_RATE, quality: int = 5
) -> bytes:
    """MP3 of mono float samples at ``rate`` (24 kHz by default, else resampled first).

    At 24 kHz MP3 is MPEG-2 layer III, whose rates stop at 160 kbps: LAME lowers higher ones.
    ``quality`` is LAME's ``-q``: 2 is its "high quality", 5 its default at half the time,
    7 "fast, ok quality" at a quarter (about 0.2 s for two minutes of speech here).
    """
    import lameenc

    if rate != TARGET_RATE:
        samples = resample(samples, rate)
    encoder = lameenc.Encoder()
    encoder.set_bit_rate(bitrate_kbps)
    encoder.set_in_sample_rate(TARGET_RATE)
    encoder.set_out_sample_rate(TARGET_RATE)
    encoder.set_channels(1)
    encoder.set_quality(quality)
    data = encoder.encode(to_int16(samples).tobytes()) + encoder.flush()
    return bytes(data)


# Layer III bit rates (kbps) by bit-rate index, and sample rates by version bits
_MPEG1_KBPS = (0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320)
_MPEG2_KBPS = (0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160)
_MPEG_RATES = {3: (44100, 48000, 32000), 2: (22050, 24000, 16000), 0: (11025, 12000, 8000)}


def mp3_duration(data: bytes) -> float:
    """Seconds a decoder plays for an MP3 (layer III, constant or variable bit rate).

    Counts the frames, so it is exact, including the codec delay and the last frame's padding.
    """
    position = _skip_id3(data)
    samples, rate = 0, 0
    while position + 4 <= len(data):
        header = int.from_bytes(data[position : position + 4], "big")
        frame = _frame_info(header)
        if frame is None:
            break  # an ID3v1 tag or trailing junk
        length, frame_samples, rate = frame
        samples += frame_samples
        position += length
    if not samples:
        raise ValueError("not an MP3 (layer III) stream")
    return samples / rate


def _skip_id3(data: bytes) -> int:
    if data[:3] != b"ID3" or len(data) < 10:
        return 0
    size = 0
    for byte in data[6:10]:  # "syncsafe": 7 bits a byte
        size = size << 7 | (byte & 0x7F)
    return 10 + size


def _frame_info(header: int) -> tuple[int, int, int] | None:
    """(bytes, samples, sample rate) of the frame with this 32-bit header, or None."""
    version, layer = header >> 19 & 3, header >> 17 & 3
    bitrate_index, rate_index = header >> 12 & 15, header >> 10 & 3
    if header >> 21 != 0x7FF or version == 1 or layer != 1:
        return None
    if bitrate_index in (0, 15) or rate_index == 3:
        return None
    rate = _MPEG_RATES[version][rate_index]
    mpeg1 = version == 3
    kbps = (_MPEG1_KBPS if mpeg1 else _MPEG2_KBPS)[bitrate_index]
    padding = header >> 9 & 1
    length = (144 if mpeg1 else 72) * kbps * 1000 // rate + padding
    return length, 1152 if mpeg1 else 576, rate


class TextWord(NamedTuple):
    """A word to be timed: its text, and the span ``[start, end)`` in the text of the
    whitespace-separated token it came from (punctuation included)."""

    word: str
    start: int
    end: int


_TOKEN = re.compile(r"\S+")
_SENTENCE_END = re.compile(r"[.!?…][\"'”’)\]]*(\s+)")  # the cut is in the spaces
# titles that end with a full stop but not a sentence: "Mr. Fox" is one sentence
_TITLES = frozenset({"mr", "mrs", "ms", "dr", "st", "mt", "prof", "capt", "sgt"})


def find_words(text: str) -> list[TextWord]:
    """The words of ``text``: tokens between spaces that hold a letter or a digit, with the
    punctuation around them stripped ("night," → "night", "“Oh!”" → "Oh")."""
    words = []
    for match in _TOKEN.finditer(text):
        word = _strip_punctuation(match.group())
        if any(ch.isalnum() for ch in word):
            words.append(TextWord(word, match.start(), match.end()))
    return words


def split_words(text: str) -> list[str]:
    """The words that a :class:`Speech` of ``text`` times, in order."""
    return [w.word for w in find_words(text)]


def _strip_punctuation(token: str) -> str:
    start, end = 0, len(token)
    while start < end and unicodedata.category(token[start])[0] in "PS":
        start += 1
    while end > start and unicodedata.category(token[end - 1])[0] in "PS":
        end -= 1
    return token[start:end]


def split_sentences(text: str) -> list[str]:
    """``text`` cut after ., ! ? or … (and closing quotes) before a space and a word that is
    not in lower case; cuts fall only at spaces, so the sentences' words are the text's."""
    sentences, start = [], 0
    for match in _SENTENCE_END.finditer(text):
        last_words = re.findall(r"\w+", text[start : match.start(1)])
        title = bool(last_words) and last_words[-1].lower() in _TITLES
        if title or text[match.end() : match.end() + 1].islower():
            continue  # "Mr. Fox", "Sleep… now": not the end of a sentence
        sentences.append(text[start : match.start(1)].strip())
        start = match.end()
    sentences.append(text[start:].strip())
    return [s for s in sentences if s]


def distribute(
    words: Sequence[str], start: float, end: float, weights: Sequence[float] | None = None
) -> list[WordTiming]:
    """Timings for ``words`` spoken one after another from ``start`` to ``end``, each taking
    a share proportional to its weight (default: its length), when no exact timing exists."""
    if not words:
        return []
    shares = np.asarray(weights if weights is not None else [len(w) for w in words], float)
    shares = np.maximum(shares, 1e-3)
    edges = start + (end - start) * np.concatenate(([0.0], np.cumsum(shares) / shares.sum()))
    return [
        WordTiming(w, float(a), float(b))
        for w, a, b in zip(words, edges[:-1], edges[1:], strict=True)
    ]


def voiced_span(samples: FloatArray, threshold: float = 0.02) -> tuple[int, int]:
    """First and one-past-last sample louder than ``threshold``; ``(0, 0)`` for silence."""
    loud = np.flatnonzero(np.abs(samples) > threshold)
    if not loud.size:
        return 0, 0
    return int(loud[0]), int(loud[-1]) + 1


def tighten_ends(
    words: Sequence[WordTiming], samples: FloatArray, rate: int, threshold: float = 0.02
) -> list[WordTiming]:
    """Each word's end moved back over the silence that follows it (10 ms frames quieter
    than ``threshold`` of full scale), for engines that only know when words start."""
    frame = max(1, rate // 100)
    tightened = []
    for timing in words:
        first, last = int(timing.start * rate), int(timing.end * rate)
        segment = samples[first:last]
        frames = segment[: segment.size // frame * frame].reshape(-1, frame)
        loud = np.flatnonzero(np.sqrt(np.mean(frames**2, axis=1)) > threshold)
        end = timing.end
        if loud.size:
            end = min(timing.end, (first + (int(loud[-1]) + 1) * frame) / rate)
        tightened.append(WordTiming(timing.word, timing.start, end))
    return tightened


def shift(words: Iterable[WordTiming], offset: float, limit: float) -> tuple[WordTiming, ...]:
    """The timings moved later by ``offset`` seconds, kept within ``[0, limit]``."""
    return tuple(
        WordTiming(w.word, min(max(w.start + offset, 0.0), limit), min(w.end + offset, limit))
        for w in words
    )


def word_records(words: Iterable[WordTiming]) -> list[dict[str, object]]:
    """``[{"word": …, "start": …, "end": …}]``, times in seconds rounded to milliseconds."""
    return [{"word": w.word, "start": round(w.start, 3), "end": round(w.end, 3)} for w in words]


def words_to_json(words: Iterable[WordTiming]) -> str:
    return json.dumps(word_records(words), ensure_ascii=False)


def words_from_json(text: str) -> tuple[WordTiming, ...]:
    return tuple(
        WordTiming(str(item["word"]), float(item["start"]), float(item["end"]))
        for item in json.loads(text)
    )


def make_speech(
    samples: NDArray[np.generic],
    rate: int,
    words: Sequence[WordTiming],
    *,
    engine: str,
    bitrate_kbps: int,
    quality: int = 5,
) -> Speech:
    """The :class:`Speech` for mono PCM at ``rate`` Hz and word timings in that PCM: levelled,
    resampled to 24 kHz, MP3-encoded, with the timings moved by the codec delay so they
    match what a player plays."""
    pcm = level(resample(samples, rate))
    data = encode_mp3(pcm, bitrate_kbps, quality=quality)
    duration = mp3_duration(data)
    return Speech(
        data=data,
        mime=MP3_MIME,
        duration_s=duration,
        words=shift(words, MP3_DELAY_S, duration),
        engine=engine,
    )
