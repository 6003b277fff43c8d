"""The ``redis`` delivery backend: Redis Streams, one stream per bus, one consumer group per
target.

Keys, all under ``<namespace>:{<bus>}:`` (the hash tag keeps one bus in one cluster slot):

- ``events`` — the stream; each entry holds the event JSON and its comma-joined targets.
  Every target's consumer group reads every entry and acks at once those not meant for it.
- ``groups`` — the targets that have a consumer group; ``seen:<event id>`` — publish dedup.
- ``retry:<target>`` — a sorted set of event ids scored by the time they are due (or, while
  leased, by the time the lease runs out), with ``body:`` and ``attempt:`` hashes beside it.
  A failed delivery moves here; so do released and replayed ones.
- ``dlq:<target>`` — the dead-letter stream; ``wake`` — a short stream that nudges waiters;
  ``cursor:<target>`` — where the XAUTOCLAIM scan goes on; ``state:<subject>`` — per-story
  delivery states.

A first delivery is leased through the group's pending list: a consumer that dies leaves it
there, and ``XAUTOCLAIM`` hands it to the next claimer once its lease has run out. A receipt
is ``s:<delivery count>:<entry id>:<consumer>`` for a stream delivery and
``r:<attempt>:<event id>`` for a retry; ack, fail, release and extend act only while that
receipt is still the live lease.

Every operation is one script call, loaded once: no per-message round trips. The hot ones
(publish, claim, ack) take and return one JSON text rather than many arguments, because
redis-py packs and parses each element in Python, which costs more than the work in Redis.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import logging
import os
import secrets
import socket
import time
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit, urlunsplit

import redis
from redis.exceptions import AuthenticationError, AuthorizationError, RedisError
from redis.typing import KeyT, StreamIdT

from bedtales.bus.backends import Backend, BackendSettings, backends
from bedtales.bus.backends.redis_scripts import LEASE_HORIZON_MS, SCRIPTS
from bedtales.bus.events import DeadLetter, Delivery, DeliveryState, Event, RetryPolicy
from bedtales.clock import utcnow
from bedtales.errors import ConfigError, InputError, Unreachable

if TYPE_CHECKING:
    from sqlalchemy import Connection

    from bedtales.storage import Database

log = logging.getLogger(__name__)

# Consumers with nothing pending and idle this long are removed by tidy().
IDLE_CONSUMER_MS = 86400 * 1000
TIDY_EVERY_S = 30.0
# Events and deliveries per script call: big enough to batch, small enough not to stall Redis.
CHUNK = 500
SETTING = "BEDTALES_BUS__REDIS_URL"


@backends.register("redis")
def create_backend(settings: BackendSettings, db: Database) -> Backend:
    """Deliveries in Redis streams at ``bus.redis_url``, named after ``bus.name``."""
    return RedisBackend(settings.redis_url, bus=settings.name)


class RedisBackend:
    """Durable per-target queues on Redis Streams; see the module docstring for the layout."""

    name = "redis"
    transactional = False

    def __init__(self, url: str, *, bus: str = "default", namespace: str = "bedtales") -> None:
        self._redis = _connect(url)
        check_persistence(self._redis, _safe_url(url))
        self._prefix = f"{namespace}:{{{bus}}}:"
        self._stream = self._prefix + "events"
        self._consumer = f"{socket.gethostname()}-{os.getpid()}-{secrets.token_hex(4)}"
        self._turn = itertools.count()
        self._tidied = time.monotonic()
        self._scripts = {name: self._redis.register_script(body) for name, body in SCRIPTS.items()}

    def _run(self, script: str, *args: Any) -> Any:
        return self._scripts[script](keys=[self._stream], args=[self._prefix, *args])

    def _run_chunked(self, script: str, args: list[str], width: int, *head: Any) -> int:
        """Run a script over ``width`` arguments per item, CHUNK items a call."""
        step = CHUNK * width
        return sum(
            int(self._run(script, *head, *args[i : i + step]) or 0)
            for i in range(0, len(args), step)
        )

    def publish(
        self, items: Sequence[tuple[Event, Sequence[str]]], *, connection: Connection | None = None
    ) -> int:
        rows = []
        for event, targets in items:
            names = list(dict.fromkeys(targets))
            for target in names:
                _check_target(target)
            targets_field = f",{','.join(names)}," if names else ""
            key = self._state_key(event)
            rows.append([event.id, event.to_json(), targets_field, key, event.detail_type])
        return sum(
            int(self._run("publish", json.dumps(rows[i : i + CHUNK])))
            for i in range(0, len(rows), CHUNK)
        )

    def claim(self, targets: Sequence[str], limit: int, lease_s: float) -> list[Delivery]:
        if not targets or limit <= 0:
            return []
        self._tidy_now_and_then()
        # start with a different target each time: with a small limit, none starves
        turn = next(self._turn) % len(targets)
        order = [*targets[turn:], *targets[:turn]]
        reply = json.loads(self._run("claim", self._consumer, _lease_ms(lease_s), limit, *order))
        events = {ref: Event.from_envelope(envelope) for ref, envelope in reply["b"].items()}
        deliveries = []
        for target, receipt in reply["d"]:
            kind, attempt, ref = _receipt(receipt)
            deliveries.append(Delivery(events[kind + ref], target, attempt, receipt))
        return deliveries

    def ack(self, deliveries: Sequence[Delivery]) -> None:
        for i in range(0, len(deliveries), CHUNK):
            self._run("ack", json.dumps(self._ack_batch(deliveries[i : i + CHUNK])))

    def _ack_batch(self, deliveries: Sequence[Delivery]) -> dict[str, list[Any]]:
        retries: list[Any] = []
        streams: dict[tuple[str, str], list[Any]] = {}
        for d in deliveries:
            kind, attempt, ref = _receipt(d.receipt)
            state = [self._state_key(d.event), f"{d.event.id}\t{d.target}"]
            if kind == "s":
                consumer = d.receipt.split(":", 3)[3]
                streams.setdefault((d.target, consumer), []).append([ref, attempt, *state])
            else:
                retries.append([d.target, ref, str(attempt), *state])
        groups = []
        for (target, consumer), items in streams.items():
            ids = sorted(_entry_id(item[0]) for item in items)
            low, high = (f"{ms}-{seq}" for ms, seq in (ids[0], ids[-1]))
            groups.append([target, consumer, low, high, items])
        return {"s": groups, "r": retries}

    def fail(self, delivery: Delivery, error: str, policy: RetryPolicy) -> bool:
        event = delivery.event
        dead = policy.gives_up(delivery.attempt, event.time, utcnow())
        delay = 0 if dead else _ms(policy.next_delay(delivery.attempt))
        head = [delivery.target, delivery.receipt, self._state_key(event), event.id]
        result = self._run("fail", *head, event.to_json(), int(dead), delay, error)
        return int(result) == 1

    def release(self, deliveries: Sequence[Delivery], delay_s: float = 0.0) -> None:
        args: list[str] = []
        for d in deliveries:
            args += [d.target, d.receipt, d.event.id, d.event.to_json()]
        self._run_chunked("release", args, 4, _ms(max(0.0, delay_s)))

    def extend(self, deliveries: Sequence[Delivery], lease_s: float) -> None:
        args: list[str] = []
        for d in deliveries:
            args += [d.target, d.receipt]
        self._run_chunked("extend", args, 2, _lease_ms(lease_s))

    def wait(self, targets: Sequence[str], timeout_s: float) -> None:
        """Block on the stream (new events), the wake stream (retries, releases, replays)
        and the earliest scheduled delivery. A first delivery whose consumer died is noticed
        by the next claim after its lease: ``timeout_s`` bounds that wait."""
        cursor, wake_cursor, due_ms = self._run("wait", *targets)
        block_ms = _ms(timeout_s) if due_ms < 0 else min(_ms(timeout_s), int(due_ms))
        if block_ms <= 0:
            return
        # returns at once when an entry lies past any of these targets' read positions
        streams: dict[KeyT, StreamIdT] = {self._stream: cursor, self._prefix + "wake": wake_cursor}
        self._redis.xread(streams, count=1, block=block_ms)

    def dead_letters(self, target: str | None = None, limit: int = 100) -> list[DeadLetter]:
        known = self._redis.smembers(self._prefix + "groups")
        targets = [target] if target else sorted(str(name) for name in known)
        pipe = self._redis.pipeline(transaction=False)
        for name in targets:
            pipe.xrange(self._prefix + f"dlq:{name}", count=limit)
        letters = [
            _dead_letter(name, entry_id, fields)
            for name, raw in zip(targets, pipe.execute(), strict=True)
            for entry_id, fields in _entries(raw)
        ]
        return sorted(letters, key=lambda letter: (letter.failed_at, letter.id))[:limit]

    def replay(self, ids: Sequence[str]) -> int:
        args: list[str] = []
        for letter in self._lookup(ids):
            entry_id = letter.id.rpartition(":")[2]
            args += [letter.target, entry_id, letter.event.id, letter.event.to_json()]
            args += [self._state_key(letter.event), letter.error]
        return self._run_chunked("replay", args, 6)

    def drop(self, ids: Sequence[str]) -> int:
        pipe = self._redis.pipeline(transaction=False)
        for target, entry_id in _parse_dead_letter_ids(ids):
            pipe.xdel(self._prefix + f"dlq:{target}", entry_id)
        return sum(int(n) for n in pipe.execute())

    def delivery_states(self, subject: str) -> list[DeliveryState]:
        fields = {
            str(k): str(v) for k, v in self._redis.hgetall(self._state_key_for(subject)).items()
        }
        states = []
        for key, value in fields.items():
            event_id, _, target = key.partition("\t")
            if not target:
                continue  # the event's detail-type, kept once for all its targets
            state, attempts, updated_ms, error = value.split("\t", 3)
            when = datetime.fromtimestamp(int(updated_ms) / 1000, UTC)
            detail_type = fields.get(event_id, "")
            states.append(
                DeliveryState(
                    event_id, detail_type, target, state, int(attempts), error or None, when
                )
            )
        return sorted(states, key=lambda s: (s.event_id, s.target))

    def recent_events(self, after: Any, limit: int) -> tuple[list[Event], Any]:
        if after is None:
            top = _entries(self._redis.xrevrange(self._stream, count=1))
            return [], top[0][0] if top else "0-0"
        entries = _entries(self._redis.xrange(self._stream, min=f"({after}", count=limit))
        events = [Event.from_json(fields["event"]) for _, fields in entries]
        return events, entries[-1][0] if entries else after

    def tidy(self, *, approximate: bool = True, leaving: bool = False) -> int:
        """Trim the stream of what every group is done with; forget idle, empty consumers
        (and our own, when ``leaving``). Returns how many entries were trimmed. claim() runs
        it every so often."""
        self._tidied = time.monotonic()
        mode = "~" if approximate else "="
        me = self._consumer if leaving else ""
        return int(self._run("tidy", IDLE_CONSUMER_MS, me, mode))

    def purge(self) -> None:
        """Delete every key of this bus (tests and benchmarks only)."""
        keys = list(self._redis.scan_iter(match=self._prefix + "*", count=1000))
        for i in range(0, len(keys), 1000):
            self._redis.delete(*keys[i : i + 1000])

    def close(self) -> None:
        # leave no empty consumer of ours behind; but closing must not fail on a lost Redis
        with contextlib.suppress(RedisError):
            self.tidy(leaving=True)
        self._redis.close()

    def _tidy_now_and_then(self) -> None:
        if time.monotonic() - self._tidied >= TIDY_EVERY_S:
            self.tidy()

    def _state_key(self, event: Event) -> str:
        subject = event.subject
        return "" if subject is None else self._state_key_for(subject)

    def _state_key_for(self, subject: str) -> str:
        return self._prefix + f"state:{subject}"

    def _lookup(self, ids: Sequence[str]) -> Iterator[DeadLetter]:
        parsed = _parse_dead_letter_ids(ids)
        pipe = self._redis.pipeline(transaction=False)
        for target, entry_id in parsed:
            pipe.xrange(self._prefix + f"dlq:{target}", min=entry_id, max=entry_id, count=1)
        for (target, _), raw in zip(parsed, pipe.execute(), strict=True):
            for entry_id, fields in _entries(raw):
                yield _dead_letter(target, entry_id, fields)


def _connect(url: str) -> redis.Redis:
    try:
        client = redis.Redis.from_url(url, decode_responses=True, socket_connect_timeout=5)
    except ValueError as exc:
        raise ConfigError(f"invalid setting {SETTING}={_safe_url(url)}: {exc}") from None
    try:
        client.ping()
    except (AuthenticationError, AuthorizationError) as exc:  # a retry will not change it
        raise ConfigError(f"invalid setting {SETTING}={_safe_url(url)}: {exc}") from None
    except RedisError as exc:
        raise Unreachable(f"cannot reach Redis at {SETTING}={_safe_url(url)}: {exc}") from None
    return client


def check_persistence(client: redis.Redis, where: str) -> bool | None:
    """Warn when Redis keeps the bus only in memory: neither the append-only file
    (``appendonly yes``) nor RDB snapshots (a ``save`` rule) are on, so a Redis restart loses
    queued deliveries, retries, dead letters and the events tail (docs/bus.md). True when it
    persists, False when it does not, None when the server refuses ``CONFIG GET`` (managed
    Redis often does): then it cannot be told, which is said at info level."""
    try:
        appendonly = _config_value(client, "appendonly")
        save = _config_value(client, "save")
    except RedisError as exc:
        appendonly = save = None
        reason = f"CONFIG GET refused: {exc}"
    else:
        reason = "CONFIG GET answered nothing"
    if appendonly is None or save is None:
        log.info(
            "could not check whether Redis at %s persists (%s); make sure it has "
            "appendonly yes or save rules, see docs/bus.md",
            where,
            reason,
        )
        return None
    if appendonly.lower() == "yes" or save.strip():
        return True
    log.warning(
        "Redis at %s does not persist (appendonly no, no save rules): a Redis restart loses "
        "every delivery not yet handled, the retries, the dead letters and the events tail; "
        "set appendonly yes (see docs/bus.md)",
        where,
    )
    return False


def _config_value(client: redis.Redis, name: str) -> str | None:
    """One ``CONFIG GET`` value, None when the server does not name it; RedisError when the
    command is refused or renamed away."""
    reply: Any = client.config_get(name)
    value = reply.get(name)
    return None if value is None else str(value)


def _safe_url(url: str) -> str:
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = f"{parts.username or ''}:***@{parts.hostname or ''}"
    netloc += f":{parts.port}" if parts.port else ""
    return urlunsplit(parts._replace(netloc=netloc))


def _check_target(target: str) -> None:
    if not target or "," in target:
        raise InputError(f"target name {target!r} must be non-empty without commas", field="target")


def _ms(seconds: float) -> int:
    return max(0, round(seconds * 1000))


def _lease_ms(seconds: float) -> int:
    return min(_ms(seconds), LEASE_HORIZON_MS)


def _receipt(receipt: str) -> tuple[str, int, str]:
    """Kind, attempt and ref (entry id or event id) of a receipt."""
    kind, attempt, rest = receipt.split(":", 2)
    ref = rest.partition(":")[0] if kind == "s" else rest
    return kind, int(attempt), ref


def _entry_id(entry_id: str) -> tuple[int, int]:
    ms, _, seq = entry_id.partition("-")
    return int(ms), int(seq)


def _dead_letter(target: str, entry_id: str, fields: dict[str, str]) -> DeadLetter:
    return DeadLetter(
        id=f"{target}:{entry_id}",
        event=Event.from_json(fields["event"]),
        target=target,
        attempts=int(fields["attempts"]),
        error=fields["error"],
        failed_at=datetime.fromtimestamp(int(fields["failed_at"]) / 1000, UTC),
    )


def _entries(raw: Any) -> list[tuple[str, dict[str, str]]]:
    """Stream entries as read with ``decode_responses``, typed."""
    return [(str(i), {str(k): str(v) for k, v in (f or {}).items()}) for i, f in raw or []]


def _parse_dead_letter_ids(ids: Sequence[str]) -> list[tuple[str, str]]:
    """``<target>:<entry id>`` pairs; ids of another shape name no dead letter here."""
    parsed = []
    for letter_id in ids:
        target, _, entry_id = letter_id.rpartition(":")
        if target and entry_id.count("-") == 1:
            parsed.append((target, entry_id))
    return parsed
