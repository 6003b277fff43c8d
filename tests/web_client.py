"""The web app in-process for the API, ops and schema tests, with secrets worth leaking set:
an admin token, an OpenAI key and a media link secret, each distinctive enough to grep for.

A test module imports the fixtures ``web_app`` and ``client`` by their function names:
``from web_client import client_fixture, web_app_fixture  # noqa: F401``.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from bedtales.app import App
from bedtales.web import create_site

TOKEN = "admin-token-5c1f0e7b9a-at-least-32-chars"
SECRETS = {
    "BEDTALES_ADMIN_TOKEN": TOKEN,
    "BEDTALES_OPENAI__API_KEY": "sk-openai-key-8d3a61f2c4",
    "BEDTALES_MEDIA__LINK_SECRET": "link-secret-0b7e44d9a1",
}
ADMIN = {"Authorization": f"Bearer {TOKEN}"}


@pytest.fixture(name="web_app")
def web_app_fixture(data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[FastAPI]:
    for name, value in SECRETS.items():
        monkeypatch.setenv(name, value)
    bedtales = App.open(data_dir)
    try:
        yield create_site(bedtales)
    finally:
        bedtales.close()


@pytest.fixture(name="client")
def client_fixture(web_app: FastAPI) -> Iterator[TestClient]:
    with TestClient(web_app) as client:
        yield client


def bedtales_of(client: TestClient) -> App:
    app: App = client.app.state.bedtales  # type: ignore[attr-defined]
    return app
