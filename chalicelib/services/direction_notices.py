"""What the parent receives about a direction: its PDF (seed 004, appendix 10), e-mails and SMS, in kk and ru.

Every notice goes to the e-mail address and phone of the application (for the expiry sweep,
their copy on the direction, so that the sweep reads no application).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from chalicelib.documents.kinds import DocumentKind
from chalicelib.domain.directions import last_valid_day
from chalicelib.domain.names import person_name
from chalicelib.domain.reference import Bilingual, Kindergarten
from chalicelib.notify.model import Attachment, Notifier
from chalicelib.services.documents import DocumentService
from chalicelib.store.applications import Application
from chalicelib.store.directions import Direction
from chalicelib.store.documents import IssuedDocument
from chalicelib.store.objects import ObjectStore
from chalicelib.store.reference import ReferenceRepository

SUBJECT = "application"  # the direction's PDF is one of the application's documents


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


@dataclass(frozen=True)
class DirectionNotices:
    reference: ReferenceRepository
    documents: DocumentService
    objects: ObjectStore
    notifier: Notifier

    def document(
        self,
        direction: Direction,
        app: Application,
        kindergarten: Kindergarten,
        *,
        supersedes: IssuedDocument | None = None,
        reissued_for: str | None = None,
        issued_at: datetime | None = None,
    ) -> IssuedDocument:
        """Render the direction's PDF (appendix 10) with its facts as they stand, keep it among the
        application's documents; with ``supersedes``, it replaces that earlier one."""
        group = self.reference.get_group(direction.kindergarten_id, direction.group_id)
        region = self.reference.get_region(direction.region)
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
                "home_address": _home(app),
                "home_phone": app.applicant.phone,
                "valid_until": valid_until,
                "issued_by": _issued_by(region.name if region else Bilingual(direction.region, direction.region)),
            },
            subject=f"{SUBJECT}#{app.id}",
            owner_iin=app.applicant_iin,
            number=direction.number,
            issued_at=issued_at or direction.issued_at,
            supersedes=supersedes,
            reissued_for=reissued_for,
        )
        return record

    def issued(self, direction: Direction, app: Application, kindergarten: Kindergarten) -> IssuedDocument:
        """Render the direction's PDF, keep it among the application's documents, send it by e-mail; an SMS."""
        record = self.document(direction, app, kindergarten)
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
        pdf = self.documents.pdf(record)
        attachments = [Attachment(DocumentKind.DIRECTION.file_name(record.document_id), pdf)] if pdf else []
        self.notifier.send_email(
            app.applicant.email, "Жолдама берілді / Выдано направление", f"{kk}\n\n{ru}", attachments=attachments
        )
        self.notifier.send_sms(
            app.applicant.phone,
            f"Жолдама {direction.number}: {kindergarten.name.kk}, {until} дейін. "
            f"Направление {direction.number}: {kindergarten.name.ru}, до {until}.",
        )
        return record

    def extended(self, app: Application, direction: Direction, document: IssuedDocument | None = None) -> None:
        """The new last valid day; the direction issued again with it is attached."""
        until = _day(last_valid_day(direction.deadline))
        pdf = self.documents.pdf(document) if document is not None else None
        attachments = (
            [Attachment(DocumentKind.DIRECTION.file_name(document.document_id), pdf)] if pdf and document else []
        )
        self._tell(
            app,
            "Жолдаманың мерзімі ұзартылды",
            "Срок направления продлён",
            f"Жолдама № {direction.number} {until} қоса алғанда жарамды. Жаңа мерзімі көрсетілген жолдама "
            "қайта берілді, бұрынғысы жарамсыз.\n"
            f"Направление № {direction.number} действительно по {until} включительно. Направление с новым "
            "сроком выдано заново, прежнее недействительно.",
            attachments,
        )

    def revoked(self, app: Application, direction: Direction) -> None:
        number = direction.number
        self._tell(
            app,
            "Жолдамадан бас тартылды",
            "Направление отозвано",
            f"Жолдама № {number} кері қайтарылды. Бала кезектегі орнын сақтайды.\n"
            f"Направление № {number} отозвано. Ребёнок сохраняет своё место в очереди.",
        )

    def enrolled(self, app: Application, direction: Direction, kindergarten: Kindergarten | None) -> None:
        number, name = direction.number, child_name(direction)
        where = kindergarten.name if kindergarten else Bilingual(direction.kindergarten_id, direction.kindergarten_id)
        self._tell(
            app,
            "Бала балабақшаға қабылданды",
            "Ребёнок зачислен в детский сад",
            f"{name}: «{where.kk}» балабақшасына қабылданды (жолдама № {number}). Бала кезектен шықты.\n"
            f"{name}: зачислен(а) в «{where.ru}» (направление № {number}). Ребёнок снят с очереди.",
        )

    def expired(self, direction: Direction, result: str, stop_list_until: datetime | None) -> None:
        """A lapse: the stop-list's last day, or the removal at the second miss."""
        number = direction.number
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
        if direction.notify_email:
            self.notifier.send_email(direction.notify_email, f"{subject[0]} / {subject[1]}", text)
        if direction.notify_phone:
            self.notifier.send_sms(direction.notify_phone, text[:300])

    def _tell(
        self, app: Application, subject_kk: str, subject_ru: str, text: str, attachments: list[Attachment] | None = None
    ) -> None:
        self.notifier.send_email(
            app.applicant.email, f"{subject_kk} / {subject_ru}", text, attachments=attachments or []
        )
        self.notifier.send_sms(app.applicant.phone, text[:300])
