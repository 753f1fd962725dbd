"""The kindergarten confirms that the child came: the seat is taken and the child leaves the queue."""

from __future__ import annotations

from datetime import timedelta

from chalicelib.store.vacancies import SeatRepository
from tests.integration.directions.conftest import PARENT_EMAIL, Portal, messages
from tests.integration.filing import Filing


def test_the_kindergarten_confirms_enrolment_and_the_child_leaves_the_queue(filing: Filing, portal: Portal):
    # given the parent's child with a direction to № 12
    status, application = filing.file()
    assert status == 201, application
    [number] = portal.publish("2022-kk")["allocation"]["issued"]
    [listed] = portal.directions(status="issued")
    assert listed["number"] == number and listed["child"]["iin"] == application["child"]["iin"]

    # when № 12 confirms that the child came
    status, enrolled = portal.enrol(number)

    # then the direction is used, the seat taken, and the child left the queue
    assert status == 200, enrolled
    assert enrolled["status"] == "enrolled"
    assert SeatRepository().get(enrolled["seat_id"]).status == "taken"
    view = filing.call("GET", f"/applications/{application['id']}")[1]
    assert view["status"] == "enrolled" and view["queue_number"] is None
    assert any("зачислен" in m.body_text for m in messages(PARENT_EMAIL))
    assert portal.directions(status="issued") == []

    # and confirming again changes nothing and answers the same
    status, again = portal.enrol(number)
    assert status == 200 and again["status"] == "enrolled"


def test_a_repeated_enrolment_call_is_answered_from_the_kept_answer(filing: Filing, portal: Portal):
    assert filing.file()[0] == 201
    [number] = portal.publish("2022-kk")["allocation"]["issued"]
    first = portal.call("POST", f"/partner/directions/{number}/enrolment", idempotency_key="enrol-once-0001")
    again = portal.call("POST", f"/partner/directions/{number}/enrolment", idempotency_key="enrol-once-0001")
    assert first[0] == again[0] == 200 and first[1] == again[1]
    assert again[2].get("Idempotent-Replayed") == "true"


def test_another_kindergarten_cannot_confirm_the_enrolment(filing: Filing, portal: Portal, other_portal: Portal):
    # given a direction to № 12
    status, application = filing.file()
    [number] = portal.publish("2022-kk")["allocation"]["issued"]

    # when № 63 tries to confirm it, it is refused in both languages
    status, refused = other_portal.enrol(number)
    assert status == 403 and refused["error"]["code"] == "direction.other_kindergarten"
    assert refused["error"]["messages"]["kk"] and refused["error"]["messages"]["ru"]

    # and nothing changed; № 63 does not even see it
    assert other_portal.directions() == []
    [still] = portal.directions()
    assert still["status"] == "issued"
    assert filing.call("GET", f"/applications/{application['id']}")[1]["status"] == "active"


def test_an_enrolment_after_the_deadline_is_refused(clock, filing: Filing, portal: Portal):
    assert filing.file()[0] == 201
    [number] = portal.publish("2022-kk")["allocation"]["issued"]
    [direction] = portal.directions()
    clock.advance(timedelta(days=8))  # past Friday 23 January 00:00 in Astana; the sweep has not run yet
    status, refused = portal.enrol(number)
    assert status == 409 and refused["error"]["code"] == "direction.deadline_passed"
    assert portal.directions()[0]["status"] == direction["status"] == "issued"
