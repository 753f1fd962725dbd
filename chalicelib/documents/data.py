"""Typed data of each output document: what a caller must give to render it.

Every field is required (an optional value is still passed, as ``None``), unknown fields are refused
and models are frozen, so a caller cannot forget or misspell a field. Instants are timezone-aware
(shown in Asia/Almaty); calendar dates are plain dates.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import AwareDatetime, BaseModel, BeforeValidator, ConfigDict, Field, StringConstraints
from pydantic.dataclasses import dataclass

from chalicelib.clock import local_time

Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
IinOrBin = Annotated[str, StringConstraints(strip_whitespace=True, pattern=r"^\d{12}$")]


def _local_date(value: object) -> object:
    """An aware instant means the calendar day it falls on in Kazakhstan."""
    if isinstance(value, datetime):
        if value.tzinfo is None:
            raise ValueError("a datetime must be timezone-aware")
        return local_time(value).date()
    return value


LastDay = Annotated[date, BeforeValidator(_local_date)]


@dataclass(frozen=True, config=ConfigDict(extra="forbid", str_strip_whitespace=True))
class Bilingual:
    """One text in Kazakh and in Russian (a label, a name of an organisation, a status)."""

    kk: Text
    ru: Text


LANGUAGE_NAMES = {
    "kk": Bilingual("қазақ тілі", "казахский язык"),
    "ru": Bilingual("орыс тілі", "русский язык"),
}


def _bilingual(value: object) -> object:
    """Any object with ``kk`` and ``ru`` texts (the domain's reference data) is taken as it is."""
    if isinstance(value, Bilingual | Mapping | str):
        return value
    kk, ru = getattr(value, "kk", None), getattr(value, "ru", None)
    return Bilingual(kk, ru) if isinstance(kk, str) and isinstance(ru, str) else value


def _language(value: object) -> object:
    """A language code of the reference data (``kk``, ``ru``) is shown by its name."""
    return LANGUAGE_NAMES.get(value, value) if isinstance(value, str) else _bilingual(value)


Words = Annotated[Bilingual, BeforeValidator(_bilingual)]
Language = Annotated[Bilingual, BeforeValidator(_language)]
Place = Annotated[Bilingual | Text, BeforeValidator(_bilingual)]


class DocumentData(BaseModel):
    """Base of every document's data. Numbers given for text fields (kindergarten numbers) become text."""

    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True, coerce_numbers_to_str=True)


class RegistrationNoticeData(DocumentData):
    """Registration notice (seed 004, appendix 11) with the registration and benefit queue numbers."""

    registration_number: Text
    parent_full_name: Text
    child_surname: Text
    child_name: Text
    child_birth_date: date
    kindergarten_numbers: tuple[Text, ...]
    queue_number: int = Field(ge=1)
    benefit_category: Words | None
    benefit_queue_number: int | None = Field(default=None, ge=1)  # None: no approved benefit
    benefit_pending: bool = False  # the claim waits for an operator: «тексеруде / на проверке»
    application_date: AwareDatetime
    issued_by: Words


class DocumentsReceiptData(DocumentData):
    """Notice of receipt of documents: what was received, when, through which channel, from whom."""

    registration_number: Text
    received_at: AwareDatetime
    channel: Words
    applicant_full_name: Text
    applicant_iin: IinOrBin
    child_full_name: Text
    child_iin: IinOrBin
    child_birth_date: date
    documents: tuple[Words, ...] = Field(min_length=1)
    issued_by: Words


class AccountingBookEntryData(DocumentData):
    """Registration of the child in the accounting book of the queue."""

    registration_number: Text
    registered_at: AwareDatetime
    queue_area: Words
    child_full_name: Text
    child_iin: IinOrBin
    child_birth_date: date
    applicant_full_name: Text
    applicant_iin: IinOrBin
    home_address: Text
    phone: Text
    language_of_instruction: Language
    kindergarten_numbers: tuple[Text, ...]
    benefit_category: Words | None
    queue_number: int = Field(ge=1)
    benefit_queue_number: int | None = Field(default=None, ge=1)  # None: no approved benefit
    benefit_pending: bool = False
    issued_by: Words


