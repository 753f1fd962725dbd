"""A test certification authority shaped like Kazakhstan's NCA (НУЦ РК), for tests and the local stack.

A root ("ҰКО ТЕСТ ROOT (RSA)") certifies an issuing CA ("ҰКО ТЕСТ 3.0 (RSA)"), which
issues RSA-2048 AUTH and SIGN certificates to individuals and organisations with the
same subject shape and key usages as NCA's, lists revoked certificates in a CRL it
signs, and answers OCSP requests through a delegated responder certificate, as NCA's
responder does. The whole authority can be saved to a directory and loaded again, so
that the local stack keeps its demo identities from one run to the next.

Generating RSA keys is the slow part: keys are cached per process by label and drawn
from a small pool (:func:`pooled_key`), so issuing again costs only a signature. With
``BQ_TEST_KEY_DIR`` set (the test suite sets it), each label's key is also kept in that
directory and read back by the next process: a suite that starts several local stacks and
test workers generates each test key once.
Certificates are valid from 2024 to 2045 unless told otherwise, so that tests do not
depend on the day they run. Never import this module from ``chalicelib``.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Literal

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509 import ocsp
from cryptography.x509.oid import AuthorityInformationAccessOID, ExtendedKeyUsageOID, NameOID

from chalicelib.eds.model import KeyPurpose

ROOT_NAME = "ҰКО ТЕСТ ROOT (RSA)"
ISSUING_NAME = "ҰКО ТЕСТ 3.0 (RSA)"
OCSP_RESPONDER_NAME = "ҰКО ТЕСТ OCSP"

CA_NOT_BEFORE = datetime(2020, 1, 1, tzinfo=UTC)
CA_NOT_AFTER = datetime(2050, 1, 1, tzinfo=UTC)
LEAF_NOT_BEFORE = datetime(2024, 1, 1, tzinfo=UTC)
LEAF_NOT_AFTER = datetime(2045, 1, 1, tzinfo=UTC)

NCA_INDIVIDUAL = x509.ObjectIdentifier("1.2.398.3.3.4.1.1")
NCA_HEAD = "1.2.398.3.3.4.1.2.1"  # first head of the organisation
NCA_SIGNER = "1.2.398.3.3.4.1.2.2"  # may sign for the organisation
NCA_FINANCE = "1.2.398.3.3.4.1.2.3"  # signs financial documents
NCA_HR = "1.2.398.3.3.4.1.2.4"  # personnel department
NCA_EMPLOYEE = "1.2.398.3.3.4.1.2.5"
# An organisation certificate's holder role (EKU 1.2.398.3.3.4.1.2.<role>), by name.
NCA_ROLES = {"head": NCA_HEAD, "signer": NCA_SIGNER, "finance": NCA_FINANCE, "hr": NCA_HR, "employee": NCA_EMPLOYEE}

LEAF_KEY_POOL_SIZE = 24
KEY_DIR_VARIABLE = "BQ_TEST_KEY_DIR"  # a directory where test keys are kept between processes

_KEYS: dict[str, rsa.RSAPrivateKey] = {}
_POOL: list[rsa.RSAPrivateKey] = []


def fresh_key() -> rsa.RSAPrivateKey:
    """A new RSA-2048 key (about a tenth of a second: prefer :func:`pooled_key`)."""
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def pooled_key(label: str) -> rsa.RSAPrivateKey:
    """The RSA-2048 key for ``label``, the same one for the life of the process.

    The first ``LEAF_KEY_POOL_SIZE`` labels get keys of their own; later labels reuse
    those keys in turn, so that a test suite issuing many throw-away certificates does
    not spend its time generating keys. Authorities and demo people have keys of their own
    (:func:`own_key`).
    """
    if label not in _KEYS:
        if len(_POOL) < LEAF_KEY_POOL_SIZE:
            _POOL.append(_kept_key(f"pool:{len(_POOL)}"))
            _KEYS[label] = _POOL[-1]
        else:
            _KEYS[label] = _POOL[len(_KEYS) % LEAF_KEY_POOL_SIZE]
    return _KEYS[label]


def own_key(label: str) -> rsa.RSAPrivateKey:
    """A key for ``label`` alone (a CA, a demo person): generated once per process, never shared."""
    label = f"own:{label}"
    if label not in _KEYS:
        _KEYS[label] = _kept_key(label)
    return _KEYS[label]


def _kept_key(label: str) -> rsa.RSAPrivateKey:
    """The key kept for ``label`` in ``BQ_TEST_KEY_DIR`` (made there the first time); without it, a fresh one."""
    directory = os.environ.get(KEY_DIR_VARIABLE)
    if not directory:
        return fresh_key()
    path = Path(directory) / f"{hashlib.sha256(label.encode()).hexdigest()[:32]}.pem"
    try:
        key = serialization.load_pem_private_key(path.read_bytes(), password=None)
        if isinstance(key, rsa.RSAPrivateKey):
            return key
    except (OSError, ValueError):
        pass  # not kept yet (or unreadable): make it
    key = fresh_key()
    path.parent.mkdir(parents=True, exist_ok=True)
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    with tempfile.NamedTemporaryFile(dir=path.parent, delete=False) as file:  # whole or not at all
        file.write(pem)
    os.replace(file.name, path)
    return key


def iin_check_digit(first_eleven: str) -> int:
    """The 12th digit of an IIN/BIN (Kazakhstan's two-pass weighted sum modulo 11)."""
    digits = [int(c) for c in first_eleven]
    total = sum(d * w for d, w in zip(digits, range(1, 12), strict=True)) % 11
    if total == 10:
        weights = [3, 4, 5, 6, 7, 8, 9, 10, 11, 1, 2]
        total = sum(d * w for d, w in zip(digits, weights, strict=True)) % 11
    if total == 10:
        raise ValueError(f"no valid check digit for {first_eleven}")
    return total


@dataclass(frozen=True)
class Credential:
    """A key and its certificate, as a person keeps them on a token or in a .p12 file."""

    label: str
    certificate: x509.Certificate
    private_key: rsa.RSAPrivateKey
    purpose: KeyPurpose
    iin: str
    bin: str | None = None

    @property
    def serial_hex(self) -> str:
        return format(self.certificate.serial_number, "X")

    def certificate_pem(self) -> bytes:
        return self.certificate.public_bytes(serialization.Encoding.PEM)

    def private_key_pem(self) -> bytes:
        return self.private_key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )


@dataclass(frozen=True)
class DemoPerson:
    """Someone the local stack and the tests sign as."""

    slug: str
    iin: str
    surname: str
    given_name: str
    patronymic: str | None = None
    organisation: str | None = None
    bin: str | None = None
    role: str = NCA_HEAD


@dataclass(frozen=True)
class DemoCredentials:
    person: DemoPerson
    auth: Credential
    sign: Credential


DEMO_PEOPLE: tuple[DemoPerson, ...] = (
    DemoPerson("parent", "900512401234", "АХМЕТОВА", "АЙГҮЛ", "ҚАЙРАТҚЫЗЫ"),
    DemoPerson("second_parent", "871103304560", "СЕРІКОВ", "ДӘУРЕН", "БОЛАТҰЛЫ"),
    DemoPerson("other_parent", "930220407896", "НҰРЛАНОВА", "ДИНАРА", "СЕРІКҚЫЗЫ"),
    DemoPerson(
        "kindergarten_head",
        "750830403217",
        "ЖҰМАБЕКОВА",
        "САУЛЕ",
        "ЕРЛАНҚЫЗЫ",
        organisation="«Балапан» балабақшасы",
        bin="120540012342",
        role=NCA_HEAD,
    ),
    DemoPerson(
        "operator",
        "850415306547",
        "ТЕМІРОВ",
        "АСХАТ",
        "НҰРЛАНҰЛЫ",
        organisation="Астана қаласының білім басқармасы",
        bin="050340004567",
        role=NCA_EMPLOYEE,
    ),
)


@dataclass
class _Revocation:
    serial: int
    at: datetime
    reason: x509.ReasonFlags | None


def _name(*attributes: tuple[x509.ObjectIdentifier, str]) -> x509.Name:
    return x509.Name([x509.NameAttribute(oid, value) for oid, value in attributes])


def _pem(certificate: x509.Certificate) -> bytes:
    return certificate.public_bytes(serialization.Encoding.PEM)


