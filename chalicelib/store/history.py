"""History records and the atomic state change that appends them.

Every state change of an application (later: a direction, a contract) is one DynamoDB
transaction that writes the new state *and* appends a :class:`HistoryRecord` (who, when,
from, to, why). The records are

- the "change history" tab (``HistoryRepository.for_subject``: one strongly consistent query),
- the source of the change's consequences, written in its transaction by :meth:`Change.put`:
  a kindergarten's published record (``outbox`` set to its UTC day, the sparse ``by-outbox``
  index, until its ``webhook.event`` job has run) gets that job, and an application's status
  change its ``egov.status`` job (the e-government channel).

:class:`Change` wraps pynamodb's ``TransactWrite`` so that a refused transaction says *which*
labelled write's condition failed, and :func:`commit` retries the transactions DynamoDB
cancels for a conflict with a concurrent transaction (nothing of a cancelled transaction was
applied, so a retry is safe). Conditions are never retried: they are the invariants.
"""

from __future__ import annotations

import random
import time
import uuid
from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any, TypeVar

from pynamodb.attributes import JSONAttribute, UnicodeAttribute, UTCDateTimeAttribute
from pynamodb.connection import Connection
from pynamodb.exceptions import CancellationReason, TransactWriteError, UpdateError
from pynamodb.expressions.condition import Condition
from pynamodb.expressions.update import Action
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex
from pynamodb.models import Model
from pynamodb.transactions import TransactWrite

from chalicelib.settings import get_settings
from chalicelib.store.base import table_meta

SYSTEM = "system"
KINDERGARTEN_SUBJECT = "kindergarten"
APPLICATION_SUBJECT = "application"
CONFLICT_ATTEMPTS = 6

_M = TypeVar("_M", bound=Model)


@lru_cache(maxsize=1)
def connection() -> Connection:
    """The one low-level connection for transactions (created lazily, reused across invocations)."""
    return Connection(region=get_settings().aws_region)


def subject_key(subject_type: str, subject_id: str) -> str:
    """``application#УО.2025.000001.1``: the same subject convention as the issued documents."""
    return f"{subject_type}#{subject_id}"


class HistoryByOutbox(GlobalSecondaryIndex["HistoryRecord"]):
    class Meta:
        index_name = "by-outbox"
        projection = AllProjection()

    outbox = UnicodeAttribute(hash_key=True)
    entry = UnicodeAttribute(range_key=True)


class HistoryRecord(Model):
    """One state change of a subject: who did it, when, from which state to which, and why."""

    Meta = table_meta("history")

    subject = UnicodeAttribute(hash_key=True)  # subject_key(type, id)
    entry = UnicodeAttribute(range_key=True)  # "<UTC time>#<ordinal>": time order, unique per subject
    subject_type = UnicodeAttribute()  # "application" | "direction" | "contract"
    subject_id = UnicodeAttribute()
    at = UTCDateTimeAttribute()
    who = UnicodeAttribute()  # "parent:<IIN>", "operator:<IIN>", "kindergarten:<BIN>", "system"
    event = UnicodeAttribute()  # "application.registered", "application.left", …
    from_state = UnicodeAttribute(null=True)
    to_state = UnicodeAttribute(null=True)
    why = UnicodeAttribute(null=True)
    details = JSONAttribute(null=True)
    outbox = UnicodeAttribute(null=True)  # the UTC day while the event waits for delivery

    by_outbox = HistoryByOutbox()


def history_record(
    *,
    subject_type: str,
    subject_id: str,
    ordinal: int,
    at: datetime,
    who: str,
    event: str,
    from_state: str | None = None,
    to_state: str | None = None,
    why: str | None = None,
    details: dict[str, Any] | None = None,
    publish: bool = True,
) -> HistoryRecord:
    """A record for a change. ``ordinal`` orders changes made at the same instant (the subject's version)."""
    at = at.astimezone(UTC)
    return HistoryRecord(
        subject=subject_key(subject_type, subject_id),
        entry=f"{at.strftime('%Y-%m-%dT%H:%M:%S.%fZ')}#{ordinal:08d}",
        subject_type=subject_type,
        subject_id=subject_id,
        at=at,
        who=who,
        event=event,
        from_state=from_state,
        to_state=to_state,
        why=why,
        details=details,
        outbox=at.date().isoformat() if publish else None,
    )


