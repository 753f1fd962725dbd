"""The direction lifecycle: allocate free seats to the queue, then extend, revoke, enrol, expire.

- **Allocation** (:meth:`DirectionService.allocate`) reads a district's free seats and the
  children of the queues they are for, hands both to the pure algorithm
  (:mod:`chalicelib.domain.allocation`), keeps the run's input and output as JSON in S3 (so
  :meth:`audit` can replay it), and issues each offer. Issuing is one transaction: the seat
  ``free → offered``, the application (in the queue, without a live direction, not on the
  stop-list), the direction, its history record and the kindergarten's event. An offer that
  loses a race (the seat or the child changed since they were read) is skipped; the seat stays
  free for the next run. Then the PDF (appendix 10), the e-mail and the SMS.
- **The parent** sees the child's directions, extends one once (≤ 30 calendar days) and may
  revoke it within 24 hours of issue (the seat is freed, the child keeps its place).
- **The kindergarten** lists its directions and confirms enrolment: the seat is taken and the
  child leaves the queue (``enrolled``).
- **The expiry sweep** reads only the due timers: the direction lapses, the seat is freed, the
  child goes on the stop-list — or, at the second miss, leaves the queue — and the parent is told.

Every change is conditioned on the state it was planned from; when that state moved, the
change is planned again from the current one (which may then refuse), never applied blindly.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import TYPE_CHECKING, Any

from chalicelib.clock import Clock
from chalicelib.documents.kinds import DocumentKind
from chalicelib.documents.protocol import protocol_csv, protocol_pdf
from chalicelib.domain import allocation, allocation_protocol
from chalicelib.domain.consequences import documents_reissued
from chalicelib.domain.contracts import ContractStatus, answer_contract_first, in_signing
from chalicelib.domain.directions import (
    DirectionClock,
    DirectionRules,
    DirectionStatus,
    check_enrolment,
    check_extension,
    check_revocation,
    deadline_of,
    direction_clock,
    direction_not_found,
    extended_deadline,
    not_yours,
    on_stop_list,
    other_kindergarten,
    revocable_until,
    stop_list_end,
)
from chalicelib.domain.errors import Conflict, DomainError, Forbidden, NotFound
from chalicelib.domain.principal import Principal
from chalicelib.domain.queue import ApplicationStatus, BenefitStatus, queue_key
from chalicelib.domain.reference import BenefitTier, Group, Kindergarten
from chalicelib.domain.webhooks import DEPARTURE
from chalicelib.notify.model import Notifier
from chalicelib.observability import logger
from chalicelib.services.allocation_priorities import PriorityFacts
from chalicelib.services.allocation_runs import (
    new_run_id,
    offer_json,
    protocol_key,
    replay,
    run_key,
    run_record,
    seat_of,
    valid_run_id,
)
from chalicelib.services.direction_notices import DirectionNotices, DocumentJob
from chalicelib.services.documents import DocumentService
from chalicelib.store.applications import Application, ApplicationRepository
from chalicelib.store.contracts import cancel_with_direction
from chalicelib.store.directions import Direction, DirectionRepository, issued_key
from chalicelib.store.history import SYSTEM, Change, ChangeConflicted, ChangeRefused, add_jobs
from chalicelib.store.jobs import Job
from chalicelib.store.objects import ObjectStore
from chalicelib.store.reference import ReferenceRepository
from chalicelib.store.vacancies import SeatRepository

if TYPE_CHECKING:  # the holiday tables load only when a deadline is computed
    from chalicelib.domain.calendar import WorkingCalendar

SUBJECT = "application"
CHANGE_ATTEMPTS = 4
MISSED_ORDINAL = 10**9  # history ordinals of misses written without a read sort after the version-numbered ones


@dataclass(frozen=True)
class AllocationOptions:
    """How allocation orders and widens (settings ``priority_ratio_*``, ``allocation_whole_district``), and
    each region's mode and kindergarten priorities (``allocation_regions``; a region not listed: serial, none)."""

    ratio: tuple[int, int] = allocation.DEFAULT_RATIO
    whole_district: bool = False
    regions: Mapping[str, allocation.RegionRules] = field(default_factory=dict)

    def rules_for(self, region: str) -> allocation.RegionRules:
        return self.regions.get(region, allocation.RegionRules())


