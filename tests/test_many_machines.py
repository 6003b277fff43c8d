"""Many machines: `bedtales web`, `bedtales scheduler` and `bedtales worker` as separate
processes sharing PostgreSQL, the Redis bus and an S3 store (SeaweedFS), as in a deployment
spread over several hosts. Two schedulers and three workers fire every schedule of several
households once, and every firing becomes one story with its picture, its narration and one
email per subscriber."""

from __future__ import annotations

import os
import re
import uuid
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import httpx
import pytest
import redis
from sqlalchemy import select, update

from bedtales.app import App, initialise
from bedtales.bus.backends.redis import RedisBackend
from bedtales.bus.events import Event
from bedtales.clock import utcnow
from bedtales.households import services
from bedtales.media import AUDIO, IMAGE, THUMBNAIL, TIMINGS, story_key
from bedtales.notify import subscribers
from bedtales.scheduler import schedules
from bedtales.scheduler.firing import DETAIL_TYPE, fired_event
from bedtales.scheduler.schedules import Schedule
from bedtales.storage.models import HouseholdRow, ScheduleRow, StoryRow
from bedtales.stories.starter import SAMPLE_CHARACTERS, STARTER_SCENES
from conftest import require_service
from servers.cluster import start, stop_all, tails, wait_for
from servers.seaweedfs import S3Server, free_ports
from servers.smtp import SmtpServer

pytestmark = pytest.mark.postgres

