"""Benchmark of the scheduler, on SQLite and PostgreSQL: a crowd of schedules due at once, the
fire lag, and the stories the workers then write.

* burst: N schedules (100,000 by default, spread over 1,000 households) all due at the same
  moment T a few seconds ahead, fired by 1 and then by 2 scheduler processes that wait for T
  as ``bedtales scheduler`` does (``Scheduler.run``). Measured: T -> the commit of the last
  ScheduleFired. Checked: every schedule fired exactly once (what the schedulers report,
  the events and the write_story deliveries on the bus, the rows moved to their next firing).
* lag: 1,000 schedules due at T, again with 1 and 2 schedulers. Measured per event:
  ``bus_events.published_at`` - T, p50/p99/max. ``published_at`` is stamped as the event row
  is built, just before its batch is inserted and committed (the commit time is printed too).
* stories: S ScheduleFired events on the bus, then 1 and 2 worker processes that run only the
  write_story target (builtin text engine; no pipe runs, so no StoryCreated fan-out follows).
  Measured: stories written per second, from the workers' start to the last story stored.

Every schedule shares one cron expression and zone, and T is both its fire time and its due
time (no flexible window): the busiest minute of an evening, when thousands of families
share ``cron(15 19 * * ? *)``. The expression is set 12 hours away from T, so nothing fires
twice during a run. The bus is the sql bus, in the database under test.

Run from the repository root: ``.venv/bin/python bench/scheduler.py`` [--databases
sqlite,postgres] [--schedules N] [--lag-schedules N] [--stories N]. PostgreSQL gets a scratch
database on the server of BEDTALES_TEST_POSTGRES_URL (default: the local one), dropped
afterwards; SQLite a temporary data dir. Goals (the issue): all 100,000 fired within 60 s;
p99 lag under 1 s for 1,000.
"""

from __future__ import annotations

import argparse
import math
import multiprocessing
import os
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from multiprocessing.sharedctypes import Synchronized
from multiprocessing.synchronize import Event as ProcessEvent
from pathlib import Path
from queue import Empty
from typing import Any
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from sqlalchemy import create_engine, func, insert, select, text, update  # noqa: E402

from bedtales.app import App, initialise  # noqa: E402
from bedtales.clock import utcnow  # noqa: E402
from bedtales.domain import text_key  # noqa: E402
from bedtales.engines.text import StoryRequest, get_text_engine  # noqa: E402
from bedtales.scheduler.firing import DETAIL_TYPE, Pass, Scheduler  # noqa: E402
from bedtales.storage.models import (  # noqa: E402
    BusDeliveryRow,
    BusEventRow,
    CharacterRow,
    HouseholdRow,
    SceneRow,
    ScheduleRow,
    StoryRow,
    new_page_token,
)
from bedtales.stories.starter import SAMPLE_CHARACTERS, STARTER_SCENES  # noqa: E402