@dataclass
class AllocationRun:
    """What one allocation did: ``run_id`` is None when no seat could be offered (nothing is kept then)."""

    run_id: str | None  # None: no seat could be offered (no run is kept)
    region: str
    district: str
    offers: int = 0
    issued: list[Direction] = field(default_factory=list)
    skipped: list[dict[str, str]] = field(default_factory=list)


@dataclass(frozen=True)
class DirectionView:
    """A direction with what the screens show beside it."""

    direction: Direction
    kindergarten: Kindergarten | None
    group: Group | None
    document_url: str | None
    actions: tuple[str, ...] = ()
    clock: DirectionClock | None = None
    document_preparing: bool = False  # the PDF's job has not rendered it yet


@dataclass(frozen=True)
class ExpiryOutcome:
    direction: Direction
    result: str  # "stop_listed" | "removed" | "expired" (the child had left the queue already)
    stop_list_until: datetime | None = None


def _who(principal: Principal) -> str:
    return f"{principal.role.value}:{principal.iin}"


def _application_not_yours() -> Forbidden:
    return Forbidden("application.not_yours", "Бұл өтініш сіздікі емес.", "Это заявление подано не вами.")


def _outside_area() -> Forbidden:
    return Forbidden(
        "operator.outside_area",
        "Бұл жолдама сіздің өңіріңізге (ауданыңызға) жатпайды.",
        "Это направление не относится к вашему региону (району).",
    )


def _refuse_while_in_signing(direction: Direction) -> None:
    """While the kindergarten holds the signed contract, the parent neither extends nor revokes."""
    if direction.contract_status == ContractStatus.SENT.value:
        raise in_signing()


def _changed_concurrently(number: str) -> Conflict:
    return Conflict(
        "direction.changed_concurrently",
        "Жолдама дәл қазір өзгертілуде: әрекетті қайталаңыз.",
        "Направление сейчас изменяется: повторите действие.",
        details={"number": number},
    )


