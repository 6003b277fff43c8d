"""bedtales errors → HTTP status codes, once, for every route of the web app.

The mapping (:func:`status_for`): ``InputError`` 422 (naming its field), ``NotFound`` 404,
``Expired`` 410, ``LinkRefused`` 403, ``LinkExpired`` 410, ``ConfigError``,
``EngineUnavailable`` and ``StorageError`` 503, ``EngineError`` 502, any other error 500.
Request validation fails with 422 naming the field (its ``loc`` without ``body``/``query``/
``path``), malformed JSON (not UTF-8, nested too deeply or a too long number included) with
400 naming ``body``, and a body over :data:`MAX_BODY_BYTES` with 413. A 5xx never repeats the
exception's message — it may hold a URL or a path from the settings — only a generic one; the
full reason goes to the log (an unexpected exception is re-raised by Starlette after the
answer is sent, so the server logs its traceback).

**JSON or HTML.** Paths under ``/api``, ``/media``, ``/healthz``, ``/readyz`` and ``/metrics``
always get JSON: ``{"error": message, "field": name}`` (``field`` only when one is to
blame). For any other path, the handlers first offer the error to the hook
``app.state.html_error``, a callable ``(request, status, message) -> Response | None`` that
the pages module may set to render an HTML error page; when it is unset or answers ``None``,
JSON it is.
"""

from __future__ import annotations

import functools
import logging
import re
import sys
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from bedtales.errors import (
    BedtalesError,
    ConfigError,
    EngineError,
    EngineUnavailable,
    Expired,
    Forbidden,
    InputError,
    LinkExpired,
    LinkRefused,
    NotFound,
    SignInRefused,
    StorageError,
    TooManyAttempts,
)

log = logging.getLogger(__name__)

JSON_PREFIXES = ("/api", "/media", "/healthz", "/readyz", "/metrics")
MAX_BODY_BYTES = 64 * 1024  # the largest legitimate body, a scene or a subscriber, is < 4 KiB

HtmlError = Callable[[Request, int, str], Response | None]

# most specific first: Expired is a NotFound, LinkExpired a LinkRefused
_STATUS: tuple[tuple[type[BedtalesError], int], ...] = (
    (Expired, 410),
    (NotFound, 404),
    (LinkExpired, 410),
    (LinkRefused, 403),
    (InputError, 422),
    (SignInRefused, 401),
    (Forbidden, 403),
    (TooManyAttempts, 429),
    (EngineUnavailable, 503),
    (ConfigError, 503),
    (StorageError, 503),
    (EngineError, 502),
)
_GENERIC = {
    502: "the story engine failed; the server log says why",
    503: "bedtales cannot do that right now; the server log says why",
}
INTERNAL = "internal error; the server log says why"
NOT_JSON = "body: expected a JSON object, sent as Content-Type: application/json"
MALFORMED = "body: malformed JSON"
# FastAPI's answer when reading the body raised something other than a JSONDecodeError
_FASTAPI_UNREADABLE_BODY = "There was an error parsing the body"


class ErrorBody(BaseModel):
    """What every JSON error looks like."""

    error: str = Field(description="What went wrong, for a person to read.")
    field: str | None = Field(None, description="The input field to blame, when there is one.")


def status_for(exc: BedtalesError) -> int:
    for kind, status in _STATUS:
        if isinstance(exc, kind):
            return status
    return 500


def install(site: FastAPI) -> None:
    site.add_exception_handler(BedtalesError, _bedtales_error)  # type: ignore[arg-type]
    site.add_exception_handler(HTTPException, _http_error)  # type: ignore[arg-type]
    site.add_exception_handler(RequestValidationError, _validation_error)  # type: ignore[arg-type]
    site.add_exception_handler(Exception, _unexpected)
    site.add_middleware(BodyLimit, max_bytes=MAX_BODY_BYTES)


def error_response(
    request: Request,
    status: int,
    message: str,
    *,
    field: str | None = None,
    headers: Mapping[str, str] | None = None,
) -> Response:
    """JSON for API-like paths; elsewhere the pages' HTML hook gets the first say."""
    if not _wants_json(request.url.path):
        hook: HtmlError | None = getattr(request.app.state, "html_error", None)
        page = hook(request, status, message) if hook is not None else None
        if page is not None:
            page.headers.update(headers or {})
            return page
    body = ErrorBody(error=message, field=field).model_dump(exclude_none=True)
    return JSONResponse(
        body, status_code=status, headers={"Cache-Control": "no-store", **(headers or {})}
    )


def _wants_json(path: str) -> bool:
    return any(path == prefix or path.startswith(prefix + "/") for prefix in JSON_PREFIXES)


async def _bedtales_error(request: Request, exc: BedtalesError) -> Response:
    status = status_for(exc)
    if status < 500:
        field = exc.field if isinstance(exc, InputError) else None
        headers = (
            {"Retry-After": str(exc.retry_after_s)} if isinstance(exc, TooManyAttempts) else None
        )
        return error_response(request, status, str(exc), field=field, headers=headers)
    log.error("%s %s failed: %s: %s", request.method, request.url.path, type(exc).__name__, exc)
    return error_response(request, status, _GENERIC.get(status, INTERNAL))


