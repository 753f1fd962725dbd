"""The parent's six steps: each saved on the server, in order; every refusal names the rule and changes nothing."""

from __future__ import annotations

import re
from typing import Any

import boto3

from chalicelib.settings import get_settings
from tests.integration.contracts.conftest import (
    CARD,
    HALYK_BIC,
    PAPER,
    Wizard,
    details,
    directed,
)
from tests.integration.contracts.test_contract_signing import keep, pdf_text
from tests.integration.directions.conftest import Portal
from tests.integration.filing import Filing

NUMBER = re.compile(r"^\d{2}\.\d{2}-\d{2}\.26\.\d{3}$")  # like 01.01-01.21.001: register code, year, serial


def error(answer: Any) -> dict[str, Any]:
    return answer["error"]


def test_the_parent_goes_through_six_steps_and_sends_the_contract(wizard: Wizard) -> None:
    # given a direction to a kindergarten that concludes contracts electronically
    status, directions = wizard.filing.call("GET", f"/applications/{wizard.get_application()}/directions")
    assert "contract" in directions["items"][0]["actions"]
    assert directions["items"][0]["contract"]["mode"] == "electronic"

    # when the parent starts, goes through the steps and signs
    status, started = wizard.start()
    assert status == 201, started
    assert NUMBER.match(started["number"]), started["number"]
    assert started["status"] == "draft" and started["step"] == 1
    assert started["direction_number"] == wizard.direction
    assert wizard.info()[0] == 200 and wizard.get()["step"] == 2
    assert wizard.eds()[0] == 200 and wizard.get()["step"] == 3
    assert wizard.representative()[0] == 200 and wizard.get()["step"] == 4
    assert wizard.details()[0] == 200 and wizard.get()["step"] == 5
    assert wizard.documents()[0] == 200
    resumed = wizard.get()
    draft = wizard.filing.api.client.http.get(
        f"/contracts/{wizard.number}/draft.pdf",
        headers={"Authorization": f"Bearer {wizard.filing.token}", "Accept": "application/pdf"},
    )
    status_sent, sent = wizard.send()

    # then each step was kept, the draft is a PDF, the contract is with the kindergarten
    assert resumed["step"] == 6
    assert resumed["steps"]["eds"]["iin"] == wizard.person.person.iin
    assert resumed["steps"]["representative"]["phone"] == "+77011234567"
    assert resumed["steps"]["details"]["bank"]["iban"] == "KZ297220000000000123"
    assert resumed["sections"] and resumed["title"]["kk"]
    assert draft.status_code == 200 and draft.body.startswith(b"%PDF-")
    assert status_sent == 200, sent
    assert sent["status"] == "sent" and sent["sent_at"]
    assert sent["status_kk"] == "Қол қоюға жіберілді"
    assert sent["prices"] and sent["prices_fixed_on"] == "2026-01-15"
    assert sent["signatures"][0]["party"] == "representative"
    status, mine = wizard.filing.call("GET", "/contracts")
    assert [(c["number"], c["status"]) for c in mine["items"]] == [(wizard.number, "sent")]
    status, directions = wizard.filing.call("GET", f"/applications/{wizard.get_application()}/directions")
    direction = directions["items"][0]
    assert direction["contract"] == {
        "mode": "electronic",
        "number": wizard.number,
        "status": "sent",
        "clock_paused": True,
    }
    assert "extend" not in direction["actions"] and "revoke" not in direction["actions"]


def test_the_draft_pdf_is_rendered_with_the_contract_number(wizard: Wizard) -> None:
    # given every step done
    wizard.start()
    wizard.through_step5()

    # when the draft is downloaded
    response = wizard.filing.api.client.http.get(
        f"/contracts/{wizard.number}/draft.pdf",
        headers={"Authorization": f"Bearer {wizard.filing.token}", "Accept": "application/pdf"},
    )

    # then it is a PDF marked as a draft, without a verification code (pages kept to be looked at)
    assert response.status_code == 200, response.body[:500]
    assert response.headers["Content-Type"] == "application/pdf"
    assert response.body.startswith(b"%PDF-")
    keep(response.body, "contract-draft")
    text = pdf_text(response.body)
    assert wizard.number in text and "ШАРТ ЖОБАСЫ" in text
    assert "Тексеру коды" not in text and "Код проверки" not in text


def test_starting_twice_gives_the_same_contract(wizard: Wizard) -> None:
    first = wizard.start()
    second = wizard.start()
    assert first[0] == 201 and second[0] == 200
    assert first[1]["number"] == second[1]["number"]


