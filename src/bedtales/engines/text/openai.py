"""The ``openai`` text engine: any OpenAI-compatible chat-completions endpoint.

That is OpenAI itself when ``base_url`` is unset, or a local Ollama, llama.cpp server or vLLM.
Connection, retries and error messages are shared with the image and speech engines
(:mod:`bedtales.engines.openai_service`). The request carries the system message, the stop
sequences and an answer limit sized to the story asked for (:mod:`bedtales.stories.prompt`),
and has to be done by the story's deadline, retries included.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from bedtales.engines.openai_service import PLACEHOLDER_API_KEY, Call, OpenAIService
from bedtales.engines.text import Answer, StoryRequest, TextEngine, register
from bedtales.errors import EngineError
from bedtales.stories.prompt import STOP_SEQUENCES, answer_token_limit, chat_messages

if TYPE_CHECKING:
    from bedtales.config import OpenAISettings, Settings

__all__ = ["PLACEHOLDER_API_KEY", "OpenAIEngine", "create_engine"]

log = logging.getLogger(__name__)


@register("openai")
def create_engine(settings: Settings) -> TextEngine:
    return OpenAIEngine(settings.openai, system_message=settings.text.system_message)


class OpenAIEngine:
    """Sends the system message and the prompt, and returns the model's answer."""

    name = "openai"

    def __init__(self, settings: OpenAISettings, *, system_message: str = "") -> None:
        self.settings = settings
        self.system_message = system_message
        self.service = OpenAIService(
            settings,
            Call.configured("openai", settings, "model"),
        )
        self.base_url = self.service.base_url

    def __repr__(self) -> str:
        return f"OpenAIEngine(base_url={self.base_url!r}, model={self.settings.model!r})"

    def write(self, request: StoryRequest) -> Answer:
        log.debug("asking %s (model %s) for a story", self.base_url, self.settings.model)
        settings = self.settings
        completion = self.service.request(
            lambda client: client.chat.completions.create(
                model=settings.model,
                messages=chat_messages(self.system_message, request.prompt),  # type: ignore[arg-type]
                temperature=settings.temperature,
                max_tokens=answer_token_limit(request.min_words, settings.max_tokens),
                frequency_penalty=settings.frequency_penalty,
                presence_penalty=settings.presence_penalty,
                stop=list(STOP_SEQUENCES),
                seed=request.seed,
            ),
            deadline=request.deadline,
        )
        return _story_text(completion, self.base_url)


def _story_text(completion: object, base_url: str) -> Answer:
    """The first choice's text. Servers vary, and the SDK does not validate, so check shape."""
    choices = getattr(completion, "choices", None)
    if not isinstance(choices, list) or not choices:
        raise EngineError(f"{base_url} answered without a chat completion")
    choice = choices[0]
    content = getattr(getattr(choice, "message", None), "content", None)
    reason = getattr(choice, "finish_reason", None)
    if not isinstance(content, str) or not content.strip():
        raise EngineError(f"{base_url} answered with an empty story (finish_reason={reason})")
    return Answer(text=content.strip(), finish_reason=reason if isinstance(reason, str) else None)
