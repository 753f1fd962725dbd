"""Queue applications: the tables, and the repository every queue use case calls.

Tables (``docs/queue.md`` has the reasoning):

- ``applications`` — :class:`Application`, keyed by the registration number; two sparse GSIs:
  ``by-due`` (``due_bucket``, ``due_at``: the pending timer, set only while one is pending) and
  ``by-queue`` (``in_queue``, ``seq``: the active members of a queue in order, for allocation
  and reports), and ``by-benefit-check`` (region, district and claim time of the benefit claims
  waiting for an operator);
- ``child-locks`` — :class:`ChildLock`, one item per child and region while an application is
  active: its conditional put is what makes "one active application per child per region" hold
  when two submissions race;
- ``application-parents`` — :class:`ParentLink`, who may see an application (the applicant and
  every linked parent): the parent's journal is one strongly consistent query.

Every change is one transaction (:class:`chalicelib.store.history.Change`) that writes the
application, the queue index (:mod:`chalicelib.store.queue_index`), the lock and a history
record together, conditioned on the state it starts from — never a read-then-write decision.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from pynamodb.attributes import (
    Attribute,
    BooleanAttribute,
    ListAttribute,
    MapAttribute,
    NumberAttribute,
    UnicodeAttribute,
    UnicodeSetAttribute,
    UTCDateTimeAttribute,
    VersionAttribute,
)
from pynamodb.constants import STRING
from pynamodb.exceptions import UpdateError
from pynamodb.expressions.condition import Condition
from pynamodb.expressions.update import Action
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex
from pynamodb.models import Model

from chalicelib.domain.directions import (
    DirectionStatus,
    already_has_direction,
    on_stop_list,
    on_stop_list_refusal,
)
from chalicelib.domain.queue import (
    ALMATY,
    MAX_PREFERENCES,
    NO_BENEFIT,
    ApplicationStatus,
    BenefitStatus,
    Channel,
    QueueRules,
    QueueScope,
    RegistrationNumber,
    TimerKind,
    application_not_found,
    benefit_not_pending,
    benefit_queue_key,
    bucket_day,
    buckets_between,
    changed_concurrently,
    child_already_in_queue,
    child_of_school_age,
    cohort_of,
    departure_of,
    interest_deadline,
    is_under_school_age,
    next_timer,
    not_in_queue,
    pool_benefit_key,
    pool_key,
    queue_key,
    registration_year,
    settled_day,
    timer_bucket,
    too_many_preferences,
)
from chalicelib.domain.service_times import BENEFIT_DECISION, REGISTRATION_STEPS, STEPS, Step, timing
from chalicelib.settings import get_settings
from chalicelib.store.base import condition_failed, table_meta
from chalicelib.store.history import (
    SYSTEM,
    Change,
    ChangeConflicted,
    ChangeRefused,
    HistoryRecord,
    HistoryRepository,
    add_jobs,
    commit,
    history_record,
)
from chalicelib.store.queue_index import Counter, PoolCount, QueueChunk, QueueHead, QueueIndex, transact_get
from chalicelib.store.service_steps import Where, done_step, end_step, open_step

SUBJECT = "application"
TIMER_SWEEP = "application-timers"
STALE_ATTEMPTS = 5
SERIAL_ATTEMPTS = 12  # submissions racing for the next registration serial: each loser reads again


class DateAttribute(Attribute[date]):
    """A calendar date stored as ``YYYY-MM-DD``."""

    attr_type = STRING

    def serialize(self, value: date) -> str:
        return value.isoformat()

    def deserialize(self, value: str) -> date:
        return date.fromisoformat(value)


class Address(MapAttribute):
    city = UnicodeAttribute(null=True)
    district = UnicodeAttribute(null=True)
    street = UnicodeAttribute(null=True)
    house = UnicodeAttribute(null=True)
    flat = UnicodeAttribute(null=True)


class ApplicantSnapshot(MapAttribute):
    """The applicant as at the application: names from the population register, contacts from the form."""

    iin = UnicodeAttribute()
    surname = UnicodeAttribute()
    given_name = UnicodeAttribute()
    patronymic = UnicodeAttribute(null=True)
    birth_date = DateAttribute(null=True)
    address = Address(null=True)
    email = UnicodeAttribute()
    phone = UnicodeAttribute()
    extra_email = UnicodeAttribute(null=True)
    extra_phone = UnicodeAttribute(null=True)


class ApplicationsByDue(GlobalSecondaryIndex["Application"]):
    class Meta:
        index_name = "by-due"
        projection = AllProjection()

    due_bucket = UnicodeAttribute(hash_key=True)
    due_at = UTCDateTimeAttribute(range_key=True)


class ApplicationsByQueue(GlobalSecondaryIndex["Application"]):
    class Meta:
        index_name = "by-queue"
        projection = AllProjection()

    in_queue = UnicodeAttribute(hash_key=True)
    seq = NumberAttribute(range_key=True)


class ApplicationsByBenefitCheck(GlobalSecondaryIndex["Application"]):
    class Meta:
        index_name = "by-benefit-check"
        projection = AllProjection()

    benefit_check_region = UnicodeAttribute(hash_key=True)
    benefit_check_key = UnicodeAttribute(range_key=True)


class Application(Model):
    """An application to the kindergarten queue (өтініш / заявление)."""

    Meta = table_meta("applications")

    id = UnicodeAttribute(hash_key=True)  # the registration number, "УО.2025.000024.1"

    child_iin = UnicodeAttribute()
    child_surname = UnicodeAttribute()
    child_given_name = UnicodeAttribute()
    child_patronymic = UnicodeAttribute(null=True)
    birth_date = DateAttribute()
    sex = UnicodeAttribute()  # "male" | "female", from the IIN

    region = UnicodeAttribute()
    district = UnicodeAttribute()
    language = UnicodeAttribute()  # "kk" | "ru"
    preferences = ListAttribute(of=UnicodeAttribute, default=list)  # up to three kindergarten ids
    cohort = NumberAttribute(null=True)  # set by create: the birth year
    queue_key = UnicodeAttribute(null=True)  # set by create
    seq = NumberAttribute(null=True)  # set by create: order of registration in the queue
    pool_key = UnicodeAttribute(null=True)  # set by create: the queue of the child's language (its pool)

    benefit_category = UnicodeAttribute(null=True)
    benefit_status = UnicodeAttribute(default=BenefitStatus.NONE.value)
    benefit_reason = UnicodeAttribute(null=True)  # an operator's reason for a refusal
    benefit_document_keys = ListAttribute(of=UnicodeAttribute, default=list)
    benefit_check_region = UnicodeAttribute(null=True)  # while a claim waits for an operator (sparse)
    benefit_check_key = UnicodeAttribute(null=True)  # "<district>#<claimed at>": oldest claims first

    applicant_iin = UnicodeAttribute()
    applicant = ApplicantSnapshot()
    channel = UnicodeAttribute(default=Channel.PORTAL.value)
    egov_number = UnicodeAttribute(null=True)
    service_center_number = UnicodeAttribute(null=True)
    # filed at a service centre's desk: the operator and how the parent consented ("parent_eds" | "paper")
    desk_operator_iin = UnicodeAttribute(null=True)
    desk_consent = UnicodeAttribute(null=True)
    linked_parent_iins = UnicodeSetAttribute(null=True)

    status = UnicodeAttribute(default=ApplicationStatus.ACTIVE.value)
    status_at = UTCDateTimeAttribute(null=True)  # "в очереди с …" / when the status was reached
    status_reason = UnicodeAttribute(null=True)
    registered_at = UTCDateTimeAttribute(null=True)
    last_confirmed_at = UTCDateTimeAttribute(null=True)
    in_queue = UnicodeAttribute(null=True)  # the queue key while active (sparse: by-queue)

    timer_kind = UnicodeAttribute(null=True)  # the pending timer (sparse: by-due)
    timer_days = NumberAttribute(null=True)
    due_at = UTCDateTimeAttribute(null=True)
    due_bucket = UnicodeAttribute(null=True)

    signed_xml_key = UnicodeAttribute(null=True)  # the signed application as received (S3)
    attachment_keys = ListAttribute(of=UnicodeAttribute, default=list)

    live_direction_id = UnicodeAttribute(null=True)  # the number of the direction the child holds now
    stop_list_until = UTCDateTimeAttribute(null=True)  # no direction is offered before this instant
    missed_directions = NumberAttribute(null=True)  # directions that lapsed unused (None: none yet)
    declined_kindergartens = ListAttribute(of=UnicodeAttribute, null=True)  # revoked directions' kindergartens
    family_id = UnicodeAttribute(null=True)  # siblings joined by the parent share it (allocation)
    family_together = BooleanAttribute(null=True)  # True: "together only", else "separately allowed"
    version = VersionAttribute()

    by_due = ApplicationsByDue()
    by_queue = ApplicationsByQueue()
    by_benefit_check = ApplicationsByBenefitCheck()

    @property
    def state(self) -> ApplicationStatus:
        return ApplicationStatus(self.status)

    @property
    def benefit_queue(self) -> str | None:
        """The benefit category's queue while the benefit is approved; None otherwise."""
        if self.benefit_status != BenefitStatus.APPROVED or not self.benefit_category or not self.queue_key:
            return None
        return benefit_queue_key(self.queue_key, self.benefit_category)

    @property
    def pool_benefit_queue(self) -> str | None:
        """The approved benefit category's queue inside the pool; None otherwise (or before pools)."""
        if self.benefit_queue is None or not self.pool_key:
            return None
        return pool_benefit_key(self.queue_key, self.benefit_category, self.language)

    def visible_to(self, iin: str) -> bool:
        return iin == self.applicant_iin or iin in (self.linked_parent_iins or set())