def _key_pem(key: rsa.RSAPrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


def _load_key(data: bytes) -> rsa.RSAPrivateKey:
    """A key this tool wrote itself: the slow RSA consistency check is skipped."""
    key = serialization.load_pem_private_key(data, password=None, unsafe_skip_rsa_key_validation=True)
    assert isinstance(key, rsa.RSAPrivateKey)
    return key


class TestCA:
    """Root + issuing CA + OCSP responder, and everything they issued and revoked."""

    __test__ = False  # a tool, not a pytest test class

    def __init__(
        self,
        *,
        crl_url: str | None = "http://127.0.0.1/crl/issuing.crl",
        ocsp_url: str | None = None,
        now: datetime | None = None,
        seed: str = "balabaqsha-test-ca",
    ) -> None:
        self.crl_url = crl_url
        self.ocsp_url = ocsp_url
        self._now = now
        self._seed = seed
        self._serials = 0
        self._crl_number = 0
        self._issued: dict[int, Credential] = {}
        self._labels: dict[str, Credential] = {}
        self._revoked: dict[int, _Revocation] = {}
        self._revision = 0
        self.root_key = own_key(f"{seed}:root")
        self.root = self._build_root()
        self.issuing_key = own_key(f"{seed}:issuing")
        self.issuing = self._build_issuing()
        self.ocsp_key = own_key(f"{seed}:ocsp")
        self.ocsp_certificate = self._build_ocsp_responder()

    # -- time and serials -------------------------------------------------------------------

    @property
    def now(self) -> datetime:
        """The CA's present: fixed when given, the wall clock otherwise."""
        return self._now or datetime.now(UTC)

    @now.setter
    def now(self, value: datetime | None) -> None:
        """Move the CA's clock (``None``: follow the wall clock)."""
        self._now = value

    def _next_serial(self) -> int:
        self._serials += 1
        digest = hashlib.sha256(f"{self._seed}:{self._serials}".encode()).digest()
        return int.from_bytes(digest[:16], "big") >> 1 | 1 << 120

    # -- the CA itself ----------------------------------------------------------------------

    def _build_root(self) -> x509.Certificate:
        name = _name((NameOID.COMMON_NAME, ROOT_NAME), (NameOID.COUNTRY_NAME, "KZ"))
        public = self.root_key.public_key()
        return (
            x509.CertificateBuilder()
            .subject_name(name)
            .issuer_name(name)
            .public_key(public)
            .serial_number(self._next_serial())
            .not_valid_before(CA_NOT_BEFORE)
            .not_valid_after(CA_NOT_AFTER)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .add_extension(_ca_key_usage(), critical=True)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(public), critical=False)
            .sign(self.root_key, hashes.SHA256())
        )

    def _build_issuing(self) -> x509.Certificate:
        public = self.issuing_key.public_key()
        return (
            x509.CertificateBuilder()
            .subject_name(_name((NameOID.COUNTRY_NAME, "KZ"), (NameOID.COMMON_NAME, ISSUING_NAME)))
            .issuer_name(self.root.subject)
            .public_key(public)
            .serial_number(self._next_serial())
            .not_valid_before(CA_NOT_BEFORE)
            .not_valid_after(CA_NOT_AFTER - timedelta(days=365))
            .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
            .add_extension(_ca_key_usage(), critical=True)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(public), critical=False)
            .add_extension(
                x509.AuthorityKeyIdentifier.from_issuer_public_key(self.root_key.public_key()),
                critical=False,
            )
            .sign(self.root_key, hashes.SHA256())
        )

    def _build_ocsp_responder(self) -> x509.Certificate:
        public = self.ocsp_key.public_key()
        subject = _name(
            (NameOID.COUNTRY_NAME, "KZ"),
            (NameOID.COMMON_NAME, OCSP_RESPONDER_NAME),
            (NameOID.ORGANIZATION_NAME, "ҰКО ТЕСТ"),
        )
        return (
            x509.CertificateBuilder()
            .subject_name(subject)
            .issuer_name(self.issuing.subject)
            .public_key(public)
            .serial_number(self._next_serial())
            .not_valid_before(CA_NOT_BEFORE)
            .not_valid_after(CA_NOT_AFTER - timedelta(days=730))
            .add_extension(
                x509.KeyUsage(
                    digital_signature=True,
                    content_commitment=False,
                    key_encipherment=False,
                    data_encipherment=False,
                    key_agreement=False,
                    key_cert_sign=False,
                    crl_sign=False,
                    encipher_only=False,
                    decipher_only=False,
                ),
                critical=True,
            )
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.OCSP_SIGNING]), critical=False)
            .add_extension(x509.OCSPNoCheck(), critical=False)
            .add_extension(
                x509.AuthorityKeyIdentifier.from_issuer_public_key(self.issuing_key.public_key()),
                critical=False,
            )
            .sign(self.issuing_key, hashes.SHA256())
        )

    def root_pem(self) -> bytes:
        return _pem(self.root)

    def issuing_pem(self) -> bytes:
        return _pem(self.issuing)

    # -- issuing ----------------------------------------------------------------------------

    def issue_individual(
        self,
        *,
        iin: str,
        surname: str,
        given_name: str,
        purpose: KeyPurpose,
        patronymic: str | None = None,
        not_before: datetime | None = None,
        not_after: datetime | None = None,
        label: str | None = None,
        key: rsa.RSAPrivateKey | None = None,
    ) -> Credential:
        """An individual's AUTH or SIGN certificate (EKU + 1.2.398.3.3.4.1.1)."""
        subject = _person_name(iin, surname, given_name, patronymic)
        return self._issue(
            subject=subject,
            purpose=purpose,
            holder_oid=NCA_INDIVIDUAL,
            iin=iin,
            bin=None,
            not_before=not_before,
            not_after=not_after,
            label=label or f"{iin}-{purpose.value}",
            key=key,
        )

    def issue_organisation(
        self,
        *,
        iin: str,
        surname: str,
        given_name: str,
        organisation: str,
        bin: str,
        purpose: KeyPurpose,
        patronymic: str | None = None,
        role: str = NCA_HEAD,
        not_before: datetime | None = None,
        not_after: datetime | None = None,
        label: str | None = None,
        key: rsa.RSAPrivateKey | None = None,
    ) -> Credential:
        """An organisation's certificate held by a person: O=, OU=BIN…, EKU 1.2.398.3.3.4.1.2.<role>."""
        subject = _person_name(iin, surname, given_name, patronymic, organisation=organisation, bin=bin)
        return self._issue(
            subject=subject,
            purpose=purpose,
            holder_oid=x509.ObjectIdentifier(role),
            iin=iin,
            bin=bin,
            not_before=not_before,
            not_after=not_after,
            label=label or f"{bin}-{iin}-{purpose.value}",
            key=key,
        )

    def issue_person(self, person: DemoPerson) -> DemoCredentials:
        """A demo person's AUTH and SIGN credentials (issued once; the same objects afterwards)."""
        made = []
        for purpose in (KeyPurpose.AUTH, KeyPurpose.SIGN):
            label = f"demo-{person.slug}-{purpose.value}"
            if label in self._labels:
                made.append(self._labels[label])
            elif person.organisation and person.bin:
                made.append(
                    self.issue_organisation(
                        iin=person.iin,
                        surname=person.surname,
                        given_name=person.given_name,
                        patronymic=person.patronymic,
                        organisation=person.organisation,
                        bin=person.bin,
                        role=person.role,
                        purpose=purpose,
                        label=label,
                        key=own_key(f"{self._seed}:{label}"),
                    )
                )
            else:
                made.append(
                    self.issue_individual(
                        iin=person.iin,
                        surname=person.surname,
                        given_name=person.given_name,
                        patronymic=person.patronymic,
                        purpose=purpose,
                        label=label,
                        key=own_key(f"{self._seed}:{label}"),
                    )
                )
        return DemoCredentials(person, auth=made[0], sign=made[1])

    def issue_staff(self, organisation: DemoPerson, role: str, *, purpose: KeyPurpose = KeyPurpose.SIGN) -> Credential:
        """A certificate of ``organisation`` (a demo person holding its BIN) for a colleague of another
        ``role`` (a key of :data:`NCA_ROLES`): the same BIN, another person, that role's EKU."""
        if not organisation.organisation or not organisation.bin:
            raise ValueError(f"{organisation.slug} holds no organisation certificate")
        label = f"staff-{organisation.bin}-{role}-{purpose.value}"
        if label in self._labels:
            return self._labels[label]
        return self.issue_organisation(
            iin=f"85010130{sorted(NCA_ROLES).index(role) + 1:04d}",  # compared by the verifier, never checksummed
            surname="ҚЫЗМЕТКЕРОВА",
            given_name=role.upper(),
            organisation=organisation.organisation,
            bin=organisation.bin,
            purpose=purpose,
            role=NCA_ROLES[role],
            label=label,
        )

    def issue_demo_people(self) -> dict[str, DemoCredentials]:
        """Every demo person's credentials, by slug."""
        return {person.slug: self.issue_person(person) for person in DEMO_PEOPLE}

    def _issue(
        self,
        *,
        subject: x509.Name,
        purpose: KeyPurpose,
        holder_oid: x509.ObjectIdentifier,
        iin: str,
        bin: str | None,
        not_before: datetime | None,
        not_after: datetime | None,
        label: str,
        key: rsa.RSAPrivateKey | None,
    ) -> Credential:
        private_key = key or pooled_key(f"{self._seed}:{label}")
        public = private_key.public_key()
        usage = ExtendedKeyUsageOID.CLIENT_AUTH if purpose == KeyPurpose.AUTH else ExtendedKeyUsageOID.EMAIL_PROTECTION
        builder = (
            x509.CertificateBuilder()
            .subject_name(subject)
            .issuer_name(self.issuing.subject)
            .public_key(public)
            .serial_number(self._next_serial())
            .not_valid_before(not_before or LEAF_NOT_BEFORE)
            .not_valid_after(not_after or LEAF_NOT_AFTER)
            .add_extension(_leaf_key_usage(purpose), critical=True)
            .add_extension(x509.ExtendedKeyUsage([usage, holder_oid]), critical=False)
            .add_extension(
                x509.AuthorityKeyIdentifier.from_issuer_public_key(self.issuing_key.public_key()),
                critical=False,
            )
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(public), critical=False)
        )
        if self.crl_url:
            point = x509.DistributionPoint(
                full_name=[x509.UniformResourceIdentifier(self.crl_url)],
                relative_name=None,
                reasons=None,
                crl_issuer=None,
            )
            builder = builder.add_extension(x509.CRLDistributionPoints([point]), critical=False)
        if self.ocsp_url:
            access = x509.AccessDescription(
                AuthorityInformationAccessOID.OCSP, x509.UniformResourceIdentifier(self.ocsp_url)
            )
            builder = builder.add_extension(x509.AuthorityInformationAccess([access]), critical=False)
        certificate = builder.sign(self.issuing_key, hashes.SHA256())
        credential = Credential(label, certificate, private_key, purpose, iin, bin)
        self._issued[certificate.serial_number] = credential
        self._labels[label] = credential
        return credential

    # -- looking things up ------------------------------------------------------------------

    def credential(self, label: str) -> Credential:
        return self._labels[label]

    @property
    def credentials(self) -> list[Credential]:
        return list(self._labels.values())

    def is_revoked(self, certificate: x509.Certificate | Credential) -> bool:
        return _serial(certificate) in self._revoked

    @property
    def revision(self) -> int:
        """A number that changes whenever :meth:`revoke` is called (to know when to re-publish)."""
        return self._revision

    # -- revocation -------------------------------------------------------------------------

    def revoke(
        self,
        certificate: x509.Certificate | Credential,
        *,
        at: datetime | None = None,
        reason: x509.ReasonFlags | None = None,
    ) -> None:
        """List the certificate as revoked from ``at`` (default: the CA's now)."""
        serial = _serial(certificate)
        self._revoked[serial] = _Revocation(serial, at or self.now, reason)
        self._revision += 1

    def publish(self, *, this_update: datetime | None = None, next_update: datetime | None = None) -> bytes:
        """The issuing CA's CRL (DER), listing every certificate revoked so far."""
        issued_at = this_update or self.now
        self._crl_number += 1
        builder = (
            x509.CertificateRevocationListBuilder()
            .issuer_name(self.issuing.subject)
            .last_update(issued_at)
            .next_update(next_update or issued_at + timedelta(days=1))
            .add_extension(x509.CRLNumber(self._crl_number), critical=False)
            .add_extension(
                x509.AuthorityKeyIdentifier.from_issuer_public_key(self.issuing_key.public_key()),
                critical=False,
            )
        )
        for revocation in self._revoked.values():
            entry = (
                x509.RevokedCertificateBuilder()
                .serial_number(revocation.serial)
                .revocation_date(revocation.at)
            )
            if revocation.reason is not None:
                entry = entry.add_extension(x509.CRLReason(revocation.reason), critical=False)
            builder = builder.add_revoked_certificate(entry.build())
        crl = builder.sign(self.issuing_key, hashes.SHA256())
        return crl.public_bytes(serialization.Encoding.DER)

    def ocsp_respond(
        self,
        request_der: bytes,
        *,
        now: datetime | None = None,
        responder: Literal["delegated", "issuer"] = "delegated",
    ) -> bytes:
        """Answer a DER OCSP request as NCA's responder does (good / revoked / unknown), DER."""
        answered_at = now or self.now
        try:
            request = ocsp.load_der_ocsp_request(request_der)
        except ValueError:
            return ocsp.OCSPResponseBuilder.build_unsuccessful(
                ocsp.OCSPResponseStatus.MALFORMED_REQUEST
            ).public_bytes(serialization.Encoding.DER)
        ours = (  # any certificate of ours gives our issuer hashes
            ocsp.OCSPRequestBuilder()
            .add_certificate(self.ocsp_certificate, self.issuing, request.hash_algorithm)
            .build()
        )
        if request.issuer_key_hash != ours.issuer_key_hash or request.issuer_name_hash != ours.issuer_name_hash:
            return ocsp.OCSPResponseBuilder.build_unsuccessful(
                ocsp.OCSPResponseStatus.UNAUTHORIZED
            ).public_bytes(serialization.Encoding.DER)
        builder = ocsp.OCSPResponseBuilder()
        credential = self._issued.get(request.serial_number)
        revocation = self._revoked.get(request.serial_number)
        next_update = answered_at + timedelta(minutes=10)
        if credential is None:
            builder = builder.add_response_by_hash(
                issuer_name_hash=request.issuer_name_hash,
                issuer_key_hash=request.issuer_key_hash,
                serial_number=request.serial_number,
                algorithm=request.hash_algorithm,
                cert_status=ocsp.OCSPCertStatus.UNKNOWN,
                this_update=answered_at,
                next_update=next_update,
                revocation_time=None,
                revocation_reason=None,
            )
        else:
            builder = builder.add_response(
                cert=credential.certificate,
                issuer=self.issuing,
                algorithm=request.hash_algorithm,
                cert_status=ocsp.OCSPCertStatus.REVOKED if revocation else ocsp.OCSPCertStatus.GOOD,
                this_update=answered_at,
                next_update=next_update,
                revocation_time=revocation.at if revocation else None,
                revocation_reason=revocation.reason if revocation else None,
            )
        for extension in request.extensions:
            if isinstance(extension.value, x509.OCSPNonce):
                builder = builder.add_extension(extension.value, critical=False)
        if responder == "delegated":
            builder = builder.responder_id(ocsp.OCSPResponderEncoding.NAME, self.ocsp_certificate)
            builder = builder.certificates([self.ocsp_certificate])
            response = builder.sign(self.ocsp_key, hashes.SHA256())
        else:
            builder = builder.responder_id(ocsp.OCSPResponderEncoding.HASH, self.issuing)
            response = builder.sign(self.issuing_key, hashes.SHA256())
        return response.public_bytes(serialization.Encoding.DER)

    # -- persistence ------------------------------------------------------------------------

    def save(self, directory: str | Path) -> None:
        """Write keys, certificates and an index (``index.json``) to ``directory``."""
        folder = Path(directory)
        (folder / "certs").mkdir(parents=True, exist_ok=True)
        (folder / "keys").mkdir(parents=True, exist_ok=True)
        authorities = {
            "root": (self.root, self.root_key),
            "issuing": (self.issuing, self.issuing_key),
            "ocsp": (self.ocsp_certificate, self.ocsp_key),
        }
        for name, (certificate, key) in authorities.items():
            (folder / "certs" / f"{name}.pem").write_bytes(_pem(certificate))
            (folder / "keys" / f"{name}.pem").write_bytes(_key_pem(key))
        entries = []
        for index, credential in enumerate(self._labels.values()):
            stem = f"{index:04d}"
            (folder / "certs" / f"{stem}.pem").write_bytes(credential.certificate_pem())
            (folder / "keys" / f"{stem}.pem").write_bytes(credential.private_key_pem())
            entries.append(
                {
                    "label": credential.label,
                    "file": stem,
                    "purpose": credential.purpose.value,
                    "iin": credential.iin,
                    "bin": credential.bin,
                }
            )
        index = {
            "version": 1,
            "seed": self._seed,
            "crl_url": self.crl_url,
            "ocsp_url": self.ocsp_url,
            "serials": self._serials,
            "crl_number": self._crl_number,
            "credentials": entries,
            "revoked": [
                {
                    "serial": format(r.serial, "X"),
                    "at": r.at.isoformat(),
                    "reason": r.reason.value if r.reason else None,
                }
                for r in self._revoked.values()
            ],
        }
        (folder / "index.json").write_text(json.dumps(index, ensure_ascii=False, indent=2), encoding="utf-8")
        (folder / "trusted_roots.pem").write_bytes(_pem(self.root))
        (folder / "intermediates.pem").write_bytes(_pem(self.issuing))

    @classmethod
    def load(cls, directory: str | Path, *, now: datetime | None = None) -> TestCA:
        """The authority saved by :meth:`save`, with everything it issued and revoked."""
        folder = Path(directory)
        index = json.loads((folder / "index.json").read_text(encoding="utf-8"))
        ca = cls.__new__(cls)
        ca.crl_url = index["crl_url"]
        ca.ocsp_url = index["ocsp_url"]
        ca._now = now
        ca._seed = index["seed"]
        ca._serials = index["serials"]
        ca._crl_number = index["crl_number"]
        ca._issued, ca._labels, ca._revoked = {}, {}, {}
        ca._revision = 0

        def read(name: str) -> tuple[x509.Certificate, rsa.RSAPrivateKey]:
            certificate = x509.load_pem_x509_certificate((folder / "certs" / f"{name}.pem").read_bytes())
            return certificate, _load_key((folder / "keys" / f"{name}.pem").read_bytes())

        ca.root, ca.root_key = read("root")
        ca.issuing, ca.issuing_key = read("issuing")
        ca.ocsp_certificate, ca.ocsp_key = read("ocsp")
        for entry in index["credentials"]:
            certificate, key = read(entry["file"])
            credential = Credential(
                entry["label"], certificate, key, KeyPurpose(entry["purpose"]), entry["iin"], entry["bin"]
            )
            ca._issued[certificate.serial_number] = credential
            ca._labels[credential.label] = credential
        for entry in index["revoked"]:
            serial = int(entry["serial"], 16)
            reason = x509.ReasonFlags(entry["reason"]) if entry["reason"] else None
            ca._revoked[serial] = _Revocation(serial, datetime.fromisoformat(entry["at"]), reason)
        return ca

    @classmethod
    def load_or_create(cls, directory: str | Path, **options: object) -> TestCA:
        """The authority saved in ``directory``, or a new one (with the demo people) saved there."""
        folder = Path(directory)
        if (folder / "index.json").exists():
            return cls.load(folder)
        ca = cls(**options)  # type: ignore[arg-type]
        ca.issue_demo_people()
        ca.save(folder)
        return ca


