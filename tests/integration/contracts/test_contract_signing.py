"""The kindergarten's answer: its head signs with the organisation's certificate, or refuses with a reason."""

from __future__ import annotations

import hashlib
import subprocess
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from chalicelib import wiring
from tests.integration.contracts.conftest import Wizard, details, kindergarten_refuses, kindergarten_signs
from tests.integration.directions.conftest import Portal, messages, sweep


def error(answer: Any) -> dict[str, Any]:
    return answer["error"]


def test_the_kindergarten_signs_and_admission_is_complete(
    sent: Wizard, balapan: Portal, api: Any, pki_people: Any
) -> None:
    # given a contract the parent sent
    waiting = balapan.call("GET", "/partner/contracts?status=sent", idempotency_key=None)[1]["items"]

    # when the head signs it with the organisation's certificate
    status, signed = kindergarten_signs(api, balapan, sent.number, pki_people["kindergarten_head"].sign)

    # then the contract is in force, the direction used, the child out of the queue, the seat taken
    assert [c["number"] for c in waiting] == [sent.number]
    assert status == 200, signed
    assert signed["status"] == "signed" and signed["validity"] == {"kk": "мерзімсіз", "ru": "бессрочно"}
    parties = {s["party"]: s for s in signed["signatures"]}
    assert parties["kindergarten"]["signer_id"] == "120540012342"
    assert parties["representative"]["signer_id"] == sent.person.person.iin
    card = sent.get()
    assert card["status"] == "signed" and card["status_kk"] == "Қол қойылды"
    assert card["document_url"] and card["concluded_on"] == "2026-01-15"
    status, app = sent.filing.call("GET", f"/applications/{sent.application_id}")
    assert app["status"] == "enrolled"
    status, directions = sent.filing.call("GET", f"/applications/{sent.application_id}/directions")
    assert directions["items"][0]["status"] == "enrolled"
    assert directions["items"][0]["contract"]["status"] == "signed"
    direction = wiring.direction_service().directions.find(sent.direction)
    assert wiring.direction_service().seats.get(direction.seat_id).status == "taken"
    assert any("қол қойды" in m.body_text for m in messages("aigul@mail.kz"))


def test_the_final_pdf_carries_both_signatures(sent: Wizard, balapan: Portal, api: Any, pki_people: Any) -> None:
    # given a signed contract
    kindergarten_signs(api, balapan, sent.number, pki_people["kindergarten_head"].sign)
    contract = wiring.contract_service().contracts.find(sent.number)

    # when its PDF is read from S3
    record = wiring.document_service().documents.get(contract.document_id)
    pdf = wiring.document_service().pdf(record)
    text = pdf_text(pdf)

    # then it shows the number and both signers' certificate serials (pages kept to be looked at)
    keep(pdf, "contract-signed")
    assert record.kind == "contract" and record.number == sent.number
    assert sent.number in text
    for signature in (contract.representative_signature, contract.kindergarten_signature):
        assert signature["certificate_serial"] in text.replace("\n", "").replace(" ", "")


def test_signing_twice_is_refused_and_an_idempotent_repeat_answers_the_same(
    sent: Wizard, balapan: Portal, api: Any, pki_people: Any
) -> None:
    head = pki_people["kindergarten_head"].sign
    first = kindergarten_signs(api, balapan, sent.number, head, idempotency_key="sign-once")
    status, xml_body, _ = balapan.call(
        "GET", f"/partner/contracts/{sent.number}/signing-document", idempotency_key=None
    )
    replay = balapan.call(
        "POST", f"/partner/contracts/{sent.number}/signature", {"signed_xml": "x"}, idempotency_key="sign-once"
    )
    assert first[0] == 200
    assert status == 409 and error(xml_body)["code"] == "contract.not_sent"
    assert replay[0] == 422 or replay[2].get("Idempotent-Replayed") == "true"
    again = balapan.call(
        "POST", f"/partner/contracts/{sent.number}/signature", {"signed_xml": "<x/>"}, idempotency_key="sign-twice"
    )
    assert again[0] == 409 and error(again[1])["code"] == "contract.already_signed"


