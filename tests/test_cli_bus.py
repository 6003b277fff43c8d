from __future__ import annotations

import json
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import httpx
import pytest
from sqlalchemy import text
from typer.testing import CliRunner

from bedtales.app import App
from bedtales.cli.main import cli
from bedtales.households import services
from bedtales.scheduler import schedules
from servers.seaweedfs import free_ports
from worker_handlers import COUNTS_TABLE
from working import work_until

runner = CliRunner()
SETTINGS = """
[bus]
handler_modules = ["worker_handlers"]
[bus.targets.notify]
handler = "broken"
max_attempts = 2
base_delay_s = 0.01
max_delay_s = 0.01
"""


def run(*args: str | Path, code: int = 0) -> str:
    result = runner.invoke(cli, [str(a) for a in args])
    assert result.exit_code == code, f"exit {result.exit_code}: {result.output}{result.stderr}"
    return result.stdout if code == 0 else result.stderr


@pytest.fixture
def broken_notify(data_dir: Path) -> Iterator[App]:
    with (data_dir / "bedtales.toml").open("a") as settings:
        settings.write(SETTINGS)
    bedtales = App.open(data_dir)
    yield bedtales
    bedtales.close()


def test_a_failing_target_ends_in_its_dead_letter_queue_and_can_be_replayed(
    broken_notify: App,
) -> None:
    data_dir = broken_notify.settings.data_dir
    story = broken_notify.write_story(seed=1)
    backend = broken_notify.bus.backend
    work_until(broken_notify, lambda: backend.dead_letters("notify"))

    shown = json.loads(run("story", "show", story.id, "--json", "--data-dir", data_dir))
    states = {d["target"]: d for d in shown["deliveries"]}
    assert states["illustrate"]["state"] == "done"
    assert states["narrate"]["state"] == "done"
    assert states["notify"]["state"] == "dead"
    assert states["notify"]["attempts"] == 2
    assert f"RuntimeError: the paint ran out for {story.id}" == states["notify"]["lastError"]

    (letter,) = json.loads(
        run("dlq", "list", "--target", "notify", "--json", "--data-dir", data_dir)
    )
    assert letter["event"]["detail"]["id"] == story.id
    assert json.loads(run("dlq", "show", letter["id"], "--data-dir", data_dir)) == letter
    assert (
        json.loads(run("dlq", "list", "--target", "illustrate", "--json", "--data-dir", data_dir))
        == []
    )

    assert "Replayed 1" in run("dlq", "replay", letter["id"], "--data-dir", data_dir)
    assert backend.dead_letters("notify") == []
    work_until(broken_notify, lambda: backend.dead_letters("notify"))  # fails again, twice more
    assert "Dropped 1" in run("dlq", "drop", "--all", "--data-dir", data_dir)
    assert backend.dead_letters() == []
    assert "no dead letter '999'" in run("dlq", "show", "999", "--data-dir", data_dir, code=2)
    assert "ids or --all" in run("dlq", "drop", "--data-dir", data_dir, code=2)


def test_events_tail_follows_published_events(broken_notify: App) -> None:
    data_dir = broken_notify.settings.data_dir
    result: list[str] = []
    tail = threading.Thread(
        target=lambda: result.append(run("events", "tail", "--count", "2", "--data-dir", data_dir))
    )
    tail.start()
    time.sleep(1.0)  # let tail take its starting position
    stories = [broken_notify.write_story(seed=i) for i in range(2)]
    for pipe in broken_notify.pipes():
        pipe.run_once()
    tail.join(20)
    lines = [json.loads(line) for line in result[0].splitlines()]
    assert [e["detail"]["id"] for e in lines] == [s.id for s in stories]
    assert all(
        e["detail-type"] == "StoryCreated" and e["source"] == "bedtales.stories" for e in lines
    )


def test_worker_with_an_unknown_target_exits_2(broken_notify: App) -> None:
    assert "unknown target(s) paint" in run(
        "worker", "--targets", "paint", "--data-dir", broken_notify.settings.data_dir, code=2
    )


def test_a_delivery_whose_worker_keeps_dying_is_dead_lettered_unrun(broken_notify: App) -> None:
    story = broken_notify.write_story(seed=1)
    for pipe in broken_notify.pipes():
        pipe.run_once()
    backend = broken_notify.bus.backend
    for _ in range(2):  # two attempts whose worker died: the lease runs out each time
        assert backend.claim(["notify"], 10, 0.05)
        time.sleep(0.1)
    work_until(broken_notify, lambda: backend.dead_letters("notify"))
    (letter,) = backend.dead_letters("notify")
    assert letter.event.detail["id"] == story.id
    assert "2 attempt(s) never finished" in letter.error  # not the handler's own error


def test_worker_and_pipe_carry_on_after_the_bus_fails_for_a_moment(
    broken_notify: App, monkeypatch: pytest.MonkeyPatch
) -> None:
    import bedtales.bus.worker as worker_module
    import bedtales.pipes.pipe as pipes_module

    monkeypatch.setattr(worker_module, "RETRY_S", 0.05)
    monkeypatch.setattr(pipes_module, "RETRY_S", 0.05)
    backend = broken_notify.bus.backend
    for name in ("claim", "publish"):
        real = getattr(backend, name)
        failures = iter([ConnectionError("the database went away")])

        def flaky(
            *args: object, _real: object = real, _failures: object = failures, **kwargs: object
        ) -> object:
            for error in _failures:  # type: ignore[attr-defined]
                raise error
            return _real(*args, **kwargs)  # type: ignore[operator]

        monkeypatch.setattr(backend, name, flaky)
    story = broken_notify.write_story(seed=1)
    work_until(
        broken_notify,
        lambda: (
            {s.state for s in backend.delivery_states(story.id) if s.target != "notify"} == {"done"}
        ),
    )


