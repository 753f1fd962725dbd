"""The parent extends a direction once (≤ 30 days) or revokes it within 24 hours; others' directions are not theirs."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from chalicelib import wiring
from tests.integration.directions.conftest import PARENT_EMAIL, Portal, enqueue, messages, sweep
from tests.integration.filing import Filing


@pytest.fixture
def issued(filing: Filing, portal: Portal) -> tuple[dict[str, Any], dict[str, Any]]:
    """The parent's child in the queue with a direction to № 12, issued at 15.01.2026 11:00 (Astana)."""
    status, application = filing.file()
    assert status == 201, application
    [number] = portal.publish("2022-kk")["allocation"]["issued"]
    return application, direction_of(filing, application["id"], number)


def direction_of(filing: Filing, application_id: str, number: str) -> dict[str, Any]:
    status, listed = filing.call("GET", f"/applications/{application_id}/directions")
    assert status == 200, listed
    [found] = [d for d in listed["items"] if d["number"] == number]
    return stable(found)


def stable(direction: dict[str, Any]) -> dict[str, Any]:
    """The direction without its download link (a presigned URL differs on every read) and whether its
    PDF is still being prepared (a job of the change renders it within seconds)."""
    return {key: value for key, value in direction.items() if key not in ("document_url", "document_preparing")}


def test_a_direction_is_extended_once_and_its_deadline_moves(filing: Filing, issued):
    application, direction = issued

    # when the parent extends it by 10 days
    status, extended = filing.call("POST", f"/directions/{direction['number']}/extend", {"days": 10})

    # then it is valid 10 more days and cannot be extended again
    assert status == 200, extended
    assert extended["status"] == "extended" and extended["extended_days"] == 10
    assert extended["valid_until"] == "2026-02-01"
    assert "extend" not in extended["actions"]
    # its PDF is issued again by a job of the extension: being prepared in the answer, then there
    assert extended["document_preparing"] is True and extended["document_url"] is None
    assert any("01.02.2026" in m.body_text for m in messages(PARENT_EMAIL))

    # and a second extension is refused in both languages, nothing changed
    status, refused = filing.call("POST", f"/directions/{direction['number']}/extend", {"days": 5})
    assert status == 409 and refused["error"]["code"] == "direction.already_extended"
    assert refused["error"]["messages"]["kk"] and refused["error"]["messages"]["ru"]
    assert direction_of(filing, application["id"], direction["number"]) == stable(extended)


def test_an_extension_past_30_days_is_refused_and_changes_nothing(filing: Filing, issued):
    application, direction = issued
    status, refused = filing.call("POST", f"/directions/{direction['number']}/extend", {"days": 31})
    assert status == 422 and refused["error"]["code"] == "direction.extension_too_long"
    assert "30" in refused["error"]["messages"]["kk"] and "30" in refused["error"]["messages"]["ru"]
    assert direction_of(filing, application["id"], direction["number"]) == direction
    # 30 days is allowed
    status, extended = filing.call("POST", f"/directions/{direction['number']}/extend", {"days": 30})
    assert status == 200 and extended["valid_until"] == "2026-02-21"


def test_a_revocation_within_24_hours_frees_the_seat_and_keeps_the_place(api, clock, filing: Filing, issued):
    application, direction = issued
    behind = enqueue(at=clock.now() + timedelta(seconds=1))  # the next child in the queue
    clock.advance(timedelta(hours=23, minutes=59))

    # when the parent revokes the direction before 24 hours have passed
    status, revoked = filing.call("POST", f"/directions/{direction['number']}/revoke")

    # then it is revoked, the child keeps its place, without a penalty
    assert status == 200, revoked
    assert revoked["status"] == "revoked"
    view = filing.call("GET", f"/applications/{application['id']}")[1]
    assert view["status"] == "active" and view["queue_number"] == application["queue_number"]
    events = [h["event"] for h in filing.call("GET", f"/applications/{application['id']}/history")[1]["items"]]
    assert events[-1] == "application.direction_revoked"
    assert wiring.applications().get(application["id"]).stop_list_until is None

    # and the freed seat goes to the next child at the next allocation, not back to this one
    summary = sweep(api, "allocate-vacancies")
    assert summary["issued"] == 1
    assert wiring.applications().get(behind.id).live_direction_id is not None
    assert wiring.applications().get(application["id"]).live_direction_id is None


def test_a_revocation_after_24_hours_is_refused_and_changes_nothing(clock, filing: Filing, issued):
    application, direction = issued
    clock.advance(timedelta(hours=24))
    status, refused = filing.call("POST", f"/directions/{direction['number']}/revoke")
    assert status == 409 and refused["error"]["code"] == "direction.revocation_too_late"
    assert "24" in refused["error"]["messages"]["kk"] and "24" in refused["error"]["messages"]["ru"]
    after = direction_of(filing, application["id"], direction["number"])
    assert after["status"] == "issued" and after["actions"] == ["extend", "contract"]


def test_a_parent_cannot_act_on_someone_elses_direction(api, filing: Filing, issued, pki_people):
    application, direction = issued
    # given another parent, with a child of their own in the queue
    stranger = Filing(api, pki_people["other_parent"])
    assert stranger.file(child={"iin": "220311501502"})[0] == 201
    number = direction["number"]

    # when they try to see, extend or revoke the first parent's direction, it is refused
    for method, path, body in (
        ("POST", f"/directions/{number}/extend", {"days": 3}),
        ("POST", f"/directions/{number}/revoke", None),
    ):
        status, refused = stranger.call(method, path, body)
        assert status == 403 and refused["error"]["code"] == "direction.not_yours", refused
        assert refused["error"]["messages"]["kk"] and refused["error"]["messages"]["ru"]
    status, refused = stranger.call("GET", f"/applications/{application['id']}/directions")
    assert status == 403

    # and nothing changed
    assert direction_of(filing, application["id"], number) == direction


def test_an_unknown_direction_is_not_found(filing: Filing):
    status, refused = filing.call("POST", "/directions/Ж.2026.999999/revoke")
    assert status == 404 and refused["error"]["code"] == "direction.not_found"


def test_withdrawing_from_the_queue_ends_a_live_direction_and_frees_its_seat(
    api, filing: Filing, portal: Portal, issued
):
    # given a child holding a direction
    application, direction = issued
    # when the parent withdraws the application with a signed statement (after the 24 hours, too)
    _, drafted = filing.call("POST", f"/applications/{application['id']}/withdraw/draft", {"reason": "Көштік"})
    signed = api.sign(drafted["xml"], filing.person.sign).decode()
    status, left = filing.call("POST", f"/applications/{application['id']}/withdraw", {"signed_xml": signed})
    assert status == 200, left
    api.run_jobs()  # the job the withdrawal wrote ends the direction
    # then the direction is over and the kindergarten no longer counts on the child
    assert direction_of(filing, application["id"], direction["number"])["status"] == "revoked"
    assert [d["number"] for d in portal.directions(status="issued")] == []
    # and the seat can be offered again
    from chalicelib.store.vacancies import SeatItem

    assert SeatItem.get(direction["seat_id"]).status == "free"
