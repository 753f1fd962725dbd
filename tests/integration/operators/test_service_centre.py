"""A service-centre operator files an application for a parent who came to the desk in person."""

from __future__ import annotations

import subprocess
from typing import Any

import pytest
from lxml import etree

from chalicelib import wiring
from chalicelib.domain.principal import Role
from chalicelib.domain.reference import Bilingual, Operator
from chalicelib.store.counters import ReportCounter
from chalicelib.store.jobs import Job
from infra.local.testca import NCA_EMPLOYEE, DemoPerson
from tests.integration.filing import CHILD, Filing

DESK = DemoPerson(
    "service_centre",
    "930909450177",  # the demo registry's service-centre operator of Есіл district, Astana
    "МҰХАМЕДЖАНОВА",
    "ӘСЕЛ",
    "ҒАБИТҚЫЗЫ",
    organisation="Астана қаласы Есіл ауданының ХҚКО",
    bin="050340004567",
    role=NCA_EMPLOYEE,
)
PARENT_IIN = "900512401234"  # Ахметова Айгүл, mother of CHILD in the population fixture

pytestmark = pytest.mark.usefixtures("seeded")


def desk_body(consent: str = "paper", **changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "parent_iin": PARENT_IIN,
        "consent": consent,
        "applicant": {
            "address": {"city": "Астана", "district": "Есіл ауданы", "street": "Сығанақ көшесі", "house": "15"},
            "email": "aigul@mail.kz",
            "phone": "+77011234567",
        },
        "child": {"iin": CHILD},
        "region": "astana",
        "district": "esil",
        "kindergartens": ["ast-esil-012"],
        "language": "kk",
    }
    body.update(changes)
    return body


@pytest.fixture
def desk(api: Any, pki_ca: Any) -> tuple[Any, str]:
    credentials = pki_ca.issue_person(DESK)
    return credentials, api.sign_in(credentials, audience="operator")["token"]


