"""Benchmark a scheduled story end to end: from a schedule coming due to a complete story
(text written, picture and narration done, the email in the family's mailbox), with the
default offline engines.

Run from the repository root: ``.venv/bin/python bench/e2e.py [--engines piper,espeak]
[--runs 3] [--notify-when created|complete]``.

For each speech engine: a fresh data dir made by ``bedtales.app.initialise`` (SQLite, local
media, builtin text and pictures: the defaults), ``BEDTALES_SPEECH__ENGINE`` set to the
engine, and the household given a ``mailto://`` subscriber that sends to a real SMTP server
(aiosmtpd) in this process. Then the real ``bedtales run`` starts in a child process, as a
family runs it: its scheduler, pipe, worker and web server share one process and its GIL,
and this process's polling and SMTP server stay out of it. Its first story (written at once
on a first start) is waited for: it loads the engines and is not counted.

Each run adds an ``at()`` schedule a few seconds ahead, in the household's zone, and waits
for its story. The offsets are read afterwards from what was recorded, so the polling here
does not blur them: due = the schedule's due time (``detail.dueTime``); fired = the
ScheduleFired event published; written = the story's ``created_at``; picture and narration =
the change-stream records whose new image says done; message = the SMTP server got the email.
Complete = the last of picture, narration and message. Runs go one at a time.

Idle: between the first story and the first run, the CPU time ``bedtales run`` spends doing
nothing (user + system, all its threads, from /proc/<pid>/stat) over ``--idle-s`` seconds,
as a share of one core: what a family machine pays between bedtimes.

Goals (the issue): complete under 15 s with piper, under 3 s with espeak; idle at most 1 %
of a core.
"""

from __future__ import annotations

import argparse
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from aiosmtpd.controller import Controller  # noqa: E402
from sqlalchemy import select  # noqa: E402

from bedtales.app import App, initialise  # noqa: E402
from bedtales.domain import Story  # noqa: E402
from bedtales.errors import NotFound  # noqa: E402
from bedtales.households import services  # noqa: E402
from bedtales.notify import subscribers  # noqa: E402
from bedtales.scheduler import DEFAULT_NAME, schedules  # noqa: E402
from bedtales.storage.models import BusEventRow, StoryChangeRow  # noqa: E402

GOALS_S = {"piper": 15.0, "espeak": 3.0}
IDLE_GOAL_PERCENT = 1.0
TIMEZONE = "Europe/Berlin"  # any zone: at() is read in the household's zone
HOUSEHOLD = "home"
START_TIMEOUT_S = 180.0  # a cold start: imports, the voice loaded, the first story
RUN_TIMEOUT_S = 120.0
POLL_S = 0.2  # only to notice the end of a run: the figures come from the records
STEPS = ("fired", "written", "picture", "narration", "message")


# ----------------------------------------------------------------------------- the mailbox


class Mailbox:
    """A real SMTP server on 127.0.0.1 that notes when each message arrived."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._mail: list[tuple[float, EmailMessage]] = []
        self._controller = Controller(self, hostname="127.0.0.1", port=free_port())

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        arrived = time.time()  # aiosmtpd calls this once the whole message is in
        message = BytesParser(policy=policy.default).parsebytes(envelope.content)
        assert isinstance(message, EmailMessage)
        with self._lock:
            self._mail.append((arrived, message))
        return "250 OK"

    def url(self) -> str:
        port = self._controller.port
        return f"mailto://127.0.0.1:{port}?from=bedtales@example.com&to=family@example.com"

    def arrival(self, story_id: str) -> float | None:
        """When the email telling of ``story_id`` (its link names it) arrived."""
        with self._lock:
            mail = list(self._mail)
        for arrived, message in mail:
            body = message.get_body(("plain",))
            if body is not None and story_id in body.get_content():
                return arrived
        return None

    def __enter__(self) -> Mailbox:
        self._controller.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._controller.stop()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


# ----------------------------------------------------------------------------- the service


class Service:
    """``bedtales run`` in a child process, its output kept in a log file."""

    def __init__(self, data_dir: Path, engine: str) -> None:
        self.log = data_dir.parent / f"{engine}.log"
        env = dict(os.environ, BEDTALES_SPEECH__ENGINE=engine)
        command = [sys.executable, "-m", "bedtales", "run", "--data-dir", str(data_dir)]
        command += ["--host", "127.0.0.1", "--port", str(free_port())]
        with self.log.open("wb") as log:
            self.process = subprocess.Popen(command, env=env, stdout=log, stderr=log)

    def check(self) -> None:
        if self.process.poll() is not None:
            raise SystemExit(
                f"bedtales run stopped (exit {self.process.returncode}):\n{self.tail()}"
            )

    def tail(self, lines: int = 30) -> str:
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])

    def stop(self) -> None:
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(60)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


# ----------------------------------------------------------------------------- one run


@dataclass(frozen=True)
class Timeline:
    """Seconds from the schedule's due time to each step."""

    fired: float
    written: float
    picture: float
    narration: float
    message: float
    words: int  # the story's length: narration takes time in proportion

    @property
    def complete(self) -> float:
        return max(self.picture, self.narration, self.message)


