"""A service centre (ХҚКО / ЦОН) files an application for a parent who came to the desk in person.

The parent's identity and the child come from the population registry, as for a parent's own
application; the application is the same signed ``queueApplication`` with ``channel="service_center"``
and a ``serviceCentre`` element naming the operator, the desk's district and how the parent
consented: ``parent_eds`` — the parent signs it with their own EDS at the desk (NCALayer in the
operator's browser; the signer must be the parent) — or ``paper`` — the operator signs it with
their EDS and records that the parent gave a paper consent. Registration is the parent's own
path: the same numbers, the same four documents and messages, written as jobs in the registering
transaction. The parent signs in later with the same IIN and finds it in their journal.
"""

from __future__ import annotations

import dataclasses
import hashlib
import io
from dataclasses import dataclass
from typing import Any

from chalicelib.domain.application_form import CONSENTS, Desk, application_xml, read_application
from chalicelib.domain.errors import Conflict, Forbidden, InvalidInput, NotFound
from chalicelib.domain.iin import parse_iin
from chalicelib.domain.names import person_name
from chalicelib.domain.principal import Principal, Role
from chalicelib.domain.service_times import STEPS, prepared_at, timing
from chalicelib.domain.signed_facts import first_difference
from chalicelib.eds.model import Check, KeyPurpose, SignatureRefused
from chalicelib.services.applications import (
    REGISTRATION_KINDS,
    SUBJECT,
    ApplicationService,
    ApplicationView,
    DraftInput,
    Submitted,
    _draft_of,
    registration_jobs,
)
from chalicelib.services.refusals import in_area, outside_area
from chalicelib.store.applications import SignedAlready

DESK_ACCEPT = STEPS["desk.accept"]


def _require_desk(operator: Principal) -> None:
    if operator.role is not Role.SERVICE_CENTER:
        raise Forbidden(
            "auth.role_not_allowed",
            "Өтінішті ата-ана атынан тек ХҚКО операторы бере алады.",
            "Подать заявление за родителя может только оператор ЦОН.",
            details={"role": operator.role.value, "allowed": [Role.SERVICE_CENTER.value]},
        )


def _bad_consent() -> InvalidInput:
    return InvalidInput(
        "service_centre.consent",
        "Келісім түрін таңдаңыз: ата-ананың ЭЦҚ-сы немесе қағаз жүзіндегі келісім.",
        "Выберите вид согласия: ЭЦП родителя или согласие на бумаге.",
        details={"field": "consent"},
    )