class ChildCardData(DocumentData):
    """Child card: the child, the legal representative and where the child stands now."""

    registration_number: Text
    child_surname: Text
    child_name: Text
    child_patronymic: Text | None
    child_iin: IinOrBin
    child_birth_date: date
    child_sex: Literal["male", "female"]
    home_address: Text
    applicant_full_name: Text
    applicant_iin: IinOrBin
    phone: Text
    email: Text
    status: Words
    status_since: AwareDatetime
    queue_number: int | None = Field(ge=1)
    benefit_category: Words | None
    kindergarten: Words | None
    direction_number: Text | None
    issued_by: Words


class DirectionData(DocumentData):
    """Direction to a preschool organisation (seed 004, appendix 10); ``valid_until`` is the last day."""

    direction_number: Text
    kindergarten_name: Words
    kindergarten_address: Place
    kindergarten_phone: Text
    kindergarten_head: Text
    group: Words | None
    language_of_instruction: Language
    child_surname: Text
    child_name: Text
    child_birth_date: date
    home_address: Text
    home_phone: Text
    valid_until: LastDay
    issued_by: Words


class PrivateDirectionData(DirectionData):
    """Direction to a private preschool organisation under the state educational order (seed 002)."""

    registration_number: Text


class IdentityDocument(BaseModel):
    """The legal representative's identity document (contract step 4)."""

    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)

    kind: Words
    number: Text
    issued_on: date
    issued_by: Text


class BankAccount(BaseModel):
    """Bank details of a party: bank, BIC and IBAN."""

    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)

    bank: Text
    bic: Text
    iban: Text


class ContractKindergarten(BaseModel):
    """The kindergarten as a party to the contract (the provider)."""

    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)

    name: Words
    bin: IinOrBin
    address: Text
    phone: Text
    head: Text
    account: BankAccount


class LegalRepresentative(BaseModel):
    """The parent or other legal representative as a party to the contract (contract step 3 and 4)."""

    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)

    full_name: Text
    iin: IinOrBin
    authority: Words
    identity_document: IdentityDocument
    registered_address: Text
    actual_address: Text
    workplace: Text | None
    position: Text | None
    phone: Text
    extra_phone: Text | None
    email: Text
    account: BankAccount


class ContractChild(BaseModel):
    """The child the contract is concluded for."""

    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)

    full_name: Text
    iin: IinOrBin
    birth_date: date


class ContractSection(BaseModel):
    """A section of the contract text, clause by clause in both languages (from the template)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    title: Words | None
    paragraphs: tuple[Words, ...] = Field(min_length=1)


class PriceLine(BaseModel):
    """One price of the contract, in tenge, as in force when the parent decided."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    service: Words
    period: Words
    amount: Decimal = Field(ge=0, decimal_places=2)


class ContractSignature(BaseModel):
    """Who signed the contract with which certificate and when."""

    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)

    party: Literal["kindergarten", "representative"]
    signer_name: Text
    signer_id: IinOrBin
    certificate_serial: Text
    signed_at: AwareDatetime


class ContractData(DocumentData):
    """An electronic contract: template text, parties, prices and the signatures given so far."""

    contract_number: Text
    direction_number: Text
    title: Words
    place: Words
    draft: bool
    concluded_on: date | None
    prices_fixed_on: date
    kindergarten: ContractKindergarten
    representative: LegalRepresentative
    child: ContractChild
    sections: tuple[ContractSection, ...] = Field(min_length=1)
    prices: tuple[PriceLine, ...]
    signatures: tuple[ContractSignature, ...]


class RefusalData(DocumentData):
    """A motivated refusal of the service (seed 004, appendix 3, step 7), signed with the operator's EDS."""

    registration_number: Text
    child_full_name: Text
    child_iin: IinOrBin
    child_birth_date: date
    applicant_full_name: Text
    applicant_iin: IinOrBin
    ground: Words
    motivation: Words
    operator_full_name: Text
    operator_iin: IinOrBin
    certificate_serial: Text
    refused_at: AwareDatetime
    issued_by: Words