def test_a_paper_only_kindergarten_offers_no_electronic_contract(
    filing: Filing, other_portal: Portal, terms: None
) -> None:
    # given a direction to a kindergarten that concludes contracts on paper
    application_id, number = directed(filing, other_portal, PAPER)
    [direction] = filing.call("GET", f"/applications/{application_id}/directions")[1]["items"]
    assert direction["contract"]["mode"] == "paper" and "contract" not in direction["actions"]

    # when the parent tries to start one anyway
    status, refused = filing.call("POST", f"/directions/{number}/contract")

    # then it is refused and nothing is started
    assert status == 409
    assert error(refused)["code"] == "contract.paper_only"
    assert filing.call("GET", "/contracts")[1]["items"] == []


def test_steps_are_taken_in_order(wizard: Wizard) -> None:
    wizard.start()
    status, refused = wizard.representative()
    assert status == 409
    assert error(refused)["code"] == "contract.step_out_of_order"
    assert error(refused)["details"]["missing_step"] == 1
    assert wizard.get()["steps"]["representative"] is None


def test_the_eds_check_refuses_a_certificate_of_someone_else(wizard: Wizard, pki_people: Any) -> None:
    wizard.start()
    wizard.info()
    status, refused = wizard.eds(pki_people["second_parent"].auth)
    assert status == 422
    assert error(refused)["details"]["check"] == "owner"
    assert wizard.get()["steps"]["eds"] is None


def test_the_eds_check_refuses_a_replayed_challenge(wizard: Wizard) -> None:
    # given a challenge signed and used once
    wizard.start()
    wizard.info()
    _, challenge = wizard.filing.call("POST", f"/contracts/{wizard.number}/eds-challenge")
    signed = wizard.filing.api.sign(challenge["xml"], wizard.person.auth).decode()
    first = wizard.filing.call("POST", f"/contracts/{wizard.number}/steps/eds", {"signed_xml": signed})

    # when the same signed document comes again
    again = wizard.filing.call("POST", f"/contracts/{wizard.number}/steps/eds", {"signed_xml": signed})

    # then it is refused
    assert first[0] == 200
    assert again[0] == 422
    assert error(again[1])["code"] == "contract.eds_challenge_unknown"


def test_representative_refusals_name_the_field_and_keep_nothing(wizard: Wizard, pki_people: Any) -> None:
    wizard.start()
    wizard.info()
    wizard.eds()
    iin = wizard.person.person.iin
    wrong_check = iin[:11] + str((int(iin[11]) + 1) % 10)

    checksum = wizard.representative(iin=wrong_check)
    someone_else = wizard.representative(iin=pki_people["second_parent"].person.iin)
    no_phone = wizard.representative(phone="")
    landline = wizard.representative(phone="+77172555012")

    assert checksum[0] == 422 and error(checksum[1])["code"] == "iin.checksum"
    assert error(checksum[1])["details"]["field"] == "representative.iin"
    assert "бақылау" in error(checksum[1])["messages"]["kk"] and "Контрольная" in error(checksum[1])["messages"]["ru"]
    assert someone_else[0] == 422 and error(someone_else[1])["code"] == "contract.representative_not_owner"
    assert error(no_phone[1])["details"]["field"] == "representative.phone"
    assert error(landline[1])["details"]["field"] == "representative.phone"
    assert wizard.get()["steps"]["representative"] is None


def test_bank_details_refusals_name_the_field_and_keep_nothing(wizard: Wizard) -> None:
    wizard.start()
    for step in (wizard.info, wizard.eds, wizard.representative):
        assert step()[0] == 200

    card = wizard.details(details(iban=CARD))
    foreign = wizard.details(details(iban="DE89370400440532013000"))
    bad_check = wizard.details(details(iban="KZ307220000000000123"))
    other_bank = wizard.details(details(bic=HALYK_BIC))

    assert card[0] == 422 and error(card[1])["code"] == "bank.iban_is_card"
    assert error(card[1])["details"]["field"] == "bank.iban"
    assert "MASTER/VISA" in error(card[1])["messages"]["kk"]
    assert foreign[0] == 422 and error(foreign[1])["code"] == "bank.iban_not_kz"
    assert bad_check[0] == 422 and error(bad_check[1])["code"] == "bank.iban_checksum"
    assert other_bank[0] == 422 and error(other_bank[1])["code"] == "bank.bic_mismatch"
    assert error(other_bank[1])["details"]["field"] == "bank.bic"
    assert wizard.get()["steps"]["details"] is None


