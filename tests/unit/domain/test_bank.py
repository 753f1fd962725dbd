"""The bank account of a contract: what a parent who types a card number, a foreign account or a typo sees."""

import random
import string

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from schwifty import IBAN, registry

from chalicelib.domain.bank import bank_of, check_bic, check_iban, looks_like_card
from chalicelib.domain.errors import InvalidInput

KASPI_IBAN = "KZ297220000000000123"
KZ_BANKS = sorted(
    (bank for bank in registry.get_banks_by_country("KZ") if bank.bic and bank.bank_code),
    key=lambda bank: bank.bank_code,
)
ACCOUNT_CHARACTERS = string.ascii_uppercase + string.digits

banks = st.sampled_from(KZ_BANKS)
account_codes = st.text(alphabet=ACCOUNT_CHARACTERS, min_size=13, max_size=13)


@st.composite
def kz_ibans(draw: st.DrawFn) -> str:
    bank = draw(banks)
    return str(IBAN.generate("KZ", bank_code=bank.bank_code, account_code=draw(account_codes)))


def luhn_completed(digits: str) -> str:
    """``digits`` followed by the check digit that makes the whole number pass the Luhn check."""
    total = 0
    for position, char in enumerate(reversed(digits)):
        digit = int(char)
        if position % 2 == 0:
            digit = digit * 2 - 9 if digit > 4 else digit * 2
        total += digit
    return digits + str((10 - total % 10) % 10)


def refusal(call, *args, **kwargs) -> InvalidInput:
    with pytest.raises(InvalidInput) as caught:
        call(*args, **kwargs)
    return caught.value


@given(kz_ibans())
def test_an_account_of_any_kazakhstan_bank_in_the_registry_is_accepted(iban):
    # given an IBAN of a bank of Kazakhstan, typed in groups of four and in lower case
    typed = " ".join(iban[i : i + 4] for i in range(0, 20, 4)).lower()
    # when it is checked
    accepted = check_iban(typed)
    # then it is stored compact and in upper case, and its bank is known
    assert accepted == iban
    assert bank_of(accepted) is not None


@given(kz_ibans(), st.integers(min_value=0, max_value=19), st.integers(min_value=0, max_value=24))
def test_any_character_mistyped_for_one_of_its_kind_is_refused(iban, position, shift):
    # given a valid IBAN with one digit typed as another digit, or one letter as another letter
    original = iban[position]
    kind = string.digits if original.isdigit() else string.ascii_uppercase
    replacement = kind[(kind.index(original) + 1 + shift % (len(kind) - 1)) % len(kind)]
    typo = iban[:position] + replacement + iban[position + 1 :]
    # when it is checked
    error = refusal(check_iban, typo)
    # then it is refused, whichever rule catches it
    assert error.code in {"bank.iban_checksum", "bank.iban_not_kz", "bank.iban_format"}
    assert error.details["field"] == "bank.iban"


@given(
    kz_ibans(),
    st.integers(min_value=0, max_value=19),
    st.characters(exclude_characters=ACCOUNT_CHARACTERS + string.ascii_lowercase + " -\t\n\r\x0b\x0c"),
)
def test_a_character_that_cannot_be_in_an_iban_is_refused_as_a_format_error(iban, position, replacement):
    # given a valid IBAN with one character replaced by a symbol or a non-Latin letter
    typo = iban[:position] + replacement + iban[position + 1 :]
    # when it is checked
    error = refusal(check_iban, typo)
    # then it is refused
    assert error.code in {"bank.iban_format", "bank.iban_not_kz"}


def test_a_digit_typed_for_a_letter_can_pass_the_check_digits_as_documented():
    # given two IBANs that differ in one character of the account part, a letter against a digit
    # (the check digits cover the number the letters are turned into, so about 1 in 97 such slips agrees)
    real, slip = "KZ03856VQE2ICG2RVQ2B", "KZ03856VQE2ICG2RVQVB"
    # when both are checked
    # then both pass: the bank, not the form, catches this one
    assert check_iban(real) == real
    assert check_iban(slip) == slip


