"""Reading NCA certificates: who holds them (IIN, BIN, names) and what they are for.

NCA subjects carry the IIN as ``SERIALNUMBER=IIN<12 digits>`` and, for organisations,
the BIN as ``OU=BIN<12 digits>``. The key purpose is in the extended key usage:
clientAuth for sign-in keys (AUTH_RSA…), emailProtection for signing keys (RSA…), and
the NCA holder OIDs 1.2.398.3.3.4.1.1 (individual) / 1.2.398.3.3.4.1.2.* (organisation).
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from chalicelib.eds import der
from chalicelib.eds.model import Holder, KeyPurpose

EKU_CLIENT_AUTH = ExtendedKeyUsageOID.CLIENT_AUTH.dotted_string  # 1.3.6.1.5.5.7.3.2
EKU_EMAIL_PROTECTION = ExtendedKeyUsageOID.EMAIL_PROTECTION.dotted_string  # 1.3.6.1.5.5.7.3.4
EKU_OCSP_SIGNING = ExtendedKeyUsageOID.OCSP_SIGNING.dotted_string
EKU_OID = "2.5.29.37"
NCA_INDIVIDUAL = "1.2.398.3.3.4.1.1"
NCA_ORGANISATION = "1.2.398.3.3.4.1.2"  # followed by the role: .1 head, .2 signer, .5 employee, …
# The holder's role in an organisation certificate (NCA: the last arc of 1.2.398.3.3.4.1.2.<role>).
NCA_ROLES: dict[str, tuple[str, str, str]] = {  # OID → (name, kk, ru)
    NCA_ORGANISATION + ".1": ("first_head", "бірінші басшы", "первый руководитель"),
    NCA_ORGANISATION + ".2": ("signer", "қол қою құқығы бар тұлға", "лицо с правом подписи"),
    NCA_ORGANISATION + ".3": ("finance", "қаржы құжаттарына қол қоюшы", "лицо, подписывающее финансовые документы"),
    NCA_ORGANISATION + ".4": ("hr", "кадр қызметкері", "сотрудник отдела кадров"),
    NCA_ORGANISATION + ".5": ("employee", "ұйым қызметкері", "сотрудник организации"),
}

_GOST_OID_PREFIXES = ("1.2.398.3.10.", "1.2.643.")
_IIN = re.compile(r"^IIN(\d{12})$")
_BIN = re.compile(r"^BIN(\d{12})$")


def load_certificate(data: bytes) -> x509.Certificate:
    """A certificate from PEM or DER bytes (raises ``ValueError`` when it is neither)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # NCA names longer than 64 bytes
        if b"-----BEGIN" in data:
            return x509.load_pem_x509_certificate(data)
        return x509.load_der_x509_certificate(data)


def load_certificates(paths: Iterable[str | Path]) -> list[x509.Certificate]:
    """Every certificate in the PEM (or DER) files named."""
    certificates: list[x509.Certificate] = []
    for path in paths:
        data = Path(path).read_bytes()
        if b"-----BEGIN" in data:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", UserWarning)
                certificates.extend(x509.load_pem_x509_certificates(data))
        else:
            certificates.append(load_certificate(data))
    return certificates


def is_supported_key(certificate: x509.Certificate) -> bool:
    """Whether the certificate holds an RSA key that we can verify with (GOST keys are not)."""
    if any(certificate.signature_algorithm_oid.dotted_string.startswith(p) for p in _GOST_OID_PREFIXES):
        return False
    try:
        return isinstance(certificate.public_key(), rsa.RSAPublicKey)
    except (UnsupportedAlgorithm, ValueError):
        return False


def _attribute(name: x509.Name, oid: x509.ObjectIdentifier) -> str | None:
    values = name.get_attributes_for_oid(oid)
    return str(values[0].value) if values else None


def subject_iin(certificate: x509.Certificate) -> str | None:
    """The IIN from ``SERIALNUMBER=IIN…`` (no checksum test: NCA's test IIN fails it)."""
    for attribute in certificate.subject.get_attributes_for_oid(NameOID.SERIAL_NUMBER):
        match = _IIN.match(str(attribute.value).strip())
        if match:
            return match.group(1)
    return None


def subject_bin(certificate: x509.Certificate) -> str | None:
    """The BIN from ``OU=BIN…`` (organisations only)."""
    for attribute in certificate.subject.get_attributes_for_oid(NameOID.ORGANIZATIONAL_UNIT_NAME):
        match = _BIN.match(str(attribute.value).strip())
        if match:
            return match.group(1)
    return None


