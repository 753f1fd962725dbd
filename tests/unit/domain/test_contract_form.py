"""Steps 3–5 of the contract wizard: what the parent's entries become, and what each refusal says."""

from datetime import date, timedelta

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from chalicelib.domain.contract_form import (
    Authority,
    ContractDetails,
    ContractDocuments,
    IdentityDocumentKind,
    Representative,
    validate_details,
    validate_documents,
    validate_representative,
)
from chalicelib.domain.errors import InvalidInput
from chalicelib.domain.iin import make_iin

ACCOUNT_IIN = make_iin(date(1990, 5, 12), "female", 1234)
TODAY = date(2026, 11, 25)
KASPI_IBAN = "KZ297220000000000123"
PHOTO, PASSPORT, CERTIFICATE, PMPK = ("a" * 32, "b" * 32, "c" * 32, "d" * 32)


def representative(**changes) -> dict:
    entered = {
        "iin": ACCOUNT_IIN,
        "surname": "Сапарова",
        "given_name": "Әйгерім",
        "patronymic": "Қайратқызы",
        "authority": "parent",
        "registered_address": "Астана қ., Мәңгілік Ел даңғылы, 10, 25 пәтер",
        "actual_address": "Астана қ., Тұран даңғылы, 5, 12 пәтер",
        "workplace": "«Астана су арнасы» МКК",
        "position": "инженер",
        "phone": "+77011234567",
        "extra_phone": None,
        "email": "aigerim@mail.kz",
    }
    return {**entered, **changes}


def details(identity_document: dict | None = None, bank: dict | None = None) -> dict:
    return {
        "identity_document": {
            "kind": "id_card",
            "number": "012345678",
            "issued_on": "2019-05-20",
            "issued_by": "ҚР ІІМ",
            **(identity_document or {}),
        },
        "bank": {"bank": "Kaspi Bank", "bic": "CASPKZKA", "branch": "Астана қ.", "iban": KASPI_IBAN, **(bank or {})},
    }


def documents(**changes) -> dict:
    return {"photo": PHOTO, "health_passport": PASSPORT, "health_certificate": CERTIFICATE, "pmpk": None, **changes}


def refusal(call, *args, **kwargs) -> InvalidInput:
    with pytest.raises(InvalidInput) as caught:
        call(*args, **kwargs)
    return caught.value


# Step 3: the legal representative


def test_a_complete_representative_is_accepted_and_tidied():
    # given the form filled in with extra spaces and a phone typed the local way
    entered = representative(
        surname="  Сапарова ",
        registered_address="Астана қ.,   Мәңгілік Ел даңғылы, 10",
        phone="8 701 123 45 67",
        extra_phone="",
        patronymic="",
    )
    # when it is checked
    checked = validate_representative(entered, account_iin=ACCOUNT_IIN)
    # then the names are trimmed, the phone is in international form, empty optional fields are absent
    assert checked.surname == "Сапарова"
    assert checked.registered_address == "Астана қ., Мәңгілік Ел даңғылы, 10"
    assert checked.phone == "+77011234567"
    assert checked.patronymic is None and checked.extra_phone is None
    assert checked.full_name == "Сапарова Әйгерім"
    assert checked.authority is Authority.PARENT


def test_the_representative_survives_storage():
    # given a checked representative with every field
    checked = validate_representative(representative(extra_phone="+77771234567"), account_iin=ACCOUNT_IIN)
    # when it is stored as JSON and read back
    # then nothing is lost
    assert Representative.from_json(checked.to_json()) == checked
    assert checked.to_json()["authority"] == "parent"
    assert checked.full_name == "Сапарова Әйгерім Қайратқызы"


REQUIRED_REPRESENTATIVE_FIELDS = [
    ("iin", "ЖСН", "ИИН"),
    ("surname", "Тегі", "Фамилия"),
    ("given_name", "Аты", "Имя"),
    ("authority", "Өкілеттіктер", "Полномочия"),
    ("registered_address", "Тіркелген мекенжайы", "Адрес регистрации"),
    ("actual_address", "Тұрғылықты мекенжайы", "Фактический адрес"),
    ("workplace", "Жұмыс орны", "Место работы"),
    ("position", "Қызметі", "Должность"),
    ("phone", "Негізгі телефон нөмірі", "Основной номер телефона"),
    ("email", "Электрондық поштаның адресі", "Адрес электронной почты"),
]