@given(st.text(alphabet=string.digits, min_size=15, max_size=15), st.sampled_from(["", " ", "-"]))
def test_a_16_digit_card_number_is_refused_with_the_guides_explanation(first15, separator):
    # given a payment-card number typed as the account number, as printed on the card
    card = luhn_completed(first15)
    typed = separator.join(card[i : i + 4] for i in range(0, 16, 4))
    # when it is checked
    error = refusal(check_iban, typed)
    # then the parent is told a card number and an account number are different numbers
    assert error.code == "bank.iban_is_card"
    assert error.details == {"field": "bank.iban"}
    assert "Банк картасының (MASTER/VISA) нөмірі және банк шотының нөмірі – әр түрлі нөмірлер" in error.kk
    assert "банктің қосымшасынан қарауға болады немесе банктің менеджеріне жолығуыңыз керек" in error.kk
    assert "Номер банковской карты (MASTER/VISA) и номер банковского счёта – разные номера" in error.ru


@given(st.text(alphabet=string.digits, min_size=12, max_size=18))
def test_card_numbers_of_13_to_19_digits_that_pass_luhn_are_cards(digits):
    # given a Luhn-valid number of 13–19 digits
    number = luhn_completed(digits)
    # when it is looked at
    # then it is a card number
    assert looks_like_card(number)


@pytest.mark.parametrize(
    ("value", "card"),
    [
        ("4400 4301 2345 6789", True),  # VISA with a typo (fails Luhn): still a card
        ("5169-4931-1234-5670", True),
        ("2200 0000 0000 0001", True),
        ("9400430123456789", False),  # 16 digits, not a card prefix, fails Luhn
        ("440043012345", False),  # 12 digits
        (KASPI_IBAN, False),
        ("", False),
        ("4400 4301 2345 678x", False),
    ],
)
def test_what_looks_like_a_card(value, card):
    # given a value typed into the account field
    # when it is looked at
    # then card numbers are recognised
    assert looks_like_card(value) is card


@settings(deadline=None)  # a country's first IBAN loads schwifty's registry for it: hundreds of ms on a busy machine
@given(
    st.sampled_from(["DE", "RU", "FR", "GB", "TR", "GE", "AZ", "BY", "UA", "AE"]),
    st.integers(min_value=0, max_value=2**32),
)
def test_an_account_in_another_country_is_refused(country, seed):
    # given a valid IBAN of another country
    iban = str(IBAN.random(country, random=random.Random(seed)))
    # when it is checked
    error = refusal(check_iban, iban)
    # then only Kazakhstan accounts are accepted
    assert error.code == "bank.iban_not_kz"
    assert error.details == {"field": "bank.iban"}
    assert "KZ" in error.kk and "KZ" in error.ru


@pytest.mark.parametrize(
    "value",
    ["", "   ", "KZ29722000000000012", "KZ2972200000000001234", "KZ29 7220 0000 0000 012Ы", "12345678901234567890"],
)
def test_anything_else_is_a_format_error(value):
    # given a value that is not an IBAN at all, or a KZ one of the wrong length
    # when it is checked
    error = refusal(check_iban, value, field="account.iban")
    # then the rule and the field are named
    assert error.code == "bank.iban_format"
    assert error.details == {"field": "account.iban"}
    assert "20" in error.kk and "20" in error.ru


def test_wrong_check_digits_are_named():
    # given a Kaspi IBAN with the check digits off by one
    # when it is checked
    error = refusal(check_iban, "KZ307220000000000123")
    # then the check digits are named
    assert error.code == "bank.iban_checksum"
    assert "бақылау цифрлары" in error.kk and "контрольные цифры" in error.ru


