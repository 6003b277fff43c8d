"""The kill test: `bedtales run` killed with ``kill -9`` while it is sending, and restarted.

Run from the repository root: ``.venv/bin/python bench/kill.py [--stories 20] [--kills 3]
[--runs 1] [--send-delay-s 1.0]``; ``tests/test_notify_kill.py`` runs it once as a test.

A fresh data dir (SQLite, local media, the offline engines, espeak for speed), its household
told by email through a real SMTP server (aiosmtpd) in this process. The server has each
message as soon as its data is in, and answers ``250`` only ``--send-delay-s`` later: a kill
in between leaves a message that arrived while its sender never heard so, which is exactly
the send nobody can be sure of. The real ``bedtales run`` runs in a child process; this
process writes the stories (as ``bedtales story new`` would, in another process) and, for
each kill, waits until a send is in flight (a ``story_notifications`` row ``sending``),
kills ``bedtales run`` with SIGKILL at a random moment in the first half of the send, and
starts it again. A kill counts as mid-send when it left a claim ``sending``.

Afterwards, per story: complete (picture, narration, notify done), and the messages it got
by Message-ID. Lost: a story no message reached. Resent: messages beyond the first with the
same Message-ID. A message with a second Message-ID for the same story would be a message
sent twice as two messages (counted as ``stray``).

Goal (issue 14): all stories complete, 0 lost, at most one resend per send a kill left unsure
(``bedtales run`` sends two stories at a time, so one kill may leave two), every resend with
the same Message-ID, nothing dead-lettered.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT))  # bench.e2e

from sqlalchemy import select  # noqa: E402

from bedtales.app import App, initialise  # noqa: E402
from bedtales.households import services  # noqa: E402
from bedtales.notify import subscribers  # noqa: E402
from bedtales.scheduler import DEFAULT_NAME, schedules  # noqa: E402
from bedtales.storage.models import StoryNotificationRow  # noqa: E402
from bench.e2e import Mailbox, free_port  # noqa: E402

HOUSEHOLD = "home"
LEASE_S = 4.0  # a killed worker's deliveries come back this long after it died
START_TIMEOUT_S = 120.0
SETTLE_TIMEOUT_S = 180.0
POLL_S = 0.02  # how often a send in flight is looked for: the window is --send-delay-s


# ----------------------------------------------------------------------------- the mailbox


class SlowMailbox(Mailbox):
    """bench/e2e.py's mailbox, which has each message at once, saying so ``delay_s`` later."""

    def __init__(self, delay_s: float) -> None:
        super().__init__()
        self.delay_s = delay_s

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        answer = await super().handle_DATA(server, session, envelope)  # it is here now
        await asyncio.sleep(self.delay_s)
        return answer

    def message_ids(self) -> list[tuple[str, str]]:
        """(story id, Message-ID) of every message, as the link in its text names the story."""
        with self._lock:
            mail = [message for _, message in self._mail]
        found = []
        for message in mail:
            body = message.get_body(("plain",))
            text = body.get_content() if body is not None else ""
            story = text.split("/stories/", 1)[1][:36] if "/stories/" in text else "?"
            found.append((story, str(message["Message-ID"])))
        return found


# ----------------------------------------------------------------------------- the service


class Service:
    """``bedtales run`` in a child process, started again after each kill; one log."""

    def __init__(self, data_dir: Path) -> None:
        self.data_dir = data_dir
        self.log = data_dir.parent / "run.log"
        self.starts = 0
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        env = dict(os.environ, BEDTALES_SPEECH__ENGINE="espeak", BEDTALES_BUS__LEASE_S=str(LEASE_S))
        command = [sys.executable, "-m", "bedtales", "run", "--data-dir", str(self.data_dir)]
        command += ["--host", "127.0.0.1", "--port", str(free_port())]
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(command, env=env, stdout=log, stderr=log)
        self.starts += 1

    def kill(self) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        self.process.wait()

    def check(self) -> None:
        if self.process is not None and self.process.poll() is not None:
            raise SystemExit(f"bedtales run stopped on its own:\n{self.tail()}")

    def tail(self, lines: int = 30) -> str:
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(60)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


# ----------------------------------------------------------------------------- one run


@dataclass
class Figures:
    stories: int = 0
    complete: int = 0
    kills: int = 0
    kills_mid_send: int = 0  # kills that left a send unsure (its claim still "sending")
    left_unsure: int = 0  # sends the kills left unsure (two handlers: one kill may leave two)
    messages: int = 0
    lost: int = 0
    resent: int = 0  # messages beyond the first with the same Message-ID
    stray: int = 0  # a second Message-ID for one story: a message sent twice as two
    dead_letters: int = 0
    states: Counter[str] = field(default_factory=Counter)
    seconds: float = 0.0

    def met(self) -> bool:
        return (
            self.complete == self.stories
            and self.lost == 0
            and self.stray == 0
            and self.resent <= self.left_unsure
            and self.dead_letters == 0
        )

    def line(self) -> str:
        states = ", ".join(f"{state} {n}" for state, n in sorted(self.states.items()))
        return (
            f"{self.complete}/{self.stories} complete; {self.kills} kills "
            f"({self.kills_mid_send} mid-send, leaving {self.left_unsure} sends unsure); "
            f"{self.messages} messages: {self.lost} lost, "
            f"{self.resent} resent with the same Message-ID, {self.stray} with another; "
            f"{self.dead_letters} dead letters; subscriber states: {states}; "
            f"{self.seconds:.0f} s"
        )