@pytest.mark.parametrize(("name", "kk", "ru"), REQUIRED_REPRESENTATIVE_FIELDS)
@pytest.mark.parametrize("empty", ["absent", None, "", "   "])
def test_a_required_representative_field_left_empty_is_named(name, kk, ru, empty):
    # given the form with one required field left empty
    entered = representative()
    if empty == "absent":
        del entered[name]
    else:
        entered[name] = empty
    # when it is checked
    error = refusal(validate_representative, entered, account_iin=ACCOUNT_IIN)
    # then the field is named by its label on the form
    assert error.code == "contract.field_required"
    assert error.details == {"field": f"representative.{name}"}
    assert f"«{kk}»" in error.kk and f"«{ru}»" in error.ru


def test_a_patronymic_and_an_extra_phone_are_optional():
    # given the form without patronymic and extra phone
    entered = representative()
    del entered["patronymic"], entered["extra_phone"]
    # when it is checked
    checked = validate_representative(entered, account_iin=ACCOUNT_IIN)
    # then they are absent
    assert checked.patronymic is None and checked.extra_phone is None


@given(st.dates(min_value=date(1940, 1, 1), max_value=date(2008, 12, 31)), st.integers(0, 9999), st.integers(1, 9))
def test_an_iin_with_a_wrong_check_digit_is_refused(birth_date, serial, shift):
    # given the account owner's IIN with the check digit mistyped
    try:
        iin = make_iin(birth_date, "male", serial)
    except ValueError:
        assume(False)
        raise
    typo = iin[:11] + str((int(iin[11]) + shift) % 10)
    # when the form is checked
    error = refusal(validate_representative, representative(iin=typo), account_iin=typo)
    # then the check digit is named on the IIN field
    assert error.code == "iin.checksum"
    assert error.details == {"field": "representative.iin"}


@given(st.dates(min_value=date(1940, 1, 1), max_value=date(2008, 12, 31)), st.sampled_from(["male", "female"]))
def test_the_iin_of_someone_other_than_the_account_owner_is_refused(birth_date, sex):
    # given a valid IIN that is not the account owner's
    try:
        other = make_iin(birth_date, sex, 4321)
    except ValueError:
        assume(False)
        raise
    assume(other != ACCOUNT_IIN)
    # when the form is checked
    error = refusal(validate_representative, representative(iin=other), account_iin=ACCOUNT_IIN)
    # then the parent is told the representative signs the contract with their own EDS
    assert error.code == "contract.representative_not_owner"
    assert error.details == {"field": "representative.iin"}
    assert "ЭЦҚ" in error.kk and "ЭЦП" in error.ru


@pytest.mark.parametrize(
    ("value", "kk", "ru"),
    [
        ("parent", "ата-ана", "родитель"),
        ("guardian", "қорғаншы", "опекун"),
        ("trustee", "қамқоршы", "попечитель"),
        ("adoptive_parent", "асырап алушы", "усыновитель"),
        ("foster_parent", "патронаттық тәрбиеші", "патронатный воспитатель"),
    ],
)
def test_every_authority_is_accepted_with_its_label(value, kk, ru):
    # given the form with one of the authorities chosen
    # when it is checked
    checked = validate_representative(representative(authority=value), account_iin=ACCOUNT_IIN)
    # then the authority carries its labels
    assert (checked.authority, checked.authority.kk, checked.authority.ru) == (Authority(value), kk, ru)


def test_an_authority_outside_the_list_is_refused_with_the_list():
    # given an authority the form does not offer
    # when the form is checked
    error = refusal(validate_representative, representative(authority="uncle"), account_iin=ACCOUNT_IIN)
    # then the choices are listed
    assert error.code == "contract.choice_invalid"
    assert error.details["field"] == "representative.authority"
    assert "қорғаншы" in error.kk and "опекун" in error.ru


