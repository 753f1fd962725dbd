"""Service times as recorded: one item per process step of an application (seed 004, appendix 3).

``service-steps`` — :class:`ServiceStep`, keyed by the subject (``application#<id>``) and
``<step>#<started at UTC>``: the step, its district, start, due instant, end and whether it was
late. One sparse GSI, ``by-open`` (``open_region``; ``open_key`` = ``<district>#<due at
UTC>#<step>#<application>``), holds the steps still open: what is overdue now in a district is
one query for the keys due before now — never a scan, and bounded by what is late.

Every write here joins the :class:`~chalicelib.store.history.Change` of the change that starts
or ends the step: a step is recorded exactly when its change commits. The history record of
that change keeps the finished steps' timings (``details["steps"]``), which the reports count.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from pynamodb.attributes import BooleanAttribute, UnicodeAttribute, UTCDateTimeAttribute
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex
from pynamodb.models import Model

from chalicelib.domain.service_times import Step, timing
from chalicelib.store.base import table_meta, update_actions
from chalicelib.store.history import Change, subject_key

SUBJECT = "application"


def _utc(at: datetime) -> str:
    return at.astimezone(UTC).isoformat()


class ServiceStepsOpen(GlobalSecondaryIndex["ServiceStep"]):
    class Meta:
        index_name = "by-open"
        projection = AllProjection()

    open_region = UnicodeAttribute(hash_key=True)
    open_key = UnicodeAttribute(range_key=True)


class ServiceStep(Model):
    """One step of the regulation for one application: started, due, and (once done) ended."""

    Meta = table_meta("service-steps")

    subject = UnicodeAttribute(hash_key=True)  # "application#<registration number>"
    entry = UnicodeAttribute(range_key=True)  # "<step code>#<started at UTC>"
    step = UnicodeAttribute()
    application_id = UnicodeAttribute()
    # not "region"/"district": the report counters read those of the items a change writes
    step_region = UnicodeAttribute()
    step_district = UnicodeAttribute()
    started_at = UTCDateTimeAttribute()
    due_at = UTCDateTimeAttribute()
    ended_at = UTCDateTimeAttribute(null=True)
    outcome = UnicodeAttribute(null=True)  # "done", or "withdrawn" (the claim went away undecided)
    overdue = BooleanAttribute(null=True)  # ended after its due instant
    open_region = UnicodeAttribute(null=True)  # while open (sparse: by-open)
    open_key = UnicodeAttribute(null=True)  # "<district>#<due at UTC>#<step>#<application>"

    by_open = ServiceStepsOpen()


def entry_of(step: Step, started: datetime) -> str:
    return f"{step.code}#{_utc(started)}"


@dataclass(frozen=True)
class Where:
    """The application a step belongs to, and its area."""

    application_id: str
    region: str
    district: str


def _attributes(step: Step, where: Where, started: datetime) -> dict[str, Any]:
    """What every recorded step says: which step of which application, where, and its times."""
    return {
        "step": step.code,
        "application_id": where.application_id,
        "step_region": where.region,
        "step_district": where.district,
        "started_at": started,
        "due_at": step.due_at(started),
    }


def _key(step: Step, where: Where, started: datetime) -> tuple[str, str]:
    return subject_key(SUBJECT, where.application_id), entry_of(step, started)


def open_step(change: Change, label: str, step: Step, where: Where, started: datetime) -> None:
    """Start ``step`` in ``change``: it is listed as overdue from its due instant until it ends."""
    due = step.due_at(started)
    item = ServiceStep(
        *_key(step, where, started),
        **_attributes(step, where, started),
        open_region=where.region,
        open_key=f"{where.district}#{_utc(due)}#{step.code}#{where.application_id}",
    )
    change.put(label, item, ServiceStep.subject.does_not_exist())


def end_step(
    change: Change,
    label: str,
    step: Step,
    where: Where,
    started: datetime,
    ended: datetime,
    *,
    outcome: str = "done",
    only_if_open: bool = False,
) -> dict[str, Any]:
    """End ``step`` (started at ``started``) in ``change``; its timing for the history record.

    Written whole (an update that sets every attribute), so a step started before steps were
    recorded is ended all the same. ``only_if_open``: refused (``ChangeRefused`` naming
    ``label``) when the step is not open — a step ends once.
    """
    done = timing(step, started, ended)
    values = {
        **_attributes(step, where, started),
        "ended_at": ended,
        "outcome": outcome,
        "overdue": bool(done["overdue"]),
        "open_region": None,
        "open_key": None,
    }
    change.update(
        label,
        ServiceStep(*_key(step, where, started)),
        update_actions(ServiceStep, values),
        ServiceStep.open_key.exists() if only_if_open else None,
        add_version_condition=False,
    )
    return done


def done_step(
    change: Change, label: str, step: Step, where: Where, started: datetime, ended: datetime
) -> dict[str, Any]:
    """Record a step that started and ended within this change's knowledge; its timing."""
    done = timing(step, started, ended)
    item = ServiceStep(
        *_key(step, where, started),
        **_attributes(step, where, started),
        ended_at=ended,
        outcome="done",
        overdue=bool(done["overdue"]),
    )
    change.put(label, item)
    return done


class ServiceStepRepository:
    """Reads of the recorded steps."""

    def overdue(self, region: str, district: str, now: datetime) -> Iterator[ServiceStep]:
        """The district's open steps due before ``now``, the longest late first (one query)."""
        low, high = f"{district}#", f"{district}#{_utc(now)}"
        return ServiceStep.by_open.query(region, ServiceStep.open_key.between(low, high))

    def of_application(self, application_id: str) -> list[ServiceStep]:
        """Every step of one application, open or ended (strongly consistent)."""
        return list(ServiceStep.query(subject_key(SUBJECT, application_id), consistent_read=True))

    def find(self, application_id: str, step: Step, started: datetime) -> ServiceStep | None:
        try:
            return ServiceStep.get(subject_key(SUBJECT, application_id), entry_of(step, started), consistent_read=True)
        except ServiceStep.DoesNotExist:
            return None
