"""Notices in the parent's account: every e-mail and SMS to a parent, kept where they can read it.

``notices`` — one item per message and parent:

- hash ``owner_iin``, range ``key``: the message's job key (``<kind>:<key>`` without the kind), which
  the e-mail and the SMS of one message share — so they make one notice, whichever runs first and
  however often a job is run again;
- the local secondary index ``by-time`` (``owner_iin``, ``entry`` = ``<UTC ISO time>#<key>``) lists
  them newest first with strongly consistent reads;
- one counter item per parent (range ``~unread``, no ``entry``: not in the index) keeps the unread
  count, changed in the same transaction as the notice that adds or reads it, so the header's
  count is one read and never drifts.

The job worker writes notices (``chalicelib/jobs/handlers/messages.py``); the API reads them and
marks them read (``chalicelib/api/notices.py``).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

from pynamodb.attributes import NumberAttribute, UnicodeAttribute, UnicodeSetAttribute, UTCDateTimeAttribute
from pynamodb.exceptions import TransactWriteError
from pynamodb.indexes import AllProjection, LocalSecondaryIndex
from pynamodb.models import Model
from pynamodb.transactions import TransactWrite

from chalicelib.store.base import table_meta
from chalicelib.store.history import connection

UNREAD = "~unread"
PAGE_MAX = 50


class NoticesByTime(LocalSecondaryIndex["Notice"]):
    class Meta:
        index_name = "by-time"
        projection = AllProjection()

    owner_iin = UnicodeAttribute(hash_key=True)
    entry = UnicodeAttribute(range_key=True)


class Notice(Model):
    """One message to a parent as a notice in their account (or, at ``~unread``, their unread count)."""

    Meta = table_meta("notices")

    owner_iin = UnicodeAttribute(hash_key=True)
    key = UnicodeAttribute(range_key=True)
    entry = UnicodeAttribute(null=True)  # "<UTC ISO, Z>#<key>": newest first in by-time (absent on the counter)
    at = UTCDateTimeAttribute(null=True)
    subject = UnicodeAttribute(null=True)
    text = UnicodeAttribute(null=True)
    channels = UnicodeSetAttribute(null=True)  # "email", "sms": how the message was also sent
    read_at = UTCDateTimeAttribute(null=True)
    unread = NumberAttribute(null=True)  # the counter item only

    by_time = NoticesByTime()


@dataclass(frozen=True)
class Page:
    items: list[Notice]
    next: str | None  # the ``entry`` to continue after, or None on the last page
    unread: int


class NoticeStore:
    def add(self, owner_iin: str, key: str, *, at: datetime, subject: str, text: str, channel: str) -> bool:
        """Keep one message as a notice; True when it is new. An e-mail's text replaces an SMS's
        (it is the longer one); an SMS never replaces an e-mail's; each channel is noted once."""
        notice = Notice(
            owner_iin,
            key,
            entry=f"{at.astimezone(UTC).strftime('%Y-%m-%dT%H:%M:%S.%fZ')}#{key}",
            at=at,
            subject=subject or None,
            text=text,
            channels={channel},
        )
        try:
            with TransactWrite(connection=connection()) as transaction:
                transaction.save(notice, condition=Notice.key.does_not_exist())
                transaction.update(Notice(owner_iin, UNREAD), actions=[Notice.unread.add(1)])
            return True
        except TransactWriteError as error:
            codes = {r.code for r in (error.cancellation_reasons or []) if r is not None}
            if "ConditionalCheckFailed" not in codes:
                raise
        actions = [Notice.channels.add({channel})]
        if channel == "email":
            actions += [Notice.text.set(text)] + ([Notice.subject.set(subject)] if subject else [])
        Notice(owner_iin, key).update(actions=actions, condition=Notice.key.exists())
        return False

    def page(self, owner_iin: str, *, limit: int = 20, after: str | None = None) -> Page:
        """The parent's notices, newest first (strongly consistent), and their unread count."""
        limit = max(1, min(limit, PAGE_MAX))
        found = Notice.by_time.query(
            owner_iin,
            Notice.entry < after if after else None,
            scan_index_forward=False,
            consistent_read=True,
            limit=limit + 1,
        )
        items = []
        for notice in found:
            items.append(notice)
            if len(items) > limit:
                break
        more = len(items) > limit
        items = items[:limit]
        return Page(items, items[-1].entry if more and items else None, self.unread(owner_iin))

    def unread(self, owner_iin: str) -> int:
        try:
            return max(0, int(Notice.get(owner_iin, UNREAD, consistent_read=True).unread or 0))
        except Notice.DoesNotExist:
            return 0

    def mark_read(self, owner_iin: str, keys: Iterable[str], at: datetime) -> int:
        """Mark the parent's own notices read (others' keys, unknown keys and read ones change nothing).
        Each is one transaction with the counter; returns how many were unread."""
        marked = 0
        for key in dict.fromkeys(keys):
            if key == UNREAD:
                continue
            try:
                with TransactWrite(connection=connection()) as transaction:
                    transaction.update(
                        Notice(owner_iin, key),
                        actions=[Notice.read_at.set(at)],
                        condition=Notice.key.exists() & Notice.read_at.does_not_exist(),
                    )
                    transaction.update(Notice(owner_iin, UNREAD), actions=[Notice.unread.add(-1)])
            except TransactWriteError as error:
                codes = {r.code for r in (error.cancellation_reasons or []) if r is not None}
                if "ConditionalCheckFailed" not in codes:
                    raise
                continue
            marked += 1
        return marked

    def unread_keys(self, owner_iin: str) -> list[str]:
        """Every unread notice of the parent (for «mark all read»): one query of their own notices."""
        return [
            n.key
            for n in Notice.query(owner_iin, filter_condition=Notice.read_at.does_not_exist(), consistent_read=True)
            if n.key != UNREAD
        ]