REDIS_URL = os.environ.get("BEDTALES_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
HOME_ZONE = "Europe/London"  # the household `initialise` makes
OTHER_HOUSEHOLDS = {
    "harbour": "America/New_York",
    "hills": "Asia/Tokyo",
    "reef": "Australia/Sydney",
    "meadow": "UTC",
}
SCHEDULERS, WORKERS = 2, 3
START_TIMEOUT_S = 40.0
DONE_TIMEOUT_S = 60.0  # a generous bound on a slow, busy machine; not a timing assertion
# seconds after the processes are up at which each household's schedules fire; some land
# on the same second, so one scheduler pass claims several rows
FIRE_OFFSETS_S = (3, 5)
STORY_LINK = re.compile(r"/stories/([0-9a-f-]{36})")
FIRED_METRIC = re.compile(r'^bedtales_schedule_firings_total\{outcome="(\w+)"\} (\S+)$', re.M)
ALL_DONE = ("done", "done", "done")


def public_endpoint(s3_server: S3Server) -> str:
    return f"http://localhost:{urlsplit(s3_server.endpoint_url).port}"


@dataclass(frozen=True)
class Firing:
    """One firing the test expects: the event that asks for it and the story it writes."""

    household: str
    schedule: str
    fire: datetime
    event_id: str
    story_id: str
    recipient: str


def recipient(household: str) -> str:
    return f"{household}@example.com"


@pytest.fixture
def cluster(
    fresh_postgres_url: str,
    s3_server: S3Server,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[App]:
    """A data dir on a fresh PostgreSQL database, a Redis bus of its own and an S3 bucket of
    its own, all set in the environment the child processes inherit."""
    client = redis.Redis.from_url(REDIS_URL)
    try:
        client.ping()
    except redis.RedisError as exc:
        require_service("Redis", f"{REDIS_URL}: {exc}")
    finally:
        client.close()
    settings = {
        "DATABASE_URL": fresh_postgres_url,
        "BUS__BACKEND": "redis",
        "BUS__REDIS_URL": REDIS_URL,
        "BUS__NAME": f"test-{uuid.uuid4().hex}",
        "MEDIA__STORE": "s3",
        "MEDIA__S3_BUCKET": f"many-{uuid.uuid4().hex[:12]}",
        "MEDIA__S3_ENDPOINT_URL": s3_server.endpoint_url,
        # the phones' address for the same server: the links are signed for it
        "MEDIA__S3_PUBLIC_ENDPOINT_URL": public_endpoint(s3_server),
        "MEDIA__S3_REGION": s3_server.region,
        "MEDIA__S3_ACCESS_KEY_ID": s3_server.access_key_id,
        "MEDIA__S3_SECRET_ACCESS_KEY": s3_server.secret_access_key,
        "MEDIA__S3_CREATE_BUCKET": "true",  # the three workers race to make it
        "SPEECH__ENGINE": "espeak",  # narrates in a fraction of a second
    }
    for name, value in settings.items():
        monkeypatch.setenv(f"BEDTALES_{name}", value)
    bedtales, _, _ = initialise(tmp_path / "data", timezone=HOME_ZONE)
    try:
        yield bedtales
    finally:
        backend = bedtales.bus.backend
        assert isinstance(backend, RedisBackend)
        backend.purge()
        bedtales.tools.media.delete_prefix("stories/")
        bedtales.close()


def add_households(bedtales: App, smtp_server: SmtpServer) -> list[str]:
    """Four households beside `home`, each with the sample characters and scenes; every
    household gets an email subscriber."""
    for name, zone in OTHER_HOUSEHOLDS.items():
        services.add_household(
            bedtales.db,
            name,
            timezone=zone,
            characters=SAMPLE_CHARACTERS,
            scenes=STARTER_SCENES,
        )
    households = ["home", *OTHER_HOUSEHOLDS]
    for name in households:
        subscribers.add_subscriber(bedtales.db, name, smtp_server.url(to=recipient(name)))
    return households


def at(moment: datetime, zone: str) -> str:
    """An ``at()`` expression for ``moment``, read in ``zone``."""
    return f"at({moment.astimezone(ZoneInfo(zone)):%Y-%m-%dT%H:%M:%S})"


def add_schedules(bedtales: App, households: list[str]) -> list[Firing]:
    """Two ``at()`` schedules a household a few seconds from now, `home`'s nightly one moved
    to one of them, and a ``rate(1 hour)`` schedule whose first firing is brought forward;
    the firings they will make."""
    now = utcnow().replace(microsecond=0)
    zones = {"home": HOME_ZONE, **OTHER_HOUSEHOLDS}
    for index, household in enumerate(households):
        first, second = (now + timedelta(seconds=offset + index % 2) for offset in FIRE_OFFSETS_S)
        if household == "home":
            schedules.update(bedtales.db, "home", "nightly", expression=at(first, HOME_ZONE))
        else:
            schedules.add_schedule(bedtales.db, household, at(first, zones[household]))
        schedules.add_schedule(bedtales.db, household, at(second, zones[household]), name="late")
    soon = now + timedelta(seconds=FIRE_OFFSETS_S[-1])
    schedules.add_schedule(bedtales.db, "meadow", "rate(1 hour)", name="hourly")
    with bedtales.db.session() as session:
        session.execute(
            update(ScheduleRow)
            .where(ScheduleRow.name == "hourly")
            .values(next_fire_at=soon, due_at=soon)
        )
    return expected_firings(bedtales, now)


def expected_firings(bedtales: App, now: datetime) -> list[Firing]:
    with bedtales.db.session() as session:
        rows = session.execute(
            select(ScheduleRow, HouseholdRow.name).join(
                HouseholdRow, HouseholdRow.id == ScheduleRow.household_id
            )
        ).all()
        firings = []
        for row, household in rows:
            fire = row.next_fire_at
            assert fire is not None, f"{household}/{row.name} has no next firing"
            assert now < fire < now + timedelta(seconds=10), f"{household}/{row.name}: {fire}"
            due = Schedule(
                row.id,
                row.household_id,
                household,
                row.name,
                row.expression,
                row.timezone,
                row.window_minutes,
                row.max_attempts,
                row.max_age_s,
                fire,
                row.last_fired_at,
            )
            event = fired_event(due, fire, now)
            firings.append(
                Firing(
                    household,
                    row.name,
                    fire,
                    event.id,
                    event.detail["storyId"],
                    recipient(household),
                )
            )
    return firings


def story_states(bedtales: App) -> dict[str, tuple[str, str, str]]:
    with bedtales.db.session() as session:
        rows = session.execute(
            select(StoryRow.id, StoryRow.image_state, StoryRow.audio_state, StoryRow.notify_state)
        ).all()
    return {row.id: (row.image_state, row.audio_state, row.notify_state) for row in rows}


def emails(smtp_server: SmtpServer) -> Counter[tuple[str, str]]:
    """(recipient, story id) of every email received, counted."""
    told: Counter[tuple[str, str]] = Counter()
    for received in smtp_server.received:
        body = received.message.get_body(("plain",))
        assert body is not None
        match = STORY_LINK.search(body.get_content())
        assert match, f"no story link in the email to {received.recipients}"
        for address in received.recipients:
            told[(address, match.group(1))] += 1
    return told


def firings_counted(port: int) -> dict[str, float]:
    """A scheduler's own count of its firings, from its /metrics."""
    text = httpx.get(f"http://127.0.0.1:{port}/metrics", timeout=5).text
    return {outcome: float(value) for outcome, value in FIRED_METRIC.findall(text)}


def test_two_schedulers_and_three_workers_write_one_story_per_firing(
    cluster: App, smtp_server: SmtpServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    households = add_households(cluster, smtp_server)
    data_dir = cluster.settings.data_dir
    *metrics_ports, web_port = free_ports(SCHEDULERS + 1)
    web = f"http://127.0.0.1:{web_port}"
    monkeypatch.setenv("BEDTALES_WEB__BASE_URL", web)  # the links in the emails
    backend = cluster.bus.backend
    _, cursor = backend.recent_events(None, 0)
    processes = [
        start(data_dir, tmp_path, f"scheduler-{n}", "scheduler firing", "scheduler", *metrics)
        for n, metrics in enumerate(["--metrics-port", str(port)] for port in metrics_ports)
    ]
    processes += [
        start(data_dir, tmp_path, f"worker-{n}", "worker serving", "worker") for n in range(WORKERS)
    ]
    processes.append(
        start(data_dir, tmp_path, "web", "bedtales web on", "web", "--port", str(web_port))
    )
    events: list[Event] = []
    try:
        wait_for(lambda: all(p.ready() for p in processes), START_TIMEOUT_S, processes)
        firings = add_schedules(cluster, households)
        wanted = {f.story_id for f in firings}

        def everything_done() -> bool:
            nonlocal cursor
            new, cursor = backend.recent_events(cursor, 1000)
            events.extend(new)
            states = story_states(cluster)
            finished = all(states.get(story) == ALL_DONE for story in wanted)
            return finished and sum(emails(smtp_server).values()) >= len(firings)

        def progress() -> str:
            states = story_states(cluster)
            done = sum(states.get(story) == ALL_DONE for story in wanted)
            return (
                f"{len(states)} of {len(wanted)} stories written, {done} done, "
                f"{sum(emails(smtp_server).values())} emails; states {states}"
            )

        wait_for(everything_done, DONE_TIMEOUT_S, processes, progress)
        counted = [firings_counted(port) for port in metrics_ports]
        pages = {story: httpx.get(f"{web}/api/stories/{story}", timeout=10) for story in wanted}
    finally:
        stop_all(processes)
    logs = tails(processes)
    assert [p.popen.returncode for p in processes] == [0] * len(processes), logs
    new, cursor = backend.recent_events(cursor, 1000)
    events.extend(new)

    # one story per firing, each with its picture, its narration and its message
    states = story_states(cluster)
    assert len(firings) == 11
    assert set(states) == wanted, logs
    assert len(states) == len(firings)
    assert set(states.values()) == {ALL_DONE}, logs
    assert emails(smtp_server) == Counter((f.recipient, f.story_id) for f in firings), logs

    # each firing fired once: one ScheduleFired on the bus, counted once by the schedulers,
    # and written once by write_story; one StoryCreated per story
    fired = Counter(e.id for e in events if e.detail_type == DETAIL_TYPE)
    assert fired == Counter(f.event_id for f in firings), logs
    created = Counter(e.subject for e in events if e.detail_type == "StoryCreated")
    assert created == Counter(wanted), logs
    assert sum(c.get("fired", 0) for c in counted) == len(firings), logs
    assert sum(c.get("skipped", 0) for c in counted) == 0, logs
    for firing in firings:
        deliveries = {
            (s.event_id, s.detail_type, s.target): s.state
            for s in backend.delivery_states(firing.story_id)
        }
        assert deliveries[(firing.event_id, DETAIL_TYPE, "write_story")] == "done", logs
        assert set(deliveries.values()) == {"done"}, deliveries
        by_target = Counter((detail_type, target) for _, detail_type, target in deliveries)
        assert by_target == Counter(
            [
                (DETAIL_TYPE, "write_story"),
                *[("StoryCreated", t) for t in ("illustrate", "narrate", "notify")],
            ]
        ), deliveries
    assert backend.dead_letters(None, 100) == [], logs

    # the schedules moved on: the at() ones are spent, the rate one fires again in an hour
    by_name = {(s.household, s.name): s for s in schedules.list_schedules(cluster.db)}
    for firing in firings:
        schedule = by_name[(firing.household, firing.schedule)]
        assert schedule.last_fired_at == firing.fire
        expected_next = firing.fire + timedelta(hours=1) if firing.schedule == "hourly" else None
        assert schedule.next_fire_at == expected_next

    # the media are in S3, and the web app serves each story with working signed links
    store = cluster.tools.media
    for story in wanted:
        for name in (IMAGE, THUMBNAIL, AUDIO, TIMINGS):
            assert store.exists(story_key(story, name)), f"{story_key(story, name)} is missing"
        page = pages[story]
        assert page.status_code == 200, page.text
        view = page.json()
        public = cluster.settings.media.s3_public_endpoint_url
        assert public is not None
        assert view["image"]["url"].startswith(public)  # signed for the phones' address
        picture = httpx.get(view["image"]["url"], timeout=10)
        narration = httpx.get(view["audio"]["url"], timeout=10)
        assert picture.status_code == narration.status_code == 200
        assert picture.content.startswith(b"\x89PNG")
        assert narration.headers["content-type"] == "audio/mpeg"