def test_a_bank_code_no_bank_of_kazakhstan_has_is_refused():
    # given an IBAN with correct check digits and a bank code that is not in the registry
    known = {bank.bank_code for bank in KZ_BANKS}
    code = next(f"{n:03d}" for n in range(1000) if f"{n:03d}" not in known)
    iban = str(IBAN.generate("KZ", bank_code=code, account_code="0000000000123"))
    # when it is checked
    error = refusal(check_iban, iban)
    # then the unknown bank code is named
    assert error.code == "bank.iban_unknown_bank"
    assert code in error.kk and code in error.ru


def test_the_bank_of_an_account_comes_from_the_registry():
    # given a Kaspi Bank account
    # when its bank is looked up
    # then the registry answers with the BIC and the name
    assert bank_of(KASPI_IBAN) == ("CASPKZKA", 'АО "KASPI BANK"')
    assert bank_of("not an iban") is None


@pytest.mark.parametrize("typed", ["CASPKZKA", "caspkzka", "CASPKZKAXXX", " CASP KZKA "])
def test_the_bic_of_the_accounts_bank_is_accepted(typed):
    # given the Kaspi BIC, as a parent might type it, and a Kaspi account
    # when it is checked
    # then it is accepted, compact and in upper case
    assert check_bic(typed, KASPI_IBAN) == typed.replace(" ", "").upper()


def test_the_bic_of_another_bank_names_both_banks():
    # given Halyk Bank's BIC and a Kaspi Bank account
    # when it is checked
    error = refusal(check_bic, "HSBKKZKX", KASPI_IBAN)
    # then the parent sees which bank each belongs to and the right BIC
    assert error.code == "bank.bic_mismatch"
    assert error.details["field"] == "bank.bic"
    assert error.details["expected_bic"] == "CASPKZKA"
    for message in (error.kk, error.ru):
        assert "HSBKKZKX" in message
        assert 'АО "Народный Банк Казахстана"' in message
        assert 'АО "KASPI BANK"' in message
        assert "CASPKZKA" in message


@given(banks, banks, account_codes)
def test_a_bic_of_any_other_bank_is_refused(account_bank, bic_bank, account_code):
    # given an account in one bank and the BIC of a different bank
    if account_bank.bic[:8] == bic_bank.bic[:8]:
        bic_bank = next(bank for bank in KZ_BANKS if bank.bic[:8] != account_bank.bic[:8])
    iban = str(IBAN.generate("KZ", bank_code=account_bank.bank_code, account_code=account_code))
    # when it is checked
    error = refusal(check_bic, bic_bank.bic, iban, field="bank.bic")
    # then the mismatch is named
    assert error.code == "bank.bic_mismatch"
    assert error.details["field"] == "bank.bic"


def test_a_well_formed_bic_no_bank_has_is_a_mismatch():
    # given a BIC of the right shape that belongs to no bank in the registry
    # when it is checked against a Kaspi account
    error = refusal(check_bic, "ABCDKZKA", KASPI_IBAN)
    # then the parent is told it is not the BIC of the account's bank
    assert error.code == "bank.bic_mismatch"
    assert 'АО "KASPI BANK"' in error.kk and "CASPKZKA" in error.ru


@pytest.mark.parametrize("typed", ["", "CASP", "CASPQQKA", "CASPKZKA1", "КАСПКЗКА"])
def test_a_malformed_bic_is_refused(typed):
    # given something that is not a BIC
    # when it is checked
    error = refusal(check_bic, typed, KASPI_IBAN, field="details.bic")
    # then the format is named with the field
    assert error.code == "bank.bic_format"
    assert error.details == {"field": "details.bic"}
    assert "БИК" in error.kk and "БИК" in error.ru


def test_the_account_is_checked_before_the_bic():
    # given a BIC and a card number where the account should be
    # when the BIC is checked
    error = refusal(check_bic, "CASPKZKA", "4400430123456789")
    # then the account field is named
    assert error.code == "bank.iban_is_card"
    assert error.details == {"field": "bank.iban"}
