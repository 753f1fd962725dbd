"""The verifier on what the real NCA software produced (``tests/fixtures/nca``).

About revocation for the NCALayer document: its certificate was valid 2021-01-18 ..
2022-01-18, while the only real CRL we have was issued 2022-03-29 and is current until
2022-09-25. The document is therefore verified as a document signed on 2021-06-01 and
checked on 2022-06-01 (``at`` = signing time, clock = checking time): the CRL is
current at the checking time and does not list the certificate. Checked on the signing
day itself, that CRL did not exist yet: with no revocation data the default is to
refuse, and the "warn" mode accepts with a warning.
"""

from __future__ import annotations

import base64
from datetime import UTC, datetime

import pytest
from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding
from lxml import etree

from chalicelib.clock import FixedClock, SystemClock
from chalicelib.eds.certificates import holder, holding, key_purposes, load_certificate
from chalicelib.eds.chain import TrustStore
from chalicelib.eds.crl import StaticCrlSource, is_current, load_crl
from chalicelib.eds.model import Check, Holder, KeyPurpose, SignatureRefused
from chalicelib.eds.ocsp import OcspError, read_ocsp_response, verify_ocsp_answer
from chalicelib.eds.revocation import StandardRevocationChecker
from chalicelib.eds.verify import SignatureVerifier
from infra.local.signing import sign_with_key
from infra.local.testca import fresh_key
from tests.pki import NCA_FIXTURES

SIGNED_ON = datetime(2021, 6, 1, tzinfo=UTC)
CHECKED_ON = datetime(2022, 6, 1, tzinfo=UTC)
TEST_IIN = "123456789011"  # fails the IIN checksum on purpose
DS = "http://www.w3.org/2000/09/xmldsig#"


def fixture_bytes(name: str) -> bytes:
    return (NCA_FIXTURES / name).read_bytes()


@pytest.fixture(scope="module")
def nca_root() -> x509.Certificate:
    return load_certificate(fixture_bytes("nca_rsa_test.crt"))


@pytest.fixture(scope="module")
def ncalayer_xml() -> bytes:
    return fixture_bytes("signed_by_ncalayer.xml")


def signing_certificate(signed: bytes) -> x509.Certificate:
    text = etree.fromstring(signed).findtext(f".//{{{DS}}}X509Certificate")
    return load_certificate(base64.b64decode("".join(text.split())))


def nca_verifier(root: x509.Certificate, clock, *, fail_mode: str = "refuse") -> SignatureVerifier:
    crls = StaticCrlSource([fixture_bytes("nca_rsa_test.crl")])
    return SignatureVerifier(
        TrustStore([root]), StandardRevocationChecker(crls, fail_mode=fail_mode), clock
    )


def test_the_document_signed_by_ncalayer_passes_every_check(nca_root, ncalayer_xml):
    # given the NCA RSA test CA as the trusted root and its real CRL
    verifier = nca_verifier(nca_root, FixedClock(CHECKED_ON))

    # when the document is verified as signed on 2021-06-01
    document = verifier.verify(ncalayer_xml, purpose=KeyPurpose.SIGN, expected_iin=TEST_IIN, at=SIGNED_ON)

    # then the signer is the test person and what was signed is <a><b>test</b></a>
    assert document.signer.iin == TEST_IIN
    assert document.signer.full_name == "ТЕСТОВ ТЕСТ ТЕСТОВИЧ"
    assert document.signer.patronymic == "ТЕСТОВИЧ"
    assert document.signer.is_organisation is False
    assert document.signer.certificate_serial == "4279390A141F5353A62947B61ED65E81741467D1"
    assert document.signed_root.tag == "a"
    assert document.signed_root.findtext("b") == "test"
    assert document.received == ncalayer_xml
    assert document.warnings == []


def test_the_document_given_as_text_passes_too(nca_root, ncalayer_xml):
    # given the same document as a str (as a JSON body carries it)
    verifier = nca_verifier(nca_root, FixedClock(CHECKED_ON))

    # when
    document = verifier.verify(ncalayer_xml.decode("utf-8"), purpose=KeyPurpose.SIGN, at=SIGNED_ON)

    # then
    assert document.signer.iin == TEST_IIN


