"""CRLs are fetched over HTTP, kept in S3 and in memory, refreshed on schedule, and outages are survived."""

from __future__ import annotations

from datetime import timedelta

import pytest
from cryptography import x509

from chalicelib.clock import FixedClock
from chalicelib.eds.chain import TrustStore
from chalicelib.eds.crl import CachedCrlSource, cache_key, load_crl, refresh_revocation_data
from chalicelib.eds.model import Check, KeyPurpose, SignatureRefused
from chalicelib.eds.revocation import StandardRevocationChecker
from chalicelib.eds.verify import SignatureVerifier
from infra.local.signing import sign_xml
from tests.pki import PKI_NOW

DOCUMENT = "<application><number>42</number></application>"


def verifier_for(ca, source, clock) -> SignatureVerifier:
    return SignatureVerifier(TrustStore([ca.root], [ca.issuing]), StandardRevocationChecker(source), clock)


@pytest.fixture
def person(revocation_ca):
    return revocation_ca.issue_individual(
        iin="900512401234", surname="АХМЕТОВА", given_name="АЙГҮЛ", purpose=KeyPurpose.SIGN, label="cache"
    )


def test_the_first_check_fetches_the_crl_and_keeps_it_in_s3(
    revocation_ca, revocation_server, documents_bucket, person
):
    # given a source with nothing cached yet
    source = CachedCrlSource([revocation_server.crl_url], store=documents_bucket, timeout=2)
    verifier = verifier_for(revocation_ca, source, FixedClock(PKI_NOW))

    # when two documents are verified
    verifier.verify(sign_xml(DOCUMENT, person), purpose=KeyPurpose.SIGN)
    verifier.verify(sign_xml(DOCUMENT, person), purpose=KeyPurpose.SIGN)

    # then the CRL was fetched once and is kept in S3
    assert revocation_server.count("GET /crl") == 1
    cached = documents_bucket.get(cache_key(revocation_server.crl_url))
    assert cached is not None and load_crl(cached).issuer == revocation_ca.issuing.subject


def test_another_instance_starts_from_the_s3_copy_while_the_ca_is_down(
    revocation_ca, revocation_server, documents_bucket, person
):
    # given one instance that cached the CRL, then the CA going down
    first = CachedCrlSource([revocation_server.crl_url], store=documents_bucket, timeout=2)
    first.refresh(PKI_NOW)
    revocation_server.failing = True
    before = len(revocation_server.requests)

    # when a fresh instance verifies a document
    second = CachedCrlSource([revocation_server.crl_url], store=documents_bucket, timeout=2)
    verified = verifier_for(revocation_ca, second, FixedClock(PKI_NOW)).verify(
        sign_xml(DOCUMENT, person), purpose=KeyPurpose.SIGN
    )

    # then it used the S3 copy without asking the CA
    assert verified.signer.iin == "900512401234"
    assert len(revocation_server.requests) == before


def test_a_stale_crl_is_fetched_again_and_a_revocation_shows(
    revocation_ca, revocation_server, documents_bucket, person
):
    # given a CRL cached yesterday, and the certificate revoked since
    clock = FixedClock(PKI_NOW)
    source = CachedCrlSource([revocation_server.crl_url], store=documents_bucket, timeout=2)
    verifier = verifier_for(revocation_ca, source, clock)
    verifier.verify(sign_xml(DOCUMENT, person), purpose=KeyPurpose.SIGN)
    revocation_ca.revoke(person, at=PKI_NOW + timedelta(hours=1), reason=x509.ReasonFlags.key_compromise)
    revocation_ca.now = PKI_NOW + timedelta(days=1, hours=1)

    # when the cached CRL's next update has passed
    clock.advance(timedelta(days=1, hours=1))

    # then the new CRL is fetched and the document refused
    with pytest.raises(SignatureRefused) as refused:
        verifier.verify(sign_xml(DOCUMENT, person), purpose=KeyPurpose.SIGN)
    assert (refused.value.check, refused.value.reason) == (Check.REVOCATION, "revoked")
    assert revocation_server.count("GET /crl") == 2


