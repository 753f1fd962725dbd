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
    status, decided = api.decide_benefit(operator, application["id"], pki_people["operator"])
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
    status, _ = api.decide_benefit(operator, application["id"], pki_people["operator"], approve=False, reason="")
    assert status == 422
    reason = "Құжат оқылмайды / Документ нечитаем"
    status, decided = api.decide_benefit(
        operator, application["id"], pki_people["operator"], approve=False, reason=reason
    )
    assert status == 200, decided
    view = filing.call("GET", f"/applications/{application['id']}")[1]
    assert view["benefit_status"] == "refused"
    assert view["benefit_reason"] == reason
    assert view["benefit_queue_number"] is None
    history = filing.call("GET", f"/applications/{application['id']}/history")[1]["items"]
    assert history[-1]["why"] == reason and history[-1]["who"].startswith("education_department:")
    # deciding twice is refused
    assert api.decide_benefit(operator, application["id"], pki_people["operator"])[0] == 409


def test_parents_cannot_use_the_operator_api(filing: Filing, api):
    application = claim(filing)
    assert filing.call("GET", "/operator/benefit-checks")[0] == 403
    assert (
        filing.call("POST", f"/operator/benefit-checks/{application['id']}/approve", {"signed_xml": "<x/>"})[0] == 403
    )
    document = f"/operator/benefit-checks/{application['id']}/decision-document"
    assert filing.call("POST", document, {"approve": True})[0] == 403
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
    status, _ = api.decide_benefit(operator, application["id"], pki_people["operator"])
    assert status == 200
    # then the notice is issued again with the benefit number; the first one is superseded by it
    old, new = notices(application["id"])
    assert old.document_id == first.document_id and old.superseded_by == new.document_id
    assert new.reissued_for == "application.benefit_approved"
    lines = text(new).splitlines()
    assert "1" in lines and "тексеруде" not in text(new)
    told = [m for m in OutboxNotifier().messages_for("aigul@mail.kz") if "подтверждена" in m.body_text]
    assert told and "Номер очереди по льготной категории: 1." in told[0].body_text


def test_a_signed_decision_is_kept_as_the_legal_record(filing: Filing, api, pki_people):
    from lxml import etree

    from chalicelib import wiring

    application = claim(filing)
    operator = api.sign_in(pki_people["operator"], audience="operator")["token"]
    path = f"/operator/benefit-checks/{application['id']}"
    status, body = api.call(
        "POST", f"{path}/decision-document", {"approve": False, "reason": " Анықтама жоқ "}, operator
    )
    assert status == 200, body
    # the statement carries the server's facts, the decision and the reason as the operator wrote it
    root = etree.fromstring(body["xml"].encode())
    assert root.tag == "benefitDecision"
    assert root.find("application").get("id") == application["id"]
    assert root.find("child").get("iin") == application["child"]["iin"]
    assert root.find("applicant").get("iin") == pki_people["parent"].person.iin
    assert root.find("benefit").get("code") == "large_family"
    assert root.find("operator").get("iin") == pki_people["operator"].person.iin
    assert root.find("operator/fullName").text
    assert root.find("decision").get("value") == "refuse" and root.find("decision/reason").text == "Анықтама жоқ"
    signed = api.sign(body["xml"], pki_people["operator"].sign).decode()
    status, decided = api.call("POST", f"{path}/refuse", {"signed_xml": signed}, operator)
    assert status == 200, decided
    [record] = [r for r in wiring.applications().history(application["id"]) if r.event == "application.benefit_refused"]
    assert record.why == "Анықтама жоқ"
    assert wiring.objects().get(record.details["signed_xml_key"]) == signed.encode()
    assert record.details["certificate_serial"]


def test_a_planted_difference_is_refused_naming_it_and_changes_nothing(filing: Filing, api, pki_ca, pki_people):
    from lxml import etree

    from chalicelib import wiring
    from tests.integration.reports.test_reports import SERVICE_CENTRE

    application = claim(filing)
    operator = api.sign_in(pki_people["operator"], audience="operator")["token"]
    path = f"/operator/benefit-checks/{application['id']}"
    approve_xml = api.call("POST", f"{path}/decision-document", {"approve": True}, operator)[1]["xml"]
    refuse_xml = api.call("POST", f"{path}/decision-document", {"approve": False, "reason": "Жоқ"}, operator)[1]["xml"]

    def planted(xml: str, where: str, attribute: str, value: str) -> str:
        root = etree.fromstring(xml.encode())
        root.find(where).set(attribute, value)
        return etree.tostring(root, encoding="unicode")

    def unchanged() -> None:
        view = filing.call("GET", f"/applications/{application['id']}")[1]
        assert view["benefit_status"] == "pending" and view["benefit_queue_number"] is None
        events = [r.event for r in wiring.applications().history(application["id"])]
        assert not {"application.benefit_approved", "application.benefit_refused"} & set(events)
        objects = wiring.objects()
        listed = objects.client.list_objects_v2(Bucket=objects.bucket, Prefix="signed/benefit-decisions/")
        assert not listed.get("Contents")

    cases = [
        # another child
        ("approve", planted(approve_xml, "child", "iin", "230101500009"), pki_people["operator"], "child/@iin"),
        # another benefit category
        ("approve", planted(approve_xml, "benefit", "code", "orphans"), pki_people["operator"], "benefit/@code"),
        # approval signed, refusal sent (and the other way round)
        ("refuse", approve_xml, pki_people["operator"], "decision/@value"),
        ("approve", refuse_xml, pki_people["operator"], "decision/@value"),
        # another application's statement
        ("approve", planted(approve_xml, "application", "id", "УО.000"), pki_people["operator"], "application/@id"),
    ]
    for action, xml, signer, field in cases:
        signed = api.sign(xml, signer.sign).decode()
        status, body = api.call("POST", f"{path}/{action}", {"signed_xml": signed}, operator)
        assert status == 422, (field, body)
        assert body["error"]["code"] == "operator.decision_mismatch" and body["error"]["details"]["field"] == field
        assert all(field in words for words in body["error"]["messages"].values())
        unchanged()
    # another operator's signature and the parent's signature: not the signed-in operator
    for signer in (pki_ca.issue_person(SERVICE_CENTRE), pki_people["parent"]):
        signed = api.sign(approve_xml, signer.sign).decode()
        status, body = api.call("POST", f"{path}/approve", {"signed_xml": signed}, operator)
        assert status in (403, 422) and body["error"]["code"].startswith("eds."), body
        unchanged()
    # the operator's sign-in key does not sign a decision
    signed = api.sign(approve_xml, pki_people["operator"].auth).decode()
    status, body = api.call("POST", f"{path}/approve", {"signed_xml": signed}, operator)
    assert status in (403, 422) and body["error"]["code"].startswith("eds.purpose"), body
    unchanged()
    # the unchanged statement is accepted
    assert (
        api.call(
            "POST",
            f"{path}/approve",
            {"signed_xml": api.sign(approve_xml, pki_people["operator"].sign).decode()},
            operator,
        )[0]
        == 200
    )
