"""A private kindergarten under the state order (seed 002): the list, the signed choice — and every refusal.

Every refusal leaves the application, its history, its documents, the stored signed XML and
the parent's mailbox exactly as they were.
"""

from __future__ import annotations

from typing import Any

from chalicelib.domain.private_choice import PrivateChoice, choice_xml
from chalicelib.store.directions import DirectionRepository
from chalicelib.store.reference import ReferenceRepository
from chalicelib.store.vacancies import SeatItem
from tests.integration.filing import Filing
from tests.integration.private.conftest import (
    AK_ZHELKEN,
    BOLASHAK,
    NURLY_BALA,
    OTHER_APPLICANT,
    SMART_KIDS,
    STATE_KINDERGARTEN,
    UNDER_THREE,
    draft_choice,
    publish,
    signed_choice,
    snapshot,
    submit_choice,
)


def options(filing: Filing, application_id: str, query: str = "") -> tuple[int, Any]:
    return filing.call("GET", f"/applications/{application_id}/private-options{query}")


def offered(body: dict[str, Any]) -> set[tuple[str, str]]:
    return {(item["kindergarten"]["id"], item["language"]) for item in body["items"]}


def hand_signed(filing: Filing, application: dict[str, Any], **changes: Any) -> str:
    """A choice document built and signed without the server's draft (the draft would refuse it)."""
    from datetime import datetime

    from chalicelib import wiring

    fields = {
        "application_id": application["id"],
        "applicant_iin": filing.person.person.iin,
        "child_iin": application["child"]["iin"],
        "kindergarten_id": NURLY_BALA,
        "language": "kk",
        "acknowledged": True,
        **changes,
    }
    kindergarten = ReferenceRepository().get_kindergarten(fields["kindergarten_id"])
    assert kindergarten is not None
    xml = choice_xml(
        PrivateChoice(**fields),
        kindergarten=kindergarten,
        child_full_name=application["child"]["full_name"],
        child_birth_date=datetime.fromisoformat(application["child"]["birth_date"]).date(),
        prepared_at=wiring.clock().now(),  # the test's fixed clock
    )
    return filing.api.sign(xml, filing.person.sign).decode()


def test_a_parent_sees_the_private_kindergartens_with_state_order_places_for_the_child(filing: Filing, in_queue):
    # when the parent of a 3-year-old in the queue asks for the private kindergartens
    status, body = options(filing, in_queue["id"])
    # then every private kindergarten with state-order vacancies for the child's birth year is listed,
    # once per language of instruction, with the free seats, its address and district
    assert status == 200, body
    assert offered(body) == {(NURLY_BALA, "kk"), (NURLY_BALA, "ru"), (SMART_KIDS, "ru"), (BOLASHAK, "kk")}
    seats = {(i["kindergarten"]["id"], i["language"]): i["free_seats"] for i in body["items"]}
    assert seats[(NURLY_BALA, "kk")] == 2 and seats[(NURLY_BALA, "ru")] == 1
    first = body["items"][0]
    assert first["kindergarten"]["address_kk"] and first["kindergarten"]["address_ru"]
    assert first["district_name_kk"] and first["district_name_ru"]
    assert first["group"]["name_ru"].startswith("Средняя группа (2022")
    # and the warning the parent must acknowledge, in both languages (seed 002)
    assert "без последующего сохранения номера" in body["warning_ru"]
    assert "кезектен автоматты түрде алынасыз" in body["warning_kk"]


def test_the_list_is_filtered_by_district_and_language(filing: Filing, in_queue):
    assert offered(options(filing, in_queue["id"], "?district=esil")[1]) == {(NURLY_BALA, "kk"), (NURLY_BALA, "ru")}
    assert offered(options(filing, in_queue["id"], "?language=ru")[1]) == {(NURLY_BALA, "ru"), (SMART_KIDS, "ru")}
    assert offered(options(filing, in_queue["id"], "?district=saryarka&language=kk")[1]) == set()