def page_count(pdf: bytes) -> int:
    info = subprocess.run(["pdfinfo", "-"], input=pdf, capture_output=True, check=True).stdout.decode()
    return int(next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")))


def file_at_desk(api: Any, token: str, signer: Any, body: dict[str, Any]) -> tuple[int, Any]:
    status, drafted = api.call("POST", "/operator/service-centre/applications/draft", body, token)
    assert status == 200, drafted
    signed = api.sign(drafted["xml"], signer.sign).decode()
    return api.call("POST", "/operator/service-centre/applications", {"signed_xml": signed}, token)


def test_paper_consent_files_for_the_parent_with_the_same_documents_and_one_pdf_pack(
    api: Any, desk: Any, pki_people: Any
) -> None:
    operator, token = desk
    # the desk reads the parent and the children from the population registry
    status, person = api.call("GET", f"/operator/service-centre/people/{PARENT_IIN}", token=token)
    assert status == 200, person
    assert person["applicant"]["iin"] == PARENT_IIN and person["applicant"]["surname"] == "Ахметова"
    assert CHILD in [c["iin"] for c in person["children"]]
    # the operator signs with their EDS on the parent's paper consent
    status, drafted = api.call("POST", "/operator/service-centre/applications/draft", desk_body(), token)
    assert status == 200 and drafted["signer"] == "operator"
    root = etree.fromstring(drafted["xml"].encode())
    assert root.get("channel") == "service_center"
    assert root.find("applicant").get("iin") == PARENT_IIN
    assert root.find("applicant/surname").text == "Ахметова"  # from the registry, not typed
    assert root.find("serviceCentre").attrib == {
        "region": "astana",
        "district": "esil",
        "operatorIin": DESK.iin,
        "operatorName": "Мұхамеджанова Әсел Ғабитқызы",
        "consent": "paper",
    }
    signed = api.sign(drafted["xml"], operator.sign).decode()
    api.jobs_after_requests = False  # the worker runs below, once the pack has been asked for too early
    status, filed = api.call("POST", "/operator/service-centre/applications", {"signed_xml": signed}, token)
    assert status == 201, filed
    assert filed["channel"] == "service_center" and filed["queue_number"] == 1
    assert filed["service_centre"]["consent"] == "paper" and filed["service_centre"]["operator_iin"] == DESK.iin
    # the consequences are the parent's own: four documents, the e-mail, the SMS and the e-government
    # channel's "accepted", as jobs
    jobs = [j for j in Job.scan() if (j.subject or "") == f"application#{filed['id']}"]
    kinds = ["document.render"] * 4 + ["egov.status", "message.email", "message.sms"]
    assert sorted(j.kind for j in jobs) == kinds
    assert all(j.payload["owner_iin"] == PARENT_IIN for j in jobs if j.kind.startswith("message."))
    # the same signed document sent again is the same application
    again = api.call("POST", "/operator/service-centre/applications", {"signed_xml": signed}, token)
    assert again[0] == 200 and again[1]["id"] == filed["id"]
    # before the documents are rendered the pack is not ready yet
    pack_path = f"/operator/service-centre/applications/{filed['id']}/pack"
    early = api.client.http.get(pack_path, headers={"Authorization": f"Bearer {token}", "Accept": "*/*"})
    assert early.status_code == 409
    api.run_jobs()
    answer = api.client.http.get(pack_path, headers={"Authorization": f"Bearer {token}", "Accept": "*/*"})
    assert answer.status_code == 200 and answer.headers["Content-Type"] == "application/pdf"
    answer.headers["Content-Disposition"].encode("latin-1")  # HTTP headers: the Cyrillic number is encoded
    text = subprocess.run(["pdftotext", "-", "-"], input=answer.body, capture_output=True, check=True).stdout.decode()
    pages = text.count("\f")
    singles = [
        wiring.document_service().pdf(d)
        for d in wiring.document_service().documents.for_subject(f"application#{filed['id']}")
    ]
    expected_pages = sum(page_count(pdf) for pdf in singles if pdf)
    assert len(singles) == 4 and pages == expected_pages == page_count(answer.body) >= 4
    flat = " ".join(text.split())
    assert flat.count(filed["id"]) >= 4 and "Центр обслуживания населения (ЦОН)" in flat
    # the parent signs in with the same IIN and finds it in the journal, with the consent in its history
    parent = Filing(api, pki_people["parent"])
    journal = parent.call("GET", "/applications")[1]["items"]
    assert [a["id"] for a in journal] == [filed["id"]]
    [record] = parent.call("GET", f"/applications/{filed['id']}/history")[1]["items"]
    assert record["who"] == f"service_center:{DESK.iin}"
    assert "оператор ЦОН" in record["text_ru"] and "на бумаге" in record["text_ru"]
    # the service time of the acceptance at the desk (appendix 3, table 2, step 1: 30 minutes)
    [stored] = [r for r in wiring.applications().history(filed["id"]) if r.event == "application.registered"]
    assert stored.details["step"] == "desk.accept" and stored.details["limit"] == "30 min"
    assert stored.details["started_at"] == root.get("preparedAt") and stored.details["overdue"] is False
    assert stored.details["consent"] == "paper" and stored.details["signer_iin"] == DESK.iin
    # the reports' counters: an application by the service-centre channel, a step within its limit
    counted: dict[str, int] = {}
    import boto3

    from chalicelib.settings import get_settings

    dynamodb = boto3.client("dynamodb", region_name=get_settings().aws_region)
    for item in dynamodb.scan(TableName=ReportCounter.Meta.table_name)["Items"]:
        for name, value in item.items():
            if "N" in value and "|" in name:
                counted[name] = counted.get(name, 0) + int(value["N"])
    assert counted.get("registered|service_center", 0) > 0 and counted.get("registered|portal", 0) == 0
    assert counted.get("service|desk.accept|within", 0) > 0
    documents = parent.call("GET", f"/applications/{filed['id']}/documents")[1]
    assert len([d for d in documents["items"] if d["source"] == "system"]) == 4


def test_the_parent_signs_at_the_desk_and_only_the_parent_may(api: Any, desk: Any, pki_people: Any) -> None:
    operator, token = desk
    body = desk_body("parent_eds")
    status, drafted = api.call("POST", "/operator/service-centre/applications/draft", body, token)
    assert status == 200 and drafted["signer"] == "parent"
    # the operator's own signature, or another parent's, is refused and nothing is registered
    for wrong in (operator, pki_people["other_parent"]):
        signed = api.sign(drafted["xml"], wrong.sign).decode()
        status, refused = api.call("POST", "/operator/service-centre/applications", {"signed_xml": signed}, token)
        assert status in (403, 422) and refused["error"]["code"] == "eds.owner.not_the_parent", refused
    assert Parent(api, pki_people).journal() == []
    signed = api.sign(drafted["xml"], pki_people["parent"].sign).decode()
    status, filed = api.call("POST", "/operator/service-centre/applications", {"signed_xml": signed}, token)
    assert status == 201, filed
    assert filed["service_centre"]["consent"] == "parent_eds"
    assert "өз ЭЦҚ-сымен" in filed["service_centre"]["consent_kk"]
    assert [a["id"] for a in Parent(api, pki_people).journal()] == [filed["id"]]


class Parent:
    def __init__(self, api: Any, pki_people: Any) -> None:
        self.filing = Filing(api, pki_people["parent"])

    def journal(self) -> list[dict[str, Any]]:
        return self.filing.call("GET", "/applications")[1]["items"]


def test_who_may_file_on_behalf_and_where(api: Any, desk: Any, pki_people: Any) -> None:
    operator, token = desk
    # a parent and an education-department operator may not use the desk
    parent = Filing(api, pki_people["parent"])
    assert parent.call("POST", "/operator/service-centre/applications/draft", desk_body())[0] == 403
    assert parent.call("GET", f"/operator/service-centre/people/{PARENT_IIN}")[0] == 403
    department = api.sign_in(pki_people["operator"], audience="operator")["token"]
    status, body = api.call("POST", "/operator/service-centre/applications/draft", desk_body(), department)
    assert status == 403 and body["error"]["code"] == "auth.role_not_allowed"
    assert api.call("POST", "/operator/service-centre/applications/draft", desk_body())[0] == 401
    # the desk files only into its own district's queue
    status, body = api.call(
        "POST",
        "/operator/service-centre/applications/draft",
        desk_body(district="nura", kindergartens=["ast-nura-078"]),
        token,
    )
    assert status == 403 and body["error"]["code"] == "service_centre.outside_area"
    # an unknown person, a child who is not the parent's, a benefit at the desk: named refusals
    status, body = api.call("GET", "/operator/service-centre/people/000101500001", token=token)
    assert status in (404, 422)
    status, body = api.call(
        "POST", "/operator/service-centre/applications/draft", desk_body(parent_iin="930220407896"), token
    )
    assert status == 403 and body["error"]["code"] == "application.not_parent"
    status, body = api.call("POST", "/operator/service-centre/applications/draft", desk_body(consent="oral"), token)
    assert status == 422
    # a fact changed after the draft (the operator's name) is named and refused
    status, drafted = api.call("POST", "/operator/service-centre/applications/draft", desk_body(), token)
    tampered = drafted["xml"].replace("Мұхамеджанова Әсел", "Басқа Адам")
    signed = api.sign(tampered, operator.sign).decode()
    status, body = api.call("POST", "/operator/service-centre/applications", {"signed_xml": signed}, token)
    assert status == 422 and body["error"]["details"]["field"] == "serviceCentre/@operatorName"
    # a parent's own application (no desk) is not accepted at the desk, and a desk's not by the parent's route
    parent_draft = parent.call("POST", "/applications/draft", _parent_body())[1]["xml"]
    signed = api.sign(parent_draft, pki_people["parent"].sign).decode()
    status, body = api.call("POST", "/operator/service-centre/applications", {"signed_xml": signed}, token)
    assert status == 422 and body["error"]["code"] == "service_centre.consent"
    status, drafted = api.call("POST", "/operator/service-centre/applications/draft", desk_body("parent_eds"), token)
    signed = api.sign(drafted["xml"], pki_people["parent"].sign).decode()
    status, body = parent.call("POST", "/applications", {"signed_xml": signed})
    assert status == 422 and body["error"]["details"]["field"] == "@channel"
    assert Parent(api, pki_people).journal() == []
    # the desk's application, once filed, is not the pack of another district's service centre
    status, filed = file_at_desk(api, token, operator, desk_body())
    assert status == 201
    wiring.reference().upsert(
        Operator(
            iin=DESK.iin,
            full_name="Мұхамеджанова Әсел Ғабитқызы",
            role=Role.SERVICE_CENTER,
            region="astana",
            district="nura",
            office=Bilingual("Нұра ауданының ХҚКО", "ЦОН района Нура"),
        )
    )
    other = api.sign_in(operator, audience="operator")["token"]
    pack = api.client.http.get(
        f"/operator/service-centre/applications/{filed['id']}/pack",
        headers={"Authorization": f"Bearer {other}", "Accept": "*/*"},
    )
    assert pack.status_code == 403
    status, body = api.call("POST", "/operator/service-centre/applications/draft", desk_body(), other)
    assert status == 403 and body["error"]["code"] == "service_centre.outside_area"


def _parent_body() -> dict[str, Any]:
    from tests.integration.filing import draft_body

    return draft_body()
