"""Electronic contracts and the terms they are made of: the tables, their reads and their writes.

- ``contracts`` — :class:`Contract`, keyed by its number (``01.01-01.26.001``), with two GSIs:
  ``by-applicant`` (the parent's contracts, newest first) and ``by-kindergarten`` (a
  kindergarten's contracts of one status, newest first). The wizard's saved steps are JSON
  attributes of the item; every write is conditioned on the version it was planned from.
- ``contract-templates`` — the education department's standard contract, per region, one item
  per version (``version`` is the range key: a version is written once and never changed; a
  contract keeps the version it was started with).
- ``contract-settings`` — a kindergarten's own terms: its register code (the first part of its
  contract numbers), its bank account and its prices.

A contract's state changes that also move its direction go through :class:`Change` together
with the direction, the history records and the kindergarten's event (the outbox).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from pynamodb.attributes import JSONAttribute, NumberAttribute, UnicodeAttribute, UTCDateTimeAttribute, VersionAttribute
from pynamodb.exceptions import PutError
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex
from pynamodb.models import Model

from chalicelib.domain.contracts import ContractNumber, ContractStatus, contract_year
from chalicelib.store.applications import DateAttribute
from chalicelib.store.base import table_meta, update_actions
from chalicelib.store.directions import KINDERGARTEN_SUBJECT
from chalicelib.store.history import Change, HistoryRecord, HistoryRepository, history_record
from chalicelib.store.queue_index import QueueIndex

SUBJECT = "contract"
CONTRACT_LABEL = "contract"

# The kindergarten's contract events at one instant are told apart by the serial and the event
# (direction events use 1–5, the private direction 6).
_EVENT_CODES = {"started": 7, "sent": 8, "signed": 9, "refused": 10, "cancelled": 20}
CANCELLED_ORDINAL = 99_999_999  # the contract's own record of its cancellation: after anything else at that instant


class ContractsByApplicant(GlobalSecondaryIndex["Contract"]):
    class Meta:
        index_name = "by-applicant"
        projection = AllProjection()

    applicant_iin = UnicodeAttribute(hash_key=True)
    started_key = UnicodeAttribute(range_key=True)


class ContractsByKindergarten(GlobalSecondaryIndex["Contract"]):
    class Meta:
        index_name = "by-kindergarten"
        projection = AllProjection()

    kindergarten_id = UnicodeAttribute(hash_key=True)
    started_key = UnicodeAttribute(range_key=True)


class Contract(Model):
    """A contract of education services between a parent and a kindergarten (seed 000)."""

    Meta = table_meta("contracts")

    number = UnicodeAttribute(hash_key=True)  # "01.01-01.26.001"
    direction_number = UnicodeAttribute()
    application_id = UnicodeAttribute()
    applicant_iin = UnicodeAttribute()  # the account owner who started it (the legal representative)
    child_iin = UnicodeAttribute()
    child_full_name = UnicodeAttribute()
    birth_date = DateAttribute()
    kindergarten_id = UnicodeAttribute()
    region = UnicodeAttribute()
    district = UnicodeAttribute()
    template_version = NumberAttribute()  # fixed when started: a new template applies to new contracts

    status = UnicodeAttribute(default=ContractStatus.DRAFT.value)
    status_at = UTCDateTimeAttribute()
    started_at = UTCDateTimeAttribute()
    started_key = UnicodeAttribute()  # "<started at, UTC ISO>#<number>": newest first in the GSIs

    steps = JSONAttribute(default=dict)  # "info", "eds", "representative", "details", "documents"
    eds_nonce = UnicodeAttribute(null=True)  # the open EDS-check challenge (step 2)
    eds_nonce_expires = UTCDateTimeAttribute(null=True)

    prices = JSONAttribute(null=True)  # as in force when the parent signed
    prices_fixed_on = DateAttribute(null=True)
    sent_at = UTCDateTimeAttribute(null=True)
    representative_signature = JSONAttribute(null=True)  # signer, certificate serial, time, XML key, SHA-256
    kindergarten_signature = JSONAttribute(null=True)
    signed_at = UTCDateTimeAttribute(null=True)
    refusal = JSONAttribute(null=True)  # the kindergarten's last refusal: reason, time
    refusals = NumberAttribute(default=0)
    document_id = UnicodeAttribute(null=True)  # the final PDF (IssuedDocument), once signed
    version = VersionAttribute()

    by_applicant = ContractsByApplicant()
    by_kindergarten = ContractsByKindergarten()

    @property
    def state(self) -> ContractStatus:
        return ContractStatus(self.status)

    @property
    def serial(self) -> int:
        return ContractNumber.parse(self.number).serial


class ContractTemplateItem(Model):
    """One version of a region's standard contract (Kazakh and Russian)."""

    Meta = table_meta("contract-templates")

    region = UnicodeAttribute(hash_key=True)
    version = NumberAttribute(range_key=True)
    title = JSONAttribute()  # {"kk": …, "ru": …}
    sections = JSONAttribute()  # [{"title": {kk, ru} | null, "paragraphs": [{kk, ru}, …]}, …]
    published_at = UTCDateTimeAttribute()
    published_by = UnicodeAttribute()


