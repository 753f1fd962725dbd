"""Queue use cases: prefill, draft and submit a signed application; the journal; confirm, change, withdraw."""

from __future__ import annotations

import hashlib
import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from chalicelib.clock import Clock, local_time
from chalicelib.documents.kinds import DocumentKind
from chalicelib.domain import history_words
from chalicelib.domain.application_form import (
    Address,
    Applicant,
    ApplicationForm,
    Child,
    KindergartenChoice,
    application_xml,
    check_application,
    read_application,
)
from chalicelib.domain.consequences import documents_reissued
from chalicelib.domain.contacts import validate_contacts
from chalicelib.domain.errors import Forbidden, InvalidInput
from chalicelib.domain.iin import parse_iin
from chalicelib.domain.names import person_name
from chalicelib.domain.principal import Principal
from chalicelib.domain.queue import (
    ApplicationStatus,
    BenefitStatus,
    TimerKind,
    benefit_number_words,
    child_already_in_queue,
)
from chalicelib.domain.reference import Bilingual, Kindergarten
from chalicelib.domain.refusals import GROUNDS as REFUSAL_GROUNDS
from chalicelib.domain.signed_facts import first_difference
from chalicelib.domain.uploads import UploadPurpose
from chalicelib.eds.model import Check, Holder, KeyPurpose, SignatureRefused
from chalicelib.gateways.population import PopulationRegistry
from chalicelib.jobs.consequences import document_job, message_jobs, stamp
from chalicelib.jobs.registry import job_for
from chalicelib.notify.model import Notifier
from chalicelib.observability import logger
from chalicelib.services.auth import Verifier
from chalicelib.services.documents import DocumentService
from chalicelib.services.uploads import UploadService
from chalicelib.store.accounts import AccountRepository
from chalicelib.store.applications import Address as StoredAddress
from chalicelib.store.applications import (
    ApplicantSnapshot,
    Application,
    ApplicationRepository,
    QueueNumbers,
    SignedAlready,
)
from chalicelib.store.history import HistoryRecord, add_jobs
from chalicelib.store.jobs import Job
from chalicelib.store.objects import ObjectStore
from chalicelib.store.reference import ReferenceRepository

SUBJECT = "application"
_APPLICATION_DOCUMENTS = frozenset(
    {
        DocumentKind.REGISTRATION_NOTICE,
        DocumentKind.DOCUMENTS_RECEIPT,
        DocumentKind.ACCOUNTING_BOOK_ENTRY,
        DocumentKind.CHILD_CARD,
    }
)

STATUS_WORDS: dict[str, Bilingual] = {
    ApplicationStatus.ACTIVE: Bilingual("Шешім қабылданды (Кезекте)", "Принято решение (В очереди)"),
    ApplicationStatus.WITHDRAWN: Bilingual("Кезектен алынды (ата-ананың өтініші)", "Снят с очереди (по заявлению)"),
    ApplicationStatus.REMOVED: Bilingual("Кезектен шығарылды", "Исключён из очереди"),
    ApplicationStatus.AGED_OUT: Bilingual("Мектеп жасына толды", "Достиг школьного возраста"),
    ApplicationStatus.ENROLLED: Bilingual("Балабақшаға қабылданды", "Зачислен в детский сад"),
    ApplicationStatus.LEFT_FOR_PRIVATE: Bilingual("Жеке балабақшаға жолдама алды", "Получил направление в частный ДДО"),
    ApplicationStatus.REFUSED: Bilingual("Қызмет көрсетуден бас тартылды", "Отказано в оказании услуги"),
}

REASON_WORDS: dict[str, Bilingual] = {
    **REFUSAL_GROUNDS,
    "interest_not_confirmed": Bilingual(
        "Мүдделілік 12 ай ішінде расталмады", "Заинтересованность не подтверждена в течение 12 месяцев"
    ),
    "school_age": Bilingual("Бала мектеп жасына толды", "Ребёнок достиг школьного возраста"),
    "private_state_order": Bilingual(
        "Мемлекеттік тапсырыс бойынша жеке балабақшаны таңдады (кезек нөмірі сақталмайды)",
        "Выбран частный детский сад по государственному заказу (без сохранения номера в очереди)",
    ),
    "directions_missed": Bilingual(
        "Жолдама екі рет мерзімінде пайдаланылмады", "Направление дважды не использовано в срок"
    ),
    "direction_missed": Bilingual(
        "Жолдама мерзімінде пайдаланылмады: бала стоп-тізімде",
        "Направление не использовано в срок: ребёнок в стоп-листе",
    ),
    "child_left_queue": Bilingual(
        "Бала жолдаманы ұстап тұрып кезектен шықты", "Ребёнок выбыл из очереди, имея направление"
    ),
    "enrolled": Bilingual(
        "Бала жолдама бойынша балабақшаға қабылданды", "Ребёнок зачислен в детский сад по направлению"
    ),
}


