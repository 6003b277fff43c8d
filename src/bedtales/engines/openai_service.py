"""One connection to an OpenAI-compatible service, shared by the text, image and speech
engines: the client, its timeouts and retries, and errors in our own words.

Retries are the SDK's own: it retries 408/409/429/5xx, connection errors and timeouts up to
``max_retries`` times, honouring ``Retry-After``/``retry-after-ms`` up to two minutes and
otherwise backing off exponentially (0.5 s, 1 s, 2 s … capped at 8 s, minus up to 25 % jitter).

A text request may carry a deadline (the story's ``text.deadline_s``): each try's timeout is
cut to the time left, and once it is up no further try starts, so retries never run past it
(a backoff pause already begun, at most 8 s or the server's ``Retry-After``, ends first).
The deadline travels in a context variable to a transport under the SDK's own retry loop, so
the SDK's retry rules stay as they are and a shared client serves many stories at once.

The API key never appears in a message, a repr or a log line: SDK exceptions are translated
into bedtales errors built from our own words, and any server text we quote has the key
masked, since some servers echo the key they refused.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

from bedtales.errors import EngineError, EngineUnavailable

if TYPE_CHECKING:
    import httpx2
    from openai import APIStatusError, OpenAI, OpenAIError

    from bedtales.config import OpenAISettings

OPENAI_BASE_URL = "https://api.openai.com/v1"
# Local servers ignore the key, but the SDK refuses to build a client without one.
PLACEHOLDER_API_KEY = "sk-no-key-required"
KEY_SETTING = "BEDTALES_OPENAI__API_KEY"
URL_SETTING = "BEDTALES_OPENAI__BASE_URL"

T = TypeVar("T")

# time.monotonic() by which the request on this thread must be done; None: no deadline
_DEADLINE: ContextVar[float | None] = ContextVar("bedtales_openai_deadline", default=None)


class _DeadlinePassed(Exception):
    """Raised under the SDK when a request's deadline is up: not one of the errors the SDK
    retries, so it ends the retry loop at once. It never leaves this module."""


@cache
def _deadline_transport() -> type[httpx2.HTTPTransport]:
    """The transport class under the SDK's retry loop that keeps requests to a deadline.

    It cuts each try's timeouts to the time left and refuses to start a try once it is up;
    without a deadline it is the plain transport. Built on first use: httpx2 (the SDK's HTTP
    library) takes half a second to import, which listing the engines must not pay.
    """
    import httpx2

    class DeadlineTransport(httpx2.HTTPTransport):
        def handle_request(self, request: httpx2.Request) -> httpx2.Response:
            deadline = _DEADLINE.get()
            if deadline is None:
                return super().handle_request(request)
            left = deadline - time.monotonic()
            if left <= 0:
                raise _DeadlinePassed
            request.extensions["timeout"] = _capped(request.extensions.get("timeout"), left)
            try:
                return super().handle_request(request)
            except httpx2.TimeoutException:
                if time.monotonic() >= deadline:  # the deadline's cut, not a slow server's
                    raise _DeadlinePassed from None
                raise

    return DeadlineTransport


def _capped(timeouts: Any, left: float) -> dict[str, float]:
    """httpx's per-phase timeouts (connect, read, write, pool), none longer than ``left``."""
    phases = timeouts if isinstance(timeouts, dict) else {}
    return {
        phase: left if phases.get(phase) is None else min(phases[phase], left)
        for phase in ("connect", "read", "write", "pool")
    }


@dataclass(frozen=True)
class Call:
    """What one kind of request uses, and the settings that tune it (named in messages)."""

    model: str
    timeout_s: float
    max_retries: int
    model_setting: str
    timeout_setting: str
    retries_setting: str

    @classmethod
    def configured(cls, section: str, values: Tuned, model_field: str) -> Call:
        """The call a settings section ``[section]`` describes; messages name its settings."""
        prefix = f"BEDTALES_{section.upper()}__"
        return cls(
            model=getattr(values, model_field),
            timeout_s=values.timeout_s,
            max_retries=values.max_retries,
            model_setting=prefix + model_field.upper(),
            timeout_setting=prefix + "TIMEOUT_S",
            retries_setting=prefix + "MAX_RETRIES",
        )


