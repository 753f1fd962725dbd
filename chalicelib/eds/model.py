"""What a verification returns and how it refuses: the contract between ``eds`` and its callers."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from lxml import etree

from chalicelib.domain.errors import ErrorKind, InvalidInput


class KeyPurpose(StrEnum):
    """What a key may be used for (NCA: AUTH_RSA256_… vs RSA256_…)."""

    AUTH = "auth"  # sign-in: EKU 1.3.6.1.5.5.7.3.2
    SIGN = "sign"  # documents: EKU 1.3.6.1.5.5.7.3.4


class Holder(StrEnum):
    """Whose certificate it is (NCA: EKU 1.2.398.3.3.4.1.1 vs 1.2.398.3.3.4.1.2.*)."""

    INDIVIDUAL = "individual"
    ORGANISATION = "organisation"


class Check(StrEnum):
    """The seven checks of SPEC "Identity and signatures", plus input hygiene before them."""

    MALFORMED = "malformed"  # 0: not well-formed XML / base64, DTD or entities, too large
    SIGNATURE = "signature"  # 1: cryptographically valid, covers the whole document, allowed algorithms
    CHAIN = "chain"  # 2: chains to a configured trusted root
    VALIDITY = "validity"  # 3: certificate valid at signing time
    REVOCATION = "revocation"  # 4: not revoked (CRL, OCSP)
    IDENTITY = "identity"  # 5: IIN / BIN in the certificate equals the one in the request
    PURPOSE = "purpose"  # 6: key purpose fits (AUTH vs SIGN, individual vs organisation)
    OWNER = "owner"  # 7: the certificate belongs to the account owner


CHECK_NUMBER: dict[Check, int] = {
    Check.MALFORMED: 0,
    Check.SIGNATURE: 1,
    Check.CHAIN: 2,
    Check.VALIDITY: 3,
    Check.REVOCATION: 4,
    Check.IDENTITY: 5,
    Check.PURPOSE: 6,
    Check.OWNER: 7,
}


class SignatureRefused(InvalidInput):
    """A signed document failed one check; the code is ``eds.<check>.<reason>``."""

    def __init__(
        self,
        check: Check,
        reason: str,
        kk: str,
        ru: str,
        *,
        details: dict[str, Any] | None = None,
        kind: ErrorKind | None = None,
    ) -> None:
        super().__init__(
            f"eds.{check.value}.{reason}",
            kk,
            ru,
            details={"check": check.value, "check_number": CHECK_NUMBER[check], **(details or {})},
            kind=kind,
        )
        self.check = check
        self.reason = reason


@dataclass(frozen=True)
class Signer:
    """Who signed, as the certificate says."""

    iin: str | None  # SERIALNUMBER=IIN…
    bin: str | None  # OU=BIN… (organisations)
    common_name: str
    surname: str | None
    given_name: str | None
    organisation: str | None
    certificate_serial: str  # hex, upper case
    purpose: KeyPurpose
    is_organisation: bool
    not_before: datetime
    not_after: datetime
    issuer: str
    patronymic: str | None = None  # NCA puts it in GIVENNAME; the given name is in the CN
    organisation_role: str | None = None  # NCA 1.2.398.3.3.4.1.2.<role> of an organisation certificate

    @property
    def full_name(self) -> str:
        parts = [p for p in (self.surname, self.given_name, self.patronymic) if p]
        return " ".join(parts) if parts else self.common_name


@dataclass(frozen=True)
class VerifiedDocument:
    """A document that passed every check: the signer and what was signed."""

    signer: Signer
    signed_root: etree._Element  # the element signxml verified; read data from here only
    received: bytes  # the XML exactly as received: the legal record kept in S3
    verified_at: datetime
    warnings: list[str] = field(default_factory=list)
