"""Jobs: every consequence of a committed change, written in the same transaction as the change.

``jobs`` — :class:`Job`, keyed by the job id (the idempotency key of whatever the job does:
a document's id and S3 key, a message's id, a webhook's ``webhook-id`` are derived from it).
Three sparse GSIs, each set only while it applies:

- ``by-due`` (``due_shard``, ``due_at``): jobs waiting to run, in ``SHARDS`` partitions; the
  local poller and the AWS sweep read what is due and nothing else;
- ``by-dead`` (``dead``, ``dead_at``): the dead letters an operator lists and replays;
- ``by-order`` (``order_key``, ``order_entry``): jobs that must run in order (a kindergarten's
  events per direction and per contract, each endpoint's deliveries); a job runs only when no
  earlier unfinished job of its ``order_key`` is left.

The table has a stream (new images): in AWS every new or re-driven job invokes the worker at
once (``chalicelib/functions/jobs.py``); the sweep picks up what the stream did not run.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from pynamodb.attributes import (
    JSONAttribute,
    NumberAttribute,
    TTLAttribute,
    UnicodeAttribute,
    UTCDateTimeAttribute,
)
from pynamodb.exceptions import UpdateError
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex
from pynamodb.models import Model

from chalicelib.store.base import condition_failed, table_meta

SHARDS = 4
DEAD = "dead"
DONE_KEPT = timedelta(days=30)  # a finished job is kept this long (the delivery log points at it)


class JobState:
    PENDING = "pending"
    DONE = "done"
    DEAD = "dead"


def due_shard(job_id: str) -> str:
    return f"due#{int(hashlib.sha256(job_id.encode()).hexdigest()[:4], 16) % SHARDS}"


def _iso(at: datetime) -> str:
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


class JobsByDue(GlobalSecondaryIndex["Job"]):
    class Meta:
        index_name = "by-due"
        projection = AllProjection()

    due_shard = UnicodeAttribute(hash_key=True)
    due_at = UnicodeAttribute(range_key=True)


class JobsByDead(GlobalSecondaryIndex["Job"]):
    class Meta:
        index_name = "by-dead"
        projection = AllProjection()

    dead = UnicodeAttribute(hash_key=True)
    dead_at = UnicodeAttribute(range_key=True)


class JobsByOrder(GlobalSecondaryIndex["Job"]):
    class Meta:
        index_name = "by-order"
        projection = AllProjection()

    order_key = UnicodeAttribute(hash_key=True)
    order_entry = UnicodeAttribute(range_key=True)


class Job(Model):
    """One consequence to carry out: its kind, what it needs, and how its attempts went."""

    Meta = table_meta("jobs")
    Meta.stream_view_type = "NEW_IMAGE"  # type: ignore[attr-defined]

    id = UnicodeAttribute(hash_key=True)
    kind = UnicodeAttribute()
    payload = JSONAttribute(default=dict)
    state = UnicodeAttribute(default=JobState.PENDING)
    subject = UnicodeAttribute(null=True)  # what it is about ("application#<id>"), for people reading
    created_at = UTCDateTimeAttribute()
    attempts = NumberAttribute(default=0)
    lease_until = UnicodeAttribute(null=True)  # ISO UTC: a worker holds the job until then
    last_error = UnicodeAttribute(null=True)
    finished_at = UTCDateTimeAttribute(null=True)
    result = JSONAttribute(null=True)

    due_shard = UnicodeAttribute(null=True)
    due_at = UnicodeAttribute(null=True)  # ISO UTC (sortable)
    dead = UnicodeAttribute(null=True)
    dead_at = UnicodeAttribute(null=True)
    order_key = UnicodeAttribute(null=True)
    order_entry = UnicodeAttribute(null=True)
    expires = TTLAttribute(null=True)

    by_due = JobsByDue()
    by_dead = JobsByDead()
    by_order = JobsByOrder()

    @property
    def due(self) -> datetime | None:
        return datetime.fromisoformat(self.due_at.replace("Z", "+00:00")) if self.due_at else None


def new_job(
    job_id: str,
    kind: str,
    payload: dict[str, Any],
    *,
    now: datetime,
    subject: str | None = None,
    order_key: str | None = None,
    order_entry: str | None = None,
    due: datetime | None = None,
) -> Job:
    """A pending job, due now (or at ``due``); ``order_key``/``order_entry`` make it wait for earlier ones."""
    return Job(
        job_id,
        kind=kind,
        payload=payload,
        state=JobState.PENDING,
        subject=subject,
        created_at=now,
        attempts=0,
        due_shard=due_shard(job_id),
        due_at=_iso(due or now),
        order_key=order_key,
        order_entry=order_entry if order_key else None,
    )


@dataclass(frozen=True)
class Claim:
    """A job a worker holds until ``lease_until``."""

    job: Job
    attempt: int


class JobStore:
    """The job table's reads and the conditional writes that move a job along."""

    def get(self, job_id: str) -> Job | None:
        try:
            return Job.get(job_id, consistent_read=True)
        except Job.DoesNotExist:
            return None

    def add(self, job: Job) -> bool:
        """Write a job outside a transaction (a job that makes further jobs); False if it exists."""
        try:
            job.save(condition=Job.id.does_not_exist())
        except Exception as error:
            if condition_failed(error) or condition_failed(getattr(error, "__cause__", None) or error):
                return False
            raise
        return True

    def due(self, now: datetime, limit: int = 100) -> Iterator[Job]:
        """Pending jobs due at ``now``, oldest first within each shard."""
        until = _iso(now)
        for shard in range(SHARDS):
            yield from Job.by_due.query(f"due#{shard}", Job.due_at <= until, limit=limit)

    def claim(self, job: Job, now: datetime, lease: timedelta) -> Claim | None:
        """Hold a pending job for one attempt; None if it is done, dead or held by another worker."""
        attempt = int(job.attempts or 0) + 1
        try:
            job.update(
                actions=[Job.attempts.set(attempt), Job.lease_until.set(_iso(now + lease))],
                condition=(Job.state == JobState.PENDING)
                & (Job.lease_until.does_not_exist() | (Job.lease_until < _iso(now))),
            )
        except UpdateError as error:
            if condition_failed(error):
                return None
            raise
        return Claim(job, attempt)

    def earlier_unfinished(self, job: Job) -> Job | None:
        """The earliest job of the same order key before this one that is not finished (None: go ahead)."""
        if not job.order_key or not job.order_entry:
            return None
        for earlier in Job.by_order.query(job.order_key, Job.order_entry < job.order_entry, limit=5):
            if earlier.id != job.id and earlier.state == JobState.PENDING:
                return earlier
        return None

    def wake_next(self, order_key: str, order_entry: str, now: datetime) -> None:
        """The next pending job of ``order_key`` after ``order_entry``, if it waits, becomes due now."""
        for following in Job.by_order.query(order_key, Job.order_entry > order_entry, limit=1):
            if following.state == JobState.PENDING and (following.due is None or following.due > now):
                try:
                    following.update(
                        actions=[Job.due_at.set(_iso(now)), Job.due_shard.set(due_shard(following.id))],
                        condition=(Job.state == JobState.PENDING) & Job.lease_until.does_not_exist(),
                    )
                except UpdateError as error:
                    if not condition_failed(error):
                        raise

    def finish(self, job: Job, now: datetime, result: dict[str, Any] | None = None) -> None:
        job.update(
            actions=[
                Job.state.set(JobState.DONE),
                Job.finished_at.set(now),
                Job.result.set(result) if result is not None else Job.result.remove(),
                Job.lease_until.remove(),
                Job.due_shard.remove(),
                Job.due_at.remove(),
                Job.order_key.remove(),
                Job.order_entry.remove(),
                Job.last_error.remove(),
                Job.expires.set(now + DONE_KEPT),
            ],
        )

    def postpone(self, job: Job, due: datetime, error: str | None, *, count_attempt: bool = True) -> None:
        """Run again at ``due`` (a retry after a failure, or a wait for an earlier job)."""
        actions = [Job.due_at.set(_iso(due)), Job.due_shard.set(due_shard(job.id)), Job.lease_until.remove()]
        if error is not None:
            actions.append(Job.last_error.set(error[:2000]))
        if not count_attempt:
            actions.append(Job.attempts.set(max(0, int(job.attempts or 0) - 1)))
        job.update(actions=actions)

    def park(self, job: Job, now: datetime, error: str) -> None:
        """A dead letter: no more attempts until an operator replays it (it keeps its order key: later
        jobs of the same order go ahead, the dead one is out of their way)."""
        job.update(
            actions=[
                Job.state.set(JobState.DEAD),
                Job.dead.set(DEAD),
                Job.dead_at.set(_iso(now)),
                Job.last_error.set(error[:2000]),
                Job.lease_until.remove(),
                Job.due_shard.remove(),
                Job.due_at.remove(),
            ]
        )

    def overdue_count(self, now: datetime, grace: timedelta) -> int:
        """Pending jobs that were due more than ``grace`` before ``now`` and still have not run."""
        until = _iso(now - grace)
        return sum(Job.by_due.count(f"due#{shard}", Job.due_at < until) for shard in range(SHARDS))

    def dead_count(self) -> int:
        """Dead letters waiting for an operator's replay."""
        return Job.by_dead.count(DEAD)

    def dead_letters(self, limit: int = 100) -> list[Job]:
        return list(Job.by_dead.query(DEAD, scan_index_forward=False, limit=limit))

    def replay(self, job_id: str, now: datetime) -> Job | None:
        """Give a dead letter new attempts, due now; None if there is no such dead letter."""
        job = self.get(job_id)
        if job is None or job.state != JobState.DEAD:
            return None
        try:
            job.update(
                actions=[
                    Job.state.set(JobState.PENDING),
                    Job.attempts.set(0),
                    Job.dead.remove(),
                    Job.dead_at.remove(),
                    Job.due_shard.set(due_shard(job.id)),
                    Job.due_at.set(_iso(now)),
                ],
                condition=Job.state == JobState.DEAD,
            )
        except UpdateError as error:
            if condition_failed(error):
                return None
            raise
        return job
