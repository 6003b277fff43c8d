"""What bedtales counts and times, in Prometheus terms.

The instruments live in a registry of our own rather than prometheus_client's global one, so
nothing a library registers there leaks into ``/metrics`` and tests can read exactly ours.

- ``bedtales_stories_written_total{engine}``, ``bedtales_story_write_seconds`` — the writer
  calls :func:`record_story_written`.
- ``bedtales_deliveries_total{target,outcome}``, ``bedtales_delivery_seconds{target}`` — the
  bus worker calls :func:`record_delivery`; outcome is ``done``, ``retry``, ``dead`` or
  ``deferred``.
- ``bedtales_schedule_firings_total{outcome}``, ``bedtales_schedule_fire_lag_seconds`` — the
  scheduler calls :func:`record_firings`; outcome is ``fired`` or ``skipped`` (a firing not
  made: later than the schedule's grace, passed over for a later catch-up after downtime, or
  set aside because it could not be worked out), the lag is from when a firing was due to
  when its ``ScheduleFired`` event was on the bus.
- ``bedtales_http_requests_total{method,route,status}``, ``bedtales_http_request_seconds
  {method,route}`` — the web app's middleware calls :func:`record_http_request`. ``route`` is
  the route's template (``/api/stories/{story_id}``), never the requested path, so the number
  of series stays small whatever clients ask for.

Metrics are per process. ``bedtales run`` keeps everything in one process, so its web app's
``/metrics`` shows it all. In a split deployment the web app shows only its own requests and
the stories it started; each ``bedtales worker`` exposes its deliveries on a port of its own
(``bedtales worker --metrics-port``, served by :func:`serve_metrics`), and Prometheus scrapes
every process.
"""

from __future__ import annotations

import functools
import threading
from typing import Any
from wsgiref.simple_server import WSGIServer

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    start_http_server,
)

REGISTRY = CollectorRegistry(auto_describe=True)
NAMESPACE = "bedtales"
OUTCOMES = ("done", "retry", "dead", "deferred")

# a builtin story takes milliseconds, a remote model up to minutes: the buckets span both
_SLOW_BUCKETS = (0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600)

STORIES_WRITTEN = Counter(
    "stories_written",
    "Stories written and stored, by the text engine that wrote them.",
    ["engine"],
    namespace=NAMESPACE,
    registry=REGISTRY,
)
STORY_WRITE_SECONDS = Histogram(
    "story_write_seconds",
    "Seconds to write one story (prompt, engine, quality gates, insert).",
    namespace=NAMESPACE,
    registry=REGISTRY,
    buckets=_SLOW_BUCKETS,
)
DELIVERIES = Counter(
    "deliveries",
    "Deliveries handled by a worker, by target and outcome (done, retry, dead, deferred).",
    ["target", "outcome"],
    namespace=NAMESPACE,
    registry=REGISTRY,
)
DELIVERY_SECONDS = Histogram(
    "delivery_seconds",
    "Seconds a target's handler ran for one delivery.",
    ["target"],
    namespace=NAMESPACE,
    registry=REGISTRY,
    buckets=_SLOW_BUCKETS,
)
FIRINGS = Counter(
    "schedule_firings",
    "Schedule firings by outcome: fired (ScheduleFired on the bus) or skipped (not made: too "
    "late, passed over after downtime, or a schedule that could not be worked out).",
    ["outcome"],
    namespace=NAMESPACE,
    registry=REGISTRY,
)
FIRE_LAG_SECONDS = Histogram(
    "schedule_fire_lag_seconds",
    "Seconds from when a firing was due to when its ScheduleFired event was on the bus.",
    namespace=NAMESPACE,
    registry=REGISTRY,
    buckets=(0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 3600, 21600),
)
HTTP_REQUESTS = Counter(
    "http_requests",
    "HTTP requests answered, by method, route template and status code.",
    ["method", "route", "status"],
    namespace=NAMESPACE,
    registry=REGISTRY,
)
HTTP_REQUEST_SECONDS = Histogram(
    "http_request_seconds",
    "Seconds to answer an HTTP request, by method and route template.",
    ["method", "route"],
    namespace=NAMESPACE,
    registry=REGISTRY,
)


def record_story_written(engine: str, seconds: float) -> None:
    STORIES_WRITTEN.labels(engine=engine).inc()
    STORY_WRITE_SECONDS.observe(seconds)


def record_delivery(target: str, outcome: str, seconds: float) -> None:
    """Count one delivery; ``outcome`` must be one of :data:`OUTCOMES`."""
    counter, timer = _delivery_instruments(target, outcome)
    counter.inc()
    timer.observe(seconds)


@functools.cache
def _delivery_instruments(target: str, outcome: str) -> tuple[Any, Any]:
    # the labelled children, looked up once: a worker records tens of thousands a second
    if outcome not in OUTCOMES:
        # a typo would otherwise start a new series nobody's dashboard looks at
        raise ValueError(f"unknown delivery outcome {outcome!r}; known: {', '.join(OUTCOMES)}")
    return DELIVERIES.labels(target=target, outcome=outcome), DELIVERY_SECONDS.labels(target=target)


def record_firings(lags_s: list[float], skipped: int) -> None:
    """Count a batch of firings: the lag of each one fired, and how many were skipped."""
    if lags_s:
        FIRINGS.labels(outcome="fired").inc(len(lags_s))
        for lag in lags_s:
            FIRE_LAG_SECONDS.observe(lag)
    if skipped:
        FIRINGS.labels(outcome="skipped").inc(skipped)


def record_http_request(method: str, route: str, status: int, seconds: float) -> None:
    counter, timer = _http_instruments(method, route, status)
    counter.inc()
    timer.observe(seconds)


@functools.cache
def _http_instruments(method: str, route: str, status: int) -> tuple[Any, Any]:
    # bounded: methods, route templates (never raw paths) and status codes are few
    return (
        HTTP_REQUESTS.labels(method=method, route=route, status=str(status)),
        HTTP_REQUEST_SECONDS.labels(method=method, route=route),
    )


def render() -> tuple[bytes, str]:
    """The registry in Prometheus' text format, and its content type."""
    return generate_latest(REGISTRY), CONTENT_TYPE_LATEST


def serve_metrics(port: int, host: str = "127.0.0.1") -> tuple[WSGIServer, threading.Thread]:
    """Serve ``/metrics`` of this process on ``host:port`` from a daemon thread (for processes
    without the web app, such as ``bedtales worker``). Returns the server and its thread;
    ``server.shutdown()`` stops it."""
    return start_http_server(port, addr=host, registry=REGISTRY)
