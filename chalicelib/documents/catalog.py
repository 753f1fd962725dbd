"""What each document kind says: its data model and the blocks built from that data.

Each builder is a declarative description (which labels, which values, in which order); drawing is
the engine's job. :data:`CATALOG` maps every :class:`DocumentKind` to its model and builder.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from chalicelib.documents import labels as L
from chalicelib.documents.data import (
    AccountingBookEntryData,
    BankAccount,
    Bilingual,
    ChildCardData,
    ContractData,
    ContractSignature,
    DirectionData,
    DocumentData,
    DocumentsReceiptData,
    PrivateDirectionData,
    RefusalData,
    RegistrationNoticeData,
)
from chalicelib.documents.formatting import (
    format_date,
    format_datetime,
    format_iban,
    format_money,
    format_phone,
)
from chalicelib.documents.kinds import DocumentKind
from chalicelib.documents.layout import (
    Block,
    Dateline,
    Field,
    Fields,
    Grid,
    Issuer,
    Items,
    Layout,
    Note,
    PageBreak,
    Paragraphs,
    Parties,
    Signature,
    Signatures,
    Value,
)


def _title(kind: DocumentKind) -> Bilingual:
    return Bilingual(kind.title_kk, kind.title_ru)


def _or(value: Value | None, empty: Bilingual = L.NONE) -> Value:
    return empty if value is None else value


def _benefit_number(number: int | None, pending: bool) -> Value:
    """«—» without an approved benefit, «тексеруде / на проверке» while it is checked: never 0."""
    if number is not None:
        return str(number)
    return L.UNDER_REVIEW if pending else "—"


def _numbers(numbers: tuple[str, ...]) -> Value:
    return ", ".join(f"№ {n}" if n[:1].isdigit() else n for n in numbers) if numbers else L.NONE


def registration_notice(d: RegistrationNoticeData, issued_at: datetime) -> Layout:
    """Seed 004 appendix 11, plus the registration number and the benefit queue number."""
    return Layout(
        title=_title(DocumentKind.REGISTRATION_NOTICE),
        number=None,
        authority=d.issued_by,
        blocks=(
            Fields(
                (
                    Field(L.REGISTRATION_NUMBER, d.registration_number),
                    Field(L.PARENTS, d.parent_full_name),
                    Field(L.CHILD_SURNAME, d.child_surname),
                    Field(L.CHILD_NAME, d.child_name),
                    Field(L.CHILD_BIRTH_DATE, format_date(d.child_birth_date)),
                    Field(L.KINDERGARTEN_NUMBERS, _numbers(d.kindergarten_numbers)),
                    Field(L.QUEUE_NUMBER, str(d.queue_number)),
                    Field(L.BENEFIT_CATEGORY, _or(d.benefit_category, L.NO_BENEFIT)),
                    Field(L.BENEFIT_QUEUE_NUMBER, _benefit_number(d.benefit_queue_number, d.benefit_pending)),
                    Field(L.APPLICATION_DATE, format_date(d.application_date)),
                )
            ),
            Issuer(d.issued_by, issued_at),
        ),
    )


def documents_receipt(d: DocumentsReceiptData, issued_at: datetime) -> Layout:
    """What was received from whom, when and through which channel."""
    return Layout(
        title=_title(DocumentKind.DOCUMENTS_RECEIPT),
        number=None,
        authority=d.issued_by,
        blocks=(
            Fields(
                (
                    Field(L.REGISTRATION_NUMBER, d.registration_number),
                    Field(L.RECEIVED_AT, format_datetime(d.received_at)),
                    Field(L.CHANNEL, d.channel),
                    Field(L.APPLICANT, d.applicant_full_name),
                    Field(L.APPLICANT_IIN, d.applicant_iin),
                    Field(L.CHILD_FULL_NAME, d.child_full_name),
                    Field(L.CHILD_IIN, d.child_iin),
                    Field(L.CHILD_BIRTH_DATE, format_date(d.child_birth_date)),
                )
            ),
            Items(L.RECEIVED_DOCUMENTS, d.documents),
            Issuer(d.issued_by, issued_at),
        ),
    )


def accounting_book_entry(d: AccountingBookEntryData, issued_at: datetime) -> Layout:
    """The entry of the child in the accounting book of the queue."""
    return Layout(
        title=_title(DocumentKind.ACCOUNTING_BOOK_ENTRY),
        number=None,
        authority=d.issued_by,
        blocks=(
            Fields(
                (
                    Field(L.REGISTRATION_NUMBER, d.registration_number),
                    Field(L.REGISTERED_AT, format_date(d.registered_at)),
                    Field(L.QUEUE_AREA, d.queue_area),
                )
            ),
            Fields(
                (
                    Field(L.CHILD_FULL_NAME, d.child_full_name),
                    Field(L.CHILD_IIN, d.child_iin),
                    Field(L.CHILD_BIRTH_DATE, format_date(d.child_birth_date)),
                    Field(L.APPLICANT, d.applicant_full_name),
                    Field(L.APPLICANT_IIN, d.applicant_iin),
                    Field(L.HOME_ADDRESS, d.home_address),
                    Field(L.PHONE, format_phone(d.phone)),
                ),
                heading=L.CHILD,
            ),
            Fields(
                (
                    Field(L.LANGUAGE, d.language_of_instruction),
                    Field(L.KINDERGARTEN_NUMBERS, _numbers(d.kindergarten_numbers)),
                    Field(L.BENEFIT_CATEGORY, _or(d.benefit_category, L.NO_BENEFIT)),
                    Field(L.QUEUE_NUMBER, str(d.queue_number)),
                    Field(L.BENEFIT_QUEUE_NUMBER, _benefit_number(d.benefit_queue_number, d.benefit_pending)),
                ),
                heading=L.PLACEMENT,
            ),
            Issuer(d.issued_by, issued_at),
        ),
    )


def child_card(d: ChildCardData, issued_at: datetime) -> Layout:
    """The child, the legal representative, and where the child stands now."""
    return Layout(
        title=_title(DocumentKind.CHILD_CARD),
        number=None,
        authority=d.issued_by,
        blocks=(
            Fields(
                (
                    Field(L.CHILD_SURNAME, d.child_surname),
                    Field(L.CHILD_NAME, d.child_name),
                    Field(L.CHILD_PATRONYMIC, _or(d.child_patronymic)),
                    Field(L.CHILD_IIN, d.child_iin),
                    Field(L.CHILD_BIRTH_DATE, format_date(d.child_birth_date)),
                    Field(L.CHILD_SEX, L.MALE if d.child_sex == "male" else L.FEMALE),
                    Field(L.HOME_ADDRESS, d.home_address),
                ),
                heading=L.CHILD,
            ),
            Fields(
                (
                    Field(L.APPLICANT, d.applicant_full_name),
                    Field(L.APPLICANT_IIN, d.applicant_iin),
                    Field(L.PHONE, format_phone(d.phone)),
                    Field(L.EMAIL, d.email),
                ),
                heading=L.REPRESENTATIVE,
            ),
            Fields(
                (
                    Field(L.REGISTRATION_NUMBER, d.registration_number),
                    Field(L.STATUS, d.status),
                    Field(L.STATUS_SINCE, format_datetime(d.status_since)),
                    Field(L.QUEUE_NUMBER, _or(None if d.queue_number is None else str(d.queue_number))),
                    Field(L.BENEFIT_CATEGORY, _or(d.benefit_category, L.NO_BENEFIT)),
                    Field(L.KINDERGARTEN, _or(d.kindergarten)),
                    Field(L.DIRECTION_NUMBER, _or(d.direction_number)),
                ),
                heading=L.PLACEMENT,
            ),
            Issuer(d.issued_by, issued_at),
        ),
    )


def _direction_blocks(
    d: DirectionData, issued_at: datetime, *, extra: tuple[Field, ...] = (), notes: tuple[Note, ...] = ()
) -> tuple[Block, ...]:
    deadline = format_date(d.valid_until)
    return (
        Fields(
            (
                *extra,
                Field(L.KINDERGARTEN, d.kindergarten_name),
                Field(L.KINDERGARTEN_ADDRESS, d.kindergarten_address),
                Field(L.KINDERGARTEN_PHONE, format_phone(d.kindergarten_phone)),
                Field(L.GROUP, _or(d.group)),
                Field(L.LANGUAGE, d.language_of_instruction),
                Field(L.CHILD_SURNAME_NAME, f"{d.child_surname} {d.child_name}"),
                Field(L.CHILD_BIRTH_DATE, format_date(d.child_birth_date)),
                Field(L.HOME_ADDRESS, d.home_address),
                Field(L.HOME_PHONE, format_phone(d.home_phone)),
                Field(L.KINDERGARTEN_HEAD, d.kindergarten_head),
                Field(L.VALID_UNTIL, L.valid_until(deadline)),
            )
        ),
        Note(L.direction_note(deadline)),
        *notes,
        Issuer(d.issued_by, issued_at),
    )


def direction(d: DirectionData, issued_at: datetime) -> Layout:
    """Seed 004 appendix 10 ("ЖОЛДАМА № …"), with the direction's deadline."""
    return Layout(
        title=_title(DocumentKind.DIRECTION),
        number=d.direction_number,
        authority=d.issued_by,
        blocks=_direction_blocks(d, issued_at),
    )


