"""Shared PKI fixtures: a test CA shaped like NCA's, demo people's keys, NCALayer-style signing, a verifier.

Fixtures (session-scoped: keys are generated once per test process):

``pki_ca``             :class:`infra.local.testca.TestCA` — root + issuing CA + OCSP responder, its clock at ``PKI_NOW``
``pki_people``         ``dict[str, DemoCredentials]`` by slug: ``parent``, ``second_parent``, ``other_parent``,
                       ``kindergarten_head`` (organisation, BIN), ``operator`` (organisation employee);
                       each has ``.person`` (``iin``, ``bin``, names), ``.auth`` and ``.sign`` credentials
                       ``pki_ca.issue_staff(person, role)``: a colleague's certificate with that organisation's
                       BIN in another NCA role (``head``, ``signer``, ``finance``, ``hr``, ``employee``)
``pki_sign``           ``(xml: str | bytes, credential) -> bytes`` — signs as NCALayer's ``signXml`` does
``pki_crl_source``     the CA's CRL, published again whenever the CA revokes (revocations show at once)
``pki_verifier``       :class:`SignatureVerifier` trusting ``pki_ca`` (CRL from ``pki_crl_source``, no OCSP),
                       its clock fixed at ``PKI_NOW``
``pki_verifier_for``   ``(clock) -> SignatureVerifier`` — the same verifier with another clock

Constants: ``PKI_NOW`` (the verifier's clock), ``NCA_FIXTURES`` (``tests/fixtures/nca``, real NCA vectors).
Helpers: ``make_verifier(ca, clock)`` and ``LiveCrlSource(ca)`` for a verifier over a CA of your own.

The CA's certificates are valid 2024–2045 and its CRLs are current over the same span,
so any clock in that window verifies. Never revoke the demo people's credentials (other
tests share them): issue a throw-away one with ``pki_ca.issue_individual(...)`` instead.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path

import pytest
from cryptography import x509

from chalicelib.clock import Clock, FixedClock
from chalicelib.eds.chain import TrustStore
from chalicelib.eds.crl import load_crl
from chalicelib.eds.revocation import StandardRevocationChecker
from chalicelib.eds.verify import SignatureVerifier
from infra.local.signing import sign_xml
from infra.local.testca import LEAF_NOT_AFTER, LEAF_NOT_BEFORE, Credential, DemoCredentials, TestCA

PKI_NOW = datetime(2026, 1, 15, 6, 0, tzinfo=UTC)
NCA_FIXTURES = Path(__file__).resolve().parent / "fixtures" / "nca"  # real NCA test vectors (tests/fixtures/nca)


class LiveCrlSource:
    """The CA's CRL as of now: re-published whenever the CA's revocations change."""

    def __init__(self, ca: TestCA) -> None:
        self._ca = ca
        self._published: tuple[int, x509.CertificateRevocationList] | None = None

    def crls(self, now: datetime) -> Sequence[x509.CertificateRevocationList]:
        revision = self._ca.revision
        if self._published is None or self._published[0] != revision:
            der = self._ca.publish(this_update=LEAF_NOT_BEFORE, next_update=LEAF_NOT_AFTER)
            self._published = (revision, load_crl(der))
        return [self._published[1]]


def make_verifier(ca: TestCA, clock: Clock, crls: LiveCrlSource | None = None) -> SignatureVerifier:
    """A verifier that trusts ``ca`` and checks revocation with its CRL."""
    trust = TrustStore([ca.root], [ca.issuing])
    revocation = StandardRevocationChecker(crls or LiveCrlSource(ca))
    return SignatureVerifier(trust, revocation, clock)


@pytest.fixture(scope="session")
def pki_ca() -> TestCA:
    return TestCA(now=PKI_NOW)


@pytest.fixture(scope="session")
def pki_people(pki_ca: TestCA) -> dict[str, DemoCredentials]:
    return pki_ca.issue_demo_people()


@pytest.fixture(scope="session")
def pki_sign() -> Callable[[str | bytes, Credential], bytes]:
    return sign_xml


@pytest.fixture(scope="session")
def pki_crl_source(pki_ca: TestCA) -> LiveCrlSource:
    return LiveCrlSource(pki_ca)


@pytest.fixture(scope="session")
def pki_verifier(pki_ca: TestCA, pki_crl_source: LiveCrlSource) -> SignatureVerifier:
    return make_verifier(pki_ca, FixedClock(PKI_NOW), pki_crl_source)


@pytest.fixture(scope="session")
def pki_verifier_for(
    pki_ca: TestCA, pki_crl_source: LiveCrlSource
) -> Callable[[Clock], SignatureVerifier]:
    def build(clock: Clock) -> SignatureVerifier:
        return make_verifier(pki_ca, clock, pki_crl_source)

    return build
