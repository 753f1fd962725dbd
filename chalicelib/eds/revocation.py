"""Check 4: the certificate is not revoked — by OCSP where configured, else by CRL.

The signer's certificate must be answered for: by a verified OCSP answer, or by a
current CRL signed by its issuer. CA certificates further up are checked when a CRL
of their issuer is available. When no answer can be had the configured fail mode
decides: refuse (the default) or accept with a warning.

A revocation counts when it happened at or before the signing time; a revocation
for key or CA compromise counts whenever it happened, since a stolen key can sign
with any date. ``certificateHold`` counts as revoked while it lasts; a delta CRL's
``removeFromCRL`` lifts it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from itertools import pairwise
from typing import Literal, Protocol

from cryptography import x509
from cryptography.exceptions import UnsupportedAlgorithm

from chalicelib.eds.crl import CrlSource, is_current
from chalicelib.eds.ocsp import OcspClient

FailMode = Literal["refuse", "warn"]
_COMPROMISE = {x509.ReasonFlags.key_compromise, x509.ReasonFlags.ca_compromise}


class RevocationStatus(StrEnum):
    GOOD = "good"
    REVOKED = "revoked"
    UNAVAILABLE = "unavailable"


@dataclass(frozen=True)
class RevocationOutcome:
    """The answer for a whole chain."""

    status: RevocationStatus
    source: str | None = None  # "ocsp" or "crl"
    revoked_at: datetime | None = None
    reason: str | None = None
    warnings: tuple[str, ...] = ()


class RevocationChecker(Protocol):
    def check(
        self, chain: Sequence[x509.Certificate], *, at: datetime, now: datetime
    ) -> RevocationOutcome:
        """The revocation status of ``chain`` (``[leaf, …, root]``) for a signature made at ``at``."""
        ...


def counts_as_revoked(
    revoked_at: datetime, reason: x509.ReasonFlags | None, *, at: datetime
) -> bool:
    """Whether a revocation invalidates a signature made at ``at``."""
    return revoked_at <= at or reason in _COMPROMISE


def _entry_reason(entry: x509.RevokedCertificate) -> x509.ReasonFlags | None:
    try:
        return entry.extensions.get_extension_for_class(x509.CRLReason).value.reason
    except x509.ExtensionNotFound:
        return None


def _is_delta(crl: x509.CertificateRevocationList) -> bool:
    try:
        crl.extensions.get_extension_for_class(x509.DeltaCRLIndicator)
    except x509.ExtensionNotFound:
        return False
    return True


class _SignatureMemo:
    """Remembers which CRL was signed by which issuer: hashing a large CRL once is enough."""

    def __init__(self, limit: int = 64) -> None:
        self._known: dict[tuple[bytes, bytes], bool] = {}
        self._limit = limit

    def signed_by(self, crl: x509.CertificateRevocationList, issuer: x509.Certificate) -> bool:
        key = (crl.signature, issuer.signature)
        if key not in self._known:
            if len(self._known) >= self._limit:
                self._known.clear()
            try:
                self._known[key] = crl.issuer == issuer.subject and crl.is_signature_valid(
                    issuer.public_key()  # type: ignore[arg-type]
                )
            except (UnsupportedAlgorithm, TypeError, ValueError):
                self._known[key] = False
        return self._known[key]


_MEMO = _SignatureMemo()


def crl_status(
    certificate: x509.Certificate,
    issuer: x509.Certificate,
    crls: Sequence[x509.CertificateRevocationList],
    *,
    at: datetime,
    now: datetime,
) -> RevocationOutcome | None:
    """What the current CRLs signed by ``issuer`` say about ``certificate`` (``None``: no current CRL)."""
    usable = [c for c in crls if is_current(c, now) and _MEMO.signed_by(c, issuer)]
    bases = [c for c in usable if not _is_delta(c)]
    if not bases:
        return None
    deltas = [c for c in usable if _is_delta(c)]
    entry: x509.RevokedCertificate | None = None
    for crl in bases:
        entry = entry or crl.get_revoked_certificate_by_serial_number(certificate.serial_number)
    for crl in deltas:
        listed = crl.get_revoked_certificate_by_serial_number(certificate.serial_number)
        if listed is not None:
            entry = None if _entry_reason(listed) == x509.ReasonFlags.remove_from_crl else listed
    if entry is None:
        return RevocationOutcome(RevocationStatus.GOOD, source="crl")
    reason = _entry_reason(entry)
    if not counts_as_revoked(entry.revocation_date_utc, reason, at=at):
        return RevocationOutcome(RevocationStatus.GOOD, source="crl")
    return RevocationOutcome(
        RevocationStatus.REVOKED,
        source="crl",
        revoked_at=entry.revocation_date_utc,
        reason=reason.value if reason else None,
    )


class StandardRevocationChecker:
    """OCSP first (when configured), the CRL otherwise; the fail mode decides when neither answers."""

    def __init__(
        self,
        crls: CrlSource | None,
        ocsp: OcspClient | None = None,
        *,
        fail_mode: FailMode = "refuse",
    ) -> None:
        self._crls = crls
        self._ocsp = ocsp
        self._fail_mode = fail_mode

    def check(
        self, chain: Sequence[x509.Certificate], *, at: datetime, now: datetime
    ) -> RevocationOutcome:
        if len(chain) < 2:
            return RevocationOutcome(RevocationStatus.GOOD)
        fetched: list[Sequence[x509.CertificateRevocationList]] = []

        def crls() -> Sequence[x509.CertificateRevocationList]:
            if not fetched:
                fetched.append(self._crls.crls(now) if self._crls is not None else [])
            return fetched[0]

        leaf = self._leaf_status(chain[0], chain[1], crls, at=at, now=now)
        if leaf.status != RevocationStatus.GOOD:
            return self._unavailable() if leaf.status == RevocationStatus.UNAVAILABLE else leaf
        for certificate, issuer in pairwise(chain[1:]):
            outcome = crl_status(certificate, issuer, crls(), at=at, now=now)
            if outcome is not None and outcome.status == RevocationStatus.REVOKED:
                return outcome
        return leaf

    def _leaf_status(
        self,
        leaf: x509.Certificate,
        issuer: x509.Certificate,
        crls: Callable[[], Sequence[x509.CertificateRevocationList]],
        *,
        at: datetime,
        now: datetime,
    ) -> RevocationOutcome:
        if self._ocsp is not None:
            answer = self._ocsp.status(leaf, issuer, now=now)
            if answer is not None and answer.status == "good":
                return RevocationOutcome(RevocationStatus.GOOD, source="ocsp")
            if answer is not None and answer.status == "revoked" and answer.revocation_time is not None:
                reason = answer.revocation_reason
                if counts_as_revoked(answer.revocation_time, reason, at=at):
                    return RevocationOutcome(
                        RevocationStatus.REVOKED,
                        source="ocsp",
                        revoked_at=answer.revocation_time,
                        reason=reason.value if reason else None,
                    )
                return RevocationOutcome(RevocationStatus.GOOD, source="ocsp")
        outcome = crl_status(leaf, issuer, crls(), at=at, now=now)
        return outcome or RevocationOutcome(RevocationStatus.UNAVAILABLE)

    def _unavailable(self) -> RevocationOutcome:
        if self._fail_mode == "warn":
            return RevocationOutcome(
                RevocationStatus.GOOD,
                warnings=("revocation status unknown: no current CRL and no OCSP answer",),
            )
        return RevocationOutcome(RevocationStatus.UNAVAILABLE)