class ContractSettingsItem(Model):
    """A kindergarten's contract terms: register code, bank account, prices."""

    Meta = table_meta("contract-settings")

    kindergarten_id = UnicodeAttribute(hash_key=True)
    register_code = UnicodeAttribute()  # "01.01-01"
    account = JSONAttribute()  # {"bank", "bic", "iban"}
    prices = JSONAttribute()  # [{"service": {kk, ru}, "period": {kk, ru}, "amount": "25000.00"}]
    updated_at = UTCDateTimeAttribute()
    updated_by = UnicodeAttribute()


CONTRACT_MODELS: tuple[type[Model], ...] = (Contract, ContractTemplateItem, ContractSettingsItem)


def started_key(started_at: datetime, number: str) -> str:
    return f"{started_at.astimezone(UTC).isoformat()}#{number}"


class ContractRepository:
    """Contracts: numbers, reads, writes inside a change, and the terms they are made of."""

    def __init__(self, index: QueueIndex | None = None) -> None:
        self.index = index or QueueIndex()
        self.history_store = HistoryRepository()

    # --- numbers and reads ----------------------------------------------------------------------

    def next_number(self, register_code: str, now: datetime) -> str:
        """A new number of the kindergarten's series for this year (a refused start leaves a gap)."""
        year = contract_year(now)
        serial = self.index.next_value(f"contract#{register_code}#{year}")
        return str(ContractNumber(register_code, year, serial))

    def find(self, number: str) -> Contract | None:
        try:
            return Contract.get(number, consistent_read=True)
        except Contract.DoesNotExist:
            return None

    def for_applicant(self, iin: str, *, limit: int = 100) -> list[Contract]:
        return list(Contract.by_applicant.query(iin, scan_index_forward=False, limit=limit))

    def for_kindergarten(self, kindergarten_id: str, *, status: str | None = None, limit: int = 100) -> list[Contract]:
        condition = Contract.status == status if status is not None else None
        return list(
            Contract.by_kindergarten.query(
                kindergarten_id, filter_condition=condition, scan_index_forward=False, limit=limit
            )
        )

    def history(self, number: str) -> list[HistoryRecord]:
        return self.history_store.for_subject(SUBJECT, number)

    # --- writes ---------------------------------------------------------------------------------

    def put_new(self, change: Change, contract: Contract) -> None:
        change.put(CONTRACT_LABEL, contract, Contract.number.does_not_exist())

    def update(self, change: Change, contract: Contract, values: dict[str, Any]) -> None:
        """Set (or, for None, remove) attributes of the contract as read (its version is the condition)."""
        change.update(CONTRACT_LABEL, contract, update_actions(Contract, values))

    def save_now(self, contract: Contract, values: dict[str, Any], *, condition: Any = None) -> Contract:
        """One conditional write of the contract alone (a wizard step): refused if it moved since read."""
        contract.update(actions=update_actions(Contract, values), condition=condition)
        return contract

    def record(
        self,
        change: Change,
        contract: Contract,
        *,
        event: str,
        now: datetime,
        who: str,
        from_state: str | None,
        to_state: str | None,
        why: str | None = None,
        details: dict[str, Any] | None = None,
        tell_kindergarten: bool = True,
    ) -> None:
        """The contract's own history record and (unless told not to) the kindergarten's event."""
        change.put(
            "history.contract",
            history_record(
                subject_type=SUBJECT,
                subject_id=contract.number,
                ordinal=int(contract.version or 0) + 1,
                at=now,
                who=who,
                event=f"contract.{event}",
                from_state=from_state,
                to_state=to_state,
                why=why,
                details=details,
                publish=False,
            ),
            HistoryRecord.subject.does_not_exist(),
        )
        if not tell_kindergarten:
            return
        change.put(
            "history.kindergarten.contract",
            history_record(
                subject_type=KINDERGARTEN_SUBJECT,
                subject_id=contract.kindergarten_id,
                ordinal=contract.serial * 100 + _EVENT_CODES[event],
                at=now,
                who=who,
                event=f"contract.{event}",
                from_state=from_state,
                to_state=to_state,
                why=why,
                details={
                    "number": contract.number,
                    "direction_number": contract.direction_number,
                    "application_id": contract.application_id,
                    **(details or {}),
                },
                publish=True,
            ),
            HistoryRecord.subject.does_not_exist(),
        )

    # --- terms ----------------------------------------------------------------------------------

    def template_in_force(self, region: str) -> ContractTemplateItem | None:
        """The newest version of the region's standard contract."""
        found = list(ContractTemplateItem.query(region, scan_index_forward=False, limit=1, consistent_read=True))
        return found[0] if found else None

    def template(self, region: str, version: int) -> ContractTemplateItem | None:
        try:
            return ContractTemplateItem.get(region, version, consistent_read=True)
        except ContractTemplateItem.DoesNotExist:
            return None

    def templates(self, region: str) -> list[ContractTemplateItem]:
        return list(ContractTemplateItem.query(region, scan_index_forward=False))

    def publish_template(self, item: ContractTemplateItem) -> bool:
        """Write a new version once; False when that version exists already (nothing is changed)."""
        try:
            item.save(condition=ContractTemplateItem.region.does_not_exist())
        except PutError:
            return False
        return True

    def settings(self, kindergarten_id: str) -> ContractSettingsItem | None:
        try:
            return ContractSettingsItem.get(kindergarten_id, consistent_read=True)
        except ContractSettingsItem.DoesNotExist:
            return None

    def save_settings(self, item: ContractSettingsItem) -> None:
        item.save()


