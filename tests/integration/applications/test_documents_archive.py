"""«Download all documents»: one ZIP of the documents in force and the parent's attachments."""

from __future__ import annotations

import io
import zipfile
from typing import Any
from urllib.parse import unquote

from tests.integration.filing import Filing


def test_all_documents_come_as_one_zip_named_in_the_parents_language(api: Any, filing: Filing, pki_people) -> None:
    # given an application with a benefit claim and its scan (four documents and an attachment)
    status, application = filing.file(benefit="large_family", attachments=[filing.upload_scan()])
    assert status == 201, application
    path = f"/applications/{application['id']}/documents.zip"

    # when the parent asks for all documents in Russian
    response = api.client.http.get(
        f"{path}?lang=ru", headers={"Authorization": f"Bearer {filing.token}", "Accept": "application/zip"}
    )

    # then one ZIP holds each document in force under its Russian name with the number, and the scan
    assert response.status_code == 200, response.body
    assert response.headers["Content-Type"] == "application/zip"
    assert "Документы" in unquote(response.headers["Content-Disposition"])
    names = zipfile.ZipFile(io.BytesIO(response.body)).namelist()
    number = application["id"]
    assert f"Уведомление о регистрации № {number}.pdf" in names
    assert f"Карточка ребенка № {number}.pdf" in names
    archive = zipfile.ZipFile(io.BytesIO(response.body))
    assert len([n for n in names if n.endswith(".pdf")]) == 4 and len(names) == 5  # and the scan
    assert all(archive.read(n).startswith(b"%PDF") for n in names if n.endswith(".pdf"))
    assert any(archive.read(n).startswith(b"\xff\xd8") for n in names if not n.endswith(".pdf"))

    # and another parent gets nothing
    other = api.parent_token(pki_people["other_parent"])
    refused = api.client.http.get(path, headers={"Authorization": f"Bearer {other}", "Accept": "application/zip"})
    assert refused.status_code == 403
