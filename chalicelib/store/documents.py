"""Issued documents: every PDF the service generates, with its check code for the QR verification."""

from __future__ import annotations

from pynamodb.attributes import UnicodeAttribute, UTCDateTimeAttribute
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex
from pynamodb.models import Model

from chalicelib.store.base import table_meta


class DocumentsBySubject(GlobalSecondaryIndex["IssuedDocument"]):
    class Meta:
        index_name = "by-subject"
        projection = AllProjection()

    subject = UnicodeAttribute(hash_key=True)  # e.g. "application#<id>"
    issued_at = UTCDateTimeAttribute(range_key=True)


class IssuedDocument(Model):
    """One generated document: where its PDF is, what it is about, and its SHA-256."""

    Meta = table_meta("documents")

    document_id = UnicodeAttribute(hash_key=True)
    check_code = UnicodeAttribute()
    kind = UnicodeAttribute()
    subject = UnicodeAttribute()
    owner_iin = UnicodeAttribute()
    key = UnicodeAttribute()
    sha256 = UnicodeAttribute()
    number = UnicodeAttribute()  # the registration / direction / contract number it carries
    issued_at = UTCDateTimeAttribute()
    source = UnicodeAttribute(default="system")  # system | parent
    by_subject = DocumentsBySubject()


class DocumentRepository:
    def save(self, document: IssuedDocument) -> None:
        document.save(condition=IssuedDocument.document_id.does_not_exist())

    def get(self, document_id: str) -> IssuedDocument | None:
        try:
            return IssuedDocument.get(document_id)
        except IssuedDocument.DoesNotExist:
            return None

    def for_subject(self, subject: str) -> list[IssuedDocument]:
        return list(IssuedDocument.by_subject.query(subject))
