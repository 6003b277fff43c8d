"""The ``llamacpp`` engine: a local GGUF model run in-process by ``llama-cpp-python``.

``llama-cpp-python`` is the optional extra ``bedtales[llamacpp]`` (it compiles llama.cpp on
install), so it is imported only when this engine is built. Building it checks the model
file's first bytes (a GGUF file starts with ``GGUF``), so a wrong path stops ``bedtales
worker`` at start rather than every story later. The model itself loads on the first story,
not at construction, and stays loaded for the engine's lifetime: loading a multi-GB file takes
seconds, and ``bedtales engines`` or a config check should not pay for it.

It samples as ``python -m llama_cpp.server`` does (``repeat_penalty`` 1.1, ``top_k`` 40…;
llama-cpp-python's own ``repeat_penalty`` default of 1.0 lets a small model loop until the
token limit), and streams the answer so that it can stop at the story's deadline.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bedtales.engines.text import Answer, StoryRequest, TextEngine, register
from bedtales.errors import EngineError, EngineUnavailable
from bedtales.stories.prompt import STOP_SEQUENCES, answer_token_limit, chat_messages

if TYPE_CHECKING:
    from bedtales.config import LlamaCppSettings, Settings

log = logging.getLogger(__name__)

EXTRA_HINT = "the llamacpp engine needs the optional extra: pip install 'bedtales[llamacpp]'"
GGUF_MAGIC = b"GGUF"
_MODEL_SETTING = "BEDTALES_LLAMACPP__MODEL_PATH"


@register("llamacpp")
def create_engine(settings: Settings) -> TextEngine:
    return LlamaCppEngine(settings.llamacpp, system_message=settings.text.system_message)


class LlamaCppEngine:
    """Writes stories with a local GGUF chat model."""

    name = "llamacpp"

    def __init__(self, settings: LlamaCppSettings, *, system_message: str = "") -> None:
        self.settings = settings
        self.system_message = system_message
        # the extra first: without it no model setting can help
        self._llama_class = _import_llama()
        self.model_path = _model_path(settings)
        self._model: Any = None
        # a llama.cpp context is not thread-safe; one story at a time per loaded model
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"LlamaCppEngine(model_path={str(self.model_path)!r})"

    def write(self, request: StoryRequest) -> Answer:
        with self._lock:
            model = self._loaded_model()
            try:
                chunks = model.create_chat_completion(**self.arguments(request), stream=True)
                text, reason = _collect(chunks, request.deadline)
            except (ValueError, RuntimeError) as exc:  # prompt beyond n_ctx, failed decode
                raise EngineError(
                    f"llama.cpp could not write with {self.model_path}: {exc}"
                ) from exc
        if not text.strip():
            raise EngineError(f"llama.cpp returned an empty story from {self.model_path}")
        return Answer(text=text.strip(), finish_reason=reason)

    def arguments(self, request: StoryRequest) -> dict[str, Any]:
        """What ``create_chat_completion`` is asked, besides streaming."""
        settings = self.settings
        return {
            "messages": chat_messages(self.system_message, request.prompt),
            "max_tokens": answer_token_limit(request.min_words, settings.max_tokens),
            "temperature": settings.temperature,
            "top_p": settings.top_p,
            "top_k": settings.top_k,
            "min_p": settings.min_p,
            "repeat_penalty": settings.repeat_penalty,
            "stop": list(STOP_SEQUENCES),
            "seed": request.seed,
        }

    def _loaded_model(self) -> Any:
        if self._model is None:
            log.info("loading %s (n_ctx=%d)", self.model_path, self.settings.n_ctx)
            try:
                self._model = self._llama_class(
                    model_path=str(self.model_path),
                    n_ctx=self.settings.n_ctx,
                    n_threads=self.settings.threads,
                    verbose=False,
                )
            except ValueError as exc:  # llama-cpp-python's "Failed to load model from file"
                raise EngineUnavailable(
                    f"llama.cpp cannot load {self.model_path} (is it a GGUF model?): {exc}"
                ) from exc
        return self._model


def _collect(chunks: Iterable[Any], deadline: float | None) -> tuple[str, str | None]:
    """The streamed answer's text and why it stopped; gives up at ``deadline``.

    Streaming is what makes the deadline hold in process: between two tokens is the only
    place a running generation can be stopped.
    """
    parts: list[str] = []
    reason: str | None = None
    try:
        for chunk in chunks:
            choice = _first_choice(chunk)
            content = (choice.get("delta") or {}).get("content")
            parts.append(content if isinstance(content, str) else "")
            finished = choice.get("finish_reason")
            reason = finished if isinstance(finished, str) else reason
            if reason is None and deadline is not None and time.monotonic() >= deadline:
                raise EngineError(
                    f"llama.cpp was stopped at the story's deadline after "
                    f"{len(''.join(parts).split())} words"
                )
    finally:
        close = getattr(chunks, "close", None)
        if callable(close):  # ends llama.cpp's generation when we stop reading early
            close()
    return "".join(parts), reason


def _first_choice(chunk: Any) -> dict[str, Any]:
    try:
        choice = chunk["choices"][0]
    except (KeyError, IndexError, TypeError):
        choice = None
    if not isinstance(choice, dict):
        raise EngineError(f"llama.cpp answered in an unexpected shape: {str(chunk)[:100]}")
    return choice


def _model_path(settings: LlamaCppSettings) -> Path:
    """The model file, checked to exist and to be a GGUF file (by its first four bytes)."""
    if settings.model_path is None:
        raise EngineUnavailable(
            f"the llamacpp engine needs a GGUF model file: set {_MODEL_SETTING}"
        )
    path = settings.model_path.expanduser()
    if not path.is_file():
        raise EngineUnavailable(f"model file not found: {path} ({_MODEL_SETTING})")
    try:
        with path.open("rb") as file:
            magic = file.read(len(GGUF_MAGIC))
    except OSError as exc:
        raise EngineUnavailable(
            f"cannot read model file {path}: {exc.strerror or exc} ({_MODEL_SETTING})"
        ) from None
    if magic != GGUF_MAGIC:
        raise EngineUnavailable(
            f"{path} is not a GGUF model file: it does not start with 'GGUF' "
            f"({_MODEL_SETTING}; llama.cpp reads .gguf files only)"
        )
    return path


def _import_llama() -> Any:
    try:
        from llama_cpp import Llama
    except ImportError:
        raise EngineUnavailable(EXTRA_HINT) from None
    except (OSError, RuntimeError) as exc:  # installed, but its native library will not load
        raise EngineUnavailable(f"llama-cpp-python is installed but cannot load: {exc}") from exc
    return Llama
