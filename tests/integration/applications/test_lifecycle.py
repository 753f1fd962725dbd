"""After filing: confirm interest, change the benefit, withdraw; the sweep reminds and removes."""

from __future__ import annotations

from datetime import timedelta

from tests.integration.applications.conftest import Filing


def sweep(api) -> dict:
    event = api.client.events.generate_cw_event(
        source="aws.events", detail_type="Scheduled Event", detail={}, resources=[]
    )
    response = api.client.lambda_.invoke("application-timers", event)
    api.after_request()  # the messages are jobs of each timer's change
    return response.payload


def outbox_texts(api, address: str) -> list[str]:
    from chalicelib.notify.outbox import OutboxNotifier

    return [m.body_text for m in OutboxNotifier().messages_for(address)]


def test_numbers_behind_move_up_when_someone_ahead_withdraws(api, seeded, pki_people):
    # given two children in the same queue (district and birth-year cohort)
    first = Filing(api, pki_people["parent"])
    _, ahead = first.file()
    second = Filing(api, pki_people["other_parent"])
    status, behind = second.file(child={"iin": "220311501502"})  # born 2022 too, same district
    assert status == 201, behind
    assert behind["queue_number"] == 2
    # when the first parent withdraws with a signed statement
    _, drafted = first.call("POST", f"/applications/{ahead['id']}/withdraw/draft", {"reason": "Көшіп кеттік"})
    signed = api.sign(drafted["xml"], pki_people["parent"].sign).decode()
    status, left = first.call("POST", f"/applications/{ahead['id']}/withdraw", {"signed_xml": signed})
    # then it left and the child behind is first at once
    assert status == 200, left
    assert left["status"] == "withdrawn" and left["queue_number"] is None
    assert second.call("GET", f"/applications/{behind['id']}")[1]["queue_number"] == 1


def test_withdrawal_needs_the_parents_signature_on_that_application(filing: Filing, api, pki_people):
    _, body = filing.file()
    _, drafted = filing.call("POST", f"/applications/{body['id']}/withdraw/draft", {"reason": "x"})
    # signed by someone else
    signed = api.sign(drafted["xml"], pki_people["other_parent"].sign).decode()
    status, refused = filing.call("POST", f"/applications/{body['id']}/withdraw", {"signed_xml": signed})
    assert status == 422 and refused["error"]["details"]["check"] == "owner"
    # still in the queue
    assert filing.call("GET", f"/applications/{body['id']}")[1]["status"] == "active"


def test_history_records_every_change_with_who_and_when(filing: Filing, api, pki_people):
    _, body = filing.file()
    filing.call("POST", f"/applications/{body['id']}/confirm-interest")
    _, drafted = filing.call("POST", f"/applications/{body['id']}/withdraw/draft", {"reason": "Басқа қалаға көштік"})
    signed = api.sign(drafted["xml"], pki_people["parent"].sign).decode()
    filing.call("POST", f"/applications/{body['id']}/withdraw", {"signed_xml": signed})
    status, history = filing.call("GET", f"/applications/{body['id']}/history")
    assert status == 200
    events = [h["event"] for h in history["items"]]
    assert events[0] == "application.registered"
    assert "application.interest_confirmed" in events
    assert history["items"][-1]["to"] == "withdrawn"
    assert history["items"][-1]["why"] == "Басқа қалаға көштік"
    assert all(h["who"].startswith("parent:") for h in history["items"])


def test_confirming_a_removed_application_is_refused(filing: Filing, api, pki_people):
    _, body = filing.file()
    _, drafted = filing.call("POST", f"/applications/{body['id']}/withdraw/draft", {"reason": "x"})
    signed = api.sign(drafted["xml"], pki_people["parent"].sign).decode()
    filing.call("POST", f"/applications/{body['id']}/withdraw", {"signed_xml": signed})
    status, refused = filing.call("POST", f"/applications/{body['id']}/confirm-interest")
    assert status == 409
    assert refused["error"]["messages"]["kk"] and refused["error"]["messages"]["ru"]


def test_a_benefit_change_keeps_the_general_number_and_waits_for_an_operator(filing: Filing, api, pki_people):
    _, body = filing.file()
    scan = filing.upload_scan()
    status, drafted = filing.call(
        "POST", f"/applications/{body['id']}/benefit/draft", {"benefit": "large_family", "attachments": [scan]}
    )
    assert status == 200, drafted
    signed = api.sign(drafted["xml"], pki_people["parent"].sign).decode()
    status, changed = filing.call("POST", f"/applications/{body['id']}/benefit", {"signed_xml": signed})
    assert status == 200, changed
    assert changed["queue_number"] == body["queue_number"]
    assert changed["benefit_status"] == "pending"
    assert changed["benefit_queue_number"] is None


