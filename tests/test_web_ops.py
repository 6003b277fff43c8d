"""/healthz, /readyz and /metrics, and the metrics every process records."""

from __future__ import annotations

import socket

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from bedtales import metrics
from bedtales.storage import Database
from web_client import (  # noqa: F401 - the fixtures client and web_app
    ADMIN,
    bedtales_of,
    client_fixture,
    web_app_fixture,
)

INSTRUMENTS = (
    "bedtales_stories_written_total",
    "bedtales_story_write_seconds",
    "bedtales_deliveries_total",
    "bedtales_delivery_seconds",
    "bedtales_http_requests_total",
    "bedtales_http_request_seconds",
)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def test_healthz_and_readyz(client: TestClient) -> None:
    assert client.get("/healthz").json() == {"status": "ok"}
    ready = client.get("/readyz")
    assert (ready.status_code, ready.json()) == (200, {"status": "ready"})


def test_readyz_is_503_while_the_database_does_not_answer(client: TestClient) -> None:
    bedtales = bedtales_of(client)
    real = bedtales.db
    # nothing listens on the port: the connection is refused at once
    bedtales.db = Database(f"postgresql+psycopg://bedtales:pw@127.0.0.1:{free_port()}/gone")
    try:
        gone = client.get("/readyz")
        assert gone.status_code == 503
        assert gone.json() == {"status": "unavailable", "error": "the database is unreachable"}
        assert client.get("/healthz").status_code == 200  # alive, just not ready
    finally:
        bedtales.db.dispose()
        bedtales.db = real
    assert client.get("/readyz").status_code == 200


def test_metrics_name_every_instrument_in_prometheus_text(client: TestClient) -> None:
    response = client.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    for name in INSTRUMENTS:
        assert f"# TYPE {name.removesuffix('_total')}" in response.text, name


def sample(name: str, **labels: str) -> float:
    return metrics.REGISTRY.get_sample_value(name, labels) or 0.0


def test_stories_and_deliveries_are_counted(client: TestClient) -> None:
    written = sample("bedtales_stories_written_total", engine="builtin")
    dead = sample("bedtales_deliveries_total", target="notify", outcome="dead")
    timed = sample("bedtales_delivery_seconds_count", target="notify")
    metrics.record_story_written("builtin", 0.2)
    metrics.record_delivery("notify", "dead", 1.5)
    assert sample("bedtales_stories_written_total", engine="builtin") == written + 1
    assert sample("bedtales_deliveries_total", target="notify", outcome="dead") == dead + 1
    assert sample("bedtales_delivery_seconds_count", target="notify") == timed + 1
    text = client.get("/metrics").text
    assert 'bedtales_deliveries_total{outcome="dead",target="notify"}' in text
    with pytest.raises(ValueError, match="unknown delivery outcome 'lost'"):
        metrics.record_delivery("notify", "lost", 1.0)


def test_requests_are_counted_by_route_template_and_status(web_app: FastAPI) -> None:
    assert getattr(web_app.state, "http_metrics", False), "create_site must call ops.install(app)"
    route = "/api/stories/{story_id}"
    before = sample("bedtales_http_requests_total", method="GET", route=route, status="404")
    unmatched = sample(
        "bedtales_http_requests_total", method="GET", route="<unmatched>", status="404"
    )
    with TestClient(web_app) as client:
        client.get("/api/stories/one")
        client.get("/api/stories/two")
        client.get("/no/such/page")
        text = client.get("/metrics").text
    assert sample("bedtales_http_requests_total", method="GET", route=route, status="404") == (
        before + 2
    )
    assert sample(
        "bedtales_http_requests_total", method="GET", route="<unmatched>", status="404"
    ) == (unmatched + 1)
    assert "/api/stories/one" not in text  # paths never become labels
    assert sample("bedtales_http_request_seconds_count", method="GET", route=route) >= 2


def test_the_story_page_and_static_files_are_labelled_by_their_route(web_app: FastAPI) -> None:
    # the story page is a plain Starlette Route and /static a Mount: neither says which
    # route answered, so the label must come from matching the app's routes again
    page, static = "/stories/{story_id}", "/static"
    page_before = sample("bedtales_http_requests_total", method="GET", route=page, status="404")
    static_before = sample("bedtales_http_requests_total", method="GET", route=static, status="200")
    missing_before = sample(
        "bedtales_http_requests_total", method="GET", route=static, status="404"
    )
    with TestClient(web_app) as client:
        assert client.get("/stories/no-such-story").status_code == 404
        assert client.get("/static/bedtales.js").status_code == 200
        assert client.get("/static/no-such-file.js").status_code == 404
        text = client.get("/metrics").text
    assert f'route="{page}",status="404"' in text
    assert sample("bedtales_http_requests_total", method="GET", route=page, status="404") == (
        page_before + 1
    )
    assert sample("bedtales_http_requests_total", method="GET", route=static, status="200") == (
        static_before + 1
    )
    assert sample("bedtales_http_requests_total", method="GET", route=static, status="404") == (
        missing_before + 1
    )
    assert "no-such-story" not in text  # paths never become labels
    assert "bedtales.js" not in text


def test_a_process_without_the_web_app_serves_its_metrics_itself() -> None:
    port = free_port()
    server, thread = metrics.serve_metrics(port)
    try:
        response = httpx.get(f"http://127.0.0.1:{port}/metrics", timeout=10)
        assert response.status_code == 200
        assert "bedtales_deliveries_total" in response.text
    finally:
        server.shutdown()
        server.server_close()
        thread.join(10)
