"""The home page at ``/``: what bedtales is and how a family opens its household; it never
names or lists a household (their addresses are their keys)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from bedtales.app import App
from bedtales.households import services
from bedtales.web import create_site


@pytest.fixture
def client(bedtales: App) -> Iterator[TestClient]:
    with TestClient(create_site(bedtales)) as client:
        yield client


def test_the_home_page_welcomes_and_lists_no_household(client: TestClient, bedtales: App) -> None:
    services.add_household(bedtales.db, "The Hartleys")
    answer = client.get("/")
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/html")
    assert "A new bedtime story, every night" in answer.text
    assert "private link" in answer.text
    assert "Hartleys" not in answer.text
    assert "/households/" not in answer.text.replace("/households/…", "")
    for household in services.list_households(bedtales.db):
        assert household.page_token not in answer.text


def test_unknown_addresses_still_have_their_own_page(client: TestClient) -> None:
    answer = client.get("/nothing-here")
    assert answer.status_code == 404
    assert "could not find" in answer.text.lower()
