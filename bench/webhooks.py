"""Webhook benchmarks: delivery rate to the sample receiver, and events lost after a 24 h outage.

In-process moto, the real worker and the real HTTP client, the receiver of the local stack
(``infra/local/receiver.py``: it verifies every signature) on 127.0.0.1.

- ``webhook delivery``: kindergarten events (one history record each, committed as the
  services commit them, so each brings its ``webhook.event`` job) fanned out and delivered by
  one worker; events per second of wall time from the first run to the last delivery.
- ``webhook recovery``: the receiver answers 503 while the events happen and for 24 hours of
  the (fixed, moved) clock, the sweep running every hour; then it comes back. Lost = events
  never received, and events of one direction received out of order. It must be 0.
"""

from __future__ import annotations

import os
import time
from datetime import UTC, datetime, timedelta

import boto3
from moto import mock_aws

from chalicelib import wiring
from chalicelib.clock import FixedClock
from chalicelib.domain.principal import Principal, Role
from chalicelib.jobs.worker import Worker
from chalicelib.settings import get_settings
from chalicelib.store.history import commit_writes, history_record
from chalicelib.store.registry import all_models, local_only_models
from infra.local.receiver import start_receiver
from infra.local.seed import seed_reference

Row = tuple[str, int, float, str]

EVENTS = int(os.environ.get("BENCH_WEBHOOK_EVENTS", "100"))
OUTAGE_EVENTS = int(os.environ.get("BENCH_WEBHOOK_OUTAGE_EVENTS", "40"))
NOW = datetime(2026, 3, 2, 6, 0, tzinfo=UTC)
KINDERGARTEN = "ast-esil-012"


def _events(count: int, clock: FixedClock, first: int = 0) -> None:
    """``count`` direction events: an issue and an enrolment for each of ``count // 2`` directions."""
    for n in range(first, first + count // 2):
        number = f"Ж.2026.{n + 1:06d}"
        for step, event in enumerate(("direction.issued", "direction.enrolled")):
            record = history_record(
                subject_type="kindergarten",
                subject_id=KINDERGARTEN,
                ordinal=(n + 1) * 10 + step,
                at=clock.now() + timedelta(milliseconds=step),
                who="system",
                event=event,
                from_state=None if step == 0 else "issued",
                to_state="issued" if step == 0 else "enrolled",
                details={"number": number, "application_id": f"УО.2026.{n + 1:06d}.1", "group_id": "2022-kk"},
            )
            commit_writes(lambda change, record=record: change.put("history", record))


def _in_order(received: list) -> bool:
    seen: dict[str, list[str]] = {}
    for item in received:
        seen.setdefault(item.data["number"], []).append(item.type)
    return all(types == ["direction.issued", "direction.enrolled"] for types in seen.values())


def run() -> list[Row]:
    settings = get_settings()
    clock = FixedClock(NOW)
    receiver = start_receiver(0, quiet=True)
    try:
        with mock_aws():
            for model in [*all_models(), *local_only_models()]:
                model.create_table(wait=False)
            boto3.client("s3", region_name=settings.aws_region).create_bucket(
                Bucket=settings.documents_bucket,
                CreateBucketConfiguration={"LocationConstraint": settings.aws_region},
            )
            seed_reference()
            wiring.reset()
            portal = Principal("000000000000", "bench", Role.KINDERGARTEN, "bench", kindergarten_id=KINDERGARTEN)
            endpoint = wiring.webhook_service().register(portal, receiver.endpoint_for(KINDERGARTEN), [])
            receiver.trust(KINDERGARTEN, endpoint.secret)
            worker = Worker(clock)

            _events(EVENTS, clock)
            started = time.perf_counter()
            worker.drain(rounds=500, lookahead=timedelta(minutes=1))
            seconds = time.perf_counter() - started
            delivered = len(receiver.state.received)
            if delivered != EVENTS or not _in_order(receiver.state.received):
                raise RuntimeError(f"{delivered} of {EVENTS} events delivered, or out of order")

            receiver.state.received.clear()
            receiver.state.seen.clear()
            receiver.state.down = True
            _events(OUTAGE_EVENTS, clock, first=EVENTS)
            for _ in range(24):
                worker.drain(rounds=5)
                clock.advance(timedelta(hours=1))
            receiver.state.down = False
            for _ in range(12):
                clock.advance(timedelta(hours=1))
                worker.drain(rounds=50, lookahead=timedelta(minutes=1))
            got = {item.webhook_id for item in receiver.state.received}
            lost = OUTAGE_EVENTS - len(got) + (0 if _in_order(receiver.state.received) else OUTAGE_EVENTS)
    finally:
        receiver.stop()
        wiring.reset()
    return [
        ("webhook delivery", EVENTS, round(delivered / seconds, 1), "events/s"),
        ("webhook recovery", OUTAGE_EVENTS, lost, "lost events after a 24 h outage"),
    ]
