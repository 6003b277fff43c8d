"""What the ``redis`` backend does beyond the contract (tests/test_bus_contract.py): its layout
in Redis, XAUTOCLAIM after a consumer vanished, the dead-letter stream, expiring keys,
trimming, and a clear error when Redis cannot be reached."""

from __future__ import annotations

import os
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import redis

from bedtales.bus.backends.redis import RedisBackend
from bedtales.bus.backends.redis_scripts import DEDUP_TTL_S, STATE_TTL_S
from bedtales.bus.events import Delivery, Event, RetryPolicy
from bedtales.errors import ConfigError
from conftest import require_service

REDIS_URL = os.environ.get("BEDTALES_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
LONG = 30.0


@pytest.fixture
def bus() -> str:
    return f"test-{uuid.uuid4().hex}"


@pytest.fixture
def client() -> Iterator[redis.Redis]:
    connection = redis.Redis.from_url(REDIS_URL, decode_responses=True)
    try:
        connection.ping()
    except redis.RedisError as exc:
        require_service("Redis", f"{REDIS_URL}: {exc}")
    yield connection
    connection.close()


@pytest.fixture
def make_backend(client: redis.Redis, bus: str) -> Iterator[Callable[[], RedisBackend]]:
    opened: list[RedisBackend] = []

    def make() -> RedisBackend:
        opened.append(RedisBackend(REDIS_URL, bus=bus))
        return opened[-1]

    yield make
    if opened:
        opened[0].purge()
    for backend in opened:
        backend.close()


@pytest.fixture
def backend(make_backend: Callable[[], RedisBackend]) -> RedisBackend:
    return make_backend()


def key(bus: str, name: str) -> str:
    return f"bedtales:{{{bus}}}:{name}"


def publish(backend: RedisBackend, targets: list[str], count: int = 1) -> list[Event]:
    events = [Event("test", "Thing", {"n": n, "id": f"story-{n}"}) for n in range(count)]
    backend.publish([(event, targets) for event in events])
    return events


def eventually(check: Callable[[], list[Delivery]], within: float = 5.0) -> list[Delivery]:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        if found := check():
            return found
        time.sleep(0.01)
    pytest.fail(f"nothing came within {within} s")


def test_an_unreachable_server_is_a_config_error_naming_the_setting() -> None:
    with pytest.raises(ConfigError, match="BEDTALES_BUS__REDIS_URL") as caught:
        RedisBackend("redis://user:secret@127.0.0.1:1/0")
    assert "secret" not in str(caught.value)
    assert "127.0.0.1:1" in str(caught.value)


def test_a_malformed_url_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match="BEDTALES_BUS__REDIS_URL"):
        RedisBackend("http://127.0.0.1:6379")


def test_one_stream_per_bus_and_one_group_per_target(
    backend: RedisBackend, client: redis.Redis, bus: str
) -> None:
    publish(backend, ["illustrate", "narrate"], 3)
    assert client.xlen(key(bus, "events")) == 3
    groups = client.xinfo_groups(key(bus, "events"))
    assert sorted(group["name"] for group in groups) == ["illustrate", "narrate"]
    other = RedisBackend(REDIS_URL, bus=f"{bus}-other")
    try:
        assert other.claim(["illustrate"], 10, LONG) == []
    finally:
        other.purge()
        other.close()


def test_a_target_first_named_later_gets_only_its_own_events(backend: RedisBackend) -> None:
    publish(backend, ["illustrate"], 2)
    late = Event("test", "Thing", {"n": 9})
    backend.publish([(late, ["illustrate", "notify"])])
    assert [d.event.id for d in backend.claim(["notify"], 10, LONG)] == [late.id]


def test_entries_for_other_targets_are_acked_at_once(
    backend: RedisBackend, client: redis.Redis, bus: str
) -> None:
    publish(backend, ["a", "b"], 1)
    publish(backend, ["a"], 4)
    [mine] = backend.claim(["b"], 10, LONG)
    pending = client.xpending(key(bus, "events"), "b")
    assert pending["pending"] == 1
    backend.ack([mine])
    assert client.xpending(key(bus, "events"), "b")["pending"] == 0