def test_another_kindergarten_cannot_read_sign_or_refuse(
    sent: Wizard, other_portal: Portal, api: Any, pki_people: Any
) -> None:
    listed = other_portal.call("GET", "/partner/contracts", idempotency_key=None)[1]["items"]
    read = other_portal.call("GET", f"/partner/contracts/{sent.number}", idempotency_key=None)
    signed = kindergarten_signs(api, other_portal, sent.number, pki_people["kindergarten_head"].sign)
    refused = kindergarten_refuses(api, other_portal, sent.number, "—", pki_people["kindergarten_head"].sign)

    assert listed == []
    assert read[0] == 403 and error(read[1])["code"] == "contract.other_kindergarten"
    assert signed[0] == 403 and error(signed[1])["code"] == "contract.other_kindergarten"
    assert refused[0] == 403
    assert sent.get()["status"] == "sent"


def test_only_the_kindergartens_own_organisation_certificate_signs(
    sent: Wizard, balapan: Portal, api: Any, pki_people: Any
) -> None:
    other_organisation = kindergarten_signs(api, balapan, sent.number, pki_people["operator"].sign)
    a_person = kindergarten_signs(api, balapan, sent.number, sent.person.sign)
    auth_key = kindergarten_signs(api, balapan, sent.number, pki_people["kindergarten_head"].auth)

    assert other_organisation[0] == 422 and error(other_organisation[1])["details"]["check"] == "identity"
    assert a_person[0] == 422 and error(a_person[1])["details"]["check"] == "identity"
    assert auth_key[0] == 422 and error(auth_key[1])["details"]["check"] == "purpose"
    assert sent.get()["status"] == "sent"


def test_a_refusal_reaches_the_parent_who_corrects_and_sends_again(
    sent: Wizard, balapan: Portal, api: Any, pki_people: Any, clock: Any
) -> None:
    # given the kindergarten refuses a day later
    clock.advance(timedelta(days=1))
    head = pki_people["kindergarten_head"].sign
    status, refused = kindergarten_refuses(api, balapan, sent.number, "ЖСН мен банк шоты сәйкес келмейді", head)

    # when the parent sees it, corrects the bank details and sends again
    card = sent.get()
    corrected = sent.details(details(iban="KZ597220000000000456"))
    resent = sent.send()
    signed = kindergarten_signs(api, balapan, sent.number, pki_people["kindergarten_head"].sign)

    # then the reason was shown, the second sending was signed
    assert status == 200, refused
    assert card["status"] == "refused" and card["refusal"]["reason"] == "ЖСН мен банк шоты сәйкес келмейді"
    assert "edit" in card["actions"]
    assert any("бас тартты" in m.body_text for m in messages("aigul@mail.kz"))
    assert corrected[0] == 200 and resent[0] == 200, resent
    assert resent[1]["refusals"] == 1
    assert signed[0] == 200 and signed[1]["status"] == "signed"


def test_a_refusal_needs_a_reason_and_changes_nothing_without_one(
    sent: Wizard, balapan: Portal, api: Any, pki_people: Any
) -> None:
    status, refused, _ = balapan.call("POST", f"/partner/contracts/{sent.number}/refusal-document", {"reason": ""})
    assert status == 422
    assert error(refused)["details"]["fields"][0]["field"] == "reason"
    # nor can a refusal be sent unsigned, as the reason alone
    unsigned = balapan.call("POST", f"/partner/contracts/{sent.number}/refusal", {"reason": "Қате деректер"})
    assert unsigned[0] == 422
    assert sent.get()["status"] == "sent"


