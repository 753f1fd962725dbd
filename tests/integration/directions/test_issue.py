"""Publishing vacancies issues directions to the right children, with the PDF, the e-mail, the SMS and the event."""

from __future__ import annotations

import json
from datetime import date, timedelta

from chalicelib import wiring
from chalicelib.services.vacancies import PublishedStateOrderSeats
from chalicelib.store.history import HistoryRepository
from chalicelib.store.jobs import Job
from chalicelib.store.vacancies import SeatRepository
from tests.integration.directions.conftest import (
    ESIL_12,
    ESIL_63,
    NURLY_BALA,
    PARENT_EMAIL,
    PARENT_PHONE,
    Portal,
    enqueue,
    messages,
    sweep,
)


def test_a_published_seat_goes_out_of_turn_first_then_in_queue_order_with_pdf_mail_sms_and_event(
    api, clock, filing, portal: Portal, operator
):
    # given, in the Есіл queue of children born in 2022 and taught in Kazakh:
    now = clock.now()
    elsewhere = enqueue(at=now - timedelta(days=10), preferences=(ESIL_63,))  # earliest, chose another kindergarten
    out_of_turn = enqueue(at=now - timedelta(days=1), benefit="military")  # an approved out-of-turn benefit
    russian = enqueue(at=now - timedelta(days=5), language="ru")  # another language of instruction
    status, mine = filing.file()  # the parent's child, registered now
    assert status == 201, mine
    later = enqueue(at=now + timedelta(seconds=1))  # registered after the parent's child

    # when № 12 publishes two seats of its 2022 Kazakh group
    published = portal.publish("2022-kk", seats=2)

    # then both seats are offered at once: out of turn first, then the parent's child
    assert published["allocation"]["offers"] == 2 and len(published["allocation"]["issued"]) == 2
    status, listed = filing.call("GET", f"/applications/{mine['id']}/directions")
    assert status == 200
    [direction] = listed["items"]
    assert direction["status"] == "issued" and direction["number"].startswith("Ж.2026.")
    assert direction["kindergarten"]["id"] == ESIL_12 and direction["group"]["id"] == "2022-kk"
    assert direction["valid_until"] == "2026-01-22"  # 5 working days after Thursday 15 January
    assert direction["actions"] == ["extend", "revoke", "contract"] and direction["document_url"]
    holders = {d["application_id"] for d in portal.directions()}
    assert holders == {out_of_turn.id, mine["id"]}
    assert not {elsewhere.id, russian.id, later.id} & holders

    # and the parent got the PDF by e-mail and an SMS with the number
    [mail] = [m for m in messages(PARENT_EMAIL) if m.channel == "email" and "Выдано направление" in m.subject]
    assert direction["number"] in mail.body_text and "22.01.2026" in mail.body_text
    assert [a.filename.startswith("direction-") for a in mail.attachments] == [True]
    assert any(direction["number"] in m.body_text for m in messages(PARENT_PHONE) if m.channel == "sms")
    documents = filing.call("GET", f"/applications/{mine['id']}/documents")[1]["items"]
    assert "direction" in {d["kind"] for d in documents}

    # and the application's history and the kindergarten's outbox record it
    events = [h["event"] for h in filing.call("GET", f"/applications/{mine['id']}/history")[1]["items"]]
    assert events[-1] == "application.direction_issued"
    kindergarten_events = HistoryRepository().for_subject("kindergarten", ESIL_12)
    issued = [r for r in kindergarten_events if r.event == "direction.issued"]
    assert {r.details["number"] for r in issued} == set(published["allocation"]["issued"])
    # each is a job of its direction's transaction that delivers it to the portal's endpoints
    assert all(Job.get(f"webhook.event:{r.subject}#{r.entry}").state == "done" for r in issued)

    # and the operator sees why the parent's child got the seat, and the run audits clean
    status, explained = api.call("GET", f"/operator/directions/{direction['number']}", token=operator)
    assert status == 200, explained
    why = explained["explanation"]
    assert why["order_position"] == 3 and why["preference_rank"] == 1
    reasons = {p["application_id"]: p["reason"] for p in why["passed_over"]}
    assert reasons[elsewhere.id] == "not_in_preferences"
    assert reasons[out_of_turn.id] == "seated_earlier"
    assert all(p["reason_kk"] and p["reason_ru"] for p in why["passed_over"])
    status, audit = api.call("GET", f"/operator/allocations/{why['run_id']}/audit", token=operator)
    assert status == 200, audit
    assert audit["violations"] == [] and audit["offers"] == 2 and len(audit["issued"]) == 2


