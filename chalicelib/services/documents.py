"""Issuing output documents: render the PDF, keep it in S3, record it for download and QR verification."""

from __future__ import annotations

import hashlib
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
    ) -> IssuedDocument:
        """Render ``kind`` with ``data``, store the PDF, and record it."""
        from chalicelib.documents.render import render_document

        document_id = secrets.token_hex(10)
        check_code = secrets.token_urlsafe(6)
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
        )
        self.documents.save(record)
        self._recent[document_id] = pdf
        while len(self._recent) > RECENT_PDFS:
            self._recent.popitem(last=False)
        return record

    def pdf(self, document: IssuedDocument) -> bytes | None:
        """The document's PDF: from memory when this process just issued it, else from S3."""
        return self._recent.get(document.document_id) or self.objects.get(document.key)

    def download_link(self, document: IssuedDocument) -> str:
        kind = DocumentKind(document.kind)
        return self.objects.presigned_get(document.key, file_name=kind.file_name(document.document_id))

    def verify(self, document_id: str, check_code: str) -> DocumentVerification:
        """The document behind a QR code; a wrong code is indistinguishable from an unknown document."""
        document = self.documents.get(document_id)
        if document is None or not secrets.compare_digest(document.check_code, check_code):
            raise NotFound(
                "document.not_found",
                "Мұндай құжат берілмеген: QR-код жарамсыз.",
                "Такой документ не выдавался: QR-код недействителен.",
            )
        return DocumentVerification(
            document_id=document.document_id,
            kind=DocumentKind(document.kind),
            number=document.number,
            issued_at=document.issued_at,
            sha256=document.sha256,
        )