def private_direction(d: PrivateDirectionData, issued_at: datetime) -> Layout:
    """A direction under the state order, with seed 002's warning about leaving the city queue."""
    return Layout(
        title=_title(DocumentKind.PRIVATE_DIRECTION),
        subtitle=L.STATE_ORDER,
        number=d.direction_number,
        authority=d.issued_by,
        blocks=_direction_blocks(
            d,
            issued_at,
            extra=(Field(L.REGISTRATION_NUMBER, d.registration_number),),
            notes=(Note(L.PRIVATE_DIRECTION_NOTE),),
        ),
    )


def _account(account: BankAccount) -> tuple[Field, ...]:
    return (
        Field(L.BANK, account.bank),
        Field(L.BIC, account.bic),
        Field(L.IBAN, format_iban(account.iban)),
    )


PARTIES = ("representative", "kindergarten")  # in the order they sign


def _party(party: str) -> Bilingual:
    return L.PROVIDER if party == "kindergarten" else L.CUSTOMER_PARTY


def _signature(s: ContractSignature) -> Signature:
    return Signature(
        party=_party(s.party),
        signer_name=s.signer_name,
        signer_id_label=L.BIN if s.party == "kindergarten" else L.IIN,
        signer_id=s.signer_id,
        certificate_serial=s.certificate_serial,
        signed_at=s.signed_at,
    )