def test_an_unknown_field_is_refused():
    # given the form with a field it does not have
    # when it is checked
    error = refusal(validate_representative, representative(nickname="Әйка"), account_iin=ACCOUNT_IIN)
    # then the field is named
    assert error.code == "request.unknown_field"
    assert error.details == {"field": "representative.nickname"}


@pytest.mark.parametrize(
    ("name", "limit"),
    [("registered_address", 300), ("actual_address", 300), ("surname", 100), ("workplace", 200)],
)
def test_text_longer_than_its_limit_is_refused(name, limit):
    # given a field exactly at its limit, and one character over
    at_limit = "А" * limit
    # when each is checked
    validate_representative(representative(**{name: at_limit}), account_iin=ACCOUNT_IIN)
    error = refusal(validate_representative, representative(**{name: at_limit + "А"}), account_iin=ACCOUNT_IIN)
    # then only the longer one is refused, naming the limit
    assert error.code == "contract.field_too_long"
    assert error.details == {"field": f"representative.{name}", "max_length": limit}
    assert str(limit) in error.kk and str(limit) in error.ru


@pytest.mark.parametrize(
    ("changes", "field", "code"),
    [
        ({"surname": "Сапарова2"}, "representative.surname", "contract.field_invalid"),
        ({"given_name": "--"}, "representative.given_name", "contract.field_invalid"),
        ({"position": 42}, "representative.position", "contract.field_invalid"),
        ({"workplace": "ТОО\x00"}, "representative.workplace", "contract.field_invalid"),
        ({"phone": "+7 7172 123456"}, "representative.phone", "contacts.invalid_phone"),
        ({"extra_phone": "12345"}, "representative.extra_phone", "contacts.invalid_phone"),
        ({"email": "aigerim@"}, "representative.email", "contacts.invalid_email"),
    ],
)
def test_a_malformed_representative_field_is_named(changes, field, code):
    # given the form with one field filled in wrongly
    # when it is checked
    error = refusal(validate_representative, representative(**changes), account_iin=ACCOUNT_IIN)
    # then the rule and the field are named
    assert error.code == code
    assert error.details["field"] == field


def test_names_with_hyphens_and_apostrophes_are_accepted():
    # given double-barrelled and apostrophised names
    entered = representative(surname="Сапарова-Ли", given_name="Д'Артаньян", patronymic="Қайрат қызы")
    # when checked
    checked = validate_representative(entered, account_iin=ACCOUNT_IIN)
    # then they are kept as typed
    assert checked.full_name == "Сапарова-Ли Д'Артаньян Қайрат қызы"


# Step 4: contract details


def test_complete_details_are_accepted_and_tidied():
    # given the details typed with spaces and in lower case
    entered = details(
        identity_document={"number": "n 1234 567", "kind": "passport"},
        bank={"iban": "kz29 7220 0000 0000 0123", "bic": "caspkzka"},
    )
    # when they are checked
    checked = validate_details(entered, today=TODAY)
    # then the numbers are compact and in upper case, the bank name as entered
    assert checked.identity_document.kind is IdentityDocumentKind.PASSPORT
    assert checked.identity_document.number == "N1234567"
    assert checked.identity_document.issued_on == date(2019, 5, 20)
    assert (checked.bank.bank, checked.bank.bic, checked.bank.iban) == ("Kaspi Bank", "CASPKZKA", KASPI_IBAN)


def test_details_survive_storage():
    # given checked details
    checked = validate_details(details(), today=TODAY)
    # when stored as JSON and read back
    # then nothing is lost
    assert ContractDetails.from_json(checked.to_json()) == checked
    assert checked.to_json()["identity_document"]["issued_on"] == "2019-05-20"


@pytest.mark.parametrize(
    ("kind", "kk", "ru"),
    [
        ("id_card", "жеке куәлік", "удостоверение личности"),
        ("passport", "паспорт", "паспорт"),
        ("residence_permit", "ықтиярхат", "вид на жительство"),
        ("stateless_certificate", "азаматтығы жоқ адамның куәлігі", "удостоверение лица без гражданства"),
    ],
)
def test_every_identity_document_kind_is_accepted_with_its_label(kind, kk, ru):
    # given one of the kinds of identity document
    # when the details are checked
    checked = validate_details(details(identity_document={"kind": kind}), today=TODAY)
    # then the kind carries its labels
    assert (checked.identity_document.kind.kk, checked.identity_document.kind.ru) == (kk, ru)


