"""Tables that exist only in the local stack: the notification outbox and the movable clock.

Production never declares them (``infra/build.py`` reads ``all_models()`` only);
the local stack and the tests create them from ``local_only_models()``.
"""

from __future__ import annotations

from pynamodb.attributes import (
    ListAttribute,
    MapAttribute,
    NumberAttribute,
    UnicodeAttribute,
    UTCDateTimeAttribute,
)
from pynamodb.models import Model

from chalicelib.store.base import table_meta


class OutboxAttachment(MapAttribute):
    """A file sent with an e-mail; its bytes are kept in the documents bucket under ``key``."""

    filename = UnicodeAttribute()
    content_type = UnicodeAttribute()
    size = NumberAttribute()
    key = UnicodeAttribute()


class OutboxMessage(Model):
    """One e-mail or SMS the service sent, kept instead of delivering it.

    Keyed by the normalised recipient address and the send time, so that the
    messages of one address are read newest first with a single query.
    """

    Meta = table_meta("local-outbox")

    recipient = UnicodeAttribute(hash_key=True)
    sent_key = UnicodeAttribute(range_key=True)  # "<ISO UTC send time>#<message id>"
    message_id = UnicodeAttribute()
    channel = UnicodeAttribute()  # "email" | "sms"
    sent_at = UTCDateTimeAttribute()
    subject = UnicodeAttribute(null=True)
    body_text = UnicodeAttribute()
    attachments = ListAttribute(of=OutboxAttachment, default=list)


class LocalState(Model):
    """Small shared facts of the local stack (the clock offset), visible to every process."""

    Meta = table_meta("local-state")

    name = UnicodeAttribute(hash_key=True)
    offset_seconds = NumberAttribute(default=0)
    updated_at = UTCDateTimeAttribute(null=True)
