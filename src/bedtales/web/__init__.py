"""The web app: the bedtime story pages, the JSON API, health and metrics, and the signed
media route of the local store.

``create_site`` takes the :class:`~bedtales.app.App` (settings, database, media store) rather
than opening one itself, so tests and ``bedtales web`` decide how it is made and closed. Each
concern has its module: ``pages`` (server-rendered HTML), ``api`` (JSON, OpenAPI), ``ops``
(``/healthz``, ``/readyz``, ``/metrics``), ``media`` (``/media/…``), ``security`` (headers on
every response) and ``errors`` (bedtales errors → HTTP status codes, once).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from bedtales import __version__

if TYPE_CHECKING:
    from fastapi import FastAPI

    from bedtales.app import App


def create_site(bedtales: App) -> FastAPI:
    # imported here, not above: the media store and the messages build addresses with
    # bedtales.web.urls, and importing it must not load FastAPI and every page
    from fastapi import FastAPI

    from bedtales.web import api, errors, family, feeds, media, ops, pages, security

    site = FastAPI(
        title="bedtales",
        version=__version__,
        description="A new rhyming bedtime story every night.",
        docs_url=None,
        redoc_url=None,
        openapi_url="/api/openapi.json",
        # our metrics are Prometheus (/metrics); FastAPI's native OpenTelemetry would ask the
        # global providers whether it is wanted on every request (about 10 us each)
        telemetry={"tracing": False, "metrics": False, "logs": False},
    )
    site.state.bedtales = bedtales
    security.install(site)
    errors.install(site)
    site.include_router(media.router)
    site.include_router(ops.router)
    site.include_router(api.router)
    pages.install(site)
    feeds.install(site)
    family.install(site)
    ops.install(site)  # last: it measures every request, the pages' too
    return site