@dataclass(frozen=True)
class ServiceCentreFiling:
    applications: ApplicationService

    def parent(self, operator: Principal, parent_iin: str) -> Principal:
        """The parent as the population registry knows them (refused when it does not)."""
        _require_desk(operator)
        parse_iin(parent_iin, field="parent_iin")
        person = self.applications.registry.find_person(parent_iin)
        if person is None:
            raise NotFound(
                "service_centre.unknown_person",
                "Халықты тіркеу дерекқорында мұндай ЖСН жоқ.",
                "В регистре населения нет такого ИИН.",
                details={"field": "parent_iin"},
            )
        return Principal(
            iin=parent_iin,
            full_name=person_name(person.surname, person.given_name, person.patronymic),
            role=Role.PARENT,
            certificate_serial="",
        )

    def prefill(self, operator: Principal, parent_iin: str) -> dict[str, Any]:
        """The parent and the children the registry lists for them (the desk's step 1)."""
        return self.applications.prefill(self.parent(operator, parent_iin))

    def draft(self, operator: Principal, parent_iin: str, draft: DraftInput, consent: str) -> str:
        """The application to sign: by the parent (``parent_eds``) or by the operator (``paper``)."""
        if consent not in CONSENTS:
            raise _bad_consent()
        parent = self.parent(operator, parent_iin)
        form = self._form(operator, parent, draft, consent)
        self.applications._check(parent, form)
        return application_xml(form, self.applications.clock.now())

    def submit(self, operator: Principal, signed_xml: str) -> Submitted:
        """Verify who signed (the parent, or the operator with a paper consent), compare every fact
        with the server's state, and register through the parent's path with its jobs."""
        _require_desk(operator)
        service = self.applications
        now = service.clock.now()
        document = service.verifier.verify(signed_xml, purpose=KeyPurpose.SIGN, at=now)
        form = read_application(document.signed_root)
        desk = form.desk
        if desk is None or desk.consent not in CONSENTS:
            raise _bad_consent()
        signer = document.signer.iin
        if desk.consent == "parent_eds" and (signer != form.applicant.iin or document.signer.is_organisation):
            raise SignatureRefused(
                Check.OWNER,
                "not_the_parent",
                "Өтінішке ата-ананың өзі (өтініш беруші) жеке тұлғаның ЭЦҚ-сымен қол қоюы керек.",
                "Заявление должен подписать сам родитель (заявитель) ЭЦП физического лица.",
            )
        if desk.consent == "paper" and signer != operator.iin:
            raise SignatureRefused(
                Check.OWNER,
                "not_the_operator",
                "Қағаз келісім кезінде өтінішке жүйеге кірген оператордың өзі қол қояды.",
                "При согласии на бумаге заявление подписывает сам вошедший оператор.",
            )
        parent = self.parent(operator, form.applicant.iin)
        digest = hashlib.sha256(document.received).hexdigest()
        replayed = self._replayed(operator, digest)
        if replayed is not None:
            return replayed
        expected = application_xml(self._form(operator, parent, _draft_input(form), desk.consent), now)
        differs = first_difference(document.signed_root, expected)
        if differs is not None:
            raise InvalidInput(
                "application.document_mismatch",
                f"Қол қойылған өтініштегі «{differs}» жүйедегі деректерге сәйкес келмейді: өтінішті қайта "
                "жасап, қайта қол қойыңыз.",
                f"В подписанном заявлении «{differs}» не совпадает с данными системы: сформируйте заявление "
                "заново и подпишите снова.",
                details={"field": differs},
            )
        service._check(parent, form)
        signed_key = f"signed/applications/{digest[:2]}/{digest}.xml"
        service.objects.put(signed_key, document.received, content_type="application/xml")
        app = service._new_application(form, signed_key, [])
        app.desk_operator_iin, app.desk_consent = operator.iin, desk.consent
        prepared = prepared_at(document.signed_root, now)
        try:
            created = service.applications.create(
                app,
                who=f"{operator.role.value}:{operator.iin}",
                now=now,
                signed_digest=digest,
                consequences=lambda a: registration_jobs(a, now),
                details={
                    # appendix 3, table 2, step 1: from the document prepared at the desk to its registration
                    **timing(DESK_ACCEPT, prepared, now),
                    "operator_name": operator.full_name,
                    "consent": desk.consent,
                    "signer_iin": signer,
                    "certificate_serial": document.signer.certificate_serial,
                },
                steps_done=[(DESK_ACCEPT, prepared)],
            )
        except SignedAlready:
            replayed = self._replayed(operator, digest)
            if replayed is None:
                raise
            return replayed
        except Exception:
            if not service.applications.signed_document_used(digest):
                service._forget(signed_key)
            raise
        return Submitted(ApplicationView(created, service._numbers_or_none(created)), replayed=False)

    def pack(self, operator: Principal, application_id: str) -> tuple[str, bytes]:
        """The application's documents in force as ONE PDF to print for the parent (merged with pypdf)."""
        from pypdf import PdfWriter

        app = self._filed_here(operator, application_id)
        documents = self.applications.documents
        in_force = {
            record.kind: record
            for record in documents.documents.for_subject(f"{SUBJECT}#{app.id}")
            if record.superseded_by is None
        }
        missing = [kind.value for kind in REGISTRATION_KINDS if kind.value not in in_force]
        if missing:
            raise Conflict(
                "service_centre.documents_not_ready",
                "Құжаттар әлі дайындалып жатыр: бірнеше секундтан кейін қайталаңыз.",
                "Документы ещё готовятся: повторите через несколько секунд.",
                details={"missing": missing},
            )
        writer = PdfWriter()
        for kind in REGISTRATION_KINDS:
            pdf = documents.pdf(in_force[kind.value])
            if pdf is None:
                raise Conflict(
                    "service_centre.documents_not_ready",
                    "Құжаттар әлі дайындалып жатыр: бірнеше секундтан кейін қайталаңыз.",
                    "Документы ещё готовятся: повторите через несколько секунд.",
                    details={"missing": [kind.value]},
                )
            writer.append(io.BytesIO(pdf))
        out = io.BytesIO()
        writer.write(out)
        return f"documents-{app.id}.pdf", out.getvalue()

    def hand_over(self, operator: Principal, application_id: str) -> dict[str, Any]:
        """The desk gave the parent the printed result (appendix 3, table 2, step 15: 15 minutes).

        Ends the step opened by the desk's registration, with its timing in the history; a second
        call changes nothing. Refused for an application filed elsewhere or not at a desk.
        """
        app = self._filed_here(operator, application_id)
        if app.channel != "service_center":
            raise Conflict(
                "service_centre.not_filed_at_desk",
                "Бұл өтініш ХҚКО арқылы берілмеген: беретін нәтиже жоқ.",
                "Это заявление подано не через ЦОН: выдавать нечего.",
            )
        ended = self.applications.applications.hand_over(
            app.id, who=f"{operator.role.value}:{operator.iin}", now=self.applications.clock.now()
        )
        return {"application_id": app.id, "handed_over": ended is not None, "step": ended}

    def _filed_here(self, operator: Principal, application_id: str) -> Any:
        _require_desk(operator)
        app = self.applications.applications.get(application_id)
        if not in_area(operator, app.region, app.district):
            raise outside_area()
        return app

    def _replayed(self, operator: Principal, digest: str) -> Submitted | None:
        service = self.applications
        application_id = service.applications.application_of_signed(digest)
        if application_id is None:
            return None
        app = self._filed_here(operator, application_id)
        return Submitted(ApplicationView(app, service._numbers_or_none(app)), replayed=True)

    def _form(self, operator: Principal, parent: Principal, draft: DraftInput, consent: str) -> Any:
        """The parent's form (registry facts, what the desk typed) with the desk and the channel."""
        if operator.region != draft.region or (operator.district and operator.district != draft.district):
            raise Forbidden(
                "service_centre.outside_area",
                "Өтінішті тек өз ауданыңыздың кезегіне бере аласыз.",
                "Подать заявление можно только в очередь своего района.",
                details={"field": "district"},
            )
        if draft.benefit is not None or draft.attachments:
            raise InvalidInput(
                "service_centre.benefit_later",
                "ХҚКО-да өтініш жеңілдіксіз беріледі: жеңілдікті ата-ана құжаттарымен өз кабинетінен сұрайды.",
                "В ЦОН заявление подаётся без льготы: льготу родитель заявляет с документами в своём кабинете.",
                details={"field": "benefit"},
            )
        form = self.applications._form(parent, draft)
        desk = Desk(
            operator_iin=operator.iin,
            operator_name=operator.full_name,
            region=operator.region or "",
            district=operator.district or "",
            consent=consent,
        )
        return dataclasses.replace(form, channel="service_center", desk=desk)


def _draft_input(form: Any) -> DraftInput:
    return _draft_of(form)