def test_a_sent_contract_stops_the_directions_clock_and_a_refusal_restarts_it(
    sent: Wizard, balapan: Portal, api: Any, clock: Any, pki_people: Any
) -> None:
    # given the parent sent the contract with time left on the direction
    before = wiring.direction_service().directions.find(sent.direction)
    left = before.paused_seconds

    # when far more than five working days pass and the expiry sweep runs
    clock.advance(timedelta(days=20))
    sweep(api, "direction-expiry")
    during = wiring.direction_service().directions.find(sent.direction)
    status, _ = kindergarten_refuses(api, balapan, sent.number, "Қате деректер", pki_people["kindergarten_head"].sign)
    after = wiring.direction_service().directions.find(sent.direction)

    # then the direction did not lapse; after the refusal it has the time it had left
    assert left and left > 0
    assert during.status == "issued" and during.due_at is None
    assert status == 200
    assert after.paused_seconds is None
    assert abs((after.deadline - clock.now()).total_seconds() - left) < 1
    assert after.due_at == after.deadline


def test_while_sent_the_parent_neither_extends_nor_revokes_and_the_kindergarten_answers_the_contract(
    sent: Wizard, balapan: Portal
) -> None:
    extend = sent.filing.call("POST", f"/directions/{sent.direction}/extend", {"days": 10})
    revoke = sent.filing.call("POST", f"/directions/{sent.direction}/revoke")
    enrol = balapan.enrol(sent.direction)
    resend = sent.filing.call("POST", f"/contracts/{sent.number}/signing-document", {"read_confirmed": True})

    assert extend[0] == 409 and error(extend[1])["code"] == "contract.in_signing"
    assert revoke[0] == 409 and error(revoke[1])["code"] == "contract.in_signing"
    assert enrol[0] == 409 and error(enrol[1])["code"] == "contract.answer_contract"
    assert resend[0] == 409 and error(resend[1])["code"] == "contract.in_signing"


def test_a_draft_does_not_stop_the_clock_and_ends_with_its_direction(wizard: Wizard, api: Any, clock: Any) -> None:
    # given a contract started but not sent
    wizard.start()
    wizard.through_step5()

    # when the direction lapses
    clock.advance(timedelta(days=20))
    sweep(api, "direction-expiry")

    # then the contract is cancelled and cannot be sent
    card = wizard.get()
    status, refused = wizard.filing.call(
        "POST", f"/contracts/{wizard.number}/signing-document", {"read_confirmed": True}
    )
    assert card["status"] == "cancelled" and card["actions"] == []
    assert status == 409 and error(refused)["code"] == "contract.direction_not_live"


def test_a_new_template_version_applies_to_new_contracts_only(
    sent: Wizard, api: Any, pki_people: Any, balapan: Portal
) -> None:
    # given a contract started with version 1
    operator = api.sign_in(pki_people["operator"], audience="operator")["token"]
    status, current = api.call("GET", "/operator/contract-templates", token=operator)
    first = current["items"][0]

    # when the education department publishes version 2
    status, published = api.call(
        "POST",
        "/operator/contract-templates",
        {
            "title": first["title"],
            "sections": [
                *first["sections"],
                {"title": None, "paragraphs": [{"kk": "Жаңа тармақ.", "ru": "Новый пункт."}]},
            ],
        },
        token=operator,
    )

    # then the contract keeps version 1; the template in force is version 2
    assert status == 201, published
    assert published["version"] == 2
    assert sent.get()["template_version"] == 1
    assert len(sent.get()["sections"]) == len(first["sections"])
    parent = sent.filing.call("POST", "/operator/contract-templates", {"title": first["title"], "sections": []})
    assert parent[0] == 403


def test_prices_stay_those_in_force_when_the_parent_signed(sent: Wizard, balapan: Portal) -> None:
    _, settings, _ = balapan.call("GET", "/partner/contract-settings", idempotency_key=None)
    signed_price = sent.get()["prices"][0]["amount"]
    settings["prices"][0]["amount"] = "123456.00"
    balapan.call(
        "PUT",
        "/partner/contract-settings",
        {k: settings[k] for k in ("register_code", "account", "prices")},
        idempotency_key=None,
    )
    assert sent.get()["prices"][0]["amount"] == signed_price != "123456.00"