class ChildLock(Model):
    """Held while a child has an active application in a region (``<child IIN>#<region>``)."""

    Meta = table_meta("child-locks")

    key = UnicodeAttribute(hash_key=True)
    application_id = UnicodeAttribute()
    locked_at = UTCDateTimeAttribute()


class Visit(MapAttribute):
    """What a parent saw of an application's position on one day (the chart and «since your last visit»)."""

    at = UTCDateTimeAttribute()
    general = NumberAttribute()
    benefit = NumberAttribute(null=True)
    benefit_status = UnicodeAttribute(null=True)
    ahead = NumberAttribute()  # the pool's children registered earlier, still in the queue
    directed = NumberAttribute()  # cumulative departures from before the child, by reason
    withdrawn = NumberAttribute()
    removed = NumberAttribute()
    priority_behind = NumberAttribute()  # out-of-turn children registered later (served first)


class ParentLink(Model):
    """A parent who sees an application in their journal: the applicant, or a parent who linked it."""

    Meta = table_meta("application-parents")

    parent_iin = UnicodeAttribute(hash_key=True)
    application_id = UnicodeAttribute(range_key=True)
    role = UnicodeAttribute()  # "applicant" | "linked"
    linked_at = UTCDateTimeAttribute()
    visits = ListAttribute(of=Visit, null=True)  # one per day this parent looked at the position, oldest first


QUEUE_MODELS: tuple[type[Model], ...] = (Application, ChildLock, ParentLink, QueueHead, QueueChunk, Counter)


class SignedAlready(Exception):
    """The signed document registered an application before (the same document sent again)."""


def signed_lock_key(digest: str) -> str:
    """The ``child-locks`` item that ties a signed application (its SHA-256) to what it registered."""
    return f"signed#{digest}"


def lock_key(child_iin: str, region: str) -> str:
    return f"{child_iin}#{region}"


def rules_from_settings() -> QueueRules:
    settings = get_settings()
    return QueueRules(
        interest_period_months=settings.interest_period_months,
        reminder_days=tuple(settings.interest_reminder_days),
        school_age_years=settings.school_age_years,
    )


@dataclass(frozen=True)
class QueueNumbers:
    """The two numbers the journal shows: general queue, and within the benefit category.

    ``benefit`` is None unless the benefit is approved (no benefit, a claim under review or a
    refused one): there is then no place in a benefit queue to show, and the pages, documents
    and messages say «—» or «тексеруде / на проверке» instead of a number.
    """

    general: int | None  # None once the application has left the queue
    benefit: int | None


@dataclass(frozen=True)
class PoolSnapshot:
    """The application's place in its pool at one instant (:meth:`ApplicationRepository.pool_snapshot`).

    ``pool`` counts the children of the same district, birth year and language; ``categories``
    the approved benefit categories inside that pool (keyed by category code).
    """

    numbers: QueueNumbers
    pool: PoolCount
    categories: dict[str, PoolCount]


@dataclass(frozen=True)
class Fired:
    """A timer the sweep claimed and carried out."""

    application: Application
    kind: TimerKind
    days_before: int | None
    deadline: datetime | None


@dataclass
class _Edit:
    """What a change does to an existing application: new attribute values, other writes, the record."""

    values: dict[str, Any]
    event: str
    from_state: str | None = None
    to_state: str | None = None
    why: str | None = None
    details: dict[str, Any] | None = None
    writes: Callable[[Change], None] = lambda change: None
    require_active: bool = True
    condition: Condition | None = None  # what else the application must satisfy (besides its version)


def _benefit_state(status: str, category: str | None) -> str:
    return f"{status}:{category or NO_BENEFIT}"


def _benefit_check(app: Application, status: str, now: datetime) -> dict[str, Any]:
    """The sparse keys that list a claim for the operators of its district while it is pending."""
    if status != BenefitStatus.PENDING:
        return {"benefit_check_region": None, "benefit_check_key": None}
    return {
        "benefit_check_region": app.region,
        "benefit_check_key": f"{app.district}#{now.astimezone(UTC).isoformat()}",
    }


