"""OCSP: ask the CA's responder whether a certificate is revoked, and trust only a verified answer.

NCA answers are signed by a delegated responder certificate carried in the response
(EKU OCSPSigning, issued by the same CA); the answer counts only when that certificate
is issued by the certificate's issuer and its signature over the response verifies.
NCA's responder is known to be flaky: every failure here means "no answer", and the
caller falls back to the cached CRL.
"""

from __future__ import annotations

import os
import warnings
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from cryptography import x509
from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.serialization import Encoding
from cryptography.x509 import ocsp

from chalicelib.eds.certificates import EKU_OCSP_SIGNING, extended_key_usages
from chalicelib.eds.transport import Post, TransportError, http_post
from chalicelib.observability import logger

OcspStatus = Literal["good", "revoked", "unknown"]
CLOCK_SKEW = timedelta(minutes=5)

_STATUS: dict[ocsp.OCSPCertStatus, OcspStatus] = {
    ocsp.OCSPCertStatus.GOOD: "good",
    ocsp.OCSPCertStatus.REVOKED: "revoked",
    ocsp.OCSPCertStatus.UNKNOWN: "unknown",
}


class OcspError(Exception):
    """An OCSP answer that cannot be trusted or used."""


@dataclass(frozen=True)
class OcspAnswer:
    """What a responder said about one certificate (not yet verified)."""

    status: OcspStatus
    serial_number: int
    produced_at: datetime
    this_update: datetime
    next_update: datetime | None
    revocation_time: datetime | None
    revocation_reason: x509.ReasonFlags | None
    nonce: bytes | None
    response: ocsp.OCSPResponse