@dataclass(frozen=True)
class DraftInput:
    """What the parent types; everything the registry knows is taken from the registry instead."""

    address: Address
    email: str
    phone: str
    extra_email: str | None
    extra_phone: str | None
    child_iin: str
    child_surname: str
    child_given_name: str
    child_patronymic: str | None
    region: str
    district: str
    kindergartens: tuple[str, ...]
    language: str
    benefit: str | None
    attachments: tuple[str, ...] = field(default_factory=tuple)


@dataclass(frozen=True)
class ApplicationView:
    application: Application
    numbers: QueueNumbers


def _withdrawal_xml(app: Application, applicant_iin: str, reason: str, prepared_at: datetime) -> str:
    """The withdrawal statement: the application, its child, the applicant and their reason."""
    from lxml import etree

    root = etree.Element("queueWithdrawal", version="1", preparedAt=prepared_at.isoformat())
    etree.SubElement(root, "application", id=app.id, childIin=app.child_iin)
    etree.SubElement(root, "applicant", iin=applicant_iin)
    etree.SubElement(root, "reason").text = reason
    return etree.tostring(root, encoding="unicode")


def _benefit_claim_xml(
    app: Application, applicant_iin: str, benefit: str | None, attachments: tuple[str, ...], prepared_at: datetime
) -> str:
    """The benefit claim: the application, its child, the applicant, the category and its documents."""
    from lxml import etree

    root = etree.Element("benefitClaim", version="1", preparedAt=prepared_at.isoformat())
    etree.SubElement(root, "application", id=app.id, childIin=app.child_iin)
    etree.SubElement(root, "applicant", iin=applicant_iin)
    claimed = etree.SubElement(root, "benefit", code=benefit or "none")
    for upload in attachments:
        etree.SubElement(claimed, "attachment", id=upload)
    return etree.tostring(root, encoding="unicode")


def _draft_of(form: ApplicationForm) -> DraftInput:
    """What the parent typed, read back from a signed application (to build the document again)."""
    applicant, child = form.applicant, form.child
    return DraftInput(
        address=applicant.address,
        email=applicant.email,
        phone=applicant.phone,
        extra_email=applicant.extra_email or None,
        extra_phone=applicant.extra_phone or None,
        child_iin=child.iin,
        child_surname=child.surname,
        child_given_name=child.given_name,
        child_patronymic=child.patronymic or None,
        region=form.region,
        district=form.district,
        kindergartens=form.kindergartens,
        language=form.language,
        benefit=form.benefit,
        attachments=form.attachments,
    )


@dataclass(frozen=True)
class Submitted:
    """A registered application; ``replayed`` when the same signed document had registered it before."""

    view: ApplicationView
    replayed: bool


FORGET_ATTEMPTS = 3
REGISTRATION_KINDS = (
    DocumentKind.REGISTRATION_NOTICE,
    DocumentKind.DOCUMENTS_RECEIPT,
    DocumentKind.ACCOUNTING_BOOK_ENTRY,
    DocumentKind.CHILD_CARD,
)


def registration_jobs(app: Application, now: datetime) -> list[Job]:
    """The consequences of a registration: four documents, the e-mail that carries them, the SMS."""
    subject = f"{SUBJECT}#{app.id}"
    documents = [
        job_for(
            "document.render",
            f"{subject}#{kind.value}",
            {"builder": "application.registration", "application_id": app.id, "kind": kind.value},
            now=now,
            subject=subject,
        )
        for kind in REGISTRATION_KINDS
    ]
    message = {"template": "application.registered", "application_id": app.id, "owner_iin": app.applicant_iin}
    return [
        *documents,
        job_for(
            "message.email",
            f"{subject}#registered",
            {**message, "attach_jobs": [job.id for job in documents]},
            now=now,
            subject=subject,
        ),
        job_for("message.sms", f"{subject}#registered", message, now=now, subject=subject),
    ]


def _refuse_foreign() -> Forbidden:
    return Forbidden(
        "application.not_yours",
        "Бұл өтініш сіздікі емес.",
        "Это заявление подано не вами.",
    )


def _who(principal: Principal) -> str:
    return f"{principal.role.value}:{principal.iin}"


def _kindergarten_words(kindergarten: Kindergarten) -> str:
    """``7 «Балапан»`` (printed «№ 7 «Балапан»»): the documents name the kindergarten, not only its number."""
    found = re.search(r"«[^»]+»", kindergarten.name.kk)
    short = found.group(0) if found else kindergarten.name.kk
    return f"{kindergarten.number} {short}" if kindergarten.number else short


def _issued_by(region_name: Bilingual) -> Bilingual:
    return Bilingual(f"{region_name.kk} білім басқармасы", f"Управление образования ({region_name.ru})")