def cancel_with_direction(change: Change, direction: Any, *, outcome: str, now: datetime, who: str) -> None:
    """The direction's contract (not signed) is cancelled by the change that ends the direction.

    The status stays computed (``cancelled`` is shown for a contract not signed whose direction is
    no longer live); what this adds to the direction's transaction is the contract's own history
    record and, for a contract the kindergarten has seen (``sent`` or ``refused``), its
    ``contract.cancelled`` event. Nothing is read: the direction carries the contract's number
    and status. ``outcome`` is the direction's end (``expired``, ``revoked``, ``enrolled``, or
    ``child_left_queue``), the cancellation's reason.
    """
    number, status = direction.contract_number, direction.contract_status
    if not number or status in (None, ContractStatus.SIGNED.value, ContractStatus.CANCELLED.value):
        return
    why = outcome if outcome == "child_left_queue" else f"direction_{outcome}"
    details = {"number": number, "direction_number": direction.number, "application_id": direction.application_id}
    change.put(
        "history.contract.cancelled",
        history_record(
            subject_type=SUBJECT,
            subject_id=number,
            ordinal=CANCELLED_ORDINAL,
            at=now,
            who=who,
            event="contract.cancelled",
            from_state=status,
            to_state=ContractStatus.CANCELLED.value,
            why=why,
            details=details,
            publish=False,
        ),
        HistoryRecord.subject.does_not_exist(),
    )
    if status not in (ContractStatus.SENT.value, ContractStatus.REFUSED.value):
        return  # a draft: the kindergarten never saw it
    change.put(
        "history.kindergarten.contract.cancelled",
        history_record(
            subject_type=KINDERGARTEN_SUBJECT,
            subject_id=direction.kindergarten_id,
            ordinal=ContractNumber.parse(number).serial * 100 + _EVENT_CODES["cancelled"],
            at=now,
            who=who,
            event="contract.cancelled",
            from_state=status,
            to_state=ContractStatus.CANCELLED.value,
            why=why,
            details=details,
            publish=True,
        ),
        HistoryRecord.subject.does_not_exist(),
    )
