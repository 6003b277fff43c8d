"""Benchmark of the story page: requests a second and p99 latency at 32 concurrent connections,
against a plain Starlette hello-world route served by the same server in the same run.

Run from the repository root: ``.venv/bin/python bench/web.py [--seconds 8] [--uncached]``.

One uvicorn process (one worker, as ``bedtales web`` runs) serves three routes:

- ``/hello``: a bare Starlette app, outside bedtales (what the server and framework can do);
- ``/app-hello``: the same hello-world route added to ``create_site``'s router, so it goes
  through the app's middleware (security headers, metrics, body limit, error handling);
- ``/stories/{id}``: the story page of a real story, on SQLite, whose picture and narration
  were made by the real targets.

The story page is served through its page cache (see ``web.pages.PageCache``): rendered
once, then re-checked against the database at most once a second. ``--uncached`` turns the
cache off, so every request reads the story, signs its four links and renders the template.

The load comes from another process: 32 keep-alive HTTP/1.1 connections, each sending its
next request as soon as the last answer is in, for a warm-up and then ``--seconds``. It
speaks HTTP over raw asyncio streams rather than through httpx: on a small machine an httpx
client saturates before the server does, and every route would then measure the client.
Goal (the issue): the story page at ≥ 60 % of the hello-world rate, with p99 under 25 ms.

The family's site, on a household with 1,000 stories (each with its picture and narration
recorded; the files themselves are not needed to sign links): its page (tonight's story and
the library, 50 shown), the library filtered by a character, both at 32 connections (goal:
p99 < 25 ms), and its podcast feed of 1,000 episodes, one request at a time (goal: < 100 ms
a request).
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import os
import socket
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

CONNECTIONS = 32
WARM_UP_S = 2.0
GOAL_RATIO = 0.60
GOAL_P99_MS = 25.0
LIBRARY_STORIES = 1000
GOAL_FEED_MS = 100.0


# ----------------------------------------------------------------------------- the server


def prepare(data_dir: Path, base_url: str) -> str:
    """A data dir with one finished story; returns its id."""
    os.environ["BEDTALES_WEB__BASE_URL"] = base_url
    os.environ["BEDTALES_SPEECH__ENGINE"] = "espeak"  # the page is the same whoever narrates
    from bedtales.app import initialise
    from bedtales.bus.events import Delivery, Event

    bedtales, _, _ = initialise(data_dir, timezone="UTC")
    story = bedtales.write_story(seed=7)
    event = Event("bedtales.stories", "StoryCreated", {"id": story.id}, id="bench")
    for target in ("illustrate", "narrate"):
        bedtales.run_delivery(Delivery(event, target, attempt=1, receipt="bench"))
    fill_library(bedtales, story.id)
    bedtales.close()
    return story.id


def fill_library(bedtales: object, model_id: str) -> None:
    """A household "library" with LIBRARY_STORIES finished stories, copies of the model story
    made straight in the database (writing, painting and narrating 1,000 would take long and
    measure nothing here)."""
    import uuid
    from datetime import timedelta

    from sqlalchemy import insert, select

    from bedtales.app import App
    from bedtales.households import services
    from bedtales.storage.models import StoryRow

    assert isinstance(bedtales, App)
    services.add_household(bedtales.db, "library", characters=["Milo", "Luna", "Eric"])
    with bedtales.db.session() as session:
        model = session.get(StoryRow, model_id)
        assert model is not None
        home_id = session.scalar(select(StoryRow.household_id).where(StoryRow.id == model_id))
        library_id = services.household_row(session, "library").id
        assert home_id is not None
        columns = {c.key: getattr(model, c.key) for c in StoryRow.__table__.columns}
        rows = []
        for n in range(LIBRARY_STORIES):
            copy = dict(columns)
            copy.update(
                id=str(uuid.uuid4()),
                household_id=library_id,
                title=f"{model.title} ({n})",
                characters=["Milo", "Luna"] if n % 2 else ["Eric"],
                created_at=model.created_at - timedelta(minutes=n),
                kept_at=model.created_at if n >= 40 else None,  # most kept, to stay shown
            )
            rows.append(copy)
        session.execute(insert(StoryRow), rows)


def library_token(data_dir: Path) -> str:
    from bedtales.app import App
    from bedtales.households import services

    bedtales = App.open(data_dir)
    try:
        return services.get_household(bedtales.db, "library").page_token
    finally:
        bedtales.close()


def serve(data_dir: Path, sock: socket.socket, uncached: bool) -> None:
    import uvicorn
    from starlette.applications import Starlette
    from starlette.responses import PlainTextResponse
    from starlette.routing import Route
    from starlette.types import Receive, Scope, Send

    from bedtales.app import App
    from bedtales.web import create_site
    from bedtales.web.pages import PageCache

    async def hello(_: object) -> PlainTextResponse:
        return PlainTextResponse("Hello, world!")

    bare = Starlette(routes=[Route("/hello", hello)])
    site = create_site(App.open(data_dir))
    site.router.routes.insert(0, Route("/app-hello", hello))
    if uncached:
        site.state.story_pages = PageCache(size=0)

    async def both(scope: Scope, receive: Receive, send: Send) -> None:
        target = bare if scope.get("path") == "/hello" else site
        await target(scope, receive, send)

    config = uvicorn.Config(both, log_level="warning", access_log=False, lifespan="off")
    uvicorn.Server(config).run(sockets=[sock])


# ----------------------------------------------------------------------------- the load


async def _read_response(reader: asyncio.StreamReader) -> int:
    head = await reader.readuntil(b"\r\n\r\n")
    status = int(head[9:12])
    length = 0
    for line in head.split(b"\r\n"):
        if line[:15].lower() == b"content-length:":
            length = int(line[15:])
    await reader.readexactly(length)
    return status


async def _connection(
    host: str, port: int, request: bytes, until: float, record_from: float, times: list[float]
) -> None:
    reader, writer = await asyncio.open_connection(host, port)
    try:
        while (sent := time.perf_counter()) < until:
            writer.write(request)
            status = await _read_response(reader)
            if status != 200:
                raise SystemExit(f"the server answered {status}")
            if sent >= record_from:
                times.append(time.perf_counter() - sent)
    finally:
        writer.close()


async def _load(
    host: str, port: int, path: str, seconds: float, connections: int
) -> tuple[float, list[float]]:
    request = f"GET {path} HTTP/1.1\r\nHost: {host}:{port}\r\n\r\n".encode()
    start = time.perf_counter()
    record_from, until = start + WARM_UP_S, start + WARM_UP_S + seconds
    times: list[float] = []
    await asyncio.gather(
        *(_connection(host, port, request, until, record_from, times) for _ in range(connections))
    )
    return len(times) / seconds, times


def load(
    host: str,
    port: int,
    path: str,
    seconds: float,
    connections: int,
    queue: multiprocessing.Queue,  # type: ignore[type-arg]
) -> None:
    rate, times = asyncio.run(_load(host, port, path, seconds, connections))
    times.sort()
    queue.put(
        {
            "rps": rate,
            "p50_ms": times[len(times) // 2] * 1000,
            "p99_ms": times[int(len(times) * 0.99)] * 1000,
            "requests": len(times),
        }
    )


def measure(
    host: str, port: int, path: str, seconds: float, connections: int = CONNECTIONS
) -> dict[str, float]:
    context = multiprocessing.get_context("spawn")
    queue: multiprocessing.Queue[dict[str, float]] = context.Queue()
    process = context.Process(target=load, args=(host, port, path, seconds, connections, queue))
    process.start()
    result = queue.get(timeout=WARM_UP_S + seconds + 60)
    process.join()
    return result


ROUTES = {
    "hello": "bare hello world",
    "app-hello": "in-app hello",
    "story": "story page",
    "household": "household page",
    "library": "library by character",
    "feed": "podcast feed",
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=8.0, help="measured seconds a route")
    parser.add_argument("--uncached", action="store_true", help="render the page every time")
    args = parser.parse_args()
    context = multiprocessing.get_context("spawn")
    # IPPROTO_TCP named, as uvicorn's own sockets have it: asyncio turns Nagle off only on
    # such sockets, and with it on every answer waits ~40 ms for a delayed ACK
    tcp = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    with tempfile.TemporaryDirectory() as tmp, tcp as sock:
        sock.bind(("127.0.0.1", 0))
        host, port = sock.getsockname()[:2]
        story_id = prepare(Path(tmp) / "data", f"http://{host}:{port}")
        server = context.Process(
            target=serve, args=(Path(tmp) / "data", sock, args.uncached), daemon=True
        )
        server.start()
        try:
            _wait_until_up(host, port)
            paths = {"hello": "/hello", "app-hello": "/app-hello", "story": f"/stories/{story_id}"}
            results = {
                name: measure(host, port, path, args.seconds) for name, path in paths.items()
            }
            home = f"/households/{library_token(Path(tmp) / 'data')}"
            results["household"] = measure(host, port, home, args.seconds)
            results["library"] = measure(host, port, f"{home}?character=Milo", args.seconds)
            results["feed"] = measure(host, port, f"{home}/podcast.xml", args.seconds, 1)
        finally:
            server.terminate()
            server.join()
    cache = "off: rendered on every request" if args.uncached else "on"
    print(f"{CONNECTIONS} connections, {args.seconds:g} s a route, one uvicorn worker (h11)")
    print(f"SQLite, a story with its picture and narration; page cache {cache}")
    for name, result in results.items():
        print(
            f"{ROUTES[name]:>17}: {result['rps']:7.0f} requests/s, p50 {result['p50_ms']:5.1f} ms, "
            f"p99 {result['p99_ms']:5.1f} ms ({result['requests']:.0f} requests)"
        )
    page = results["story"]
    for name in ("hello", "app-hello"):
        ratio = page["rps"] / results[name]["rps"]
        met = "met" if ratio >= GOAL_RATIO else "NOT met"
        print(f"story page / {ROUTES[name]}: {ratio:.0%} (goal ≥ {GOAL_RATIO:.0%}: {met})")
    p99_met = "met" if page["p99_ms"] < GOAL_P99_MS else "NOT met"
    print(f"story page p99: {page['p99_ms']:.1f} ms (goal < {GOAL_P99_MS:g} ms: {p99_met})")
    print(f"the family's site: a household with {LIBRARY_STORIES:,} stories")
    for name in ("household", "library"):
        p99 = results[name]["p99_ms"]
        met = "met" if p99 < GOAL_P99_MS else "NOT met"
        print(f"{ROUTES[name]} p99 at {CONNECTIONS}: {p99:.1f} ms (goal < {GOAL_P99_MS:g}: {met})")
    feed = results["feed"]["p50_ms"], results["feed"]["p99_ms"]
    met = "met" if feed[1] < GOAL_FEED_MS else "NOT met"
    print(
        f"podcast feed ({LIBRARY_STORIES:,} episodes), one at a time: p50 {feed[0]:.1f} ms, "
        f"p99 {feed[1]:.1f} ms (goal < {GOAL_FEED_MS:g} ms: {met})"
    )


def _wait_until_up(host: str, port: int) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            with socket.create_connection((host, port), timeout=1) as probe:
                probe.sendall(f"GET /hello HTTP/1.1\r\nHost: {host}\r\n\r\n".encode())
                if probe.recv(12).startswith(b"HTTP/1.1 200"):
                    return
        except OSError:
            time.sleep(0.05)
    raise SystemExit("the server did not start")


if __name__ == "__main__":
    main()
