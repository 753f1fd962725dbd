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
import re
import secrets
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from chalicelib.clock import Clock
from chalicelib.documents.kinds import DocumentKind
from chalicelib.domain import allocation
from chalicelib.domain.directions import (
    DirectionRules,
    DirectionStatus,
    check_enrolment,
    check_extension,
    check_revocation,
    deadline_of,
    direction_not_found,
    extended_deadline,
    last_valid_day,
    not_yours,
    on_stop_list,
    other_kindergarten,
    revocable_until,
    stop_list_end,
)
from chalicelib.domain.errors import Conflict, DomainError, Forbidden, InvalidInput, NotFound
from chalicelib.domain.principal import Principal
from chalicelib.domain.queue import ApplicationStatus, BenefitStatus, queue_key
from chalicelib.domain.reference import BenefitTier, Bilingual, Group, Kindergarten
from chalicelib.notify.model import Attachment, Notifier
from chalicelib.observability import logger
from chalicelib.services.documents import DocumentService
from chalicelib.store.applications import Application, ApplicationRepository
from chalicelib.store.directions import Direction, DirectionRepository, issued_key
from chalicelib.store.history import SYSTEM, Change, ChangeRefused
from chalicelib.store.objects import ObjectStore
from chalicelib.store.reference import ReferenceRepository
from chalicelib.store.vacancies import SeatItem, SeatRepository

if TYPE_CHECKING:  # the holiday tables load only when a deadline is computed
    from chalicelib.domain.calendar import WorkingCalendar

SUBJECT = "application"
CHANGE_ATTEMPTS = 4
MISSED_ORDINAL = 10**9  # history ordinals of misses written without a read sort after the version-numbered ones
RUN_ID = re.compile(r"^\d{8}T\d{6}Z-[0-9a-f]{8}$")


@dataclass(frozen=True)
class AllocationOptions:
    """How allocation orders and widens (settings ``priority_ratio_*``, ``allocation_whole_district``)."""

    ratio: tuple[int, int] = allocation.DEFAULT_RATIO
    whole_district: bool = False


@dataclass
class AllocationRun:
    """What one allocation did: ``run_id`` is None when there was no free seat to offer."""

    run_id: str | None
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


@dataclass(frozen=True)
class ExpiryOutcome:
    direction: Direction
    result: str  # "stop_listed" | "removed" | "expired" (the child had left the queue already)
    stop_list_until: datetime | None = None


def run_key(run_id: str) -> str:
    return f"allocations/{run_id}.json"


def _child_name(direction: Direction | Application) -> str:
    return " ".join(
        p for p in (direction.child_surname, direction.child_given_name, direction.child_patronymic) if p
    )


def _day(at: datetime) -> str:
    return at.strftime("%d.%m.%Y")


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


def _changed_concurrently(number: str) -> Conflict:
    return Conflict(
        "direction.changed_concurrently",
        "Жолдама дәл қазір өзгертілуде: әрекетті қайталаңыз.",
        "Направление сейчас изменяется: повторите действие.",
        details={"number": number},
    )


def _issued_by(name: Bilingual) -> Bilingual:
    return Bilingual(f"{name.kk} білім басқармасы", f"Управление образования ({name.ru})")


def _seat_of(item: SeatItem) -> allocation.Seat:
    return allocation.Seat(
        seat_id=item.seat_id,
        kindergarten_id=item.kindergarten_id,
        group_id=item.group_id,
        region=item.region,
        district=item.district,
        cohort=int(item.cohort),
        language=item.language,
    )


def _seat_json(seat: allocation.Seat) -> dict[str, Any]:
    return {
        "seat_id": seat.seat_id,
        "kindergarten_id": seat.kindergarten_id,
        "group_id": seat.group_id,
        "region": seat.region,
        "district": seat.district,
        "cohort": seat.cohort,
        "language": seat.language,
    }