@dataclass(frozen=True)
class ApplicationService:
    clock: Clock
    verifier: Verifier
    registry: PopulationRegistry
    reference: ReferenceRepository
    applications: ApplicationRepository
    uploads: UploadService
    documents: DocumentService
    objects: ObjectStore
    notifier: Notifier
    accounts: AccountRepository
    school_age_years: int
    # ends a live direction the child held when it left the queue: (direction number, who)
    # the child's directions for the change history: (direction number, its contract's number or None)
    directions_of: Callable[[Application], list[tuple[str, str | None]]] | None = None

    # --- filing ---------------------------------------------------------------------------------

    def prefill(self, principal: Principal) -> dict[str, Any]:
        """Step 1 as the population registry knows the applicant, and the children it lists for them."""
        person = self.registry.find_person(principal.iin)
        account = self.accounts.get(principal.iin)
        children = [self.registry.find_person(iin) for iin in self.registry.children_of(principal.iin)]
        return {
            "applicant": {
                "iin": principal.iin,
                "surname": person.surname if person else principal.full_name.split(" ")[0],
                "given_name": person.given_name if person else " ".join(principal.full_name.split(" ")[1:]),
                "patronymic": person.patronymic if person else None,
                "birth_date": (person.birth_date if person else parse_iin(principal.iin).birth_date).isoformat(),
                "address": person.address.__dict__ if person else None,
            },
            "contacts": {
                "email": account.email if account else None,
                "phone": account.phone if account else None,
                "extra_email": account.extra_email if account else None,
                "extra_phone": account.extra_phone if account else None,
            },
            "children": [
                {
                    "iin": c.iin,
                    "surname": c.surname,
                    "given_name": c.given_name,
                    "patronymic": c.patronymic,
                    "birth_date": c.birth_date.isoformat(),
                    "sex": c.sex,
                }
                for c in children
                if c is not None
            ],
        }

    def draft(self, principal: Principal, draft: DraftInput) -> str:
        """The document the parent signs: checked against every rule now, so a signature is not wasted."""
        form = self._form(principal, draft)
        self._check(principal, form)
        return application_xml(form, self.clock.now())

    def submit(self, principal: Principal, signed_xml: str) -> Submitted:
        """Verify the signed application and register it; its documents and messages are jobs.

        The answer comes as soon as the registering transaction is committed: the four documents,
        the e-mail (with the documents) and the SMS are jobs written in that same transaction, so
        that nothing after the commit can be lost. The signed XML is kept under a key made from
        its digest and is locked to the application in the transaction: the same signed
        document sent again returns the same application (``replayed``), never a second one.
        """
        now = self.clock.now()
        document = self.verifier.verify(
            signed_xml, purpose=KeyPurpose.SIGN, account_iin=principal.iin, at=now, holder=Holder.INDIVIDUAL
        )
        form = read_application(document.signed_root)
        if form.applicant.iin != document.signer.iin:
            raise SignatureRefused(
                Check.IDENTITY,
                "applicant_iin_mismatch",
                "Өтініш берушінің ЖСН-і сертификаттағы ЖСН-мен сәйкес келмейді.",
                "ИИН заявителя не совпадает с ИИН в сертификате.",
            )
        digest = hashlib.sha256(document.received).hexdigest()
        replayed = self._replayed(principal, digest)
        if replayed is not None:
            return replayed
        differs = first_difference(document.signed_root, application_xml(self._form(principal, _draft_of(form)), now))
        if differs is not None:
            raise InvalidInput(
                "application.document_mismatch",
                f"Қол қойылған өтініштегі «{differs}» жүйедегі деректерге сәйкес келмейді: өтінішті қайта "
                "жасап, қайта қол қойыңыз.",
                f"В подписанном заявлении «{differs}» не совпадает с данными системы: сформируйте заявление "
                "заново и подпишите снова.",
                details={"field": differs},
            )
        self._check(principal, form)
        uploads = self.uploads.accepted(principal, form.attachments, UploadPurpose.BENEFIT)
        signed_key = f"signed/applications/{digest[:2]}/{digest}.xml"
        self.objects.put(signed_key, document.received, content_type="application/xml")
        try:
            app = self.applications.create(
                self._new_application(form, signed_key, [u.key for u in uploads]),
                who=_who(principal),
                now=now,
                signed_digest=digest,
                consequences=lambda app: registration_jobs(app, now),
            )
        except SignedAlready:
            replayed = self._replayed(principal, digest)
            if replayed is None:
                raise
            return replayed
        except Exception:
            if not self.applications.signed_document_used(digest):
                self._forget(signed_key)
            raise
        return Submitted(ApplicationView(app, self._numbers_or_none(app)), replayed=False)

    def _replayed(self, principal: Principal, digest: str) -> Submitted | None:
        """The application this very signed document registered before, if any."""
        application_id = self.applications.application_of_signed(digest)
        if application_id is None:
            return None
        app = self.applications.get(application_id)
        if not app.visible_to(principal.iin):
            raise _refuse_foreign()
        return Submitted(ApplicationView(app, self._numbers_or_none(app)), replayed=True)

    def _numbers_or_none(self, app: Application) -> QueueNumbers:
        """The queue numbers; after a commit a failing read must not turn the answer into an error."""
        try:
            return self.applications.queue_numbers(app)
        except Exception:
            logger.exception("queue numbers unreadable after the commit", extra={"application": app.id})
            return QueueNumbers(None, 0)

    def _forget(self, key: str) -> None:
        """Remove an object nothing points to (a few attempts: a failing call must not leave it)."""
        for attempt in range(FORGET_ATTEMPTS):
            try:
                self.objects.delete(key)
                return
            except Exception:
                if attempt == FORGET_ATTEMPTS - 1:
                    logger.exception("object left behind", extra={"key": key})

    # --- the journal ----------------------------------------------------------------------------

    def journal(self, principal: Principal) -> list[ApplicationView]:
        found = self.applications.list_for_parent(principal.iin)
        return [ApplicationView(app, self.applications.queue_numbers(app)) for app in found]

    def view(self, principal: Principal, application_id: str) -> ApplicationView:
        app = self._own(principal, application_id)
        return ApplicationView(app, self.applications.queue_numbers(app))

    def history(self, principal: Principal, application_id: str) -> list[HistoryRecord]:
        """Every change of the application, of its directions and of their contracts, oldest first.

        One query per subject (the application, each direction, each contract); a change recorded
        on both the application and its direction is listed once (``history_words.merged``).
        """
        app = self._own(principal, application_id)
        own = self.applications.history(app.id)
        store = self.applications.history_store
        directions: list[HistoryRecord] = []
        contracts: list[HistoryRecord] = []
        for number, contract in self.directions_of(app) if self.directions_of is not None else []:
            directions.extend(store.for_subject("direction", number))
            if contract:
                contracts.extend(store.for_subject("contract", contract))
        return history_words.merged(own, directions, contracts)

    def documents_of(self, principal: Principal, application_id: str, language: str = "kk") -> list[dict[str, Any]]:
        """The parent's attachments and the system's documents, each with a short-lived link."""
        app = self._own(principal, application_id)
        items: list[dict[str, Any]] = []
        records = sorted(
            self.documents.documents.for_subject(f"{SUBJECT}#{app.id}"),
            key=lambda r: (r.issued_at, r.superseded_by is None),
        )
        for record in records:
            kind = DocumentKind(record.kind)
            items.append(
                {
                    "kind": kind.value,
                    "title_kk": kind.title_kk,
                    "title_ru": kind.title_ru,
                    "number": record.number,
                    "source": "system",
                    "issued_at": record.issued_at.isoformat(),
                    "url": self.documents.download_link(record, language),
                    # superseded: its facts changed and it was issued again (kept, no longer in force)
                    "superseded": record.superseded_by is not None,
                    "superseded_at": record.superseded_at.isoformat() if record.superseded_at else None,
                }
            )
        for number, key in enumerate([*(app.attachment_keys or []), *(app.benefit_document_keys or [])], start=1):
            name = key.rsplit("/", 1)[-1]
            items.append(
                {
                    "kind": "attachment",
                    "title_kk": f"Тіркелген құжат {number}: {name}",
                    "title_ru": f"Приложенный документ {number}: {name}",
                    "source": "parent",
                    "issued_at": None,
                    "url": self.objects.presigned_get(key, file_name=name),
                }
            )
        return items

    def documents_archive(self, principal: Principal, application_id: str, language: str = "kk") -> tuple[str, bytes]:
        """«Download all documents»: the documents in force and the parent's attachments, one ZIP.

        Built in memory from the kept PDFs (a handful of documents of a few hundred KB); each file
        is named in the parent's language with its number, as a single download would be.
        """
        import io
        import zipfile

        app = self._own(principal, application_id)
        buffer = io.BytesIO()
        used: set[str] = set()

        def unique(name: str) -> str:
            stem, dot, ext = name.rpartition(".")
            candidate, n = name, 2
            while candidate in used:
                candidate, n = f"{stem} ({n}){dot}{ext}", n + 1
            used.add(candidate)
            return candidate

        records = sorted(
            (r for r in self.documents.documents.for_subject(f"{SUBJECT}#{app.id}") if r.superseded_by is None),
            key=lambda r: r.issued_at,
        )
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            for record in records:
                pdf = self.documents.pdf(record)
                if pdf is not None:
                    archive.writestr(unique(DocumentKind(record.kind).download_name(record.number, language)), pdf)
            for key in [*(app.attachment_keys or []), *(app.benefit_document_keys or [])]:
                body = self.objects.get(key)
                if body is not None:
                    archive.writestr(unique(key.rsplit("/", 1)[-1]), body)
        title = "Документы" if language == "ru" else "Құжаттар"
        return f"{title} {app.id}.zip", buffer.getvalue()

    # --- actions --------------------------------------------------------------------------------

    def link_to_me(self, principal: Principal, registration_number: str, child_iin: str) -> ApplicationView:
        """The child's other parent (or one whose application was filed at a service centre) adds
        the application to their own journal, once the population registry confirms parenthood."""
        app = self.applications.find(registration_number)
        if app is None or app.child_iin != child_iin:
            raise InvalidInput(
                "application.link_not_found",
                "Осы тіркеу нөмірі мен баланың ЖСН-і бойынша өтініш табылмады.",
                "Заявление с таким регистрационным номером и ИИН ребёнка не найдено.",
                details={"field": "registration_number"},
            )
        if principal.iin not in self.registry.parents_of(child_iin):
            raise Forbidden(
                "application.not_parent",
                "Халықты тіркеу дерекқоры бойынша сіз бұл баланың ата-анасы (заңды өкілі) емессіз.",
                "По данным регистра населения вы не являетесь родителем (законным представителем) этого ребёнка.",
                details={"field": "child_iin"},
            )
        linked = self.applications.link_parent(app.id, principal.iin, who=_who(principal), now=self.clock.now())
        return ApplicationView(linked, self.applications.queue_numbers(linked))

    def confirm_interest(self, principal: Principal, application_id: str) -> ApplicationView:
        self._own(principal, application_id)
        app = self.applications.confirm_interest(application_id, who=_who(principal), now=self.clock.now())
        return ApplicationView(app, self.applications.queue_numbers(app))

    def benefit_draft(
        self, principal: Principal, application_id: str, benefit: str | None, attachments: tuple[str, ...]
    ) -> str:
        """The benefit claim the parent signs, checked against every rule now so a signature is not wasted."""
        app = self._own(principal, application_id)
        self._benefit_documents(principal, benefit, attachments)
        return _benefit_claim_xml(app, principal.iin, benefit, attachments, self.clock.now())

    def change_benefit(self, principal: Principal, application_id: str, signed_xml: str) -> ApplicationView:
        """A new benefit claim, signed like the application, with new scans; it waits for an operator,
        the general number is kept."""
        self._own(principal, application_id)
        now = self.clock.now()
        document = self.verifier.verify(
            signed_xml, purpose=KeyPurpose.SIGN, account_iin=principal.iin, at=now, holder=Holder.INDIVIDUAL
        )
        root = document.signed_root
        claimed = root.find("benefit")
        code = claimed.get("code") if claimed is not None else None
        benefit = None if code in (None, "", "none") else code
        attachments = tuple(a.get("id") or "" for a in claimed.findall("attachment")) if claimed is not None else ()
        app = self._own(principal, application_id)
        differs = first_difference(root, _benefit_claim_xml(app, principal.iin, benefit, attachments, now))
        if differs is not None:
            raise InvalidInput(
                "application.benefit_claim_mismatch",
                f"Қол қойылған құжат осы өтініш бойынша жеңілдік туралы өтініш емес: «{differs}» сәйкес келмейді.",
                f"Подписанный документ не является заявлением о льготе по этому заявлению: не совпадает «{differs}».",
                details={"field": differs},
            )
        uploads = self._benefit_documents(principal, benefit, attachments)
        key = f"signed/benefit-claims/{now:%Y/%m/%d}/{secrets.token_hex(12)}.xml"
        self.objects.put(key, document.received, content_type="application/xml")
        try:
            app = self.applications.change_benefit(
                application_id,
                benefit,
                who=_who(principal),
                now=now,
                document_keys=[u.key for u in uploads],
                jobs=reissue_jobs(application_id, "application.benefit_changed", now),
            )
        except Exception:
            self.objects.delete(key)
            raise
        return ApplicationView(app, self.applications.queue_numbers(app))

    def _benefit_documents(self, principal: Principal, benefit: str | None, attachments: tuple[str, ...]) -> list[Any]:
        codes = {c.code for c in self.reference.list_benefit_categories() if c.is_benefit}
        if benefit is not None and benefit not in codes:
            raise InvalidInput(
                "application.unknown_benefit",
                "Мұндай жеңілдік санаты жоқ.",
                "Такой категории льготы нет.",
                details={"field": "benefit"},
            )
        if benefit is not None and not attachments:
            raise InvalidInput(
                "application.benefit_without_documents",
                "Жеңілдікті растайтын құжаттарды тіркеңіз.",
                "Приложите документы, подтверждающие льготу.",
                details={"field": "attachments"},
            )
        return list(self.uploads.accepted(principal, attachments, UploadPurpose.BENEFIT))

    def withdraw_draft(self, principal: Principal, application_id: str, reason: str) -> str:
        """The withdrawal statement the parent signs."""
        app = self._own(principal, application_id)
        return _withdrawal_xml(app, principal.iin, reason, self.clock.now())

    def withdraw(self, principal: Principal, application_id: str, signed_xml: str) -> ApplicationView:
        """Withdraw from the queue on the parent's signed statement; everyone behind moves up."""
        self._own(principal, application_id)
        now = self.clock.now()
        document = self.verifier.verify(
            signed_xml, purpose=KeyPurpose.SIGN, account_iin=principal.iin, at=now, holder=Holder.INDIVIDUAL
        )
        root = document.signed_root
        app = self._own(principal, application_id)
        expected = _withdrawal_xml(app, principal.iin, root.findtext("reason") or "", now)
        differs = first_difference(root, expected)
        if differs is not None:
            raise InvalidInput(
                "application.withdrawal_mismatch",
                f"Қол қойылған өтініш осы өтінішті кезектен алу туралы емес: «{differs}» сәйкес келмейді.",
                f"Подписанный документ не является заявлением о снятии этого заявления с очереди: "
                f"не совпадает «{differs}».",
                details={"field": differs},
            )
        reason = (root.findtext("reason") or "").strip() or "withdrawn_by_parent"
        key = f"signed/withdrawals/{now:%Y/%m/%d}/{secrets.token_hex(12)}.xml"
        self.objects.put(key, document.received, content_type="application/xml")
        told = notice_jobs(
            app,
            "withdrawn",
            now,
            "Өтініш кезектен алынды / Заявление снято с очереди",
            f"{app.id}: өтініш кезектен алынды.\n{app.id}: заявление снято с очереди.",
        )
        try:
            app = self.applications.leave(
                application_id,
                ApplicationStatus.WITHDRAWN,
                who=_who(principal),
                why=reason,
                now=now,
                also=lambda change: add_jobs(change, "application", told),
            )
        except Exception:
            self.objects.delete(key)
            raise
        return ApplicationView(app, self.applications.queue_numbers(app))

    # --- timers ---------------------------------------------------------------------------------

    def run_timers(self, limit: int | None = None) -> dict[str, int]:
        """The interest-confirmation sweep: reminders 30/7/1 days before, removal after, school age.

        Reads only the due buckets; each timer is claimed by a conditional write, so two sweeps
        running at once never carry out the same one twice. The parent is told each time.
        """
        now = self.clock.now()
        counts = {"reminded": 0, "removed": 0, "aged_out": 0}
        for app in self.applications.due(now, limit=limit):
            fired = self.applications.fire(
                app, now, jobs=lambda current, kind, due: timer_jobs(current, kind, due, now)
            )
            if fired is None:
                continue
            if fired.kind is TimerKind.REMINDER:
                counts["reminded"] += 1
            elif fired.kind is TimerKind.LAPSE:
                counts["removed"] += 1
            else:
                counts["aged_out"] += 1
        return counts

    # --- internals ------------------------------------------------------------------------------

    def _own(self, principal: Principal, application_id: str) -> Application:
        app = self.applications.get(application_id)
        if not app.visible_to(principal.iin):
            raise _refuse_foreign()
        return app

    def _form(self, principal: Principal, draft: DraftInput) -> ApplicationForm:
        person = self.registry.find_person(principal.iin)
        contacts = validate_contacts(draft.email, draft.phone, draft.extra_email, draft.extra_phone)
        child_info = parse_iin(draft.child_iin, field="child.iin")
        child_person = self.registry.find_person(draft.child_iin)
        names = principal.full_name.split(" ")
        return ApplicationForm(
            applicant=Applicant(
                iin=principal.iin,
                surname=person.surname if person else names[0],
                given_name=person.given_name if person else " ".join(names[1:]),
                patronymic=(person.patronymic or "") if person else "",
                birth_date=person.birth_date if person else parse_iin(principal.iin).birth_date,
                address=draft.address,
                email=contacts.email,
                phone=contacts.phone,
                extra_email=contacts.extra_email or "",
                extra_phone=contacts.extra_phone or "",
            ),
            child=Child(
                iin=draft.child_iin,
                surname=child_person.surname if child_person else draft.child_surname,
                given_name=child_person.given_name if child_person else draft.child_given_name,
                patronymic=((child_person.patronymic if child_person else draft.child_patronymic) or ""),
                birth_date=child_info.birth_date,
                sex=child_info.sex,
            ),
            region=draft.region,
            district=draft.district,
            kindergartens=draft.kindergartens,
            language=draft.language,  # type: ignore[arg-type]
            benefit=draft.benefit,
            attachments=draft.attachments,
        )

    def _check(self, principal: Principal, form: ApplicationForm) -> dict[str, Kindergarten]:
        """Every rule of the application; returns the chosen kindergartens."""
        if form.applicant.iin != principal.iin:
            raise _refuse_foreign()
        if self.reference.get_district(form.region, form.district) is None:
            raise InvalidInput(
                "application.unknown_district",
                "Мұндай өңір немесе аудан жоқ.",
                "Такого региона или района нет.",
                details={"field": "district"},
            )
        found = self.reference.get_kindergartens(form.kindergartens)
        choices = {
            k.id: KindergartenChoice(k.id, k.region, k.district, tuple(k.languages), k.min_age_years)
            for k in found.values()
        }
        codes = {c.code for c in self.reference.list_benefit_categories() if c.is_benefit}
        check_application(
            form,
            now=self.clock.now(),
            school_age_years=self.school_age_years,
            kindergartens=choices,
            benefit_codes=codes,
        )
        parents = self.registry.parents_of(form.child.iin)
        if principal.iin not in parents:
            raise Forbidden(
                "application.not_parent",
                "Халықты тіркеу дерекқоры бойынша сіз бұл баланың ата-анасы (заңды өкілі) емессіз.",
                "По данным регистра населения вы не являетесь родителем (законным представителем) этого ребёнка.",
                details={"field": "child.iin"},
            )
        holder = self.applications.queue_place_of(form.child.iin, form.region)
        if holder is not None:  # told before the parent signs; the registering transaction still decides
            refusal = child_already_in_queue(holder)
            refusal.details["field"] = "child.iin"
            raise refusal
        return found

    def _new_application(self, form: ApplicationForm, signed_key: str, attachment_keys: list[str]) -> Application:
        applicant = form.applicant
        return Application(
            child_iin=form.child.iin,
            child_surname=form.child.surname,
            child_given_name=form.child.given_name,
            child_patronymic=form.child.patronymic or None,
            birth_date=form.child.birth_date,
            sex=form.child.sex,
            region=form.region,
            district=form.district,
            language=form.language,
            preferences=list(form.kindergartens),
            benefit_category=form.benefit,
            benefit_status=BenefitStatus.PENDING.value if form.benefit else BenefitStatus.NONE.value,
            applicant_iin=applicant.iin,
            applicant=ApplicantSnapshot(
                iin=applicant.iin,
                surname=applicant.surname,
                given_name=applicant.given_name,
                patronymic=applicant.patronymic or None,
                birth_date=applicant.birth_date,
                address=StoredAddress(**applicant.address.__dict__),
                email=applicant.email,
                phone=applicant.phone,
                extra_email=applicant.extra_email or None,
                extra_phone=applicant.extra_phone or None,
            ),
            channel=form.channel,
            signed_xml_key=signed_key,
            attachment_keys=attachment_keys,
            benefit_document_keys=[],
        )

    def _document_contents(
        self, app: Application, numbers: QueueNumbers, kindergartens: dict[str, Kindergarten]
    ) -> list[tuple[DocumentKind, dict[str, Any]]]:
        """The four documents' facts as they stand now."""
        region = self.reference.get_region(app.region)
        district = self.reference.get_district(app.region, app.district)
        issued_by = _issued_by(region.name if region else Bilingual(app.region, app.region))
        applicant = app.applicant
        parent_name = person_name(applicant.surname, applicant.given_name, applicant.patronymic)
        child_name = person_name(app.child_surname, app.child_given_name, app.child_patronymic)
        numbers_text = tuple(
            _kindergarten_words(kindergartens[k]) if k in kindergartens else k for k in app.preferences
        )
        benefit = self.reference.get_benefit_category(app.benefit_category) if app.benefit_category else None
        benefit_words = benefit.name if benefit else None
        address = applicant.address
        home = (
            ", ".join(p for p in (address.city, address.district, address.street, address.house, address.flat) if p)
            if address
            else "—"
        )
        area = Bilingual(
            f"{region.name.kk if region else app.region}, {district.name.kk if district else app.district}",
            f"{region.name.ru if region else app.region}, {district.name.ru if district else app.district}",
        )
        general = numbers.general or 0
        contents: list[tuple[DocumentKind, dict[str, Any]]] = [
            (
                DocumentKind.REGISTRATION_NOTICE,
                {
                    "registration_number": app.id,
                    "parent_full_name": parent_name,
                    "child_surname": app.child_surname,
                    "child_name": app.child_given_name,
                    "child_birth_date": app.birth_date,
                    "kindergarten_numbers": numbers_text,
                    "queue_number": general,
                    "benefit_category": benefit_words,
                    "benefit_queue_number": numbers.benefit,
                    "benefit_pending": app.benefit_status == BenefitStatus.PENDING.value,
                    "application_date": app.registered_at,
                    "issued_by": issued_by,
                },
            ),
            (
                DocumentKind.DOCUMENTS_RECEIPT,
                {
                    "registration_number": app.id,
                    "received_at": app.registered_at,
                    "channel": (
                        Bilingual("Халыққа қызмет көрсету орталығы (ХҚКО)", "Центр обслуживания населения (ЦОН)")
                        if app.channel == "service_center"
                        else Bilingual("Электрондық портал", "Электронный портал")
                    ),
                    "applicant_full_name": parent_name,
                    "applicant_iin": applicant.iin,
                    "child_full_name": child_name,
                    "child_iin": app.child_iin,
                    "child_birth_date": app.birth_date,
                    "documents": (
                        Bilingual("ЭЦҚ қол қойылған өтініш", "Заявление, подписанное ЭЦП"),
                        *(
                            Bilingual(f"Жеңілдікті растайтын құжат {i}", f"Документ, подтверждающий льготу {i}")
                            for i, _ in enumerate(app.attachment_keys or [], start=1)
                        ),
                    ),
                    "issued_by": issued_by,
                },
            ),
            (
                DocumentKind.ACCOUNTING_BOOK_ENTRY,
                {
                    "registration_number": app.id,
                    "registered_at": app.registered_at,
                    "queue_area": area,
                    "child_full_name": child_name,
                    "child_iin": app.child_iin,
                    "child_birth_date": app.birth_date,
                    "applicant_full_name": parent_name,
                    "applicant_iin": applicant.iin,
                    "home_address": home,
                    "phone": applicant.phone,
                    "language_of_instruction": app.language,
                    "kindergarten_numbers": numbers_text,
                    "benefit_category": benefit_words,
                    "queue_number": general,
                    "benefit_queue_number": numbers.benefit,
                    "benefit_pending": app.benefit_status == BenefitStatus.PENDING.value,
                    "issued_by": issued_by,
                },
            ),
            (
                DocumentKind.CHILD_CARD,
                {
                    "registration_number": app.id,
                    "child_surname": app.child_surname,
                    "child_name": app.child_given_name,
                    "child_patronymic": app.child_patronymic,
                    "child_iin": app.child_iin,
                    "child_birth_date": app.birth_date,
                    "child_sex": app.sex,
                    "home_address": home,
                    "applicant_full_name": parent_name,
                    "applicant_iin": applicant.iin,
                    "phone": applicant.phone,
                    "email": applicant.email,
                    "status": STATUS_WORDS[ApplicationStatus.ACTIVE],
                    "status_since": app.status_at,
                    "queue_number": general or None,
                    "benefit_category": benefit_words,
                    "kindergarten": None,
                    "direction_number": None,
                    "issued_by": issued_by,
                },
            ),
        ]
        return contents