@dataclass(frozen=True)
class DirectionService:
    clock: Clock
    applications: ApplicationRepository
    directions: DirectionRepository
    seats: SeatRepository
    reference: ReferenceRepository
    documents: DocumentService
    objects: ObjectStore
    notifier: Notifier
    calendar: WorkingCalendar
    rules: DirectionRules
    options: AllocationOptions = AllocationOptions()

    # --- allocation -----------------------------------------------------------------------------

    def allocate(self, region: str, district: str, *, cohorts: Iterable[int] | None = None) -> AllocationRun:
        """Offer the district's free seats (of ``cohorts``, or all) to its queues and issue the directions."""
        now = self.clock.now()
        wanted = set(cohorts) if cohorts is not None else None
        seats = [
            seat_of(item)
            for item in self.seats.free_seats(region, district)
            if wanted is None or int(item.cohort) in wanted
        ]
        run = AllocationRun(None, region, district)
        if not seats:
            return run
        applications = self._queue_members(region, district, {seat.cohort for seat in seats})
        rules = self.options.rules_for(region)
        candidates = self._candidates(applications.values(), now)
        if rules.priorities:
            claims = self.priority_facts.claims(
                applications.values(), {seat.kindergarten_id for seat in seats}, rules.priorities
            )
            candidates = [replace(c, claims=claims.get(c.application_id, ())) for c in candidates]
        offers = allocation.allocate(
            seats,
            candidates,
            ratio=self.options.ratio,
            whole_district=self.options.whole_district,
            mode=rules.mode,
            priorities=rules.priorities,
        )
        if not offers:  # nobody can take these seats now: nothing to issue, nothing to keep
            return run
        run.run_id = new_run_id(now)
        run.offers = len(offers)
        record = run_record(
            run.run_id,
            now,
            region,
            district,
            ratio=self.options.ratio,
            whole_district=self.options.whole_district,
            rules=rules,
            seats=seats,
            candidates=candidates,
            offers=offers,
        )
        self._keep(record)
        for offer in offers:
            try:
                direction = self._issue(offer, applications[offer.application_id], run.run_id, now)
            except ChangeRefused as refused:
                run.skipped.append(
                    {
                        "seat_id": offer.seat.seat_id,
                        "application_id": offer.application_id,
                        "reason": "changed:" + ",".join(sorted(refused.failed)),
                    }
                )
                continue
            except DomainError as refused:
                run.skipped.append(
                    {"seat_id": offer.seat.seat_id, "application_id": offer.application_id, "reason": refused.code}
                )
                continue
            run.issued.append(direction)
        record["issued"] = [
            {"seat_id": d.seat_id, "application_id": d.application_id, "number": d.number} for d in run.issued
        ]
        record["skipped"] = run.skipped
        record["protocol"] = self._keep_protocol(record)
        self._keep(record)
        logger.info(
            "allocation run",
            extra={"run_id": run.run_id, "offers": run.offers, "issued": len(run.issued), "skipped": len(run.skipped)},
        )
        return run

    def allocate_everywhere(self) -> list[AllocationRun]:
        """Every district with free seats (the scheduled function): one query per district, no Scan."""
        runs = []
        for region in self.reference.list_regions():
            for district in self.reference.list_districts(region.code):
                run = self.allocate(region.code, district.code)
                if run.run_id is not None:
                    runs.append(run)
        return runs

    def audit(self, principal: Principal, run_id: str) -> dict[str, Any]:
        """Replay a run from what it read: every violation of the rules (none: the run was fair)."""
        record = self._record(principal, run_id)
        return {
            "run_id": run_id,
            "mode": record.get("mode", allocation.SERIAL),
            "priorities": record.get("priorities", []),
            "protocol": sorted(record.get("protocol", {})),
            "at": record["at"],
            "region": record["region"],
            "district": record["district"],
            "seats": len(record["seats"]),
            "candidates": len(record["candidates"]),
            "offers": len(record["offers"]),
            "issued": record["issued"],
            "skipped": record["skipped"],
            "violations": replay(record),
        }

    # --- the parent -----------------------------------------------------------------------------

    def of_application(self, principal: Principal, application_id: str, language: str = "kk") -> list[DirectionView]:
        """The child's directions, newest first, with what the parent may do with each."""
        app = self.applications.get(application_id)
        if not app.visible_to(principal.iin):
            raise _application_not_yours()
        found = {d.number: d for d in self.directions.for_application(app.id)}
        if app.live_direction_id and app.live_direction_id not in found:  # the index lags a moment behind
            live = self.directions.find(app.live_direction_id)
            if live is not None:
                found[live.number] = live
        now = self.clock.now()
        ordered = sorted(found.values(), key=lambda d: d.issued_key, reverse=True)
        return [self._parent_view(d, now, language) for d in ordered]

    def numbers_of(self, app: Application) -> list[tuple[str, str | None]]:
        """The child's directions (number, its contract's number or None), the live one even while the index lags."""
        found = {d.number: d.contract_number for d in self.directions.for_application(app.id)}
        if app.live_direction_id and app.live_direction_id not in found:
            live = self.directions.find(app.live_direction_id)
            if live is not None:
                found[live.number] = live.contract_number
        return list(found.items())

    def extend(self, principal: Principal, number: str, days: int) -> DirectionView:
        """Extend the direction once, by 1–30 calendar days; the sweep's timer moves with it."""
        now = self.clock.now()
        self._own(principal, self._get(number))

        def plan(direction: Direction) -> Callable[[Change], None]:
            _refuse_while_in_signing(direction)
            check_extension(
                status=direction.state,
                extended=bool(direction.extended),
                deadline=direction.deadline,
                days=days,
                now=now,
                rules=self.rules,
            )
            deadline = extended_deadline(direction.deadline, days)
            document, reissued = self.reissue_jobs(direction, "direction.extended", now)
            jobs = [*reissued, *(self.notices.extended(direction, deadline, document, now) if document else [])]

            def writes(change: Change) -> None:
                self.directions.update(
                    change,
                    direction,
                    {
                        "status": DirectionStatus.EXTENDED.value,
                        "status_at": now,
                        "extended": True,
                        "extended_days": days,
                        "deadline": deadline,
                        **({"document_id": document.document_id} if document else {}),
                        **self.directions.timer_values(deadline, now),
                    },
                )
                add_jobs(change, "direction", jobs)
                self.directions.record(
                    change,
                    direction,
                    event="extended",
                    now=now,
                    who=_who(principal),
                    from_state=direction.status,
                    to_state=DirectionStatus.EXTENDED.value,
                    details={"days": days, "deadline": deadline.isoformat()},
                )

            return writes

        direction = self._change_direction(number, plan, lambda writes, d: self.directions.commit(writes))
        return self._parent_view(direction, now)

    def revoke(self, principal: Principal, number: str) -> DirectionView:
        """Give the direction up within 24 hours of issue: the seat is freed, the child keeps its place."""
        now = self.clock.now()
        self._own(principal, self._get(number))

        def plan(direction: Direction) -> Callable[[Change], None]:
            _refuse_while_in_signing(direction)
            check_revocation(status=direction.state, issued_at=direction.issued_at, now=now, rules=self.rules)
            return self._ending(
                direction, DirectionStatus.REVOKED, now, _who(principal), jobs=self.notices.revoked(direction, now)
            )

        def apply(writes: Callable[[Change], None], direction: Direction) -> None:
            _, changed = self.applications.settle_direction(
                direction.application_id,
                number,
                DirectionStatus.REVOKED,
                who=_who(principal),
                now=now,
                writes=writes,
                declined_kindergarten=direction.kindergarten_id,
            )
            if not changed:
                self.directions.commit(writes)

        direction = self._change_direction(number, plan, apply)
        return self._view(direction)

    def release_after_departure(self, number: str, *, who: str) -> None:
        """The child left the queue (withdrawn) holding a live direction: it ends, the seat is free again.

        Nothing is asked of the application (it is no longer in the queue); the seat goes to the
        next child at the next allocation.
        """
        now = self.clock.now()
        if not self._get(number).state.live:
            return

        def plan(direction: Direction) -> Callable[[Change], None]:
            return self._ending(direction, DirectionStatus.REVOKED, now, who, why=DEPARTURE)

        def apply(writes: Callable[[Change], None], direction: Direction) -> None:
            self.directions.commit(writes)

        self._change_direction(number, plan, apply)

    # --- the kindergarten -----------------------------------------------------------------------

    def for_kindergarten(
        self, principal: Principal, *, status: str | None = None, limit: int = 100
    ) -> list[DirectionView]:
        """The kindergarten's own directions, newest first (optionally of one status)."""
        found = self.directions.for_kindergarten(principal.kindergarten_id or "", status=status, limit=limit)
        return [self._view(d) for d in found]

    def enrol(self, principal: Principal, number: str) -> DirectionView:
        """The kindergarten confirms the child came: the seat is taken, the child leaves the queue.

        Confirming again what is already confirmed answers the same, and changes nothing.
        """
        now = self.clock.now()
        first = self._get(number)
        if first.kindergarten_id != principal.kindergarten_id:
            raise other_kindergarten()
        if first.state is DirectionStatus.ENROLLED:
            return self._view(first)
        kindergarten = self.reference.get_kindergarten(first.kindergarten_id)

        def plan(direction: Direction) -> Callable[[Change], None]:
            if direction.contract_status == ContractStatus.SENT.value:
                raise answer_contract_first(direction.contract_number or "")
            check_enrolment(
                status=direction.state,
                kindergarten_id=direction.kindergarten_id,
                by_kindergarten=principal.kindergarten_id or "",
                deadline=direction.deadline,
                now=now,
            )
            return self._ending(
                direction,
                DirectionStatus.ENROLLED,
                now,
                _who(principal),
                jobs=self.notices.enrolled(direction, kindergarten, now),
            )

        def apply(writes: Callable[[Change], None], direction: Direction) -> None:
            self.applications.settle_direction(
                direction.application_id, number, DirectionStatus.ENROLLED, who=_who(principal), now=now, writes=writes
            )

        direction = self._change_direction(number, plan, apply)
        return self._view(direction)

    # --- operators ------------------------------------------------------------------------------

    def explain(self, principal: Principal, number: str) -> DirectionView:
        """The direction and why this child got this seat (for operators of its region)."""
        direction = self._get(number)
        self._require_area(principal, direction.region, direction.district)
        return self._view(direction)

    # --- the expiry sweep -----------------------------------------------------------------------

    def expire_due(self, limit: int | None = None) -> dict[str, int]:
        """Lapse every direction whose deadline passed: seat freed, stop-list or removal, parent told."""
        now = self.clock.now()
        counts = {"expired": 0, "stop_listed": 0, "removed": 0}
        for due in self.directions.due(now, limit=limit):
            outcome = self._expire(due, now)
            if outcome is None:
                continue
            counts["expired"] += 1
            if outcome.result in counts:
                counts[outcome.result] += 1
        return counts

    def _expire(self, due: Direction, now: datetime) -> ExpiryOutcome | None:
        """Claim one due direction (a conditional write on the version the index showed)."""
        direction: Direction | None = due
        for attempt in range(CHANGE_ATTEMPTS):
            if attempt:
                direction = self.directions.find(due.number)
            if direction is None or not direction.state.live or direction.due_at is None or direction.due_at > now:
                return None
            stop_until = stop_list_end(direction.deadline, self.calendar, self.rules)
            writes = self._ending(
                direction, DirectionStatus.EXPIRED, now, SYSTEM, jobs=self.notices.expired(direction, now)
            )
            try:
                if self.applications.miss_direction(
                    direction.application_id,
                    direction.number,
                    who=SYSTEM,
                    now=now,
                    writes=writes,
                    stop_list_until=stop_until,
                    missed_before_removal=self.rules.missed_before_removal,
                    ordinal=MISSED_ORDINAL + direction.serial,
                ):
                    return ExpiryOutcome(direction, "stop_listed", stop_until)
                app, changed = self.applications.settle_direction(
                    direction.application_id,
                    direction.number,
                    DirectionStatus.EXPIRED,
                    who=SYSTEM,
                    now=now,
                    writes=writes,
                    stop_list_until=stop_until,
                    missed_before_removal=self.rules.missed_before_removal,
                )
                if not changed:
                    self.directions.commit(writes)
            except (ChangeRefused, ChangeConflicted):
                continue  # the direction moved since it was read: look again
            except DomainError:
                continue  # the application moved: look again
            if not changed:
                return ExpiryOutcome(direction, "expired")
            if app.state is ApplicationStatus.REMOVED:
                return ExpiryOutcome(direction, "removed")
            return ExpiryOutcome(direction, "stop_listed", app.stop_list_until)
        return None

    # --- internals: changes ---------------------------------------------------------------------

    def _get(self, number: str) -> Direction:
        direction = self.directions.find(number)
        if direction is None:
            raise direction_not_found(number)
        return direction

    def _own(self, principal: Principal, direction: Direction) -> Application:
        app = self.applications.get(direction.application_id)
        if not app.visible_to(principal.iin):
            raise not_yours()
        return app

    def _change_direction(
        self,
        number: str,
        plan: Callable[[Direction], Callable[[Change], None]],
        apply: Callable[[Callable[[Change], None], Direction], None],
    ) -> Direction:
        """Plan on the current direction and apply; plan again from the current state if it moved."""
        for _ in range(CHANGE_ATTEMPTS):
            direction = self._get(number)
            writes = plan(direction)
            try:
                apply(writes, direction)
            except (ChangeRefused, ChangeConflicted):
                continue
            return self._get(number)
        raise _changed_concurrently(number)

    def ending_writes(
        self,
        direction: Direction,
        outcome: DirectionStatus,
        now: datetime,
        who: str,
        *,
        extra: dict[str, Any] | None = None,
        jobs: Iterable[Job] = (),
    ) -> Callable[[Change], None]:
        """The writes that end a live direction (for a change that also moves something else)."""
        return self._ending(direction, outcome, now, who, extra=extra, jobs=jobs)

    def _ending(
        self,
        direction: Direction,
        outcome: DirectionStatus,
        now: datetime,
        who: str,
        *,
        extra: dict[str, Any] | None = None,
        why: str | None = None,
        jobs: Iterable[Job] = (),
    ) -> Callable[[Change], None]:
        """The writes that end a live direction: its status and timer, its seat, its history, and the
        ``jobs`` that follow (the parent's messages), all in one transaction."""
        jobs = list(jobs)

        def writes(change: Change) -> None:
            self.directions.update(
                change,
                direction,
                {
                    "status": outcome.value,
                    "status_at": now,
                    **self.directions.timer_values(None, now),
                    **(extra or {}),
                },
            )
            if outcome is DirectionStatus.ENROLLED:
                self.seats.take(change, direction.seat_id, direction.number, now)
            else:
                self.seats.release(
                    change,
                    direction.seat_id,
                    direction.number,
                    region=direction.region,
                    district=direction.district,
                    now=now,
                )
            self.directions.record(
                change,
                direction,
                event=outcome.value,
                now=now,
                who=who,
                from_state=direction.status,
                to_state=outcome.value,
                why=why,
            )
            if (extra or {}).get("contract_status") != ContractStatus.SIGNED.value:
                cancel_with_direction(change, direction, outcome=why or outcome.value, now=now, who=who)
            add_jobs(change, "direction", jobs)

        return writes

    def _issue(self, offer: allocation.Offer, app: Application, run_id: str, now: datetime) -> Direction:
        """One offer becomes a direction, in one transaction with its seat and the child's application."""
        seat = offer.seat
        kindergarten = self.reference.get_kindergarten(seat.kindergarten_id)
        if kindergarten is None:
            raise LookupError(f"kindergarten {seat.kindergarten_id} of seat {seat.seat_id} is unknown")
        number = self.directions.next_number(now)
        deadline = deadline_of(now, self.calendar, self.rules)
        direction = Direction(
            number,
            application_id=app.id,
            applicant_iin=app.applicant_iin,
            child_iin=app.child_iin,
            child_surname=app.child_surname,
            child_given_name=app.child_given_name,
            child_patronymic=app.child_patronymic,
            birth_date=app.birth_date,
            notify_email=app.applicant.email,
            notify_phone=app.applicant.phone,
            region=seat.region,
            district=seat.district,
            kindergarten_id=seat.kindergarten_id,
            group_id=seat.group_id,
            seat_id=seat.seat_id,
            cohort=seat.cohort,
            language=seat.language,
            issued_at=now,
            issued_key=issued_key(now, number),
            deadline=deadline,
            status=DirectionStatus.ISSUED.value,
            status_at=now,
            extended=False,
            run_id=run_id,
            explanation={"run_id": run_id, **offer_json(offer)},
            **self.directions.timer_values(deadline, now),
        )
        # its PDF, the e-mail that carries it and the SMS: jobs of the issuing transaction; the
        # direction points at the document from the commit on (shown "being prepared" until rendered)
        document = self.notices.document(direction, now, application_id=app.id)
        direction.document_id = document.document_id
        jobs = [document.job, *self.notices.issued(direction, kindergarten, document, now)]

        def writes(change: Change) -> None:
            self.seats.offer(change, seat.seat_id, number, now)
            self.directions.put_new(change, direction)
            add_jobs(change, "direction", jobs)
            self.directions.record(
                change,
                direction,
                event="issued",
                now=now,
                who=SYSTEM,
                from_state=None,
                to_state=DirectionStatus.ISSUED.value,
                details={"deadline": deadline.isoformat(), "run_id": run_id},
            )

        self.applications.hold_direction(
            app.id,
            number,
            who=SYSTEM,
            now=now,
            writes=writes,
            first=app,
            details={"kindergarten_id": seat.kindergarten_id, "seat_id": seat.seat_id, "run_id": run_id},
        )
        return direction

    # --- documents whose facts changed ----------------------------------------------------------

    def reissue_jobs(self, direction: Direction, event: str, now: datetime) -> tuple[DocumentJob | None, list[Job]]:
        """The direction's PDF issued again when the change ``event`` alters its facts (see
        ``domain/consequences.py``): a job of that change, whose document supersedes the one the
        direction points at; the change sets the direction's ``document_id`` to the new one. None
        and no job when the change leaves the direction's document as it is."""
        if DocumentKind.DIRECTION not in documents_reissued(event):
            return None, []
        document = self.notices.document(direction, now, application_id=direction.application_id, reissued_for=event)
        return document, [document.job]

    # --- internals: reads -----------------------------------------------------------------------

    def _queue_members(self, region: str, district: str, cohorts: set[int]) -> dict[str, Application]:
        scope = self.applications.rules.scope
        members: dict[str, Application] = {}
        for cohort in sorted(cohorts):
            for app in self.applications.in_queue_order(queue_key(region, district, cohort, scope)):
                if app.district == district and app.state is ApplicationStatus.ACTIVE:
                    members[app.id] = app
        # a "together only" family is placed whole or not at all: its members of other cohorts take part too
        # (with no seat of their cohort in this run, the family simply waits for a run that has them)
        families = {
            (app.applicant_iin, app.family_id) for app in members.values() if app.family_id and app.family_together
        }
        for applicant, family in sorted(families, key=str):
            for other in self.applications.list_for_parent(applicant):
                if other.family_id == family and other.district == district and other.state is ApplicationStatus.ACTIVE:
                    members.setdefault(other.id, other)
        return members

    def _candidates(self, applications: Iterable[Application], now: datetime) -> list[allocation.Candidate]:
        tiers = {category.code: category.tier.value for category in self.reference.list_benefit_categories()}
        candidates = []
        for app in applications:
            approved = app.benefit_status == BenefitStatus.APPROVED.value and app.benefit_category
            declined = set(app.declined_kindergartens or [])
            blocked = (
                allocation.LIVE_DIRECTION
                if app.live_direction_id
                else allocation.STOP_LIST
                if on_stop_list(app.stop_list_until, now)
                else None
            )
            candidates.append(
                allocation.Candidate(
                    application_id=app.id,
                    region=app.region,
                    district=app.district,
                    cohort=int(app.cohort),
                    language=app.language,
                    tier=tiers.get(app.benefit_category or "", BenefitTier.NONE.value) if approved else "none",
                    registered_at=app.registered_at,
                    seq=int(app.seq),
                    preferences=tuple(p for p in app.preferences or [] if p not in declined),
                    blocked=blocked,
                    family=app.family_id,
                    together=bool(app.family_together),
                )
            )
        return candidates

    def _keep_protocol(self, record: dict[str, Any]) -> dict[str, str]:
        """The run's anonymised protocol, CSV and PDF in Kazakh and Russian, stored beside its record."""
        kept: dict[str, str] = {}
        ids = {seat["kindergarten_id"] for seat in record["seats"]}
        found = {k: self.reference.get_kindergarten(k) for k in sorted(ids)}
        for language in allocation_protocol.LANGUAGES:
            names = {k: getattr(kg.name, language) for k, kg in found.items() if kg is not None}
            document = allocation_protocol.protocol(record, language, names)
            for kind, body, content_type in (
                ("csv", protocol_csv(document), "text/csv; charset=utf-8"),
                ("pdf", protocol_pdf(document), "application/pdf"),
            ):
                key = protocol_key(record["run_id"], language, kind)
                self.objects.put(key, body, content_type=content_type)
                kept[f"{language}.{kind}"] = key
        return kept

    def protocol_link(self, principal: Principal, run_id: str, language: str, kind: str) -> dict[str, str]:
        """A short-lived link to the run's protocol (operators of the run's region or district)."""
        record = self._record(principal, run_id)
        key = record.get("protocol", {}).get(f"{language}.{kind}")
        if key is None:
            raise NotFound(
                "allocation.protocol_not_found",
                "Бұл бөлудің мұндай хаттамасы жоқ.",
                "У этого распределения нет такого протокола.",
                details={"run_id": run_id, "language": language, "format": kind},
            )
        name = f"protocol-{run_id}-{language}.{kind}"
        return {
            "run_id": run_id,
            "language": language,
            "format": kind,
            "url": self.objects.presigned_get(key, file_name=name),
        }

    def _record(self, principal: Principal, run_id: str) -> dict[str, Any]:
        if not valid_run_id(run_id):
            raise self._run_not_found(run_id)
        raw = self.objects.get(run_key(run_id))
        if raw is None:
            raise self._run_not_found(run_id)
        record: dict[str, Any] = json.loads(raw)
        self._require_area(principal, record["region"], record["district"])
        return record

    @property
    def priority_facts(self) -> PriorityFacts:
        return PriorityFacts(self.applications, self.directions, self.objects)

    def _keep(self, record: dict[str, Any]) -> None:
        body = json.dumps(record, ensure_ascii=False, indent=1).encode()
        self.objects.put(run_key(record["run_id"]), body, content_type="application/json")

    @staticmethod
    def _run_not_found(run_id: str) -> NotFound:
        return NotFound(
            "allocation.run_not_found",
            "Мұндай бөлу жүргізілмеген.",
            "Такого распределения не проводилось.",
            details={"run_id": run_id},
        )

    @staticmethod
    def _require_area(principal: Principal, region: str, district: str) -> None:
        if principal.region != region or (principal.district and principal.district != district):
            raise _outside_area()

    def _parent_view(self, direction: Direction, now: datetime, language: str = "kk") -> DirectionView:
        """The direction with what the parent may do: extend, revoke, conclude the contract."""
        view = self._view(direction, language=language)
        clock = direction_clock(
            status=direction.state,
            deadline=direction.deadline,
            paused_seconds=direction.paused_seconds,
            now=now,
            calendar=self.calendar,
        )
        return replace(view, actions=self._parent_actions(direction, view.kindergarten, now), clock=clock)

    def _parent_actions(
        self, direction: Direction, kindergarten: Kindergarten | None, now: datetime
    ) -> tuple[str, ...]:
        paused = direction.paused_seconds is not None
        if not direction.state.live or (now >= direction.deadline and not paused):
            return ()
        actions = []
        if direction.contract_status != ContractStatus.SENT.value:
            if not direction.extended:
                actions.append("extend")
            if now < revocable_until(direction.issued_at, self.rules):
                actions.append("revoke")
        if kindergarten is not None and kindergarten.contract_mode == "electronic":
            actions.append("contract")
        return tuple(actions)

    def _view(self, direction: Direction, *, actions: tuple[str, ...] = (), language: str = "kk") -> DirectionView:
        kindergarten = self.reference.get_kindergarten(direction.kindergarten_id)
        group = self.reference.get_group(direction.kindergarten_id, direction.group_id)
        url = None
        preparing = False
        if direction.document_id:
            record = self.documents.documents.get(direction.document_id)
            url = self.documents.download_link(record, language) if record is not None else None
            preparing = record is None  # its job has not rendered it yet
        return DirectionView(direction, kindergarten, group, url, actions, document_preparing=preparing)

    @property
    def notices(self) -> DirectionNotices:
        return DirectionNotices(self.reference, self.documents)