POSTGRES = os.environ.get(
    "BEDTALES_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
ZONE = "Europe/London"
CHUNK = 10_000  # rows per INSERT while seeding
TIMEOUT_S = 900  # the longest wait for one run to finish
# emptied before each run; children first (TRUNCATE takes them all at once)
TABLES = (
    "bus_deliveries",
    "bus_events",
    "bus_effects",
    "story_notifications",
    "stories",
    "story_changes",
    "schedules",
)


# ------------------------------------------------------------------------------ the databases


@dataclass
class Site:
    kind: str
    data_dir: Path
    env: dict[str, str]  # what a process sets in its environment to open the site


@contextmanager
def open_site(kind: str, workdir: Path) -> Iterator[tuple[Site, App]]:
    """A fresh installation on ``kind`` (sqlite or postgres), removed when the block ends."""
    if kind not in ("sqlite", "postgres"):
        raise SystemExit(f"unknown database {kind!r}: sqlite or postgres")
    site = Site(kind, workdir / kind, {})
    admin = create_engine(POSTGRES, isolation_level="AUTOCOMMIT")
    database = f"bench_sched_{uuid.uuid4().hex[:8]}"
    if kind == "postgres":
        with admin.connect() as c:
            c.execute(text(f'CREATE DATABASE "{database}"'))
        site.env["BEDTALES_DATABASE_URL"] = POSTGRES.rsplit("/", 1)[0] + "/" + database
    app = None
    try:
        os.environ.update(site.env)
        app, _, _ = initialise(site.data_dir, timezone=ZONE)
        yield site, app
    finally:
        for name in site.env:
            os.environ.pop(name, None)
        if app is not None:
            app.close()
        if kind == "postgres":
            with admin.connect() as c:
                c.execute(text(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)'))
        admin.dispose()


def open_app(site: Site) -> App:
    """The site's app, in a child process."""
    os.environ.update(site.env)
    return App.open(site.data_dir)


def seed_households(app: App, count: int) -> list[int]:
    """``count`` households, each with two characters and three scenes; their ids."""
    now = utcnow()
    homes = [
        {
            "name": f"bench-{n:06d}",
            "timezone": ZONE,
            "story_ttl_hours": 48,
            "notify_when": "created",
            "notify_timeout_s": 600,
            "page_token": new_page_token(),
            "created_at": now,
        }
        for n in range(count)
    ]
    with app.db.transaction() as c:
        c.execute(insert(HouseholdRow), homes)
        query = select(HouseholdRow.id).where(HouseholdRow.name.like("bench-%"))
        ids = sorted(c.execute(query).scalars())
        characters = [
            {"household_id": h, "name": n, "name_key": text_key(n), "created_at": now}
            for h in ids
            for n in SAMPLE_CHARACTERS
        ]
        scenes = [
            {"household_id": h, "description": d, "description_key": text_key(d), "created_at": now}
            for h in ids
            for d in STARTER_SCENES[:3]
        ]
        c.execute(insert(CharacterRow), characters)
        c.execute(insert(SceneRow), scenes)
    return ids


def clear(app: App) -> None:
    with app.db.transaction() as c:
        if app.db.dialect == "postgresql":
            c.execute(text(f"TRUNCATE {', '.join(TABLES)}"))
        else:
            for table in TABLES:
                c.execute(text(f"DELETE FROM {table}"))  # noqa: S608 - names of our own


def far_expression() -> str:
    """A daily cron 12 hours from now: its next firing never comes during a run."""
    hour = (datetime.now(ZoneInfo(ZONE)).hour + 12) % 24
    return f"cron(0 {hour} * * ? *)"


def seed_schedules(app: App, homes: list[int], count: int, due: datetime | None) -> None:
    """``count`` schedules, round-robin over ``homes``, due at ``due`` (None: not yet)."""
    now, expression = utcnow(), far_expression()
    rows = [
        {
            "household_id": homes[n % len(homes)],
            "name": f"bench-{n // len(homes)}",
            "expression": expression,
            "timezone": ZONE,
            "enabled": True,
            "window_minutes": 0,
            "max_attempts": 3,
            "max_age_s": 6 * 3600,
            "next_fire_at": due,
            "due_at": due,
            "last_fired_at": None,
            "created_at": now,
        }
        for n in range(count)
    ]
    with app.db.transaction() as c:
        for first in range(0, count, CHUNK):
            c.execute(insert(ScheduleRow), rows[first : first + CHUNK])
    if app.db.dialect == "postgresql":
        with app.db.transaction() as c:
            c.execute(text("ANALYZE schedules"))


def make_due(app: App, due: datetime) -> None:
    """Every schedule due at ``due``, in one commit."""
    with app.db.transaction() as c:
        c.execute(update(ScheduleRow).values(next_fire_at=due, due_at=due))


# ------------------------------------------------------------------------------ child processes


class CountingScheduler(Scheduler):
    """The scheduler as ``bedtales scheduler`` runs it, counting what its passes fire."""

    def __init__(self, app: App, shared: Synchronized[int]) -> None:
        super().__init__(app.db, app.bus)
        self.shared = shared
        self.fired = 0
        self.last_commit = 0.0  # when the pass that fired last returned (epoch seconds)

    def run_once(self, stop: threading.Event | None = None) -> Pass:
        done = super().run_once(stop)
        if done.fired:
            self.last_commit = time.time()
            self.fired += done.fired
            with self.shared.get_lock():
                self.shared.value += done.fired
        return done


def scheduler_process(
    site: Site,
    ready: ProcessEvent,
    stop: ProcessEvent,
    shared: Synchronized[int],
    results: multiprocessing.Queue[tuple[int, float, float]],
) -> None:
    """Reports (schedules fired, when the last were committed, CPU seconds used)."""
    app = open_app(site)
    try:
        scheduler = CountingScheduler(app, shared)
        ready.set()
        cpu = time.process_time()
        scheduler.run(stop)  # type: ignore[arg-type]  # waits as a thread event does
        results.put((scheduler.fired, scheduler.last_commit, time.process_time() - cpu))
    finally:
        app.close()


def worker_process(
    site: Site,
    ready: ProcessEvent,
    stop: ProcessEvent,
    concurrency: int,
    go: ProcessEvent,
    results: multiprocessing.Queue[float],
) -> None:
    """Runs the write_story target from ``go`` to ``stop``; reports the CPU seconds used."""
    app = open_app(site)
    try:
        worker = app.worker(["write_story"], concurrency=concurrency)
        # warm-up, storing nothing: the text engine loads its word lists
        request = StoryRequest(
            prompt="", characters=SAMPLE_CHARACTERS, scene=STARTER_SCENES[0], seed=1
        )
        get_text_engine(app.settings.text.engine, app.settings).write(request)
        ready.set()
        go.wait()
        cpu = time.process_time()
        worker.run(stop)  # type: ignore[arg-type]
        results.put(time.process_time() - cpu)
    finally:
        app.close()


@contextmanager
def children(
    count: int, target: Callable[..., None], site: Site, *extra: object
) -> Iterator[Callable[[], bool]]:
    """``count`` spawned processes running ``target(site, ready, stop, *extra)``, all ready
    when the block starts; told to stop, and waited for, when it ends. Yields a function
    that says whether they are all still running."""
    context = multiprocessing.get_context("spawn")
    stop = context.Event()
    readies = [context.Event() for _ in range(count)]
    processes = [
        context.Process(target=target, args=(site, ready, stop, *extra), daemon=True)
        for ready in readies
    ]
    for process in processes:
        process.start()
    try:
        for ready, process in zip(readies, processes, strict=True):
            while not ready.wait(0.5):
                if not process.is_alive():
                    raise SystemExit("a child process failed to start: see above")
        yield lambda: all(process.is_alive() for process in processes)
    finally:
        stop.set()
        for process in processes:
            process.join(60)
            if process.is_alive():
                process.terminate()
                process.join()


# ------------------------------------------------------------------------------ the measurements


@dataclass
class Firing:
    schedules: int
    schedulers: int
    early: bool  # T came less than a second after it was set: the schedulers may have slept
    all_fired_s: float  # T -> the last firing committed
    cpu_s: float  # CPU the schedulers used, all together (not the database server's)
    by_scheduler: list[int]
    lags: list[float] = field(default_factory=list)  # published_at - T, sorted
    events: int = 0
    subjects: int = 0  # distinct story ids among the events
    deliveries: int = 0
    moved: int = 0  # schedules whose last firing is T

    @property
    def exactly_once(self) -> bool:
        want = self.schedules
        return sum(self.by_scheduler) == self.events == self.subjects == want and (
            self.deliveries == self.moved == want
        )

    def checks(self) -> str:
        fired = " + ".join(str(n) for n in self.by_scheduler)
        return (
            f"exactly once: {'yes' if self.exactly_once else 'NO'} (fired {fired}; "
            f"{self.events} events, {self.subjects} story ids, {self.deliveries} write_story "
            f"deliveries, {self.moved} schedules moved on)"
        )


def fire(
    app: App, site: Site, homes: list[int], count: int, schedulers: int, margin_s: float
) -> Firing:
    """``count`` schedules due at T = now + ``margin_s``, fired by ``schedulers`` processes."""
    clear(app)
    seed_schedules(app, homes, count, None)
    context = multiprocessing.get_context("spawn")
    shared = context.Value("q", 0)
    results: multiprocessing.Queue[tuple[int, float, float]] = context.Queue()
    with children(schedulers, scheduler_process, site, shared, results) as running:
        due = utcnow() + timedelta(seconds=margin_s)
        make_due(app, due)
        # an idle scheduler looks for the soonest due time once a second
        early = utcnow() > due - timedelta(seconds=1)
        deadline = time.monotonic() + margin_s + TIMEOUT_S
        while shared.value < count and time.monotonic() < deadline and running():
            time.sleep(0.05)
        if shared.value < count:
            print(f"    only {shared.value} of {count} fired: see above")
    reports = []
    for _ in range(schedulers):
        try:
            reports.append(results.get(timeout=10))
        except Empty:
            print("    a scheduler did not report: see above")
    firing = Firing(
        schedules=count,
        schedulers=schedulers,
        early=early,
        all_fired_s=max((at for _, at, _ in reports), default=math.nan) - due.timestamp(),
        cpu_s=sum(cpu for _, _, cpu in reports),
        by_scheduler=sorted((n for n, _, _ in reports), reverse=True),
    )
    fired = BusEventRow.detail_type == DETAIL_TYPE
    with app.db.transaction() as c:
        published = c.execute(select(BusEventRow.published_at).where(fired)).scalars().all()
        firing.lags = sorted((at - due).total_seconds() for at in published)
        firing.events = len(published)
        firing.subjects = c.execute(
            select(func.count(func.distinct(BusEventRow.subject))).where(fired)
        ).scalar_one()
        firing.deliveries = c.execute(
            select(func.count()).where(BusDeliveryRow.target == "write_story")
        ).scalar_one()
        firing.moved = c.execute(
            select(func.count()).where(ScheduleRow.last_fired_at == due)
        ).scalar_one()
    return firing


@dataclass
class Writing:
    per_s: float  # stories a second, from the workers' start to the last story stored
    stored: int
    undone: int  # write_story deliveries not done at the end (retried or dead-lettered)
    cpu_s: float  # CPU the workers used, all together (not the database server's)


def write_stories(
    app: App, site: Site, homes: list[int], count: int, workers: int, concurrency: int
) -> Writing:
    """``count`` ScheduleFired on the bus, then ``workers`` processes write their stories."""
    clear(app)
    seed_schedules(app, homes, count, utcnow())
    fired = Scheduler(app.db, app.bus).run_once().fired
    if fired != count:
        raise SystemExit(f"the scheduler fired {fired} of {count} schedules")
    context = multiprocessing.get_context("spawn")
    go = context.Event()
    results: multiprocessing.Queue[float] = context.Queue()
    with children(workers, worker_process, site, concurrency, go, results) as running:
        started = time.time()
        go.set()
        deadline = time.monotonic() + TIMEOUT_S
        while time.monotonic() < deadline and running() and _scalar(app, _STORED) < count:
            time.sleep(0.1)
        last = _scalar(app, select(func.max(StoryRow.created_at)))
        time.sleep(0.5)  # the last acks
        undone = _scalar(app, select(func.count()).where(BusDeliveryRow.state != "done"))
    stored = _scalar(app, _STORED)
    cpu = sum(results.get(timeout=10) for _ in range(workers))
    took = (last.timestamp() if last else math.nan) - started
    return Writing(stored / took, stored, undone, cpu)


_STORED = select(func.count()).select_from(StoryRow)


def _scalar(app: App, query: Any) -> Any:
    with app.db.transaction() as c:
        return c.execute(query).scalar()


# ------------------------------------------------------------------------------ the report


def percentile(values: list[float], share: float) -> float:
    """Nearest rank of sorted ``values``."""
    return values[max(0, math.ceil(share * len(values)) - 1)] if values else math.nan


def lag_line(lags: list[float]) -> str:
    return (
        f"lag p50 {percentile(lags, 0.5):.2f} s, p99 {percentile(lags, 0.99):.2f} s, "
        f"max {percentile(lags, 1.0):.2f} s"
    )


def plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def report_firing(label: str, run: Firing) -> None:
    who = plural(run.schedulers, "scheduler")
    ms = run.cpu_s * 1000 / run.schedules
    rate = f" ({run.schedules / run.all_fired_s:,.0f}/s)" if label == "burst" else ""
    print(
        f"  {label:<6} {who:<12} {run.schedules:,} due at T: all on the bus at "
        f"T+{run.all_fired_s:.2f} s{rate}; {lag_line(run.lags)}"
    )
    print(f"{'':22}scheduler CPU {run.cpu_s:.1f} s ({ms:.2f} ms a firing); {run.checks()}")
    if run.early:
        print(f"{'':22}(T came less than 1 s after it was set: raise --margin)")


def bench_site(kind: str, workdir: Path, args: argparse.Namespace) -> list[str]:
    """Run everything on one database; returns the goals missed."""
    missed: list[str] = []
    with open_site(kind, workdir) as (site, app):
        homes = seed_households(app, args.households)
        print(f"{kind} ({len(homes):,} households; load average {os.getloadavg()[0]:.1f})")
        for schedulers in (1, 2):
            who = plural(schedulers, "scheduler")
            burst = fire(app, site, homes, args.schedules, schedulers, args.margin)
            report_firing("burst", burst)
            if burst.all_fired_s > 60 or not burst.exactly_once:
                missed.append(f"{kind}, {who}: {burst.schedules:,} fired within 60 s, once each")
            lag = fire(app, site, homes, args.lag_schedules, schedulers, args.margin)
            report_firing("lag", lag)
            if percentile(lag.lags, 0.99) >= 1 or not lag.exactly_once:
                missed.append(f"{kind}, {who}: p99 lag under 1 s for {lag.schedules:,}")
        for workers in (1, 2):
            run = write_stories(app, site, homes, args.stories, workers, args.concurrency)
            print(
                f"  write  {plural(workers, 'worker'):<12} {run.stored:,} stories: "
                f"{run.per_s:.0f} stories/s ({args.concurrency} handler threads each); "
                f"worker CPU {run.cpu_s:.1f} s ({run.cpu_s * 1000 / run.stored:.1f} ms a story)"
                + (f"; {run.undone} deliveries not done" if run.undone else "")
            )
    return missed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--databases", default="sqlite,postgres", help="sqlite,postgres")
    parser.add_argument("--schedules", type=int, default=100_000, help="schedules in the burst")
    parser.add_argument("--lag-schedules", type=int, default=1000, help="schedules for the lag")
    parser.add_argument("--stories", type=int, default=500, help="stories the workers write")
    parser.add_argument("--households", type=int, default=1000, help="households to spread over")
    parser.add_argument("--concurrency", type=int, default=4, help="handler threads per worker")
    parser.add_argument(
        "--margin", type=float, default=5.0, help="seconds from setting T to T (default 5)"
    )
    args = parser.parse_args()
    os.environ.pop("BEDTALES_DATABASE_URL", None)  # each database is named by its site
    print(
        f"bench/scheduler.py: {os.cpu_count()} cores; {args.schedules:,} schedules in the "
        f"burst, {args.lag_schedules:,} for the lag, {args.stories:,} stories; CPU figures "
        "are the bench's processes only, not the PostgreSQL server's"
    )
    missed: list[str] = []
    with tempfile.TemporaryDirectory() as tmp:
        for kind in args.databases.split(","):
            missed += bench_site(kind.strip(), Path(tmp), args)
    print(
        f"goals: all {args.schedules:,} fired within 60 s, p99 lag under 1 s for "
        f"{args.lag_schedules:,}: " + ("met" if not missed else "MISSED: " + "; ".join(missed))
    )


if __name__ == "__main__":
    main()