def extended_key_usages(certificate: x509.Certificate) -> set[str]:
    """The dotted OIDs of the extended key usage (empty when the extension is absent).

    When ``cryptography`` cannot parse the certificate's extensions (NCA's OCSP responder
    certificates), the extension is read from the DER directly.
    """
    try:
        eku = certificate.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    except x509.ExtensionNotFound:
        return set()
    except ValueError:
        value = der.extension_values(certificate.tbs_certificate_bytes).get(EKU_OID)
        return set(der.oid_sequence(value)) if value is not None else set()
    return {oid.dotted_string for oid in eku}


def organisation_role(certificate: x509.Certificate) -> str | None:
    """The holder's role OID in an organisation certificate (``1.2.398.3.3.4.1.2.<role>``), or None.

    When a certificate names several roles, the one with the widest authority (the lowest arc) counts.
    """
    prefix = NCA_ORGANISATION + "."
    roles = [oid for oid in extended_key_usages(certificate) | policy_oids(certificate) if oid.startswith(prefix)]
    return min(roles, key=lambda oid: [int(arc) for arc in oid.split(".") if arc.isdigit()]) if roles else None


def policy_oids(certificate: x509.Certificate) -> set[str]:
    """The dotted OIDs of the certificate policies (empty when absent)."""
    try:
        policies = certificate.extensions.get_extension_for_class(x509.CertificatePolicies).value
    except x509.ExtensionNotFound:
        return set()
    return {policy.policy_identifier.dotted_string for policy in policies}


def key_purposes(certificate: x509.Certificate) -> set[KeyPurpose]:
    """What the key may do: sign in (clientAuth), sign documents (emailProtection), or both."""
    usages = extended_key_usages(certificate)
    purposes: set[KeyPurpose] = set()
    if EKU_CLIENT_AUTH in usages:
        purposes.add(KeyPurpose.AUTH)
    if EKU_EMAIL_PROTECTION in usages:
        purposes.add(KeyPurpose.SIGN)
    return purposes


def holder(certificate: x509.Certificate) -> Holder | None:
    """Individual or organisation, from the NCA holder OIDs (EKU or policy), else from a BIN."""
    oids = extended_key_usages(certificate) | policy_oids(certificate)
    if any(oid == NCA_ORGANISATION or oid.startswith(NCA_ORGANISATION + ".") for oid in oids):
        return Holder.ORGANISATION
    if NCA_INDIVIDUAL in oids:
        return Holder.INDIVIDUAL
    if subject_bin(certificate):
        return Holder.ORGANISATION
    return None


def allows_digital_signature(certificate: x509.Certificate) -> bool:
    """Whether KeyUsage permits signing (digitalSignature or nonRepudiation); absent means yes."""
    try:
        usage = certificate.extensions.get_extension_for_class(x509.KeyUsage).value
    except x509.ExtensionNotFound:
        return True
    return usage.digital_signature or usage.content_commitment


def is_ca(certificate: x509.Certificate) -> bool:
    """Whether BasicConstraints says CA (unreadable extensions: not a CA we could use anyway)."""
    try:
        return certificate.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
    except (x509.ExtensionNotFound, ValueError):
        return False


@dataclass(frozen=True)
class Holding:
    """The people and organisation a certificate names."""

    iin: str | None
    bin: str | None
    common_name: str
    surname: str | None
    given_name: str | None
    patronymic: str | None
    organisation: str | None


def holding(certificate: x509.Certificate) -> Holding:
    """Who the certificate names, read from its subject.

    NCA writes ``CN=SURNAME NAME``, ``SURNAME=SURNAME`` and puts the patronymic in
    ``GIVENNAME``; the given name is therefore what follows the surname in the CN.
    """
    subject = certificate.subject
    common_name = _attribute(subject, NameOID.COMMON_NAME) or ""
    surname = _attribute(subject, NameOID.SURNAME)
    given_attribute = _attribute(subject, NameOID.GIVEN_NAME)
    given_name, patronymic = given_attribute, None
    if surname and common_name.startswith(surname + " "):
        from_cn = common_name[len(surname) + 1 :].strip()
        if from_cn:
            given_name = from_cn
            patronymic = given_attribute if given_attribute and given_attribute != from_cn else None
    return Holding(
        iin=subject_iin(certificate),
        bin=subject_bin(certificate),
        common_name=common_name,
        surname=surname,
        given_name=given_name,
        patronymic=patronymic,
        organisation=_attribute(subject, NameOID.ORGANIZATION_NAME),
    )


def name_text(name: x509.Name) -> str:
    """A readable form of a distinguished name (NCA names are Cyrillic and Kazakh)."""
    return name.rfc4514_string()