def finished(bedtales: App, mailbox: Mailbox, story_id: str) -> Story | None:
    """The story once its picture, narration and message are settled and the email is in."""
    try:
        story = services.get_story(bedtales.db, story_id)
    except NotFound:  # not written yet
        return None
    states = (story.image.state, story.audio.state, story.notify_state)
    if "pending" in states:
        return None
    if story.notify_state == "done" and mailbox.arrival(story_id) is None:
        return None
    return story


def wait_for(
    service: Service, bedtales: App, mailbox: Mailbox, story_id: str, timeout_s: float
) -> Story:
    deadline = time.monotonic() + timeout_s
    while (story := finished(bedtales, mailbox, story_id)) is None:
        service.check()
        if time.monotonic() > deadline:
            raise SystemExit(f"story {story_id} not complete after {timeout_s:.0f} s")
        time.sleep(POLL_S)
    failed = [
        f"{step} {state}: {error}"
        for step, state, error in (
            ("picture", story.image.state, story.image.error),
            ("narration", story.audio.state, story.audio.error),
            ("message", story.notify_state, ""),
        )
        if state != "done"
    ]
    if failed:
        raise SystemExit(f"story {story_id}: " + "; ".join(failed) + f"\n{service.tail()}")
    return story


def first_story_id(service: Service, bedtales: App) -> str:
    deadline = time.monotonic() + START_TIMEOUT_S
    while not (stories := services.list_stories(bedtales.db, household=HOUSEHOLD, limit=1)):
        service.check()
        if time.monotonic() > deadline:
            raise SystemExit(f"no first story after {START_TIMEOUT_S:.0f} s:\n{service.tail()}")
        time.sleep(POLL_S)
    return stories[0].id


def add_at_schedule(bedtales: App, name: str, lead_s: float) -> None:
    """An at() schedule ``lead_s`` seconds ahead (at least), on a whole second."""
    zone = ZoneInfo(TIMEZONE)
    moment = datetime.now(zone).replace(microsecond=0) + timedelta(seconds=int(lead_s) + 1)
    expression = f"at({moment.replace(tzinfo=None).isoformat(timespec='seconds')})"
    schedules.add_schedule(bedtales.db, HOUSEHOLD, expression, name=name)


def fired_event(bedtales: App, name: str, timeout_s: float) -> BusEventRow:
    deadline = time.monotonic() + timeout_s
    while True:
        with bedtales.db.session() as session:
            query = select(BusEventRow).where(BusEventRow.detail_type == "ScheduleFired")
            for event in session.scalars(query):
                if event.detail.get("schedule") == name:
                    session.expunge(event)
                    return event
        if time.monotonic() > deadline:
            raise SystemExit(f"schedule {name} did not fire within {timeout_s:.0f} s")
        time.sleep(POLL_S)


def done_at(bedtales: App, story_id: str, column: str) -> datetime:
    """When the story's ``column`` first became done, from the change stream."""
    with bedtales.db.session() as session:
        query = select(StoryChangeRow).order_by(StoryChangeRow.seq)
        for change in session.scalars(query.where(StoryChangeRow.event_name == "MODIFY")):
            image = change.new_image or {}
            if image.get("id") == story_id and image.get(column) == "done":
                return change.changed_at
    raise SystemExit(f"story {story_id}: no change record with {column} done")


def one_run(
    service: Service, bedtales: App, mailbox: Mailbox, name: str, lead_s: float
) -> Timeline:
    add_at_schedule(bedtales, name, lead_s)
    event = fired_event(bedtales, name, lead_s + 30)
    detail = event.detail
    story = wait_for(service, bedtales, mailbox, detail["storyId"], RUN_TIMEOUT_S)
    due = datetime.fromisoformat(detail["dueTime"].replace("Z", "+00:00"))
    arrival = mailbox.arrival(story.id)
    assert arrival is not None

    def since_due(moment: datetime) -> float:
        return (moment - due).total_seconds()

    return Timeline(
        fired=since_due(event.published_at),
        written=since_due(story.created_at),
        picture=since_due(done_at(bedtales, story.id, "image_state")),
        narration=since_due(done_at(bedtales, story.id, "audio_state")),
        message=arrival - due.timestamp(),
        words=story.word_count,
    )


# ----------------------------------------------------------------------------- an engine


