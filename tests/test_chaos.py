"""Chaos on many machines: two schedulers, three workers and the web app on PostgreSQL, the
Redis bus and S3, fifty households on ``rate(1 minute)`` schedules, while a scheduler or a
worker is killed (SIGKILL) every 20 s and started again, Redis is killed and restarted once
and PostgreSQL stopped as by a crash and restarted once. Afterwards every firing has made
exactly one story, every story is done, every subscriber was told once (a resend only with
the same Message-ID and recorded as such), nothing was dead-lettered and no process exited
by itself. The scenario and its checks: tests/servers/chaos.py; a longer run with the
figures: bench/chaos.py."""

from __future__ import annotations

import os
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError, OperationalError

from bedtales.app import App, initialise
from bedtales.bus.backends.redis import RedisBackend
from bedtales.clock import utcnow
from bedtales.notify import subscribers
from bedtales.scheduler import schedules
from bedtales.scheduler.firing import fired_event
from bedtales.storage import Database
from bedtales.storage.database import is_outage
from bedtales.storage.models import StoryRow
from conftest import require_service
from servers.chaos import Chaos, Plan, settings_for
from servers.cluster import (
    START_TIMEOUT_S,
    STOP_TIMEOUT_S,
    Member,
    OwnPostgres,
    OwnRedis,
    Unavailable,
    own_postgres,
    own_redis,
    tails,
    wait_for,
)
from servers.seaweedfs import S3Server, free_ports
from servers.smtp import SmtpServer

# about three and a half minutes of chaos: ten kills, both restarts, four firings a household
CHAOS_S = float(os.environ.get("BEDTALES_TEST_CHAOS_S", "210"))
HOUSEHOLDS = 50
# longer than a firing's three attempts take with the default backoff (at most 2 + 4 s)
DATABASE_DOWN_S = 15
# the chaos, then up to five minutes for the workers to catch up (a bound for a slow
# machine, not a timing assertion), and starting and stopping
pytestmark = [pytest.mark.postgres, pytest.mark.timeout(CHAOS_S + 300 + 180)]


@pytest.fixture
def redis_server(tmp_path: Path) -> Iterator[OwnRedis]:
    try:
        with own_redis(tmp_path / "redis") as server:
            yield server
    except Unavailable as exc:
        require_service("redis-server", str(exc))


@pytest.fixture
def postgres() -> Iterator[OwnPostgres]:
    try:
        with own_postgres() as server:
            yield server
    except Unavailable as exc:
        require_service("PostgreSQL (initdb, pg_ctl)", str(exc))


