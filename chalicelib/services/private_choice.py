"""A private kindergarten under the state educational order (seed 002): the list, the draft, the signed choice.

The parent of a child who is in the queue and 3 years or older sees the private kindergartens
of the region with free state-order seats for the child's birth-year cohort (language of
instruction, address, district), chooses one, acknowledges that the child leaves the city
queue without keeping its number, and signs. The child then leaves the queue
(``left_for_private``) in the same transaction that takes the seat, and the parent receives
the "direction to a private preschool organisation" (PDF, e-mail, SMS).

Every rule is checked when the list is shown, when the draft is built and again on the signed
document; a refusal leaves nothing behind (the signed XML is removed if the change fails).
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Protocol

from chalicelib.clock import Clock, local_time
from chalicelib.documents.kinds import DocumentKind
from chalicelib.domain.directions import DirectionNumber, issue_year, on_stop_list, on_stop_list_refusal
from chalicelib.domain.errors import Conflict, Forbidden, InvalidInput
from chalicelib.domain.names import person_name
from chalicelib.domain.principal import Principal
from chalicelib.domain.private_choice import (
    PrivateChoice,
    check_acknowledged,
    check_age,
    check_kindergarten,
    choice_xml,
    no_vacancy,
    private_choice_from,
    read_choice,
)
from chalicelib.domain.queue import ApplicationStatus, cohort_of, not_in_queue
from chalicelib.domain.reference import Bilingual, Group, Kindergarten
from chalicelib.domain.signed_facts import first_difference
from chalicelib.eds.model import Check, Holder, KeyPurpose, SignatureRefused
from chalicelib.jobs.consequences import document_job, message_jobs
from chalicelib.notify.model import Notifier
from chalicelib.services.auth import Verifier
from chalicelib.services.documents import DocumentService
from chalicelib.store.applications import Application, ApplicationRepository
from chalicelib.store.directions import KINDERGARTEN_SUBJECT
from chalicelib.store.history import Change, ChangeRefused, HistoryRecord, add_jobs, history_record
from chalicelib.store.jobs import Job
from chalicelib.store.objects import ObjectStore
from chalicelib.store.reference import ReferenceRepository
from chalicelib.store.vacancies import FILL_LABEL, SEAT_LABEL

if TYPE_CHECKING:  # the holidays tables load only when a direction is issued
    from chalicelib.domain.calendar import WorkingCalendar

SUBJECT = "application"
LEFT_WHY = "private_state_order"
NUMBER_PREFIX = "ЖБ"  # жеке балабақша: "ЖБ.2026.000001", numbered apart from the queue's "Ж.2026.000123"
SEAT_ATTEMPTS = 3
KINDERGARTEN_EVENT_CODE = 6  # tells this event apart from the direction events (1–5) of the same instant


@dataclass(frozen=True)
class FreeSeats:
    """Free state-order seats of one kindergarten for one cohort, in one group taught in one language."""

    kindergarten_id: str
    language: str
    count: int
    group: Group | None = None


@dataclass(frozen=True)
class SeatTaking:
    """The seat a choice takes, and the conditional write (labelled ``seat``) that takes it."""

    seat_id: str
    write: Callable[[Change], None]


class StateOrderSeats(Protocol):
    """Where the free state-order seats of private kindergartens come from, and how one is taken.

    Served by the published vacancies (``chalicelib.services.vacancies.PublishedStateOrderSeats``).
    """

    def free(self, kindergartens: Iterable[Kindergarten], cohort: int) -> list[FreeSeats]:
        """Free seats of these kindergartens for children born in ``cohort``, by group and language."""
        ...

    def taking(
        self, kindergarten: Kindergarten, cohort: int, language: str, application_id: str, now: datetime
    ) -> SeatTaking | None:
        """How to take one free seat; None when there is none left."""
        ...


@dataclass(frozen=True)
class PrivateOption:
    """One line of the list: a kindergarten with free seats for the child in one language."""

    kindergarten: Kindergarten
    district_name: Bilingual | None
    language: str
    free_seats: int
    group: Group | None


@dataclass(frozen=True)
class PrivateOptions:
    application: Application
    cohort: int
    allowed_from: date
    options: list[PrivateOption]


@dataclass(frozen=True)
class PrivateDirection:
    """The outcome of a signed choice: the application as it is now and the direction issued."""

    application: Application
    number: str
    kindergarten: Kindergarten
    language: str
    group: Group | None
    seat_id: str
    valid_until: date
    document_id: str  # rendered by a job of the choice's transaction: "being prepared" until then


def _refuse_foreign() -> Forbidden:
    return Forbidden("application.not_yours", "Бұл өтініш сіздікі емес.", "Это заявление подано не вами.")


def _mismatch(field: str | None = None) -> InvalidInput:
    named_kk = f": «{field}» сәйкес келмейді" if field else ""
    named_ru = f": не совпадает «{field}»" if field else ""
    return InvalidInput(
        "private.document_mismatch",
        f"Қол қойылған құжат осы өтініш бойынша жеке балабақшаны таңдау туралы емес{named_kk}.",
        f"Подписанный документ не является выбором частного детского сада по этому заявлению{named_ru}.",
        details={"field": field} if field else None,
    )


def _issued_by(region_name: Bilingual) -> Bilingual:
    return Bilingual(f"{region_name.kk} білім басқармасы", f"Управление образования ({region_name.ru})")


@dataclass(frozen=True)
class PrivateChoiceService:
    clock: Clock
    verifier: Verifier
    reference: ReferenceRepository
    applications: ApplicationRepository
    seats: StateOrderSeats
    documents: DocumentService
    objects: ObjectStore
    notifier: Notifier
    calendar: WorkingCalendar
    min_age_years: int
    valid_working_days: int

    def options(
        self, principal: Principal, application_id: str, *, district: str | None = None, language: str | None = None
    ) -> PrivateOptions:
        """The private kindergartens of the application's region with free seats for the child."""
        app = self._eligible(principal, application_id, self.clock.now())
        cohort = cohort_of(app.birth_date)
        kindergartens = {
            k.id: k
            for k in self.reference.list_region_kindergartens(app.region)
            if k.offers_private_state_order and (not district or k.district == district)
        }
        districts = {d.code: d.name for d in self.reference.list_districts(app.region)}
        options = [
            PrivateOption(kindergarten, districts.get(kindergarten.district), free.language, free.count, free.group)
            for free in self.seats.free(kindergartens.values(), cohort)
            if free.count > 0
            and (kindergarten := kindergartens.get(free.kindergarten_id)) is not None
            and (not language or free.language == language)
        ]
        order = {kindergarten_id: index for index, kindergarten_id in enumerate(kindergartens)}
        options.sort(  # the child's own district first, then as the reference lists them; its queue language first
            key=lambda o: (
                o.kindergarten.district != app.district,
                order[o.kindergarten.id],
                o.language != app.language,
                o.language,
            )
        )
        return PrivateOptions(app, cohort, private_choice_from(app.birth_date, self.min_age_years), options)

    def draft(
        self,
        principal: Principal,
        application_id: str,
        *,
        kindergarten_id: str,
        language: str | None,
        acknowledged: bool,
    ) -> str:
        """The choice to sign, checked against every rule now so that a signature is not wasted."""
        now = self.clock.now()
        app = self._eligible(principal, application_id, now)
        check_acknowledged(acknowledged)
        choice = PrivateChoice(
            application_id=app.id,
            applicant_iin=principal.iin,
            child_iin=app.child_iin,
            kindergarten_id=kindergarten_id,
            language=(language or app.language),  # type: ignore[arg-type]
            acknowledged=True,
        )
        kindergarten, _ = self._check_choice(app, choice)
        return choice_xml(
            choice,
            kindergarten=kindergarten,
            child_full_name=_child_name(app),
            child_birth_date=app.birth_date,
            prepared_at=now,
        )

    def choose(self, principal: Principal, application_id: str, signed_xml: str) -> PrivateDirection:
        """Verify the signed choice, re-check every rule, take the seat and leave the queue, issue the direction."""
        now = self.clock.now()
        self._own(principal, application_id)
        document = self.verifier.verify(
            signed_xml, purpose=KeyPurpose.SIGN, account_iin=principal.iin, at=now, holder=Holder.INDIVIDUAL
        )
        choice = read_choice(document.signed_root)
        if choice.applicant_iin != document.signer.iin:
            raise SignatureRefused(
                Check.IDENTITY,
                "applicant_iin_mismatch",
                "Өтініш берушінің ЖСН-і сертификаттағы ЖСН-мен сәйкес келмейді.",
                "ИИН заявителя не совпадает с ИИН в сертификате.",
            )
        if choice.application_id != application_id:
            raise _mismatch()
        check_acknowledged(choice.acknowledged)
        app = self._eligible(principal, application_id, now)
        if choice.child_iin != app.child_iin:
            raise _mismatch()
        kindergarten, group = self._check_choice(app, choice)
        expected = PrivateChoice(
            application_id=app.id,
            applicant_iin=principal.iin,
            child_iin=app.child_iin,
            kindergarten_id=choice.kindergarten_id,
            language=choice.language,
            acknowledged=True,
        )
        differs = first_difference(
            document.signed_root,
            choice_xml(
                expected,
                kindergarten=kindergarten,
                child_full_name=_child_name(app),
                child_birth_date=app.birth_date,
                prepared_at=now,
            ),
        )
        if differs is not None:
            raise _mismatch(differs)
        number = self._number(now)
        valid_until = self.calendar.nth_working_day_after(local_time(now).date(), self.valid_working_days)
        # the direction's PDF, the e-mail that carries it and the SMS: jobs of the leaving transaction
        job = private_document_job(app.id, number, kindergarten.id, choice.language, group, valid_until, now)
        jobs = [job, *self._tell(app, number, kindergarten, valid_until, job.id, now)]
        signed_key = f"signed/private/{now:%Y/%m/%d}/{secrets.token_hex(12)}.xml"
        self.objects.put(signed_key, document.received, content_type="application/xml")
        try:
            left, seat = self._leave(principal, app, number, kindergarten, choice.language, signed_key, now, jobs)
        except Exception:
            self.objects.delete(signed_key)
            raise
        document_id = self.documents.for_job(job.id)[0]
        return PrivateDirection(left, number, kindergarten, choice.language, group, seat, valid_until, document_id)

    # --- internals ------------------------------------------------------------------------------

    def _own(self, principal: Principal, application_id: str) -> Application:
        app = self.applications.get(application_id)
        if not app.visible_to(principal.iin):
            raise _refuse_foreign()
        return app

    def _eligible(self, principal: Principal, application_id: str, now: datetime) -> Application:
        """The parent's application in the queue, of a child old enough, holding no direction, not stop-listed."""
        app = self._own(principal, application_id)
        if app.state is not ApplicationStatus.ACTIVE:
            raise not_in_queue(app.id)
        check_age(app.birth_date, now, self.min_age_years)
        _refuse_while_blocked(app, now)
        return app

    def _check_choice(self, app: Application, choice: PrivateChoice) -> tuple[Kindergarten, Group | None]:
        """The kindergarten, and the group the child will join (None when several groups have free seats)."""
        kindergarten = check_kindergarten(
            self.reference.get_kindergarten(choice.kindergarten_id), choice.kindergarten_id, app.region
        )
        cohort = cohort_of(app.birth_date)
        fitting = [f for f in self.seats.free([kindergarten], cohort) if f.language == choice.language and f.count > 0]
        if not fitting:
            raise no_vacancy(kindergarten.id, cohort, choice.language)
        return kindergarten, fitting[0].group if len(fitting) == 1 else None

    def _leave(
        self,
        principal: Principal,
        app: Application,
        number: str,
        kindergarten: Kindergarten,
        language: str,
        signed_key: str,
        now: datetime,
        jobs: list[Job],
    ) -> tuple[Application, str]:
        """Take a seat, leave the queue and tell the kindergarten in one transaction.

        When another parent took the seat first, the next free one is tried; when none is left,
        the choice is refused and nothing was written.
        """
        cohort = cohort_of(app.birth_date)
        who = f"{principal.role.value}:{principal.iin}"
        for _ in range(SEAT_ATTEMPTS):
            taking = self.seats.taking(kindergarten, cohort, language, app.id, now)
            if taking is None:
                break
            details = {
                "direction": number,
                "kindergarten_id": kindergarten.id,
                "language": language,
                "seat_id": taking.seat_id,
                "signed_xml_key": signed_key,
            }
            event = history_record(
                subject_type=KINDERGARTEN_SUBJECT,
                subject_id=kindergarten.id,
                ordinal=DirectionNumber.parse(number).serial * 10 + KINDERGARTEN_EVENT_CODE,
                at=now,
                who=who,
                event="private_direction.issued",
                to_state="issued",
                details={"number": number, "application_id": app.id, "cohort": cohort, **details},
            )

            try:
                left = self.applications.leave(
                    app.id,
                    ApplicationStatus.LEFT_FOR_PRIVATE,
                    who=who,
                    why=LEFT_WHY,
                    now=now,
                    details=details,
                    also=_together(taking.write, event, jobs),
                    require=lambda current: _refuse_while_blocked(current, now),
                    condition=Application.live_direction_id.does_not_exist()
                    & (Application.stop_list_until.does_not_exist() | (Application.stop_list_until <= now)),
                )
            except ChangeRefused as refused:
                if SEAT_LABEL in refused.failed or FILL_LABEL in refused.failed:
                    continue
                raise
            return left, taking.seat_id
        raise no_vacancy(kindergarten.id, cohort, language)

    def _number(self, now: datetime) -> str:
        year = issue_year(now)
        serial = self.applications.index.next_value(f"private-direction#{year}")
        return str(DirectionNumber(year, serial, NUMBER_PREFIX))

    def _tell(
        self,
        app: Application,
        number: str,
        kindergarten: Kindergarten,
        valid_until: date,
        document_job: str,
        now: datetime,
    ) -> list[Job]:
        day = f"{valid_until:%d.%m.%Y}"
        text = (
            f"{app.id}: жеке балабақшаға жолдама № {number} берілді — {kindergarten.name.kk}. "
            f"Баланы балабақшаға {day} дейін (қоса алғанда) әкеліңіз. Бала кезектен алынды.\n"
            f"{app.id}: выдано направление в частный ДДО № {number} — {kindergarten.name.ru}. "
            f"Приведите ребёнка в детский сад до {day} (включительно). Ребёнок снят с очереди."
        )
        return message_jobs(
            f"{SUBJECT}#{app.id}#private_direction",
            subject=f"{SUBJECT}#{app.id}",
            owner_iin=app.applicant_iin,
            now=now,
            email=app.applicant.email,
            phone=app.applicant.phone,
            title="Жеке балабақшаға жолдама / Направление в частный ДДО",
            text=text,
            attach_jobs=[document_job],
        )


