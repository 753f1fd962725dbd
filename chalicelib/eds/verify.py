"""The signature verifier: every signed document passes the seven checks of SPEC, in order.

0. input hygiene (size, well-formed, no DTD or entities, strict base64);
1. the XML signature is valid, RSA-SHA256/SHA-256, enveloped, over the whole document;
2. the certificate chains to a configured trusted root;
3. the certificate is valid at signing time;
4. it is not revoked (OCSP where configured, CRL otherwise);
5. the IIN (and BIN for organisations) equals the one in the request;
6. the key purpose fits (AUTH signs in, the signing key signs documents; individual/organisation);
7. the certificate belongs to the account owner.

The first failure is raised as :class:`SignatureRefused`, naming its check. What passes
is returned as a :class:`VerifiedDocument` whose ``signed_root`` is the element signxml
verified: callers read data from there only, never from the raw input.
"""

from __future__ import annotations

from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path

from cryptography import x509

from chalicelib.clock import Clock
from chalicelib.eds.certificates import allows_digital_signature, holding, key_purposes, name_text, organisation_role
from chalicelib.eds.certificates import holder as holder_of
from chalicelib.eds.chain import TrustStore, check_validity
from chalicelib.eds.crl import CachedCrlSource
from chalicelib.eds.model import Check, Holder, KeyPurpose, SignatureRefused, Signer, VerifiedDocument
from chalicelib.eds.ocsp import OcspClient
from chalicelib.eds.refusals import refuse
from chalicelib.eds.revocation import RevocationChecker, RevocationStatus, StandardRevocationChecker
from chalicelib.eds.xmldsig import verify_xml_signature
from chalicelib.eds.xmlinput import as_bytes, parse_document
from chalicelib.observability import logger
from chalicelib.settings import PACKAGE_DIR, Settings, get_settings

DEFAULT_MAX_BYTES = 1_000_000


def _aware(at: datetime) -> datetime:
    return at.replace(tzinfo=UTC) if at.tzinfo is None else at.astimezone(UTC)


def _check_purpose(
    certificate: x509.Certificate, purpose: KeyPurpose, required: Holder | None
) -> Holder:
    purposes = key_purposes(certificate)
    if purpose not in purposes:
        if purpose == KeyPurpose.SIGN and KeyPurpose.AUTH in purposes:
            raise refuse(Check.PURPOSE, "auth_key_for_document")
        if purpose == KeyPurpose.AUTH and KeyPurpose.SIGN in purposes:
            raise refuse(Check.PURPOSE, "sign_key_for_sign_in")
        raise refuse(Check.PURPOSE, "key_usage")
    if not allows_digital_signature(certificate):
        raise refuse(Check.PURPOSE, "key_usage")
    kind = holder_of(certificate)
    if kind is None:
        raise refuse(Check.PURPOSE, "holder_unknown")
    if required is not None and kind != required:
        reason = "organisation_required" if required == Holder.ORGANISATION else "individual_required"
        raise refuse(Check.PURPOSE, reason)
    return kind


