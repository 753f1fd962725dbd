"""Directions nobody used lapse: the seat is freed, the child goes on the stop-list, the second miss removes it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from chalicelib import wiring
from chalicelib.domain.errors import Conflict
from chalicelib.store.history import HistoryRepository
from chalicelib.store.vacancies import SeatRepository
from tests.integration.directions.conftest import ESIL_12, PARENT_EMAIL, PARENT_PHONE, Portal, messages, sweep
from tests.integration.filing import Filing

FIRST_DEADLINE = datetime(2026, 1, 22, 19, 0, tzinfo=UTC)  # Friday 23 January 00:00 in Astana
STOP_LIST_END = datetime(2026, 2, 5, 19, 0, tzinfo=UTC)  # 10 working days after Thursday 22 January


def move_to(clock, at: datetime) -> None:
    clock.advance(at - clock.now())


def directions_of(filing: Filing, application_id: str) -> list[dict]:
    status, listed = filing.call("GET", f"/applications/{application_id}/directions")
    assert status == 200, listed
    return listed["items"]


@pytest.fixture
def issued(filing: Filing, portal: Portal) -> dict:
    """The parent's child in the queue with a direction to № 12 issued on Thursday 15 January 2026."""
    status, application = filing.file()
    assert status == 201, application
    portal.publish("2022-kk")
    return application


def test_a_direction_nobody_used_lapses_at_its_deadline_and_the_child_goes_on_the_stop_list(
    api, clock, filing: Filing, issued
):
    [direction] = directions_of(filing, issued["id"])

    # a minute before the deadline the sweep leaves it alone
    move_to(clock, FIRST_DEADLINE - timedelta(minutes=1))
    assert sweep(api, "direction-expiry")["expired"] == 0

    # when the deadline has passed and the sweep runs
    move_to(clock, FIRST_DEADLINE)
    counts = sweep(api, "direction-expiry")

    # then the direction lapsed, the seat is free again and the child is on the stop-list
    assert counts == {"expired": 1, "stop_listed": 1, "removed": 0}
    [lapsed] = directions_of(filing, issued["id"])
    assert lapsed["status"] == "expired" and lapsed["actions"] == []
    seat = SeatRepository().get(direction["seat_id"])
    assert seat.status == "free" and seat.direction_number is None
    application = wiring.applications().get(issued["id"])
    assert application.status == "active" and application.stop_list_until == STOP_LIST_END
    assert application.missed_directions == 1 and application.live_direction_id is None

    # and the parent is told by e-mail and SMS until when
    assert any("05.02.2026" in m.body_text and "стоп-листе" in m.body_text for m in messages(PARENT_EMAIL))
    assert any("05.02.2026" in m.body_text for m in messages(PARENT_PHONE))
    events = [h["event"] for h in filing.call("GET", f"/applications/{issued['id']}/history")[1]["items"]]
    assert events[-1] == "application.direction_missed"
    assert "direction.expired" in {r.event for r in HistoryRepository().for_subject("kindergarten", ESIL_12)}

    # and a second sweep finds nothing more to do
    assert sweep(api, "direction-expiry")["expired"] == 0


def test_the_stop_list_blocks_directions_until_it_ends_and_a_second_miss_removes_the_child(
    api, clock, filing: Filing, issued
):
    # given the first direction lapsed
    move_to(clock, FIRST_DEADLINE)
    sweep(api, "direction-expiry")
    application = wiring.applications().get(issued["id"])

    # while on the stop-list no direction is given: the freed seat stays free
    move_to(clock, STOP_LIST_END - timedelta(minutes=1))
    assert sweep(api, "allocate-vacancies")["issued"] == 0
    assert len(directions_of(filing, issued["id"])) == 1

    # and asking for one is refused in both languages, with nothing changed
    with pytest.raises(Conflict) as refused:
        wiring.applications().hold_direction(
            issued["id"], "Ж.2026.999999", who="system", now=clock.now(), writes=lambda change: None
        )
    assert refused.value.code == "direction.on_stop_list"
    assert "05.02.2026" in refused.value.kk and "05.02.2026" in refused.value.ru
    assert wiring.applications().get(issued["id"]).version == application.version

    # when the stop-list ends, the next allocation offers the seat again
    move_to(clock, STOP_LIST_END)
    assert sweep(api, "allocate-vacancies")["issued"] == 1
    second = directions_of(filing, issued["id"])[0]
    assert second["status"] == "issued" and second["valid_until"] == "2026-02-13"

    # when that one lapses too, the child leaves the queue
    move_to(clock, datetime(2026, 2, 13, 19, 0, tzinfo=UTC))
    assert sweep(api, "direction-expiry") == {"expired": 1, "stop_listed": 0, "removed": 1}
    view = filing.call("GET", f"/applications/{issued['id']}")[1]
    assert view["status"] == "removed" and view["queue_number"] is None
    assert wiring.applications().get(issued["id"]).status_reason == "directions_missed"
    assert any("исключён из очереди" in m.body_text for m in messages(PARENT_EMAIL))


def test_an_extended_direction_lapses_at_its_new_deadline(api, clock, filing: Filing, issued):
    [direction] = directions_of(filing, issued["id"])
    assert filing.call("POST", f"/directions/{direction['number']}/extend", {"days": 3})[0] == 200

    move_to(clock, FIRST_DEADLINE + timedelta(minutes=1))
    assert sweep(api, "direction-expiry")["expired"] == 0
    assert directions_of(filing, issued["id"])[0]["status"] == "extended"

    move_to(clock, FIRST_DEADLINE + timedelta(days=3))
    assert sweep(api, "direction-expiry")["expired"] == 1
    assert directions_of(filing, issued["id"])[0]["status"] == "expired"


def test_working_days_around_independence_day_2026_set_the_deadline_and_the_stop_list(
    api, clock, filing: Filing, portal: Portal
):
    # given a direction issued on Friday 11 December 2026 at 15:00 in Astana
    move_to(clock, datetime(2026, 12, 11, 10, 0, tzinfo=UTC))
    status, application = filing.file()
    assert status == 201, application
    portal.publish("2022-kk")

    # then it is valid for Mon 14, Tue 15, Thu 17, Fri 18 and Mon 21 December (16 December is a holiday)
    [direction] = directions_of(filing, application["id"])
    assert direction["valid_until"] == "2026-12-21"
    assert direction["deadline"] == "2026-12-21T19:00:00+00:00"  # Tuesday 22 December 00:00 in Astana

    # and it is still valid on Monday 21 December at 23:59 in Astana, lapsing at midnight
    move_to(clock, datetime(2026, 12, 21, 18, 59, tzinfo=UTC))
    assert sweep(api, "direction-expiry")["expired"] == 0
    move_to(clock, datetime(2026, 12, 21, 19, 0, tzinfo=UTC))
    assert sweep(api, "direction-expiry")["expired"] == 1

    # and the stop-list lasts 10 working days, skipping the New Year holidays (1, 2 → 4 January 2027)
    until = wiring.applications().get(application["id"]).stop_list_until
    assert until == datetime(2027, 1, 6, 19, 0, tzinfo=UTC)
    assert any("06.01.2027" in m.body_text for m in messages(PARENT_EMAIL))
