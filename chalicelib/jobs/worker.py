"""The worker: runs jobs once each, whoever hands them over (the stream, the sweep, the local poller).

A job is claimed by a conditional write (pending, not held by another worker), run by its
kind's handler, then finished, postponed (with back-off and jitter) or parked as a dead letter
after its last attempt. Handlers are idempotent by the job id, so a job run twice (a lost
"finished" write, a stream record delivered again) does nothing twice.
"""

from __future__ import annotations

import random
import traceback
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from chalicelib.clock import Clock
from chalicelib.jobs.registry import KINDS, NotYet, Permanent, RetryLater
from chalicelib.observability import logger
from chalicelib.store.jobs import Job, JobState, JobStore

MAX_RETRY_AFTER = timedelta(hours=24)


@dataclass
class JobContext:
    """What handlers may use: the clock, the store of jobs (to add follow-up jobs) and the attempt."""

    clock: Clock
    store: JobStore
    attempt: int = 1
    extras: dict[str, Any] = field(default_factory=dict)

    def now(self) -> datetime:
        return self.clock.now()


@dataclass
class Outcome:
    ran: int = 0
    done: int = 0
    retried: int = 0
    waiting: int = 0
    dead: int = 0
    skipped: int = 0

    def add(self, other: Outcome) -> None:
        for name in ("ran", "done", "retried", "waiting", "dead", "skipped"):
            setattr(self, name, getattr(self, name) + getattr(other, name))

    def as_dict(self) -> dict[str, int]:
        return dict(self.__dict__)


class Worker:
    def __init__(self, clock: Clock, store: JobStore | None = None, rng: random.Random | None = None) -> None:
        self.clock = clock
        self.store = store or JobStore()
        self.rng = rng or random.Random()

    def run(self, job: Job, lookahead: timedelta = timedelta(0)) -> Outcome:
        """One attempt of one job, if it is due (within ``lookahead``) and free."""
        outcome = Outcome()
        now = self.clock.now()
        if job.state != JobState.PENDING or (job.due is not None and job.due > now + lookahead):
            outcome.skipped += 1
            return outcome
        kind = KINDS.get(job.kind)
        claim = self.store.claim(job, now, kind.lease if kind else timedelta(seconds=60))
        if claim is None:
            outcome.skipped += 1
            return outcome
        outcome.ran += 1
        if kind is None:
            self.store.park(job, now, f"unknown job kind {job.kind}")
            outcome.dead += 1
            return outcome
        earlier = self.store.earlier_unfinished(job)
        if earlier is not None:  # wait for it: not before it is due itself
            after = self._after(now, 1.0)
            if earlier.due is not None and earlier.due + timedelta(seconds=1) > after:
                after = earlier.due + timedelta(seconds=1)
            self.store.postpone(job, after, None, count_attempt=False)
            outcome.waiting += 1
            return outcome
        try:
            result = kind.run(job, JobContext(self.clock, self.store, claim.attempt))
        except NotYet as wait:
            self.store.postpone(job, self._after(now, wait.seconds), str(wait), count_attempt=False)
            outcome.waiting += 1
            return outcome
        except Permanent as refused:
            self._park(job, now, f"permanent: {refused}")
            outcome.dead += 1
            return outcome
        except Exception as error:  # any failure of an attempt is retried by the policy
            detail = "".join(traceback.format_exception_only(type(error), error)).strip()
            delay = kind.retry.next_delay(claim.attempt, self.rng)
            if delay is None:
                self._park(job, now, detail)
                outcome.dead += 1
                return outcome
            if isinstance(error, RetryLater):
                delay = max(delay, min(timedelta(seconds=error.seconds), MAX_RETRY_AFTER))
            logger.warning("job attempt failed", extra={"job": job.id, "attempt": claim.attempt, "error": detail[:500]})
            self.store.postpone(job, self.clock.now() + delay, detail)
            outcome.retried += 1
            return outcome
        order_key, order_entry = job.order_key, job.order_entry
        self.store.finish(job, self.clock.now(), result)
        outcome.done += 1
        if order_key and order_entry:
            self._wake_next(order_key, order_entry)
        return outcome

    def _wake_next(self, order_key: str, order_entry: str) -> None:
        """Make the next job of the order due now (its change reaches the stream at once)."""
        try:
            self.store.wake_next(order_key, order_entry, self.clock.now())
        except Exception:  # it is due later anyway: the sweep runs it then
            logger.exception("next job of an order not woken", extra={"order_key": order_key})

    def run_id(self, job_id: str) -> Outcome:
        job = self.store.get(job_id)
        if job is None:
            return Outcome(skipped=1)
        return self.run(job)

    def run_due(self, limit: int = 200, lookahead: timedelta = timedelta(0)) -> Outcome:
        """Every job due now (the sweep, and the local poller); at most ``limit`` attempts.

        ``lookahead`` also runs jobs due that much later (tests on a clock that stands still).
        """
        total = Outcome()
        try:
            due = list(self.store.due(self.clock.now() + lookahead, limit=limit))
        except Exception:  # the store failed: nothing is lost, the next sweep reads the due jobs again
            logger.exception("due jobs could not be read")
            return total
        for job in due:
            if total.ran >= limit:
                break
            try:
                total.add(self.run(job, lookahead))
            except Exception:  # the store failed under us: the job stays due, the sweep comes back
                logger.exception("job could not be run", extra={"job": job.id})
        return total

    def drain(self, rounds: int = 50, lookahead: timedelta = timedelta(0)) -> Outcome:
        """Run due jobs until a round finds nothing to run (tests and the local stack's poller)."""
        total = Outcome()
        for _ in range(rounds):
            outcome = self.run_due(lookahead=lookahead)
            total.add(outcome)
            if outcome.ran == 0:
                break
        return total

    def run_stream(self, records: Iterable[dict[str, Any]]) -> Outcome:
        """The jobs of DynamoDB stream records (new images of inserted or re-driven jobs)."""
        total = Outcome()
        for record in records:
            image = (record.get("dynamodb") or {}).get("NewImage")
            if record.get("eventName") not in ("INSERT", "MODIFY") or not image:
                continue
            if image.get("state", {}).get("S") != JobState.PENDING or "lease_until" in image:
                continue
            total.add(self.run_id(image["id"]["S"]))
        return total

    def _park(self, job: Job, now: datetime, error: str) -> None:
        logger.error("job parked as a dead letter", extra={"job": job.id, "kind": job.kind, "error": error[:500]})
        self.store.park(job, now, error)

    def _after(self, now: datetime, seconds: float) -> datetime:
        return now + timedelta(seconds=seconds * self.rng.uniform(1.0, 1.5))
