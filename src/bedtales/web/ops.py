"""Health and metrics: ``/healthz`` (the process answers), ``/readyz`` (and its database
does), ``/metrics`` (Prometheus text, from :mod:`bedtales.metrics`).

:func:`install` adds the middleware that counts and times every request by route template
and status; it is pure ASGI (no request objects built) so it costs a few microseconds.
None of these answers says anything about the settings: a failing database is "unreachable",
never its URL.
"""

from __future__ import annotations

import logging
import time
from typing import Any

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, Field
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError
from starlette.routing import Match, Mount, Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from bedtales import metrics
from bedtales.errors import BedtalesError

log = logging.getLogger(__name__)

router = APIRouter(tags=["ops"])

UNMATCHED = "<unmatched>"  # one label for every path no route knows: no series per typo
_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})


class Health(BaseModel):
    status: str = Field(description="ok while the process answers.")


class Readiness(BaseModel):
    status: str = Field(description="ready, or unavailable when the database does not answer.")
    error: str | None = Field(None, description="Why it is unavailable.")


@router.get("/healthz", response_model=Health, summary="The process is alive")
async def healthz() -> Health:
    return Health(status="ok")


@router.get(
    "/readyz",
    response_model=Readiness,
    response_model_exclude_none=True,
    summary="The database answers",
    responses={503: {"model": Readiness, "description": "The database does not answer."}},
)
def readyz(request: Request) -> Any:
    # a plain def: the query runs in a worker thread, never blocking the event loop
    try:
        with request.app.state.bedtales.db.engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except (SQLAlchemyError, BedtalesError, OSError) as exc:
        log.warning("not ready: the database does not answer: %s", type(exc).__name__)
        body = Readiness(status="unavailable", error="the database is unreachable")
        return JSONResponse(body.model_dump(exclude_none=True), status_code=503)
    return Readiness(status="ready")


@router.get(
    "/metrics",
    response_class=Response,
    summary="Prometheus metrics of this process",
    responses={200: {"content": {"text/plain": {"schema": {"type": "string"}}}}},
)
def prometheus_metrics() -> Response:
    content, content_type = metrics.render()
    return Response(content, media_type=content_type, headers={"Cache-Control": "no-store"})


def install(site: FastAPI) -> None:
    """Count and time every request (call it last in ``create_site``: the middleware added
    last runs first, so this one also sees the answers of the other middleware)."""
    if not getattr(site.state, "http_metrics", False):
        site.add_middleware(HttpMetrics)
        site.state.http_metrics = True


class HttpMetrics:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500  # what the client gets if the app raises before answering

        async def send_and_note(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_and_note)
        finally:
            method = scope["method"] if scope["method"] in _METHODS else "OTHER"
            seconds = time.perf_counter() - started
            metrics.record_http_request(method, route_template(scope), status, seconds)


def route_template(scope: Scope) -> str:
    """The template of the route that answered (``/api/stories/{story_id}``, ``/static``);
    routing puts the route in the scope, which middleware shares with the app. FastAPI's
    routes do so themselves; the plain ones bedtales adds are :class:`LabelledRoute` and
    :class:`LabelledMount`, which do the same."""
    path = getattr(scope.get("route"), "path", None)
    return path if isinstance(path, str) and path else UNMATCHED


class LabelledRoute(Route):
    """A plain Starlette route (no FastAPI request parsing) that names itself in the scope,
    as FastAPI's routes do, so ``/metrics`` labels it by its template."""

    def matches(self, scope: Scope) -> tuple[Match, Scope]:
        match, child_scope = super().matches(scope)
        if match is not Match.NONE:
            child_scope["route"] = self
        return match, child_scope


class LabelledMount(Mount):
    """A mount (the static files) that names itself in the scope, as :class:`LabelledRoute`."""

    def matches(self, scope: Scope) -> tuple[Match, Scope]:
        match, child_scope = super().matches(scope)
        if match is not Match.NONE:
            child_scope["route"] = self
        return match, child_scope
