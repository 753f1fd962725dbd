"""Files a parent sends straight to S3: announced, uploaded with a presigned POST, then checked here."""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from chalicelib.clock import Clock
from chalicelib.domain.errors import Conflict, Forbidden, InvalidInput, NotFound
from chalicelib.domain.principal import Principal
from chalicelib.domain.uploads import CheckedUpload, UploadPurpose, check_size, check_type, check_upload
from chalicelib.store.objects import ObjectStore
from chalicelib.store.uploads import Upload, UploadRepository

_SAFE_NAME = re.compile(r"[^\w.\-]+", re.UNICODE)


_EXTENSIONS = {"image/jpeg": ".jpg", "image/png": ".png", "application/pdf": ".pdf"}


def incoming_key(upload_id: str) -> str:
    """Where the browser's presigned POST puts a file (removed once it is checked)."""
    return f"uploads/incoming/{upload_id}"


def checked_key(upload_id: str, content_type: str) -> str:
    """Where the checked bytes are kept: written by the server only."""
    return f"uploads/checked/{upload_id}{_EXTENSIONS.get(content_type, '')}"


def _not_found() -> NotFound:
    return NotFound(
        "upload.not_found",
        "Жүктелген файл табылмады.",
        "Загруженный файл не найден.",
    )


@dataclass(frozen=True)
class UploadService:
    clock: Clock
    uploads: UploadRepository
    objects: ObjectStore
    max_bytes: int
    unattached_days: int = 7

    def start(
        self, principal: Principal, purpose: UploadPurpose, file_name: str, content_type: str, size: int
    ) -> dict[str, Any]:
        """Announce a file; the answer is the presigned form to POST it with."""
        check_type(purpose, content_type)
        check_size(size, self.max_bytes)
        upload_id = secrets.token_hex(16)
        safe = _SAFE_NAME.sub("_", file_name)[-80:] or "file"
        key = incoming_key(upload_id)  # opaque: no IIN, no file name
        self.uploads.create(
            Upload(
                upload_id,
                owner_iin=principal.iin,
                purpose=purpose.value,
                key=key,
                file_name=safe,
                status="pending",
                created_at=self.clock.now(),
            )
        )
        # The form's policy binds the key, the type and the exact size announced.
        exact = max(size, 1)
        form = self.objects.presigned_post(key, content_type=content_type, min_bytes=exact, max_bytes=exact)
        return {"upload_id": upload_id, "url": form["url"], "fields": form["fields"]}

    def complete(self, principal: Principal, upload_id: str) -> CheckedUpload:
        """Read the uploaded bytes and check them; a refused file is removed, nothing is kept."""
        upload = self._own(principal, upload_id)
        if upload.status == "accepted":
            return CheckedUpload(content_type=upload.content_type or "", size=int(upload.size or 0))
        data = self.objects.get(upload.key)
        if data is None:
            raise InvalidInput(
                "upload.not_uploaded",
                "Файл әлі жүктелмеген.",
                "Файл ещё не загружен.",
            )
        try:
            checked = check_upload(UploadPurpose(upload.purpose), data, max_bytes=self.max_bytes)
        except Exception:
            self.objects.delete(upload.key)
            self.uploads.discard(upload)
            raise
        # The checked bytes themselves go to a key no form can write: a second POST to the incoming key
        # after completion replaces nothing that was checked.
        incoming, final = upload.key, checked_key(upload_id, checked.content_type)
        self.objects.put(final, data, content_type=checked.content_type)
        try:
            self.uploads.accept(
                upload,
                checked.content_type,
                checked.size,
                now=self.clock.now(),
                expire_after=timedelta(days=self.unattached_days),
                key=final,
            )
        except Exception:
            self.objects.delete(final)
            raise
        self.objects.delete(incoming)
        return checked

    def accepted(self, principal: Principal, upload_ids: tuple[str, ...], purpose: UploadPurpose) -> list[Upload]:
        """The parent's own, checked uploads for ``purpose``; anything else is refused."""
        result = []
        for upload_id in upload_ids:
            upload = self._own(principal, upload_id)
            if upload.status != "accepted" or upload.purpose != purpose.value:
                raise Conflict(
                    "upload.not_accepted",
                    "Файл тексерілмеген немесе басқа мақсатқа жүктелген.",
                    "Файл не проверен или загружен для другой цели.",
                    details={"upload_id": upload_id},
                )
            result.append(upload)
        return result

    def _own(self, principal: Principal, upload_id: str) -> Upload:
        upload = self.uploads.get(upload_id)
        # DynamoDB removes an expired record some time after its TTL: until then it is gone all the same
        # and one being removed (unused for too long) is gone too
        expired = upload is not None and upload.ttl is not None and upload.ttl <= self.clock.now()
        if upload is None or expired or upload.status == "expiring":
            raise _not_found()
        if upload.owner_iin != principal.iin:
            raise Forbidden(
                "upload.not_yours",
                "Бұл файл сіздікі емес.",
                "Этот файл загружен не вами.",
            )
        return upload