def test_a_parent_chooses_a_private_kindergarten_signs_and_gets_the_direction(filing: Filing, in_queue, private_seats):
    from chalicelib.notify.outbox import OutboxNotifier

    # given the choice drafted with the warning acknowledged, and signed with the SIGN key
    signed = signed_choice(filing, in_queue["id"], language="ru")
    # when the parent sends it
    status, body = submit_choice(filing, in_queue["id"], signed)
    # then the child has left the queue for the private kindergarten, without a queue number
    assert status == 200, body
    assert body["status"] == "left_for_private"
    assert body["status_ru"] == "Получил направление в частный ДДО"
    assert body["queue_number"] is None and body["actions"] == []
    assert body["status_reason_ru"].startswith("Выбран частный детский сад по государственному заказу")
    # and the direction to a private preschool organisation is issued, with a link to its PDF
    direction = body["private_direction"]
    assert direction["number"].startswith("ЖБ.2026.")
    assert direction["kindergarten"]["id"] == NURLY_BALA and direction["language"] == "ru"
    assert direction["valid_until"] == "2026-01-22"  # 5 working days after Thursday 15 January 2026
    assert direction["document"]["kind"] == "private_direction" and direction["document"]["url"]
    # and it is in the documents tab with the others (seed 002, picture 12)
    _, documents = filing.call("GET", f"/applications/{in_queue['id']}/documents")
    titles = [d["title_ru"] for d in documents["items"]]
    assert "Направление в частную дошкольную организацию" in titles
    # and the change history says who did it and why
    _, history = filing.call("GET", f"/applications/{in_queue['id']}/history")
    last = history["items"][-1]
    assert (last["event"], last["from"], last["to"]) == ("application.left", "active", "left_for_private")
    assert last["who"] == f"parent:{filing.person.person.iin}"
    assert "жеке балабақшаны таңдады" in last["why_kk"]
    # and the parent is told by e-mail, with the PDF, and by SMS
    [mail, *_] = OutboxNotifier().messages_for("aigul@mail.kz")
    assert "Направление в частный ДДО" in mail.subject and direction["number"] in mail.body_text
    assert mail.attachments and mail.attachments[0].filename.startswith("private-direction-")
    [sms, *_] = OutboxNotifier().messages_for("+77011234567")
    assert sms.channel == "sms" and direction["number"] in sms.body_text
    # and the signed choice is kept as received
    assert len(snapshot(filing, in_queue["id"]).signed_private) == 1
    # and the seat is taken by this child, and the kindergarten has an event waiting for delivery
    [seat] = private_seats[f"{NURLY_BALA}/2022-ru"]
    stored = SeatItem.get(seat, consistent_read=True)
    assert (stored.status, stored.taken_by) == ("taken", in_queue["id"])
    [event] = [e for e in DirectionRepository().kindergarten_events(NURLY_BALA) if e.event.startswith("private")]
    assert event.event == "private_direction.issued" and event.outbox
    assert event.details["number"] == direction["number"] and event.details["application_id"] == in_queue["id"]


def test_the_kindergarten_in_the_child_s_queue_language_is_the_default(filing: Filing, in_queue):
    status, drafted = draft_choice(filing, in_queue["id"], kindergarten_id=BOLASHAK)
    assert status == 200, drafted
    assert 'language="kk"' in drafted["xml"] and "без последующего сохранения номера" in drafted["xml"]


def test_a_child_under_three_cannot_be_directed_to_a_private_kindergarten(filing: Filing, private_seats):
    # given the parent's younger child (born 2024-05-17) in the queue
    status, application = filing.file(child={"iin": UNDER_THREE})
    assert status == 201, application
    before = snapshot(filing, application["id"])
    # when the parent asks for the list, for a draft, or sends a choice signed anyway
    listed = options(filing, application["id"])
    drafted = draft_choice(filing, application["id"])
    sent = submit_choice(filing, application["id"], hand_signed(filing, application))
    # then each is refused in Kazakh and Russian, saying from when it will be possible
    for status, body in (listed, drafted, sent):
        assert status == 422, body
        assert body["error"]["code"] == "private.child_too_young"
        assert "3 жасқа толғанда" in body["error"]["messages"]["kk"]
        assert "с 3 лет (с 17.05.2027)" in body["error"]["messages"]["ru"]
    # and nothing changed
    assert snapshot(filing, application["id"]) == before


