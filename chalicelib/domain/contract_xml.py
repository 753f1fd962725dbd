"""The documents signed for a contract: the EDS check, the parent's contract, the kindergarten's signature.

- ``contractEdsCheck`` (step 2): a one-time nonce and the contract number, signed with the AUTH
  key — the system identifies the signer as the account owner before any personal data is asked.
- ``educationContract`` (step 6): every fact of the contract — parties, child, identity document,
  bank details, documents, the template version and a digest of its text, the prices in force —
  signed with the SIGN key. On sending, the signed element must equal the contract as it stands
  (only ``preparedAt`` may differ): a change of prices or data since the draft was opened is
  refused, and the parent signs the current text.
- ``contractSignature``: the kindergarten's signature over the number and the SHA-256 of the
  parent's signed XML, signed with the organisation's SIGN key — decision ``sign``, or decision
  ``refuse`` with the kindergarten's reason (its refusal is a signed statement too).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from lxml import etree

EDS_CHECK_TAG = "contractEdsCheck"
CONTRACT_TAG = "educationContract"
SIGNATURE_TAG = "contractSignature"
_DS = "http://www.w3.org/2000/09/xmldsig#"


def _sub(parent: etree._Element, tag: str, text: str | None = None, **attrs: Any) -> etree._Element:
    element = etree.SubElement(parent, tag, {k: str(v) for k, v in attrs.items() if v is not None and v != ""})
    if text:
        element.text = text
    return element


def text_digest(title: Mapping[str, str], sections: Sequence[Mapping[str, Any]]) -> str:
    """SHA-256 of the template's text (title and sections, both languages), as the parent read it."""
    body = json.dumps({"title": title, "sections": sections}, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(body.encode()).hexdigest()


def eds_check_xml(number: str, nonce: str, issued_at: datetime) -> str:
    root = etree.Element(EDS_CHECK_TAG, contract=number, issuedAt=issued_at.isoformat())
    _sub(root, "nonce", nonce)
    return etree.tostring(root, encoding="unicode")


def read_eds_check(root: etree._Element) -> tuple[str, str] | None:
    """The (contract number, nonce) of a signed EDS check, or None for any other document."""
    if root.tag != EDS_CHECK_TAG:
        return None
    nonce = root.findtext("nonce")
    number = root.get("contract")
    return (number, nonce) if nonce and number else None


def contract_xml(
    *,
    number: str,
    direction_number: str,
    kindergarten: Mapping[str, str],
    child: Mapping[str, str],
    representative: Mapping[str, Any],
    details: Mapping[str, Any],
    documents: Mapping[str, Any],
    template_version: int,
    digest: str,
    prices: Sequence[Mapping[str, Any]],
    prices_fixed_on: str,
    prepared_at: datetime,
) -> str:
    """The contract the parent signs (step 6)."""
    root = etree.Element(
        CONTRACT_TAG,
        version="1",
        number=number,
        direction=direction_number,
        preparedAt=prepared_at.isoformat(),
    )
    _sub(root, "kindergarten", kindergarten.get("name"), id=kindergarten["id"], bin=kindergarten.get("bin"))
    _sub(root, "child", child.get("full_name"), iin=child["iin"], birthDate=child.get("birth_date"))
    rep = _sub(root, "representative", iin=representative["iin"], authority=representative.get("authority"))
    for key, tag in (
        ("surname", "surname"),
        ("given_name", "givenName"),
        ("patronymic", "patronymic"),
        ("registered_address", "registeredAddress"),
        ("actual_address", "actualAddress"),
        ("workplace", "workplace"),
        ("position", "position"),
        ("phone", "phone"),
        ("extra_phone", "extraPhone"),
        ("email", "email"),
    ):
        if representative.get(key):
            _sub(rep, tag, str(representative[key]))
    identity = details.get("identity_document") or {}
    _sub(
        root,
        "identityDocument",
        kind=identity.get("kind"),
        number=identity.get("number"),
        issuedOn=identity.get("issued_on"),
        issuedBy=identity.get("issued_by"),
    )
    bank = details.get("bank") or {}
    _sub(
        root,
        "bankAccount",
        bank=bank.get("bank"),
        bic=bank.get("bic"),
        branch=bank.get("branch"),
        iban=bank.get("iban"),
    )
    docs = _sub(root, "documents")
    for kind in ("photo", "health_passport", "health_certificate", "pmpk"):
        if documents.get(kind):
            _sub(docs, "document", kind=kind, upload=documents[kind])
    _sub(root, "template", version=template_version, sha256=digest)
    listed = _sub(root, "prices", fixedOn=prices_fixed_on)
    for line in prices:
        _sub(
            listed,
            "price",
            serviceKk=line["service"]["kk"],
            serviceRu=line["service"]["ru"],
            periodKk=line["period"]["kk"],
            periodRu=line["period"]["ru"],
            amount=line["amount"],
        )
    _sub(root, "readConfirmed", "true")
    return etree.tostring(root, encoding="unicode")


def comparable(root: etree._Element) -> bytes:
    """The signed facts of a contract: the element without its signature and ``preparedAt``, canonical."""
    copy = etree.fromstring(etree.tostring(root))
    for signature in copy.findall(f"{{{_DS}}}Signature"):
        copy.remove(signature)
    copy.attrib.pop("preparedAt", None)
    return etree.tostring(copy, method="c14n")


def same_contract(signed_root: etree._Element, expected_xml: str) -> bool:
    return signed_root.tag == CONTRACT_TAG and comparable(signed_root) == comparable(etree.fromstring(expected_xml))


def signature_xml(*, number: str, kindergarten_bin: str, representative_sha256: str, prepared_at: datetime) -> str:
    """What the kindergarten's head signs: this contract, as the parent signed it."""
    root = etree.Element(SIGNATURE_TAG, number=number, preparedAt=prepared_at.isoformat())
    _sub(root, "kindergarten", bin=kindergarten_bin)
    _sub(root, "representativeDocument", sha256=representative_sha256)
    _sub(root, "decision", "sign")
    return etree.tostring(root, encoding="unicode")


def refusal_xml(
    *, number: str, kindergarten_bin: str, representative_sha256: str, reason: str, prepared_at: datetime
) -> str:
    """What the kindergarten's head signs to refuse: this contract, as the parent signed it, and the reason."""
    root = etree.Element(SIGNATURE_TAG, number=number, preparedAt=prepared_at.isoformat())
    _sub(root, "kindergarten", bin=kindergarten_bin)
    _sub(root, "representativeDocument", sha256=representative_sha256)
    _sub(root, "decision", "refuse")
    _sub(root, "reason", reason)
    return etree.tostring(root, encoding="unicode")
