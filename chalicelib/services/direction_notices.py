"""What the parent receives about a direction: its PDF (seed 004, appendix 10), e-mails and SMS, in kk and ru.

Nothing here renders or sends: each notice is a set of jobs (``chalicelib/jobs``) the change of
the direction writes in its own transaction. The PDF is a ``document.render`` job whose builder
(:func:`build_document`) reads the direction as committed when it runs; its document id comes
from the job id, so the direction points at it from the commit on (shown "being prepared" until
it is rendered). Every notice goes to the e-mail address and phone copied onto the direction
from the application, about the parent who applied (``owner_iin``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from chalicelib.documents.kinds import DocumentKind
from chalicelib.domain.directions import last_valid_day
from chalicelib.domain.names import person_name
from chalicelib.domain.reference import Bilingual, Kindergarten
from chalicelib.jobs.consequences import document_job, message_jobs, stamp
from chalicelib.services.documents import DocumentService
from chalicelib.store.applications import Application
from chalicelib.store.directions import Direction
from chalicelib.store.jobs import Job
from chalicelib.store.reference import ReferenceRepository

SUBJECT = "application"  # the direction's PDF is one of the application's documents
BUILDER = "direction"


def child_name(direction: Direction) -> str:
    return person_name(direction.child_surname, direction.child_given_name, direction.child_patronymic)


def _day(at: datetime) -> str:
    return at.strftime("%d.%m.%Y")


def _issued_by(name: Bilingual) -> Bilingual:
    return Bilingual(f"{name.kk} білім басқармасы", f"Управление образования ({name.ru})")


def _home(app: Application) -> str:
    address = app.applicant.address
    if address is None:
        return "—"
    parts = (address.city, address.district, address.street, address.house, address.flat)
    return ", ".join(p for p in parts if p) or "—"


def document_data(
    reference: ReferenceRepository, direction: Direction, app: Application, kindergarten: Kindergarten
) -> dict[str, object]:
    """What the direction's PDF (appendix 10) says: its facts as they stand."""
    group = reference.get_group(direction.kindergarten_id, direction.group_id)
    region = reference.get_region(direction.region)
    return {
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
        "home_address": _home(app),
        "home_phone": app.applicant.phone,
        "valid_until": last_valid_day(direction.deadline),
        "issued_by": _issued_by(region.name if region else Bilingual(direction.region, direction.region)),
    }


def document_order(number: str) -> str:
    """The direction's documents render in the order of its changes (each supersedes the one before)."""
    return f"direction#{number}#documents"


def expired_message(number: str, result: str, stop_list_until: datetime | None) -> tuple[str, str]:
    """A lapse: the stop-list's last day, or the removal at the second miss (subject, text)."""
    if result == "removed":
        subject = ("Бала кезектен шығарылды", "Ребёнок исключён из очереди")
        text = (
            f"Жолдама № {number} мерзімінде пайдаланылмады. Бұл екінші рет: бала кезектен шығарылды.\n"
            f"Направление № {number} не использовано в срок. Это второй раз: ребёнок исключён из очереди."
        )
    elif result == "stop_listed" and stop_list_until is not None:
        until = _day(last_valid_day(stop_list_until))
        subject = ("Жолдаманың мерзімі өтті", "Срок направления истёк")
        text = (
            f"Жолдама № {number} мерзімінде пайдаланылмады және жойылды. Бала {until} қоса алғанда "
            "стоп-тізімде: бұл уақытта жолдама берілмейді.\n"
            f"Направление № {number} не использовано в срок и аннулировано. Ребёнок в стоп-листе по {until} "
            "включительно: в это время направление не выдаётся."
        )
    else:
        subject = ("Жолдаманың мерзімі өтті", "Срок направления истёк")
        text = f"Жолдама № {number} мерзімі өтті.\nСрок направления № {number} истёк."
    return f"{subject[0]} / {subject[1]}", text


@dataclass(frozen=True)
class DocumentJob:
    """A direction's PDF to render: the job, and the document id it will have."""

    job: Job
    document_id: str