def event_order_key(record: HistoryRecord) -> str:
    """What a kindergarten's event is ordered within: its contract, its direction, or its vacancies."""
    details = record.details or {}
    family = record.event.split(".", 1)[0]
    if family == "contract" and details.get("number"):
        return f"{record.subject}#contract#{details['number']}"
    if family in ("direction", "private_direction") and details.get("number"):
        return f"{record.subject}#direction#{details['number']}"
    return f"{record.subject}#{family}"


def kindergarten_event_job(record: HistoryRecord) -> Model:
    """The job that turns a kindergarten's event into deliveries to its portal's endpoints."""
    from chalicelib.jobs.registry import job_for

    return job_for(
        "webhook.event",
        f"{record.subject}#{record.entry}",
        {"subject": record.subject, "entry": record.entry},
        now=record.at,
        subject=record.subject,
        order_key=event_order_key(record),
        order_entry=record.entry,
    )


def egov_status_job(record: HistoryRecord) -> Model | None:
    """The e-government status message of an application's change (None: not a status change).

    Ordered per application (``egov#<application>``): the portal gets "accepted" before
    "direction issued". The job's id is the record's subject and entry, the message's id.
    """
    from chalicelib.domain.egov import status_of
    from chalicelib.jobs.registry import job_for

    status = status_of(record.subject_type, record.event, record.to_state)
    if status is None:
        return None
    return job_for(
        "egov.status",
        f"{record.subject}#{record.entry}",
        {"subject": record.subject, "entry": record.entry, "status": status},
        now=record.at,
        subject=record.subject,
        order_key=f"egov#{record.subject}",
        order_entry=record.entry,
    )


class ChangeRefused(Exception):
    """A condition of the transaction failed: ``failed`` maps each refused write's label to its reason."""

    def __init__(self, failed: dict[str, CancellationReason]) -> None:
        super().__init__(f"transaction refused by: {', '.join(sorted(failed))}")
        self.failed = failed

    def old_item(self, label: str) -> dict[str, Any] | None:
        """The item as it was when the labelled write was refused (when asked for with ``return_old``)."""
        reason = self.failed.get(label)
        return reason.raw_item if reason is not None else None


class ChangeConflicted(Exception):
    """DynamoDB cancelled the transaction for a concurrent one on the same items, every attempt."""


