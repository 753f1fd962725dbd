"""Filing a signed queue application: numbers, documents, notifications — and every refusal."""

from __future__ import annotations

import boto3

from chalicelib.settings import get_settings
from tests.integration.applications.conftest import CHILD, Filing
from tests.integration.filing import draft_body


def stored_keys(prefix: str) -> list[str]:
    listing = boto3.client("s3").list_objects_v2(Bucket=get_settings().documents_bucket, Prefix=prefix)
    return [o["Key"] for o in listing.get("Contents", [])]


def test_a_parent_files_a_signed_application_and_gets_numbers_and_documents(filing: Filing):
    # when the parent drafts, signs with the SIGN key and sends the application
    status, body = filing.file(run_jobs=False)
    # then it is registered with a registration number and exact queue numbers, at once
    assert status == 201, body
    assert body["registration_number"].startswith("УО.")
    assert body["queue_number"] == 1
    assert body["benefit_queue_number"] is None
    assert body["status"] == "active"
    assert body["status_ru"] == "Принято решение (В очереди)"
    # and its documents are being prepared
    assert body["documents_preparing"] is True
    status, documents = filing.call("GET", f"/applications/{body['id']}/documents")
    assert len(documents["preparing"]) == 4
    # and once the worker has run, there are four documents in Kazakh and Russian
    filing.api.run_jobs()
    status, documents = filing.call("GET", f"/applications/{body['id']}/documents")
    assert documents["preparing"] == []
    assert sorted(d["kind"] for d in documents["items"] if d["source"] == "system") == [
        "accounting_book_entry",
        "child_card",
        "documents_receipt",
        "registration_notice",
    ]
    # and the signed XML as received is kept in S3
    assert len(stored_keys("signed/applications/")) == 1
    # and the journal lists it with the child's data taken from the registry
    status, journal = filing.call("GET", "/applications")
    assert status == 200
    [item] = journal["items"]
    assert item["child"]["iin"] == CHILD
    assert item["child"]["full_name"].startswith("Серікова")


def test_the_documents_tab_links_every_pdf_and_the_qr_verifies_it(filing: Filing):
    _, body = filing.file()
    status, documents = filing.call("GET", f"/applications/{body['id']}/documents")
    assert status == 200
    system = [d for d in documents["items"] if d["source"] == "system"]
    assert len(system) == 4
    assert all(d["url"].startswith("http") for d in system)


def test_a_second_application_for_the_same_child_in_the_region_is_refused(filing: Filing, api, pki_people):
    # given the child is already in the queue (filed by one parent)
    assert filing.file()[0] == 201
    # when the other parent files for the same child
    other = Filing(api, pki_people["second_parent"])
    status, body = other.file()
    # then it is refused, naming the rule, and nothing more is stored
    assert status == 409, body
    assert body["error"]["code"] == "child_already_in_queue"
    assert body["error"]["messages"]["kk"]
    assert len(stored_keys("signed/applications/")) == 1
    # and it is refused when the draft is asked for, before the parent signs anything, at the child's IIN
    status, drafted = other.call("POST", "/applications/draft", draft_body())
    assert status == 409 and drafted["error"]["code"] == "child_already_in_queue"
    assert drafted["error"]["details"]["field"] == "child.iin"


def test_a_stranger_cannot_file_for_a_child_who_is_not_theirs(api, seeded, pki_people):
    stranger = Filing(api, pki_people["other_parent"])
    status, body = stranger.file()
    assert status == 403
    assert body["error"]["code"] == "application.not_parent"


def test_a_signature_by_someone_else_is_refused(filing: Filing, api, pki_people):
    # given a draft of the signed-in parent, signed by another person's SIGN key
    _, drafted = filing.call(
        "POST",
        "/applications/draft",
        __import__("tests.integration.applications.conftest", fromlist=["draft_body"]).draft_body(),
    )
    signed = api.sign(drafted["xml"], pki_people["other_parent"].sign).decode()
    # when sent
    status, body = filing.call("POST", "/applications", {"signed_xml": signed})
    # then refused by the owner check, nothing stored
    assert status == 422
    assert body["error"]["details"]["check"] == "owner"
    assert stored_keys("signed/applications/") == []


def test_the_auth_key_cannot_sign_an_application(filing: Filing, api, pki_people):
    from tests.integration.applications.conftest import draft_body

    _, drafted = filing.call("POST", "/applications/draft", draft_body())
    signed = api.sign(drafted["xml"], pki_people["parent"].auth).decode()
    status, body = filing.call("POST", "/applications", {"signed_xml": signed})
    assert status == 422
    assert body["error"]["details"]["check"] == "purpose"


