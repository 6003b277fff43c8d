"""The ``llamacpp`` engine: a local GGUF model run in-process by ``llama-cpp-python``.

``llama-cpp-python`` is the optional extra ``bedtales[llamacpp]`` (it compiles llama.cpp on
install), so it is imported only when this engine is built. The model loads on the first
story, not at construction, and stays loaded for the engine's lifetime: loading a multi-GB
file takes seconds, and ``bedtales engines`` or a config check should not pay for it.
"""

from __future__ import annotations

import logging
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bedtales.engines.text import Answer, StoryRequest, TextEngine, register
from bedtales.errors import EngineError, EngineUnavailable

if TYPE_CHECKING:
    from bedtales.config import LlamaCppSettings, Settings

log = logging.getLogger(__name__)

EXTRA_HINT = "the llamacpp engine needs the optional extra: pip install 'bedtales[llamacpp]'"
_MODEL_SETTING = "BEDTALES_LLAMACPP__MODEL_PATH"


@register("llamacpp")
def create_engine(settings: Settings) -> TextEngine:
    return LlamaCppEngine(settings.llamacpp)


class LlamaCppEngine:
    """Writes stories with a local GGUF chat model."""

    name = "llamacpp"

    def __init__(self, settings: LlamaCppSettings) -> None:
        self.settings = settings
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
                answer = model.create_chat_completion(
                    messages=[{"role": "user", "content": request.prompt}],
                    max_tokens=self.settings.max_tokens,
                    temperature=self.settings.temperature,
                    seed=request.seed,
                )
            except (ValueError, RuntimeError) as exc:  # prompt beyond n_ctx, failed decode
                raise EngineError(
                    f"llama.cpp could not write with {self.model_path}: {exc}"
                ) from exc
        return _story_text(answer, self.model_path)

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


def _model_path(settings: LlamaCppSettings) -> Path:
    if settings.model_path is None:
        raise EngineUnavailable(
            f"the llamacpp engine needs a GGUF model file: set {_MODEL_SETTING}"
        )
    path = settings.model_path.expanduser()
    if not path.is_file():
        raise EngineUnavailable(f"model file not found: {path} ({_MODEL_SETTING})")
    return path


def _import_llama() -> Any:
    try:
        from llama_cpp import Llama
    except ImportError:
        raise EngineUnavailable(EXTRA_HINT) from None
    except (OSError, RuntimeError) as exc:  # installed, but its native library will not load
        raise EngineUnavailable(f"llama-cpp-python is installed but cannot load: {exc}") from exc
    return Llama


def _story_text(answer: Any, model_path: Path) -> Answer:
    """The first choice's message content of llama-cpp-python's OpenAI-shaped dict."""
    try:
        choice = answer["choices"][0]
        content, reason = choice["message"]["content"], choice.get("finish_reason")
    except (KeyError, IndexError, TypeError, AttributeError):
        content, reason = None, None
    if not isinstance(content, str) or not content.strip():
        raise EngineError(f"llama.cpp returned an empty story from {model_path}")
    return Answer(text=content.strip(), finish_reason=reason if isinstance(reason, str) else None)