def test_contract_settings_refuse_a_card_number_as_the_kindergartens_account(balapan: Portal, terms: None) -> None:
    status, settings, _ = balapan.call("GET", "/partner/contract-settings", idempotency_key=None)
    body = {k: settings[k] for k in ("register_code", "account", "prices")}
    body["account"] = {**body["account"], "iban": "4400430123456789"}
    status, refused, _ = balapan.call("PUT", "/partner/contract-settings", body, idempotency_key=None)
    assert status == 422 and error(refused)["code"] == "bank.iban_is_card"
    assert error(refused)["details"]["field"] == "account.iban"
    assert balapan.call("GET", "/partner/contract-settings", idempotency_key=None)[1] == settings


def keep(pdf: bytes, name: str) -> None:
    """The PDF and its pages as PNG in test-artifacts/, for a person to look at."""
    artifacts = Path(__file__).resolve().parents[3] / "test-artifacts"
    artifacts.mkdir(exist_ok=True)
    (artifacts / f"{name}.pdf").write_bytes(pdf)
    subprocess.run(["pdftoppm", "-png", "-r", "60", "-", str(artifacts / name)], input=pdf, check=True)


def pdf_text(pdf: bytes) -> str:
    """The PDF's text as poppler reads it (installed by .ci/run)."""
    return subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True).stdout.decode()


def test_the_kindergarten_sees_the_parents_documents(sent: Wizard, balapan: Portal) -> None:
    status, card, _ = balapan.call("GET", f"/partner/contracts/{sent.number}", idempotency_key=None)
    assert status == 200, card
    assert set(card["document_links"]) == {"photo", "health_passport", "health_certificate"}
    assert all(link.startswith("http") for link in card["document_links"].values())
    assert "eds" not in card["steps"]  # the parent's sign-in check is nobody else's business


def test_signing_and_refusing_at_once_end_in_exactly_one_answer(
    sent: Wizard, balapan: Portal, api: Any, pki_people: Any, atomic: None
) -> None:
    # given the signing document, signed, and a refusal, sent at the same moment
    from tests.integration.directions.test_direction_races import race

    _, document, _ = balapan.call("GET", f"/partner/contracts/{sent.number}/signing-document", idempotency_key=None)
    signed = api.sign(document["xml"], pki_people["kindergarten_head"].sign).decode()
    service = wiring.contract_service()
    principal = wiring.partner_keys().principal(f"Bearer {balapan.key}")

    # when both race
    outcomes = race(
        2,
        lambda i: (
            service.sign_as_kindergarten(principal, sent.number, signed)
            if i == 0
            else service.refuse(principal, sent.number, "Қате деректер")
        ),
    )

    # then one won, the other was refused, and the direction agrees with the contract
    won = [o for o in outcomes if not isinstance(o, Exception)]
    assert len(won) == 1, outcomes
    contract = service.contracts.find(sent.number)
    direction = wiring.direction_service().directions.find(sent.direction)
    if contract.status == "signed":
        assert direction.status == "enrolled" and direction.contract_status == "signed"
    else:
        assert contract.status == "refused"
        assert direction.status == "issued" and direction.contract_status == "refused" and direction.due_at


def test_a_withdrawal_while_the_contract_is_sent_cancels_it(
    sent: Wizard, balapan: Portal, api: Any, pki_people: Any
) -> None:
    # given the parent withdraws the child from the queue while the kindergarten holds the contract
    _, drafted = sent.filing.call(
        "POST", f"/applications/{sent.application_id}/withdraw/draft", {"reason": "Көшіп кеттік"}
    )
    signed = api.sign(drafted["xml"], sent.person.sign).decode()
    status, left = sent.filing.call("POST", f"/applications/{sent.application_id}/withdraw", {"signed_xml": signed})
    api.run_jobs()  # the withdrawal's job releases the direction

    # when the kindergarten then signs
    late = kindergarten_signs(api, balapan, sent.number, pki_people["kindergarten_head"].sign)

    # then the contract is cancelled with its direction and cannot be signed
    assert status == 200, left
    assert sent.get()["status"] == "cancelled"
    assert late[0] == 409 and error(late[1])["code"] == "contract.direction_not_live"
    assert balapan.call("GET", "/partner/contracts?status=sent", idempotency_key=None)[1]["items"] == []
    cancelled = balapan.call("GET", "/partner/contracts?status=cancelled", idempotency_key=None)[1]["items"]
    assert [c["number"] for c in cancelled] == [sent.number]


