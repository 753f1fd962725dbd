"""Electronic contracts (seed 000): the parent's six-step wizard, sending, the kindergarten's answer.

- **Start.** A parent holding a live direction to a kindergarten that concludes contracts
  electronically starts a contract: a number of the kindergarten's series, the template version
  in force (kept for this contract), and the direction marked with the contract — one per direction,
  in one transaction.
- **Steps 1–5** are saved on the server one at a time, in order, each a conditional write on the
  version read; the EDS check (step 2) comes before any personal data and requires the
  account owner's AUTH certificate. Refused input changes nothing.
- **Step 6.** The draft PDF (the template's text, the parties, the prices in force today); the
  document to sign; the parent's signed contract is verified (SIGN key, account owner), compared
  with the contract as it stands, kept in S3, and the contract becomes ``sent`` — in one
  transaction with the direction, whose clock stops, and the kindergarten's event.
- **The kindergarten** lists its contracts, signs with its organisation's certificate (BIN of the
  kindergarten) — the contract is ``signed``, the direction ``enrolled``, the seat taken, the child
  leaves the queue, all in one transaction, then the final PDF with both signatures — or refuses
  with a reason: the direction's clock resumes and the parent corrects and sends again.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from chalicelib.clock import Clock, local_time
from chalicelib.documents.kinds import DocumentKind
from chalicelib.domain import contract_xml as xml
from chalicelib.domain.contract_form import (
    Authority,
    IdentityDocumentKind,
    validate_details,
    validate_documents,
    validate_representative,
    validate_terms,
)
from chalicelib.domain.contracts import (
    CONTRACT_SIGNING_ROLES,
    MAX_REFUSAL_REASON,
    ContractStatus,
    Step,
    already_signed,
    challenge_expired,
    challenge_unknown,
    changed_concurrently,
    check_step_order,
    contract_not_found,
    direction_deadline_passed,
    direction_not_live,
    document_mismatch,
    first_missing_step,
    in_signing,
    info_not_read,
    no_contract_settings,
    not_editable,
    not_read,
    not_sent,
    not_yours,
    other_kindergarten,
    paper_only,
    paused_remaining,
    refusal_reason_required,
    signer_not_authorised,
)
from chalicelib.domain.directions import DirectionStatus, direction_not_found, last_valid_day
from chalicelib.domain.directions import not_yours as direction_not_yours
from chalicelib.domain.names import person_name
from chalicelib.domain.principal import Principal
from chalicelib.domain.reference import Bilingual, Kindergarten
from chalicelib.domain.signed_facts import first_difference
from chalicelib.domain.uploads import UploadPurpose
from chalicelib.eds.certificates import NCA_ROLES
from chalicelib.eds.model import Check, Holder, KeyPurpose, SignatureRefused
from chalicelib.eds.xmlinput import as_bytes
from chalicelib.jobs.consequences import document_job, message_jobs
from chalicelib.notify.model import Notifier
from chalicelib.observability import logger
from chalicelib.services.auth import Verifier
from chalicelib.services.directions import DirectionService
from chalicelib.services.documents import DocumentService
from chalicelib.services.uploads import UploadService
from chalicelib.store.applications import Application, ApplicationRepository
from chalicelib.store.base import condition_failed
from chalicelib.store.contracts import (
    Contract,
    ContractRepository,
    ContractSettingsItem,
    ContractTemplateItem,
    started_key,
)
from chalicelib.store.directions import Direction, DirectionRepository
from chalicelib.store.history import Change, ChangeConflicted, ChangeRefused, add_jobs, commit_writes
from chalicelib.store.jobs import Job
from chalicelib.store.objects import ObjectStore
from chalicelib.store.reference import ReferenceRepository

SUBJECT = "contract"
CHANGE_ATTEMPTS = 4
FORGET_ATTEMPTS = 3
EDS_CHECK_TTL = timedelta(minutes=10)
VALIDITY = Bilingual("мерзімсіз", "бессрочно")
PARENT_ACTIONS_EDITABLE = ("edit", "send")
_SIGNATURE_FIELDS = {"party", "signer_name", "signer_id", "certificate_serial", "signed_at"}  # shown on the PDF


def draft_expiry_job(number: str, now: datetime, after: timedelta) -> Any:
    """A contract never sent loses its personal data once its direction ends (``jobs/handlers/expiry.py``)."""
    from chalicelib.jobs.registry import job_for

    return job_for(
        "contract.expire-draft", number, {"number": number}, now=now, subject=f"contract#{number}", due=now + after
    )


@dataclass(frozen=True)
class ContractView:
    """A contract with what the screens show beside it."""

    contract: Contract
    status: ContractStatus  # as shown: a draft whose direction ended is ``cancelled``
    direction: Direction | None
    kindergarten: Kindergarten | None
    template: ContractTemplateItem | None
    step: Step
    actions: tuple[str, ...]
    document_url: str | None = None
    prices: list[dict[str, Any]] | None = None  # as signed; for a contract not sent yet, those in force now
    documents: dict[str, str] | None = None  # step 5's files: kind → short-lived download link (one contract's card)

    @property
    def document_preparing(self) -> bool:
        """Signed, and the final PDF (a job of the signing) is not rendered yet."""
        return self.status is ContractStatus.SIGNED and self.document_url is None


def _who(principal: Principal) -> str:
    return f"{principal.role.value}:{principal.iin}"


def _authority_words(value: str) -> Bilingual:
    try:
        authority = Authority(value)
    except ValueError:
        return Bilingual(value, value)
    return Bilingual(authority.kk, authority.ru)


def _document_kind_words(value: str) -> Bilingual:
    try:
        kind = IdentityDocumentKind(value)
    except ValueError:
        return Bilingual(value, value)
    return Bilingual(kind.kk, kind.ru)


def _account(raw: Mapping[str, Any]) -> dict[str, str]:
    return {"bank": raw["bank"], "bic": raw["bic"], "iban": raw["iban"]}


@dataclass(frozen=True)
class ContractService:
    clock: Clock
    verifier: Verifier
    contracts: ContractRepository
    directions: DirectionRepository
    applications: ApplicationRepository
    direction_service: DirectionService
    reference: ReferenceRepository
    uploads: UploadService
    documents: DocumentService
    objects: ObjectStore
    notifier: Notifier
    draft_check_after: timedelta = timedelta(days=7)  # BQ_CONTRACT_DRAFT_CHECK_DAYS

    # --- the parent: start, read ---------------------------------------------------------------

    def start(self, principal: Principal, direction_number: str) -> tuple[ContractView, bool]:
        """The contract of this direction: started now (True) or the one already started (False)."""
        now = self.clock.now()
        direction = self._direction(direction_number)
        app = self._own_application(principal, direction.application_id)
        if direction.contract_number:
            return self.view(principal, direction.contract_number), False
        self._require_live(direction, now)
        kindergarten = self.reference.get_kindergarten(direction.kindergarten_id)
        if kindergarten is None or kindergarten.contract_mode != "electronic":
            raise paper_only()
        settings = self.contracts.settings(kindergarten.id)
        template = self.contracts.template_in_force(kindergarten.region)
        if settings is None or template is None:
            raise no_contract_settings()
        number = self.contracts.next_number(settings.register_code, now)
        contract = Contract(
            number,
            direction_number=direction.number,
            application_id=app.id,
            applicant_iin=principal.iin,
            child_iin=app.child_iin,
            child_full_name=person_name(app.child_surname, app.child_given_name, app.child_patronymic),
            birth_date=app.birth_date,
            kindergarten_id=kindergarten.id,
            region=direction.region,
            district=direction.district,
            template_version=int(template.version),
            status=ContractStatus.DRAFT.value,
            status_at=now,
            started_at=now,
            started_key=started_key(now, number),
            steps={},
            refusals=0,
        )

        def writes(change: Change) -> None:
            self.contracts.put_new(change, contract)
            self.directions.update(
                change,
                direction,
                {"contract_number": number, "contract_status": ContractStatus.DRAFT.value},
            )
            self.contracts.record(
                change,
                contract,
                event="started",
                now=now,
                who=_who(principal),
                from_state=None,
                to_state=ContractStatus.DRAFT.value,
                details={"template_version": int(template.version)},
                tell_kindergarten=False,
            )
            change.job("expire-draft", draft_expiry_job(number, now, self.draft_check_after))

        try:
            commit_writes(writes)
        except (ChangeRefused, ChangeConflicted):
            current = self._direction(direction_number)  # started meanwhile (a second tab), or ended
            if current.contract_number:
                return self.view(principal, current.contract_number), False
            self._require_live(current, now)
            raise changed_concurrently(direction_number) from None
        return self.view(principal, number), True

    def list_mine(self, principal: Principal) -> list[ContractView]:
        reads: dict[Any, Any] = {}
        return [self._view(c, parent=True, reads=reads) for c in self.contracts.for_applicant(principal.iin)]

    def view(self, principal: Principal, number: str) -> ContractView:
        return self._card(self._own(principal, number), parent=True)

    # --- the parent: steps 1–5 ------------------------------------------------------------------

    def save_info(self, principal: Principal, number: str, read: bool) -> ContractView:
        if read is not True:
            raise info_not_read()
        return self._save_step(principal, number, Step.INFO, lambda contract, now: True)

    def eds_challenge(self, principal: Principal, number: str) -> str:
        """The document to sign with the AUTH key (step 2): one-time, valid for minutes."""
        now = self.clock.now()
        contract = self._editable(principal, number, Step.EDS, now)
        nonce = secrets.token_urlsafe(24)
        self._write(contract, {"eds_nonce": nonce, "eds_nonce_expires": now + EDS_CHECK_TTL})
        return xml.eds_check_xml(number, nonce, now)

    def save_eds(self, principal: Principal, number: str, signed_xml: str) -> ContractView:
        """Step 2: the AUTH certificate must belong to the account owner (check 7)."""
        now = self.clock.now()
        document = self.verifier.verify(
            signed_xml, purpose=KeyPurpose.AUTH, account_iin=principal.iin, at=now, holder=Holder.INDIVIDUAL
        )
        signed = xml.read_eds_check(document.signed_root)
        contract = self._editable(principal, number, Step.EDS, now)
        if signed is None or signed[0] != number or not contract.eds_nonce or signed[1] != contract.eds_nonce:
            raise challenge_unknown()
        if contract.eds_nonce_expires is None or contract.eds_nonce_expires <= now:
            raise challenge_expired()
        signer = document.signer
        result = {
            "iin": signer.iin,
            "full_name": signer.full_name,
            "certificate_serial": signer.certificate_serial,
            "checked_at": now.isoformat(),
        }
        steps = {**(contract.steps or {}), Step.EDS.key: result}
        try:
            self._write(
                contract,
                {"steps": steps, "eds_nonce": None, "eds_nonce_expires": None},
                condition=Contract.eds_nonce == signed[1],
            )
        except Exception as error:
            if condition_failed(error):
                raise challenge_unknown() from None
            raise
        return self.view(principal, number)

    def save_representative(self, principal: Principal, number: str, raw: Mapping[str, Any]) -> ContractView:
        def validate(contract: Contract, now: datetime) -> dict[str, Any]:
            return validate_representative(raw, account_iin=principal.iin).to_json()

        return self._save_step(principal, number, Step.REPRESENTATIVE, validate)

    def save_details(self, principal: Principal, number: str, raw: Mapping[str, Any]) -> ContractView:
        def validate(contract: Contract, now: datetime) -> dict[str, Any]:
            return validate_details(raw, today=local_time(now).date()).to_json()

        return self._save_step(principal, number, Step.DETAILS, validate)

    def save_documents(self, principal: Principal, number: str, raw: Mapping[str, Any]) -> ContractView:
        def validate(contract: Contract, now: datetime) -> dict[str, Any]:
            documents = validate_documents(raw)
            self.uploads.accepted(principal, tuple(documents.upload_ids()), UploadPurpose.CONTRACT)
            return documents.to_json()

        return self._save_step(principal, number, Step.DOCUMENTS, validate)

    # --- the parent: step 6 ---------------------------------------------------------------------

    def draft_pdf(self, principal: Principal, number: str) -> bytes:
        """The contract as it would be signed today: the template's text, the parties, today's prices."""
        from chalicelib.documents.render import render_draft

        now = self.clock.now()
        contract = self._own(principal, number)
        if contract.state is ContractStatus.SIGNED or contract.state is ContractStatus.SENT:
            prices, fixed_on = list(contract.prices or []), contract.prices_fixed_on or local_time(now).date()
        else:
            check_step_order(Step.CONFIRM, self._done(contract))
            prices, fixed_on = self._current_prices(contract), local_time(now).date()
        data = self._document_data(contract, prices=prices, fixed_on=fixed_on, draft=True)
        return render_draft(DocumentKind.CONTRACT, data, issued_at=now)

    def signing_document(self, principal: Principal, number: str, read_confirmed: bool) -> str:
        """The XML the parent signs with the SIGN key, once every step is done and the tick is set."""
        if read_confirmed is not True:
            raise not_read()
        now = self.clock.now()
        contract = self._editable(principal, number, Step.CONFIRM, now)
        return self._contract_xml(contract, self._current_prices(contract), local_time(now).date(), now)

    def send(self, principal: Principal, number: str, signed_xml: str, read_confirmed: bool) -> ContractView:
        """Verify the parent's signature and send the contract to the kindergarten (status ``sent``)."""
        if read_confirmed is not True:
            raise not_read()
        now = self.clock.now()
        document = self.verifier.verify(
            signed_xml, purpose=KeyPurpose.SIGN, account_iin=principal.iin, at=now, holder=Holder.INDIVIDUAL
        )
        digest = hashlib.sha256(document.received).hexdigest()
        sent = self._own(principal, number)
        if sent.state in (ContractStatus.SENT, ContractStatus.SIGNED) and (
            (sent.representative_signature or {}).get("sha256") == digest
        ):
            return self.view(principal, number)  # this very signed document was sent: a retry after a failure
        contract = self._editable(principal, number, Step.CONFIRM, now)
        representative = (contract.steps or {}).get(Step.REPRESENTATIVE.key) or {}
        if document.signer.iin != representative.get("iin"):
            raise SignatureRefused(
                Check.IDENTITY,
                "representative_iin_mismatch",
                "Заңды өкілдің ЖСН-і сертификаттағы ЖСН-мен сәйкес келмейді.",
                "ИИН законного представителя не совпадает с ИИН в сертификате.",
            )
        prices = self._current_prices(contract)
        today = local_time(now).date()
        differs = first_difference(document.signed_root, self._contract_xml(contract, prices, today, now))
        if differs is not None:
            raise document_mismatch(differs)
        key = f"signed/contracts/{number}/representative-{digest}.xml"
        signature = {
            "party": "representative",
            "signer_name": document.signer.full_name,
            "signer_id": document.signer.iin,
            "certificate_serial": document.signer.certificate_serial,
            "signed_at": now.isoformat(),
            "xml_key": key,
            "sha256": digest,
        }
        tell = self._notice(
            contract,
            f"sent#{digest[:16]}",
            now,
            f"№ {number} шарт № {contract.direction_number} жолдама бойынша балабақшаға қол қоюға жіберілді.",
            f"Договор № {number} по направлению № {contract.direction_number} отправлен детскому саду на подписание.",
        )
        self._keep_signed(
            key,
            document.received,
            lambda: self._change(
                number,
                lambda current, direction: self._sending(
                    principal, current, direction, signature, prices, today, now, tell
                ),
            ),
            committed=lambda: self._signed_with(number, "representative_signature", digest),
        )
        return self.view(principal, number)

    def document_url(self, principal: Principal, number: str) -> str | None:
        return self._link(self._own(principal, number))

    # --- the kindergarten -----------------------------------------------------------------------

    def for_kindergarten(self, principal: Principal, *, status: str | None = None) -> list[ContractView]:
        """The kindergarten's contracts, newest first; ``status`` as shown (a cancelled one is not ``sent``)."""
        stored = None if status == ContractStatus.CANCELLED.value else status
        found = self.contracts.for_kindergarten(principal.kindergarten_id or "", status=stored)
        reads: dict[Any, Any] = {}
        views = [self._view(c, parent=False, reads=reads) for c in found if c.state is not ContractStatus.DRAFT]
        return [view for view in views if status is None or view.status.value == status]

    def kindergarten_view(self, principal: Principal, number: str) -> ContractView:
        """The contract with links to the parent's documents (photo, health passport, 063/у, PMPK)."""
        return self._card(self._kindergartens(principal, number), parent=False)

    def kindergarten_signing_document(self, principal: Principal, number: str) -> str:
        now = self.clock.now()
        contract = self._kindergartens(principal, number)
        self._require_sent(contract)
        kindergarten = self._kindergarten(contract)
        return xml.signature_xml(
            number=number,
            kindergarten_bin=kindergarten.bin,
            representative_sha256=(contract.representative_signature or {})["sha256"],
            prepared_at=now,
        )

    def sign_as_kindergarten(self, principal: Principal, number: str, signed_xml: str) -> ContractView:
        """The head signs with the organisation's certificate: the contract is in force, the child admitted."""
        now = self.clock.now()
        contract = self._kindergartens(principal, number)
        if contract.state is ContractStatus.SIGNED:
            # the very bytes it was signed with (verified then): a retry after a failure gets the same answer
            if (contract.kindergarten_signature or {}).get("sha256") == hashlib.sha256(
                as_bytes(signed_xml)
            ).hexdigest():
                return self._view(contract, parent=False)
            raise already_signed()
        self._require_sent(contract)
        kindergarten = self._kindergarten(contract)
        document = self.verifier.verify(
            signed_xml, purpose=KeyPurpose.SIGN, expected_bin=kindergarten.bin, at=now, holder=Holder.ORGANISATION
        )
        role = document.signer.organisation_role
        if role not in CONTRACT_SIGNING_ROLES:
            _, role_kk, role_ru = NCA_ROLES.get(role or "", ("", "көрсетілмеген", "не указана"))
            raise signer_not_authorised(role, role_kk, role_ru)
        expected = xml.signature_xml(
            number=number,
            kindergarten_bin=kindergarten.bin,
            representative_sha256=(contract.representative_signature or {}).get("sha256", ""),
            prepared_at=now,
        )
        digest = hashlib.sha256(document.received).hexdigest()
        differs = first_difference(document.signed_root, expected)
        if differs is not None:
            raise document_mismatch(differs)
        key = f"signed/contracts/{number}/kindergarten-{digest}.xml"
        signature = {
            "party": "kindergarten",
            "signer_name": document.signer.full_name,
            "signer_id": document.signer.bin or kindergarten.bin,
            "signer_iin": document.signer.iin,
            "certificate_serial": document.signer.certificate_serial,
            "signed_at": now.isoformat(),
            "xml_key": key,
            "sha256": digest,
        }
        # the final PDF (both signatures, a QR code) and the e-mail that carries it: jobs of the signing
        final = document_job(
            f"contract#{number}#final",
            builder="contract",
            kind=DocumentKind.CONTRACT.value,
            subject=f"{SUBJECT}#{number}",
            now=now,
            number=number,
        )
        final_id = self.documents.for_job(final.id)[0]
        tell = self._notice(
            contract,
            "signed",
            now,
            f"№ {number} шартқа балабақша қол қойды: шарт заңды күшіне енді, қабылдау аяқталды.",
            f"Договор № {number} подписан детским садом: договор вступил в силу, зачисление завершено.",
            attach_jobs=[final.id],
        )
        self._keep_signed(
            key,
            document.received,
            lambda: self._sign(principal, number, signature, now, final_id, [final, *tell]),
            committed=lambda: self._signed_with(number, "kindergarten_signature", digest),
        )
        return self._view(self._get(number), parent=False)

    def kindergarten_refusal_document(self, principal: Principal, number: str, reason: str) -> str:
        """The refusal to sign, with the kindergarten's reason (``contractSignature``, decision ``refuse``)."""
        reason = (reason or "").strip()
        if not reason or len(reason) > MAX_REFUSAL_REASON:
            raise refusal_reason_required()
        contract = self._kindergartens(principal, number)
        if contract.state is ContractStatus.SIGNED:
            raise already_signed()
        self._require_sent(contract)
        return xml.refusal_xml(
            number=number,
            kindergarten_bin=self._kindergarten(contract).bin,
            representative_sha256=(contract.representative_signature or {})["sha256"],
            reason=reason,
            prepared_at=self.clock.now(),
        )

    def refuse_signed(self, principal: Principal, number: str, signed_xml: str) -> ContractView:
        """The head (or a person with the right of signature) refuses with the organisation's EDS.

        Checked as the kindergarten's signature is — key, BIN, role — and every fact compared with the
        contract as sent; the reason is the signer's own words. The signed XML is kept as the legal record.
        """
        now = self.clock.now()
        contract = self._kindergartens(principal, number)
        if contract.state is ContractStatus.SIGNED:
            raise already_signed()
        self._require_sent(contract)
        kindergarten = self._kindergarten(contract)
        document = self.verifier.verify(
            signed_xml, purpose=KeyPurpose.SIGN, expected_bin=kindergarten.bin, at=now, holder=Holder.ORGANISATION
        )
        role = document.signer.organisation_role
        if role not in CONTRACT_SIGNING_ROLES:
            _, role_kk, role_ru = NCA_ROLES.get(role or "", ("", "көрсетілмеген", "не указана"))
            raise signer_not_authorised(role, role_kk, role_ru)
        reason = (document.signed_root.findtext("reason") or "").strip()
        if not reason or len(reason) > MAX_REFUSAL_REASON:
            raise refusal_reason_required()
        expected = xml.refusal_xml(
            number=number,
            kindergarten_bin=kindergarten.bin,
            representative_sha256=(contract.representative_signature or {}).get("sha256", ""),
            reason=reason,
            prepared_at=now,
        )
        differs = first_difference(document.signed_root, expected)
        if differs is not None:
            raise document_mismatch(differs)
        key = f"signed/contracts/{number}/refusal-{now:%Y%m%dT%H%M%S}-{secrets.token_hex(4)}.xml"
        self.objects.put(key, document.received, content_type="application/xml")
        signature = {
            "signer_name": document.signer.full_name,
            "signer_id": document.signer.bin or kindergarten.bin,
            "signer_iin": document.signer.iin,
            "certificate_serial": document.signer.certificate_serial,
            "xml_key": key,
            "sha256": hashlib.sha256(document.received).hexdigest(),
        }
        try:
            return self.refuse(principal, number, reason, signature=signature)
        except Exception:
            self.objects.delete(key)
            raise

    def refuse(
        self, principal: Principal, number: str, reason: str, *, signature: dict[str, Any] | None = None
    ) -> ContractView:
        """The kindergarten refuses with a reason: the parent sees it, corrects and sends again.

        ``signature``: the signed refusal kept as the legal record (:meth:`refuse_signed`).
        """
        reason = (reason or "").strip()
        if not reason or len(reason) > MAX_REFUSAL_REASON:
            raise refusal_reason_required()
        now = self.clock.now()
        contract = self._kindergartens(principal, number)
        if contract.state is ContractStatus.SIGNED:
            raise already_signed()
        self._require_sent(contract)

        def plan(current: Contract, direction: Direction) -> Callable[[Change], None]:
            if current.state is not ContractStatus.SENT:
                raise not_sent(current.state)
            if not direction.state.live:
                raise direction_not_live(direction.state.kk, direction.state.ru, direction.status)
            resumed = now + timedelta(seconds=float(direction.paused_seconds or 0))
            # the clock resumed: the direction's last valid day moved, its PDF is issued again
            document, reissued = self.direction_service.reissue_jobs(direction, "contract.refused", now)
            said = reason.rstrip(". ")
            until = last_valid_day(resumed).strftime("%d.%m.%Y")
            tell = self._notice(
                current,
                f"refused#{int(current.refusals or 0) + 1}",
                now,
                f"Балабақша № {number} шартқа қол қоюдан бас тартты. Себебі: {said}. Деректерді түзетіп, шартты "
                f"қайта жіберіңіз: жолдама {until} қоса алғанда жарамды.",
                f"Детский сад отказал в подписании договора № {number}. Причина: {said}. Исправьте данные и "
                f"отправьте договор снова: направление действительно по {until} включительно.",
                attach_jobs=[document.job.id] if document else (),
            )

            def writes(change: Change) -> None:
                self.contracts.update(
                    change,
                    current,
                    {
                        "status": ContractStatus.REFUSED.value,
                        "status_at": now,
                        "refusal": {
                            "reason": reason,
                            "at": now.isoformat(),
                            "by": _who(principal),
                            **({"signature": signature} if signature else {}),
                        },
                        "refusals": int(current.refusals or 0) + 1,
                    },
                )
                self.directions.update(
                    change,
                    direction,
                    {
                        "contract_status": ContractStatus.REFUSED.value,
                        "deadline": resumed,
                        "paused_seconds": None,
                        **({"document_id": document.document_id} if document else {}),
                        **self.directions.timer_values(resumed, now),
                    },
                )
                self.contracts.record(
                    change,
                    current,
                    event="refused",
                    now=now,
                    who=_who(principal),
                    from_state=current.status,
                    to_state=ContractStatus.REFUSED.value,
                    why=reason,
                )
                add_jobs(change, "contract", [*reissued, *tell])

            return writes

        self._change(number, plan)
        return self._view(self._get(number), parent=False)

    # --- settings and templates -----------------------------------------------------------------

    def settings_of(self, principal: Principal) -> ContractSettingsItem | None:
        return self.contracts.settings(principal.kindergarten_id or "")

    def save_settings(
        self,
        principal: Principal,
        *,
        register_code: str,
        account: Mapping[str, Any],
        prices: list[Mapping[str, Any]],
    ) -> ContractSettingsItem:
        """The kindergarten's own terms; contracts already sent keep the prices they were signed with."""
        terms = validate_terms(register_code=register_code, account=account, prices=prices)
        item = ContractSettingsItem(
            principal.kindergarten_id or "",
            register_code=terms.register_code,
            account=terms.account,
            prices=terms.prices,
            updated_at=self.clock.now(),
            updated_by=_who(principal),
        )
        self.contracts.save_settings(item)
        return item

    def publish_template(
        self, principal: Principal, *, title: Mapping[str, str], sections: list[Mapping[str, Any]]
    ) -> ContractTemplateItem:
        """A new version of the region's standard contract; contracts already started keep theirs."""
        region = principal.region or ""
        current = self.contracts.template_in_force(region)
        version = int(current.version) + 1 if current else 1
        item = ContractTemplateItem(
            region,
            version,
            title=dict(title),
            sections=[dict(section) for section in sections],
            published_at=self.clock.now(),
            published_by=_who(principal),
        )
        if not self.contracts.publish_template(item):
            raise changed_concurrently(f"{region}#{version}")
        return item

    def templates(self, principal: Principal) -> list[ContractTemplateItem]:
        return self.contracts.templates(principal.region or "")

    # --- internals: reads -----------------------------------------------------------------------

    def _get(self, number: str) -> Contract:
        contract = self.contracts.find(number)
        if contract is None:
            raise contract_not_found(number)
        return contract

    def _own(self, principal: Principal, number: str) -> Contract:
        contract = self._get(number)
        if contract.applicant_iin != principal.iin:
            app = self.applications.get(contract.application_id)
            if not app.visible_to(principal.iin):
                raise not_yours()
        return contract

    def _kindergartens(self, principal: Principal, number: str) -> Contract:
        """The kindergarten's own contract, once the parent has sent it (a draft is the parent's alone)."""
        contract = self._get(number)
        if contract.kindergarten_id != principal.kindergarten_id:
            raise other_kindergarten()
        if contract.state is ContractStatus.DRAFT:
            raise contract_not_found(number)
        return contract

    def _own_application(self, principal: Principal, application_id: str) -> Application:
        app = self.applications.get(application_id)
        if not app.visible_to(principal.iin):
            raise direction_not_yours()
        return app

    def _direction(self, number: str) -> Direction:
        direction = self.directions.find(number)
        if direction is None:
            raise direction_not_found(number)
        return direction

    def _kindergarten(self, contract: Contract) -> Kindergarten:
        kindergarten = self.reference.get_kindergarten(contract.kindergarten_id)
        if kindergarten is None:
            raise LookupError(f"kindergarten {contract.kindergarten_id} of contract {contract.number} is unknown")
        return kindergarten

    @staticmethod
    def _require_live(direction: Direction, now: datetime) -> None:
        if not direction.state.live:
            raise direction_not_live(direction.state.kk, direction.state.ru, direction.status)
        if direction.paused_seconds is None and now >= direction.deadline:
            raise direction_deadline_passed()

    @staticmethod
    def _require_sent(contract: Contract) -> None:
        if contract.state is not ContractStatus.SENT:
            raise not_sent(contract.state)

    @staticmethod
    def _done(contract: Contract) -> set[Step]:
        steps = contract.steps or {}
        return {step for step in Step if step is not Step.CONFIRM and steps.get(step.key)}

    def _editable(self, principal: Principal, number: str, step: Step, now: datetime) -> Contract:
        """The parent's contract, open for changes, its direction live, the steps before ``step`` done."""
        contract = self._own(principal, number)
        if contract.applicant_iin != principal.iin:
            raise not_yours()  # the other parent sees the contract; the one who started it concludes it
        if contract.state is ContractStatus.SENT:
            raise in_signing()
        if contract.state is ContractStatus.SIGNED:
            raise already_signed()
        if not contract.state.editable:
            raise not_editable(contract.state)
        self._require_live(self._direction(contract.direction_number), now)
        check_step_order(step, self._done(contract))
        return contract

    def _current_prices(self, contract: Contract) -> list[dict[str, Any]]:
        settings = self.contracts.settings(contract.kindergarten_id)
        if settings is None:
            raise no_contract_settings()
        return [dict(line) for line in settings.prices]

    def _template(self, contract: Contract) -> ContractTemplateItem:
        template = self.contracts.template(contract.region, int(contract.template_version))
        if template is None:
            raise no_contract_settings()
        return template

    def _contract_xml(self, contract: Contract, prices: list[dict[str, Any]], fixed_on: date, now: datetime) -> str:
        kindergarten = self._kindergarten(contract)
        template = self._template(contract)
        steps = contract.steps or {}
        return xml.contract_xml(
            number=contract.number,
            direction_number=contract.direction_number,
            kindergarten={"id": kindergarten.id, "bin": kindergarten.bin, "name": kindergarten.name.ru},
            child={
                "iin": contract.child_iin,
                "full_name": contract.child_full_name,
                "birth_date": contract.birth_date.isoformat(),
            },
            representative=steps.get(Step.REPRESENTATIVE.key) or {},
            details=steps.get(Step.DETAILS.key) or {},
            documents=steps.get(Step.DOCUMENTS.key) or {},
            template_version=int(contract.template_version),
            digest=xml.text_digest(template.title, template.sections),
            prices=prices,
            prices_fixed_on=fixed_on.isoformat(),
            prepared_at=now,
        )

    def _shown_status(self, contract: Contract, direction: Direction | None) -> ContractStatus:
        state = contract.state
        if state is ContractStatus.SIGNED:
            return state
        if direction is None or not direction.state.live:
            return ContractStatus.CANCELLED
        return state

    def _view(self, contract: Contract, *, parent: bool, reads: dict[Any, Any] | None = None) -> ContractView:
        """The contract as shown. ``reads`` keeps what a list reads once for many contracts (terms, names)."""
        once = reads if reads is not None else {}

        def read(key: Any, load: Callable[[], Any]) -> Any:
            if key not in once:
                once[key] = load()
            return once[key]

        direction = self.directions.find(contract.direction_number)
        status = self._shown_status(contract, direction)
        now = self.clock.now()
        actions: tuple[str, ...] = ()
        if status is ContractStatus.SENT and not parent:
            actions = ("sign", "refuse")
        elif (
            parent
            and status.editable
            and direction is not None
            and (direction.paused_seconds is not None or now < direction.deadline)
        ):
            actions = PARENT_ACTIONS_EDITABLE
        if status is ContractStatus.SIGNED:
            actions = ("download",)
        if contract.prices and not contract.state.editable:
            prices: list[dict[str, Any]] | None = list(contract.prices)
        else:  # not sent yet, or to be sent again: the prices in force now
            settings = read(
                ("settings", contract.kindergarten_id), lambda: self.contracts.settings(contract.kindergarten_id)
            )
            prices = [dict(line) for line in settings.prices] if settings else None
        version = int(contract.template_version)
        return ContractView(
            contract=contract,
            status=status,
            direction=direction,
            kindergarten=read(
                ("kindergarten", contract.kindergarten_id),
                lambda: self.reference.get_kindergarten(contract.kindergarten_id),
            ),
            template=read(
                ("template", contract.region, version), lambda: self.contracts.template(contract.region, version)
            ),
            step=first_missing_step(self._done(contract)),
            actions=actions,
            document_url=self._link(contract) if status is ContractStatus.SIGNED else None,
            prices=prices,
        )

    def _card(self, contract: Contract, *, parent: bool) -> ContractView:
        """One contract's card: the view and links to the documents of step 5."""
        saved = (contract.steps or {}).get(Step.DOCUMENTS.key) or {}
        links = {}
        for kind, upload_id in saved.items():
            upload = self.uploads.uploads.get(upload_id) if upload_id else None
            if upload is not None and upload.status == "accepted":
                links[kind] = self.objects.presigned_get(upload.key, file_name=f"{kind}-{upload.file_name}")
        return replace(self._view(contract, parent=parent), documents=links)

    def _link(self, contract: Contract) -> str | None:
        """The final PDF's link; None until its job (written with the signing) has rendered it."""
        if contract.state is not ContractStatus.SIGNED:
            return None
        record = self.documents.documents.get(contract.document_id) if contract.document_id else None
        return self.documents.download_link(record) if record is not None else None

    # --- internals: writes ----------------------------------------------------------------------

    def _write(self, contract: Contract, values: dict[str, Any], *, condition: Any = None) -> None:
        try:
            self.contracts.save_now(contract, values, condition=condition)
        except Exception as error:
            if condition_failed(error) and condition is None:
                raise changed_concurrently(contract.number) from None
            raise

    def _save_step(
        self, principal: Principal, number: str, step: Step, validate: Callable[[Contract, datetime], Any]
    ) -> ContractView:
        """Validate and save one step on the contract as read (a refusal writes nothing)."""
        now = self.clock.now()
        contract = self._editable(principal, number, step, now)
        value = validate(contract, now)
        steps = {**(contract.steps or {}), step.key: value}
        values: dict[str, Any] = {"steps": steps}
        if contract.state is ContractStatus.REFUSED:
            values["status_at"] = now
        self._write(contract, values)
        return self.view(principal, number)

    def _change(
        self,
        number: str,
        plan: Callable[[Contract, Direction], Callable[[Change], None]],
        apply: Callable[[Callable[[Change], None], Direction], Any] = lambda writes, _direction: commit_writes(writes),
    ) -> None:
        """Plan on the current contract and direction and apply; plan again if either moved."""
        for _ in range(CHANGE_ATTEMPTS):
            contract = self._get(number)
            direction = self._direction(contract.direction_number)
            try:
                writes = plan(contract, direction)
            except _AlreadyDone:
                return  # this very signed document did it before (a retry after a failure)
            try:
                apply(writes, direction)
            except (ChangeRefused, ChangeConflicted):
                continue
            return
        raise changed_concurrently(number)

    def _keep_signed(self, key: str, body: bytes, change: Callable[[], Any], committed: Callable[[], bool]) -> None:
        """Keep the signed XML (under a key made from its digest) and commit the change that points at
        it; when the change fails, remove the XML unless the change did commit after all."""
        self.objects.put(key, body, content_type="application/xml")
        try:
            change()
        except Exception:
            try:
                done = committed()
            except Exception:
                done = True  # unknown: keep it (a later sweep of orphans may remove it; a lost signature may not)
            if not done:
                self._forget(key)
            raise

    def _signed_with(self, number: str, field: str, digest: str) -> bool:
        """Whether the contract holds the signature of this digest (the change committed)."""
        contract = self.contracts.find(number)
        return contract is not None and (getattr(contract, field) or {}).get("sha256") == digest

    def _forget(self, key: str) -> None:
        for attempt in range(FORGET_ATTEMPTS):
            try:
                self.objects.delete(key)
                return
            except Exception:
                if attempt == FORGET_ATTEMPTS - 1:
                    logger.exception("object left behind", extra={"key": key})

    def _sending(
        self,
        principal: Principal,
        contract: Contract,
        direction: Direction,
        signature: dict[str, Any],
        prices: list[dict[str, Any]],
        today: date,
        now: datetime,
        jobs: list[Job],
    ) -> Callable[[Change], None]:
        if contract.state is ContractStatus.SENT:
            if (contract.representative_signature or {}).get("sha256") == signature["sha256"]:
                raise _AlreadyDone()  # this very signed document sent it (a retry after a failure)
            raise in_signing()
        if not contract.state.editable:
            raise not_editable(contract.state)
        self._require_live(direction, now)

        def writes(change: Change) -> None:
            self.contracts.update(
                change,
                contract,
                {
                    "status": ContractStatus.SENT.value,
                    "status_at": now,
                    "sent_at": now,
                    "prices": prices,
                    "prices_fixed_on": today,
                    "representative_signature": signature,
                },
            )
            self.directions.update(
                change,
                direction,
                {
                    "contract_status": ContractStatus.SENT.value,
                    "paused_seconds": paused_remaining(direction.deadline, now),
                    **self.directions.timer_values(None, now),
                },
            )
            self.contracts.record(
                change,
                contract,
                event="sent",
                now=now,
                who=_who(principal),
                from_state=contract.status,
                to_state=ContractStatus.SENT.value,
                details={"certificate_serial": signature["certificate_serial"]},
            )
            add_jobs(change, "contract", jobs)

        return writes

    def _sign(
        self,
        principal: Principal,
        number: str,
        signature: dict[str, Any],
        now: datetime,
        document_id: str,
        jobs: list[Job],
    ) -> None:
        """Contract signed, direction enrolled, seat taken, child out of the queue: one transaction."""
        who = _who(principal)

        def plan(contract: Contract, direction: Direction) -> Callable[[Change], None]:
            if contract.state is ContractStatus.SIGNED:
                if (contract.kindergarten_signature or {}).get("sha256") == signature["sha256"]:
                    raise _AlreadyDone()
                raise already_signed()
            self._require_sent(contract)
            if not direction.state.live:
                raise direction_not_live(direction.state.kk, direction.state.ru, direction.status)
            enrolment = self.direction_service.ending_writes(
                direction,
                DirectionStatus.ENROLLED,
                now,
                who,
                extra={"contract_status": ContractStatus.SIGNED.value, "paused_seconds": None},
            )

            def writes(change: Change) -> None:
                enrolment(change)
                self.contracts.update(
                    change,
                    contract,
                    {
                        "status": ContractStatus.SIGNED.value,
                        "status_at": now,
                        "signed_at": now,
                        "kindergarten_signature": signature,
                        "document_id": document_id,  # rendered by its job: "being prepared" until then
                    },
                )
                self.contracts.record(
                    change,
                    contract,
                    event="signed",
                    now=now,
                    who=who,
                    from_state=contract.status,
                    to_state=ContractStatus.SIGNED.value,
                    details={"certificate_serial": signature["certificate_serial"]},
                )
                add_jobs(change, "contract", jobs)

            return writes

        def enrol(writes: Callable[[Change], None], direction: Direction) -> None:
            self.applications.settle_direction(
                direction.application_id, direction.number, DirectionStatus.ENROLLED, who=who, now=now, writes=writes
            )

        self._change(number, plan, enrol)

    def final_document_data(self, contract: Contract) -> dict[str, Any]:
        """What the final PDF says (both signatures, the prices fixed when it was sent): its job's builder."""
        return self._document_data(
            contract,
            prices=list(contract.prices or []),
            fixed_on=contract.prices_fixed_on or local_time(contract.signed_at or self.clock.now()).date(),
            draft=False,
        )

    def _document_data(
        self, contract: Contract, *, prices: list[Mapping[str, Any]], fixed_on: date, draft: bool
    ) -> dict[str, Any]:
        kindergarten = self._kindergarten(contract)
        settings = self.contracts.settings(kindergarten.id)
        template = self._template(contract)
        region = self.reference.get_region(contract.region)
        steps = contract.steps or {}
        rep = steps.get(Step.REPRESENTATIVE.key) or {}
        details = steps.get(Step.DETAILS.key) or {}
        identity = details.get("identity_document") or {}
        bank = details.get("bank") or {}
        signatures = [
            {k: v for k, v in signature.items() if k in _SIGNATURE_FIELDS}
            for signature in (contract.representative_signature, contract.kindergarten_signature)
            if signature and not draft
        ]
        return {
            "contract_number": contract.number,
            "direction_number": contract.direction_number,
            "title": template.title,
            "place": region.name if region else Bilingual(contract.region, contract.region),
            "draft": draft,
            "concluded_on": local_time(contract.signed_at).date() if contract.signed_at and not draft else None,
            "prices_fixed_on": fixed_on,
            "kindergarten": {
                "name": kindergarten.name,
                "bin": kindergarten.bin,
                "address": kindergarten.address.ru,
                "phone": kindergarten.phone,
                "head": kindergarten.head_name,
                "account": _account(settings.account) if settings else {"bank": "—", "bic": "—", "iban": "—"},
            },
            "representative": {
                "full_name": person_name(rep.get("surname", ""), rep.get("given_name", ""), rep.get("patronymic")),
                "iin": rep.get("iin", contract.applicant_iin),
                "authority": _authority_words(rep.get("authority", "parent")),
                "identity_document": {
                    "kind": _document_kind_words(identity.get("kind", "id_card")),
                    "number": identity.get("number", "—"),
                    "issued_on": identity.get("issued_on") or date(1990, 1, 1),
                    "issued_by": identity.get("issued_by", "—"),
                },
                "registered_address": rep.get("registered_address", "—"),
                "actual_address": rep.get("actual_address", "—"),
                "workplace": rep.get("workplace") or None,
                "position": rep.get("position") or None,
                "phone": rep.get("phone", "—"),
                "extra_phone": rep.get("extra_phone") or None,
                "email": rep.get("email", "—"),
                "account": {"bank": bank.get("bank", "—"), "bic": bank.get("bic", "—"), "iban": bank.get("iban", "—")},
            },
            "child": {
                "full_name": contract.child_full_name,
                "iin": contract.child_iin,
                "birth_date": contract.birth_date,
            },
            "sections": template.sections,
            "prices": [
                {"service": line["service"], "period": line["period"], "amount": Decimal(str(line["amount"]))}
                for line in prices
            ],
            "signatures": signatures,
        }

    def _notice(
        self,
        contract: Contract,
        event: str,
        now: datetime,
        kk: str,
        ru: str,
        *,
        attach_jobs: Sequence[str] = (),
    ) -> list[Job]:
        """The e-mail and SMS of a contract's change to the contacts of the application: jobs of that change."""
        app = self.applications.get(contract.application_id)
        text = f"{kk}\n{ru}"
        return message_jobs(
            f"contract#{contract.number}#{event}",
            subject=f"{SUBJECT}#{contract.number}",
            owner_iin=app.applicant_iin,
            now=now,
            email=app.applicant.email,
            phone=app.applicant.phone,
            title="Шарт / Договор",
            text=text,
            attach_jobs=attach_jobs,
        )


class _AlreadyDone(Exception):
    """The change was made before by this very signed document: a retry answers as the first did."""
