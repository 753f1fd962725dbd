"""Checks 5–7: the IIN/BIN of the request, the key purpose, and the account owner."""

from __future__ import annotations

import pytest

from chalicelib.eds.model import Check, Holder, KeyPurpose, SignatureRefused
from infra.local.signing import sign_xml

APPLICATION = "<application><number>УО.2026.000001.1</number></application>"
CHALLENGE = "<login><nonce>n-1</nonce></login>"


def refusal(verifier, document, **options) -> SignatureRefused:
    with pytest.raises(SignatureRefused) as refused:
        verifier.verify(document, **options)
    return refused.value


def test_the_iin_of_the_request_must_be_the_signers(pki_verifier, pki_people):
    document = sign_xml(APPLICATION, pki_people["parent"].sign)

    refused = refusal(
        pki_verifier, document, purpose=KeyPurpose.SIGN, expected_iin=pki_people["second_parent"].person.iin
    )
    assert (refused.check, refused.reason) == (Check.IDENTITY, "iin_mismatch")
    assert refused.details["check_number"] == 5 and "ИИН" in refused.ru


def test_the_bin_of_the_request_must_be_the_organisations(pki_verifier, pki_people):
    head = pki_people["kindergarten_head"]
    document = sign_xml(APPLICATION, head.sign)

    refused = refusal(pki_verifier, document, purpose=KeyPurpose.SIGN, expected_bin="990340001234")
    assert (refused.check, refused.reason) == (Check.IDENTITY, "bin_mismatch")


def test_an_individuals_certificate_has_no_bin(pki_verifier, pki_people):
    document = sign_xml(APPLICATION, pki_people["parent"].sign)

    refused = refusal(pki_verifier, document, purpose=KeyPurpose.SIGN, expected_bin="120540012342")
    assert (refused.check, refused.reason) == (Check.IDENTITY, "bin_missing")


def test_the_kindergarten_head_signs_for_the_kindergarten(pki_verifier, pki_people):
    head = pki_people["kindergarten_head"]
    document = sign_xml(APPLICATION, head.sign)

    verified = pki_verifier.verify(
        document, purpose=KeyPurpose.SIGN, expected_bin=head.person.bin, expected_iin=head.person.iin
    )

    assert verified.signer.bin == "120540012342"
    assert verified.signer.is_organisation is True
    assert verified.signer.organisation == "«Балапан» балабақшасы"


def test_an_auth_key_cannot_sign_a_document(pki_verifier, pki_people):
    document = sign_xml(APPLICATION, pki_people["parent"].auth)

    refused = refusal(pki_verifier, document, purpose=KeyPurpose.SIGN)
    assert (refused.check, refused.reason) == (Check.PURPOSE, "auth_key_for_document")
    assert "AUTH_RSA" in refused.kk and "AUTH_RSA" in refused.ru


def test_a_signing_key_cannot_sign_in(pki_verifier, pki_people):
    document = sign_xml(CHALLENGE, pki_people["parent"].sign)

    refused = refusal(pki_verifier, document, purpose=KeyPurpose.AUTH)
    assert (refused.check, refused.reason) == (Check.PURPOSE, "sign_key_for_sign_in")


def test_an_organisations_key_is_refused_where_a_persons_is_required(pki_verifier, pki_people):
    document = sign_xml(APPLICATION, pki_people["operator"].sign)

    refused = refusal(pki_verifier, document, purpose=KeyPurpose.SIGN, holder=Holder.INDIVIDUAL)
    assert (refused.check, refused.reason) == (Check.PURPOSE, "individual_required")


def test_a_persons_key_is_refused_where_an_organisations_is_required(pki_verifier, pki_people):
    document = sign_xml(APPLICATION, pki_people["parent"].sign)

    refused = refusal(pki_verifier, document, purpose=KeyPurpose.SIGN, holder=Holder.ORGANISATION)
    assert (refused.check, refused.reason) == (Check.PURPOSE, "organisation_required")


def test_the_contract_must_be_signed_by_the_account_owner(pki_verifier, pki_people):
    # given the second parent signing in the first parent's account
    document = sign_xml(APPLICATION, pki_people["second_parent"].sign)

    refused = refusal(
        pki_verifier, document, purpose=KeyPurpose.SIGN, account_iin=pki_people["parent"].person.iin
    )
    assert (refused.check, refused.reason) == (Check.OWNER, "not_owner")
    assert "ЭЦҚ жеке кабинеттің иесіне тіркелген болу керек" in refused.kk
    assert refused.details["check_number"] == 7


def test_the_account_owner_passes_every_check(pki_verifier, pki_people):
    parent = pki_people["parent"]
    document = sign_xml(APPLICATION, parent.sign)

    verified = pki_verifier.verify(
        document,
        purpose=KeyPurpose.SIGN,
        expected_iin=parent.person.iin,
        account_iin=parent.person.iin,
        holder=Holder.INDIVIDUAL,
    )

    assert verified.signer.iin == parent.person.iin


def test_an_iin_failing_the_checksum_is_not_refused_for_it(pki_ca, pki_verifier):
    # given NCA's own test IIN, which fails the checksum
    person = pki_ca.issue_individual(
        iin="123456789011", surname="ТЕСТОВ", given_name="ТЕСТ", purpose=KeyPurpose.SIGN, label="nca-test-iin"
    )

    verified = pki_verifier.verify(
        sign_xml(APPLICATION, person), purpose=KeyPurpose.SIGN, expected_iin="123456789011"
    )

    assert verified.signer.iin == "123456789011"
