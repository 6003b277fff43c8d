"""Benchmark of the event backbone, on SQLite, PostgreSQL and Redis.

* latency: a story row is committed (50 a second); the trigger, the pipe, the bus and a worker
  process carry it to the three targets. Measured: commit -> each handler's start, p50/p99.
* throughput: N events are put on the bus at once and fanned out to three no-op targets by
  1 and by 2 worker processes. Measured: events/s from the first publish to the last handler.

Run: .venv/bin/python bench/bus.py [--backends sqlite,postgres,redis] [--events N]
Figures to compare with (the issue, same workload): Huey on SQLite ~770 events/s, p99 ~100 ms;
Huey on Redis ~1,500 events/s, p99 ~2 ms; Dramatiq on Redis ~1,200 events/s, p99 20-38 ms;
Celery on Redis (acks late) ~380 events/s, p99 ~6 ms. Goals: SQLite >= 2,000 events/s and
p99 <= 25 ms; Redis >= 10,000 events/s and p99 <= 5 ms.
"""

from __future__ import annotations

import argparse
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "bench"))  # bench_handlers, imported when the topology is built
os.environ.setdefault("BEDTALES_BENCH_LOG", os.devnull)  # this process runs no handler

from sqlalchemy import create_engine, text  # noqa: E402

from bedtales.app import App, initialise  # noqa: E402
from bedtales.bus.events import Event  # noqa: E402
from bedtales.storage.models import StoryRow  # noqa: E402

