"""Check 4: a revoked certificate is refused — by CRL, and by OCSP where configured."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from cryptography import x509

from chalicelib.clock import FixedClock
from chalicelib.eds.chain import TrustStore
from chalicelib.eds.crl import StaticCrlSource
from chalicelib.eds.model import Check, KeyPurpose, SignatureRefused
from chalicelib.eds.ocsp import OcspClient, OcspError, build_ocsp_request, read_ocsp_response
from chalicelib.eds.revocation import StandardRevocationChecker
from chalicelib.eds.transport import TransportError
from chalicelib.eds.verify import SignatureVerifier
from infra.local.signing import sign_xml
from infra.local.testca import Credential, TestCA
from tests.pki import PKI_NOW

DOCUMENT = "<application><number>7</number></application>"


def throwaway(ca: TestCA, label: str) -> Credential:
    """A credential of its own, so that revoking it touches no other test."""
    return ca.issue_individual(
        iin="871103304560", surname="СЕРІКОВ", given_name="ДӘУРЕН", purpose=KeyPurpose.SIGN, label=label
    )


def verifier_with(ca: TestCA, checker: StandardRevocationChecker, now=PKI_NOW) -> SignatureVerifier:
    return SignatureVerifier(TrustStore([ca.root], [ca.issuing]), checker, FixedClock(now))


def ocsp_answering(ca: TestCA, **options) -> Callable[[str, bytes, str, float], bytes]:
    def post(url: str, body: bytes, content_type: str, timeout: float) -> bytes:
        assert content_type == "application/ocsp-request"
        return ca.ocsp_respond(body, **options)

    return post


def unreachable(url: str, body: bytes, content_type: str, timeout: float) -> bytes:
    raise TransportError("connection refused")


def refusal(verifier, document, **options) -> SignatureRefused:
    with pytest.raises(SignatureRefused) as refused:
        verifier.verify(document, purpose=KeyPurpose.SIGN, **options)
    return refused.value


@pytest.fixture
def ca() -> TestCA:
    """An authority of this test only (its revocations are its own)."""
    return TestCA(now=PKI_NOW)


def test_a_certificate_listed_in_the_crl_is_refused(ca):
    # given a revoked certificate and the CA's current CRL
    person = throwaway(ca, "revoked-by-crl")
    ca.revoke(person, at=PKI_NOW - timedelta(days=1), reason=x509.ReasonFlags.key_compromise)
    verifier = verifier_with(ca, StandardRevocationChecker(StaticCrlSource([ca.publish()])))

    # when / then
    refused = refusal(verifier, sign_xml(DOCUMENT, person))
    assert (refused.check, refused.reason) == (Check.REVOCATION, "revoked")
    assert refused.details["source"] == "crl"
    assert refused.details["revocation_reason"] == "keyCompromise"
    assert refused.details["check_number"] == 4 and "отозван" in refused.ru


def test_the_shared_verifier_sees_a_revocation_at_once(pki_ca, pki_verifier):
    person = throwaway(pki_ca, "revoked-in-shared-ca")
    document = sign_xml(DOCUMENT, person)
    assert pki_verifier.verify(document, purpose=KeyPurpose.SIGN)

    pki_ca.revoke(person, at=PKI_NOW - timedelta(hours=1))

    refused = refusal(pki_verifier, document)
    assert (refused.check, refused.reason) == (Check.REVOCATION, "revoked")


def test_a_revocation_after_the_signing_time_does_not_undo_the_signature(ca):
    # given a certificate revoked (superseded) after the document was signed
    person = throwaway(ca, "superseded-later")
    ca.revoke(person, at=PKI_NOW - timedelta(days=1), reason=x509.ReasonFlags.superseded)
    verifier = verifier_with(ca, StandardRevocationChecker(StaticCrlSource([ca.publish()])))

    # when verified as signed two days ago
    verified = verifier.verify(sign_xml(DOCUMENT, person), purpose=KeyPurpose.SIGN, at=PKI_NOW - timedelta(days=2))

    # then
    assert verified.signer.iin == "871103304560"


def test_a_key_compromise_counts_whenever_it_happened(ca):
    person = throwaway(ca, "compromised-later")
    ca.revoke(person, at=PKI_NOW - timedelta(days=1), reason=x509.ReasonFlags.key_compromise)
    verifier = verifier_with(ca, StandardRevocationChecker(StaticCrlSource([ca.publish()])))

    refused = refusal(verifier, sign_xml(DOCUMENT, person), at=PKI_NOW - timedelta(days=2))
    assert (refused.check, refused.reason) == (Check.REVOCATION, "revoked")


def test_without_a_crl_the_document_is_refused_as_unverifiable(ca):
    verifier = verifier_with(ca, StandardRevocationChecker(StaticCrlSource()))

    refused = refusal(verifier, sign_xml(DOCUMENT, throwaway(ca, "no-crl")))
    assert (refused.check, refused.reason) == (Check.REVOCATION, "unavailable")
    assert refused.kind == "unavailable"


def test_a_stale_crl_counts_as_none(ca):
    # given a CRL whose next update passed an hour ago
    stale = ca.publish(this_update=PKI_NOW - timedelta(days=2), next_update=PKI_NOW - timedelta(hours=1))
    verifier = verifier_with(ca, StandardRevocationChecker(StaticCrlSource([stale])))

    refused = refusal(verifier, sign_xml(DOCUMENT, throwaway(ca, "stale-crl")))
    assert (refused.check, refused.reason) == (Check.REVOCATION, "unavailable")


def test_a_crl_from_the_future_counts_as_none(ca):
    early = ca.publish(this_update=PKI_NOW + timedelta(hours=1), next_update=PKI_NOW + timedelta(days=1))
    verifier = verifier_with(ca, StandardRevocationChecker(StaticCrlSource([early])))

    refused = refusal(verifier, sign_xml(DOCUMENT, throwaway(ca, "future-crl")))
    assert (refused.check, refused.reason) == (Check.REVOCATION, "unavailable")


def test_a_crl_signed_by_someone_else_is_ignored(ca):
    # given a CRL with our issuer's name, signed by another authority's key
    forger = TestCA(now=PKI_NOW, seed="a-crl-forger")
    verifier = verifier_with(ca, StandardRevocationChecker(StaticCrlSource([forger.publish()])))

    refused = refusal(verifier, sign_xml(DOCUMENT, throwaway(ca, "forged-crl")))
    assert (refused.check, refused.reason) == (Check.REVOCATION, "unavailable")


def test_in_warn_mode_missing_revocation_data_passes_with_a_warning(ca):
    verifier = verifier_with(ca, StandardRevocationChecker(StaticCrlSource(), fail_mode="warn"))

    verified = verifier.verify(sign_xml(DOCUMENT, throwaway(ca, "warn-mode")), purpose=KeyPurpose.SIGN)

    assert verified.warnings == ["revocation status unknown: no current CRL and no OCSP answer"]


def test_in_warn_mode_a_revoked_certificate_is_still_refused(ca):
    person = throwaway(ca, "revoked-warn-mode")
    ca.revoke(person, at=PKI_NOW - timedelta(days=1))
    verifier = verifier_with(ca, StandardRevocationChecker(StaticCrlSource([ca.publish()]), fail_mode="warn"))

    refused = refusal(verifier, sign_xml(DOCUMENT, person))
    assert (refused.check, refused.reason) == (Check.REVOCATION, "revoked")


def test_ocsp_says_good(ca):
    # given an OCSP responder and no CRL at all
    ocsp = OcspClient("http://127.0.0.1/ocsp", post=ocsp_answering(ca))
    verifier = verifier_with(ca, StandardRevocationChecker(StaticCrlSource(), ocsp))

    verified = verifier.verify(sign_xml(DOCUMENT, throwaway(ca, "ocsp-good")), purpose=KeyPurpose.SIGN)

    assert verified.warnings == []


@pytest.mark.parametrize("responder", ["delegated", "issuer"])
def test_ocsp_says_revoked(ca, responder):
    person = throwaway(ca, f"ocsp-revoked-{responder}")
    ca.revoke(person, at=PKI_NOW - timedelta(days=3), reason=x509.ReasonFlags.affiliation_changed)
    ocsp = OcspClient("http://127.0.0.1/ocsp", post=ocsp_answering(ca, responder=responder))
    verifier = verifier_with(ca, StandardRevocationChecker(StaticCrlSource(), ocsp))

    refused = refusal(verifier, sign_xml(DOCUMENT, person))
    assert (refused.check, refused.reason) == (Check.REVOCATION, "revoked")
    assert refused.details["source"] == "ocsp"
    assert refused.details["revocation_reason"] == "affiliationChanged"


def test_when_ocsp_is_down_the_crl_answers(ca):
    person = throwaway(ca, "ocsp-down")
    ca.revoke(person, at=PKI_NOW - timedelta(days=1))
    ocsp = OcspClient("http://127.0.0.1/ocsp", post=unreachable)
    verifier = verifier_with(ca, StandardRevocationChecker(StaticCrlSource([ca.publish()]), ocsp))

    refused = refusal(verifier, sign_xml(DOCUMENT, person))
    assert (refused.check, refused.reason) == (Check.REVOCATION, "revoked")
    assert refused.details["source"] == "crl"


def test_when_neither_ocsp_nor_crl_answers_it_is_unavailable(ca):
    ocsp = OcspClient("http://127.0.0.1/ocsp", post=unreachable)
    verifier = verifier_with(ca, StandardRevocationChecker(StaticCrlSource(), ocsp))

    refused = refusal(verifier, sign_xml(DOCUMENT, throwaway(ca, "nothing-answers")))
    assert (refused.check, refused.reason) == (Check.REVOCATION, "unavailable")


def test_an_ocsp_answer_from_another_authority_is_not_believed(ca):
    # given a responder of another authority that says "good" about everything it is asked
    forger = TestCA(now=PKI_NOW, seed="an-ocsp-forger")
    person = throwaway(ca, "ocsp-forged")
    ca.revoke(person, at=PKI_NOW - timedelta(days=1))
    ocsp = OcspClient("http://127.0.0.1/ocsp", post=ocsp_answering(forger))
    verifier = verifier_with(ca, StandardRevocationChecker(StaticCrlSource([ca.publish()]), ocsp))

    # then the forged answer is ignored and the CRL decides
    refused = refusal(verifier, sign_xml(DOCUMENT, person))
    assert (refused.check, refused.reason) == (Check.REVOCATION, "revoked")


def test_an_unknown_answer_falls_back_to_the_crl(ca):
    # given the same authority's responder, restarted without its records: it answers "unknown"
    person = throwaway(ca, "ocsp-unknown")
    forgetful = TestCA(now=PKI_NOW)
    answer = read_ocsp_response(forgetful.ocsp_respond(build_ocsp_request(person.certificate, ca.issuing)))
    assert answer.status == "unknown"
    ocsp = OcspClient("http://127.0.0.1/ocsp", post=ocsp_answering(forgetful))
    ca.revoke(person, at=PKI_NOW - timedelta(days=1))
    verifier = verifier_with(ca, StandardRevocationChecker(StaticCrlSource([ca.publish()]), ocsp))

    # then the CRL decides
    refused = refusal(verifier, sign_xml(DOCUMENT, person))
    assert (refused.check, refused.reason) == (Check.REVOCATION, "revoked")
    assert refused.details["source"] == "crl"


def test_an_ocsp_answer_with_another_nonce_is_refused(ca):
    person = throwaway(ca, "ocsp-nonce")

    def replay(url: str, body: bytes, content_type: str, timeout: float) -> bytes:
        other = build_ocsp_request(person.certificate, ca.issuing, nonce=b"0123456789abcdef")
        return ca.ocsp_respond(other)

    client = OcspClient("http://127.0.0.1/ocsp", post=replay)
    with pytest.raises(OcspError, match="nonce"):
        client.ask(person.certificate, ca.issuing, now=PKI_NOW)


def test_an_old_ocsp_answer_is_refused(ca):
    person = throwaway(ca, "ocsp-old")
    client = OcspClient("http://127.0.0.1/ocsp", post=ocsp_answering(ca, now=PKI_NOW - timedelta(hours=2)))

    with pytest.raises(OcspError, match="out of date"):
        client.ask(person.certificate, ca.issuing, now=PKI_NOW)
