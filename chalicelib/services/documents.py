"""Issuing output documents: render the PDF, keep it in S3, record it for download and QR verification."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from chalicelib.documents.kinds import DocumentKind
from chalicelib.domain.errors import NotFound
from chalicelib.store.documents import DocumentRepository, IssuedDocument
from chalicelib.store.objects import ObjectStore


@dataclass(frozen=True)
class DocumentVerification:
    """What anyone holding the paper may learn by scanning its QR code."""

    document_id: str
    kind: DocumentKind
    number: str
    issued_at: datetime
    sha256: str
    # set when the facts changed and the document was issued again: the paper is no longer current
    superseded_at: datetime | None = None
    superseded_by_number: str | None = None
    superseded_by_issued_at: datetime | None = None
    superseded_by_id: str | None = None


RECENT_PDFS = 16  # rendered PDFs kept in memory so that sending them by e-mail does not read S3 again


@dataclass(frozen=True)
class DocumentService:
    documents: DocumentRepository
    objects: ObjectStore
    _recent: OrderedDict[str, bytes] = field(default_factory=OrderedDict, repr=False, compare=False)

    def issue(
        self,
        kind: DocumentKind,
        data: Mapping[str, Any],
        *,
        subject: str,
        owner_iin: str,
        number: str,
        issued_at: datetime,
        supersedes: IssuedDocument | None = None,
        reissued_for: str | None = None,
        document_id: str | None = None,
        check_code: str | None = None,
    ) -> IssuedDocument:
        """Render ``kind`` with ``data``, store the PDF, and record it.

        With ``supersedes``, the new document replaces that one (its facts changed with the change
        ``reissued_for``): the old record stays in the history, marked superseded by this one, and
        its QR verification says so.

        A job passes the ``document_id`` and ``check_code`` it derives from its id: the PDF (the
        same bytes every time: reportlab's invariant mode) goes to the same key, and a document
        already recorded is returned as it is, so running the job again issues nothing twice.
        """
        from chalicelib.documents.render import render_document

        if document_id is not None:
            existing = self.documents.get(document_id)
            if existing is not None:  # a run before recorded it, perhaps without marking the old one
                self._supersede(supersedes, existing)
                return existing
        document_id = document_id or secrets.token_hex(10)
        check_code = check_code or secrets.token_urlsafe(6)
        pdf = render_document(kind, data, document_id=document_id, check_code=check_code, issued_at=issued_at)
        key = f"documents/{subject.replace('#', '/')}/{kind.file_name(document_id)}"
        self.objects.put(key, pdf, content_type="application/pdf")
        record = IssuedDocument(
            document_id,
            check_code=check_code,
            kind=kind.value,
            subject=subject,
            owner_iin=owner_iin,
            key=key,
            sha256=hashlib.sha256(pdf).hexdigest(),
            number=number,
            issued_at=issued_at,
            supersedes=supersedes.document_id if supersedes is not None else None,
            reissued_for=reissued_for,
        )
        if not self.documents.save_once(record):
            existing = self.documents.get(document_id)
            if existing is not None:
                self._supersede(supersedes, existing)
                return existing
        self._supersede(supersedes, record)
        self._recent[document_id] = pdf
        while len(self._recent) > RECENT_PDFS:
            self._recent.popitem(last=False)
        return record

    def _supersede(self, old: IssuedDocument | None, new: IssuedDocument) -> None:
        if old is not None and old.superseded_by != new.document_id:
            self.documents.mark_superseded(old, new)

    def for_job(self, job_id: str) -> tuple[str, str]:
        """The document id and check code of the document a job issues (the same for every run)."""
        from chalicelib.settings import get_settings

        document_id = hashlib.sha256(f"document#{job_id}".encode()).hexdigest()[:20]
        key = get_settings().jwt_secret.get_secret_value().encode()
        code = hmac.new(key, f"check-code#{document_id}".encode(), hashlib.sha256).digest()
        return document_id, base64.urlsafe_b64encode(code).decode()[:8]

    def pdf(self, document: IssuedDocument) -> bytes | None:
        """The document's PDF: from memory when this process just issued it, else from S3."""
        return self._recent.get(document.document_id) or self.objects.get(document.key)

    def download_link(self, document: IssuedDocument, language: str = "kk") -> str:
        """A short-lived link that downloads the PDF under its name in ``language`` with its number."""
        kind = DocumentKind(document.kind)
        return self.objects.presigned_get(
            document.key,
            file_name=kind.download_name(document.number, language),
            ascii_name=kind.file_name(document.document_id),
        )

    def verify(self, document_id: str, check_code: str) -> DocumentVerification:
        """The document behind a QR code; a wrong code is indistinguishable from an unknown document."""
        document = self.documents.get(document_id)
        if document is None or not secrets.compare_digest(document.check_code, check_code):
            raise NotFound(
                "document.not_found",
                "Мұндай құжат берілмеген: QR-код жарамсыз.",
                "Такой документ не выдавался: QR-код недействителен.",
            )
        successor = self.documents.get(document.superseded_by) if document.superseded_by else None
        return DocumentVerification(
            document_id=document.document_id,
            kind=DocumentKind(document.kind),
            number=document.number,
            issued_at=document.issued_at,
            sha256=document.sha256,
            superseded_at=document.superseded_at,
            superseded_by_number=successor.number if successor else None,
            superseded_by_issued_at=successor.issued_at if successor else None,
            superseded_by_id=successor.document_id if successor else None,
        )

    def current(self, subject: str, kind: DocumentKind) -> IssuedDocument | None:
        """The subject's document of ``kind`` in force (the newest not superseded), if any."""
        found = [d for d in self.documents.for_subject(subject) if d.kind == kind.value and d.superseded_by is None]
        return max(found, key=lambda d: d.issued_at) if found else None
