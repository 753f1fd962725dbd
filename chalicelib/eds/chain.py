"""Checks 2 and 3: the certificate chains to a configured root and is valid at signing time.

The chain is built by ``cryptography.x509.verification`` with the web-PKI rules kept
for CA certificates and loosened for the signer's own certificate: NCA certificates
carry no SubjectAlternativeName and signing certificates carry no clientAuth usage,
so the end-entity extension policy permits them and the key purpose is checked
separately (check 6). Validity is then judged for every certificate of the chain
at the signing time, so that an expired certificate is reported as such and not as
"untrusted".
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable, Sequence
from datetime import datetime
from pathlib import Path

from cryptography import x509
from cryptography.x509 import verification

from chalicelib.eds.certificates import is_supported_key, load_certificates
from chalicelib.eds.model import Check
from chalicelib.eds.refusals import refuse

MAX_CHAIN_DEPTH = 6


class TrustStore:
    """The trusted roots (NCA's RSA roots in production, a test CA locally) and known intermediates."""

    def __init__(
        self, roots: Sequence[x509.Certificate], intermediates: Sequence[x509.Certificate] = ()
    ) -> None:
        self.roots = [c for c in roots if is_supported_key(c)]
        self.intermediates = [c for c in intermediates if is_supported_key(c)]
        self._store = verification.Store(self.roots) if self.roots else None

    @classmethod
    def from_files(
        cls, roots: Iterable[str | Path], intermediates: Iterable[str | Path] = ()
    ) -> TrustStore:
        """Roots and intermediates from PEM files (GOST certificates in them are skipped)."""
        return cls(load_certificates(roots), load_certificates(intermediates))

    def chain(
        self, leaf: x509.Certificate, extra: Sequence[x509.Certificate], *, at: datetime
    ) -> list[x509.Certificate]:
        """The chain ``[leaf, …, root]``, or a ``chain`` refusal.

        The chain is built as of ``at`` moved inside the leaf's own validity, so that a
        leaf that merely expired still chains (and is refused by :func:`check_validity`).
        """
        if self._store is None:
            raise refuse(Check.CHAIN, "untrusted")
        when = min(max(at, leaf.not_valid_before_utc), leaf.not_valid_after_utc)
        verifier = (
            verification.PolicyBuilder()
            .store(self._store)
            .time(when)
            .max_chain_depth(MAX_CHAIN_DEPTH)
            .extension_policies(
                ca_policy=verification.ExtensionPolicy.webpki_defaults_ca(),
                ee_policy=verification.ExtensionPolicy.permit_all(),
            )
            .build_client_verifier()
        )
        candidates = [*self.intermediates, *(c for c in extra if is_supported_key(c))]
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", UserWarning)
                verified = verifier.verify(leaf, candidates)
        except (verification.VerificationError, ValueError) as error:
            raise refuse(Check.CHAIN, "untrusted") from error
        return list(verified.chain)


def check_validity(chain: Sequence[x509.Certificate], *, at: datetime) -> None:
    """Every certificate of the chain is valid at ``at``, or a ``validity`` refusal."""
    leaf = chain[0]
    if at < leaf.not_valid_before_utc:
        raise refuse(Check.VALIDITY, "not_yet_valid", not_before=leaf.not_valid_before_utc.isoformat())
    if at > leaf.not_valid_after_utc:
        raise refuse(Check.VALIDITY, "expired", not_after=leaf.not_valid_after_utc.isoformat())
    for certificate in chain[1:]:
        if not certificate.not_valid_before_utc <= at <= certificate.not_valid_after_utc:
            raise refuse(Check.VALIDITY, "issuer_not_valid")