def test_documents_must_be_checked_jpeg_files_of_the_parent(wizard: Wizard) -> None:
    wizard.start()
    for step in (wizard.info, wizard.eds, wizard.representative, wizard.details):
        assert step()[0] == 200
    filing = wizard.filing
    png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 100 + b"IEND\xaeB`\x82"

    # a PNG renamed to .jpg: refused by its content when the upload is completed
    _, form = filing.call(
        "POST",
        "/uploads",
        {"purpose": "contract", "file_name": "photo.jpg", "content_type": "image/jpeg", "size": len(png)},
    )
    boto3.client("s3").put_object(Bucket=get_settings().documents_bucket, Key=form["fields"]["key"], Body=png)
    renamed = filing.call("POST", f"/uploads/{form['upload_id']}/complete")
    # a 2.1 MB photo: refused when announced, and if it reached S3 anyway, when completed
    big = b"\xff\xd8\xff\xe0" + b"\x00" * int(2.1 * 1024 * 1024) + b"\xff\xd9"
    announced = filing.call(
        "POST",
        "/uploads",
        {"purpose": "contract", "file_name": "big.jpg", "content_type": "image/jpeg", "size": len(big)},
    )
    _, small_form = filing.call(
        "POST", "/uploads", {"purpose": "contract", "file_name": "big.jpg", "content_type": "image/jpeg", "size": 1000}
    )
    boto3.client("s3").put_object(Bucket=get_settings().documents_bucket, Key=small_form["fields"]["key"], Body=big)
    swollen = filing.call("POST", f"/uploads/{small_form['upload_id']}/complete")
    # a scan uploaded for a benefit claim is not a contract document; a required one is missing
    benefit_scan = filing.upload_scan(purpose="benefit")
    wrong_purpose = wizard.documents(photo=benefit_scan)
    missing = wizard.documents(health_passport=None)

    assert renamed[0] == 422 and error(renamed[1])["code"] == "upload.wrong_type"
    assert "JPEG" in error(renamed[1])["messages"]["ru"]
    assert announced[0] == 413 and error(announced[1])["code"] == "upload.too_large"
    assert swollen[0] == 413 and error(swollen[1])["code"] == "upload.too_large"
    assert wrong_purpose[0] == 409 and error(wrong_purpose[1])["code"] == "upload.not_accepted"
    assert missing[0] == 422 and error(missing[1])["details"]["field"] == "documents.health_passport"
    assert wizard.get()["steps"]["documents"] is None


def test_sending_needs_the_tick_and_the_parents_own_signature(wizard: Wizard, pki_people: Any) -> None:
    wizard.start()
    wizard.through_step5()

    no_tick = wizard.filing.call("POST", f"/contracts/{wizard.number}/signing-document", {"read_confirmed": False})
    unticked = wizard.send(read=False)
    stranger = wizard.send(credential=pki_people["second_parent"].sign)
    auth_key = wizard.send(credential=wizard.person.auth)

    assert no_tick[0] == 422 and error(no_tick[1])["code"] == "contract.not_read"
    assert unticked[0] == 422 and error(unticked[1])["code"] == "contract.not_read"
    assert stranger[0] == 422 and error(stranger[1])["details"]["check"] == "owner"
    assert auth_key[0] == 422 and error(auth_key[1])["details"]["check"] == "purpose"
    assert wizard.get()["status"] == "draft"


def test_a_document_signed_before_the_prices_changed_is_refused(wizard: Wizard, balapan: Portal) -> None:
    # given the parent opened the document to sign
    wizard.start()
    wizard.through_step5()
    document = wizard.signing_document()

    # when the kindergarten changes its prices before the parent sends
    status, settings, _ = balapan.call("GET", "/partner/contract-settings", idempotency_key=None)
    settings["prices"][0]["amount"] = "99999.00"
    status, saved, _ = balapan.call(
        "PUT",
        "/partner/contract-settings",
        {k: settings[k] for k in ("register_code", "account", "prices")},
        idempotency_key=None,
    )
    refused = wizard.send(xml=document)
    fresh = wizard.send()

    # then the old text is refused; the current one goes, with the new prices
    assert status == 200, saved
    assert refused[0] == 422 and error(refused[1])["code"] == "contract.document_mismatch"
    assert fresh[0] == 200 and fresh[1]["prices"][0]["amount"] == "99999.00"


def test_another_parent_can_neither_read_nor_start_the_contract(wizard: Wizard, api: Any, pki_people: Any) -> None:
    wizard.start()
    stranger = Filing(api, pki_people["other_parent"])

    read = stranger.call("GET", f"/contracts/{wizard.number}")
    start = stranger.call("POST", f"/directions/{wizard.direction}/contract")
    step = stranger.call("POST", f"/contracts/{wizard.number}/steps/info", {"read": True})

    assert read[0] == 403 and error(read[1])["code"] == "contract.not_yours"
    assert start[0] == 403
    assert step[0] == 403
    assert stranger.call("GET", "/contracts")[1]["items"] == []


def test_a_kindergarten_key_cannot_use_the_parents_routes(wizard: Wizard, balapan: Portal) -> None:
    wizard.start()
    status, _, _ = balapan.call("GET", f"/contracts/{wizard.number}", idempotency_key=None)
    assert status == 401