class Tuned(Protocol):
    """A settings section with a timeout and retries (OpenAISettings, ImageSettings…)."""

    timeout_s: float
    max_retries: int


class OpenAIService:
    def __init__(self, settings: OpenAISettings, call: Call) -> None:
        # Imported here, not at module level: the SDK takes over half a second to import and
        # the engine registries import every engine module just to list their names.
        from openai import DefaultHttpxClient, OpenAI

        self.call = call
        self.base_url = settings.base_url or OPENAI_BASE_URL
        self._api_key = _api_key(settings)
        # base_url is always passed so OPENAI_BASE_URL in the environment cannot redirect us
        self.client: OpenAI = OpenAI(
            api_key=self._api_key,
            base_url=self.base_url,
            timeout=call.timeout_s,
            max_retries=call.max_retries,
            http_client=DefaultHttpxClient(transport=_deadline_transport()()),
        )

    def __repr__(self) -> str:
        return f"OpenAIService(base_url={self.base_url!r}, model={self.call.model!r})"

    def request(self, send: Callable[[OpenAI], T], *, deadline: float | None = None) -> T:
        """Run ``send(client)``, done by ``deadline`` (a ``time.monotonic()`` value) when
        one is given; SDK errors come back as EngineError in our words."""
        from openai import OpenAIError

        token = _DEADLINE.set(deadline)
        try:
            return send(self.client)
        except _DeadlinePassed:
            raise EngineError(f"{self.base_url} had not answered by the story's deadline") from None
        except OpenAIError as exc:
            raise self._translate(exc) from None
        except ValueError:  # the SDK lets json.JSONDecodeError through for malformed JSON
            raise EngineError(f"{self.base_url} answered with malformed JSON") from None
        finally:
            _DEADLINE.reset(token)

    def _translate(self, exc: OpenAIError) -> EngineError:
        from openai import APIConnectionError, APIStatusError, APITimeoutError

        if isinstance(exc, APITimeoutError):
            return EngineError(
                f"{self.base_url} did not answer within {self.call.timeout_s:g} s "
                f"(retried up to {self.call.max_retries} times; {self.call.timeout_setting})"
            )
        if isinstance(exc, APIConnectionError):
            return EngineError(
                f"cannot reach {self.base_url}: {self.mask(str(exc.__cause__ or exc))} "
                f"(check {URL_SETTING})"
            )
        if isinstance(exc, APIStatusError):
            return self._translate_status(exc)
        return EngineError(f"{self.base_url} failed: {self.mask(str(exc))}")

    def _translate_status(self, exc: APIStatusError) -> EngineError:
        status = exc.status_code
        if status in (401, 403):
            # the server's text is left out on purpose: OpenAI quotes part of a refused key
            return EngineUnavailable(
                f"the OpenAI-compatible service at {self.base_url} refused the API key "
                f"({KEY_SETTING})"
            )
        detail = self.mask(_server_message(exc))
        if status == 404:
            return EngineUnavailable(
                f"{self.base_url} has no model {self.call.model!r} ({self.call.model_setting}; "
                f"{URL_SETTING} usually ends in /v1): {detail}"
            )
        if status == 429 or status >= 500:
            return EngineError(
                f"{self.base_url} answered HTTP {status} (retried up to "
                f"{self.call.max_retries} times; {self.call.retries_setting}): {detail}"
            )
        return EngineError(f"{self.base_url} answered HTTP {status}: {detail}")

    def mask(self, text: str) -> str:
        if self._api_key == PLACEHOLDER_API_KEY:
            return text
        return text.replace(self._api_key, "***")


def _api_key(settings: OpenAISettings) -> str:
    key = settings.api_key.get_secret_value().strip() if settings.api_key else ""
    if key:
        return key
    if settings.base_url is None:
        raise EngineUnavailable(
            f"the openai engines need an API key for {OPENAI_BASE_URL}: set {KEY_SETTING}, "
            f"or set {URL_SETTING} to a local OpenAI-compatible server"
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
