"""The long-running processes: what runs in the background of each, and ``bedtales run``.

:class:`Background` is the one place a process starts its background parts, each in a thread
of its own: the scheduler that fires the household's schedules, the pipes from the story
stream to the bus, a worker running the targets (writing the scheduled story, picture,
narration, message) and the expiry sweeper. ``bedtales run`` starts them all, ``bedtales
worker`` the worker with the pipes and the sweeper, ``bedtales scheduler`` the scheduler.

``bedtales run`` is the all-in-one service a family runs: one process holds every part, on
whatever the settings choose (SQLite, local media and the offline engines by default), with
the web site in front. The web server owns the main thread and its signals; on SIGINT or
SIGTERM it stops taking requests, then the other parts stop (running handlers finish, the
rest is handed back).

On the first start, with no story yet, one is written at once so the family can see the
whole thing work, and its link is printed. After that a story comes when a schedule fires
(19:15 every evening in the household's zone, unless changed with `bedtales schedule`).
Where the site listens and the links it hands out: :mod:`bedtales.web.serving`.

Between bedtimes the parts wait rather than look: for the database's doorbell (a commit in
this process wakes them at once, another process's within its polling, which slows down the
longer nothing happens), and the scheduler and the sweeper until their next due time.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from bedtales.households import services
from bedtales.stories.ttl import Sweeper
from bedtales.web import urls
from bedtales.web.serving import web_server

if TYPE_CHECKING:
    import uvicorn

    from bedtales.app import App
    from bedtales.bus.worker import Worker

log = logging.getLogger(__name__)

# how long stopping waits for the parts beyond the worker's grace for running handlers
STOP_MARGIN_S = 5.0


@dataclass(frozen=True)
class Parts:
    """Which background parts a process runs (all of them by default, as ``bedtales run``)."""

    worker: bool = True
    targets: tuple[str, ...] | None = None  # the worker's targets; None: every target
    concurrency: int = 4
    scheduler: bool = True
    pipes: bool = True
    sweeper: bool = True


class Background:
    """The chosen parts, each in a thread of its own, started and stopped together.

    Every part is built when this is made, before any thread starts: a bad target, engine or
    setting stops the process with its message and nothing half-started.
    """

    def __init__(self, bedtales: App, parts: Parts) -> None:
        self.db = bedtales.db
        self.worker: Worker | None = None
        self._runs: list[tuple[str, Callable[[threading.Event], None]]] = []
        if parts.worker:
            targets = list(parts.targets) if parts.targets is not None else None
            self.worker = bedtales.worker(targets, concurrency=parts.concurrency)
            self._runs.append(("worker", self.worker.run))
        if parts.scheduler:
            self._runs.append(("scheduler", bedtales.scheduler().run))
        if parts.pipes:
            self._runs += [(f"pipe-{p.spec.name}", p.run) for p in bedtales.pipes()]
        if parts.sweeper:
            self._runs.append(("sweeper", Sweeper(bedtales.db, bedtales.tools.media).run))
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []

    def start(self, stop: threading.Event | None = None) -> None:
        """Start every part; they run until :meth:`shut_down`, or until ``stop`` is set (a
        signal handler's, see :meth:`wait`)."""
        self._stop = stop or self._stop
        for name, run in self._runs:
            thread = threading.Thread(target=run, args=(self._stop,), name=name, daemon=True)
            thread.start()
            self._threads.append(thread)

    def wait(self) -> None:
        """Block until the parts are told to stop (the ``stop`` given to :meth:`start`)."""
        self._stop.wait()

    def shut_down(self) -> None:
        """Stop every part and wait for it: running handlers finish (within the worker's
        grace), the rest is handed back; a scheduler batch is finished or rolled back."""
        self._stop.set()
        self.db.ring()  # waiters on the doorbell look at the stop at once
        grace = self.worker.options.grace_s if self.worker is not None else 0.0
        deadline = time.monotonic() + grace + STOP_MARGIN_S
        for thread in self._threads:
            thread.join(max(0.0, deadline - time.monotonic()))
        running = [thread.name for thread in self._threads if thread.is_alive()]
        if running:
            log.warning("stopped waiting for %s", ", ".join(running))


# ----------------------------------------------------------------------------- bedtales run


@dataclass(frozen=True)
class RunOptions:
    concurrency: int = 2


class Runner:
    """``bedtales run``: every background part, the first story and the web server."""

    def __init__(self, bedtales: App, options: RunOptions) -> None:
        self.bedtales = bedtales
        self.options = options
        self._background: Background | None = None

    def start_background(self) -> None:
        """Start the scheduler, the pipes, the worker and the sweeper (each in a thread of
        its own)."""
        self._background = Background(self.bedtales, Parts(concurrency=self.options.concurrency))
        self._background.start()

    def first_story(self) -> str | None:
        """Write a story now if the default household has none yet; returns its link."""
        app = self.bedtales
        household = app.settings.default_household
        if services.list_stories(app.db, household=household, limit=1):
            return None
        story = app.write_story(household)
        return urls.absolute(app.settings.web.base_url, urls.story(story.id))

    def server(self) -> uvicorn.Server:
        return web_server(self.bedtales, log_level="warning")

    def shut_down(self) -> None:
        if self._background is not None:
            self._background.shut_down()