def test_unconfirmed_interest_is_reminded_then_the_child_is_removed(filing: Filing, api, clock):
    # given an application registered now
    _, body = filing.file()
    email = "aigul@mail.kz"
    # when the clock reaches 30 days before the 12-month deadline and the sweep runs
    clock.advance(timedelta(days=366 - 30))
    assert sweep(api)["reminded"] == 1
    assert any("подтвердите заинтересованность" in t for t in outbox_texts(api, email))
    # and the 7- and 1-day reminders
    clock.advance(timedelta(days=23))
    assert sweep(api)["reminded"] == 1
    clock.advance(timedelta(days=5))
    assert sweep(api) == {"reminded": 1, "removed": 0, "aged_out": 0}
    # when the deadline passes unconfirmed
    clock.advance(timedelta(days=2))
    assert sweep(api)["removed"] == 1
    # then the child is removed and the parent told
    view = filing.call("GET", f"/applications/{body['id']}")[1]
    assert view["status"] == "removed"
    assert view["status_reason_ru"].startswith("Заинтересованность не подтверждена")
    assert any("снят с очереди" in t for t in outbox_texts(api, email))
    # and a second sweep does nothing more
    assert sweep(api) == {"reminded": 0, "removed": 0, "aged_out": 0}


def test_confirming_interest_moves_the_deadline(filing: Filing, api, clock):
    _, body = filing.file()
    clock.advance(timedelta(days=340))
    sweep(api)
    status, confirmed = filing.call("POST", f"/applications/{body['id']}/confirm-interest")
    assert status == 200
    assert confirmed["next_confirmation_due"] > body["next_confirmation_due"]
    clock.advance(timedelta(days=60))
    assert sweep(api)["removed"] == 0
    assert filing.call("GET", f"/applications/{body['id']}")[1]["status"] == "active"


def test_a_child_reaching_school_age_leaves_the_queue(api, seeded, pki_people, clock):
    # given a child (born 2022-09-10) whose parent confirms interest every 11 months
    filing = Filing(api, pki_people["parent"])
    _, body = filing.file()
    aged_out = 0
    for _ in range(6):
        clock.advance(timedelta(days=330))
        aged_out += sweep(api)["aged_out"]
        if aged_out:
            break
        assert filing.call("POST", f"/applications/{body['id']}/confirm-interest")[0] == 200
    # when the child turns seven, then the sweep takes the child out of the queue, and says so
    assert aged_out == 1
    view = filing.call("GET", f"/applications/{body['id']}")[1]
    assert view["status"] == "aged_out"
    assert view["status_reason_ru"] == "Ребёнок достиг школьного возраста"
    assert any("достиг школьного возраста" in t for t in outbox_texts(api, "aigul@mail.kz"))


def test_the_other_parent_links_the_application_to_their_own_iin(filing: Filing, api, pki_people):
    # given an application filed by one parent
    _, body = filing.file()
    other = Filing(api, pki_people["second_parent"])  # the registry lists both as the child's parents
    assert other.call("GET", "/applications")[1]["items"] == []
    # when the other parent links it with the registration number and the child's IIN
    status, linked = other.call(
        "POST", "/applications/link", {"registration_number": body["id"], "child_iin": body["child"]["iin"]}
    )
    # then it is in their journal too, and its history says who linked it
    assert status == 200, linked
    assert [i["id"] for i in other.call("GET", "/applications")[1]["items"]] == [body["id"]]
    history = other.call("GET", f"/applications/{body['id']}/history")[1]["items"]
    assert history[-1]["event"] == "application.parent_linked"


def test_a_stranger_cannot_link_an_application(filing: Filing, api, pki_people):
    _, body = filing.file()
    stranger = Filing(api, pki_people["other_parent"])
    status, refused = stranger.call(
        "POST", "/applications/link", {"registration_number": body["id"], "child_iin": body["child"]["iin"]}
    )
    assert status == 403 and refused["error"]["code"] == "application.not_parent"
    status, refused = stranger.call(
        "POST", "/applications/link", {"registration_number": body["id"], "child_iin": "220311501502"}
    )
    assert status == 422 and refused["error"]["code"] == "application.link_not_found"
    assert stranger.call("GET", "/applications")[1]["items"] == []