def test_a_card_number_instead_of_the_account_is_refused_on_the_iban_field():
    # given the card number where the account number should be
    # when the details are checked
    error = refusal(validate_details, details(bank={"iban": "4400 4301 2345 6789"}), today=TODAY)
    # then the guide's explanation is shown on the account field
    assert error.code == "bank.iban_is_card"
    assert error.details == {"field": "bank.iban"}
    assert "банк шотының нөмірі – әр түрлі нөмірлер" in error.kk


def test_the_bic_of_another_bank_is_refused_on_the_bic_field():
    # given Halyk Bank's BIC for a Kaspi account
    # when the details are checked
    error = refusal(validate_details, details(bank={"bic": "HSBKKZKX"}), today=TODAY)
    # then the BIC field is named
    assert error.code == "bank.bic_mismatch"
    assert error.details["field"] == "bank.bic"


@given(st.dates(min_value=date(1990, 1, 1), max_value=TODAY))
def test_an_issue_date_from_1990_to_today_is_accepted(issued_on):
    # given a document issued on a day between 1990 and today
    # when the details are checked
    checked = validate_details(details(identity_document={"issued_on": issued_on.isoformat()}), today=TODAY)
    # then the date is kept
    assert checked.identity_document.issued_on == issued_on


@given(
    st.one_of(
        st.dates(min_value=TODAY + timedelta(days=1), max_value=date(2100, 1, 1)),
        st.dates(min_value=date(1900, 1, 1), max_value=date(1989, 12, 31)),
    )
)
def test_an_issue_date_in_the_future_or_before_1990_is_refused(issued_on):
    # given a document issued tomorrow or later, or before 1990
    # when the details are checked
    error = refusal(validate_details, details(identity_document={"issued_on": issued_on.isoformat()}), today=TODAY)
    # then the date field is named
    assert error.code == "contract.issue_date_invalid"
    assert error.details == {"field": "identity_document.issued_on"}


@pytest.mark.parametrize("typed", ["20.05.2019", "2019-02-30", "20190520", "вчера"])
def test_an_issue_date_that_is_not_an_iso_date_is_refused(typed):
    # given a date typed the wrong way or a day that does not exist
    # when the details are checked
    error = refusal(validate_details, details(identity_document={"issued_on": typed}), today=TODAY)
    # then the expected form is shown
    assert error.code == "contract.issue_date_invalid"
    assert "ЖЖЖЖ-АА-КК" in error.kk and "ГГГГ-ММ-ДД" in error.ru


@pytest.mark.parametrize("number", ["12345", "1" * 21, "0123-45678", "№012345678"])
def test_a_document_number_must_be_6_to_20_letters_and_digits(number):
    # given a number too short, too long or with symbols
    # when the details are checked
    error = refusal(validate_details, details(identity_document={"number": number}), today=TODAY)
    # then the number field is named with the rule
    assert error.code == "contract.document_number_invalid"
    assert error.details == {"field": "identity_document.number"}
    assert "6–20" in error.kk and "6–20" in error.ru


@pytest.mark.parametrize(
    ("section", "name", "field", "kk", "ru"),
    [
        ("identity_document", "issued_by", "identity_document.issued_by", "Жеке куәлік беретін орган", "Орган"),
        ("identity_document", "number", "identity_document.number", "Жеке куәліктің нөмірі", "Номер документа"),
        ("bank", "bank", "bank.bank", "Банк", "Банк"),
        ("bank", "branch", "bank.branch", "Банк филиалының орналасқан жері", "Местонахождение филиала банка"),
        ("bank", "bic", "bank.bic", "БИК (Банктің сәйкестендіру коды)", "БИК"),
        ("bank", "iban", "bank.iban", "ИИК / IBAN (Банк шотының нөмірі)", "ИИК / IBAN"),
    ],
)
def test_a_required_detail_left_empty_is_named(section, name, field, kk, ru):
    # given the details with one field left empty
    entered = details()
    entered[section][name] = " "
    # when they are checked
    error = refusal(validate_details, entered, today=TODAY)
    # then the field is named by its label
    assert error.code == "contract.field_required"
    assert error.details == {"field": field}
    assert kk in error.kk and ru in error.ru


