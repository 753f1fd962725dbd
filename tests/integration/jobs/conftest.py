"""Fixtures of the job and webhook tests: the integration API, a filing parent, a receiver."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest

from chalicelib import wiring
from chalicelib.clock import FixedClock
from chalicelib.store.applications import Application
from chalicelib.store.documents import IssuedDocument
from chalicelib.store.jobs import Job, JobState
from infra.local.receiver import ReceiverServer, start_receiver


@pytest.fixture
def receiver() -> Iterator[ReceiverServer]:
    server = start_receiver(0, quiet=True)
    yield server
    server.stop()


def settle(clock: FixedClock, *, rounds: int = 6, step: timedelta = timedelta(minutes=5)) -> None:
    """The worker, then the sweep after the leases of crashed attempts ran out, a few times over."""
    for _ in range(rounds):
        wiring.job_worker().drain(lookahead=timedelta(hours=1))
        clock.advance(step)
    wiring.job_worker().drain(lookahead=timedelta(hours=1))


def jobs_in(state: str) -> list[Job]:
    return [job for job in Job.scan() if job.state == state]


def applications_of(child_iin: str) -> list[Application]:
    return [app for app in Application.scan() if app.child_iin == child_iin]


def documents_of(application_id: str) -> list[IssuedDocument]:
    return list(IssuedDocument.by_subject.query(f"application#{application_id}"))


def pending_or_dead() -> list[Any]:
    """Jobs not done, but for those scheduled days ahead by design (a draft's or an upload's expiry)."""
    return [
        (job.id, job.state, job.last_error)
        for job in Job.scan()
        if job.state != JobState.DONE
        and not (job.state == JobState.PENDING and job.due and job.due - job.created_at > timedelta(days=1))
    ]


from tests.integration.contracts.conftest import balapan, terms, wizard  # noqa: E402, F401
from tests.integration.directions.conftest import (  # noqa: E402, F401 (fixtures are found by name)
    ESIL_12,
    ESIL_63,
    Portal,
    enqueue,
    filing,
    keys,
    operator,
    other_portal,
    portal,
)