POSTGRES = os.environ.get(
    "BEDTALES_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
REDIS = os.environ.get("BEDTALES_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
TARGETS = ("illustrate", "narrate", "notify")
SOURCE = "bedtales.stories"  # the default rule routes StoryCreated from here to all three
SETTINGS = """
[bus]
backend = "{backend}"
redis_url = "{redis}"
name = "{name}"
lease_s = 30
handler_modules = ["bench_handlers"]
[bus.targets.illustrate]
handler = "bench-noop"
[bus.targets.narrate]
handler = "bench-noop"
[bus.targets.notify]
handler = "bench-noop"
"""


@dataclass
class Setup:
    name: str
    data_dir: Path
    log: Path
    env: dict[str, str]
    cleanup: list[object]


def make_setup(kind: str, workdir: Path) -> Setup:
    data_dir = workdir / kind
    data_dir.mkdir()
    env = dict(
        os.environ, PYTHONPATH=str(ROOT / "bench"), BEDTALES_BENCH_LOG=str(workdir / f"{kind}.log")
    )
    cleanup: list[object] = []
    if kind in ("postgres", "redis"):
        database = f"bedtales_bench_{uuid.uuid4().hex[:8]}"
        admin = create_engine(POSTGRES, isolation_level="AUTOCOMMIT")
        with admin.connect() as c:
            c.execute(text(f'CREATE DATABASE "{database}"'))
        env["BEDTALES_DATABASE_URL"] = POSTGRES.rsplit("/", 1)[0] + "/" + database
        cleanup.append((admin, database))
    bus = "sql" if kind != "redis" else "redis"
    (data_dir / "bedtales.toml").write_text(
        SETTINGS.format(backend=bus, redis=REDIS, name=f"bench-{uuid.uuid4().hex[:8]}")
    )
    return Setup(kind, data_dir, workdir / f"{kind}.log", env, cleanup)


def open_app(setup: Setup) -> App:
    saved = dict(os.environ)
    os.environ.update(setup.env)
    try:
        bedtales, _, _ = initialise(setup.data_dir, samples=True)
        return bedtales
    finally:
        os.environ.clear()
        os.environ.update(saved)


def start_workers(setup: Setup, count: int, *, pipe: bool) -> list[subprocess.Popen[bytes]]:
    command = [
        sys.executable,
        "-m",
        "bedtales",
        "worker",
        "--data-dir",
        str(setup.data_dir),
        "--concurrency",
        "8",
    ]
    if not pipe:
        command.append("--no-pipe")
    return [
        subprocess.Popen(
            command, env=setup.env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        for _ in range(count)
    ]


def stop_workers(workers: list[subprocess.Popen[bytes]]) -> None:
    for worker in workers:
        worker.send_signal(signal.SIGTERM)
    for worker in workers:
        worker.wait(60)


def read_log(setup: Setup) -> list[tuple[str, str, float]]:
    if not setup.log.exists():
        return []
    rows = []
    for line in setup.log.read_text().splitlines():
        parts = line.split()
        if len(parts) == 3:
            rows.append((parts[0], parts[1], float(parts[2])))
    return rows


def wait_lines(setup: Setup, count: int, timeout_s: float) -> list[tuple[str, str, float]]:
    """Wait until the handlers have logged ``count`` lines; reads only what is new each time,
    so that the waiting costs the machine next to nothing."""
    deadline = time.monotonic() + timeout_s
    seen, offset = 0, 0
    while time.monotonic() < deadline:
        with setup.log.open("rb") as log:
            log.seek(offset)
            chunk = log.read()
        offset += len(chunk)
        seen += chunk.count(b"\n")
        if seen >= count:
            return read_log(setup)
        time.sleep(0.05)
    raise SystemExit(f"{setup.name}: only {seen} of {count} handler runs after {timeout_s} s")


def insert_story(bedtales: App, household_id: int) -> tuple[str, float]:
    now = datetime.now(UTC)
    story_id = str(uuid.uuid4())
    with bedtales.db.session() as s:
        s.add(
            StoryRow(
                id=story_id,
                household_id=household_id,
                title="Bench",
                description="bench",
                scene="bench",
                characters=["Eric"],
                prompt="bench",
                engine="bench",
                seed=0,
                word_count=1,
                created_at=now,
                expires_at=now + timedelta(hours=48),
            )
        )
    return story_id, time.time()


def latency(setup: Setup, bedtales: App, stories: int, rate: float) -> tuple[float, float]:
    setup.log.write_text("")
    workers = start_workers(setup, 1, pipe=True)
    try:
        insert_story(bedtales, 1)
        wait_lines(setup, 3, 60)  # warm: the worker and the pipe are up
        setup.log.write_text("")
        committed: dict[str, float] = {}
        start = time.monotonic()
        for n in range(stories):
            time.sleep(max(0.0, start + n / rate - time.monotonic()))
            story_id, at = insert_story(bedtales, 1)
            committed[story_id] = at
        rows = wait_lines(setup, 3 * stories, 120)
    finally:
        stop_workers(workers)
    waits = sorted(
        (started - committed[story]) * 1000 for story, _, started in rows if story in committed
    )
    return statistics.median(waits), waits[int(len(waits) * 0.99) - 1]


def throughput(setup: Setup, bedtales: App, events: int, workers_count: int) -> float:
    setup.log.write_text("")
    workers = start_workers(setup, workers_count, pipe=False)
    try:
        bedtales.bus.publish([Event(SOURCE, "StoryCreated", {"id": "warmup"})])
        wait_lines(setup, 3, 60)
        setup.log.write_text("")
        batch = [Event(SOURCE, "StoryCreated", {"id": f"e{n}"}) for n in range(events)]
        started = time.time()
        for first in range(0, events, 500):
            bedtales.bus.publish(batch[first : first + 500])
        rows = wait_lines(setup, 3 * events, 300)
    finally:
        stop_workers(workers)
    return events / (max(started_at for _, _, started_at in rows) - started)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--backends", default="sqlite,postgres,redis")
    parser.add_argument("--events", type=int, default=3000, help="events for the throughput run")
    parser.add_argument("--stories", type=int, default=250, help="stories for the latency run")
    parser.add_argument("--rate", type=float, default=50.0, help="stories per second (latency run)")
    args = parser.parse_args()
    print(
        f"bench/bus.py: {os.cpu_count()} cores; latency at {args.rate:g} stories/s, "
        f"throughput with {args.events} events x {len(TARGETS)} targets"
    )
    with tempfile.TemporaryDirectory() as tmp:
        for kind in args.backends.split(","):
            setup = make_setup(kind, Path(tmp))
            bedtales = open_app(setup)
            try:
                p50, p99 = latency(setup, bedtales, args.stories, args.rate)
                one = throughput(setup, bedtales, args.events, 1)
                two = throughput(setup, bedtales, args.events, 2)
            finally:
                bedtales.close()
                for admin, database in setup.cleanup:  # type: ignore[misc]
                    with admin.connect() as c:
                        c.execute(text(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)'))
            print(
                f"  {kind:<9} latency commit->handler p50 {p50:7.1f} ms  p99 {p99:7.1f} ms   "
                f"throughput 1 worker {one:8.0f} events/s  2 workers {two:8.0f} events/s"
            )
    print("  goals: sqlite >= 2000 events/s, p99 <= 25 ms; redis >= 10000 events/s, p99 <= 5 ms")


if __name__ == "__main__":
    main()
