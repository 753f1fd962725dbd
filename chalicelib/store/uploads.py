"""Uploads: a record per file a parent sends straight to S3 with a presigned POST."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from pynamodb.attributes import NumberAttribute, TTLAttribute, UnicodeAttribute, UTCDateTimeAttribute
from pynamodb.models import Model

from chalicelib.store.base import condition_failed, table_meta


class Upload(Model):
    """One uploaded file: pending until the server has read and checked its content."""

    Meta = table_meta("uploads")

    upload_id = UnicodeAttribute(hash_key=True)
    owner_iin = UnicodeAttribute()
    purpose = UnicodeAttribute()
    key = UnicodeAttribute()
    file_name = UnicodeAttribute()
    status = UnicodeAttribute()  # pending | accepted | expiring (being removed: unused for too long)
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

    def accept(
        self,
        upload: Upload,
        content_type: str,
        size: int,
        *,
        now: datetime,
        expire_after: timedelta,
        key: str | None = None,
    ) -> None:
        """Checked: kept until ``expire_after`` from now, then removed unless an application or contract uses it.

        The expiry is a job written with the acceptance (``upload.expire``): one transaction.
        """
        from chalicelib.jobs.registry import job_for
        from chalicelib.store.history import commit_writes

        def writes(change: Any) -> None:
            change.update(
                "upload",
                upload,
                [
                    Upload.status.set("accepted"),
                    Upload.key.set(key or upload.key),
                    Upload.content_type.set(content_type),
                    Upload.size.set(size),
                    Upload.ttl.remove(),
                ],
                condition=Upload.status == "pending",
            )
            change.job(
                "expire",
                job_for(
                    "upload.expire",
                    upload.upload_id,
                    {"upload_id": upload.upload_id},
                    now=now,
                    subject=f"upload#{upload.upload_id}",
                    due=now + expire_after,
                ),
            )

        commit_writes(writes)
        upload.refresh(consistent_read=True)

    def mark_expiring(self, upload: Upload) -> bool:
        """Take an accepted upload out of use before it is removed; False if it is not accepted (any more)."""
        try:
            upload.update(actions=[Upload.status.set("expiring")], condition=Upload.status == "accepted")
        except Exception as error:
            if condition_failed(error) or condition_failed(getattr(error, "__cause__", None) or error):
                return False
            raise
        return True

    def keep(self, upload: Upload) -> None:
        """Back in use: something took it while it was being looked at."""
        upload.update(actions=[Upload.status.set("accepted")], condition=Upload.status == "expiring")

    def discard(self, upload: Upload) -> None:
        upload.delete()