def cpu_seconds(pid: int) -> float | None:
    """User plus system CPU time of a process (Linux), for the idle figure."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def idle_percent(pid: int, seconds: float) -> float | None:
    """The share of one core (%) the process used over the next ``seconds``; None when its
    accounting cannot be read (not Linux)."""
    before = cpu_seconds(pid)
    time.sleep(seconds)
    after = cpu_seconds(pid)
    if before is None or after is None:
        return None
    return (after - before) / seconds * 100


def idle_line(engine: str, percent: float | None, seconds: float) -> str:
    if percent is None:
        return f"  {engine}: idle CPU not measured (no /proc on this system)"
    met = "met" if percent <= IDLE_GOAL_PERCENT else "NOT met"
    return (
        f"  {engine}: idle CPU of bedtales run over {seconds:g} s: {percent:.2f} % of one core "
        f"(goal <= {IDLE_GOAL_PERCENT:g} %: {met})"
    )


def bench_engine(
    engine: str, args: argparse.Namespace, workdir: Path
) -> tuple[list[Timeline], float | None]:
    data_dir = workdir / engine
    bedtales, _, _ = initialise(data_dir, household=HOUSEHOLD, timezone=TIMEZONE)
    timelines: list[Timeline] = []
    with Mailbox() as mailbox:
        subscribers.add_subscriber(bedtales.db, HOUSEHOLD, mailbox.url(), label="family")
        subscribers.set_notify_when(bedtales.db, HOUSEHOLD, args.notify_when)
        # the nightly 19:15 schedule stays out of the way, whatever the time now
        schedules.pause(bedtales.db, HOUSEHOLD, DEFAULT_NAME)
        started = time.monotonic()
        service = Service(data_dir, engine)
        try:
            first = wait_for(
                service, bedtales, mailbox, first_story_id(service, bedtales), START_TIMEOUT_S
            )
            print(
                f"  {engine}: started, first story complete in {time.monotonic() - started:.1f} s "
                f"(warm-up, not counted; narrated by {first.audio.engine})"
            )
            if first.audio.engine != engine:
                raise SystemExit(f"asked for {engine}, narrated by {first.audio.engine}")
            idle = idle_percent(service.process.pid, args.idle_s)
            print(idle_line(engine, idle, args.idle_s))
            for run in range(1, args.runs + 1):
                timeline = one_run(service, bedtales, mailbox, f"bench-{run}", args.lead_s)
                timelines.append(timeline)
                steps = "  ".join(f"{s} {getattr(timeline, s):+6.2f}" for s in STEPS)
                print(
                    f"  {engine} run {run}: {steps}  complete {timeline.complete:6.2f} s  "
                    f"({timeline.words} words, load {os.getloadavg()[0]:.1f})"
                )
        finally:
            service.stop()
            bedtales.close()
    return timelines, idle


def summary(engine: str, timelines: list[Timeline]) -> str:
    totals = [t.complete for t in timelines]
    medians = "  ".join(
        f"{s} {statistics.median(getattr(t, s) for t in timelines):+6.2f}" for s in STEPS
    )
    goal = GOALS_S.get(engine)
    verdict = ""
    if goal is not None:
        met = "met" if max(totals) < goal else "NOT met"
        verdict = f" (goal < {goal:g} s: {met})"
    return (
        f"  {engine:<7} complete median {statistics.median(totals):6.2f} s  "
        f"max {max(totals):6.2f} s{verdict}\n  {'':<7} step medians: {medians}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--engines", default="piper,espeak", help="speech engines, in order")
    parser.add_argument("--runs", type=int, default=3, help="scheduled stories per engine")
    parser.add_argument(
        "--notify-when",
        choices=subscribers.NOTIFY_WHEN,
        default="created",
        help="the household's setting: tell at once (the default) or once complete",
    )
    parser.add_argument("--lead-s", type=float, default=3.0, help="seconds ahead a schedule is")
    parser.add_argument("--idle-s", type=float, default=20.0, help="idle CPU measured this long")
    args = parser.parse_args()
    engines = [e.strip() for e in args.engines.split(",") if e.strip()]
    load = os.getloadavg()[0]
    print(
        f"bench/e2e.py: {os.cpu_count()} cores, load average {load:.2f}; {args.runs} scheduled "
        f"stories per engine, notify_when={args.notify_when}; seconds from the due time"
    )
    results: dict[str, tuple[list[Timeline], float | None]] = {}
    with tempfile.TemporaryDirectory(prefix="bedtales-e2e-") as tmp:
        for engine in engines:
            results[engine] = bench_engine(engine, args, Path(tmp))
    print(f"summary (load average now {os.getloadavg()[0]:.2f}):")
    for engine, (timelines, idle) in results.items():
        print(summary(engine, timelines))
        print(idle_line(engine, idle, args.idle_s))


if __name__ == "__main__":
    main()
