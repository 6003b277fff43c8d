"""The ``openai`` engine: any OpenAI-compatible chat-completions endpoint.

That is OpenAI itself when ``base_url`` is unset, or a local Ollama, llama.cpp server or vLLM.
Retries are the SDK's own: it retries 408/409/429/5xx, connection errors and timeouts up to
``max_retries`` times, honouring ``Retry-After``/``retry-after-ms`` up to two minutes and
otherwise backing off exponentially (0.5 s, 1 s, 2 s … capped at 8 s, minus up to 25 % jitter).

The API key never appears in a message, a repr or a log line: SDK exceptions are translated
into bedtales errors built from our own words, and any server text we quote has the key
masked, since some servers echo the key they refused.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from bedtales.engines.text import StoryRequest, TextEngine, register
from bedtales.errors import EngineError, EngineUnavailable

if TYPE_CHECKING:
    # absolute imports: ``openai`` is the SDK here, never this module (bedtales.engines.text.openai)
    from openai import APIStatusError, OpenAI, OpenAIError

    from bedtales.config import OpenAISettings, Settings

log = logging.getLogger(__name__)

OPENAI_BASE_URL = "https://api.openai.com/v1"
# Local servers ignore the key, but the SDK refuses to build a client without one.
PLACEHOLDER_API_KEY = "sk-no-key-required"

_KEY_SETTING = "BEDTALES_OPENAI__API_KEY"
_URL_SETTING = "BEDTALES_OPENAI__BASE_URL"
_MODEL_SETTING = "BEDTALES_OPENAI__MODEL"
_TIMEOUT_SETTING = "BEDTALES_OPENAI__TIMEOUT_S"
_RETRIES_SETTING = "BEDTALES_OPENAI__MAX_RETRIES"


@register("openai")
def create_engine(settings: Settings) -> TextEngine:
    return OpenAIEngine(settings.openai)


class OpenAIEngine:
    """Sends the prompt as one user message and returns the model's answer."""

    name = "openai"

    def __init__(self, settings: OpenAISettings) -> None:
        # Imported here, not at module level: the SDK takes over half a second to import and
        # the engine registry imports every engine module just to list their names.
        from openai import OpenAI

        self.settings = settings
        self.base_url = settings.base_url or OPENAI_BASE_URL
        self._api_key = _api_key(settings)
        # base_url is always passed so OPENAI_BASE_URL in the environment cannot redirect us
        self._client: OpenAI = OpenAI(
            api_key=self._api_key,
            base_url=self.base_url,
            timeout=settings.timeout_s,
            max_retries=settings.max_retries,
        )

    def __repr__(self) -> str:
        return f"OpenAIEngine(base_url={self.base_url!r}, model={self.settings.model!r})"

    def write(self, request: StoryRequest) -> str:
        from openai import OpenAIError

        log.debug("asking %s (model %s) for a story", self.base_url, self.settings.model)
        try:
            completion = self._client.chat.completions.create(
                model=self.settings.model,
                messages=[{"role": "user", "content": request.prompt}],
                temperature=self.settings.temperature,
                max_tokens=self.settings.max_tokens,
                seed=request.seed,
            )
        except OpenAIError as exc:
            raise self._translate(exc) from None
        except ValueError:  # the SDK lets json.JSONDecodeError through for malformed JSON
            raise EngineError(f"{self.base_url} answered with malformed JSON") from None
        return _story_text(completion, self.base_url)

    def _translate(self, exc: OpenAIError) -> EngineError:
        """Our error for an SDK error, in our words: SDK messages may quote the server."""
        from openai import APIConnectionError, APIStatusError, APITimeoutError

        if isinstance(exc, APITimeoutError):
            return EngineError(
                f"{self.base_url} did not answer within {self.settings.timeout_s:g} s "
                f"(retried up to {self.settings.max_retries} times; {_TIMEOUT_SETTING})"
            )
        if isinstance(exc, APIConnectionError):
            return EngineError(
                f"cannot reach {self.base_url}: {self._mask(str(exc.__cause__ or exc))} "
                f"(check {_URL_SETTING})"
            )
        if isinstance(exc, APIStatusError):
            return self._translate_status(exc)
        return EngineError(f"{self.base_url} failed: {self._mask(str(exc))}")

    def _translate_status(self, exc: APIStatusError) -> EngineError:
        status = exc.status_code
        if status in (401, 403):
            # the server's text is left out on purpose: OpenAI quotes part of a refused key
            return EngineUnavailable(
                f"the OpenAI-compatible service at {self.base_url} refused the API key "
                f"({_KEY_SETTING})"
            )
        detail = self._mask(_server_message(exc))
        if status == 404:
            return EngineUnavailable(
                f"{self.base_url} has no model {self.settings.model!r} ({_MODEL_SETTING}; "
                f"{_URL_SETTING} usually ends in /v1): {detail}"
            )
        if status == 429 or status >= 500:
            return EngineError(
                f"{self.base_url} answered HTTP {status} (retried up to "
                f"{self.settings.max_retries} times; {_RETRIES_SETTING}): {detail}"
            )
        return EngineError(f"{self.base_url} answered HTTP {status}: {detail}")

    def _mask(self, text: str) -> str:
        if self._api_key == PLACEHOLDER_API_KEY:
            return text
        return text.replace(self._api_key, "***")


def _api_key(settings: OpenAISettings) -> str:
    key = settings.api_key.get_secret_value().strip() if settings.api_key else ""
    if key:
        return key
    if settings.base_url is None:
        raise EngineUnavailable(
            f"the openai engine needs an API key for {OPENAI_BASE_URL}: set {_KEY_SETTING}, "
            f"or set {_URL_SETTING} to a local OpenAI-compatible server"
        )
    return PLACEHOLDER_API_KEY


def _server_message(exc: APIStatusError) -> str:
    """The ``error.message`` of an OpenAI-style error body, else a short piece of the body."""
    body = exc.body
    if isinstance(body, dict):
        message = body.get("message")
        if isinstance(message, str) and message:
            return message
    text = body if isinstance(body, str) else exc.response.reason_phrase
    return text[:200] or "no details"


def _story_text(completion: object, base_url: str) -> str:
    """The first choice's text. Servers vary, and the SDK does not validate, so check shape."""
    choices = getattr(completion, "choices", None)
    if not isinstance(choices, list) or not choices:
        raise EngineError(f"{base_url} answered without a chat completion")
    choice = choices[0]
    content = getattr(getattr(choice, "message", None), "content", None)
    if not isinstance(content, str) or not content.strip():
        reason = getattr(choice, "finish_reason", None)
        raise EngineError(f"{base_url} answered with an empty story (finish_reason={reason})")
    return content.strip()