@pytest.mark.parametrize(("linger", "grows"), [("0.2", False), ("0", True)])
def test_a_worker_holds_little_work_for_slow_handlers_and_big_batches_for_fast_ones(
    data_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, linger: str, grows: bool
) -> None:
    monkeypatch.setenv("BEDTALES_TEST_LINGER_S", linger)
    monkeypatch.setenv("BEDTALES_TEST_INVOCATIONS", str(tmp_path / "invocations.log"))
    (data_dir / "bedtales.toml").write_text(
        '[bus]\nhandler_modules = ["worker_handlers"]\n'
        + "".join(
            f'[bus.targets.{t}]\nhandler = "counted"\n' for t in ("illustrate", "narrate", "notify")
        )
    )
    bedtales = App.open(data_dir)
    try:
        with bedtales.db.engine.begin() as connection:
            connection.execute(text("DROP TABLE IF EXISTS test_effect_counts"))
            connection.execute(text(COUNTS_TABLE))
        stories = 40 if grows else 8
        for seed in range(stories):
            bedtales.write_story(seed=seed)
        limits: list[int] = []
        backend = bedtales.bus.backend
        real_claim = backend.claim

        def claim(targets: list[str], limit: int, lease_s: float) -> list[object]:
            limits.append(limit)
            return real_claim(targets, limit, lease_s)  # type: ignore[return-value]

        monkeypatch.setattr(backend, "claim", claim)
        stop = threading.Event()
        threads = [threading.Thread(target=bedtales.worker(concurrency=2).run, args=(stop,))]
        threads += [threading.Thread(target=p.run, args=(stop,)) for p in bedtales.pipes()]
        for thread in threads:
            thread.start()
        time.sleep(1.5)
        stop.set()
        for thread in threads:
            thread.join(10)
        assert limits
        assert (max(limits) > 4) is grows, limits
    finally:
        with bedtales.db.engine.begin() as connection:
            connection.execute(text("DROP TABLE IF EXISTS test_effect_counts"))
        bedtales.close()


def test_a_worker_with_a_missing_voice_stops_at_start_and_says_what_to_set(
    data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BEDTALES_SPEECH__ENGINE", "piper")
    monkeypatch.setenv("BEDTALES_SPEECH__PIPER_VOICE", str(data_dir / "no-such-voice.onnx"))

    message = run("worker", "--data-dir", data_dir, code=2)

    assert "no-such-voice.onnx" in message
    assert "BEDTALES_SPEECH__PIPER_VOICE" in message
    bedtales = App.open(data_dir)
    try:
        bedtales.worker(["notify", "illustrate"])  # a worker that narrates nothing needs no voice
    finally:
        bedtales.close()


def test_scheduler_command_fires_serves_metrics_and_stops_cleanly(data_dir: Path) -> None:
    port = free_ports(1)[0]
    soon = (datetime.now(UTC) + timedelta(seconds=2)).astimezone(ZoneInfo("Europe/London"))
    bedtales = App.open(data_dir)
    try:
        schedules.add_schedule(bedtales.db, "home", f"at({soon:%Y-%m-%dT%H:%M:%S})", name="soon")
    finally:
        bedtales.close()
    process = subprocess.Popen(
        [sys.executable, "-m", "bedtales", "scheduler", "--data-dir", str(data_dir),
         "--metrics-port", str(port), "--metrics-host", "0.0.0.0"],  # noqa: S104
        stderr=subprocess.PIPE,
        text=True,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 30
        fired = ""
        while 'outcome="fired"} 1.0' not in fired:
            assert process.poll() is None, process.communicate()
            assert time.monotonic() < deadline, f"never fired: {fired}"
            time.sleep(0.2)
            try:
                fired = httpx.get(f"http://127.0.0.1:{port}/metrics", timeout=2).text
            except httpx.TransportError:
                continue
    finally:
        process.send_signal(signal.SIGTERM)
        _, stderr = process.communicate(timeout=30)
    assert process.returncode == 0, stderr
    assert f"metrics on http://0.0.0.0:{port}/metrics" in stderr
    # a scheduler runs no handlers: it says what it does finish
    assert "SIGTERM: finishing this pass, then stopping" in stderr
    assert "handlers" not in stderr
    bedtales = App.open(data_dir)
    try:
        [event] = [e for e in bedtales.bus.backend.recent_events(0, 100)[0]
                   if e.detail_type == "ScheduleFired"]  # fmt: skip
    finally:
        bedtales.close()
    assert event.detail["schedule"] == "soon"


def test_migrate_brings_an_empty_database_up_to_date_and_adds_nothing(tmp_path: Path) -> None:
    data_dir = tmp_path / "not" / "there" / "yet"
    assert "migrated from empty to" in run("migrate", "--data-dir", data_dir)
    assert "is up to date" in run("migrate", "--data-dir", data_dir)
    bedtales = App.open(data_dir)
    try:
        assert services.list_households(bedtales.db) == []  # unlike init: no household
    finally:
        bedtales.close()
