"""Checks 2 and 3: the certificate chains to a trusted root and is valid at signing time."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from chalicelib.clock import FixedClock
from chalicelib.eds.chain import TrustStore
from chalicelib.eds.model import Check, KeyPurpose, SignatureRefused
from chalicelib.eds.revocation import StandardRevocationChecker
from chalicelib.eds.verify import SignatureVerifier
from infra.local.signing import sign_xml
from infra.local.testca import TestCA
from tests.pki import PKI_NOW, LiveCrlSource

DOCUMENT = "<application><number>1</number></application>"


def refusal(verifier, document, **options) -> SignatureRefused:
    with pytest.raises(SignatureRefused) as refused:
        verifier.verify(document, purpose=KeyPurpose.SIGN, **options)
    return refused.value


@pytest.fixture(scope="module")
def stranger_ca() -> TestCA:
    """Another authority with the same names as ours: only its keys differ."""
    return TestCA(now=PKI_NOW, seed="a-stranger-ca")


def test_a_certificate_from_an_untrusted_authority_is_refused(pki_verifier, stranger_ca):
    # given a person certified by an authority that is not configured
    person = stranger_ca.issue_individual(
        iin="900512401234", surname="АХМЕТОВА", given_name="АЙГҮЛ", purpose=KeyPurpose.SIGN
    )

    refused = refusal(pki_verifier, sign_xml(DOCUMENT, person))
    assert (refused.check, refused.reason) == (Check.CHAIN, "untrusted")
    assert refused.details["check_number"] == 2


def test_the_untrusted_chain_in_key_info_does_not_help(pki_verifier, stranger_ca):
    # given the stranger's issuing CA sent along in KeyInfo
    person = stranger_ca.issue_individual(
        iin="900512401234", surname="АХМЕТОВА", given_name="АЙГҮЛ", purpose=KeyPurpose.SIGN
    )
    document = sign_xml(DOCUMENT, person, chain=[stranger_ca.issuing, stranger_ca.root])

    refused = refusal(pki_verifier, document)
    assert (refused.check, refused.reason) == (Check.CHAIN, "untrusted")


def test_without_the_issuing_ca_the_chain_cannot_be_built(pki_ca, pki_people):
    # given a verifier that knows the root but not the issuing CA, and NCALayer sending only the leaf
    verifier = SignatureVerifier(
        TrustStore([pki_ca.root]), StandardRevocationChecker(LiveCrlSource(pki_ca)), FixedClock(PKI_NOW)
    )

    refused = refusal(verifier, sign_xml(DOCUMENT, pki_people["parent"].sign))
    assert (refused.check, refused.reason) == (Check.CHAIN, "untrusted")


def test_with_no_trusted_root_configured_everything_is_untrusted(pki_people):
    verifier = SignatureVerifier(TrustStore([]), StandardRevocationChecker(None), FixedClock(PKI_NOW))

    refused = refusal(verifier, sign_xml(DOCUMENT, pki_people["parent"].sign))
    assert (refused.check, refused.reason) == (Check.CHAIN, "untrusted")


def test_an_expired_certificate_is_refused(pki_ca, pki_verifier):
    # given a certificate that expired a day before now
    person = pki_ca.issue_individual(
        iin="900512401234",
        surname="АХМЕТОВА",
        given_name="АЙГҮЛ",
        purpose=KeyPurpose.SIGN,
        not_before=PKI_NOW - timedelta(days=366),
        not_after=PKI_NOW - timedelta(days=1),
        label="expired",
    )

    refused = refusal(pki_verifier, sign_xml(DOCUMENT, person))
    assert (refused.check, refused.reason) == (Check.VALIDITY, "expired")
    assert refused.details["not_after"] == (PKI_NOW - timedelta(days=1)).isoformat()


def test_a_not_yet_valid_certificate_is_refused(pki_ca, pki_verifier):
    person = pki_ca.issue_individual(
        iin="900512401234",
        surname="АХМЕТОВА",
        given_name="АЙГҮЛ",
        purpose=KeyPurpose.SIGN,
        not_before=PKI_NOW + timedelta(days=1),
        not_after=PKI_NOW + timedelta(days=366),
        label="not-yet-valid",
    )

    refused = refusal(pki_verifier, sign_xml(DOCUMENT, person))
    assert (refused.check, refused.reason) == (Check.VALIDITY, "not_yet_valid")


def test_a_document_signed_while_the_certificate_was_valid_passes_later(pki_ca, pki_verifier):
    # given a certificate valid through 2025 only, and a document signed in June 2025
    person = pki_ca.issue_individual(
        iin="900512401234",
        surname="АХМЕТОВА",
        given_name="АЙГҮЛ",
        purpose=KeyPurpose.SIGN,
        not_before=datetime(2025, 1, 1, tzinfo=UTC),
        not_after=datetime(2026, 1, 1, tzinfo=UTC),
        label="valid-in-2025",
    )
    document = sign_xml(DOCUMENT, person)

    # when verified later, as of the signing time
    verified = pki_verifier.verify(document, purpose=KeyPurpose.SIGN, at=datetime(2025, 6, 1, tzinfo=UTC))

    # then
    assert verified.signer.not_after == datetime(2026, 1, 1, tzinfo=UTC)
    # and as of now it is expired
    refused = refusal(pki_verifier, document)
    assert refused.check == Check.VALIDITY


def test_a_naive_signing_time_is_taken_as_utc(pki_verifier, pki_people):
    document = sign_xml(DOCUMENT, pki_people["parent"].sign)

    verified = pki_verifier.verify(document, purpose=KeyPurpose.SIGN, at=datetime(2026, 1, 1, 12, 0))

    assert verified.signer.iin == pki_people["parent"].person.iin