def sending_now(bedtales: App) -> set[str]:
    """The stories with a send in flight (or left unsure by a kill)."""
    with bedtales.db.session() as session:
        return set(
            session.scalars(
                select(StoryNotificationRow.story_id).where(
                    StoryNotificationRow.state.in_(("sending", "resending"))
                )
            )
        )


def settled(bedtales: App) -> bool:
    stories = services.list_stories(bedtales.db, limit=1000)
    return all("pending" not in (s.image.state, s.audio.state, s.notify_state) for s in stories)


def wait(condition: Any, service: Service, timeout_s: float, what: str) -> None:
    deadline = time.monotonic() + timeout_s
    while not condition():
        service.check()
        if time.monotonic() > deadline:
            raise SystemExit(f"{what} not within {timeout_s:.0f} s:\n{service.tail()}")
        time.sleep(POLL_S)


def kill_run(
    workdir: Path, *, stories: int = 20, kills: int = 3, send_delay_s: float = 1.0, seed: int = 1
) -> Figures:
    """One kill test in ``workdir``; its figures."""
    chance = random.Random(seed)
    data_dir = workdir / "data"
    bedtales, _, _ = initialise(data_dir, household=HOUSEHOLD)
    schedules.pause(bedtales.db, HOUSEHOLD, DEFAULT_NAME)  # stories come from here only
    figures = Figures(stories=stories)
    started = time.monotonic()
    with SlowMailbox(send_delay_s) as mailbox:
        subscribers.add_subscriber(bedtales.db, HOUSEHOLD, mailbox.url(), label="family")
        service = Service(data_dir)
        service.start()
        try:
            # `bedtales run` writes a first story at once: it is one of the stories
            wait(lambda: services.list_stories(bedtales.db), service, START_TIMEOUT_S, "a story")
            kill_after = {stories * (k + 1) // (kills + 1) for k in range(kills)}
            unsure: set[str] = set()  # left by earlier kills: not a send of this one's
            for written in range(2, stories + 1):
                bedtales.write_story(HOUSEHOLD)
                if written in kill_after:
                    known = frozenset(unsure)
                    wait(lambda k=known: sending_now(bedtales) - k, service, 60, "a new send")
                    time.sleep(chance.uniform(0, send_delay_s / 2))  # within the send
                    service.kill()
                    figures.kills += 1
                    left = sending_now(bedtales)
                    figures.kills_mid_send += bool(left - unsure)
                    figures.left_unsure += len(left - unsure)
                    unsure |= left
                    service.start()
                time.sleep(0.3)
            wait(lambda: settled(bedtales), service, SETTLE_TIMEOUT_S, "every story settled")
        finally:
            service.stop()
        figures.seconds = time.monotonic() - started
        count(figures, bedtales, mailbox)
    bedtales.close()
    return figures


def count(figures: Figures, bedtales: App, mailbox: SlowMailbox) -> None:
    all_stories = services.list_stories(bedtales.db, limit=1000)
    figures.stories = len(all_stories)
    figures.complete = sum(
        (s.image.state, s.audio.state, s.notify_state) == ("done", "done", "done")
        for s in all_stories
    )
    received = mailbox.message_ids()
    figures.messages = len(received)
    for story in all_stories:
        ids = Counter(message_id for story_id, message_id in received if story_id == story.id)
        figures.lost += not ids
        figures.resent += sum(ids.values()) - len(ids)
        figures.stray += max(0, len(ids) - 1)
        for told in subscribers.story_notifications(bedtales.db, story.id):
            figures.states[told.state] += 1
    figures.dead_letters = sum(
        len(bedtales.bus.backend.dead_letters(target))
        for target in ("illustrate", "narrate", "notify")
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--stories", type=int, default=20)
    parser.add_argument("--kills", type=int, default=3)
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--send-delay-s", type=float, default=1.0)
    args = parser.parse_args()
    print(
        f"kill test: {args.stories} stories, {args.kills} kill -9 of bedtales run mid-send, "
        f"SMTP answering {args.send_delay_s:g} s after the data, lease {LEASE_S:g} s"
    )
    all_met = True
    for run in range(1, args.runs + 1):
        with tempfile.TemporaryDirectory(prefix="bedtales-kill-") as workdir:
            figures = kill_run(
                Path(workdir),
                stories=args.stories,
                kills=args.kills,
                send_delay_s=args.send_delay_s,
                seed=run,
            )
        met = figures.met()
        all_met &= met
        print(f"  run {run}: {figures.line()} -> goal {'met' if met else 'NOT met'}")
    sys.exit(0 if all_met else 1)


if __name__ == "__main__":
    main()