def registered_message(app: Application, numbers: QueueNumbers) -> tuple[str, str]:
    """The subject and text that tell the parent the application is registered (e-mail and SMS)."""
    benefit_kk, benefit_ru = benefit_number_words(numbers.benefit, app.benefit_status)
    kk = (
        f"Өтініш тіркелді: {app.id}. Кезек нөмірі: {numbers.general}. "
        f"Жеңілдік санаты бойынша кезек нөмірі: {benefit_kk}."
    )
    ru = (
        f"Заявление зарегистрировано: {app.id}. Номер очереди: {numbers.general}. "
        f"Номер очереди по льготной категории: {benefit_ru}."
    )
    return "Өтініш тіркелді / Заявление зарегистрировано", f"{kk}\n\n{ru}"


def reissue_jobs(application_id: str, event: str, now: datetime) -> list[Job]:
    """The application's documents whose facts the change ``event`` altered (``domain/consequences.py``),
    issued again by jobs of that change, each superseding the one in force when it runs; in the
    order of the changes (one order key per application)."""
    subject = f"{SUBJECT}#{application_id}"
    return [
        document_job(
            f"{subject}#{kind.value}#{event}#{stamp(now)}",
            builder="application.reissue",
            kind=kind.value,
            subject=subject,
            now=now,
            order_key=f"{subject}#documents",
            application_id=application_id,
            reissued_for=event,
            issued_at=now.isoformat(),
        )
        for kind in documents_reissued(event)
        if kind in _APPLICATION_DOCUMENTS
    ]