class SignatureVerifier:
    """Verifies NCALayer-signed XML against the configured trust and revocation sources."""

    def __init__(
        self,
        trust: TrustStore,
        revocation: RevocationChecker,
        clock: Clock,
        *,
        max_bytes: int = DEFAULT_MAX_BYTES,
    ) -> None:
        self.trust = trust
        self.revocation = revocation
        self.clock = clock
        self.max_bytes = max_bytes

    def verify(
        self,
        xml: bytes | str,
        *,
        purpose: KeyPurpose,
        expected_iin: str | None = None,
        expected_bin: str | None = None,
        account_iin: str | None = None,
        at: datetime | None = None,
        holder: Holder | None = None,
    ) -> VerifiedDocument:
        """Run checks 0–7 and return the verified document, or raise ``SignatureRefused``.

        ``at`` is the signing time (default: now). ``holder`` requires an individual's or an
        organisation's certificate; an ``expected_bin`` implies an organisation's.
        """
        try:
            return self._verify(
                xml,
                purpose=purpose,
                expected_iin=expected_iin,
                expected_bin=expected_bin,
                account_iin=account_iin,
                at=at,
                holder=holder,
            )
        except SignatureRefused as refused:
            logger.info("signature refused", extra={"code": refused.code, "purpose": purpose.value})
            raise

    def _verify(
        self,
        xml: bytes | str,
        *,
        purpose: KeyPurpose,
        expected_iin: str | None,
        expected_bin: str | None,
        account_iin: str | None,
        at: datetime | None,
        holder: Holder | None,
    ) -> VerifiedDocument:
        now = _aware(self.clock.now())
        when = _aware(at) if at is not None else now
        data = as_bytes(xml)
        root = parse_document(data, max_bytes=self.max_bytes)
        signed = verify_xml_signature(data, root, at=when)
        leaf = signed.certificate
        chain = self.trust.chain(leaf, signed.extra_certificates, at=when)
        check_validity(chain, at=when)

        outcome = self.revocation.check(chain, at=when, now=now)
        if outcome.status == RevocationStatus.REVOKED:
            raise refuse(
                Check.REVOCATION,
                "revoked",
                revoked_at=outcome.revoked_at.isoformat() if outcome.revoked_at else None,
                revocation_reason=outcome.reason,
                source=outcome.source,
            )
        if outcome.status == RevocationStatus.UNAVAILABLE:
            raise refuse(Check.REVOCATION, "unavailable", kind="unavailable")

        person = holding(leaf)
        if expected_iin is not None:
            if person.iin is None:
                raise refuse(Check.IDENTITY, "iin_missing")
            if person.iin != expected_iin.strip():
                raise refuse(Check.IDENTITY, "iin_mismatch")
        if expected_bin is not None:
            if person.bin is None:
                raise refuse(Check.IDENTITY, "bin_missing")
            if person.bin != expected_bin.strip():
                raise refuse(Check.IDENTITY, "bin_mismatch")

        required = holder or (Holder.ORGANISATION if expected_bin is not None else None)
        kind = _check_purpose(leaf, purpose, required)

        if account_iin is not None and person.iin != account_iin.strip():
            raise refuse(Check.OWNER, "not_owner")

        signer = Signer(
            iin=person.iin,
            bin=person.bin,
            common_name=person.common_name,
            surname=person.surname,
            given_name=person.given_name,
            organisation=person.organisation,
            certificate_serial=format(leaf.serial_number, "X"),
            purpose=purpose,
            is_organisation=kind == Holder.ORGANISATION,
            not_before=leaf.not_valid_before_utc,
            not_after=leaf.not_valid_after_utc,
            issuer=name_text(leaf.issuer),
            patronymic=person.patronymic,
            organisation_role=organisation_role(leaf) if kind == Holder.ORGANISATION else None,
        )
        logger.info(
            "signature verified",
            extra={
                "certificate_serial": signer.certificate_serial,
                "purpose": purpose.value,
                "revocation_source": outcome.source,
                "warnings": list(outcome.warnings),
            },
        )
        return VerifiedDocument(
            signer=signer,
            signed_root=signed.signed_root,
            received=data,
            verified_at=now,
            warnings=list(outcome.warnings),
        )


def _resolve(path: str) -> Path:
    """A configured file: as given, else relative to the project (where ``app.py`` is)."""
    candidate = Path(path)
    if candidate.is_absolute() or candidate.exists():
        return candidate
    return PACKAGE_DIR.parent / candidate


@lru_cache(maxsize=4)
def _process_crl_source(urls: tuple[str, ...], bucket: str, timeout: float) -> CachedCrlSource:
    """One CRL source per process, so that its memory cache outlives a single request."""
    from chalicelib.store.objects import ObjectStore

    return CachedCrlSource(list(urls), store=ObjectStore(bucket), timeout=timeout)


def forget_cached_revocation_data() -> None:
    """Drop the process's CRL sources (a test, or the local stack after its CA was recreated)."""
    _process_crl_source.cache_clear()


def default_verifier(clock: Clock, *, settings: Settings | None = None) -> SignatureVerifier:
    """The verifier the service runs with, built from the settings.

    Trusted roots and intermediates are PEM files; CRLs come from ``crl_urls`` (cached in
    S3 and in memory), OCSP from ``ocsp_url`` when set; ``revocation_fail_mode`` decides
    what happens when neither answers.
    """
    settings = settings or get_settings()
    trust = TrustStore.from_files(
        [_resolve(p) for p in settings.trusted_roots], [_resolve(p) for p in settings.intermediates]
    )
    crls = _process_crl_source(
        tuple(settings.crl_urls), settings.documents_bucket, settings.network_timeout_seconds
    )
    ocsp = (
        OcspClient(settings.ocsp_url, timeout=settings.network_timeout_seconds)
        if settings.ocsp_url
        else None
    )
    revocation = StandardRevocationChecker(crls, ocsp, fail_mode=settings.revocation_fail_mode)
    return SignatureVerifier(trust, revocation, clock, max_bytes=settings.max_body_bytes)