def _signatures(d: ContractData) -> Signatures:
    """Who signed, in the order they signed; a party that has not signed yet is named as not signed."""
    signed = sorted(d.signatures, key=lambda s: s.signed_at)
    remark = L.NOT_SIGNED_DRAFT if d.draft else L.NOT_SIGNED
    pending = tuple(Field(_party(party), remark) for party in PARTIES if all(s.party != party for s in signed))
    return Signatures(L.SIGNATURES, tuple(_signature(s) for s in signed), L.UNSIGNED, pending)


def _kindergarten(d: ContractData) -> Fields:
    k = d.kindergarten
    return Fields(
        (
            Field(L.NAME, k.name),
            Field(L.BIN, k.bin),
            Field(L.ADDRESS, k.address),
            Field(L.TELEPHONE, format_phone(k.phone)),
            Field(L.HEAD, k.head),
            *_account(k.account),
        ),
        heading=L.PROVIDER,
    )


def _representative(d: ContractData) -> Fields:
    r = d.representative
    document = r.identity_document
    return Fields(
        (
            Field(L.FULL_NAME, r.full_name),
            Field(L.IIN, r.iin),
            Field(L.AUTHORITY, r.authority),
            Field(
                L.IDENTITY_DOCUMENT,
                f"{document.kind.kk} / {document.kind.ru} № {document.number}, "
                f"{format_date(document.issued_on)}, {document.issued_by}",
            ),
            Field(L.REGISTERED_ADDRESS, r.registered_address),
            Field(L.ACTUAL_ADDRESS, r.actual_address),
            Field(L.WORKPLACE, ", ".join(v for v in (r.workplace, r.position) if v) or L.NONE),
            Field(L.TELEPHONE, ", ".join(format_phone(v) for v in (r.phone, r.extra_phone) if v)),
            Field(L.EMAIL, r.email),
            *_account(r.account),
        ),
        heading=L.CUSTOMER_PARTY,
    )


def _prices_appendix(d: ContractData) -> tuple[Block, ...]:
    """The appendix on a page of its own: the prices the contract keeps, and where to pay them."""
    account = d.kindergarten.account
    return (
        PageBreak(),
        Dateline(L.APPENDIX, L.contract_for(d.contract_number)),
        Fields((Field(L.PRICES_FIXED_ON, format_date(d.prices_fixed_on)),)),
        Grid(
            heading=L.PRICES,
            columns=(L.SERVICE, L.PERIOD, L.AMOUNT),
            rows=tuple((p.service, p.period, format_money(p.amount)) for p in d.prices),
            numeric=frozenset({2}),
            weights=(2.2, 1.0),
        ),
        Note(L.payment_note(account.bank, account.bic, format_iban(account.iban))),
    )


