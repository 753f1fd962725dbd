"""Status changes reach the e-government channel once each, and again after a refusal of the channel."""

from __future__ import annotations

from datetime import timedelta

import pytest

from chalicelib import wiring
from chalicelib.domain.queue import ApplicationStatus
from chalicelib.gateways.egov import RecordingEgovChannel, StatusMessage
from chalicelib.services.egov_status import EgovStatusRelay
from chalicelib.store.history import HistoryRepository
from chalicelib.store.objects import ObjectStore
from tests.integration.directions.conftest import sweep
from tests.integration.reports.conftest import enqueue

pytestmark = pytest.mark.usefixtures("atomic", "seeded")


class Refusing:
    def send(self, message: StatusMessage) -> None:
        raise ConnectionError("the portal did not answer")


def test_every_status_change_is_sent_once_and_a_refused_one_again_later(api, clock):
    app = enqueue(at=clock.now() - timedelta(days=2))
    wiring.applications().confirm_interest(app.id, who="parent:x", now=clock.now() - timedelta(days=1))
    stand_in = RecordingEgovChannel(ObjectStore())

    def relay(channel: object) -> EgovStatusRelay:
        return EgovStatusRelay(clock, HistoryRepository(), wiring.applications(), channel)  # type: ignore[arg-type]

    # when the portal refuses, nothing is lost: the status stays pending
    assert relay(Refusing()).run() == {"sent": 0, "skipped": 1, "failed": 1}
    assert stand_in.received(app.id) == []

    # then the next run delivers it; a confirmation of interest is not a status change
    assert relay(stand_in).run() == {"sent": 1, "skipped": 0, "failed": 0}
    [accepted] = stand_in.received(app.id)
    assert accepted["status"] == "accepted" and accepted["application_id"] == app.id
    assert "кезекке қойылды" in accepted["text_kk"] and "поставлен в очередь" in accepted["text_ru"]

    # and a later change is sent once, however often the relay runs
    wiring.applications().leave(app.id, ApplicationStatus.WITHDRAWN, who="parent:x", why="withdrawn", now=clock.now())
    assert relay(stand_in).run()["sent"] == 1
    assert relay(stand_in).run()["sent"] == 0
    assert [m["status"] for m in stand_in.received(app.id)] == ["accepted", "withdrawn"]

    # the schedule uses the local stand-in outside production
    assert sweep(api, "egov-status") == {"sent": 0, "skipped": 0, "failed": 0}