def test_a_child_no_longer_in_the_queue_cannot_choose(filing: Filing, in_queue, api):
    # given a choice signed while in the queue, and then the parent withdrew the child
    signed = signed_choice(filing, in_queue["id"])
    _, drafted = filing.call("POST", f"/applications/{in_queue['id']}/withdraw/draft", {"reason": "Көшіп кеттік"})
    withdrawal = api.sign(drafted["xml"], filing.person.sign).decode()
    assert filing.call("POST", f"/applications/{in_queue['id']}/withdraw", {"signed_xml": withdrawal})[0] == 200
    before = snapshot(filing, in_queue["id"])
    # when the parent asks for the list or sends the choice
    listed = options(filing, in_queue["id"])
    sent = submit_choice(filing, in_queue["id"], signed)
    # then both are refused: the application is not in the queue
    for status, body in (listed, sent):
        assert status == 409, body
        assert body["error"]["code"] == "application_not_in_queue"
        assert body["error"]["messages"]["kk"].startswith("Өтініш кезекте емес")
    # and nothing changed
    assert snapshot(filing, in_queue["id"]) == before


def test_a_kindergarten_without_a_vacancy_for_the_child_is_refused(filing: Filing, in_queue):
    before = snapshot(filing, in_queue["id"])
    # when the parent picks a language the kindergarten has no group in, or sends such a choice signed
    drafted = draft_choice(filing, in_queue["id"], kindergarten_id=SMART_KIDS, language="kk")
    sent = submit_choice(filing, in_queue["id"], hand_signed(filing, in_queue, kindergarten_id=SMART_KIDS))
    # then there is no vacancy
    for status, body in (drafted, sent):
        assert status == 409, body
        assert body["error"]["code"] == "private.no_vacancy"
        assert "бос орын жоқ" in body["error"]["messages"]["kk"]
    # and a state kindergarten or a private one without the state order is not a choice at all
    for kindergarten in (STATE_KINDERGARTEN, AK_ZHELKEN):
        status, body = draft_choice(filing, in_queue["id"], kindergarten_id=kindergarten)
        assert status == 422 and body["error"]["code"] == "private.not_private_state_order"
    status, body = draft_choice(filing, in_queue["id"], kindergarten_id="no-such-kindergarten")
    assert status == 404 and body["error"]["details"]["field"] == "kindergarten_id"
    # and nothing changed
    assert snapshot(filing, in_queue["id"]) == before


def test_the_warning_must_be_acknowledged(filing: Filing, in_queue):
    before = snapshot(filing, in_queue["id"])
    # when the parent drafts without acknowledging, or signs a document that says they did not
    drafted = draft_choice(filing, in_queue["id"], acknowledged=False)
    sent = submit_choice(filing, in_queue["id"], hand_signed(filing, in_queue, acknowledged=False))
    # then both are refused, pointing at the acknowledgement
    for status, body in (drafted, sent):
        assert status == 422, body
        assert body["error"]["code"] == "private.warning_not_acknowledged"
        assert body["error"]["details"]["field"] == "acknowledged"
        assert "без сохранения номера" in body["error"]["messages"]["ru"]
    # and nothing changed
    assert snapshot(filing, in_queue["id"]) == before


def test_someone_else_s_application_is_refused(filing: Filing, in_queue, api, pki_people):
    # given the choice signed by the applicant
    signed = signed_choice(filing, in_queue["id"])
    before = snapshot(filing, in_queue["id"])
    stranger = Filing(api, pki_people["other_parent"])
    # when another parent asks for the list, a draft, or sends a choice on it
    answers = [
        options(stranger, in_queue["id"]),
        draft_choice(stranger, in_queue["id"]),
        submit_choice(stranger, in_queue["id"], signed),
        submit_choice(
            stranger,
            in_queue["id"],
            api.sign(draft_choice(filing, in_queue["id"])[1]["xml"], stranger.person.sign).decode(),
        ),
    ]
    # then each is refused as someone else's
    for status, body in answers:
        assert status == 403, body
        assert body["error"]["code"] == "application.not_yours"
    # and nothing changed
    assert snapshot(filing, in_queue["id"]) == before


def test_a_choice_signed_by_someone_else_or_with_the_wrong_key_is_refused(filing: Filing, in_queue, pki_people):
    before = snapshot(filing, in_queue["id"])
    # when the choice is signed by another person, or with the parent's sign-in (AUTH) key
    by_stranger = submit_choice(
        filing, in_queue["id"], signed_choice(filing, in_queue["id"], pki_people["other_parent"].sign)
    )
    with_auth_key = submit_choice(filing, in_queue["id"], signed_choice(filing, in_queue["id"], filing.person.auth))
    # then the signature is refused, naming the check that failed
    assert by_stranger[0] == 422 and by_stranger[1]["error"]["details"]["check"] == "owner"
    assert with_auth_key[0] == 422 and with_auth_key[1]["error"]["details"]["check"] == "purpose"
    # and nothing changed
    assert snapshot(filing, in_queue["id"]) == before