def test_with_a_stale_crl_and_the_ca_down_the_check_is_refused_and_the_ca_spared(
    revocation_ca, revocation_server, documents_bucket, person
):
    # given a cached CRL that went stale while the CA is down
    clock = FixedClock(PKI_NOW)
    source = CachedCrlSource([revocation_server.crl_url], store=documents_bucket, timeout=2)
    verifier = verifier_for(revocation_ca, source, clock)
    source.refresh(PKI_NOW)
    revocation_server.failing = True
    clock.advance(timedelta(days=2))

    # when two documents are verified in the same minute
    for _ in range(2):
        with pytest.raises(SignatureRefused) as refused:
            verifier.verify(sign_xml(DOCUMENT, person), purpose=KeyPurpose.SIGN)
        assert (refused.value.check, refused.value.reason) == (Check.REVOCATION, "unavailable")

    # then the CA was asked once, not on every request
    assert revocation_server.count("GET /crl") == 2  # the refresh, then one retry


def test_the_scheduled_refresh_keeps_the_newer_crl(revocation_server, documents_bucket):
    # given a cached CRL
    source = CachedCrlSource([revocation_server.crl_url], store=documents_bucket, timeout=2)
    first = refresh_revocation_data(FixedClock(PKI_NOW), source=source)

    # when refreshed again (the CA publishes a newer CRL number every time)
    second = refresh_revocation_data(FixedClock(PKI_NOW), source=source)

    # then
    assert [r.outcome for r in first] == ["updated"]
    assert [r.outcome for r in second] == ["updated"]
    cached = load_crl(documents_bucket.get(cache_key(revocation_server.crl_url)))
    assert cached.extensions.get_extension_for_class(x509.CRLNumber).value.crl_number == 2


def test_the_scheduled_refresh_keeps_the_good_copy_when_the_ca_sends_garbage(revocation_server, documents_bucket):
    # given a cached CRL, then the CA answering with something that is not a CRL
    source = CachedCrlSource([revocation_server.crl_url], store=documents_bucket, timeout=2)
    refresh_revocation_data(FixedClock(PKI_NOW), source=source)
    good = documents_bucket.get(cache_key(revocation_server.crl_url))
    revocation_server.crl_body = b"<html>maintenance</html>"

    # when
    results = refresh_revocation_data(FixedClock(PKI_NOW), source=source)

    # then
    assert results[0].outcome == "failed"
    assert documents_bucket.get(cache_key(revocation_server.crl_url)) == good


def test_an_older_crl_never_replaces_a_newer_one(revocation_server, documents_bucket):
    # given the CA serving a fixed CRL, and a newer one already cached by another instance
    old = revocation_server.ca.publish()
    newer = CachedCrlSource([revocation_server.crl_url], store=documents_bucket, timeout=2)
    newer.refresh(PKI_NOW)
    revocation_server.crl_body = old

    # when a fresh instance refreshes
    results = CachedCrlSource([revocation_server.crl_url], store=documents_bucket, timeout=2).refresh(PKI_NOW)

    # then the cached copy stays the newer one
    assert results[0].outcome == "unchanged"
    cached = load_crl(documents_bucket.get(cache_key(revocation_server.crl_url)))
    assert cached.extensions.get_extension_for_class(x509.CRLNumber).value.crl_number == 2


def test_without_s3_the_source_still_works_from_memory(revocation_ca, revocation_server, person):
    source = CachedCrlSource([revocation_server.crl_url], store=None, timeout=2)

    verified = verifier_for(revocation_ca, source, FixedClock(PKI_NOW)).verify(
        sign_xml(DOCUMENT, person), purpose=KeyPurpose.SIGN
    )

    assert verified.signer.iin == "900512401234"