def test_deliveries_of_a_vanished_consumer_are_autoclaimed(
    make_backend: Callable[[], RedisBackend], client: redis.Redis, bus: str
) -> None:
    crashed, survivor = make_backend(), make_backend()
    publish(crashed, ["t"])
    [lost] = crashed.claim(["t"], 10, 0.2)
    crashed.close()  # gone without an ack: its delivery stays in the pending list
    assert survivor.claim(["t"], 10, LONG) == []
    [found] = eventually(lambda: survivor.claim(["t"], 10, LONG))
    assert (found.event.id, found.attempt) == (lost.event.id, 2)
    [entry] = client.xpending_range(key(bus, "events"), "t", "-", "+", 10)
    assert entry["times_delivered"] == 2
    assert entry["consumer"] != lost.receipt.rsplit(":", 1)[1]


def test_a_dead_letter_lands_on_its_targets_dead_letter_stream(
    backend: RedisBackend, client: redis.Redis, bus: str
) -> None:
    [event] = publish(backend, ["t"])
    [delivery] = backend.claim(["t"], 10, LONG)
    assert backend.fail(delivery, "no luck", RetryPolicy(max_attempts=1))
    entries: Any = client.xrange(key(bus, "dlq:t"))  # decoded: str ids and fields
    [(entry_id, fields)] = entries
    assert Event.from_json(fields["event"]).id == event.id
    assert (fields["attempts"], fields["error"]) == ("1", "no luck")
    assert [letter.id for letter in backend.dead_letters("t")] == [f"t:{entry_id}"]


def test_dedup_and_state_keys_expire(backend: RedisBackend, client: redis.Redis, bus: str) -> None:
    [event] = publish(backend, ["t"])
    assert 0 < client.ttl(key(bus, f"seen:{event.id}")) <= DEDUP_TTL_S
    assert 0 < client.ttl(key(bus, "state:story-0")) <= STATE_TTL_S
    backend.ack(backend.claim(["t"], 10, LONG))
    assert client.ttl(key(bus, "state:story-0")) > 0


def test_tidy_trims_only_what_every_group_is_done_with(
    backend: RedisBackend, client: redis.Redis, bus: str
) -> None:
    stream = key(bus, "events")
    publish(backend, ["a", "b"], 300)
    backend.ack(backend.claim(["a"], 300, LONG))
    assert backend.tidy(approximate=False) == 0  # b has read nothing yet
    deliveries = sorted(backend.claim(["b"], 300, LONG), key=lambda d: d.event.detail["n"])
    backend.ack(deliveries[:250])
    backend.tidy(approximate=False)
    assert client.xlen(stream) == 50
    backend.ack(deliveries[250:])
    backend.tidy(approximate=False)
    assert client.xlen(stream) == 1  # the groups' read position stays


def test_close_forgets_its_consumer_only_when_it_holds_nothing(
    make_backend: Callable[[], RedisBackend], client: redis.Redis, bus: str
) -> None:
    idle, busy = make_backend(), make_backend()
    publish(idle, ["t"], 2)
    idle.ack(idle.claim(["t"], 1, LONG))
    busy.claim(["t"], 1, LONG)
    idle.close()
    busy.close()
    [consumer] = client.xinfo_consumers(key(bus, "events"), "t")
    assert consumer["pending"] == 1


def test_wait_wakes_when_another_worker_hands_a_delivery_back(
    make_backend: Callable[[], RedisBackend],
) -> None:
    waiter, leaver = make_backend(), make_backend()
    publish(leaver, ["t"])
    held = leaver.claim(["t"], 10, LONG)
    waiter.claim(["t"], 10, LONG)  # nothing: the only delivery is leased
    releaser = threading.Timer(0.2, lambda: leaver.release(held))
    started = time.monotonic()
    releaser.start()
    waiter.wait(["t"], 10.0)
    releaser.join()
    assert time.monotonic() - started < 5.0
    [back] = waiter.claim(["t"], 10, LONG)
    assert back.attempt == 1


def test_a_long_pending_list_is_still_recovered(
    make_backend: Callable[[], RedisBackend],
) -> None:
    crashed, survivor = make_backend(), make_backend()
    count = 1500  # past SCAN_REST_ABOVE: the XAUTOCLAIM scan goes in steps and rests
    publish(crashed, ["t"], count)
    assert len(crashed.claim(["t"], count, 0.2)) == count
    recovered: set[str] = set()

    def more() -> list[Delivery]:
        found = survivor.claim(["t"], 200, LONG)
        assert {d.attempt for d in found} <= {2}
        recovered.update(d.event.id for d in found)
        return found if len(recovered) == count else []

    eventually(more, within=10.0)
