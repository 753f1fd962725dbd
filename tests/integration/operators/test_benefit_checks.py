"""Operators check benefit claims: approve or refuse with a reason; the parent sees and is told."""

from __future__ import annotations

from chalicelib.notify.outbox import OutboxNotifier
from tests.integration.filing import Filing


def claim(filing: Filing) -> dict:
    status, body = filing.file(benefit="large_family", attachments=[filing.upload_scan()])
    assert status == 201, body
    assert body["benefit_status"] == "pending" and body["benefit_queue_number"] is None
    assert body["benefit_queue_text"] == {"kk": "тексеруде", "ru": "на проверке"}
    return body


def test_an_operator_approves_a_claim_and_the_child_gets_a_benefit_number(filing: Filing, api, pki_people):
    # given a parent's pending benefit claim
    application = claim(filing)
    operator = api.sign_in(pki_people["operator"], audience="operator")["token"]
    # when the operator of the region lists pending checks
    status, pending = api.call("GET", "/operator/benefit-checks", token=operator)
    # then the claim is there with its scans
    assert status == 200
    [item] = [i for i in pending["items"] if i["application_id"] == application["id"]]
    assert item["benefit"]["code"] == "large_family"
    assert item["documents"] and item["documents"][0]["url"].startswith("http")
    # when approved
    status, decided = api.call("POST", f"/operator/benefit-checks/{application['id']}/approve", token=operator)
    assert status == 200, decided
    # then the parent sees the benefit queue number, the general number unchanged, and is told
    view = filing.call("GET", f"/applications/{application['id']}")[1]
    assert view["benefit_status"] == "approved"
    assert view["benefit_queue_number"] == 1
    assert view["queue_number"] == application["queue_number"]
    assert any("подтверждена" in m.body_text for m in OutboxNotifier().messages_for("aigul@mail.kz"))
    # and it is no longer pending
    assert api.call("GET", "/operator/benefit-checks", token=operator)[1]["items"] == []


def test_an_illegible_scan_is_refused_with_a_reason_the_parent_sees(filing: Filing, api, pki_people):
    application = claim(filing)
    operator = api.sign_in(pki_people["operator"], audience="operator")["token"]
    # a refusal needs a reason
    status, _ = api.call("POST", f"/operator/benefit-checks/{application['id']}/refuse", {"reason": ""}, operator)
    assert status == 422
    reason = "Құжат оқылмайды / Документ нечитаем"
    status, decided = api.call(
        "POST", f"/operator/benefit-checks/{application['id']}/refuse", {"reason": reason}, operator
    )
    assert status == 200, decided
    view = filing.call("GET", f"/applications/{application['id']}")[1]
    assert view["benefit_status"] == "refused"
    assert view["benefit_reason"] == reason
    assert view["benefit_queue_number"] is None
    history = filing.call("GET", f"/applications/{application['id']}/history")[1]["items"]
    assert history[-1]["why"] == reason and history[-1]["who"].startswith("education_department:")
    # deciding twice is refused
    assert api.call("POST", f"/operator/benefit-checks/{application['id']}/approve", token=operator)[0] == 409


def test_parents_cannot_use_the_operator_api(filing: Filing, api):
    application = claim(filing)
    assert filing.call("GET", "/operator/benefit-checks")[0] == 403
    assert filing.call("POST", f"/operator/benefit-checks/{application['id']}/approve")[0] == 403
    assert filing.call("GET", f"/applications/{application['id']}")[1]["benefit_status"] == "pending"


def test_a_decision_issues_the_benefit_documents_again_and_never_says_0(filing: Filing, api, pki_people):
    import subprocess

    from chalicelib import wiring

    def text(record) -> str:
        pdf = wiring.document_service().pdf(record) or b""
        return subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True).stdout.decode()

    def notices(application_id: str) -> list:
        found = wiring.document_service().documents.for_subject(f"application#{application_id}")
        return sorted(
            (d for d in found if d.kind == "registration_notice"), key=lambda d: (d.issued_at, d.superseded_by is None)
        )

    # given a pending claim: its registration notice says the benefit number is under review, not 0
    application = claim(filing)
    [first] = notices(application["id"])
    assert "тексеруде" in text(first) and "на проверке" in text(first)
    registered = [m for m in OutboxNotifier().messages_for("aigul@mail.kz") if "зарегистрировано" in m.body_text]
    assert registered and "категории: на проверке." in registered[0].body_text
    # when the operator approves it
    operator = api.sign_in(pki_people["operator"], audience="operator")["token"]
    status, _ = api.call("POST", f"/operator/benefit-checks/{application['id']}/approve", token=operator)
    assert status == 200
    # then the notice is issued again with the benefit number; the first one is superseded by it
    old, new = notices(application["id"])
    assert old.document_id == first.document_id and old.superseded_by == new.document_id
    assert new.reissued_for == "application.benefit_approved"
    lines = text(new).splitlines()
    assert "1" in lines and "тексеруде" not in text(new)
    told = [m for m in OutboxNotifier().messages_for("aigul@mail.kz") if "подтверждена" in m.body_text]
    assert told and "Номер очереди по льготной категории: 1." in told[0].body_text