def _candidate_json(candidate: allocation.Candidate) -> dict[str, Any]:
    return {
        "application_id": candidate.application_id,
        "region": candidate.region,
        "district": candidate.district,
        "cohort": candidate.cohort,
        "language": candidate.language,
        "tier": candidate.tier,
        "registered_at": candidate.registered_at.isoformat(),
        "seq": candidate.seq,
        "preferences": list(candidate.preferences),
        "blocked": candidate.blocked,
    }


def _offer_json(offer: allocation.Offer) -> dict[str, Any]:
    return {
        "seat_id": offer.seat.seat_id,
        "application_id": offer.application_id,
        "order_position": offer.order_position,
        "preference_rank": offer.preference_rank,
        "passed_over": [{"application_id": p.application_id, "reason": p.reason} for p in offer.passed_over],
        "passed_over_count": offer.passed_over_count,
    }


def _offers_from(items: Iterable[dict[str, Any]], seats: dict[str, allocation.Seat]) -> list[allocation.Offer]:
    return [
        allocation.Offer(
            seat=seats[item["seat_id"]],
            application_id=item["application_id"],
            order_position=item["order_position"],
            preference_rank=item["preference_rank"],
            passed_over=tuple(allocation.PassedOver(p["application_id"], p["reason"]) for p in item["passed_over"]),
            passed_over_count=item["passed_over_count"],
        )
        for item in items
    ]


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
            _seat_of(item)
            for item in self.seats.free_seats(region, district)
            if wanted is None or int(item.cohort) in wanted
        ]
        run = AllocationRun(None, region, district)
        if not seats:
            return run
        applications = self._queue_members(region, district, {seat.cohort for seat in seats})
        candidates = self._candidates(applications.values(), now)
        offers = allocation.allocate(
            seats, candidates, ratio=self.options.ratio, whole_district=self.options.whole_district
        )
        run.run_id = f"{now:%Y%m%dT%H%M%SZ}-{secrets.token_hex(4)}"
        run.offers = len(offers)
        record: dict[str, Any] = {
            "run_id": run.run_id,
            "at": now.isoformat(),
            "region": region,
            "district": district,
            "ratio": list(self.options.ratio),
            "whole_district": self.options.whole_district,
            "seats": [_seat_json(seat) for seat in seats],
            "candidates": [_candidate_json(candidate) for candidate in candidates],
            "offers": [_offer_json(offer) for offer in offers],
            "issued": [],
            "skipped": [],
        }
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
            self._deliver(direction, applications[offer.application_id])
        record["issued"] = [
            {"seat_id": d.seat_id, "application_id": d.application_id, "number": d.number} for d in run.issued
        ]
        record["skipped"] = run.skipped
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
        if RUN_ID.match(run_id) is None:
            raise self._run_not_found(run_id)
        raw = self.objects.get(run_key(run_id))
        if raw is None:
            raise self._run_not_found(run_id)
        record = json.loads(raw)
        self._require_area(principal, record["region"], record["district"])
        seats = [allocation.Seat(**item) for item in record["seats"]]
        candidates = [
            allocation.Candidate(
                **{
                    **item,
                    "registered_at": datetime.fromisoformat(item["registered_at"]),
                    "preferences": tuple(item["preferences"]),
                }
            )
            for item in record["candidates"]
        ]
        offers = _offers_from(record["offers"], {seat.seat_id: seat for seat in seats})
        ratio = (int(record["ratio"][0]), int(record["ratio"][1]))
        violations = allocation.audit(
            seats, candidates, offers, ratio=ratio, whole_district=bool(record["whole_district"])
        )
        offered = {(o.seat.seat_id, o.application_id) for o in offers}
        violations += [
            f"direction {item['number']} gives seat {item['seat_id']} to {item['application_id']} without an offer"
            for item in record["issued"]
            if (item["seat_id"], item["application_id"]) not in offered
        ]
        return {
            "run_id": run_id,
            "at": record["at"],
            "region": record["region"],
            "district": record["district"],
            "seats": len(seats),
            "candidates": len(candidates),
            "offers": len(offers),
            "issued": record["issued"],
            "skipped": record["skipped"],
            "violations": violations,
        }

    # --- the parent -----------------------------------------------------------------------------

    def of_application(self, principal: Principal, application_id: str) -> list[DirectionView]:
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
        return [self._view(d, actions=self._parent_actions(d, now)) for d in ordered]

    def extend(self, principal: Principal, number: str, days: int) -> DirectionView:
        """Extend the direction once, by 1–30 calendar days; the sweep's timer moves with it."""
        now = self.clock.now()
        app = self._own(principal, self._get(number))

        def plan(direction: Direction) -> Callable[[Change], None]:
            check_extension(
                status=direction.state,
                extended=bool(direction.extended),
                deadline=direction.deadline,
                days=days,
                now=now,
                rules=self.rules,
            )
            deadline = extended_deadline(direction.deadline, days)

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
                        **self.directions.timer_values(deadline, now),
                    },
                )
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
        until = _day(last_valid_day(direction.deadline))
        self._tell(
            app,
            "Жолдаманың мерзімі ұзартылды",
            "Срок направления продлён",
            f"Жолдама № {number} {until} қоса алғанда жарамды.\n"
            f"Направление № {number} действительно по {until} включительно.",
        )
        return self._view(direction, actions=self._parent_actions(direction, now))

    def revoke(self, principal: Principal, number: str) -> DirectionView:
        """Give the direction up within 24 hours of issue: the seat is freed, the child keeps its place."""
        now = self.clock.now()
        app = self._own(principal, self._get(number))

        def plan(direction: Direction) -> Callable[[Change], None]:
            check_revocation(status=direction.state, issued_at=direction.issued_at, now=now, rules=self.rules)
            return self._ending(direction, DirectionStatus.REVOKED, now, _who(principal))

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
        self._tell(
            app,
            "Жолдамадан бас тартылды",
            "Направление отозвано",
            f"Жолдама № {number} кері қайтарылды. Бала кезектегі орнын сақтайды.\n"
            f"Направление № {number} отозвано. Ребёнок сохраняет своё место в очереди.",
        )
        return self._view(direction)

    # --- the kindergarten -----------------------------------------------------------------------

    def for_kindergarten(
        self, principal: Principal, *, status: str | None = None, limit: int = 100
    ) -> list[DirectionView]:
        """The kindergarten's own directions, newest first (optionally of one status)."""
        found = self.directions.for_kindergarten(principal.kindergarten_id or "", limit=limit)
        return [self._view(d) for d in found if status is None or d.status == status]

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

        def plan(direction: Direction) -> Callable[[Change], None]:
            check_enrolment(
                status=direction.state,
                kindergarten_id=direction.kindergarten_id,
                by_kindergarten=principal.kindergarten_id or "",
                deadline=direction.deadline,
                now=now,
            )
            return self._ending(direction, DirectionStatus.ENROLLED, now, _who(principal))

        def apply(writes: Callable[[Change], None], direction: Direction) -> None:
            self.applications.settle_direction(
                direction.application_id, number, DirectionStatus.ENROLLED, who=_who(principal), now=now, writes=writes
            )

        direction = self._change_direction(number, plan, apply)
        app = self.applications.get(direction.application_id)
        kindergarten = self.reference.get_kindergarten(direction.kindergarten_id)
        name = kindergarten.name if kindergarten else Bilingual(direction.kindergarten_id, direction.kindergarten_id)
        self._tell(
            app,
            "Бала балабақшаға қабылданды",
            "Ребёнок зачислен в детский сад",
            f"{_child_name(direction)}: «{name.kk}» балабақшасына қабылданды (жолдама № {number}). "
            "Бала кезектен шықты.\n"
            f"{_child_name(direction)}: зачислен(а) в «{name.ru}» (направление № {number}). Ребёнок снят с очереди.",
        )
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
            self._tell_expired(outcome)
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
            writes = self._ending(direction, DirectionStatus.EXPIRED, now, SYSTEM)
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
            except ChangeRefused:
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
            except ChangeRefused:
                continue
            return self._get(number)
        raise _changed_concurrently(number)

    def _ending(
        self, direction: Direction, outcome: DirectionStatus, now: datetime, who: str
    ) -> Callable[[Change], None]:
        """The writes that end a live direction: its status and timer, its seat, its history."""

        def writes(change: Change) -> None:
            self.directions.update(
                change,
                direction,
                {"status": outcome.value, "status_at": now, **self.directions.timer_values(None, now)},
            )
            if outcome is DirectionStatus.ENROLLED:
                self.seats.take(change, direction.seat_id, direction.number, now)
            else:
                self.seats.release(
                    change, direction.seat_id, direction.number, region=direction.region, district=direction.district,
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
            )

        return writes

    def _issue(self, offer: allocation.Offer, app: Application, run_id: str, now: datetime) -> Direction:
        """One offer becomes a direction, in one transaction with its seat and the child's application."""
        seat = offer.seat
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
            explanation={"run_id": run_id, **_offer_json(offer)},
            **self.directions.timer_values(deadline, now),
        )

        def writes(change: Change) -> None:
            self.seats.offer(change, seat.seat_id, number, now)
            self.directions.put_new(change, direction)
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

    # --- internals: reads -----------------------------------------------------------------------

    def _queue_members(self, region: str, district: str, cohorts: set[int]) -> dict[str, Application]:
        scope = self.applications.rules.scope
        members: dict[str, Application] = {}
        for cohort in sorted(cohorts):
            for app in self.applications.in_queue_order(queue_key(region, district, cohort, scope)):
                if app.district == district and app.state is ApplicationStatus.ACTIVE:
                    members[app.id] = app
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
                )
            )
        return candidates

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

    def _parent_actions(self, direction: Direction, now: datetime) -> tuple[str, ...]:
        if not direction.state.live or now >= direction.deadline:
            return ()
        actions = []
        if not direction.extended:
            actions.append("extend")
        if now < revocable_until(direction.issued_at, self.rules):
            actions.append("revoke")
        return tuple(actions)

    def _view(self, direction: Direction, *, actions: tuple[str, ...] = ()) -> DirectionView:
        kindergarten = self.reference.get_kindergarten(direction.kindergarten_id)
        group = self.reference.get_group(direction.kindergarten_id, direction.group_id)
        url = None
        if direction.document_id:
            record = self.documents.documents.get(direction.document_id)
            url = self.documents.download_link(record) if record is not None else None
        return DirectionView(direction, kindergarten, group, url, actions)

    # --- internals: documents and messages ------------------------------------------------------

    def _deliver(self, direction: Direction, app: Application) -> None:
        """The direction's PDF (appendix 10) and the parent's e-mail and SMS, after the direction exists."""
        kindergarten = self.reference.get_kindergarten(direction.kindergarten_id)
        group = self.reference.get_group(direction.kindergarten_id, direction.group_id)
        region = self.reference.get_region(direction.region)
        if kindergarten is None:
            raise InvalidInput("vacancy.unknown_kindergarten", "Балабақша табылмады.", "Детский сад не найден.")
        applicant = app.applicant
        address = applicant.address
        home = (
            ", ".join(p for p in (address.city, address.district, address.street, address.house, address.flat) if p)
            if address
            else ""
        )
        valid_until = last_valid_day(direction.deadline)
        record = self.documents.issue(
            DocumentKind.DIRECTION,
            {
                "direction_number": direction.number,
                "kindergarten_name": kindergarten.name,
                "kindergarten_address": kindergarten.address,
                "kindergarten_phone": kindergarten.phone,
                "kindergarten_head": kindergarten.head_name,
                "group": group.name if group else None,
                "language_of_instruction": direction.language,
                "child_surname": direction.child_surname,
                "child_name": direction.child_given_name,
                "child_birth_date": direction.birth_date,
                "home_address": home or "—",
                "home_phone": applicant.phone,
                "valid_until": valid_until,
                "issued_by": _issued_by(region.name if region else Bilingual(direction.region, direction.region)),
            },
            subject=f"{SUBJECT}#{app.id}",
            owner_iin=app.applicant_iin,
            number=direction.number,
            issued_at=direction.issued_at,
        )
        direction.update(actions=[Direction.document_id.set(record.document_id)], add_version_condition=False)
        until = _day(valid_until)
        kk = (
            f"{_child_name(direction)} балаға жолдама берілді: № {direction.number}.\n"
            f"Балабақша: {kindergarten.name.kk}, {kindergarten.address.kk}, тел. {kindergarten.phone}.\n"
            f"Жолдама {until} қоса алғанда жарамды: осы мерзімде баланы балабақшаға әкеліңіз, "
            "әйтпесе жолдама жойылып, бала стоп-тізімге енгізіледі."
        )
        ru = (
            f"Ребёнку {_child_name(direction)} выдано направление № {direction.number}.\n"
            f"Детский сад: {kindergarten.name.ru}, {kindergarten.address.ru}, тел. {kindergarten.phone}.\n"
            f"Направление действительно по {until} включительно: приведите ребёнка в детский сад в этот срок, "
            "иначе направление будет аннулировано, а ребёнок попадёт в стоп-лист."
        )
        pdf = self.objects.get(record.key)
        attachments = [Attachment(DocumentKind.DIRECTION.file_name(record.document_id), pdf)] if pdf else []
        self.notifier.send_email(
            applicant.email, "Жолдама берілді / Выдано направление", f"{kk}\n\n{ru}", attachments=attachments
        )
        self.notifier.send_sms(
            applicant.phone,
            f"Жолдама {direction.number}: {kindergarten.name.kk}, {until} дейін. "
            f"Направление {direction.number}: {kindergarten.name.ru}, до {until}.",
        )

    def _tell_expired(self, outcome: ExpiryOutcome) -> None:
        direction = outcome.direction
        number = direction.number
        if outcome.result == "removed":
            text = (
                f"Жолдама № {number} мерзімінде пайдаланылмады. Бұл екінші рет: бала кезектен шығарылды.\n"
                f"Направление № {number} не использовано в срок. Это второй раз: ребёнок исключён из очереди."
            )
            self._tell_contacts(direction, "Бала кезектен шығарылды", "Ребёнок исключён из очереди", text)
        elif outcome.result == "stop_listed" and outcome.stop_list_until is not None:
            until = _day(last_valid_day(outcome.stop_list_until))
            text = (
                f"Жолдама № {number} мерзімінде пайдаланылмады және жойылды. Бала {until} қоса алғанда "
                "стоп-тізімде: бұл уақытта жолдама берілмейді.\n"
                f"Направление № {number} не использовано в срок и аннулировано. Ребёнок в стоп-листе по {until} "
                "включительно: в это время направление не выдаётся."
            )
            self._tell_contacts(direction, "Жолдаманың мерзімі өтті", "Срок направления истёк", text)
        else:
            text = f"Жолдама № {number} мерзімі өтті.\nСрок направления № {number} истёк."
            self._tell_contacts(direction, "Жолдаманың мерзімі өтті", "Срок направления истёк", text)

    def _tell_contacts(self, direction: Direction, subject_kk: str, subject_ru: str, text: str) -> None:
        """Tell the parent at the contacts the direction was issued to (the sweep reads no application)."""
        if direction.notify_email:
            self.notifier.send_email(direction.notify_email, f"{subject_kk} / {subject_ru}", text)
        if direction.notify_phone:
            self.notifier.send_sms(direction.notify_phone, text[:300])

    def _tell(self, app: Application, subject_kk: str, subject_ru: str, text: str) -> None:
        applicant = app.applicant
        self.notifier.send_email(applicant.email, f"{subject_kk} / {subject_ru}", text)
        self.notifier.send_sms(applicant.phone, text[:300])