@dataclass(frozen=True)
class DirectionNotices:
    """The jobs of each change of a direction (documents and messages), built before its commit."""

    reference: ReferenceRepository
    documents: DocumentService

    def document(
        self,
        direction: Direction,
        now: datetime,
        *,
        application_id: str,
        reissued_for: str | None = None,
    ) -> DocumentJob:
        """The direction's PDF: issued with the direction, or again (``reissued_for`` a change) superseding
        the one the direction points at now."""
        subject = f"{SUBJECT}#{application_id}"
        if reissued_for is None:
            key = f"direction#{direction.number}#document"
            extra: dict[str, object] = {}
        else:
            key = f"direction#{direction.number}#document#{reissued_for}#{stamp(now)}"
            extra = {"reissued_for": reissued_for, "issued_at": now.isoformat(), "supersedes": direction.document_id}
        job = document_job(
            key,
            builder=BUILDER,
            kind=DocumentKind.DIRECTION.value,
            subject=subject,
            now=now,
            order_key=document_order(direction.number),
            number=direction.number,
            **extra,
        )
        return DocumentJob(job, self.documents.for_job(job.id)[0])

    def _tell(
        self, direction: Direction, event: str, now: datetime, title: str, text: str, **options: object
    ) -> list[Job]:
        return message_jobs(
            f"direction#{direction.number}#{event}",
            subject=f"direction#{direction.number}",
            owner_iin=direction.applicant_iin,
            now=now,
            email=direction.notify_email,
            phone=direction.notify_phone,
            title=title,
            text=text,
            **options,  # type: ignore[arg-type]
        )

    def issued(
        self, direction: Direction, kindergarten: Kindergarten, document: DocumentJob, now: datetime
    ) -> list[Job]:
        """The e-mail (with the direction's PDF) and the SMS of a new direction."""
        until = _day(last_valid_day(direction.deadline))
        kk = (
            f"{child_name(direction)} балаға жолдама берілді: № {direction.number}.\n"
            f"Балабақша: {kindergarten.name.kk}, {kindergarten.address.kk}, тел. {kindergarten.phone}.\n"
            f"Жолдама {until} қоса алғанда жарамды: осы мерзімде баланы балабақшаға әкеліңіз, "
            "әйтпесе жолдама жойылып, бала стоп-тізімге енгізіледі."
        )
        ru = (
            f"Ребёнку {child_name(direction)} выдано направление № {direction.number}.\n"
            f"Детский сад: {kindergarten.name.ru}, {kindergarten.address.ru}, тел. {kindergarten.phone}.\n"
            f"Направление действительно по {until} включительно: приведите ребёнка в детский сад в этот срок, "
            "иначе направление будет аннулировано, а ребёнок попадёт в стоп-лист."
        )
        return self._tell(
            direction,
            "issued",
            now,
            "Жолдама берілді / Выдано направление",
            f"{kk}\n\n{ru}",
            sms=f"Жолдама {direction.number}: {kindergarten.name.kk}, {until} дейін. "
            f"Направление {direction.number}: {kindergarten.name.ru}, до {until}.",
            attach_jobs=[document.job.id],
        )

    def extended(self, direction: Direction, deadline: datetime, document: DocumentJob, now: datetime) -> list[Job]:
        """The new last valid day; the direction issued again with it is attached."""
        until = _day(last_valid_day(deadline))
        return self._tell(
            direction,
            "extended",
            now,
            "Жолдаманың мерзімі ұзартылды / Срок направления продлён",
            f"Жолдама № {direction.number} {until} қоса алғанда жарамды. Жаңа мерзімі көрсетілген жолдама "
            "қайта берілді, бұрынғысы жарамсыз.\n"
            f"Направление № {direction.number} действительно по {until} включительно. Направление с новым "
            "сроком выдано заново, прежнее недействительно.",
            attach_jobs=[document.job.id],
        )

    def revoked(self, direction: Direction, now: datetime) -> list[Job]:
        number = direction.number
        return self._tell(
            direction,
            "revoked",
            now,
            "Жолдамадан бас тартылды / Направление отозвано",
            f"Жолдама № {number} кері қайтарылды. Бала кезектегі орнын сақтайды.\n"
            f"Направление № {number} отозвано. Ребёнок сохраняет своё место в очереди.",
        )

    def enrolled(self, direction: Direction, kindergarten: Kindergarten | None, now: datetime) -> list[Job]:
        number, name = direction.number, child_name(direction)
        where = kindergarten.name if kindergarten else Bilingual(direction.kindergarten_id, direction.kindergarten_id)
        return self._tell(
            direction,
            "enrolled",
            now,
            "Бала балабақшаға қабылданды / Ребёнок зачислен в детский сад",
            f"{name}: «{where.kk}» балабақшасына қабылданды (жолдама № {number}). Бала кезектен шықты.\n"
            f"{name}: зачислен(а) в «{where.ru}» (направление № {number}). Ребёнок снят с очереди.",
        )

    def expired(self, direction: Direction, now: datetime) -> list[Job]:
        """A lapse: what it meant (stop-list or removal) is decided by the expiry's transaction, so the
        text is made when the job runs, from the application's record of this direction."""
        return message_jobs(
            f"direction#{direction.number}#expired",
            subject=f"direction#{direction.number}",
            owner_iin=direction.applicant_iin,
            now=now,
            email=direction.notify_email,
            phone=direction.notify_phone,
            template={
                "template": "direction.expired",
                "number": direction.number,
                "application_id": direction.application_id,
            },
        )
