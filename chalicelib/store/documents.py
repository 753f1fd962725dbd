"""Issued documents: every PDF the service generates, with its check code for the QR verification."""

from __future__ import annotations

from pynamodb.attributes import UnicodeAttribute, UTCDateTimeAttribute
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex
from pynamodb.models import Model

from chalicelib.store.base import condition_failed, table_meta


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
    # a document whose facts changed is issued again; the old one stays, marked with its successor
    supersedes = UnicodeAttribute(null=True)  # the document this one replaces
    reissued_for = UnicodeAttribute(null=True)  # the change that made it (a history event code)
    superseded_by = UnicodeAttribute(null=True)
    superseded_at = UTCDateTimeAttribute(null=True)
    by_subject = DocumentsBySubject()


class DocumentRepository:
    def save(self, document: IssuedDocument) -> None:
        document.save(condition=IssuedDocument.document_id.does_not_exist())

    def save_once(self, document: IssuedDocument) -> bool:
        """Record the document unless it is recorded already (False then)."""
        from chalicelib.store.base import condition_failed

        try:
            self.save(document)
        except Exception as error:
            if condition_failed(error):
                return False
            raise
        return True

    def get(self, document_id: str) -> IssuedDocument | None:
        try:
            return IssuedDocument.get(document_id, consistent_read=True)
        except IssuedDocument.DoesNotExist:
            return None

    def for_subject(self, subject: str) -> list[IssuedDocument]:
        return list(IssuedDocument.by_subject.query(subject))

    def mark_superseded(self, old: IssuedDocument, new: IssuedDocument) -> bool:
        """Mark ``old`` as replaced by ``new`` (once: False if something else replaced it first)."""
        from pynamodb.exceptions import UpdateError

        try:
            old.update(
                actions=[
                    IssuedDocument.superseded_by.set(new.document_id),
                    IssuedDocument.superseded_at.set(new.issued_at),
                ],
                condition=IssuedDocument.superseded_by.does_not_exist(),
            )
        except UpdateError as error:
            if condition_failed(error):
                return False
            raise  # AWS failed: the caller (a job) tries again
        return True
