"""The one contract every delivery backend passes: ``sql`` on SQLite, ``sql`` on PostgreSQL and
``redis``, on the real servers. Only the ``make_backend`` fixture knows which is which.

Delays and leases are a fraction of a second so the suite stays fast; the only timing
assertions are lower bounds ("not before") and generous "eventually within N seconds" polls.
"""

from __future__ import annotations

import os
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from random import Random
from typing import TypeVar

import pytest

from bedtales.bus.backends import Backend
from bedtales.bus.events import Delivery, Event, RetryPolicy
from bedtales.clock import utcnow
from bedtales.errors import ConfigError
from bedtales.storage import Database
from conftest import require_service

REDIS_URL = os.environ.get("BEDTALES_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
LONG = 30.0  # a lease that never runs out during a test
T = TypeVar("T")


@dataclass(frozen=True)
class FixedDelay(RetryPolicy):
    """The policy without its jitter: every retry waits exactly ``base_delay_s``."""

    def next_delay(self, attempt: int, rng: Random | None = None) -> float:
        return self.base_delay_s


QUICK = RetryPolicy(max_attempts=1000, base_delay_s=0.01, max_delay_s=0.01)


# ---------------------------------------------------------------------------- fixtures


def _sql_opener(url: str) -> Callable[[], Backend]:
    from bedtales.bus.backends.sql import SqlBackend  # lazily: a redis-only run needs no SQL

    def open_sql() -> Backend:
        return SqlBackend(Database(url))

    return open_sql


def _redis_opener() -> Callable[[], Backend]:
    from bedtales.bus.backends.redis import RedisBackend

    bus = f"test-{uuid.uuid4().hex}"

    def open_redis() -> Backend:
        return RedisBackend(REDIS_URL, bus=bus)

    try:
        open_redis().close()
    except ConfigError as exc:
        require_service("Redis", str(exc))
    return open_redis


def _opener(request: pytest.FixtureRequest, tmp_path: Path) -> Callable[[], Backend]:
    if request.param == "sql-sqlite":
        url = f"sqlite:///{tmp_path / 'bus.db'}"
        db = Database(url)
        db.migrate()
        db.dispose()
        return _sql_opener(url)
    if request.param == "sql-postgres":
        migrated: Database = request.getfixturevalue("postgres_database")
        return _sql_opener(migrated.url.render_as_string(hide_password=False))
    return _redis_opener()


def _purge(backend: Backend) -> None:
    purge = getattr(backend, "purge", None)
    if purge is not None:
        purge()


@pytest.fixture(
    params=["sql-sqlite", pytest.param("sql-postgres", marks=pytest.mark.postgres), "redis"]
)
def make_backend(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Callable[[], Backend]]:
    """Opens backends on one and the same empty bus: each one a separate "worker"."""
    opener = _opener(request, tmp_path)
    opened: list[Backend] = []

    def make() -> Backend:
        opened.append(opener())
        return opened[-1]

    _purge(make())
    try:
        yield make
    finally:
        _purge(opened[0])
        for backend in opened:
            backend.close()
            db = getattr(backend, "db", None)
            if isinstance(db, Database):
                db.dispose()


@pytest.fixture
def backend(make_backend: Callable[[], Backend]) -> Backend:
    return make_backend()


# ---------------------------------------------------------------------------- helpers


def publish(
    backend: Backend, targets: Sequence[str], count: int = 1, **detail: object
) -> list[Event]:
    events = [Event("test", "Thing", {"n": n, **detail}) for n in range(count)]
    assert backend.publish([(event, targets) for event in events]) == count
    return events


def eventually(check: Callable[[], T | None], within: float = 5.0) -> T:
    """Poll ``check`` until it returns something truthy."""
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        result = check()
        if result:
            return result
        time.sleep(0.01)
    pytest.fail(f"nothing came within {within} s")


def claim_all(
    backend: Backend, targets: Sequence[str], count: int, lease_s: float = LONG
) -> list[Delivery]:
    """Claim until ``count`` deliveries came, in batches."""
    got: list[Delivery] = []

    def more() -> bool:
        got.extend(backend.claim(targets, 100, lease_s))
        return len(got) >= count

    eventually(more)
    assert len(got) == count
    return got


def claim_one(backend: Backend, target: str, lease_s: float = LONG) -> Delivery:
    [delivery] = eventually(lambda: backend.claim([target], 10, lease_s))
    return delivery


def dead_letter(backend: Backend, target: str, error: str = "boom") -> Event:
    [event] = publish(backend, [target])
    assert backend.fail(claim_one(backend, target), error, RetryPolicy(max_attempts=1))
    return event


# ---------------------------------------------------------------------------- fan-out


def test_every_target_gets_every_matching_event(backend: Backend) -> None:
    targets = ["illustrate", "narrate", "notify"]
    events = publish(backend, targets, 20)
    for target in targets:
        deliveries = claim_all(backend, [target], 20)
        assert {d.event.id for d in deliveries} == {e.id for e in events}
        assert {(d.target, d.attempt) for d in deliveries} == {(target, 1)}
        assert deliveries[0].event.detail == {"n": deliveries[0].event.detail["n"]}
        backend.ack(deliveries)
    assert backend.claim(targets, 100, LONG) == []


def test_an_event_id_seen_before_is_published_once(backend: Backend) -> None:
    event = Event("test", "Thing", {"n": 1})
    assert backend.publish([(event, ["t"]), (event, ["t"])]) == 1
    assert backend.publish([(event, ["t"])]) == 0
    [delivery] = claim_all(backend, ["t"], 1)
    backend.ack([delivery])
    time.sleep(0.05)
    assert backend.claim(["t"], 100, LONG) == []


def test_claim_respects_its_limit(backend: Backend) -> None:
    publish(backend, ["t", "u"], 10)
    assert len(backend.claim(["t"], 3, LONG)) == 3
    assert len(backend.claim(["t", "u"], 4, LONG)) == 4
    rest = claim_all(backend, ["t", "u"], 20 - 7)
    assert len({d.key for d in rest}) == 13


# ---------------------------------------------------------------------------- leases and acks


def test_a_leased_delivery_returns_only_after_its_lease_runs_out(backend: Backend) -> None:
    [event] = publish(backend, ["t"])
    started = time.monotonic()
    first = claim_one(backend, "t", lease_s=0.3)
    assert backend.claim(["t"], 10, 0.3) == []
    again = claim_one(backend, "t", lease_s=LONG)  # the first worker "crashed"
    assert time.monotonic() - started >= 0.25
    assert (again.event.id, again.attempt) == (event.id, 2)
    assert again.key == first.key
    assert again.receipt != first.receipt


def test_an_ack_after_the_lease_was_lost_is_left_alone(make_backend: Callable[[], Backend]) -> None:
    worker_a, worker_b = make_backend(), make_backend()
    publish(worker_a, ["t"])
    stale = claim_one(worker_a, "t", lease_s=0.2)
    live = claim_one(worker_b, "t", lease_s=LONG)
    worker_a.ack([stale])  # too late: worker B holds it now
    worker_b.release([live])
    back = claim_one(worker_b, "t")
    assert (back.event.id, back.attempt) == (live.event.id, live.attempt)


def test_an_acked_delivery_never_comes_back(backend: Backend) -> None:
    publish(backend, ["t"], 3)
    backend.ack(claim_all(backend, ["t"], 3, lease_s=0.1))
    time.sleep(0.3)  # past the lease
    assert backend.claim(["t"], 10, 0.1) == []


def test_one_targets_failures_never_delay_another(backend: Backend) -> None:
    events = publish(backend, ["broken", "fine"], 10)
    done: set[str] = set()
    failures = 0

    def round_of_work() -> bool:
        nonlocal failures
        for delivery in backend.claim(["broken", "fine"], 5, LONG):
            if delivery.target == "broken":
                backend.fail(delivery, "always broken", QUICK)
                failures += 1
            else:
                backend.ack([delivery])
                done.add(delivery.event.id)
        return len(done) == len(events)

    eventually(round_of_work, within=5.0)
    assert failures > 0


# ---------------------------------------------------------------------------- retries


def test_a_retry_is_not_due_before_its_delay_and_counts_the_attempt(backend: Backend) -> None:
    policy = FixedDelay(max_attempts=10, base_delay_s=0.4, max_delay_s=0.4)
    [event] = publish(backend, ["t"])
    delivery = claim_one(backend, "t")
    for attempt in (2, 3):
        failed_at = time.monotonic()
        assert backend.fail(delivery, f"boom {attempt - 1}", policy) is False
        assert backend.claim(["t"], 10, LONG) == []
        delivery = claim_one(backend, "t")
        assert time.monotonic() - failed_at >= 0.35
        assert (delivery.event.id, delivery.attempt) == (event.id, attempt)


def test_a_jittered_retry_comes_back_within_its_ceiling(backend: Backend) -> None:
    ceiling = 0.2
    policy = RetryPolicy(max_attempts=10, base_delay_s=ceiling, max_delay_s=ceiling)
    publish(backend, ["t"])
    delivery = claim_one(backend, "t")
    for _ in range(3):
        backend.fail(delivery, "boom", policy)
        # generous slack over the ceiling: this asserts "comes back", not a latency
        delivery = eventually(lambda: backend.claim(["t"], 10, LONG), within=ceiling + 2.0)[0]
    assert delivery.attempt == 4


def test_dead_letter_after_max_attempts_with_the_last_error(backend: Backend) -> None:
    policy = RetryPolicy(max_attempts=3, base_delay_s=0.01, max_delay_s=0.01)
    [event] = publish(backend, ["t"])
    outcomes = []
    for attempt in (1, 2, 3):
        delivery = claim_one(backend, "t")
        assert delivery.attempt == attempt
        outcomes.append(backend.fail(delivery, f"boom {attempt}", policy))
    assert outcomes == [False, False, True]
    [letter] = backend.dead_letters("t")
    assert (letter.event.id, letter.target, letter.attempts) == (event.id, "t", 3)
    assert letter.error == "boom 3"
    time.sleep(0.05)
    assert backend.claim(["t"], 10, LONG) == []


def test_dead_letter_after_max_age(backend: Backend) -> None:
    old = Event("test", "Thing", {}, time=utcnow() - timedelta(hours=2))
    backend.publish([(old, ["t"])])
    policy = RetryPolicy(max_attempts=10, max_age_s=3600, base_delay_s=0.01)
    assert backend.fail(claim_one(backend, "t"), "too old", policy) is True
    [letter] = backend.dead_letters("t")
    assert (letter.event.id, letter.attempts, letter.error) == (old.id, 1, "too old")


def test_a_poison_event_never_blocks_the_rest(backend: Backend) -> None:
    policy = RetryPolicy(max_attempts=3, base_delay_s=0.01, max_delay_s=0.01)
    events = publish(backend, ["t"], 51)
    poison = events[7].id
    acked: list[str] = []

    def round_of_work() -> bool:
        for delivery in backend.claim(["t"], 10, LONG):
            if delivery.event.id == poison:
                backend.fail(delivery, "poisoned", policy)
            else:
                backend.ack([delivery])
                acked.append(delivery.event.id)
        return len(acked) == 50 and bool(backend.dead_letters("t"))

    eventually(round_of_work, within=10.0)
    assert sorted(acked) == sorted(e.id for e in events if e.id != poison)
    [letter] = backend.dead_letters("t")
    assert (letter.event.id, letter.attempts, letter.error) == (poison, 3, "poisoned")


# ---------------------------------------------------------------------------- release, extend


def test_release_hands_back_without_counting_the_attempt(backend: Backend) -> None:
    [event] = publish(backend, ["t"])
    backend.release([claim_one(backend, "t")])
    again = claim_one(backend, "t")
    assert (again.event.id, again.attempt) == (event.id, 1)
    backend.fail(again, "boom", FixedDelay(base_delay_s=0.0))
    retry = claim_one(backend, "t")
    assert retry.attempt == 2
    backend.release([retry])
    assert claim_one(backend, "t").attempt == 2


def test_a_delayed_release_comes_back_after_its_delay_uncounted(backend: Backend) -> None:
    [event] = publish(backend, ["t"])
    backend.release([claim_one(backend, "t")], delay_s=0.4)
    assert backend.claim(["t"], 10, 30) == []  # not due yet
    time.sleep(0.5)
    again = claim_one(backend, "t")
    assert (again.event.id, again.attempt) == (event.id, 1)


def test_extend_keeps_a_lease_alive_past_its_first_expiry(backend: Backend) -> None:
    publish(backend, ["t"])
    delivery = claim_one(backend, "t", lease_s=0.6)
    time.sleep(0.35)
    backend.extend([delivery], 0.6)
    time.sleep(0.4)  # past the first lease, within the renewed one
    assert backend.claim(["t"], 10, 0.6) == []
    assert claim_one(backend, "t", lease_s=0.6).attempt == 2


# ---------------------------------------------------------------------------- dead letters


def test_dead_letters_are_listed_per_target(backend: Backend) -> None:
    first, second = dead_letter(backend, "a"), dead_letter(backend, "b")
    assert [letter.event.id for letter in backend.dead_letters("a")] == [first.id]
    assert [letter.event.id for letter in backend.dead_letters("b")] == [second.id]
    assert {letter.target for letter in backend.dead_letters()} == {"a", "b"}
    assert backend.dead_letters("c") == []
    assert len(backend.dead_letters(limit=1)) == 1


def test_replay_puts_a_dead_letter_back_with_fresh_attempts(backend: Backend) -> None:
    event = dead_letter(backend, "t")
    [letter] = backend.dead_letters("t")
    assert backend.replay([letter.id]) == 1
    assert backend.dead_letters("t") == []
    again = claim_one(backend, "t")
    assert (again.event.id, again.attempt) == (event.id, 1)
    assert backend.replay([letter.id]) == 0
    backend.ack([again])


def test_drop_removes_a_dead_letter(backend: Backend) -> None:
    dead_letter(backend, "t")
    [letter] = backend.dead_letters("t")
    assert backend.drop([letter.id]) == 1
    assert backend.dead_letters() == []
    assert backend.drop([letter.id]) == 0
    assert backend.claim(["t"], 10, LONG) == []


# ---------------------------------------------------------------------------- operating


def test_delivery_states_follow_each_target(backend: Backend) -> None:
    policy = RetryPolicy(max_attempts=2, base_delay_s=0.01, max_delay_s=0.01)
    [event] = publish(backend, ["illustrate", "narrate"], id="story-1")
    publish(backend, ["other"], id="story-2")

    def states() -> dict[str, tuple[str, int, str | None]]:
        found = backend.delivery_states("story-1")
        assert {(s.event_id, s.detail_type) for s in found} == {(event.id, "Thing")}
        return {s.target: (s.state, s.attempts, s.last_error) for s in found}

    assert states() == {"illustrate": ("pending", 0, None), "narrate": ("pending", 0, None)}
    backend.ack([claim_one(backend, "illustrate")])
    backend.fail(claim_one(backend, "narrate"), "boom 1", policy)
    assert states()["illustrate"] == ("done", 1, None)
    state, attempts, error = states()["narrate"]
    assert (state in {"pending", "retrying"}, attempts, error) == (True, 1, "boom 1")
    assert backend.fail(claim_one(backend, "narrate"), "boom 2", policy)
    assert states()["narrate"] == ("dead", 2, "boom 2")
    assert backend.delivery_states("no-such-story") == []


def test_wait_returns_early_when_an_event_is_published(backend: Backend) -> None:
    publisher = threading.Timer(0.2, lambda: publish(backend, ["t"]))
    started = time.monotonic()
    publisher.start()
    backend.wait(["t"], 10.0)
    publisher.join()
    assert time.monotonic() - started < 5.0
    assert backend.claim(["t"], 10, LONG)


def test_wait_returns_after_its_timeout_when_nothing_comes(backend: Backend) -> None:
    publish(backend, ["t"])
    backend.ack([claim_one(backend, "t")])
    started = time.monotonic()
    backend.wait(["t"], 0.3)
    assert 0.25 <= time.monotonic() - started < 3.0


def test_recent_events_start_now_and_follow_in_order(backend: Backend) -> None:
    publish(backend, ["t"], 2)
    events, cursor = backend.recent_events(None, 10)
    assert events == []
    later = [Event("test", "Later", {"n": n}) for n in range(3)]
    for event in later:
        backend.publish([(event, ["t"])])
    first, cursor = backend.recent_events(cursor, 2)
    rest, cursor = backend.recent_events(cursor, 10)
    assert [e.id for e in first + rest] == [e.id for e in later]
    assert rest[0].detail == {"n": 2}
    assert backend.recent_events(cursor, 10)[0] == []


# ---------------------------------------------------------------------------- many workers


def test_two_workers_never_hold_the_same_delivery(make_backend: Callable[[], Backend]) -> None:
    targets = ["a", "b"]
    workers = [make_backend(), make_backend()]
    events = publish(workers[0], targets, 100)
    handled: Counter[str] = Counter()
    held: set[str] = set()
    overlaps: list[str] = []
    lock = threading.Lock()
    deadline = time.monotonic() + 30

    def work(backend: Backend) -> None:
        while time.monotonic() < deadline:
            with lock:
                if sum(handled.values()) >= 2 * len(events):
                    return
            deliveries = backend.claim(targets, 7, LONG)
            with lock:
                overlaps.extend(d.key for d in deliveries if d.key in held)
                held.update(d.key for d in deliveries)
            time.sleep(0.001)  # "handling": gives the other workers a chance to collide
            with lock:
                held.difference_update(d.key for d in deliveries)
                handled.update(d.key for d in deliveries)
            backend.ack(deliveries)
            if not deliveries:
                backend.wait(targets, 0.05)

    threads = [threading.Thread(target=work, args=(w,)) for w in workers for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert overlaps == []
    assert len(handled) == 2 * len(events)
    assert set(handled.values()) == {1}


def test_tidy_never_removes_unfinished_work_or_dead_letters(backend: Backend) -> None:
    letter = dead_letter(backend, "a")
    publish(backend, ["a"], count=3)
    done, pending, _ = claim_all(backend, ["a"], 3)
    backend.ack([done])
    backend.release([pending])
    backend.tidy()
    assert [d.event.id for d in claim_all(backend, ["a"], 1)] == [pending.event.id]
    assert [d.event.id for d in backend.dead_letters("a")] == [letter.id]
