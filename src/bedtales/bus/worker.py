"""The worker: claims deliveries for its targets, runs their handlers on ``concurrency``
handler threads, and acks, retries or dead-letters each one.

Deliveries are claimed and acked in batches (one round trip for many); handler threads take
them from a queue and report through another, so the loop never scans what is still running.
Leases are renewed while a handler runs, so a slow handler keeps its delivery and a dead
worker's deliveries come back after one lease. On SIGTERM (``stop`` set) the worker claims nothing
more, lets running handlers finish for up to ``grace_s``, and hands back anything unstarted
or unfinished, so another worker takes it at once.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, replace

from bedtales.bus.backends import Backend
from bedtales.bus.events import Delivery
from bedtales.bus.rules import Topology
from bedtales.clock import utcnow
from bedtales.errors import Deferred, Unprocessable, one_line, reason
from bedtales.metrics import record_delivery
from bedtales.storage.database import is_outage

log = logging.getLogger(__name__)

Run = Callable[[Delivery], None]
# told when a delivery is dead-lettered: (delivery, its last error)
OnDeadLetter = Callable[[Delivery, str], None]
# how long finished deliveries are gathered before one ack settles them all
ACK_GATHER_S = 0.005
TIDY_EVERY_S = 600.0
RETRY_S = 2.0  # after the bus failed (database or Redis unreachable)
# a failure that repeats every RETRY_S (a full disk) shows its traceback this often
TRACEBACK_EVERY_S = 300.0
PREFETCH_S = 0.05  # deliveries held per handler thread: about this much work
# a handler that failed because the database is away runs again after RETRY_S, then
# longer, at most this long (see Worker._run_through_outages)
OUTAGE_WAIT_MAX_S = 10.0


@dataclass(frozen=True)
class WorkerOptions:
    targets: tuple[str, ...]
    concurrency: int = 4
    lease_s: float = 60.0
    batch: int = 300
    grace_s: float = 30.0
    idle_wait_s: float = 1.0


class Worker:
    def __init__(
        self,
        backend: Backend,
        topology: Topology,
        run: Run,
        options: WorkerOptions,
        on_dead_letter: OnDeadLetter | None = None,
    ) -> None:
        self.backend = backend
        self.topology = topology
        self.run_handler = run
        self.options = options
        self.on_dead_letter = on_dead_letter
        # claimed and not yet settled, by (target, receipt): a receipt alone may be shared by
        # an event's targets (redis)
        self._running: dict[tuple[str, str], Delivery] = {}
        self._started: set[tuple[str, str]] = set()
        self._todo: queue.SimpleQueue[Delivery | None] = queue.SimpleQueue()
        # (delivery, its error or None, seconds the handler took)
        self._finished: queue.SimpleQueue[tuple[Delivery, BaseException | None, float]] = (
            queue.SimpleQueue()
        )
        self._lock = threading.Lock()
        self._stopped = threading.Event()
        self._stopping = threading.Event()  # the stop given to run()
        self._tidied = time.monotonic() - TIDY_EVERY_S  # tidy on the first idle moment
        self._traceback_at = time.monotonic() - TRACEBACK_EVERY_S  # the first one has it
        self._handler_s = 0.0  # average handler time, once one has run

    def run(self, stop: threading.Event) -> None:
        options = self.options
        self._stopping = stop
        # long-lived handler threads fed by a queue: no per-delivery future or thread hop
        handlers = [
            threading.Thread(target=self._handle, name=f"handler-{n}", daemon=True)
            for n in range(options.concurrency)
        ]
        for thread in handlers:
            thread.start()
        threading.Thread(target=self._renew_leases, daemon=True).start()
        while not stop.is_set():
            try:
                self._step(self._prefetch())
            except Exception as exc:  # the database or Redis went away, or its disk is full
                self._bus_failed(exc)
                stop.wait(RETRY_S)
        self._shut_down(handlers)

    def _bus_failed(self, exc: Exception) -> None:
        """Log a failure of the bus with its reason: with the traceback now and then, on one
        line in between (a full disk fails every RETRY_S for as long as it stays full)."""
        why = one_line(exc)
        if time.monotonic() - self._traceback_at < TRACEBACK_EVERY_S:
            log.warning("worker: the bus failed again (%s); trying again in %g s", why, RETRY_S)
            return
        self._traceback_at = time.monotonic()
        log.exception("worker: the bus failed (%s); trying again in %g s", why, RETRY_S)

    def _step(self, prefetch: int) -> None:
        """Claim a batch when half the last one is done, settle what finished, or wait."""
        options = self.options
        claimed: list[Delivery] = []
        if len(self._running) <= prefetch // 2:
            claimed = self.backend.claim(
                options.targets, prefetch - len(self._running), options.lease_s
            )
            for delivery in self._spare_the_crashed(claimed):
                with self._lock:
                    self._running[_slot(delivery)] = delivery
                self._todo.put(delivery)
        if self._running:
            self._settle(timeout=0.05)
        elif not claimed:
            self._tidy_now_and_then()
            self.backend.wait(options.targets, options.idle_wait_s)

    def _prefetch(self) -> int:
        """How many deliveries to hold: about PREFETCH_S of work per handler thread. Fast
        handlers get big batches (fewer round trips); slow ones (a picture, a narration) get
        two per thread, so other workers are not starved of work this one cannot start."""
        options = self.options
        least = options.concurrency * 2
        if self._handler_s <= 0:
            return least
        per_thread = int(PREFETCH_S / self._handler_s)
        return max(least, min(options.batch, options.concurrency * per_thread))

    def _handle(self) -> None:
        while (delivery := self._todo.get()) is not None:
            with self._lock:
                if _slot(delivery) not in self._running:
                    continue  # handed back at shutdown before it started
                self._started.add(_slot(delivery))
            started = time.perf_counter()
            error = self._run_through_outages(delivery)
            took = time.perf_counter() - started
            self._finished.put((delivery, error, took))
            # a moving average; a lost update between threads only nudges it
            self._handler_s = took if self._handler_s <= 0 else 0.9 * self._handler_s + 0.1 * took

    def _run_through_outages(self, delivery: Delivery) -> Exception | None:
        """Run the handler; its failure (the delivery's outcome), or None.

        A failure that is the database being away (restarting, failing over: see
        ``is_outage``) says nothing about the delivery, so it does not use up an attempt:
        with the default backoff a schedule's three attempts last a few seconds, and a
        database restart would dead-letter the stories being written. The handler runs
        again instead, on the same lease (renewed meanwhile), until the database is back,
        the worker stops or the event is older than its policy's ``max_age_s``; then the
        failure is settled as any other. Each run after the first is told it is a later
        attempt, as a retry would be: the run before may have done part of its work
        (notify: sent, then could not note it), and the handler treats that as it must."""
        runs = 0
        while True:
            try:
                attempt = delivery.attempt + runs
                self.run_handler(replace(delivery, attempt=attempt) if runs else delivery)
                return None
            except Exception as failure:  # the handler's failure is the delivery's outcome
                if not is_outage(failure) or self._stopping.is_set() or self._too_old(delivery):
                    return failure
                runs += 1
                wait = min(OUTAGE_WAIT_MAX_S, RETRY_S * runs)
                log.warning(
                    "%s: the database is away (%s); running event %s again in %g s, "
                    "its attempts kept",
                    delivery.target,
                    one_line(failure),
                    delivery.event.id,
                    wait,
                )
                if self._stopping.wait(wait):
                    return failure

    def _too_old(self, delivery: Delivery) -> bool:
        policy = self.topology.targets[delivery.target].policy.for_event(delivery.event)
        return (utcnow() - delivery.event.time).total_seconds() >= policy.max_age_s

    def _tidy_now_and_then(self) -> None:
        if time.monotonic() - self._tidied >= TIDY_EVERY_S:
            self._tidied = time.monotonic()
            removed = self.backend.tidy()
            if removed:
                log.info("tidied %d finished events from the bus", removed)

    def _spare_the_crashed(self, claimed: list[Delivery]) -> list[Delivery]:
        """Dead-letter deliveries whose earlier attempts never finished: a handler that
        kills its worker never reaches fail(), and must not crash workers for ever."""
        runnable = []
        for delivery in claimed:
            policy = self.topology.targets[delivery.target].policy.for_event(delivery.event)
            if delivery.attempt <= policy.max_attempts:
                runnable.append(delivery)
                continue
            error = (
                f"{delivery.attempt - 1} attempt(s) never finished: the worker died or hung "
                "while handling it"
            )
            self.backend.fail(delivery, error, policy)
            log.error("%s: event %s dead-lettered: %s", delivery.target, delivery.event.id, error)
            self._dead_lettered(delivery, error)
        return runnable

    def _settle(self, timeout: float) -> None:
        """Wait up to ``timeout`` for a handler to finish, then gather what finishes in the
        next few milliseconds too, and settle it all: one ack for many deliveries."""
        try:
            finished = [self._finished.get(timeout=timeout)]
        except queue.Empty:
            return
        gather_until = time.monotonic() + ACK_GATHER_S
        while len(finished) < len(self._running):
            left = gather_until - time.monotonic()
            try:
                finished.append(
                    self._finished.get(timeout=left) if left > 0 else self._finished.get_nowait()
                )
            except queue.Empty:
                break
        with self._lock:
            for delivery, _, _ in finished:
                self._running.pop(_slot(delivery), None)
                self._started.discard(_slot(delivery))
        self.backend.ack([delivery for delivery, error, _ in finished if error is None])
        for delivery, error, took in finished:
            if error is None:
                record_delivery(delivery.target, "done", took)
            elif isinstance(error, Deferred):
                log.info("%s deferred %s: %s", delivery.target, delivery.event.id, error)
                self.backend.release([delivery], error.delay_s)
                record_delivery(delivery.target, "deferred", took)
            else:
                dead = self._failed(delivery, error)
                record_delivery(delivery.target, "dead" if dead else "retry", took)

    def _failed(self, delivery: Delivery, error: BaseException) -> bool:
        """Retry or dead-letter the delivery; True when it was dead-lettered."""
        message = reason(error)
        policy = self.topology.targets[delivery.target].policy.for_event(delivery.event)
        if isinstance(error, Unprocessable):  # retrying cannot help: dead-letter it now
            policy = replace(policy, max_attempts=delivery.attempt)
        if self.backend.fail(delivery, message, policy):
            log.error(
                "%s gave up on event %s after %d attempt(s): %s; it is in the dead-letter queue",
                delivery.target,
                delivery.event.id,
                delivery.attempt,
                message,
            )
            self._dead_lettered(delivery, message)
            return True
        log.warning(
            "%s attempt %d failed: %s; will retry", delivery.target, delivery.attempt, message
        )
        return False

    def _dead_lettered(self, delivery: Delivery, error: str) -> None:
        if self.on_dead_letter is None:
            return
        try:
            self.on_dead_letter(delivery, error)
        except Exception:  # the delivery is safe in the DLQ; only the story's note is missing
            log.exception("%s: recording the dead letter on its story failed", delivery.target)

    def _renew_leases(self) -> None:
        """Renew the running deliveries' leases every third of a lease. A renewal that fails
        (the database is away or its disk full) is tried again next time: were this thread to
        end, every long handler after it would lose its lease and run twice."""
        while not self._stopped.wait(self.options.lease_s / 3):
            with self._lock:
                running = list(self._running.values())
            if not running:
                continue
            try:
                self.backend.extend(running, self.options.lease_s)
            except Exception as exc:
                log.warning(
                    "worker: renewing %d lease(s) failed (%s); trying again in %g s",
                    len(running),
                    one_line(exc),
                    self.options.lease_s / 3,
                )

    def _shut_down(self, handlers: list[threading.Thread]) -> None:
        with self._lock:
            unstarted = [d for slot, d in self._running.items() if slot not in self._started]
            for delivery in unstarted:
                del self._running[_slot(delivery)]
        self.backend.release(unstarted)
        for _ in handlers:
            self._todo.put(None)
        deadline = time.monotonic() + self.options.grace_s
        while self._running and time.monotonic() < deadline:
            self._settle(timeout=min(0.2, max(0.0, deadline - time.monotonic())))
        with self._lock:
            unfinished = list(self._running.values())
        if unfinished:
            log.warning("handing back %d unfinished deliveries", len(unfinished))
            self.backend.release(unfinished)
        self._stopped.set()


def _slot(delivery: Delivery) -> tuple[str, str]:
    return (delivery.target, delivery.receipt)