def test_a_repeated_publication_is_answered_the_same_and_publishes_nothing_new(api, clock, portal: Portal):
    # given a child in the queue
    enqueue(at=clock.now() - timedelta(days=3))
    body = {"group_id": "2022-kk", "seats": 3}

    # when the portal sends the same publication twice with one idempotency key
    first = portal.call("POST", "/partner/vacancies", body, idempotency_key="vacancy-2026-01-15-a")
    again = portal.call("POST", "/partner/vacancies", body, idempotency_key="vacancy-2026-01-15-a")

    # then the second gets the first's answer and nothing more is published or offered
    assert first[0] == 201 and again[0] == 201 and again[1] == first[1]
    assert again[2].get("Idempotent-Replayed") == "true"
    assert len(first[1]["seats"]) == 3 and len(portal.directions()) == 1

    # and the same key with another body is refused, nothing changed
    status, refused, _ = portal.call(
        "POST", "/partner/vacancies", {"group_id": "2022-kk", "seats": 4}, idempotency_key="vacancy-2026-01-15-a"
    )
    assert status == 422 and refused["error"]["code"] == "partner.idempotency_key_reused"
    assert refused["error"]["messages"]["kk"] and refused["error"]["messages"]["ru"]
    assert len(portal.directions()) == 1

    # and a publication without a key is refused
    status, refused, _ = portal.call("POST", "/partner/vacancies", body, idempotency_key=None)
    assert status == 422 and refused["error"]["code"] == "partner.idempotency_key_required"


def test_the_partner_api_needs_a_kindergartens_key(api, clock, filing, keys):
    # a missing, forged or unknown key, and a parent's session, are all refused
    for key in (None, "bqk_deadbeefdeadbeef.forged-secret-forged-secret", keys[ESIL_12] + "x"):
        headers = {"Authorization": f"Bearer {key}"} if key else {}
        response = api.client.http.get("/partner/directions", headers=headers)
        assert response.status_code == 401
        assert json.loads(response.body)["error"]["code"] == "partner.key_invalid"
    assert filing.call("GET", "/partner/directions")[0] == 401

    # and a key stops working once revoked
    portal = Portal(api, keys[ESIL_63])
    assert portal.call("GET", "/partner/directions")[0] == 200
    key_id = keys[ESIL_63].removeprefix("bqk_").split(".")[0]
    wiring.partner_keys().revoke(key_id, clock.now())
    assert portal.call("GET", "/partner/directions")[0] == 401


def test_a_private_kindergartens_seats_wait_for_the_parents_choice(api, clock, keys, seeded):
    # given a child who chose the private «Нұрлы бала» and its state-order seats published
    enqueue(at=clock.now() - timedelta(days=1), preferences=(NURLY_BALA,))
    published = Portal(api, keys[NURLY_BALA]).publish("2022-kk", seats=2)

    # then they are not offered by the queue's allocation
    assert published["channel"] == "private" and published["allocation"] is None

    # but the parents' private choice sees and takes them, one at a time
    seats = PublishedStateOrderSeats(wiring.reference(), SeatRepository())
    kindergarten = wiring.reference().get_kindergarten(NURLY_BALA)
    [free] = seats.free([kindergarten], 2022)
    assert (free.kindergarten_id, free.language, free.count) == (NURLY_BALA, "kk", 2)
    taking = seats.taking(kindergarten, 2022, "kk", "УО.2026.000001.1", clock.now())
    wiring.direction_service().directions.commit(taking.write)
    assert SeatRepository().get(taking.seat_id).status == "taken"
    assert seats.free([kindergarten], 2022)[0].count == 1


def test_a_portal_publishes_only_its_own_groups_within_their_capacity(portal: Portal):
    status, refused, _ = portal.call("POST", "/partner/vacancies", {"group_id": "2019-kk", "seats": 1})
    assert status == 422 and refused["error"]["code"] == "vacancy.unknown_group"
    status, refused, _ = portal.call("POST", "/partner/vacancies", {"group_id": "2022-kk", "seats": 26})
    assert status == 422 and refused["error"]["code"] == "vacancy.too_many_seats"


def test_an_operator_publishes_for_a_kindergarten_of_the_region_only(api, clock, operator, seeded):
    # given a child in the Есіл queue
    child = enqueue(at=clock.now() - timedelta(days=2))
    body = {"kindergarten_id": ESIL_12, "group_id": "2022-kk", "seats": 1}

    # when the Astana operator publishes a seat of № 12
    status, published = api.call("POST", "/operator/vacancies", body, operator)

    # then it is offered at once
    assert status == 201, published
    [number] = published["allocation"]["issued"]
    assert api.call("GET", f"/operator/directions/{number}", token=operator)[1]["application_id"] == child.id

    # and a kindergarten of another region is not theirs to publish for
    body = {"kindergarten_id": "kar-kazybek-bi-003", "group_id": "2022-kk", "seats": 1}
    status, refused = api.call("POST", "/operator/vacancies", body, operator)
    assert status == 403 and refused["error"]["code"] == "vacancy.outside_area"


def test_free_seats_nobody_can_take_wait_for_the_scheduled_allocation(api, clock, portal: Portal):
    # given a seat published while nobody of its cohort is in the queue
    published = portal.publish("2023-kk", seats=1)
    assert published["allocation"]["issued"] == []

    # when a child of that cohort joins and the scheduled allocation runs
    child = enqueue(at=clock.now(), birth=date(2023, 6, 1))
    summary = sweep(api, "allocate-vacancies")

    # then the child gets the waiting seat
    assert summary["issued"] == 1
    assert [d["application_id"] for d in portal.directions()] == [child.id]