def contract(d: ContractData, issued_at: datetime) -> Layout:
    """A bilingual contract as the parties sign it.

    The title, number, place and date; the preamble naming the parties; the child; the standard
    text section by section (Kazakh left, Russian right); the parties' addresses and bank details;
    the prices appendix on its own page; the electronic signatures. A draft is marked on every page
    and names each party as not signed.
    """
    k, r = d.kindergarten, d.representative
    return Layout(
        title=d.title,
        short_title=_title(DocumentKind.CONTRACT),
        number=d.contract_number,
        authority=k.name,
        marker=L.DRAFT if d.draft else None,
        watermark=L.DRAFT_WATERMARK if d.draft else None,
        blocks=(
            Dateline(d.place, L.NOT_CONCLUDED if d.concluded_on is None else format_date(d.concluded_on)),
            Fields(
                (
                    Field(L.DIRECTION_NUMBER, d.direction_number),
                    Field(L.CONTRACT_VALIDITY, L.INDEFINITE),
                )
            ),
            Paragraphs((L.contract_preamble(k.name, k.head, r.full_name),)),
            Fields(
                (
                    Field(L.CHILD_FULL_NAME, d.child.full_name),
                    Field(L.CHILD_IIN, d.child.iin),
                    Field(L.CHILD_BIRTH_DATE, format_date(d.child.birth_date)),
                ),
                heading=L.PUPIL,
            ),
            *(Paragraphs(section.paragraphs, heading=section.title) for section in d.sections),
            Parties((_kindergarten(d), _representative(d)), heading=L.REQUISITES),
            *_prices_appendix(d),
            _signatures(d),
        ),
    )


def refusal(d: RefusalData, issued_at: datetime) -> Layout:
    """The motivated refusal: the application, the ground and the operator's words, and their EDS signature."""
    return Layout(
        title=_title(DocumentKind.REFUSAL),
        number=d.registration_number,
        authority=d.issued_by,
        blocks=(
            Fields(
                (
                    Field(L.REGISTRATION_NUMBER, d.registration_number),
                    Field(L.CHILD_FULL_NAME, d.child_full_name),
                    Field(L.CHILD_IIN, d.child_iin),
                    Field(L.CHILD_BIRTH_DATE, format_date(d.child_birth_date)),
                    Field(L.APPLICANT, d.applicant_full_name),
                    Field(L.APPLICANT_IIN, d.applicant_iin),
                )
            ),
            Fields((Field(L.REFUSAL_GROUND, d.ground),)),
            Paragraphs((d.motivation,), heading=L.REFUSAL_MOTIVATION),
            Note(L.REFUSAL_NOTE),
            Signatures(
                heading=L.REFUSAL_SIGNATURE,
                signatures=(
                    Signature(
                        party=L.REFUSAL_SIGNER,
                        signer_name=d.operator_full_name,
                        signer_id_label=L.IIN,
                        signer_id=d.operator_iin,
                        certificate_serial=d.certificate_serial,
                        signed_at=d.refused_at,
                    ),
                ),
                empty=L.REFUSAL_NO_SIGNATURE,
            ),
            Issuer(d.issued_by, issued_at),
        ),
    )


@dataclass(frozen=True)
class Entry:
    """A document kind's data model and the builder of its layout."""

    model: type[DocumentData]
    build: Callable[[Any, datetime], Layout]


CATALOG: dict[DocumentKind, Entry] = {
    DocumentKind.REGISTRATION_NOTICE: Entry(RegistrationNoticeData, registration_notice),
    DocumentKind.DOCUMENTS_RECEIPT: Entry(DocumentsReceiptData, documents_receipt),
    DocumentKind.ACCOUNTING_BOOK_ENTRY: Entry(AccountingBookEntryData, accounting_book_entry),
    DocumentKind.CHILD_CARD: Entry(ChildCardData, child_card),
    DocumentKind.DIRECTION: Entry(DirectionData, direction),
    DocumentKind.PRIVATE_DIRECTION: Entry(PrivateDirectionData, private_direction),
    DocumentKind.CONTRACT: Entry(ContractData, contract),
    DocumentKind.REFUSAL: Entry(RefusalData, refusal),
}
