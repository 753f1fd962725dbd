"""Every application status change reaches the e-government channel exactly once, through its job.

The ``egov.status`` job is written in the change's transaction; the local stand-in records what
it receives. A channel failing once costs a retry, never a message.
"""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

import pytest

from chalicelib import wiring
from chalicelib.domain.queue import ApplicationStatus
from chalicelib.gateways.egov import RecordingEgovChannel, StatusMessage
from chalicelib.store.jobs import Job, JobState
from tests.integration.reports.conftest import ESIL_12, Portal, enqueue

pytestmark = pytest.mark.usefixtures("atomic", "seeded")


def drain(clock) -> None:
    for _ in range(3):
        wiring.job_worker().drain(lookahead=timedelta(minutes=5))
        clock.advance(timedelta(minutes=5))


def test_each_status_change_reaches_the_stand_in_once_even_when_the_channel_fails_once(
    api, clock, portal: Portal, monkeypatch: pytest.MonkeyPatch
):
    stand_in = wiring.egov_channel()
    assert isinstance(stand_in, RecordingEgovChannel)
    accepted: Counter[str] = Counter()
    failures: list[str] = []
    real_send = RecordingEgovChannel.send

    def send_failing_once(self: RecordingEgovChannel, message: StatusMessage) -> None:
        if message.event_id not in failures:  # every message's first attempt fails
            failures.append(message.event_id)
            raise ConnectionError("the portal did not answer")
        real_send(self, message)
        accepted[message.event_id] += 1

    monkeypatch.setattr(RecordingEgovChannel, "send", send_failing_once)

    # given a child registered, who confirms interest (no status change), then gets a direction
    app = enqueue(at=clock.now() - timedelta(days=2), preferences=(ESIL_12,))
    wiring.applications().confirm_interest(app.id, who="parent:x", now=clock.now() - timedelta(days=1))
    [number] = portal.publish("2022-kk", seats=1)["allocation"]["issued"]
    # and the parent withdraws the child
    wiring.applications().leave(app.id, ApplicationStatus.WITHDRAWN, who="parent:x", why="moved", now=clock.now())
    drain(clock)
    drain(clock)  # the worker running again sends nothing again

    # then the stand-in received each status once, in the order of the changes
    received = stand_in.received(app.id)
    assert [m["status"] for m in received] == ["accepted", "direction_issued", "withdrawn"]
    assert all(m["application_id"] == app.id for m in received)
    assert "кезекке қойылды" in received[0]["text_kk"] and "поставлен в очередь" in received[0]["text_ru"]
    # each after one failed attempt, and exactly one accepted delivery
    assert len(failures) == 3 and set(accepted.values()) == {1}
    assert set(accepted) == {m["event_id"] for m in received}
    jobs = [j for j in Job.scan() if j.kind == "egov.status"]
    assert len(jobs) == 3 and {(j.state, int(j.attempts)) for j in jobs} == {(JobState.DONE, 2)}
    assert wiring.direction_service().directions.find(number).status == "revoked"