def read_ocsp_response(der: bytes) -> OcspAnswer:
    """Parse a DER OCSP response (:class:`OcspError` if it is not a successful single answer)."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)
            response = ocsp.load_der_ocsp_response(der)
    except ValueError as error:
        raise OcspError("not an OCSP response") from error
    if response.response_status != ocsp.OCSPResponseStatus.SUCCESSFUL:
        raise OcspError(f"responder refused: {response.response_status.name}")
    if len(list(response.responses)) != 1:
        raise OcspError("expected exactly one answer")
    try:
        nonce = response.extensions.get_extension_for_class(x509.OCSPNonce).value.nonce
    except x509.ExtensionNotFound:
        nonce = None
    return OcspAnswer(
        status=_STATUS[response.certificate_status],
        serial_number=response.serial_number,
        produced_at=response.produced_at_utc,
        this_update=response.this_update_utc,
        next_update=response.next_update_utc,
        revocation_time=response.revocation_time_utc,
        revocation_reason=response.revocation_reason,
        nonce=nonce,
        response=response,
    )


def build_ocsp_request(
    certificate: x509.Certificate, issuer: x509.Certificate, *, nonce: bytes | None = None
) -> bytes:
    """A DER OCSP request for one certificate (SHA-256 CertID, as NCA answers use)."""
    builder = ocsp.OCSPRequestBuilder().add_certificate(certificate, issuer, hashes.SHA256())
    if nonce is not None:
        builder = builder.add_extension(x509.OCSPNonce(nonce), critical=False)
    return builder.build().public_bytes(Encoding.DER)


def _same_certificate_id(
    answer: OcspAnswer, certificate: x509.Certificate, issuer: x509.Certificate
) -> bool:
    response = answer.response
    expected = (
        ocsp.OCSPRequestBuilder().add_certificate(certificate, issuer, response.hash_algorithm).build()
    )
    return (
        answer.serial_number == certificate.serial_number
        and response.issuer_key_hash == expected.issuer_key_hash
        and response.issuer_name_hash == expected.issuer_name_hash
    )


def _is_responder(candidate: x509.Certificate, response: ocsp.OCSPResponse) -> bool:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # NCA names longer than 64 bytes
        responder_name = response.responder_name
        if responder_name is not None:
            return candidate.subject == responder_name
    key_hash = x509.SubjectKeyIdentifier.from_public_key(candidate.public_key()).digest
    return key_hash == response.responder_key_hash


def _responder(answer: OcspAnswer, issuer: x509.Certificate, now: datetime) -> x509.Certificate:
    """The certificate whose key signed the answer: the issuer itself or its delegated responder."""
    response = answer.response
    if _is_responder(issuer, response):
        return issuer
    for candidate in response.certificates:
        if not _is_responder(candidate, response):
            continue
        try:
            candidate.verify_directly_issued_by(issuer)
        except (ValueError, TypeError, InvalidSignature, UnsupportedAlgorithm) as error:
            raise OcspError("responder certificate not issued by the certificate's issuer") from error
        try:
            usages = extended_key_usages(candidate)
        except ValueError as error:
            raise OcspError("responder certificate unreadable") from error
        if EKU_OCSP_SIGNING not in usages:
            raise OcspError("responder certificate has no OCSPSigning usage")
        if not candidate.not_valid_before_utc <= now <= candidate.not_valid_after_utc:
            raise OcspError("responder certificate not valid now")
        return candidate
    raise OcspError("no responder certificate")


def verify_ocsp_answer(
    answer: OcspAnswer,
    certificate: x509.Certificate,
    issuer: x509.Certificate,
    *,
    now: datetime,
    nonce: bytes | None = None,
    max_age: timedelta = timedelta(hours=1),
) -> None:
    """Raise :class:`OcspError` unless the answer is about ``certificate``, signed, fresh and ours."""
    response = answer.response
    try:
        algorithm = response.signature_hash_algorithm
    except UnsupportedAlgorithm as error:  # GOST-signed answers: no maintained library verifies them
        raise OcspError("unsupported algorithm") from error
    try:
        same = _same_certificate_id(answer, certificate, issuer)
    except (UnsupportedAlgorithm, ValueError, TypeError) as error:
        raise OcspError("unsupported algorithm") from error
    if not same:
        raise OcspError("answer is about another certificate")
    responder = _responder(answer, issuer, now)
    try:
        key = responder.public_key()
        if not isinstance(key, rsa.RSAPublicKey) or algorithm is None:
            raise OcspError("unsupported algorithm")
        key.verify(response.signature, response.tbs_response_bytes, padding.PKCS1v15(), algorithm)
    except UnsupportedAlgorithm as error:
        raise OcspError("unsupported algorithm") from error
    except InvalidSignature as error:
        raise OcspError("bad signature") from error
    if answer.this_update > now + CLOCK_SKEW:
        raise OcspError("answer from the future")
    if answer.next_update is not None:
        if answer.next_update < now:
            raise OcspError("answer out of date")
    elif now - answer.this_update > max_age:
        raise OcspError("answer too old")
    if nonce is not None and answer.nonce is not None and answer.nonce != nonce:
        raise OcspError("nonce mismatch")


class OcspClient:
    """Asks one configured responder (never a URL taken from the certificate itself)."""

    def __init__(
        self,
        url: str,
        *,
        post: Post = http_post,
        timeout: float = 5.0,
        max_age: timedelta = timedelta(hours=1),
        use_nonce: bool = True,
    ) -> None:
        self.url = url
        self._post = post
        self._timeout = timeout
        self._max_age = max_age
        self._use_nonce = use_nonce

    def ask(self, certificate: x509.Certificate, issuer: x509.Certificate, *, now: datetime) -> OcspAnswer:
        """A verified answer, or :class:`OcspError` when none can be had."""
        nonce = os.urandom(16) if self._use_nonce else None
        request = build_ocsp_request(certificate, issuer, nonce=nonce)
        try:
            body = self._post(self.url, request, "application/ocsp-request", self._timeout)
        except TransportError as error:
            raise OcspError(f"responder unreachable: {error}") from error
        answer = read_ocsp_response(body)
        verify_ocsp_answer(answer, certificate, issuer, now=now, nonce=nonce, max_age=self._max_age)
        return answer

    def status(
        self, certificate: x509.Certificate, issuer: x509.Certificate, *, now: datetime
    ) -> OcspAnswer | None:
        """A verified answer, or ``None`` (logged) so that the caller falls back to the CRL."""
        try:
            return self.ask(certificate, issuer, now=now)
        except OcspError as error:
            logger.warning("OCSP answer unusable, falling back to the CRL", extra={"reason": str(error)})
            return None
