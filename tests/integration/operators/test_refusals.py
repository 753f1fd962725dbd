"""An education-department operator refuses an application with a motivated answer signed with their EDS."""

from __future__ import annotations

import subprocess
from typing import Any
from urllib.parse import quote

from lxml import etree

from chalicelib import wiring
from chalicelib.notify.outbox import OutboxNotifier
from chalicelib.store.jobs import Job
from tests.integration.filing import Filing

MOTIVATION = {
    "ground": "false_data",
    "motivation_kk": "Өтініштегі мекенжай халықты тіркеу деректеріне сәйкес келмейді.",
    "motivation_ru": "Адрес в заявлении не совпадает с данными регистрации населения.",
}


def filed(filing: Filing) -> dict[str, Any]:
    status, body = filing.file()
    assert status == 201, body
    return body


def operator_token(api: Any, pki_people: Any) -> str:
    return api.sign_in(pki_people["operator"], audience="operator")["token"]


def draft(api: Any, token: str, application_id: str, body: dict[str, Any] = MOTIVATION) -> tuple[int, Any]:
    return api.call("POST", f"/operator/applications/{application_id}/refusal/draft", body, token)


def pdf_text(record: Any) -> str:
    pdf = wiring.document_service().pdf(record) or b""
    text = subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True).stdout.decode()
    return " ".join(text.split())


def jobs_of(application_id: str) -> list[str]:
    return sorted(job.id for job in Job.scan() if (job.subject or "") == f"application#{application_id}")


def test_a_signed_refusal_takes_the_application_out_and_tells_the_parent_with_the_document(
    filing: Filing, api, pki_people
):
    # given a registered application and an operator of its region
    application = filed(filing)
    token = operator_token(api, pki_people)
    # when the operator drafts the refusal, signs it with their EDS and sends it
    status, drafted = draft(api, token, application["id"])
    assert status == 200, drafted
    root = etree.fromstring(drafted["xml"].encode())
    assert root.find("application").get("id") == application["id"]
    assert root.find("operator").get("iin") == pki_people["operator"].person.iin
    signed = api.sign(drafted["xml"], pki_people["operator"].sign).decode()
    status, refused = api.call(
        "POST", f"/operator/applications/{application['id']}/refusal", {"signed_xml": signed}, token
    )
    # then the application is refused, out of the queue, with the ground and the words in its history
    assert status == 200, refused
    assert refused["status"] == "refused" and refused["queue_number"] is None
    view = filing.call("GET", f"/applications/{application['id']}")[1]
    assert view["status"] == "refused" and view["status_kk"] == "Қызмет көрсетуден бас тартылды"
    last = filing.call("GET", f"/applications/{application['id']}/history")[1]["items"][-1]
    assert last["who"] == f"education_department:{pki_people['operator'].person.iin}"
    assert "Основание: установлена недостоверность" in last["text_ru"]
    assert MOTIVATION["motivation_kk"].rstrip(".") in last["text_kk"]
    # and the consequences were written with the change: the document and both messages
    assert [j.split(":", 1)[0] for j in jobs_of(application["id"]) if "refus" in j] == [
        "document.render",
        "message.email",
        "message.sms",
    ]
    api.run_jobs()
    [document] = [
        d
        for d in wiring.document_service().documents.for_subject(f"application#{application['id']}")
        if d.kind == "refusal"
    ]
    assert document.owner_iin == pki_people["parent"].person.iin
    text = pdf_text(document)
    for words in ("дәлелді жауап", "Мотивированный ответ", MOTIVATION["motivation_ru"][:40], "Теміров"):
        assert words in text, words
    told = [m for m in OutboxNotifier().messages_for("aigul@mail.kz") if "отказало" in m.body_text]
    assert told and MOTIVATION["motivation_ru"] in told[0].body_text
    # and the parent sees the refusal among the application's documents
    kinds = [d["kind"] for d in filing.call("GET", f"/applications/{application['id']}/documents")[1]["items"]]
    assert "refusal" in kinds
    # and the signed statement is kept as the legal record
    record = wiring.applications().history(application["id"])[-1]
    kept = wiring.objects().get(record.details["signed_xml_key"])
    assert kept == signed.encode()
    # a second refusal is refused: the application is no longer in the queue
    assert draft(api, token, application["id"])[0] == 409


def test_a_changed_fact_is_refused_naming_it_and_nothing_changes(filing: Filing, api, pki_people):
    application = filed(filing)
    token = operator_token(api, pki_people)
    status, drafted = draft(api, token, application["id"])
    assert status == 200
    # a planted error: the statement names another child
    root = etree.fromstring(drafted["xml"].encode())
    root.find("child").set("iin", "230101500009")
    signed = api.sign(etree.tostring(root, encoding="unicode"), pki_people["operator"].sign).decode()
    status, body = api.call(
        "POST", f"/operator/applications/{application['id']}/refusal", {"signed_xml": signed}, token
    )
    assert status == 422, body
    assert body["error"]["code"] == "refusal.document_mismatch"
    assert body["error"]["details"]["field"] == "child/@iin"
    assert filing.call("GET", f"/applications/{application['id']}")[1]["status"] == "active"
    assert not [j for j in jobs_of(application["id"]) if "refus" in j]
    # an unknown ground in the signed statement is refused too
    root = etree.fromstring(drafted["xml"].encode())
    root.find("ground").set("code", "because")
    signed = api.sign(etree.tostring(root, encoding="unicode"), pki_people["operator"].sign).decode()
    status, body = api.call(
        "POST", f"/operator/applications/{application['id']}/refusal", {"signed_xml": signed}, token
    )
    assert status == 422 and body["error"]["details"]["field"].startswith("ground")