class Change:
    """The writes of one atomic state change, each with a label, committed as one TransactWrite."""

    def __init__(self) -> None:
        self._tx = TransactWrite(connection=connection(), client_request_token=uuid.uuid4().hex)
        self._labels: dict[str, list[str]] = {"check": [], "delete": [], "put": [], "update": []}
        self.models: list[Model] = []  # the items it writes (the report counters read their region and district)
        self.records: list[HistoryRecord] = []  # the history records it appends
        self._counted = False

    def _label(self, kind: str, label: str) -> None:
        if label in self.labels():
            raise ValueError(f"label used twice in one change: {label}")
        self._labels[kind].append(label)

    def put(self, label: str, model: Model, condition: Condition | None = None, *, return_old: bool = False) -> None:
        self._label("put", label)
        self._tx.save(model, condition=condition, return_values="ALL_OLD" if return_old else None)
        (self.records if isinstance(model, HistoryRecord) else self.models).append(model)
        if isinstance(model, HistoryRecord) and model.subject_type == KINDERGARTEN_SUBJECT and model.outbox:
            self.job(f"{label}.webhook", kindergarten_event_job(model))
        if isinstance(model, HistoryRecord) and model.subject_type == APPLICATION_SUBJECT:
            egov = egov_status_job(model)
            if egov is not None:
                self.job(f"{label}.egov", egov)

    def job(self, label: str, job: Model) -> None:
        """A consequence of this change (``chalicelib.jobs.registry``): written with it, or not at all."""
        self._label("put", label)
        self._tx.save(job, condition=type(job).get_attributes()["id"].does_not_exist())

    def update(
        self,
        label: str,
        model: Model,
        actions: list[Action],
        condition: Condition | None = None,
        *,
        add_version_condition: bool = True,
    ) -> None:
        self._label("update", label)
        self._tx.update(model, actions, condition=condition, add_version_condition=add_version_condition)
        self.models.append(model)

    def delete(self, label: str, model: Model, condition: Condition | None = None) -> None:
        self._label("delete", label)
        self._tx.delete(model, condition=condition)

    def check(
        self, label: str, model_cls: type[Model], hash_key: Any, condition: Condition, range_key: Any = None
    ) -> None:
        self._label("check", label)
        self._tx.condition_check(model_cls, hash_key, range_key=range_key, condition=condition)

    def record(self, record: HistoryRecord) -> None:
        """Append the history record (refused if the same entry exists: a change is recorded once)."""
        self.put("history", record, HistoryRecord.subject.does_not_exist())

    def labels(self) -> list[str]:
        """Labels in the order DynamoDB sees the writes (pynamodb sends checks, deletes, puts, updates)."""
        return [label for kind in ("check", "delete", "put", "update") for label in self._labels[kind]]

    def commit_once(self) -> None:
        """Send the transaction once; raises ChangeRefused, or TransactWriteError for a conflict.

        The report counters of the change's history records are added to the same transaction
        first (``chalicelib/store/counters.py``): a change is counted exactly when it commits.
        """
        from chalicelib.store.counters import count_change

        if not self._counted:
            self._counted = True
            count_change(self)
        try:
            with self._tx:
                pass
        except TransactWriteError as error:
            reasons = error.cancellation_reasons or []
            failed = {
                label: reason
                for label, reason in zip(self.labels(), reasons, strict=False)
                if reason is not None and reason.code == "ConditionalCheckFailed"
            }
            if failed:
                raise ChangeRefused(failed) from error
            raise


def _is_conflict(error: TransactWriteError) -> bool:
    codes = {reason.code for reason in (error.cancellation_reasons or []) if reason is not None}
    return "TransactionConflict" in codes or error.cause_response_code in {
        "TransactionConflictException",
        "TransactionInProgressException",
    }


def commit(build: Callable[[], Change], attempts: int = CONFLICT_ATTEMPTS) -> Change:
    """Build and commit a change, rebuilding it after a transaction conflict (never after a refusal)."""
    for attempt in range(attempts):
        change = build()
        try:
            change.commit_once()
            return change
        except TransactWriteError as error:
            if not _is_conflict(error) or attempt == attempts - 1:
                if _is_conflict(error):
                    raise ChangeConflicted(str(error)) from error
                raise
            time.sleep(random.uniform(0, 0.02 * 2**attempt))
    raise ChangeConflicted("no attempt was made")


def add_jobs(change: Change, label: str, jobs: Iterable[Model]) -> None:
    """Add the consequences ``jobs`` to ``change`` (each labelled by its id: the same job is refused twice)."""
    for job in jobs:
        change.job(f"{label}:{job.id}", job)


def commit_writes(writes: Callable[[Change], None]) -> Change:
    """Commit the change made of ``writes(change)`` (built again after a transaction conflict)."""

    def build() -> Change:
        change = Change()
        writes(change)
        return change

    return commit(build)


class HistoryRepository:
    """Reads of the change history and of the outbox."""

    def for_subject(self, subject_type: str, subject_id: str) -> list[HistoryRecord]:
        """The subject's changes, oldest first (strongly consistent)."""
        return list(HistoryRecord.query(subject_key(subject_type, subject_id), consistent_read=True))

    def pending(self, day: str, limit: int | None = None) -> Iterator[HistoryRecord]:
        """Events of one UTC day (``YYYY-MM-DD``) still waiting for delivery, oldest first."""
        return HistoryRecord.by_outbox.query(day, limit=limit)

    def mark_delivered(self, record: HistoryRecord) -> bool:
        """Take a delivered event out of the outbox; False if someone else already did."""
        try:
            record.update(
                actions=[HistoryRecord.outbox.remove()],
                condition=HistoryRecord.outbox.exists(),
            )
        except UpdateError:
            return False
        return True
