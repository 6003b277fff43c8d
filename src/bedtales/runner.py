"""The all-in-one service a family runs: ``bedtales run``.

One process holds every part, on whatever the settings choose (SQLite, local media and the
offline engines by default): the scheduler that fires the household's schedules, the pipe
from the story stream to the bus, a worker running the targets (writing the scheduled story,
picture, narration, message), the expiry sweeper, and the web site in front. The
web server owns the main thread and its signals; on SIGINT or SIGTERM it stops taking
requests, then the other parts stop (running handlers finish, the rest is handed back).

On the first start, with no story yet, one is written at once so the family can see the
whole thing work, and its link is printed. After that a story comes when a schedule fires
(19:15 every evening in the household's zone, unless changed with `bedtales schedule`).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass

import uvicorn

from bedtales import services
from bedtales.app import App
from bedtales.expiry import Sweeper
from bedtales.web import create_app

log = logging.getLogger(__name__)

# seconds uvicorn waits for answers in flight (a story being written) before it stops anyway;
# the writer stores a story in one transaction, so stopping mid-way leaves nothing half-done
GRACEFUL_SHUTDOWN_S = 30


def web_server(
    bedtales: App, host: str, port: int, *, log_level: str | None = None
) -> uvicorn.Server:
    """uvicorn serving the site, as `bedtales web` and `bedtales run` both do."""
    config = uvicorn.Config(
        create_app(bedtales),
        host=host,
        port=port,
        server_header=False,
        timeout_graceful_shutdown=GRACEFUL_SHUTDOWN_S,
        log_level=log_level,
    )
    return uvicorn.Server(config)


@dataclass(frozen=True)
class RunOptions:
    host: str
    port: int
    concurrency: int = 2


class Runner:
    def __init__(self, bedtales: App, options: RunOptions) -> None:
        self.bedtales = bedtales
        self.options = options
        self.stop = threading.Event()
        self._threads: list[threading.Thread] = []

    def start_background(self) -> None:
        """Start the scheduler, the pipes, the worker and the sweeper (each in a thread of
        its own)."""
        app = self.bedtales
        parts: list[tuple[str, Callable[[threading.Event], None]]] = [
            ("worker", app.worker(concurrency=self.options.concurrency).run),
            ("scheduler", app.scheduler().run),
            ("sweeper", Sweeper(app.db, app.tools.media).run),
            *((f"pipe-{p.spec.name}", p.run) for p in app.pipes()),
        ]
        for name, run in parts:
            thread = threading.Thread(target=run, args=(self.stop,), name=name, daemon=True)
            thread.start()
            self._threads.append(thread)

    def first_story(self) -> str | None:
        """Write a story now if the default household has none yet; returns its link."""
        app = self.bedtales
        household = app.settings.default_household
        if services.list_stories(app.db, household=household, limit=1):
            return None
        story = app.write_story(household)
        return f"{app.settings.web.base_url}/stories/{story.id}"

    def server(self) -> uvicorn.Server:
        return web_server(self.bedtales, self.options.host, self.options.port, log_level="warning")

    def shut_down(self) -> None:
        self.stop.set()
        for thread in self._threads:
            thread.join(GRACEFUL_SHUTDOWN_S + 5)
