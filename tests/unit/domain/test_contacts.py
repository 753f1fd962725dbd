"""E-mail and mobile phone: required, real, normalised."""

import pytest

from chalicelib.domain.contacts import validate_contacts
from chalicelib.domain.errors import InvalidInput


def test_local_phone_notation_is_normalised_to_e164():
    # given the ways parents write a Kazakhstan mobile number
    for written in ["8 701 123 45 67", "+7 (701) 123-45-67", "87011234567"]:
        # when validated
        contacts = validate_contacts("Aigul@Mail.kz", written)
        # then it is one number
        assert contacts.phone == "+77011234567"


@pytest.mark.parametrize(
    ("email", "phone", "code", "field"),
    [
        ("not-an-email", "+77011234567", "contacts.invalid_email", "email"),
        ("a@mail.kz", "+7 727 250 50 50", "contacts.invalid_phone", "phone"),  # a landline gets no SMS
        ("a@mail.kz", "+7 916 123 45 67", "contacts.invalid_phone", "phone"),  # a Russian number
        ("a@mail.kz", "12", "contacts.invalid_phone", "phone"),
    ],
)
def test_bad_contacts_are_refused_naming_the_field(email, phone, code, field):
    # when / then
    with pytest.raises(InvalidInput) as refused:
        validate_contacts(email, phone)
    assert refused.value.code == code
    assert refused.value.details["field"] == field
    assert refused.value.kk and refused.value.ru


def test_extra_contacts_are_checked_too():
    with pytest.raises(InvalidInput) as refused:
        validate_contacts("a@mail.kz", "+77011234567", extra_phone="abc")
    assert refused.value.details["field"] == "extra_phone"


def test_every_wrong_contact_is_named_at_once():
    with pytest.raises(InvalidInput) as refused:
        validate_contacts("not-an-email", "12", extra_email="also@", extra_phone="+7 727 250 50 50")
    details = refused.value.details
    assert details["field"] == "email"
    assert [f["field"] for f in details["fields"]] == ["email", "phone", "extra_email", "extra_phone"]
    assert all(f["kk"] and f["ru"] and f["kk"] != f["ru"] for f in details["fields"])
