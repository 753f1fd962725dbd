"""Local delivery: every message is kept in the ``local-outbox`` table instead of being sent.

Attachments go to the documents bucket under ``local-outbox/<message id>/``
(an item of DynamoDB holds at most 400 KB; PDFs do not belong there). A person
running the local stack reads the messages of an address newest first through
``GET /local/outbox?to=…``; tests read them with :meth:`OutboxNotifier.messages_for`.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property
from typing import Any

from chalicelib.clock import Clock
from chalicelib.notify.model import Attachment, normalise_address
from chalicelib.observability import logger
from chalicelib.store.objects import ObjectStore

ATTACHMENT_PREFIX = "local-outbox"


@dataclass(frozen=True)
class KeptAttachment:
    filename: str
    content_type: str
    size: int
    key: str


@dataclass(frozen=True)
class KeptMessage:
    """A message as the outbox kept it."""

    message_id: str
    channel: str  # "email" | "sms"
    to: str
    sent_at: datetime
    subject: str | None
    body_text: str
    attachments: list[KeptAttachment] = field(default_factory=list)


class OutboxNotifier:
    """Keeps every e-mail and SMS in the local outbox table."""

    def __init__(self, clock: Clock | None = None) -> None:
        self._clock = clock

    @property
    def clock(self) -> Clock:
        if self._clock is None:
            from chalicelib.runtime import service_clock

            return service_clock()
        return self._clock

    @cached_property
    def _objects(self) -> ObjectStore:
        return ObjectStore()

    def send_email(
        self,
        to: str,
        subject: str,
        body_text: str,
        *,
        attachments: Sequence[Attachment] = (),
        message_id: str | None = None,
    ) -> str:
        if message_id is not None and self._kept_already(to, message_id):
            return message_id
        message_id = message_id or uuid.uuid4().hex
        kept = [self._keep_attachment(message_id, n, a) for n, a in enumerate(attachments)]
        self._keep(message_id, "email", to, subject, body_text, kept)
        return message_id

    def send_sms(self, to_phone: str, text: str, *, message_id: str | None = None) -> str:
        if message_id is not None and self._kept_already(to_phone, message_id):
            return message_id
        message_id = message_id or uuid.uuid4().hex
        self._keep(message_id, "sms", to_phone, None, text, [])
        return message_id

    def _kept_already(self, address: str, message_id: str) -> bool:
        """Whether a message with this id was kept for the address (a job run again)."""
        return any(m.message_id == message_id for m in self.messages_for(address, limit=100))

    def messages_for(self, address: str, limit: int = 50) -> list[KeptMessage]:
        """The messages sent to ``address`` (e-mail or phone), newest first."""
        from chalicelib.store.local import OutboxMessage

        items = OutboxMessage.query(
            normalise_address(address), scan_index_forward=False, limit=limit, page_size=limit
        )
        return [
            KeptMessage(
                message_id=item.message_id,
                channel=item.channel,
                to=item.recipient,
                sent_at=item.sent_at,
                subject=item.subject,
                body_text=item.body_text,
                attachments=[
                    KeptAttachment(a.filename, a.content_type, int(a.size), a.key)
                    for a in item.attachments or []
                ],
            )
            for item in items
        ]

    def attachment_bytes(self, key: str) -> bytes:
        """The bytes of a kept attachment."""
        content = self._objects.get(key)
        if content is None:
            raise KeyError(key)
        return content

    def attachment_url(self, key: str, expires_seconds: int = 3600) -> str:
        """A link that downloads a kept attachment from the (local) object store."""
        return self._objects.presigned_get(key, expires_in=expires_seconds)

    def _keep_attachment(self, message_id: str, number: int, attachment: Attachment) -> dict[str, Any]:
        key = f"{ATTACHMENT_PREFIX}/{message_id}/{number}-{attachment.filename}"
        self._objects.put(key, attachment.content, content_type=attachment.content_type)
        return {
            "filename": attachment.filename,
            "content_type": attachment.content_type,
            "size": len(attachment.content),
            "key": key,
        }

    def _keep(
        self,
        message_id: str,
        channel: str,
        to: str,
        subject: str | None,
        body_text: str,
        attachments: list[dict[str, Any]],
    ) -> None:
        from chalicelib.store.local import OutboxAttachment, OutboxMessage

        sent_at = self.clock.now()
        OutboxMessage(
            normalise_address(to),
            f"{sent_at.isoformat()}#{message_id}",
            message_id=message_id,
            channel=channel,
            sent_at=sent_at,
            subject=subject,
            body_text=body_text,
            attachments=[OutboxAttachment(**a) for a in attachments],
        ).save()
        logger.info("message kept in the local outbox", extra={"channel": channel, "message_id": message_id})
