"""An education-department operator corrects the applicant's contacts with the reason recorded."""

from __future__ import annotations

import subprocess
from urllib.parse import quote

from chalicelib import wiring
from chalicelib.notify.outbox import OutboxNotifier
from chalicelib.store.jobs import Job
from tests.integration.filing import Filing

ADDRESS = {"city": "Астана", "district": "Есіл ауданы", "street": "Сығанақ көшесі", "house": "15", "flat": "7"}
REASON = "Өтініш берушінің өтініші бойынша / По обращению заявителя: телефон указан с ошибкой"


def pdf_text(record) -> str:
    pdf = wiring.document_service().pdf(record) or b""
    out = subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True).stdout.decode()
    return " ".join(out.split())


def test_a_correction_is_recorded_with_its_reason_reissues_the_documents_and_tells_the_parent(
    filing: Filing, api, pki_people
):
    status, application = filing.file()
    assert status == 201, application
    path = f"/operator/applications/{quote(application['id'], safe='')}/correction"
    token = api.sign_in(pki_people["operator"], audience="operator")["token"]
    body = {
        "address": {**ADDRESS, "house": "17"},
        "email": "aigul@mail.kz",
        "phone": "+7 701 765 43 21",
        "reason": REASON,
    }

    # wrong input is named and changes nothing; a parent may not correct
    assert api.call("POST", path, {**body, "phone": "12345"}, token)[1]["error"]["details"]["field"] == "phone"
    same = {"address": ADDRESS, "email": "aigul@mail.kz", "phone": "+77011234567", "reason": REASON}
    status, refused = api.call("POST", path, same, token)
    assert status == 422 and refused["error"]["code"] == "application.nothing_to_correct"
    assert api.call("POST", path, {**body, "reason": ""}, token)[0] == 422
    assert filing.call("POST", path, body)[0] == 403
    assert not [j for j in Job.scan() if "corrected" in j.id]

    # when the operator corrects the house and the phone
    status, corrected = api.call("POST", path, body, token)
    assert status == 200, corrected

    # then the history keeps what was, what is and why, and the parent reads it
    record = wiring.applications().history(application["id"])[-1]
    assert record.event == "application.corrected" and record.why == REASON
    assert record.details["fields"] == ["address", "phone"]
    assert record.details["before"]["phone"] == "+77011234567" and record.details["after"]["phone"] == "+77017654321"
    told = filing.call("GET", f"/applications/{application['id']}/history")[1]["items"][-1]
    assert "мекенжай, ұялы телефон" in told["text_kk"] and "телефон указан с ошибкой" in told["text_ru"]
    # and the jobs were written with it: two documents again, the e-mail and the SMS
    kinds = sorted(j.kind for j in Job.scan() if "corrected" in j.id)
    assert kinds == ["document.render", "document.render", "message.email", "message.sms"]
    api.run_jobs()
    documents = wiring.document_service()
    for kind in ("accounting_book_entry", "child_card"):
        found = [d for d in documents.documents.for_subject(f"application#{application['id']}") if d.kind == kind]
        old = [d for d in found if d.superseded_by]
        new = [d for d in found if not d.superseded_by]
        assert len(old) == 1 and len(new) == 1, kind
        assert new[0].reissued_for == "application.corrected" and old[0].superseded_by == new[0].document_id
        assert "765 43 21" in pdf_text(new[0]) or "7017654321" in pdf_text(new[0]).replace(" ", ""), kind
    messages = [m for m in OutboxNotifier().messages_for("aigul@mail.kz") if "исправило" in m.body_text]
    assert messages and "телефон указан с ошибкой" in messages[0].body_text
    # the application answers with the corrected contacts
    view = filing.call("GET", f"/applications/{application['id']}")[1]
    assert view["status"] == "active"