async def _http_error(request: Request, exc: HTTPException) -> Response:
    field = getattr(exc, "field", None)
    message = str(exc.detail)
    if exc.status_code == 400 and message == _FASTAPI_UNREADABLE_BODY:
        field, message = "body", _unreadable_body(exc.__cause__)
    headers = dict(exc.headers or {})
    if exc.status_code == 405:
        headers["Allow"] = _allowed_methods(request) or headers.get("Allow", "")
    return error_response(request, exc.status_code, message, field=field, headers=headers)


def _unreadable_body(cause: BaseException | None) -> str:
    """Why ``json.loads`` refused a body without a JSONDecodeError (those are ``json_invalid``
    validation errors): bytes that are not UTF-8, nesting past Python's recursion limit, or an
    integer longer than Python converts (``sys.get_int_max_str_digits``)."""
    if isinstance(cause, UnicodeDecodeError):
        return f"{MALFORMED}: not valid UTF-8"
    if isinstance(cause, RecursionError):
        return f"{MALFORMED}: nested too deeply"
    if isinstance(cause, ValueError) and "digits" in str(cause):
        most = sys.get_int_max_str_digits()
        return f"{MALFORMED}: a number has too many digits (the most is {most})"
    return MALFORMED


def _allowed_methods(request: Request) -> str:
    """Every method the OpenAPI document gives the path. Starlette's 405 names only those of
    the first route whose path matches, where GET and POST /api/stories are two routes."""
    path = request.url.path
    methods = {
        method.upper()
        for template, operations in request.app.openapi().get("paths", {}).items()
        if _template_pattern(template).fullmatch(path)
        for method in operations
    }
    return ", ".join(sorted(methods))


@functools.cache
def _template_pattern(template: str) -> re.Pattern[str]:
    """``/api/stories/{story_id}`` → a pattern matching its paths."""
    parts = re.split(r"(\{[^}]+\})", template)
    return re.compile("".join("[^/]+" if p.startswith("{") else re.escape(p) for p in parts))


async def _validation_error(request: Request, exc: RequestValidationError) -> Response:
    errors = list(exc.errors())
    if any(error.get("type") == "json_invalid" for error in errors):
        return error_response(request, 400, MALFORMED, field="body")
    if any(_not_json(error) for error in errors):
        return error_response(request, 400, NOT_JSON, field="body")
    problems = [(_field_name(error.get("loc", ())), _problem(error)) for error in errors]
    # input values are left out on purpose: they may be a subscriber's URL with its password
    message = "; ".join(f"{name}: {msg}" for name, msg in problems) or "invalid request"
    return error_response(request, 422, message, field=problems[0][0] if problems else None)


async def _unexpected(request: Request, exc: Exception) -> Response:
    # Starlette re-raises exc once this answer is sent, so the server logs the traceback
    return error_response(request, 500, INTERNAL)


def _not_json(error: Mapping[str, Any]) -> bool:
    """FastAPI hands the endpoint raw bytes when the body was not declared JSON."""
    return tuple(error.get("loc", ())) == ("body",) and isinstance(error.get("input"), bytes)


def _problem(error: Mapping[str, Any]) -> str:
    """pydantic's message, but a string's length always in characters: a length checked after
    a validator (an optional string with ``max_length``) is worded for lists, "at most 60 items"."""
    bound = (error.get("ctx") or {}).get("max_length")
    if error.get("type") == "too_long" and isinstance(error.get("input"), str) and bound:
        return f"String should have at most {bound} characters"
    return str(error.get("msg", ""))


def _field_name(loc: Sequence[Any]) -> str:
    """``("body", "name")`` → ``name``; ``("body",)`` → ``body``; ``("query", "limit")`` →
    ``limit``."""
    parts = [str(part) for part in loc]
    if len(parts) > 1 and parts[0] in ("body", "query", "path", "header", "cookie"):
        parts = parts[1:]
    return ".".join(parts) or "body"


class BodyTooLarge(HTTPException):
    field = "body"

    def __init__(self, max_bytes: int) -> None:
        super().__init__(413, f"body: the request body is too large; the most is {max_bytes} bytes")


class BodyLimit:
    """Refuse request bodies over ``max_bytes`` with 413, before they are read into memory:
    at once when Content-Length says so, else as soon as the chunks received pass it."""

    def __init__(self, app: ASGIApp, max_bytes: int = MAX_BODY_BYTES) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = _content_length(scope)
        if declared is not None and declared > self.max_bytes:
            too_large = BodyTooLarge(self.max_bytes)
            body = ErrorBody(error=str(too_large.detail), field="body").model_dump()
            response = JSONResponse(body, status_code=413, headers={"Cache-Control": "no-store"})
            await response(scope, receive, send)
            return
        received = 0

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    # FastAPI re-raises an HTTPException met while reading the body, so the
                    # handlers above answer it
                    raise BodyTooLarge(self.max_bytes)
            return message

        await self.app(scope, limited_receive, send)


def _content_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers", ()):
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None  # the server refuses these; counting the chunks still guards us
    return None
