"""The web app. For now it only serves local media links; pages come later.

``create_app`` takes what the routes need (settings and the media store) rather than
opening them itself, so tests and ``bedtales web`` decide how they are made and closed.
"""

from __future__ import annotations

from fastapi import FastAPI

from bedtales.config import Settings
from bedtales.media import MediaStore
from bedtales.web import media


def create_app(settings: Settings, store: MediaStore) -> FastAPI:
    """The bedtales web app, serving ``store``'s links under ``/media/``."""
    app = FastAPI(title="bedtales", docs_url=None, redoc_url=None, openapi_url=None)
    app.state.settings = settings
    app.state.media_store = store
    app.include_router(media.router)
    return app