def timer_jobs(app: Application, kind: TimerKind, deadline: datetime | None, now: datetime) -> list[Job]:
    """What the parent is told when a timer fires (a reminder, a lapse, school age): jobs of that change."""
    day = local_time(deadline).strftime("%d.%m.%Y") if deadline else ""
    if kind is TimerKind.REMINDER:
        return notice_jobs(
            app,
            "interest_reminder",
            now,
            "Мүдделілікті растаңыз / Подтвердите заинтересованность",
            f"{app.id}: мүдделілікті {day} дейін растаңыз, әйтпесе бала кезектен шығарылады.\n"
            f"{app.id}: подтвердите заинтересованность до {day}, иначе ребёнок будет снят с очереди.",
        )
    if kind is TimerKind.LAPSE:
        return notice_jobs(
            app,
            "interest_lapsed",
            now,
            "Бала кезектен шығарылды / Ребёнок снят с очереди",
            f"{app.id}: мүдделілік {day} дейін расталмады, бала кезектен шығарылды.\n"
            f"{app.id}: заинтересованность не подтверждена до {day}, ребёнок снят с очереди.",
        )
    return notice_jobs(
        app,
        "school_age",
        now,
        "Бала мектеп жасына толды / Ребёнок достиг школьного возраста",
        f"{app.id}: бала мектеп жасына толды және кезектен шықты.\n"
        f"{app.id}: ребёнок достиг школьного возраста и выбыл из очереди.",
    )


def notice_jobs(app: Application, event: str, now: datetime, title: str, text: str) -> list[Job]:
    """The e-mail and SMS that tell the applicant about a change of the application: jobs of that change."""
    return message_jobs(
        f"{SUBJECT}#{app.id}#{event}#{stamp(now)}",
        subject=f"{SUBJECT}#{app.id}",
        owner_iin=app.applicant_iin,
        now=now,
        email=app.applicant.email,
        phone=app.applicant.phone,
        title=title,
        text=text,
    )


def registration_documents(
    reference: ReferenceRepository, app: Application, numbers: QueueNumbers
) -> list[tuple[DocumentKind, dict[str, Any]]]:
    """The four documents of a registration and what each says (built when its job runs): the same
    facts the service writes when it issues them again."""
    from chalicelib import wiring

    kindergartens = reference.get_kindergartens(tuple(app.preferences or ()))
    return wiring.application_service()._document_contents(app, numbers, kindergartens)