def test_only_the_operator_who_is_signed_in_signs_and_only_in_their_area(filing: Filing, api, pki_people):
    from chalicelib.domain.principal import Role
    from chalicelib.domain.reference import Bilingual, Operator

    application = filed(filing)
    token = operator_token(api, pki_people)
    status, drafted = draft(api, token, application["id"])
    # the parent's signature on the operator's statement is refused (owner check)
    signed = api.sign(drafted["xml"], pki_people["parent"].sign).decode()
    status, body = api.call(
        "POST", f"/operator/applications/{application['id']}/refusal", {"signed_xml": signed}, token
    )
    assert status in (403, 422) and body["error"]["code"].startswith("eds."), body
    # a parent may not call the operators' routes
    assert filing.call("POST", f"/operator/applications/{application['id']}/refusal/draft", MOTIVATION)[0] == 403
    assert filing.call("GET", f"/operator/applications/{application['id']}")[0] == 403
    # a wrong ground and an empty motivation are named
    status, body = draft(api, token, application["id"], {**MOTIVATION, "ground": "dislike"})
    assert status == 422 and body["error"]["details"]["field"] == "ground"
    status, body = draft(api, token, application["id"], {**MOTIVATION, "motivation_ru": "   "})
    assert status == 422 and body["error"]["details"]["field"] == "motivation_ru"
    # an operator of another region sees nothing of the application
    wiring.reference().upsert(
        Operator(
            iin=pki_people["operator"].person.iin,
            full_name="Теміров Асхат Нұрланұлы",
            role=Role.EDUCATION_DEPARTMENT,
            region="karaganda",
            district=None,
            office=Bilingual("Қарағанды облысының білім басқармасы", "Управление образования Карагандинской области"),
        )
    )
    other = operator_token(api, pki_people)
    assert api.call("GET", f"/operator/applications/{application['id']}", token=other)[0] == 403
    assert draft(api, other, application["id"])[0] == 403
    assert filing.call("GET", f"/applications/{application['id']}")[1]["status"] == "active"


def test_scans_dead_letters_and_kindergartens_are_the_operators_area_only(filing: Filing, api, pki_people):
    from chalicelib.domain.principal import Role
    from chalicelib.domain.reference import Bilingual, Operator
    from chalicelib.jobs.registry import job_for
    from chalicelib.store.jobs import JobStore
    from tests.integration.filing import JPEG

    status, application = filing.file(benefit="large_family", attachments=[filing.upload_scan()])
    assert status == 201
    token = operator_token(api, pki_people)
    # a dead letter of the application: listed to the operators of its region only
    store = JobStore()
    now = wiring.clock().now()
    dead = job_for(
        "message.sms",
        f"application#{application['id']}#test",
        {"text": "x"},
        now=now,
        subject=f"application#{application['id']}",
    )
    store.add(dead)
    store.park(store.get(dead.id), now, "refused by the gateway")
    listed = api.call("GET", "/operator/jobs/dead-letters", token=token)[1]["items"]
    assert [j["id"] for j in listed] == [dead.id]
    [item] = [
        i
        for i in api.call("GET", "/operator/benefit-checks", token=token)[1]["items"]
        if i["application_id"] == application["id"]
    ]
    path = item["documents"][0]["content"]
    response = api.client.http.get(path, headers={"Authorization": f"Bearer {token}", "Accept": "*/*"})
    assert response.status_code == 200 and response.headers["Content-Type"] == "image/jpeg"
    assert response.body == JPEG
    assert api.client.http.get(path, headers={"Accept": "*/*"}).status_code == 401
    assert (
        api.client.http.get(path[:-1] + "7", headers={"Authorization": f"Bearer {token}", "Accept": "*/*"}).status_code
        == 404
    )
    # an operator of another region gets none of it
    wiring.reference().upsert(
        Operator(
            iin=pki_people["operator"].person.iin,
            full_name="Теміров Асхат Нұрланұлы",
            role=Role.EDUCATION_DEPARTMENT,
            region="karaganda",
            district=None,
            office=Bilingual("Қарағанды облысының білім басқармасы", "Управление образования Карагандинской области"),
        )
    )
    other = operator_token(api, pki_people)
    assert api.client.http.get(path, headers={"Authorization": f"Bearer {other}", "Accept": "*/*"}).status_code == 403
    assert api.call("GET", "/operator/benefit-checks", token=other)[1]["items"] == []
    assert api.call("GET", "/operator/jobs/dead-letters", token=other)[1]["items"] == []
    status, _ = api.call("POST", f"/operator/jobs/dead-letters/{quote(dead.id, safe='')}/replay", {}, other)
    assert status == 404 and store.get(dead.id).state == "dead"
    kindergartens = api.call("GET", "/operator/kindergartens", token=other)[1]["items"]
    assert kindergartens and {k["region"] for k in kindergartens} == {"karaganda"}
    assert all(k["groups"] for k in kindergartens)