def test_a_draft_is_the_parents_alone_until_it_is_sent(wizard: Wizard, balapan: Portal) -> None:
    # given a contract started and filled in, not sent
    wizard.start()
    wizard.through_step5()

    # when the kindergarten looks for it
    listed = balapan.call("GET", "/partner/contracts", idempotency_key=None)[1]["items"]
    status, body, _ = balapan.call("GET", f"/partner/contracts/{wizard.number}", idempotency_key=None)

    # then it does not see it
    assert listed == []
    assert status == 404 and error(body)["code"] == "contract.not_found"


def test_the_refusal_is_a_signed_statement_kept_as_the_legal_record(
    sent: Wizard, balapan: Portal, api: Any, pki_people: Any
) -> None:
    import boto3

    from chalicelib.settings import get_settings
    from chalicelib.store.contracts import Contract

    head = pki_people["kindergarten_head"].sign
    status, body = kindergarten_refuses(api, balapan, sent.number, "Денсаулық паспорты оқылмайды", head)
    assert status == 200, body
    assert body["refusal"]["reason"] == "Денсаулық паспорты оқылмайды" and body["refusal"]["signed_by"]
    assert "xml_key" not in body["refusal"]
    kept = Contract.get(sent.number).refusal["signature"]
    stored = boto3.client("s3").get_object(Bucket=get_settings().documents_bucket, Key=kept["xml_key"])["Body"].read()
    assert hashlib.sha256(stored).hexdigest() == kept["sha256"]
    assert "Денсаулық паспорты оқылмайды" in stored.decode() and b"<decision>refuse</decision>" in stored


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (lambda x: x.replace("<decision>refuse</decision>", "<decision>sign</decision>"), "decision"),
        (lambda x: x.replace('sha256="', 'sha256="0'), "representativeDocument/@sha256"),
        (lambda x: x.replace("<reason>", "<reason>Басқа: "), None),  # the signer's words: any reason is theirs
    ],
)
def test_every_fact_of_the_signed_refusal_is_compared_with_the_contract(
    sent: Wizard, balapan: Portal, api: Any, pki_people: Any, change: Any, field: str | None
) -> None:
    status, body, _ = balapan.call(
        "POST", f"/partner/contracts/{sent.number}/refusal-document", {"reason": "Қате деректер"}, idempotency_key=None
    )
    assert status == 200, body
    signed = api.sign(change(body["xml"]), pki_people["kindergarten_head"].sign).decode()
    status, answer, _ = balapan.call("POST", f"/partner/contracts/{sent.number}/refusal", {"signed_xml": signed})
    if field is None:
        assert status == 200, answer
        assert answer["refusal"]["reason"].startswith("Басқа: ")
        return
    assert status == 422 and error(answer)["code"] == "contract.document_mismatch"
    assert error(answer)["details"]["field"] == field
    assert sent.get()["status"] == "sent"


def test_only_the_first_head_or_a_person_with_the_right_of_signature_refuses(
    sent: Wizard, balapan: Portal, api: Any, pki_ca: Any, pki_people: Any
) -> None:
    employee = pki_ca.issue_staff(pki_people["kindergarten_head"].person, "employee")
    status, answer = kindergarten_refuses(api, balapan, sent.number, "Қате деректер", employee)
    assert status == 422, answer
    assert error(answer)["code"] == "eds.purpose.not_authorised_to_sign"
    assert error(answer)["details"]["role"] == "1.2.398.3.3.4.1.2.5"
    assert sent.get()["status"] == "sent"
