"""The one registry of job kinds: what each kind is called, who runs it, how it retries.

Adding a kind (``docs/jobs.md``):

1. write a handler ``def run(job: Job, context: JobContext) -> dict | None`` in a module of
   ``chalicelib/jobs/handlers/`` — idempotent: the job id is its idempotency key (derive every
   id and S3 key it creates from ``job.id``; a second run after a crash must not do twice what
   the first did);
2. add a :class:`JobKind` to :data:`KINDS` below, naming the handler as ``"module:function"``
   (imported on first use, so the API's cold start does not pay for it) and its
   :class:`RetryPolicy`;
3. write the job in the transaction of the change it follows, with :func:`job_for`
   (``change.job(job_for(...))``): never after the commit.

A handler signals "not yet, try again soon without using an attempt" with :class:`NotYet`,
and "this can never succeed" with :class:`Permanent` (parked as a dead letter at once).
"""

from __future__ import annotations

import importlib
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from chalicelib.jobs.worker import JobContext
    from chalicelib.store.jobs import Job

Handler = Callable[["Job", "JobContext"], "dict[str, Any] | None"]


class NotYet(Exception):
    """The job waits for something (an earlier job, a document): run it again after ``seconds``."""

    def __init__(self, why: str, seconds: float = 2.0) -> None:
        super().__init__(why)
        self.seconds = seconds


class Permanent(Exception):
    """The job can never succeed as it is: park it as a dead letter without further attempts."""


class RetryLater(Exception):
    """A failed attempt whose next attempt must not come before ``seconds`` (``Retry-After``)."""

    def __init__(self, why: str, seconds: float) -> None:
        super().__init__(why)
        self.seconds = seconds


@dataclass(frozen=True)
class RetryPolicy:
    """Delays before the 2nd, 3rd … attempt; after the last one the job is a dead letter."""

    delays: tuple[timedelta, ...]
    jitter: float = 0.1  # ± this fraction of each delay, so that retries of many jobs spread out

    @property
    def attempts(self) -> int:
        return len(self.delays) + 1

    def next_delay(self, attempt: int, rng: random.Random | None = None) -> timedelta | None:
        """The wait after attempt ``attempt`` (1-based) failed; None when no attempt is left."""
        if attempt > len(self.delays):
            return None
        base = self.delays[attempt - 1].total_seconds()
        spread = (rng or random).uniform(-self.jitter, self.jitter) * base
        return timedelta(seconds=max(0.5, base + spread))


def exponential(first: float, factor: float, attempts: int, cap: float) -> tuple[timedelta, ...]:
    """``first``, ``first*factor`` … seconds (at most ``cap``), for ``attempts`` attempts in all."""
    return tuple(timedelta(seconds=min(cap, first * factor**n)) for n in range(attempts - 1))


# The Standard Webhooks schedule (immediately, 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h), with
# 10 h retries added until the attempts span more than three days (77.6 h after the first).
WEBHOOK_SCHEDULE = tuple(timedelta(seconds=s) for s in (5, 5 * 60, 30 * 60, 2 * 3600, 5 * 3600, *(10 * 3600,) * 7))

INTERNAL = RetryPolicy(exponential(2, 3, attempts=8, cap=3600))  # ~1.5 h in all: our own AWS calls
MESSAGES = RetryPolicy(exponential(5, 4, attempts=8, cap=6 * 3600))  # SES/SNS throttling or outages
WEBHOOKS = RetryPolicy(WEBHOOK_SCHEDULE)


@dataclass(frozen=True)
class JobKind:
    name: str
    handler: str  # "chalicelib.jobs.handlers.module:function"
    retry: RetryPolicy
    lease: timedelta = timedelta(seconds=60)  # longer than one attempt can take
    description: str = ""
    _resolved: list[Handler] = field(default_factory=list, repr=False, compare=False)

    def run(self, job: Job, context: JobContext) -> dict[str, Any] | None:
        if not self._resolved:
            module, function = self.handler.split(":")
            self._resolved.append(getattr(importlib.import_module(module), function))
        return self._resolved[0](job, context)


_H = "chalicelib.jobs.handlers"

KINDS: dict[str, JobKind] = {
    kind.name: kind
    for kind in (
        JobKind(
            "document.render",
            f"{_H}.documents:render",
            INTERNAL,
            description="render one PDF of a subject, keep it in S3 and record it (id and key from the job id)",
        ),
        JobKind(
            "message.email",
            f"{_H}.messages:email",
            MESSAGES,
            description="one e-mail to a parent; waits for the documents it attaches",
        ),
        JobKind("message.sms", f"{_H}.messages:sms", MESSAGES, description="one SMS to a parent"),
        JobKind(
            "egov.status",
            f"{_H}.egov:status",
            MESSAGES,
            description="a status message about an application for the e-government channels",
        ),
        JobKind(
            "direction.release",
            f"{_H}.directions:release",
            INTERNAL,
            description="the child left the queue holding a live direction: end it, free the seat, tell the portal",
        ),
        JobKind(
            "webhook.event",
            f"{_H}.webhooks:fan_out",
            INTERNAL,
            description="a kindergarten's event: one delivery job per endpoint subscribed to it, in order",
        ),
        JobKind(
            "upload.expire",
            f"{_H}.expiry:upload",
            INTERNAL,
            description="an upload nothing uses, some days after it was checked: its record, then its bytes",
        ),
        JobKind(
            "contract.expire-draft",
            f"{_H}.expiry:contract_draft",
            INTERNAL,
            description="a contract never sent whose direction ended: its personal data and documents removed",
        ),
        JobKind(
            "webhook.delivery",
            f"{_H}.webhooks:deliver",
            WEBHOOKS,
            lease=timedelta(seconds=30),
            description="one Standard Webhooks request to one endpoint (10 s timeout, no redirects)",
        ),
    )
}


def kind_of(name: str) -> JobKind:
    return KINDS[name]


def job_for(
    kind: str,
    key: str,
    payload: dict[str, Any],
    *,
    now: datetime,
    subject: str | None = None,
    order_key: str | None = None,
    order_entry: str | None = None,
    due: datetime | None = None,
) -> Job:
    """A new job of a registered kind; ``key`` makes its id (the same key, the same job); due now or at ``due``."""
    from chalicelib.store.jobs import new_job

    if kind not in KINDS:
        raise ValueError(f"unknown job kind: {kind}")
    return new_job(
        f"{kind}:{key}",
        kind,
        payload,
        now=now,
        subject=subject,
        order_key=order_key,
        order_entry=order_entry,
        due=due,
    )