def test_a_choice_signed_for_another_application_is_refused(filing: Filing, in_queue):
    # given the parent's second application (the younger child) and a choice signed for the first one
    signed = signed_choice(filing, in_queue["id"])
    _, younger = filing.file(child={"iin": UNDER_THREE})
    before = snapshot(filing, younger["id"])
    # when it is sent for the second application
    status, body = submit_choice(filing, younger["id"], signed)
    # then it is refused and nothing changed
    assert status == 422 and body["error"]["code"] == "private.document_mismatch"
    assert snapshot(filing, younger["id"]) == before


def test_a_choice_is_carried_out_once(filing: Filing, in_queue):
    # given a choice that was carried out
    signed = signed_choice(filing, in_queue["id"])
    assert submit_choice(filing, in_queue["id"], signed)[0] == 200
    before = snapshot(filing, in_queue["id"])
    # when the same signed document is sent again
    status, body = submit_choice(filing, in_queue["id"], signed)
    # then it is refused: the child is no longer in the queue; no second direction
    assert status == 409 and body["error"]["code"] == "application_not_in_queue"
    assert snapshot(filing, in_queue["id"]) == before


def test_the_last_seat_goes_to_one_child_only(filing: Filing, in_queue, api, pki_people):
    # given two parents of 2022-born children in the queue, both with a choice of the one Russian seat signed
    other = Filing(api, pki_people["other_parent"])
    status, second = other.file(child={"iin": "220311501502"}, applicant=OTHER_APPLICANT)
    assert status == 201, second
    first_signed = signed_choice(filing, in_queue["id"], language="ru")
    second_signed = signed_choice(other, second["id"], language="ru")
    # when the first sends it, then the second
    assert submit_choice(filing, in_queue["id"], first_signed)[0] == 200
    before = snapshot(other, second["id"], email=OTHER_APPLICANT["email"])
    status, body = submit_choice(other, second["id"], second_signed)
    # then the second is refused: no vacancy is left, and the child stays in the queue untouched
    assert status == 409 and body["error"]["code"] == "private.no_vacancy"
    assert snapshot(other, second["id"], email=OTHER_APPLICANT["email"]) == before
    assert offered(options(other, second["id"])[1]) == {(NURLY_BALA, "kk"), (SMART_KIDS, "ru"), (BOLASHAK, "kk")}


def test_a_seat_taken_at_the_last_moment_is_not_taken_twice(filing: Filing, in_queue, private_seats):
    # given the one Russian seat of «Нұрлы бала», taken by someone else after the parent's draft,
    # while the list of free seats still shows it (an index is eventually consistent)
    signed = signed_choice(filing, in_queue["id"], language="ru")
    [seat] = private_seats[f"{NURLY_BALA}/2022-ru"]
    SeatItem(seat).update(actions=[SeatItem.status.set("taken"), SeatItem.taken_by.set("УО.2026.999999.1")])
    before = snapshot(filing, in_queue["id"])
    # when the parent sends the choice
    status, body = submit_choice(filing, in_queue["id"], signed)
    # then the conditional write refuses the seat: no vacancy, nothing written, the other child keeps it
    assert status == 409 and body["error"]["code"] == "private.no_vacancy"
    assert snapshot(filing, in_queue["id"]) == before
    assert SeatItem.get(seat, consistent_read=True).taken_by == "УО.2026.999999.1"


