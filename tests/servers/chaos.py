"""Chaos on many machines: what tests/test_chaos.py and bench/chaos.py both run.

Two ``bedtales scheduler``, three ``bedtales worker`` and one ``bedtales web`` share a
PostgreSQL cluster and a Redis server of their own (servers/cluster.py) and an S3 store
(SeaweedFS). Every household has one ``rate(1 minute)`` schedule, their firings spread over
the minute, and an email subscriber on a real SMTP server. While the schedules fire, a
random scheduler or worker is killed with SIGKILL every ``kill_every_s`` and started again
at once; Redis is killed and started again once, a third of the way in, and PostgreSQL
stopped as by a crash and started again once, two thirds of the way in.

Then the schedulers are stopped, and the firings they made are read from the schedules'
own rows: a ``rate()`` schedule fires on the grid it was started on, so its firings are its
first fire time, a minute later, and so on up to its ``last_fired_at``; their story ids
follow from (schedule, fire time) as the scheduler makes them. Once the workers have caught
up, :meth:`Chaos.check` finds what went wrong: a firing with no story or a story with no
firing, a target not done, a subscriber told twice with different Message-IDs or a copy
more not recorded as a resend, a dead letter, a process that exited by itself. Every
problem is a line of text; the figures (firings, kills, restarts, messages, resends, the
slowest firing) go with them.
"""

from __future__ import annotations

import random
import re
import subprocess
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import select, update

from bedtales.app import App
from bedtales.bus.backends.redis import RedisBackend
from bedtales.clock import utcnow
from bedtales.households import services
from bedtales.notify import subscribers
from bedtales.scheduler import schedules
from bedtales.scheduler.firing import fired_event
from bedtales.storage.models import (
    ScheduleRow,
    StoryChangeRow,
    StoryNotificationRow,
    StoryRow,
)
from bedtales.stories.starter import SAMPLE_CHARACTERS, STARTER_SCENES
from servers.cluster import (
    START_TIMEOUT_S,
    STOP_TIMEOUT_S,
    Member,
    OwnPostgres,
    OwnRedis,
    tails,
)
from servers.seaweedfs import S3Server
from servers.smtp import SmtpServer

SCHEDULERS, WORKERS = 2, 3
SCHEDULE = "chaos"
EXPRESSION = "rate(1 minute)"
PERIOD = timedelta(minutes=1)
FIRST_FIRE_S = 15  # the first firings come this long after the processes are up
STORY_LINK = re.compile(r"/stories/([0-9a-f-]{36})")
ALL_DONE = ("done", "done", "done")
TOLD = ("sent", "resent")
TARGETS = {("ScheduleFired", "write_story")} | {
    ("StoryCreated", t) for t in ("illustrate", "narrate", "notify")
}
MISSED = "missed firing"  # the scheduler's warning for firings passed over or skipped


def settings_for(
    postgres_url: str, redis_url: str, s3: S3Server, bus: str, bucket: str, web_port: int
) -> dict[str, str]:
    """The ``BEDTALES_*`` settings every process of the cluster shares."""
    public = s3.endpoint_url.replace("127.0.0.1", "localhost")
    settings = {
        "DATABASE_URL": postgres_url,
        "BUS__BACKEND": "redis",
        "BUS__REDIS_URL": redis_url,
        "BUS__NAME": bus,
        "MEDIA__STORE": "s3",
        "MEDIA__S3_BUCKET": bucket,
        "MEDIA__S3_ENDPOINT_URL": s3.endpoint_url,
        "MEDIA__S3_PUBLIC_ENDPOINT_URL": public,
        "MEDIA__S3_REGION": s3.region,
        "MEDIA__S3_ACCESS_KEY_ID": s3.access_key_id,
        "MEDIA__S3_SECRET_ACCESS_KEY": s3.secret_access_key,
        "MEDIA__S3_CREATE_BUCKET": "true",
        "SPEECH__ENGINE": "espeak",  # narrates in a fraction of a second
        "WEB__BASE_URL": f"http://127.0.0.1:{web_port}",  # the links in the emails
    }
    return {f"BEDTALES_{name}": value for name, value in settings.items()}