def test_checked_on_the_signing_day_it_is_refused_for_want_of_revocation_data(nca_root, ncalayer_xml):
    # given a clock on the signing day, before the only CRL we have was issued
    verifier = nca_verifier(nca_root, FixedClock(SIGNED_ON))

    # when / then
    with pytest.raises(SignatureRefused) as refused:
        verifier.verify(ncalayer_xml, purpose=KeyPurpose.SIGN, at=SIGNED_ON)
    assert refused.value.check == Check.REVOCATION
    assert refused.value.reason == "unavailable"
    assert refused.value.kind == "unavailable"


def test_in_warn_mode_missing_revocation_data_is_a_warning(nca_root, ncalayer_xml):
    # given the "warn" fail mode
    verifier = nca_verifier(nca_root, FixedClock(SIGNED_ON), fail_mode="warn")

    # when
    document = verifier.verify(ncalayer_xml, purpose=KeyPurpose.SIGN, at=SIGNED_ON)

    # then it passes, saying that revocation could not be checked
    assert document.warnings and "revocation" in document.warnings[0]


def test_verified_today_it_is_refused_as_expired(nca_root, ncalayer_xml):
    # given today's clock
    verifier = nca_verifier(nca_root, SystemClock())

    # when / then
    with pytest.raises(SignatureRefused) as refused:
        verifier.verify(ncalayer_xml, purpose=KeyPurpose.SIGN)
    assert refused.value.check == Check.VALIDITY
    assert refused.value.reason == "expired"
    assert refused.value.code == "eds.validity.expired"
    assert refused.value.details["check_number"] == 3 and "тексеру," not in refused.value.kk


@pytest.mark.parametrize(
    ("old", "new"),
    [(b"<b>test</b>", b"<b>tesT</b>"), (b"<b>test</b>", b"<c>test</c>"), (b"9KpJre", b"9KpJrf")],
    ids=["content", "element", "digest"],
)
def test_one_changed_character_breaks_the_signature(nca_root, ncalayer_xml, old, new):
    # given the document with one character changed
    tampered = ncalayer_xml.replace(old, new, 1)
    assert tampered != ncalayer_xml
    verifier = nca_verifier(nca_root, FixedClock(CHECKED_ON))

    # when / then
    with pytest.raises(SignatureRefused) as refused:
        verifier.verify(tampered, purpose=KeyPurpose.SIGN, at=SIGNED_ON)
    assert refused.value.check == Check.SIGNATURE


def test_its_signing_key_cannot_sign_in(nca_root, ncalayer_xml):
    # given the real signing (RSA…) certificate
    verifier = nca_verifier(nca_root, FixedClock(CHECKED_ON))

    # when / then
    with pytest.raises(SignatureRefused) as refused:
        verifier.verify(ncalayer_xml, purpose=KeyPurpose.AUTH, at=SIGNED_ON)
    assert refused.value.check == Check.PURPOSE
    assert refused.value.reason == "sign_key_for_sign_in"


def test_another_iin_in_the_request_is_refused(nca_root, ncalayer_xml):
    verifier = nca_verifier(nca_root, FixedClock(CHECKED_ON))

    with pytest.raises(SignatureRefused) as refused:
        verifier.verify(ncalayer_xml, purpose=KeyPurpose.SIGN, expected_iin="900512401234", at=SIGNED_ON)
    assert refused.value.check == Check.IDENTITY
    assert refused.value.reason == "iin_mismatch"


def test_the_gost_root_cannot_be_trusted_and_the_document_is_untrusted(ncalayer_xml):
    # given only the NCA GOST test CA configured (cryptography cannot load GOST keys)
    gost_root = load_certificate(fixture_bytes("nca_gost_test.crt"))
    verifier = SignatureVerifier(
        TrustStore([gost_root]), StandardRevocationChecker(None), FixedClock(CHECKED_ON)
    )

    # when / then
    with pytest.raises(SignatureRefused) as refused:
        verifier.verify(ncalayer_xml, purpose=KeyPurpose.SIGN, at=SIGNED_ON)
    assert refused.value.check == Check.CHAIN


def test_a_gost_certificate_is_refused_as_an_unsupported_algorithm(nca_root):
    # given a document whose KeyInfo carries the real GOST signing certificate of an organisation head
    gost = load_certificate(fixture_bytes("ceo_valid_sign_2004_gost.cer"))
    document = sign_with_key("<a><b>test</b></a>", fresh_key(), gost.public_bytes(Encoding.DER))
    verifier = nca_verifier(nca_root, FixedClock(CHECKED_ON))

    # when / then
    with pytest.raises(SignatureRefused) as refused:
        verifier.verify(document, purpose=KeyPurpose.SIGN)
    assert refused.value.check == Check.SIGNATURE
    assert refused.value.reason == "unsupported_algorithm"
    assert "ГОСТ" in refused.value.ru