def test_a_child_holding_a_direction_gives_it_up_before_choosing(filing: Filing, in_queue, api):
    from infra.local.seed import seed_partner_keys

    # given a choice signed, and then a vacancy of the child's preferred state kindergarten offered to the child
    signed = signed_choice(filing, in_queue["id"])
    publish(api, seed_partner_keys()[STATE_KINDERGARTEN], "2022-kk", 1)
    [direction] = filing.call("GET", f"/applications/{in_queue['id']}/directions")[1]["items"]
    assert direction["status"] == "issued"
    before = snapshot(filing, in_queue["id"])
    # when the parent asks for the private kindergartens, drafts a choice or sends the signed one
    answers = [
        options(filing, in_queue["id"]),
        draft_choice(filing, in_queue["id"]),
        submit_choice(filing, in_queue["id"], signed),
    ]
    # then each is refused while the child holds the direction, and nothing changed
    for status, body in answers:
        assert status == 409, body
        assert body["error"]["code"] == "private.holds_direction"
        assert direction["number"] in body["error"]["messages"]["ru"]
    assert snapshot(filing, in_queue["id"]) == before
    # when the parent revokes the direction (within 24 hours) and sends the choice again
    assert filing.call("POST", f"/directions/{direction['number']}/revoke")[0] == 200
    status, body = submit_choice(filing, in_queue["id"], signed)
    # then the child leaves the queue for the private kindergarten
    assert status == 200, body
    assert body["status"] == "left_for_private"


def test_two_parents_racing_for_the_last_seat_never_both_get_it(filing: Filing, in_queue, api, pki_people):
    from concurrent.futures import ThreadPoolExecutor
    from threading import Barrier

    from bench.moto_tuning import dynamodb_like
    from chalicelib import wiring
    from chalicelib.domain.errors import DomainError
    from chalicelib.domain.principal import Principal, Role

    # given two parents of 2022-born children, each with a signed choice of the one Russian seat
    other = Filing(api, pki_people["other_parent"])
    _, second = other.file(child={"iin": "220311501502"}, applicant=OTHER_APPLICANT)
    entries = [
        (filing, in_queue["id"], signed_choice(filing, in_queue["id"], language="ru")),
        (other, second["id"], signed_choice(other, second["id"], language="ru")),
    ]
    start = Barrier(len(entries))

    def send(entry: tuple[Filing, str, str]) -> Any:
        parent, application_id, signed = entry
        principal = Principal(parent.person.person.iin, "", Role.PARENT, "")
        start.wait()
        try:
            return wiring.private_choice_service().choose(principal, application_id, signed)
        except DomainError as refused:
            return refused

    # when both send at the same moment (moto answering one request at a time, as DynamoDB does)
    with dynamodb_like(), ThreadPoolExecutor(len(entries)) as pool:
        outcomes = list(pool.map(send, entries))

    # then exactly one child got the seat; the other was refused and is still in the queue
    refused = [o for o in outcomes if isinstance(o, DomainError)]
    won = [o for o in outcomes if not isinstance(o, DomainError)]
    assert len(won) == 1 and [r.code for r in refused] == ["private.no_vacancy"]
    assert [s.language for s in SeatItem.by_free.query("private#astana#esil")].count("ru") == 0
    assert SeatItem.get(won[0].seat_id, consistent_read=True).taken_by == won[0].application.id
    loser = in_queue["id"] if won[0].application.id == second["id"] else second["id"]
    assert wiring.applications().get(loser).status == "active"
    assert len(snapshot(filing, in_queue["id"]).signed_private) == 1


def test_a_stop_listed_child_cannot_take_a_private_place_until_the_stop_list_ends(filing: Filing, in_queue, api, clock):
    from datetime import timedelta

    from infra.local.seed import seed_partner_keys

    # given a direction of the queue that nobody used in time: the sweep puts the child on the stop-list
    publish(api, seed_partner_keys()[STATE_KINDERGARTEN], "2022-kk", 1)
    clock.advance(timedelta(days=8))
    event = api.client.events.generate_cw_event(
        source="aws.events", detail_type="Scheduled Event", detail={}, resources=[]
    )
    api.client.lambda_.invoke("direction-expiry", event)
    [direction] = filing.call("GET", f"/applications/{in_queue['id']}/directions")[1]["items"]
    assert direction["status"] == "expired"
    before = snapshot(filing, in_queue["id"])
    # when the parent asks for the private kindergartens or drafts a choice
    answers = [options(filing, in_queue["id"]), draft_choice(filing, in_queue["id"])]
    # then both are refused while the child is on the stop-list, and nothing changed
    for status, body in answers:
        assert status == 409, body
        assert body["error"]["code"] == "direction.on_stop_list"
    assert snapshot(filing, in_queue["id"]) == before
    # and once the stop-list is over, the private kindergartens are offered again
    clock.advance(timedelta(days=20))
    status, body = options(filing, in_queue["id"])
    assert status == 200 and body["items"], body