@dataclass(frozen=True)
class Plan:
    households: int = 50
    chaos_s: float = 210.0
    kill_every_s: float = 20.0
    down_s: float = 3.0  # how long Redis and PostgreSQL stay down
    settle_timeout_s: float = 300.0  # a bound for a slow machine; not a timing assertion
    seed: int | None = None


@dataclass
class Report:
    figures: dict[str, Any] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    happenings: list[str] = field(default_factory=list)  # what was done, when

    def lines(self) -> list[str]:
        width = max(len(name) for name in self.figures) if self.figures else 0
        return [f"{name:<{width}}  {value}" for name, value in self.figures.items()]


@dataclass(frozen=True)
class Firing:
    household: str
    fire: datetime
    story_id: str


@dataclass(frozen=True)
class Mail:
    recipient: str
    story_id: str
    message_id: str


def recipient(household: str) -> str:
    return f"{household}@example.com"


class Chaos:
    """One chaos run; see the module docstring. ``bedtales`` is an App on the cluster's
    database and bus, opened in this process with the same settings as the children."""

    def __init__(
        self,
        bedtales: App,
        redis_server: OwnRedis,
        postgres: OwnPostgres,
        smtp: SmtpServer,
        logs: Path,
        web_port: int,
        plan: Plan,
        say: Callable[[str], None] = lambda _: None,
    ) -> None:
        self.bedtales = bedtales
        self.redis = redis_server
        self.postgres = postgres
        self.smtp = smtp
        self.logs = logs
        self.web = f"http://127.0.0.1:{web_port}"
        self.plan = plan
        self.say = say
        self.random = random.Random(plan.seed)
        self.report = Report()
        self.started = time.monotonic()
        data_dir = bedtales.settings.data_dir
        self.members = [
            Member(
                f"scheduler-{n}", "scheduler", "scheduler firing", ("scheduler",), data_dir, logs
            )
            for n in range(1, SCHEDULERS + 1)
        ]
        self.members += [
            Member(f"worker-{n}", "worker", "worker serving", ("worker",), data_dir, logs)
            for n in range(1, WORKERS + 1)
        ]
        self.members.append(
            Member(
                "web",
                "web",
                "bedtales web on",
                ("web", "--port", str(web_port)),
                data_dir,
                logs,
            )
        )
        self.households: list[str] = []
        self.first_fire: dict[int, datetime] = {}  # schedule id -> its first fire time

    # ------------------------------------------------------------------------- the run

    def run(self) -> Report:
        self.started = time.monotonic()
        try:
            self.add_households()
            self.start_members()
            self.add_schedules()
            self.note(f"{len(self.households)} households, one {EXPRESSION} schedule each")
            self.make_chaos()
            firings = self.settle()
            self.stop_members()
        finally:
            for member in self.members:  # nothing left running, whatever failed
                if member.lives and member.process.popen.poll() is None:
                    member.process.popen.kill()
        self.check(firings)
        self.report.figures["duration"] = f"{time.monotonic() - self.started:.0f} s"
        return self.report

    def note(self, happening: str) -> None:
        line = f"{time.monotonic() - self.started:6.1f} s  {happening}"
        self.report.happenings.append(line)
        self.say(line)

    def add_households(self) -> None:
        db = self.bedtales.db
        names = ["home", *(f"family-{n:02d}" for n in range(2, self.plan.households + 1))]
        for name in names[1:]:
            services.add_household(db, name, characters=SAMPLE_CHARACTERS, scenes=STARTER_SCENES)
        for name in names:
            subscribers.add_subscriber(db, name, self.smtp.url(to=recipient(name)))
            for schedule in schedules.list_schedules(db, name):
                schedules.remove(db, name, schedule.name)  # home's nightly: not in this run
        self.households = names

    def start_members(self) -> None:
        for member in self.members:
            member.start()
        deadline = time.monotonic() + START_TIMEOUT_S
        while not all(m.process.ready() for m in self.members):
            died = [m for m in self.members if m.process.popen.poll() is not None]
            if died or time.monotonic() > deadline:
                raise AssertionError(f"the cluster did not start{self.tails()}")
            time.sleep(0.25)

    def add_schedules(self) -> None:
        """One rate(1 minute) schedule a household, the first firings spread over a minute
        from FIRST_FIRE_S on (so kills land while stories are under way)."""
        db = self.bedtales.db
        start = utcnow().replace(microsecond=0) + timedelta(seconds=FIRST_FIRE_S)
        step = PERIOD / len(self.households)
        for index, household in enumerate(self.households):
            schedule = schedules.add_schedule(db, household, EXPRESSION, name=SCHEDULE)
            first = start + step * index
            with db.session() as session:
                session.execute(
                    update(ScheduleRow)
                    .where(ScheduleRow.id == schedule.id)
                    .values(next_fire_at=first, due_at=first)
                )
            self.first_fire[schedule.id] = first

    def make_chaos(self) -> None:
        """Kill a random scheduler or worker every ``kill_every_s`` and start it again; kill
        Redis once and PostgreSQL once; restart any process that exits by itself (noted)."""
        plan = self.plan
        began = time.monotonic()
        next_kill = began + plan.kill_every_s
        redis_at, postgres_at = began + plan.chaos_s / 3, began + plan.chaos_s * 2 / 3
        killable = [m for m in self.members if m.kind != "web"]
        while (now := time.monotonic()) < began + plan.chaos_s:
            if now >= next_kill:
                member = self.random.choice(killable)
                member.kill()
                member.start()
                self.note(f"killed {member.name} (SIGKILL), started it again")
                next_kill += plan.kill_every_s
            if redis_at is not None and now >= redis_at:
                self.note(f"Redis killed, down {plan.down_s:g} s")
                self.redis.restart(plan.down_s)
                self.note("Redis back")
                redis_at = None
            if postgres_at is not None and now >= postgres_at:
                self.note(f"PostgreSQL stopped (immediate), down {plan.down_s:g} s")
                self.postgres.restart(plan.down_s)
                self.note("PostgreSQL back")
                postgres_at = None
            self.restart_exited()
            time.sleep(0.2)
        self.note("chaos over")

    def restart_exited(self) -> None:
        for member in self.members:
            life = member.process
            if member.exited_by_itself():
                how = (
                    "refused to start"
                    if life.popen.returncode == 1 and not life.ready()
                    else ("EXITED BY ITSELF")
                )
                self.note(f"{life.name} {how} (exit {life.popen.returncode}); started again")

    def settle(self) -> list[Firing]:
        """Stop the schedulers, read the firings they made, wait for every story to be told."""
        schedulers = [m for m in self.members if m.kind == "scheduler"]
        self.terminate(schedulers)
        self.note("schedulers stopped")
        firings = self.firings()
        wanted = {f.story_id for f in firings}
        deadline = time.monotonic() + self.plan.settle_timeout_s
        while time.monotonic() < deadline:
            self.restart_exited()
            states = self.story_states()
            done = sum(states.get(story) == ALL_DONE for story in wanted)
            told = {m.story_id for m in self.mails()}
            if done == len(wanted) and wanted <= told and not self.still_sending():
                self.note(f"settled: {done} stories done")
                return firings
            time.sleep(1.0)
        self.note(f"not settled after {self.plan.settle_timeout_s:.0f} s")
        return firings

    def stop_members(self) -> None:
        """Look at a story through the web app, then SIGTERM the rest (exit 0 expected)."""
        with self.bedtales.db.session() as session:
            sample = session.scalars(select(StoryRow.id).limit(3)).all()
        for story in sample:
            try:
                answer = httpx.get(f"{self.web}/api/stories/{story}", timeout=10)
            except httpx.HTTPError as exc:
                self.report.problems.append(f"the web app did not answer for {story}: {exc}")
                continue
            if answer.status_code != 200:
                self.report.problems.append(f"the web app answered {answer.status_code}")
        self.terminate([m for m in self.members if m.kind != "scheduler"])
        self.note("workers and web stopped")

    def terminate(self, members: list[Member]) -> None:
        for member in members:
            member.stop()
        for member in members:
            popen = member.process.popen
            try:
                code = popen.wait(STOP_TIMEOUT_S)
            except subprocess.TimeoutExpired:
                popen.kill()
                popen.wait(10)
                code = -9
            if code != 0:
                self.report.problems.append(
                    f"{member.process.name} exited {code} on SIGTERM{tails([member.process])}"
                )

    # ------------------------------------------------------------------------- records

    def firings(self) -> list[Firing]:
        """Every firing the schedulers made, from each schedule's first fire time to its
        last_fired_at, a minute apart (the rate() grid), with the story id it writes."""
        found = []
        now = utcnow()
        for schedule in schedules.list_schedules(self.bedtales.db):
            first = self.first_fire.get(schedule.id)
            if first is None or schedule.last_fired_at is None:
                continue
            fire = first
            while fire <= schedule.last_fired_at:
                story = fired_event(schedule, fire, now).detail["storyId"]
                found.append(Firing(schedule.household, fire, story))
                fire += PERIOD
            if schedule.next_fire_at != schedule.last_fired_at + PERIOD:
                self.report.problems.append(
                    f"{schedule.household}: fired last at {schedule.last_fired_at}, next at "
                    f"{schedule.next_fire_at}: not a minute later"
                )
        return found

    def story_states(self) -> dict[str, tuple[str, str, str]]:
        with self.bedtales.db.session() as session:
            rows = session.execute(
                select(
                    StoryRow.id, StoryRow.image_state, StoryRow.audio_state, StoryRow.notify_state
                )
            ).all()
        return {row.id: (row.image_state, row.audio_state, row.notify_state) for row in rows}

    def still_sending(self) -> bool:
        with self.bedtales.db.session() as session:
            states = session.scalars(select(StoryNotificationRow.state)).all()
        return any(state not in TOLD for state in states)

    def mails(self) -> list[Mail]:
        found = []
        for received in self.smtp.received:
            body = received.message.get_body(("plain",))
            match = STORY_LINK.search(body.get_content()) if body is not None else None
            story = match.group(1) if match else "?"
            for address in received.recipients:
                found.append(Mail(address, story, str(received.message["Message-ID"])))
        return found

    def tails(self) -> str:
        return tails([m.process for m in self.members])

    # ------------------------------------------------------------------------- checks

    def check(self, firings: list[Firing]) -> None:
        report, problems = self.report, self.report.problems
        wanted = {f.story_id: f for f in firings}
        states = self.story_states()
        kills = Counter(m.kind for m in self.members for _ in range(m.kills))
        figures = report.figures
        figures["households"] = len(self.households)
        figures["firings"] = len(firings)
        figures["stories"] = len(states)
        figures["kills"] = f"{sum(kills.values())} ({kills['scheduler']} schedulers, " + (
            f"{kills['worker']} workers)"
        )
        figures["Redis restarts"] = self.redis.restarts
        figures["PostgreSQL restarts"] = self.postgres.restarts

        # one story per firing, each with its picture, narration and message
        missing = [f for story, f in wanted.items() if story not in states]
        extra = sorted(set(states) - set(wanted))
        if missing:
            problems.append(f"{len(missing)} firing(s) without a story, e.g. {missing[:3]}")
        if extra:
            problems.append(f"{len(extra)} stories from no firing, e.g. {extra[:3]}")
        unfinished = {s: st for s, st in states.items() if st != ALL_DONE}
        if unfinished:
            problems.append(
                f"{len(unfinished)} stories not done: {dict(list(unfinished.items())[:5])}"
            )
        missed = [
            line
            for m in self.members
            if m.kind == "scheduler"
            for life in m.lives
            for line in life.log.read_text(errors="replace").splitlines()
            if MISSED in line
        ]
        figures["firings passed over"] = len(missed)
        if missed:
            problems.append(f"the schedulers passed over firings: {missed[:3]}")

        # every delivery done, once per target; no dead letters
        backend = self.bedtales.bus.backend
        assert isinstance(backend, RedisBackend)
        for story in wanted:
            deliveries = backend.delivery_states(story)
            kinds = Counter((d.detail_type, d.target) for d in deliveries)
            not_done = [(d.target, d.state) for d in deliveries if d.state != "done"]
            if set(kinds) != TARGETS or max(kinds.values(), default=0) > 1 or not_done:
                problems.append(f"story {story}: deliveries {sorted(kinds.items())} {not_done}")
                break  # one is enough to look into
        dead = backend.dead_letters(None, 1000)
        figures["dead letters"] = len(dead)
        if dead:
            problems.append(
                f"{len(dead)} dead letters, e.g. {[(d.target, d.error) for d in dead[:3]]}"
            )

        self.check_messages(firings)
        self.check_processes()
        self.slowest(firings)

    def check_messages(self, firings: list[Firing]) -> None:
        """One distinct Message-ID per (story, subscriber); a second copy only where the
        notification is recorded as resent."""
        figures, problems = self.report.figures, self.report.problems
        mails = self.mails()
        copies = Counter((m.recipient, m.story_id) for m in mails)
        ids: dict[tuple[str, str], set[str]] = {}
        for mail in mails:
            ids.setdefault((mail.recipient, mail.story_id), set()).add(mail.message_id)
        wanted = Counter((recipient(f.household), f.story_id) for f in firings)
        with self.bedtales.db.session() as session:
            notes = Counter(session.scalars(select(StoryNotificationRow.state)).all())
        resent = notes.get("resent", 0)
        extra_copies = sum(n - 1 for n in copies.values())
        figures["messages"] = f"{len(mails)} ({len(copies)} distinct)"
        figures["resends"] = f"{resent} recorded, {extra_copies} second copies received"
        lost = [pair for pair in wanted if pair not in copies]
        if lost:
            problems.append(f"{len(lost)} subscriber(s) never told, e.g. {lost[:3]}")
        strays = [pair for pair in copies if pair not in wanted]
        if strays:
            problems.append(f"{len(strays)} messages for no firing, e.g. {strays[:3]}")
        split = {pair: found for pair, found in ids.items() if len(found) > 1}
        if split:
            problems.append(f"told with different Message-IDs: {dict(list(split.items())[:3])}")
        if any(n > 2 for n in copies.values()):
            problems.append(f"told more than twice: {[p for p, n in copies.items() if n > 2][:3]}")
        if extra_copies > resent:
            problems.append(f"{extra_copies} second copies but only {resent} recorded resends")
        untold = {state: n for state, n in notes.items() if state not in TOLD}
        if untold:
            problems.append(f"notifications not told: {untold}")

    def check_processes(self) -> None:
        exits = [exit for m in self.members for exit in m.exits]
        refused = sum(m.refused_starts for m in self.members)
        self.report.figures["starts refused (a server down)"] = refused
        self.report.figures["processes that exited by themselves"] = len(exits)
        for name, code, tail in exits:
            self.report.problems.append(f"{name} exited by itself ({code}):\n{tail}")
        for member in self.members:  # this Redis appends: the bus must not warn
            for life in member.lives:
                if "does not persist" in life.log.read_text(errors="replace"):
                    self.report.problems.append(f"{life.name} says Redis does not persist")

    def slowest(self, firings: list[Firing]) -> None:
        """The longest time from a firing to its story done: the last change to the story
        (its picture, narration or message, whichever came last), from the change stream."""
        fires = {f.story_id: f.fire for f in firings}
        last: dict[str, datetime] = {}
        with self.bedtales.db.session() as session:
            for keys, at in session.execute(select(StoryChangeRow.keys, StoryChangeRow.changed_at)):
                story = keys.get("id")
                if story in fires and (story not in last or at > last[story]):
                    last[story] = at
        lags = sorted((at - fires[story]).total_seconds() for story, at in last.items())
        if lags:
            median = lags[len(lags) // 2]
            self.report.figures["firing to story done"] = (
                f"median {median:.1f} s, worst {lags[-1]:.1f} s"
            )