def private_document_job(
    application_id: str,
    number: str,
    kindergarten_id: str,
    language: str,
    group: Group | None,
    valid_until: date,
    now: datetime,
) -> Job:
    """The private direction's PDF: a job whose builder reads the application when it runs."""
    return document_job(
        f"{SUBJECT}#{application_id}#private_direction",
        builder="private_direction",
        kind=DocumentKind.PRIVATE_DIRECTION.value,
        subject=f"{SUBJECT}#{application_id}",
        now=now,
        application_id=application_id,
        number=number,
        kindergarten_id=kindergarten_id,
        language=language,
        group_id=group.group_id if group else None,
        valid_until=valid_until.isoformat(),
        issued_at=now.isoformat(),
    )


def private_document_data(
    reference: ReferenceRepository,
    app: Application,
    number: str,
    kindergarten: Kindergarten,
    language: str,
    group: Group | None,
    valid_until: date,
) -> dict[str, object]:
    """What the private direction's PDF says."""
    region = reference.get_region(app.region)
    applicant = app.applicant
    address = applicant.address
    home = (
        ", ".join(p for p in (address.city, address.district, address.street, address.house, address.flat) if p)
        if address
        else "—"
    )
    return {
        "direction_number": number,
        "registration_number": app.id,
        "kindergarten_name": kindergarten.name,
        "kindergarten_address": kindergarten.address,
        "kindergarten_phone": kindergarten.phone,
        "kindergarten_head": kindergarten.head_name,
        "group": group.name if group else None,
        "language_of_instruction": language,
        "child_surname": app.child_surname,
        "child_name": app.child_given_name,
        "child_birth_date": app.birth_date,
        "home_address": home,
        "home_phone": applicant.phone,
        "valid_until": valid_until,
        "issued_by": _issued_by(region.name if region else Bilingual(app.region, app.region)),
    }