@pytest.fixture
def cluster(
    redis_server: OwnRedis,
    postgres: OwnPostgres,
    s3_server: S3Server,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[tuple[App, int]]:
    """A data dir on the cluster's PostgreSQL, Redis and a bucket of its own, set in the
    environment the child processes inherit; and the web app's port."""
    [web_port] = free_ports(1)
    database = postgres.create_database("bedtales")
    settings = settings_for(
        database,
        redis_server.url,
        s3_server,
        bus=f"chaos-{uuid.uuid4().hex[:8]}",
        bucket=f"chaos-{uuid.uuid4().hex[:12]}",
        web_port=web_port,
    )
    for name, value in settings.items():
        monkeypatch.setenv(name, value)
    bedtales, _, _ = initialise(tmp_path / "data", timezone="UTC")
    try:
        yield bedtales, web_port
    finally:
        backend = bedtales.bus.backend
        assert isinstance(backend, RedisBackend)
        bedtales.tools.media.delete_prefix("stories/")
        bedtales.close()


def test_kills_and_restarts_lose_no_firing_story_or_message(
    cluster: tuple[App, int],
    redis_server: OwnRedis,
    postgres: OwnPostgres,
    smtp_server: SmtpServer,
    tmp_path: Path,
) -> None:
    bedtales, web_port = cluster
    logs = tmp_path / "logs"
    logs.mkdir()
    chaos = Chaos(
        bedtales,
        redis_server,
        postgres,
        smtp_server,
        logs,
        web_port,
        Plan(households=HOUSEHOLDS, chaos_s=CHAOS_S),
        say=print,
    )
    report = chaos.run()
    print("\n".join(report.lines()))
    happenings = "\n".join(report.happenings)
    assert report.problems == [], "\n".join([*report.problems, happenings])
    # the run did what it says: firings on every schedule, kills, both restarts
    assert report.figures["firings"] >= 2 * HOUSEHOLDS
    assert sum(m.kills for m in chaos.members) >= int(CHAOS_S // 20) - 1, happenings
    assert (redis_server.restarts, postgres.restarts) == (1, 1)


def test_a_story_being_written_survives_a_database_restart(
    cluster: tuple[App, int],
    postgres: OwnPostgres,
    smtp_server: SmtpServer,
    tmp_path: Path,
) -> None:
    """PostgreSQL down for longer than a firing's three attempts last (a backoff of a few
    seconds): a worker whose write_story fails because the database is away runs it again
    once it is back, without using up its attempts, rather than dead-lettering the
    night's story."""
    bedtales, _ = cluster
    subscribers.add_subscriber(bedtales.db, "home", smtp_server.url(to="home@example.com"))
    schedule = schedules.add_schedule(bedtales.db, "home", "rate(1 hour)", name="hourly")
    assert schedule.max_attempts == 3
    fired = fired_event(schedule, utcnow().replace(microsecond=0), utcnow())
    story = fired.detail["storyId"]
    logs = tmp_path / "logs"
    logs.mkdir()
    worker = Member(
        "worker", "worker", "worker serving", ("worker",), bedtales.settings.data_dir, logs
    )
    worker.start()
    wait_for(worker.process.ready, START_TIMEOUT_S, [worker.process])
    try:
        postgres.stop("immediate")
        bedtales.bus.publish([fired])  # Redis is up: the worker takes it and cannot write
        time.sleep(DATABASE_DOWN_S)
        postgres.start()
        backend = bedtales.bus.backend
        assert isinstance(backend, RedisBackend)

        def told() -> bool:
            return len(smtp_server.received) >= 1 or bool(backend.dead_letters(None, 10))

        wait_for(told, 120, [worker.process])
    finally:
        worker.stop()
        worker.process.popen.wait(STOP_TIMEOUT_S)
    logs_text = tails([worker.process], 60)
    assert backend.dead_letters(None, 10) == [], logs_text
    assert "the database is away" in worker.process.log.read_text(), logs_text
    [mail] = smtp_server.received
    assert mail.recipients == ["home@example.com"]
    assert story in mail.message.get_body(("plain",)).get_content()
    with bedtales.db.session() as session:
        assert session.get(StoryRow, story) is not None


def test_an_outage_is_told_from_a_failure_of_the_work(
    postgres_database: Database, tmp_path: Path
) -> None:
    """What the worker runs again without using up attempts (is_outage): a connection
    refused, or ended by the server; never an error in the work itself, nor SQLite's."""
    [closed_port] = free_ports(1)
    away = Database(f"postgresql+psycopg://postgres@127.0.0.1:{closed_port}/nothing")
    with pytest.raises(OperationalError) as refused, away.engine.connect():
        pass
    assert is_outage(refused.value)
    away.dispose()

    engine = postgres_database.engine
    with engine.connect() as victim, engine.connect() as other:
        pid = victim.execute(text("SELECT pg_backend_pid()")).scalar()
        other.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
        with pytest.raises(DBAPIError) as ended:
            victim.execute(text("SELECT 1"))
    assert is_outage(ended.value)

    with engine.connect() as connection, pytest.raises(DBAPIError) as wrong:
        connection.execute(text("SELECT * FROM no_such_table"))
    assert not is_outage(wrong.value)
    with engine.connect() as connection, pytest.raises(DBAPIError) as zero:
        connection.execute(text("SELECT 1 / 0"))
    assert not is_outage(zero.value)

    sqlite = Database(f"sqlite:///{tmp_path / 'outage.db'}")
    with sqlite.engine.connect() as connection, pytest.raises(DBAPIError) as local:
        connection.execute(text("SELECT * FROM no_such_table"))
    assert not is_outage(local.value)
    sqlite.dispose()