def test_the_real_crl_is_signed_by_the_test_ca_and_current_in_2022(nca_root):
    # given the real CRL
    crl = load_crl(fixture_bytes("nca_rsa_test.crl"))

    # then
    assert crl.is_signature_valid(nca_root.public_key())
    assert is_current(crl, CHECKED_ON)
    assert not is_current(crl, SIGNED_ON)
    assert not is_current(crl, datetime(2023, 1, 1, tzinfo=UTC))
    assert crl.get_revoked_certificate_by_serial_number(0x474C38696D8677A2C8B6E40345A8B04168C0905C)


def test_the_real_good_ocsp_answer_is_read_and_verified(nca_root, ncalayer_xml):
    # given NCA's answer about the NCALayer document's certificate, signed by a delegated responder
    answer = read_ocsp_response(fixture_bytes("ocsp_response_individual_sign_2004.bin"))
    signer = signing_certificate(ncalayer_xml)

    # when
    verify_ocsp_answer(answer, signer, nca_root, now=datetime(2022, 9, 2, 17, 0, tzinfo=UTC))

    # then
    assert answer.status == "good"
    assert answer.serial_number == signer.serial_number
    assert answer.produced_at == datetime(2022, 9, 2, 16, 53, 59, tzinfo=UTC)


def test_the_real_good_ocsp_answer_is_not_trusted_for_another_certificate(nca_root):
    answer = read_ocsp_response(fixture_bytes("ocsp_response_individual_sign_2004.bin"))
    other = load_certificate(fixture_bytes("individual_valid_sign_2004_rsa.cer"))

    with pytest.raises(OcspError, match="another certificate"):
        verify_ocsp_answer(answer, other, nca_root, now=datetime(2022, 9, 2, 17, 0, tzinfo=UTC))


def test_the_real_good_ocsp_answer_goes_stale(nca_root, ncalayer_xml):
    answer = read_ocsp_response(fixture_bytes("ocsp_response_individual_sign_2004.bin"))
    signer = signing_certificate(ncalayer_xml)

    with pytest.raises(OcspError, match="too old"):
        verify_ocsp_answer(answer, signer, nca_root, now=datetime(2022, 9, 3, tzinfo=UTC))


def test_the_real_revoked_ocsp_answer_is_read_but_its_gost_signature_cannot_be_trusted():
    # given NCA's GOST-signed answer that an organisation head's certificate is revoked
    answer = read_ocsp_response(fixture_bytes("ocsp_response_ceo_sign_2004_revoked.bin"))
    ceo = load_certificate(fixture_bytes("ceo_valid_sign_2004_gost.cer"))
    gost_ca = load_certificate(fixture_bytes("nca_gost_test.crt"))

    # then it reads as revoked (superseded, on 2022-01-18) ...
    assert answer.status == "revoked"
    assert answer.revocation_time == datetime(2022, 1, 18, 6, 30, 55, tzinfo=UTC)
    assert answer.revocation_reason == x509.ReasonFlags.superseded
    assert format(answer.serial_number, "X") == "12E3E7B9966D09EB9CDA64251457E815C2A8DDED"
    # ... but GOST signatures cannot be verified, so it is never taken as an answer
    with pytest.raises(OcspError, match="unsupported algorithm"):
        verify_ocsp_answer(answer, ceo, gost_ca, now=datetime(2022, 9, 2, 17, 0, tzinfo=UTC))


def test_the_real_auth_and_sign_certificates_say_what_they_are_for():
    sign = load_certificate(fixture_bytes("individual_valid_sign_2004_rsa.cer"))
    auth = load_certificate(fixture_bytes("individual_valid_sign_2004_rsa_auth.cer"))
    ceo = load_certificate(fixture_bytes("ceo_valid_sign_2004_gost.cer"))

    assert key_purposes(sign) == {KeyPurpose.SIGN}
    assert key_purposes(auth) == {KeyPurpose.AUTH}
    assert holder(sign) == Holder.INDIVIDUAL
    assert holding(sign).iin == TEST_IIN
    assert holding(ceo).bin == "123456789021"
    assert holder(ceo) == Holder.ORGANISATION