def _together(take_seat: Callable[[Change], None], event: HistoryRecord, jobs: list[Job]) -> Callable[[Change], None]:
    """The seat taken, the kindergarten's event and the parent's document and messages (jobs), as writes
    of the leaving transaction."""

    def writes(change: Change) -> None:
        take_seat(change)
        change.put("history.kindergarten", event, HistoryRecord.subject.does_not_exist())
        add_jobs(change, "private", jobs)

    return writes


def _refuse_while_blocked(app: Application, now: datetime) -> None:
    """No private direction while the child holds a direction of the queue, or is on the stop-list.

    A child holding a direction gives it up first (revokes it) or lets it run out; while on the
    stop-list "the possibility of receiving a direction is blocked" (seed 002), this one included.
    """
    if on_stop_list(app.stop_list_until, now):
        raise on_stop_list_refusal(app.stop_list_until)
    if app.live_direction_id:
        raise Conflict(
            "private.holds_direction",
            f"Балада әрекеттегі жолдама бар (№ {app.live_direction_id}): жеке балабақшаны таңдау үшін алдымен "
            "одан бас тартыңыз.",
            f"У ребёнка есть действующее направление (№ {app.live_direction_id}): чтобы выбрать частный "
            "детский сад, сначала откажитесь от него.",
            details={"direction": app.live_direction_id},
        )


def _child_name(app: Application) -> str:
    return person_name(app.child_surname, app.child_given_name, app.child_patronymic)
