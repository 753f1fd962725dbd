"""Uploads: a record per file a parent sends straight to S3 with a presigned POST."""

from __future__ import annotations

from datetime import timedelta

from pynamodb.attributes import NumberAttribute, TTLAttribute, UnicodeAttribute, UTCDateTimeAttribute
from pynamodb.models import Model

from chalicelib.store.base import table_meta


class Upload(Model):
    """One uploaded file: pending until the server has read and checked its content."""

    Meta = table_meta("uploads")

    upload_id = UnicodeAttribute(hash_key=True)
    owner_iin = UnicodeAttribute()
    purpose = UnicodeAttribute()
    key = UnicodeAttribute()
    file_name = UnicodeAttribute()
    status = UnicodeAttribute()  # pending | accepted
    content_type = UnicodeAttribute(null=True)
    size = NumberAttribute(null=True)
    created_at = UTCDateTimeAttribute()
    used_by = UnicodeAttribute(null=True)  # the application or contract that holds it
    ttl = TTLAttribute(null=True)  # garbage collection of pending uploads nobody completed


class UploadRepository:
    def create(self, upload: Upload) -> None:
        upload.ttl = upload.created_at + timedelta(days=2)
        upload.save(condition=Upload.upload_id.does_not_exist())

    def get(self, upload_id: str) -> Upload | None:
        try:
            return Upload.get(upload_id, consistent_read=True)
        except Upload.DoesNotExist:
            return None

    def accept(self, upload: Upload, content_type: str, size: int, *, key: str | None = None) -> None:
        upload.update(
            actions=[
                Upload.status.set("accepted"),
                Upload.key.set(key or upload.key),
                Upload.content_type.set(content_type),
                Upload.size.set(size),
                Upload.ttl.remove(),
            ],
            condition=Upload.status == "pending",
        )

    def discard(self, upload: Upload) -> None:
        upload.delete()

