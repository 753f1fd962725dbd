"""The verifier the service runs with, built from settings: roots from files, CRL and OCSP over HTTP."""

from __future__ import annotations

from datetime import timedelta

import pytest

from chalicelib.clock import FixedClock
from chalicelib.eds.model import Check, KeyPurpose, SignatureRefused
from chalicelib.eds.verify import default_verifier, forget_cached_revocation_data
from chalicelib.settings import Settings
from infra.local.signing import sign_xml
from tests.pki import PKI_NOW

DOCUMENT = "<contract><number>01.01-01.21.001</number></contract>"


@pytest.fixture
def settings(tmp_path, revocation_ca, revocation_server, documents_bucket) -> Settings:
    """What the local stack configures: the test CA saved to files, its CRL and OCSP addresses."""
    forget_cached_revocation_data()
    revocation_ca.save(tmp_path / "ca")
    return Settings(
        trusted_roots=[str(tmp_path / "ca" / "trusted_roots.pem")],
        intermediates=[str(tmp_path / "ca" / "intermediates.pem")],
        crl_urls=[revocation_server.crl_url],
        ocsp_url=revocation_server.ocsp_url,
        network_timeout_seconds=2,
        documents_bucket=documents_bucket.bucket,
    )


@pytest.fixture
def person(revocation_ca):
    return revocation_ca.issue_individual(
        iin="930220407896", surname="НҰРЛАНОВА", given_name="ДИНАРА", purpose=KeyPurpose.SIGN, label="default"
    )


def test_a_document_passes_with_an_ocsp_answer(settings, revocation_server, person):
    verifier = default_verifier(FixedClock(PKI_NOW), settings=settings)

    verified = verifier.verify(sign_xml(DOCUMENT, person), purpose=KeyPurpose.SIGN, expected_iin="930220407896")

    assert verified.signer.full_name == "НҰРЛАНОВА ДИНАРА"
    assert revocation_server.count("POST /ocsp") == 1


def test_a_certificate_revoked_at_the_responder_is_refused(settings, revocation_ca, person):
    revocation_ca.revoke(person, at=PKI_NOW - timedelta(minutes=5))
    verifier = default_verifier(FixedClock(PKI_NOW), settings=settings)

    with pytest.raises(SignatureRefused) as refused:
        verifier.verify(sign_xml(DOCUMENT, person), purpose=KeyPurpose.SIGN)

    assert (refused.value.check, refused.value.reason) == (Check.REVOCATION, "revoked")
    assert refused.value.details["source"] == "ocsp"


def test_when_the_responder_fails_the_crl_is_used(settings, revocation_server, person):
    # given an OCSP address that answers nothing useful
    flaky = settings.model_copy(update={"ocsp_url": f"{revocation_server.base_url}/no-such-responder"})
    verifier = default_verifier(FixedClock(PKI_NOW), settings=flaky)

    verified = verifier.verify(sign_xml(DOCUMENT, person), purpose=KeyPurpose.SIGN)

    assert verified.warnings == []
    assert revocation_server.count("GET /crl") == 1


def test_when_nothing_answers_the_fail_mode_decides(settings, revocation_server, person):
    revocation_server.failing = True
    refusing = default_verifier(FixedClock(PKI_NOW), settings=settings)
    warning = default_verifier(
        FixedClock(PKI_NOW), settings=settings.model_copy(update={"revocation_fail_mode": "warn"})
    )

    with pytest.raises(SignatureRefused) as refused:
        refusing.verify(sign_xml(DOCUMENT, person), purpose=KeyPurpose.SIGN)
    verified = warning.verify(sign_xml(DOCUMENT, person), purpose=KeyPurpose.SIGN)

    assert (refused.value.check, refused.value.reason) == (Check.REVOCATION, "unavailable")
    assert verified.warnings


def test_an_unreachable_address_is_a_failure_not_a_hang(settings, person):
    # given addresses on a closed port
    closed = settings.model_copy(
        update={"crl_urls": ["http://127.0.0.1:9/crl.crl"], "ocsp_url": "http://127.0.0.1:9/ocsp"}
    )
    verifier = default_verifier(FixedClock(PKI_NOW), settings=closed)

    with pytest.raises(SignatureRefused) as refused:
        verifier.verify(sign_xml(DOCUMENT, person), purpose=KeyPurpose.SIGN)

    assert refused.value.reason == "unavailable"
