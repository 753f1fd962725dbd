"""The demo identities of the local stack: the people of ``demo/people.json`` with test-CA keys.

The test certification authority and every key it issued are kept under the
state directory (``.local/ca`` by default), so that a person's certificates,
and so their accounts, survive restarts of the stack. Each person gets an AUTH
key (sign-in) and a signing key (documents), also written as password-protected
PKCS#12 files named as NCA names them (``AUTH_RSA256_<IIN>.p12``, ``RSA256_<IIN>.p12``)
for anyone who wants to load them into a real NCALayer.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.serialization import BestAvailableEncryption, pkcs12

from chalicelib.eds.model import KeyPurpose
from infra.local.seed import PEOPLE
from infra.local.testca import NCA_HEAD, Credential, DemoPerson, TestCA

P12_PASSWORD = "Qwerty12"


@dataclass(frozen=True)
class DemoIdentity:
    """Someone a person can sign in and sign as, locally."""

    iin: str
    full_name: str
    role: str  # "parent" | "operator" | "head"
    auth: Credential
    sign: Credential
    bin: str | None = None
    organisation: str | None = None
    kindergarten_id: str | None = None

    def credential(self, purpose: KeyPurpose) -> Credential:
        return self.auth if purpose == KeyPurpose.AUTH else self.sign

    def describe(self) -> dict[str, Any]:
        return {
            "iin": self.iin,
            "full_name": self.full_name,
            "role": self.role,
            "bin": self.bin,
            "organisation": self.organisation,
            "kindergarten_id": self.kindergarten_id,
            "auth_certificate_serial": self.auth.serial_hex,
            "sign_certificate_serial": self.sign.serial_hex,
        }


def load_or_create_ca(directory: Path, crl_url: str) -> TestCA:
    """The authority kept in ``directory``, or a new one whose certificates name ``crl_url``."""
    if (directory / "index.json").exists():
        return TestCA.load(directory)
    return TestCA(crl_url=crl_url)


def _person(record: dict[str, Any]) -> DemoPerson:
    organisation = record.get("organisation")
    return DemoPerson(
        slug=f"{record['role']}-{record['iin']}",
        iin=record["iin"],
        surname=record["surname"],
        given_name=record["given_name"],
        patronymic=record.get("patronymic"),
        organisation=organisation["kk"] if organisation else None,
        bin=record.get("bin"),
        role=NCA_HEAD,
    )


def demo_identities(
    ca: TestCA, directory: Path, people_file: Path = PEOPLE, *, key_files: bool = True
) -> list[DemoIdentity]:
    """Every person of ``people_file`` with their keys (issued the first time, then reused), saved.

    ``key_files`` also writes each key as a ``.p12`` file under ``directory/p12``.
    """
    records = json.loads(people_file.read_text(encoding="utf-8"))
    before = len(ca.credentials)
    identities = []
    for record in records:
        issued = ca.issue_person(_person(record))
        organisation = record.get("organisation")
        identities.append(
            DemoIdentity(
                iin=record["iin"],
                full_name=" ".join(
                    part for part in (record["surname"], record["given_name"], record.get("patronymic")) if part
                ),
                role=record["role"],
                auth=issued.auth,
                sign=issued.sign,
                bin=record.get("bin"),
                organisation=organisation["ru"] if organisation else None,
                kindergarten_id=record.get("kindergarten_id"),
            )
        )
    if len(ca.credentials) != before or not (directory / "index.json").exists():
        ca.save(directory)
    if key_files:
        _write_key_files(identities, directory / "p12")
    return identities


def _write_key_files(identities: list[DemoIdentity], folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for identity in identities:
        for prefix, credential in (("AUTH_RSA256", identity.auth), ("RSA256", identity.sign)):
            path = folder / f"{prefix}_{identity.iin}.p12"
            if path.exists():
                continue
            path.write_bytes(
                pkcs12.serialize_key_and_certificates(
                    name=credential.label.encode(),
                    key=credential.private_key,
                    cert=credential.certificate,
                    cas=None,
                    encryption_algorithm=BestAvailableEncryption(P12_PASSWORD.encode()),
                )
            )