def test_a_missing_section_and_an_unknown_field_are_named():
    # given details without the bank section, and details with a field the form does not have
    without_bank = {"identity_document": details()["identity_document"]}
    with_swift = details(bank={"swift": "CASPKZKA"})
    # when they are checked
    missing = refusal(validate_details, without_bank, today=TODAY)
    unknown = refusal(validate_details, with_swift, today=TODAY)
    # then each is named
    assert (missing.code, missing.details) == ("contract.field_required", {"field": "bank"})
    assert (unknown.code, unknown.details) == ("request.unknown_field", {"field": "bank.swift"})


def test_an_identity_document_kind_outside_the_list_is_refused():
    # given a kind the form does not offer
    # when the details are checked
    error = refusal(validate_details, details(identity_document={"kind": "driving_licence"}), today=TODAY)
    # then the kinds are listed
    assert error.code == "contract.choice_invalid"
    assert error.details["field"] == "identity_document.kind"
    assert "ықтиярхат" in error.kk and "вид на жительство" in error.ru


# Step 5: documents


@pytest.mark.parametrize("pmpk", ["absent", None, ""])
def test_the_pmpk_conclusion_is_optional(pmpk):
    # given the three required documents and no PMPK conclusion
    entered = documents()
    if pmpk == "absent":
        del entered["pmpk"]
    else:
        entered["pmpk"] = pmpk
    # when they are checked
    checked = validate_documents(entered)
    # then the three uploads are kept
    assert checked.pmpk is None
    assert checked.upload_ids() == (PHOTO, PASSPORT, CERTIFICATE)


def test_documents_survive_storage():
    # given all four documents
    checked = validate_documents(documents(pmpk=PMPK))
    # when stored as JSON and read back
    # then nothing is lost
    assert ContractDocuments.from_json(checked.to_json()) == checked
    assert checked.upload_ids() == (PHOTO, PASSPORT, CERTIFICATE, PMPK)


@pytest.mark.parametrize(
    ("name", "kk", "ru"),
    [
        ("photo", "Баланың фотосуреті", "Фотография ребёнка"),
        ("health_passport", "Денсаулық паспорты", "Паспорт здоровья"),
        (
            "health_certificate",
            "Денсаулық жағдайы туралы анықтама, 063-У нысаны",
            "Справка о состоянии здоровья, форма 063/у",
        ),
    ],
)
def test_a_required_document_not_uploaded_is_named(name, kk, ru):
    # given one required document not uploaded
    # when the documents are checked
    error = refusal(validate_documents, documents(**{name: None}))
    # then the document is named by its label
    assert error.code == "contract.field_required"
    assert error.details == {"field": f"documents.{name}"}
    assert kk in error.kk and ru in error.ru


@pytest.mark.parametrize("upload", ["../etc/passwd", "ABCDEF", "x" * 10, "a" * 65, 7])
def test_something_that_is_not_an_upload_id_is_refused(upload):
    # given a value that cannot be an upload id
    # when the documents are checked
    error = refusal(validate_documents, documents(pmpk=upload))
    # then the document is named
    assert error.code in {"contract.field_invalid", "contract.field_too_long"}
    assert error.details["field"] == "documents.pmpk"


def test_one_file_for_two_documents_is_refused():
    # given the photo uploaded again as the health certificate
    # when the documents are checked
    error = refusal(validate_documents, documents(health_certificate=PHOTO))
    # then both documents are named
    assert error.code == "contract.upload_reused"
    assert error.details == {"field": "documents.health_certificate"}
    assert "Баланың фотосуреті" in error.kk and "Справка о состоянии здоровья" in error.ru


def test_an_unknown_document_is_refused():
    # given a document the form does not ask for
    # when the documents are checked
    error = refusal(validate_documents, documents(birth_certificate=PMPK))
    # then it is named
    assert (error.code, error.details) == ("request.unknown_field", {"field": "documents.birth_certificate"})
