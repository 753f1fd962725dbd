"""A direction's document follows its facts; the change history tells every change in both languages.

- An extension issues the direction's PDF again with the new last valid day; the old PDF stays
  in the documents, marked superseded, and its QR verification names the one that replaced it.
- The application's history lists the direction's issue and extension with who, when and one
  sentence in Kazakh and Russian (no «Жүйе | — | — | —» rows).
"""

from __future__ import annotations

import json
import subprocess
from datetime import timedelta
from typing import Any

from chalicelib import wiring
from chalicelib.documents.kinds import DocumentKind
from chalicelib.store.directions import DirectionRepository
from chalicelib.store.documents import IssuedDocument
from tests.integration.directions.conftest import PARENT_EMAIL, Portal, messages
from tests.integration.filing import Filing


def pdf_text(pdf: bytes) -> str:
    return subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True).stdout.decode()


def _direction_documents(application_id: str) -> list[IssuedDocument]:
    found = wiring.document_service().documents.for_subject(f"application#{application_id}")
    return sorted((d for d in found if d.kind == "direction"), key=lambda d: (d.issued_at, d.superseded_by is None))


def _verify(api: Any, record: IssuedDocument) -> dict[str, Any]:
    response = api.client.http.get(
        f"/verify/{record.document_id}?c={record.check_code}", headers={"Accept": "application/json"}
    )
    assert response.status_code == 200, response.body
    return json.loads(response.body)


def test_an_extension_issues_the_direction_again_and_the_old_one_names_its_successor(
    api: Any, clock: Any, filing: Filing, portal: Portal
) -> None:
    # given a direction issued 15.01.2026, valid to 22.01.2026
    status, application = filing.file()
    assert status == 201, application
    [number] = portal.publish("2022-kk")["allocation"]["issued"]
    [first] = _direction_documents(application["id"])
    assert "22.01.2026" in pdf_text(wiring.document_service().pdf(first) or b"")

    # when the parent extends it by 10 days, an hour later
    clock.advance(timedelta(hours=1))
    status, extended = filing.call("POST", f"/directions/{number}/extend", {"days": 10})
    assert status == 200, extended

    # then a new PDF states the new last day, and the e-mail carries it
    old, new = _direction_documents(application["id"])
    assert old.document_id == first.document_id
    text = pdf_text(wiring.document_service().pdf(new) or b"")
    assert "01.02.2026" in text and "22.01.2026" not in text
    assert new.supersedes == old.document_id and new.reissued_for == "direction.extended"
    assert DirectionRepository().find(number).document_id == new.document_id
    [mail] = [m for m in messages(PARENT_EMAIL) if "01.02.2026" in m.body_text]
    assert [a.filename for a in mail.attachments] == [DocumentKind.DIRECTION.file_name(new.document_id)]

    # and the old one is kept, marked superseded; its QR verification names the new one
    said = _verify(api, old)
    assert said["valid"] is True and said["current"] is False
    assert said["superseded_by"] == {
        "document_id": new.document_id,
        "number": number,
        "issued_at": new.issued_at.isoformat(),
    }
    page = api.client.http.get(f"/verify/{old.document_id}?c={old.check_code}").body.decode()
    assert "Документ заменён" in page and new.document_id in page
    assert _verify(api, new)["current"] is True

    # and the documents tab shows both, the old one as superseded
    status, documents = filing.call("GET", f"/applications/{application['id']}/documents")
    directions = [d for d in documents["items"] if d["kind"] == "direction"]
    assert [d["superseded"] for d in directions] == [True, False]
    assert all(d["number"] == number for d in directions)

    # and the history tells the issue and the extension, each in one sentence in both languages
    status, history = filing.call("GET", f"/applications/{application['id']}/history")
    assert status == 200, history
    rows = {row["event"]: row for row in history["items"]}
    issued, extension = rows["application.direction_issued"], rows["direction.extended"]
    assert f"№ {number}" in issued["text_kk"] and f"№ {number}" in issued["text_ru"]
    assert "Балдырған" in issued["text_kk"] and "Балдырган" in issued["text_ru"]
    assert "01.02.2026" in extension["text_kk"] and "01.02.2026" in extension["text_ru"]
    assert extension["who_kk"] == "Өтініш беруші" and extension["who_ru"] == "Заявитель"
    assert "direction.issued" not in rows  # the same change, told once
    assert all(row["text_kk"] and row["text_ru"] for row in history["items"])
    assert [row["at"] for row in history["items"]] == sorted(row["at"] for row in history["items"])