def test_data_is_taken_from_the_signed_document_not_from_beside_it(filing: Filing, api, pki_people):
    # given a signed application whose content was changed after signing
    from tests.integration.applications.conftest import draft_body

    _, drafted = filing.call("POST", "/applications/draft", draft_body())
    signed = api.sign(drafted["xml"], pki_people["parent"].sign).decode()
    tampered = signed.replace('id="ast-esil-012"', 'id="ast-esil-015"')
    # when sent, then the signature check refuses it
    status, body = filing.call("POST", "/applications", {"signed_xml": tampered})
    assert status == 422
    assert body["error"]["details"]["check"] == "signature"


def test_rules_are_checked_at_draft_time(filing: Filing):
    cases = [
        ({"kindergartens": ["ast-esil-012", "a", "b", "c"]}, "application.too_many_kindergartens"),
        ({"kindergartens": ["ast-alm-001"]}, "application.kindergarten_outside_district"),
        ({"child": {"iin": "220910635005"}}, "iin.checksum"),
        ({"benefit": "large_family"}, "application.benefit_without_documents"),
    ]
    for changes, code in cases:
        status, body = filing.call(
            "POST",
            "/applications/draft",
            __import__("tests.integration.applications.conftest", fromlist=["draft_body"]).draft_body(**changes),
        )
        assert status in (403, 422), (changes, body)
        assert body["error"]["code"] == code, (changes, body)


def test_someone_elses_application_is_not_shown(filing: Filing, api, pki_people):
    _, body = filing.file()
    stranger = Filing(api, pki_people["other_parent"])
    for path in (
        f"/applications/{body['id']}",
        f"/applications/{body['id']}/history",
        f"/applications/{body['id']}/documents",
    ):
        status, refused = stranger.call("GET", path)
        assert status == 403, path
        assert refused["error"]["code"] == "application.not_yours"
    assert stranger.call("POST", f"/applications/{body['id']}/confirm-interest")[0] == 403
    assert stranger.call("GET", "/applications")[1]["items"] == []


def test_the_qr_code_of_each_document_leads_to_its_verification(filing: Filing, api):
    # given the documents of a registered application
    from chalicelib.store.documents import IssuedDocument

    _, body = filing.file()
    [notice] = [
        d for d in IssuedDocument.by_subject.query(f"application#{body['id']}") if d.kind == "registration_notice"
    ]
    # when anyone opens the QR code's link
    response = api.client.http.get(f"/verify/{notice.document_id}?c={notice.check_code}")
    # then the page says the document is genuine and shows its number and SHA-256
    page = response.body.decode()
    assert response.status_code == 200
    assert "Документ действителен" in page and body["registration_number"] in page and notice.sha256 in page
    # and a forged check code is not
    forged = api.client.http.get(f"/verify/{notice.document_id}?c=WRONG")
    assert forged.status_code == 404
    assert "QR-код недействителен" in forged.body.decode()


def test_the_registration_notice_pdf_carries_the_application_in_kazakh_and_russian(filing: Filing):
    # given a registered application
    import shutil
    import subprocess
    from pathlib import Path

    from chalicelib.store.documents import IssuedDocument
    from chalicelib.store.objects import ObjectStore

    _, body = filing.file()
    [notice] = [
        d for d in IssuedDocument.by_subject.query(f"application#{body['id']}") if d.kind == "registration_notice"
    ]
    pdf = ObjectStore().get(notice.key)
    assert pdf is not None and pdf.startswith(b"%PDF")
    artifacts = Path(__file__).resolve().parents[3] / "test-artifacts"
    artifacts.mkdir(exist_ok=True)
    (artifacts / "registration-notice.pdf").write_bytes(pdf)
    if shutil.which("pdftotext") is None:
        return
    # when its text is read back
    text = subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True).stdout.decode()
    # then it shows the registration number, the child and the queue number, in both languages
    assert body["registration_number"] in text
    assert "Серікова" in text
    assert "Кезектің нөмірі" in text and "Номер очереди" in text
    subprocess.run(
        [
            "pdftoppm",
            "-png",
            "-r",
            "70",
            "-singlefile",
            str(artifacts / "registration-notice.pdf"),
            str(artifacts / "registration-notice"),
        ],
        check=True,
    )