def _serial(certificate: x509.Certificate | Credential) -> int:
    if isinstance(certificate, Credential):
        return certificate.certificate.serial_number
    return certificate.serial_number


def _person_name(
    iin: str,
    surname: str,
    given_name: str,
    patronymic: str | None,
    *,
    organisation: str | None = None,
    bin: str | None = None,
) -> x509.Name:
    """NCA's subject order: CN, SURNAME, SERIALNUMBER, C, [O, OU=BIN…], GIVENNAME (the patronymic)."""
    attributes: list[tuple[x509.ObjectIdentifier, str]] = [
        (NameOID.COMMON_NAME, f"{surname} {given_name}"),
        (NameOID.SURNAME, surname),
        (NameOID.SERIAL_NUMBER, f"IIN{iin}"),
        (NameOID.COUNTRY_NAME, "KZ"),
    ]
    if organisation is not None:
        attributes.append((NameOID.ORGANIZATION_NAME, organisation))
    if bin is not None:
        attributes.append((NameOID.ORGANIZATIONAL_UNIT_NAME, f"BIN{bin}"))
    attributes.append((NameOID.GIVEN_NAME, patronymic or given_name))
    return _name(*attributes)


def _ca_key_usage() -> x509.KeyUsage:
    return x509.KeyUsage(
        digital_signature=False,
        content_commitment=False,
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=True,
        crl_sign=True,
        encipher_only=False,
        decipher_only=False,
    )


def _leaf_key_usage(purpose: KeyPurpose) -> x509.KeyUsage:
    return x509.KeyUsage(
        digital_signature=True,
        content_commitment=purpose == KeyPurpose.SIGN,
        key_encipherment=purpose == KeyPurpose.AUTH,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=False,
        crl_sign=False,
        encipher_only=False,
        decipher_only=False,
    )