def claimed_at(app: Application) -> datetime | None:
    """When the pending claim was made (kept in its benefit-check key)."""
    if not app.benefit_check_key or "#" not in app.benefit_check_key:
        return None
    return datetime.fromisoformat(app.benefit_check_key.split("#", 1)[1])


HAND_OVER = STEPS["desk.hand_over"]


def where_of(app: Application) -> Where:
    return Where(app.id, app.region, app.district)


def _end_claim(change: Change, app: Application, now: datetime, *, outcome: str) -> dict[str, Any] | None:
    """End the pending claim's decision step (seed 004, appendix 3) in ``change``; its timing."""
    started = claimed_at(app)
    if started is None or app.benefit_status != BenefitStatus.PENDING:
        return None
    return end_step(change, "step.claim_ended", BENEFIT_DECISION, where_of(app), started, now, outcome=outcome)


def _decision_timing(app: Application, now: datetime) -> dict[str, Any] | None:
    """The service-time record of the education department's decision (seed 004, appendix 3)."""
    started = claimed_at(app)
    return timing(BENEFIT_DECISION, started, now) if started is not None else None


class ApplicationRepository:
    """Applications and their queue: every method is one atomic change or one bounded read."""

    def __init__(self, rules: QueueRules | None = None, index: QueueIndex | None = None) -> None:
        self.rules = rules or rules_from_settings()
        self.index = index or QueueIndex()
        self.history_store = HistoryRepository()

    # --- joining --------------------------------------------------------------------------------

    def create(
        self,
        application: Application,
        *,
        who: str,
        now: datetime,
        scope: QueueScope | None = None,
        signed_digest: str | None = None,
        consequences: Callable[[Application], Sequence[Model]] | None = None,
        details: dict[str, Any] | None = None,
        steps_done: Sequence[tuple[Step, datetime]] = (),
    ) -> Application:
        """Register a new application and put the child in the queue, atomically.

        The caller fills the child, applicant, region/district, language, preferences, channel,
        benefit claim and document keys; this fills the registration number, cohort, queue key,
        ``seq``, status and timer. A claimed benefit waits for an operator (``pending``) unless
        the caller files it as ``approved`` (an operator who checked the documents at the desk).
        ``signed_digest`` locks the signed document to this application (:class:`SignedAlready`
        if it registered one before); ``consequences`` are the jobs written in the transaction.
        Raises ``child_already_in_queue`` when the child has an active application in the
        region (also when two submissions race), ``child_of_school_age``, ``too_many_preferences``.

        Service times (seed 004, appendix 3) are recorded in the same transaction: ``steps_done``
        (steps that started before, e.g. the desk's acceptance, with their start), the channel's
        steps the system performs as it registers (start = end = now), and the steps it opens:
        the decision on a pending benefit claim, the desk's hand-over of the result.
        """
        app = application
        if len(app.preferences or []) > MAX_PREFERENCES:
            raise too_many_preferences()
        if not is_under_school_age(app.birth_date, now, self.rules):
            raise child_of_school_age()
        app.cohort = cohort_of(app.birth_date)
        app.queue_key = queue_key(app.region, app.district, app.cohort, scope or self.rules.scope)
        if app.benefit_category in (None, "", NO_BENEFIT):
            app.benefit_category, app.benefit_status = None, BenefitStatus.NONE.value
        elif app.benefit_status not in (BenefitStatus.PENDING, BenefitStatus.APPROVED):
            app.benefit_status = BenefitStatus.PENDING.value
        app.status = ApplicationStatus.ACTIVE.value
        app.status_at = app.registered_at = now
        app.last_confirmed_at = None
        app.in_queue = app.queue_key
        app.pool_key = pool_key(app.queue_key, app.language)
        timer_and_check = {
            **self._timer_values(app, now, last_confirmed_at=None),
            **_benefit_check(app, app.benefit_status, now),
        }
        for name, value in timer_and_check.items():
            setattr(app, name, value)
        year = registration_year(now)
        serials = f"registration#{year}"
        app.seq = self.index.next_seq(app.queue_key)  # order only: a gap here is never seen

        def build() -> Change:
            # the registration serial is taken in the transaction itself, on the value read now:
            # a submission that fails leaves no gap, one that loses a race reads again
            taken = self.index.current_value(serials)
            app.id = str(RegistrationNumber(year, taken + 1))
            change = Change()
            self.index.take_value(change, "serial", serials, taken)
            change.put("application", app, Application.id.does_not_exist())
            change.put(
                "lock",
                ChildLock(lock_key(app.child_iin, app.region), application_id=app.id, locked_at=now),
                ChildLock.key.does_not_exist(),
                return_old=True,
            )
            change.put("parent", ParentLink(app.applicant_iin, app.id, role="applicant", linked_at=now))
            if signed_digest is not None:
                change.put(
                    "signed",
                    ChildLock(signed_lock_key(signed_digest), application_id=app.id, locked_at=now),
                    ChildLock.key.does_not_exist(),
                )
            for number, job in enumerate(consequences(app) if consequences else ()):
                change.job(f"job.{number}", job)
            where = where_of(app)
            steps = [done_step(change, f"step.{step.code}", step, where, started, now) for step, started in steps_done]
            for code in REGISTRATION_STEPS.get(app.channel, ()):
                steps.append(done_step(change, f"step.{code}", STEPS[code], where, now, now))
            if app.benefit_status == BenefitStatus.PENDING:
                open_step(change, "step.claim", BENEFIT_DECISION, where, now)
            if app.channel == Channel.SERVICE_CENTER:
                open_step(change, "step.hand_over", HAND_OVER, where, now)
            self.index.join(change, "general", app.queue_key, app.seq)
            self.index.join(change, "pool", app.pool_key, app.seq)
            if app.benefit_queue is not None:
                self.index.join(change, "benefit", app.benefit_queue, app.seq)
            if app.pool_benefit_queue is not None:
                self.index.join(change, "pool-benefit", app.pool_benefit_queue, app.seq)
            change.record(
                self._record(
                    app,
                    1,
                    now,
                    who,
                    "application.registered",
                    None,
                    ApplicationStatus.ACTIVE.value,
                    None,
                    {
                        "queue_key": app.queue_key,
                        "seq": app.seq,
                        "channel": app.channel,
                        **(details or {}),
                        "steps": steps,
                    },
                )
            )
            return change

        for attempt in range(SERIAL_ATTEMPTS):
            try:
                commit(build)
            except ChangeRefused as refused:
                if "signed" in refused.failed:
                    raise SignedAlready(signed_digest or "") from refused
                if "lock" in refused.failed:
                    holder = (refused.old_item("lock") or {}).get("application_id", {}).get("S")
                    raise child_already_in_queue(holder) from refused
                if "serial" in refused.failed and attempt < SERIAL_ATTEMPTS - 1:
                    time.sleep(random.uniform(0, 0.01 * 2 ** min(attempt, 5)))
                    continue  # another submission took that serial first: read it again
                raise
            except ChangeConflicted as conflicted:
                raise changed_concurrently(app.id) from conflicted
            return app
        raise changed_concurrently(app.id)

    # --- reads ----------------------------------------------------------------------------------

    def application_of_signed(self, digest: str) -> str | None:
        """The application a signed document (by the SHA-256 of its bytes) registered, if any."""
        try:
            return str(ChildLock.get(signed_lock_key(digest), consistent_read=True).application_id)
        except ChildLock.DoesNotExist:
            return None

    def signed_document_used(self, digest: str) -> bool:
        """Whether the signed document is registered; True also when that cannot be read now
        (its object must then stay: it may be the evidence of a committed application)."""
        try:
            return self.application_of_signed(digest) is not None
        except Exception:
            return True

    def find(self, application_id: str) -> Application | None:
        try:
            return Application.get(application_id, consistent_read=True)
        except Application.DoesNotExist:
            return None

    def get(self, application_id: str) -> Application:
        """The application (strongly consistent); ``application_not_found`` if there is none."""
        app = self.find(application_id)
        if app is None:
            raise application_not_found(application_id)
        return app

    def queue_place_of(self, child_iin: str, region: str) -> str | None:
        """The application that holds the child's place in the region's queue, if any (one read)."""
        try:
            return ChildLock.get(lock_key(child_iin, region), consistent_read=True).application_id
        except ChildLock.DoesNotExist:
            return None

    def list_for_parent(self, iin: str) -> list[Application]:
        """The parent's journal: applications they filed or linked, newest first."""
        ids = [link.application_id for link in ParentLink.query(iin, consistent_read=True)]
        if not ids:
            return []
        apps = list(Application.batch_get(ids, consistent_read=True))
        return sorted(apps, key=lambda app: app.registered_at or datetime.min.replace(tzinfo=UTC), reverse=True)

    def queue_numbers(self, application: Application) -> QueueNumbers:
        """The exact queue numbers now: one TransactGetItems of the application, head and chunk.

        The application is read again in the same snapshot, so the numbers belong to one instant
        even when ``application`` is stale (it is then read once more with its current state).
        """
        app = application
        for _ in range(STALE_ATTEMPTS):
            if app.state is not ApplicationStatus.ACTIVE:
                return QueueNumbers(None, None)
            general = self.index.reader(app.queue_key, app.seq)
            benefit = self.index.reader(app.benefit_queue, app.seq) if app.benefit_queue else None
            gets = [Application.get_operation_kwargs_from_class(app.id), *general.gets()]
            if benefit is not None:
                gets.extend(benefit.gets())
            items = transact_get(gets)
            if items[0] is None:
                raise application_not_found(app.id)
            current = Application.from_raw_data(items[0])
            if current.version != app.version:
                app = current
                continue
            general_number = general.position(items[1], items[2])
            benefit_number = benefit.position(items[3], items[4]) if benefit is not None else None
            if general_number is None or (benefit is not None and benefit_number is None):
                raise RuntimeError(f"queue index out of step with application {app.id}")
            return QueueNumbers(general_number, benefit_number)
        raise changed_concurrently(application.id)

    def pool_snapshot(self, application: Application, categories: Iterable[str]) -> PoolSnapshot | None:
        """The numbers, the pool and each benefit category of the pool around the child, as one
        TransactGetItems: two items per queue, whatever the queues' lengths. None out of the queue
        (or for an application registered before pools were kept)."""
        app = application
        codes = sorted(set(categories))
        for _ in range(STALE_ATTEMPTS):
            if app.state is not ApplicationStatus.ACTIVE or not app.pool_key:
                return None
            readers = [self.index.reader(app.queue_key, app.seq), self.index.reader(app.pool_key, app.seq)]
            if app.benefit_queue is not None:
                readers.append(self.index.reader(app.benefit_queue, app.seq))
            readers += [self.index.reader(pool_benefit_key(app.queue_key, c, app.language), app.seq) for c in codes]
            gets = [Application.get_operation_kwargs_from_class(app.id)]
            for reader in readers:
                gets.extend(reader.gets())
            items = transact_get(gets)
            if items[0] is None:
                raise application_not_found(app.id)
            current = Application.from_raw_data(items[0])
            if current.version != app.version:
                app = current
                continue
            pairs = [(items[1 + 2 * n], items[2 + 2 * n]) for n in range(len(readers))]
            general = readers[0].position(*pairs[0])
            benefit = readers[2].position(*pairs[2]) if app.benefit_queue is not None else None
            if general is None:
                raise RuntimeError(f"queue index out of step with application {app.id}")
            first = 3 if app.benefit_queue is not None else 2
            return PoolSnapshot(
                numbers=QueueNumbers(general, benefit),
                pool=readers[1].pool(*pairs[1]),
                categories={c: readers[first + n].pool(*pairs[first + n]) for n, c in enumerate(codes)},
            )
        raise changed_concurrently(application.id)

    def visits(self, parent_iin: str, application_id: str) -> list[Visit]:
        """The days this parent looked at the application's position (oldest first)."""
        try:
            link = ParentLink.get(parent_iin, application_id, consistent_read=True)
        except ParentLink.DoesNotExist:
            return []
        return list(link.visits or [])

    def record_visit(self, parent_iin: str, application_id: str, visit: Visit, keep: int) -> None:
        """Keep ``visit`` as this parent's view of today (Almaty day): it replaces an earlier one of the
        same day; at most ``keep`` days are kept. The parent's journal link must exist."""
        day = visit.at.astimezone(ALMATY).date()
        visits = [v for v in self.visits(parent_iin, application_id) if v.at.astimezone(ALMATY).date() != day]
        visits = [*visits, visit][-keep:]
        link = ParentLink(parent_iin, application_id)
        try:
            link.update(
                actions=[ParentLink.visits.set(visits)],
                condition=ParentLink.parent_iin.exists(),
            )
        except UpdateError as error:
            if not condition_failed(error):
                raise

    def queue_size(self, key: str) -> int:
        """Active applications in a queue (general or benefit key): one read, for reports."""
        return self.index.size(key)

    def in_queue_order(self, key: str) -> Iterator[Application]:
        """The active applications of a general queue in registration order (GSI: eventually consistent)."""
        return Application.by_queue.query(key)

    def pending_benefit_checks(self, region: str, district: str | None = None) -> list[Application]:
        """Benefit claims waiting for an operator of the region (or one district), oldest first.

        Read from a sparse index that holds pending claims only (eventually consistent: a claim
        made a moment ago may appear a moment later).
        """
        condition = Application.benefit_check_key.startswith(f"{district}#") if district else None
        return list(Application.by_benefit_check.query(region, condition))

    def overdue_benefit_checks(self, region: str, district: str, started_before: datetime) -> list[Application]:
        """Pending claims of a district made before ``started_before``, oldest first (one query)."""
        low, high = f"{district}#", f"{district}#{started_before.astimezone(UTC).isoformat()}"
        return list(Application.by_benefit_check.query(region, Application.benefit_check_key.between(low, high)))

    def history(self, application_id: str) -> list[HistoryRecord]:
        """The "change history" tab, oldest first."""
        return self.history_store.for_subject(SUBJECT, application_id)

    # --- changes --------------------------------------------------------------------------------

    def leave(
        self,
        application_id: str,
        status: ApplicationStatus,
        *,
        who: str,
        why: str | None,
        now: datetime,
        details: dict[str, Any] | None = None,
        also: Callable[[Change], None] | None = None,
        require: Callable[[Application], None] | None = None,
        condition: Condition | None = None,
    ) -> Application:
        """Take the application out of the queue for good (withdrawn, removed, enrolled, …).

        Everyone behind moves up at once. Raises ``application_not_in_queue`` if it already left.
        ``also`` adds the caller's own conditional writes to the same transaction (a seat taken);
        when one of them is refused, ``ChangeRefused`` names its label and nothing was written.
        ``require`` refuses on the application as read (it raises), and ``condition`` makes the
        transaction check the same on the stored item, so a concurrent change cannot slip in.
        """
        if status is ApplicationStatus.ACTIVE:
            raise ValueError("leaving the queue needs a final status")

        def plan(app: Application) -> _Edit:
            edit = self._leave_edit(app, status, why, now)
            if require is not None:
                require(app)
            edit.details = details
            edit.condition = condition
            if also is not None:
                own = edit.writes

                def writes(change: Change) -> None:
                    own(change)
                    also(change)

                edit.writes = writes
            return edit

        app, _ = self._change(application_id, plan, who, now)
        return app

    def change_benefit(
        self,
        application_id: str,
        category: str | None,
        *,
        who: str,
        now: datetime,
        why: str | None = None,
        document_keys: Iterable[str] = (),
        jobs: Sequence[Model] = (),
    ) -> Application:
        """Claim a (new) benefit category, pending an operator's check; ``None`` drops the benefit.

        The general queue number does not change; an approved benefit's queue is left at once.
        """
        keys = list(document_keys)

        def plan(app: Application) -> _Edit:
            self._require_active(app)
            old, old_pool = app.benefit_queue, app.pool_benefit_queue
            if category in (None, "", NO_BENEFIT):
                new_category, new_status = None, BenefitStatus.NONE.value
            else:
                new_category, new_status = category, BenefitStatus.PENDING.value

            def writes(change: Change) -> None:
                if old is not None:
                    self.index.leave(change, "benefit", old, app.seq)
                if old_pool is not None:
                    self.index.leave(change, "pool-benefit", old_pool, app.seq)
                add_jobs(change, "application", jobs)
                # the decision on the claim it replaces ends undecided; a new claim opens its own
                if claimed_at(app) != now:
                    _end_claim(change, app, now, outcome="withdrawn")
                    if new_status == BenefitStatus.PENDING:
                        open_step(change, "step.claim", BENEFIT_DECISION, where_of(app), now)

            return _Edit(
                values={
                    "benefit_category": new_category,
                    "benefit_status": new_status,
                    "benefit_reason": None,
                    "benefit_document_keys": keys,
                    **_benefit_check(app, new_status, now),
                },
                event="application.benefit_changed",
                from_state=_benefit_state(app.benefit_status, app.benefit_category),
                to_state=_benefit_state(new_status, new_category),
                why=why,
                writes=writes,
            )

        app, _ = self._change(application_id, plan, who, now)
        return app

    def decide_benefit(
        self,
        application_id: str,
        *,
        approve: bool,
        who: str,
        now: datetime,
        why: str | None = None,
        jobs: Sequence[Model] = (),
        details: dict[str, Any] | None = None,
    ) -> Application:
        """An operator's decision on a pending benefit claim; approval puts the child in its queue.

        ``details`` joins the history record (the signed statement's key in S3, the certificate)."""

        def plan(app: Application) -> _Edit:
            self._require_active(app)
            if app.benefit_status != BenefitStatus.PENDING or not app.benefit_category:
                raise benefit_not_pending(app.id)
            status = BenefitStatus.APPROVED if approve else BenefitStatus.REFUSED
            key = benefit_queue_key(app.queue_key, app.benefit_category)

            def writes(change: Change) -> None:
                if approve:
                    self.index.join(change, "benefit", key, app.seq)
                    if app.pool_key:
                        pool = pool_benefit_key(app.queue_key, app.benefit_category, app.language)
                        self.index.join(change, "pool-benefit", pool, app.seq)
                add_jobs(change, "application", jobs)
                _end_claim(change, app, now, outcome="done")

            decided = _decision_timing(app, now)

            return _Edit(
                values={
                    "benefit_status": status.value,
                    "benefit_reason": None if approve else why,
                    **_benefit_check(app, status.value, now),
                },
                event="application.benefit_approved" if approve else "application.benefit_refused",
                from_state=_benefit_state(app.benefit_status, app.benefit_category),
                to_state=_benefit_state(status.value, app.benefit_category),
                why=why,
                details={
                    **(decided or {}),
                    **(details or {}),
                    **({"steps": [decided]} if decided else {}),
                }
                or None,
                writes=writes,
            )

        app, _ = self._change(application_id, plan, who, now)
        return app

    def hand_over(self, application_id: str, *, who: str, now: datetime) -> dict[str, Any] | None:
        """The desk handed the parent the result (appendix 3, table 2, step 15): the step ends.

        Its timing joins the history ("application.handed_over") in the same transaction; None when
        there is nothing to hand over (not filed at a desk) or it was handed over before.
        """
        ended: dict[str, Any] = {}

        def plan(app: Application) -> _Edit | None:
            if app.channel != Channel.SERVICE_CENTER or app.registered_at is None:
                return None
            started = app.registered_at

            def writes(change: Change) -> None:
                ended.update(
                    end_step(change, "step.hand_over", HAND_OVER, where_of(app), started, now, only_if_open=True)
                )

            done = timing(HAND_OVER, started, now)
            return _Edit(
                values={},
                event="application.handed_over",
                details={**done, "steps": [done]},
                writes=writes,
                require_active=False,
            )

        try:
            _, changed = self._change(application_id, plan, who, now)
        except ChangeRefused as refused:
            if "step.hand_over" in refused.failed:
                return None  # handed over before (the step is no longer open)
            raise
        return ended if changed else None

    def correct_contacts(
        self,
        application_id: str,
        *,
        address: dict[str, str],
        email: str,
        phone: str,
        who: str,
        now: datetime,
        why: str,
        consequences: Callable[[Application, int], Sequence[Any]],
    ) -> Application:
        """An operator corrects the applicant's address, e-mail or phone recorded in the application.

        The history keeps what was and what is (``details.before`` / ``after``) and the reason;
        ``consequences(app, version)`` are the jobs written in the same transaction. Raises
        ``application.nothing_to_correct`` when nothing differs.
        """
        from chalicelib.domain.errors import InvalidInput

        def plan(app: Application) -> _Edit:
            self._require_active(app)
            old = app.applicant
            before = {
                "address": {k: getattr(old.address, k) or "" for k in ("city", "district", "street", "house", "flat")}
                if old.address
                else {},
                "email": old.email,
                "phone": old.phone,
            }
            after = {"address": dict(address), "email": email, "phone": phone}
            fields = [name for name in ("address", "email", "phone") if before[name] != after[name]]
            if not fields:
                raise InvalidInput(
                    "application.nothing_to_correct",
                    "Түзетілетін дерек жоқ: барлығы өтініштегідей.",
                    "Нечего исправлять: все данные совпадают с заявлением.",
                    details={"field": "address"},
                )
            snapshot = ApplicantSnapshot(
                iin=old.iin,
                surname=old.surname,
                given_name=old.given_name,
                patronymic=old.patronymic,
                birth_date=old.birth_date,
                address=Address(**{k: (v or None) for k, v in address.items()}),
                email=email,
                phone=phone,
                extra_email=old.extra_email,
                extra_phone=old.extra_phone,
            )
            version = int(app.version or 0) + 1

            def writes(change: Change) -> None:
                for number, job in enumerate(consequences(app, version)):
                    change.job(f"correction-job.{number}", job)

            return _Edit(
                values={"applicant": snapshot},
                event="application.corrected",
                why=why,
                details={
                    "version": version,
                    "fields": fields,
                    "before": {f: before[f] for f in fields},
                    "after": {f: after[f] for f in fields},
                },
                writes=writes,
            )

        app, _ = self._change(application_id, plan, who, now)
        return app

    def confirm_interest(self, application_id: str, *, who: str, now: datetime) -> Application:
        """The parent confirms interest: the next deadline is one period from now; timers move."""

        def plan(app: Application) -> _Edit:
            self._require_active(app)
            deadline = interest_deadline(app.registered_at, now, self.rules)
            return _Edit(
                values={"last_confirmed_at": now, **self._timer_values(app, now, last_confirmed_at=now)},
                event="application.interest_confirmed",
                details={"deadline": deadline.isoformat()},
            )

        app, _ = self._change(application_id, plan, who, now)
        return app

    def link_parent(self, application_id: str, parent_iin: str, *, who: str, now: datetime) -> Application:
        """Show the application in another parent's journal too (their parenthood checked by the caller)."""

        def plan(app: Application) -> _Edit | None:
            if app.visible_to(parent_iin):
                return None
            return _Edit(
                values={"linked_parent_iins": {*(app.linked_parent_iins or set()), parent_iin}},
                event="application.parent_linked",
                details={"parent_iin": parent_iin},
                require_active=False,
                writes=lambda change: change.put(
                    "parent",
                    ParentLink(parent_iin, app.id, role="linked", linked_at=now),
                    ParentLink.parent_iin.does_not_exist(),
                ),
            )

        app, _ = self._change(application_id, plan, who, now)
        return app

    # --- directions -----------------------------------------------------------------------------

    def hold_direction(
        self,
        application_id: str,
        number: str,
        *,
        who: str,
        now: datetime,
        writes: Callable[[Change], None],
        first: Application | None = None,
        details: dict[str, Any] | None = None,
    ) -> Application:
        """The child receives the direction ``number``, in one transaction with the caller's ``writes``.

        Refused, with nothing written, when the application has left the queue
        (``application_not_in_queue``), already holds a live direction
        (``direction.already_holds_one``) or is on the stop-list at ``now``
        (``direction.on_stop_list``): checked on the application as planned and again by the
        transaction's condition, so a concurrent allocation, revocation or sweep cannot slip in
        between. A refused write of the caller's raises ``ChangeRefused`` naming its label.
        """

        def plan(app: Application) -> _Edit:
            self._require_active(app)
            if app.live_direction_id:
                raise already_has_direction(app.live_direction_id)
            if on_stop_list(app.stop_list_until, now):
                raise on_stop_list_refusal(app.stop_list_until)
            return _Edit(
                values={"live_direction_id": number},
                event="application.direction_issued",
                details={"direction": number, **(details or {})},
                writes=writes,
                condition=Application.live_direction_id.does_not_exist()
                & (Application.stop_list_until.does_not_exist() | (Application.stop_list_until <= now)),
            )

        app, _ = self._change(application_id, plan, who, now, first=first)
        return app

    def settle_direction(
        self,
        application_id: str,
        number: str,
        outcome: DirectionStatus,
        *,
        who: str,
        now: datetime,
        writes: Callable[[Change], None],
        stop_list_until: datetime | None = None,
        missed_before_removal: int = 2,
        declined_kindergarten: str | None = None,
    ) -> tuple[Application, bool]:
        """The direction ``number`` the child holds is over, in one transaction with the caller's ``writes``.

        - ``revoked``: the child keeps its place in the queue, without penalty; the direction's
          kindergarten (``declined_kindergarten``) is not offered to the child again;
        - ``expired``: a missed direction: the child is on the stop-list until ``stop_list_until``,
          and the ``missed_before_removal``-th miss removes it from the queue instead
          (``removed``, reason ``directions_missed``);
        - ``enrolled``: the child leaves the queue (``enrolled``); refused
          (``application_not_in_queue``) unless the child is in the queue holding this direction.

        Returns the application and whether it was changed: when it no longer holds the direction
        (it left the queue meanwhile), nothing is written and the caller settles the direction alone.
        """

        def with_writes(edit: _Edit) -> _Edit:
            own = edit.writes

            def both(change: Change) -> None:
                own(change)
                writes(change)

            edit.writes = both
            edit.condition = Application.live_direction_id == number
            return edit

        def plan(app: Application) -> _Edit | None:
            holds = app.live_direction_id == number
            if outcome is DirectionStatus.ENROLLED:
                self._require_active(app)
                if not holds:
                    raise not_in_queue(app.id)
                edit = self._leave_edit(app, ApplicationStatus.ENROLLED, "enrolled", now, releases=False)
                edit.values["live_direction_id"] = None
                edit.details = {"direction": number}
                return with_writes(edit)
            if not holds:
                return None
            if outcome is DirectionStatus.REVOKED or app.state is not ApplicationStatus.ACTIVE:
                declined = list(app.declined_kindergartens or [])
                if declined_kindergarten and declined_kindergarten not in declined:
                    declined.append(declined_kindergarten)
                return with_writes(
                    _Edit(
                        values={"live_direction_id": None, "declined_kindergartens": declined or None},
                        event=f"application.direction_{outcome.value}",
                        details={"direction": number},
                        require_active=False,
                    )
                )
            missed = int(app.missed_directions or 0) + 1
            if missed >= missed_before_removal:
                edit = self._leave_edit(app, ApplicationStatus.REMOVED, "directions_missed", now, releases=False)
                edit.values.update(live_direction_id=None, missed_directions=missed)
                edit.details = {"direction": number, "missed_directions": missed}
                return with_writes(edit)
            return with_writes(
                _Edit(
                    values={"live_direction_id": None, "stop_list_until": stop_list_until, "missed_directions": missed},
                    event="application.direction_missed",
                    why="direction_missed",
                    details={
                        "direction": number,
                        "missed_directions": missed,
                        "stop_list_until": stop_list_until.isoformat() if stop_list_until else None,
                    },
                )
            )

        return self._change(application_id, plan, who, now)

    def miss_direction(
        self,
        application_id: str,
        number: str,
        *,
        who: str,
        now: datetime,
        writes: Callable[[Change], None],
        stop_list_until: datetime,
        missed_before_removal: int,
        ordinal: int,
    ) -> bool:
        """A missed direction that does not remove the child, written without reading the application.

        The expiry sweep's common case: one transaction, with the caller's ``writes``, conditioned
        on the application being in the queue, holding ``number`` and having missed fewer than
        ``missed_before_removal - 1`` directions; it clears the direction, sets the stop-list and
        counts the miss. ``ordinal`` tells the history record apart from the version-numbered
        ones (the version is not known without a read). Returns False, with nothing written, when
        the application is not in that state (the caller settles it with :meth:`settle_direction`);
        a refused write of the caller's raises ``ChangeRefused`` naming its label.
        """
        if missed_before_removal <= 1:
            return False
        app = Application(application_id)
        app.version = 0  # any value: it makes pynamodb count the version up without a condition on it
        record = self._record(
            app,
            ordinal,
            now,
            who,
            "application.direction_missed",
            None,
            None,
            "direction_missed",
            {"direction": number, "stop_list_until": stop_list_until.isoformat()},
        )

        def build() -> Change:
            change = Change()
            change.update(
                "application",
                app,
                [
                    Application.live_direction_id.remove(),
                    Application.stop_list_until.set(stop_list_until),
                    Application.missed_directions.add(1),
                ],
                (Application.status == ApplicationStatus.ACTIVE.value)
                & (Application.live_direction_id == number)
                & (
                    Application.missed_directions.does_not_exist()
                    | (Application.missed_directions < missed_before_removal - 1)
                ),
                add_version_condition=False,
            )
            writes(change)
            change.record(record)
            return change

        try:
            commit(build)
        except ChangeRefused as refused:
            if set(refused.failed) == {"application"}:
                return False
            raise
        return True

    # --- timers ---------------------------------------------------------------------------------

    def due(self, now: datetime, *, since: date | None = None, limit: int | None = None) -> Iterator[Application]:
        """Applications whose timer is due at ``now``, read from the due buckets only.

        Buckets are read from the sweep cursor (or ``since``) to today; a bucket old enough to be
        complete moves the cursor past it once every application in it was handed out, so the
        next sweep starts there. The very first sweep, with no cursor yet, looks back one
        reminder period. Reads only what is due, plus the cursor.
        """
        cursor = self.index.cursor(TIMER_SWEEP)
        fallback = now.astimezone(UTC).date() - timedelta(days=max(self.rules.reminder_days, default=0) + 2)
        start = since or cursor or fallback
        moves_cursor = cursor is None or start <= cursor
        settled = settled_day(now)
        drained: date | None = None  # the cursor moves once, past the settled buckets handed out in full
        handed = 0
        for bucket in buckets_between(start, now.astimezone(UTC).date()):
            day = bucket_day(bucket)
            if drained is not None and day > settled:
                self.index.advance_cursor(TIMER_SWEEP, drained)
                drained = None
            for app in Application.by_due.query(bucket, Application.due_at <= now):
                yield app
                handed += 1
                if limit is not None and handed >= limit:
                    return
            if moves_cursor and day <= settled:
                drained = day + timedelta(days=1)

    def fire(
        self,
        application: Application,
        now: datetime,
        *,
        who: str = SYSTEM,
        jobs: Callable[[Application, TimerKind, datetime | None], Sequence[Model]] | None = None,
    ) -> Fired | None:
        """Claim and carry out the application's due timer; None if it is not due (any more).

        A reminder moves the timer to the next one and appends an ``application.interest_reminder``
        event (the notifications read it from the outbox). A lapse removes the child from the
        queue; school age takes the child out. The claim is a conditional write on the version
        the sweep saw, so two sweeps never carry out the same timer twice.
        """
        outcome: dict[str, Any] = {}

        def plan(app: Application) -> _Edit | None:
            if not self._is_due(app, now):
                return None
            kind = TimerKind(app.timer_kind)
            deadline = (
                None
                if kind is TimerKind.SCHOOL_AGE
                else interest_deadline(app.registered_at, app.last_confirmed_at, self.rules)
            )
            outcome.update(kind=kind, days_before=app.timer_days, deadline=deadline)
            if kind is TimerKind.LAPSE:
                edit = self._leave_edit(app, ApplicationStatus.REMOVED, "interest_not_confirmed", now)
            elif kind is TimerKind.SCHOOL_AGE:
                edit = self._leave_edit(app, ApplicationStatus.AGED_OUT, "school_age", now)
            else:
                edit = _Edit(
                    values=self._timer_values(app, now, last_confirmed_at=app.last_confirmed_at),
                    event="application.interest_reminder",
                    details={"days_before": app.timer_days, "deadline": deadline.isoformat() if deadline else None},
                )
            if jobs is not None:  # what the parent is told: jobs of the same transaction
                told, own = list(jobs(app, kind, deadline)), edit.writes

                def writes(change: Change) -> None:
                    own(change)
                    add_jobs(change, "application", told)

                edit.writes = writes
            return edit

        app, changed = self._change(application.id, plan, who, now, first=application)
        if not changed:
            return None
        return Fired(app, outcome["kind"], outcome["days_before"], outcome["deadline"])

    # --- internals ------------------------------------------------------------------------------

    @staticmethod
    def _require_active(app: Application) -> None:
        if app.state is not ApplicationStatus.ACTIVE:
            raise not_in_queue(app.id)

    @staticmethod
    def _is_due(app: Application, now: datetime) -> bool:
        return (
            app.state is ApplicationStatus.ACTIVE
            and app.timer_kind is not None
            and app.due_at is not None
            and app.due_at <= now
        )

    def _timer_values(self, app: Application, now: datetime, *, last_confirmed_at: datetime | None) -> dict[str, Any]:
        timer = next_timer(
            registered_at=app.registered_at,
            last_confirmed_at=last_confirmed_at,
            birth_date=app.birth_date,
            after=now,
            rules=self.rules,
        )
        return {
            "timer_kind": timer.kind.value,
            "timer_days": timer.days_before,
            "due_at": timer.due_at,
            "due_bucket": timer_bucket(timer.due_at, now),
        }

    def _leave_edit(
        self, app: Application, status: ApplicationStatus, why: str | None, now: datetime, *, releases: bool = True
    ) -> _Edit:
        """The child leaves the queue for good. A live direction the child holds (withdrawn, removed,
        school age) is released by a ``direction.release`` job of the same transaction: the seat is
        freed and the kindergarten told (``direction.child_left``). ``releases=False``: the caller's
        change ends that direction itself (enrolment, the expiry's removal)."""
        self._require_active(app)
        benefit, pool_benefit = app.benefit_queue, app.pool_benefit_queue
        reason = departure_of(status)
        holding = app.live_direction_id if releases else None

        def writes(change: Change) -> None:
            change.delete("lock", ChildLock(lock_key(app.child_iin, app.region)), ChildLock.application_id == app.id)
            _end_claim(change, app, now, outcome="withdrawn")  # a claim still pending ends undecided
            self.index.leave(change, "general", app.queue_key, app.seq)
            if benefit is not None:
                self.index.leave(change, "benefit", benefit, app.seq)
            if app.pool_key:
                self.index.leave(change, "pool", app.pool_key, app.seq, reason)
            if pool_benefit is not None:
                self.index.leave(change, "pool-benefit", pool_benefit, app.seq, reason)
            if holding:
                from chalicelib.jobs.registry import job_for

                change.job(
                    "job.direction_release",
                    job_for(
                        "direction.release",
                        f"{app.id}#{holding}",
                        {"number": holding, "application_id": app.id, "status": status.value},
                        now=now,
                        subject=f"direction#{holding}",
                    ),
                )

        return _Edit(
            values={
                "status": status.value,
                "status_at": now,
                "status_reason": why,
                "in_queue": None,
                "timer_kind": None,
                "timer_days": None,
                "due_at": None,
                "due_bucket": None,
                "benefit_check_region": None,
                "benefit_check_key": None,
            },
            event="application.left",
            from_state=app.status,
            to_state=status.value,
            why=why,
            writes=writes,
        )

    def _record(
        self,
        app: Application,
        ordinal: int,
        now: datetime,
        who: str,
        event: str,
        from_state: str | None,
        to_state: str | None,
        why: str | None,
        details: dict[str, Any] | None,
    ) -> HistoryRecord:
        return history_record(
            subject_type=SUBJECT,
            subject_id=app.id,
            ordinal=ordinal,
            at=now,
            who=who,
            event=event,
            from_state=from_state,
            to_state=to_state,
            why=why,
            details=details,
            publish=False,  # its consequences are jobs (``Change.put``): nothing waits in the outbox
        )

    # --- the position pools of applications registered before pools were kept -------------------

    def without_pool(self) -> Iterator[str]:
        """The ids of the applications in the queue that are not counted in their pool yet.

        A scan of the table: :meth:`build_pool` is a one-off backfill after the pools were
        introduced (``docs/operations.md``), never part of serving a request."""
        condition = (Application.status == ApplicationStatus.ACTIVE.value) & Application.pool_key.does_not_exist()
        for app in Application.scan(filter_condition=condition, attributes_to_get=["id"]):
            yield app.id

    def build_pool(self, application_id: str, *, who: str, now: datetime) -> bool:
        """Count an application registered before the pools existed in its pool (and, with an
        approved benefit, in its category inside the pool): one transaction with the application,
        on the version read. Returns False when there is nothing to do (already counted, or out
        of the queue), so running the backfill again changes nothing."""

        def plan(app: Application) -> _Edit | None:
            if app.state is not ApplicationStatus.ACTIVE or app.pool_key or app.seq is None or not app.queue_key:
                return None
            key = pool_key(app.queue_key, app.language)

            def writes(change: Change) -> None:
                self.index.join(change, "pool", key, app.seq)
                if app.benefit_queue is not None and app.benefit_category:
                    benefit = pool_benefit_key(app.queue_key, app.benefit_category, app.language)
                    self.index.join(change, "pool-benefit", benefit, app.seq)

            return _Edit(
                values={"pool_key": key},
                event="application.pool_counted",
                details={"pool_key": key},
                writes=writes,
                condition=Application.pool_key.does_not_exist(),
            )

        _, changed = self._change(application_id, plan, who, now)
        return changed

    def set_family(
        self, apps: list[Application], family_id: str | None, together: bool, *, who: str, now: datetime
    ) -> None:
        """Join the applications as one family (``family_id``) or separate them (None): one transaction on the
        versions read, every application still in the queue; raises ``ChangeRefused`` when one moved."""
        members = [app.id for app in apps]

        def build() -> Change:
            change = Change()
            for n, app in enumerate(apps):
                if family_id is None:
                    actions: list[Action] = [Application.family_id.remove(), Application.family_together.remove()]
                else:
                    actions = [Application.family_id.set(family_id), Application.family_together.set(together)]
                change.update(f"application-{n}", app, actions, Application.status == ApplicationStatus.ACTIVE.value)
                details = {"family_id": family_id, "together": together, "members": members}
                event = "family_joined" if family_id else "family_separated"
                record = self._record(app, int(app.version or 0) + 1, now, who, event, None, None, None, details)
                change.put(f"history-{n}", record, HistoryRecord.subject.does_not_exist())
            return change

        commit(build)

    def _change(
        self,
        application_id: str,
        plan: Callable[[Application], _Edit | None],
        who: str,
        now: datetime,
        *,
        first: Application | None = None,
    ) -> tuple[Application, bool]:
        """Plan a change on the current application and commit it on that version; re-plan if it moved.

        Returns the application as it is after the change, and whether anything was changed.
        """
        for attempt in range(STALE_ATTEMPTS):
            app = first if first is not None and attempt == 0 else self.get(application_id)
            edit = plan(app)
            if edit is None:
                return app, False
            try:
                self._commit_edit(app, edit, who, now)
            except ChangeConflicted as conflicted:
                raise changed_concurrently(application_id) from conflicted
            except ChangeRefused as refused:
                if "application" not in refused.failed:
                    raise  # the application was as planned, yet the index or lock disagreed
                continue  # it changed since it was read (the other writes then fail with it): re-plan
            return app, True
        raise changed_concurrently(application_id)

    def _commit_edit(self, app: Application, edit: _Edit, who: str, now: datetime) -> None:
        attributes = Application.get_attributes()
        ordinal = int(app.version or 0) + 1

        def build() -> Change:
            actions: list[Action] = [
                attributes[name].remove() if value is None else attributes[name].set(value)
                for name, value in edit.values.items()
            ]
            condition: Condition | None = (
                Application.status == ApplicationStatus.ACTIVE.value if edit.require_active else None
            )
            if edit.condition is not None:
                condition = edit.condition if condition is None else condition & edit.condition
            change = Change()
            change.update("application", app, actions, condition)
            edit.writes(change)
            change.record(
                self._record(app, ordinal, now, who, edit.event, edit.from_state, edit.to_state, edit.why, edit.details)
            )
            return change

        commit(build)
        for name, value in edit.values.items():
            setattr(app, name, value)
