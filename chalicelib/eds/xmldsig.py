"""Check 1: the XML signature is valid, made with allowed algorithms, and covers the whole document.

The shape accepted is exactly what NCALayer's ``signXml`` produces: one enveloped
``ds:Signature`` directly under the root, one ``Reference URI=""`` with the enveloped
and C14N transforms, RSA-SHA256 over SHA-256 digests, the signer's certificate in
``KeyInfo``. Everything else is refused before signxml runs, so that a wrapped,
moved or duplicated signature never gets the chance to verify "something else".
The cryptographic check itself is signxml's; its ``signed_xml`` is what callers read.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from cryptography import x509
from lxml import etree
from signxml import DigestAlgorithm, SignatureConfiguration, SignatureMethod, XMLVerifier
from signxml.exceptions import SignXMLException

from chalicelib.eds.certificates import is_ca, is_supported_key, load_certificate
from chalicelib.eds.model import Check
from chalicelib.eds.refusals import refuse
from chalicelib.eds.xmlinput import decode_base64, hardened_parser

DS = "http://www.w3.org/2000/09/xmldsig#"
RSA_SHA256 = "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"
SHA256 = "http://www.w3.org/2001/04/xmlenc#sha256"
ENVELOPED = "http://www.w3.org/2000/09/xmldsig#enveloped-signature"
CANONICALIZATIONS = frozenset(
    {
        "http://www.w3.org/TR/2001/REC-xml-c14n-20010315",
        "http://www.w3.org/TR/2001/REC-xml-c14n-20010315#WithComments",
        "http://www.w3.org/2001/10/xml-exc-c14n#",
        "http://www.w3.org/2001/10/xml-exc-c14n#WithComments",
        "http://www.w3.org/2006/12/xml-c14n11",
        "http://www.w3.org/2006/12/xml-c14n11#WithComments",
    }
)
_EXPECTED = SignatureConfiguration(
    location="./",
    signature_methods=frozenset({SignatureMethod.RSA_SHA256}),
    digest_algorithms=frozenset({DigestAlgorithm.SHA256}),
    expect_references=1,
)


def _ds(tag: str) -> str:
    return f"{{{DS}}}{tag}"


@dataclass(frozen=True)
class SignedXml:
    """What check 1 established: the signed element and the certificate whose key signed it."""

    signed_root: etree._Element
    certificate: x509.Certificate
    extra_certificates: tuple[x509.Certificate, ...]


def _refuse_algorithm(uri: str | None, *, allowed: str) -> None:
    """Refuse any algorithm but ``allowed``, saying why: SHA-1, HMAC, GOST or simply unknown."""
    if uri == allowed:
        return
    lowered = (uri or "").lower()
    if "hmac" in lowered:
        raise refuse(Check.SIGNATURE, "hmac", algorithm=uri)
    if lowered.endswith(("sha1", "#sha1")) or "-sha1" in lowered:
        raise refuse(Check.SIGNATURE, "weak_algorithm", algorithm=uri)
    raise refuse(Check.SIGNATURE, "unsupported_algorithm", algorithm=uri)


def _the_signature(root: etree._Element) -> etree._Element:
    if root.tag == _ds("Signature"):
        raise refuse(Check.SIGNATURE, "misplaced")
    signatures = list(root.iter(_ds("Signature")))
    if not signatures:
        raise refuse(Check.SIGNATURE, "missing")
    if len(signatures) > 1:
        raise refuse(Check.SIGNATURE, "several", count=len(signatures))
    signature = signatures[0]
    if signature.getparent() is not root:
        raise refuse(Check.SIGNATURE, "misplaced")
    return signature


def _check_signed_info(signature: etree._Element) -> None:
    signed_info = signature.find(_ds("SignedInfo"))
    if signed_info is None:
        raise refuse(Check.SIGNATURE, "invalid")
    method = signed_info.find(_ds("SignatureMethod"))
    _refuse_algorithm(method.get("Algorithm") if method is not None else None, allowed=RSA_SHA256)
    c14n = signed_info.find(_ds("CanonicalizationMethod"))
    c14n_uri = c14n.get("Algorithm") if c14n is not None else None
    if c14n_uri not in CANONICALIZATIONS:
        raise refuse(Check.SIGNATURE, "unsupported_algorithm", algorithm=c14n_uri)
    references = list(signed_info.iter(_ds("Reference")))
    if len(references) != 1 or references[0].get("URI") != "":
        raise refuse(Check.SIGNATURE, "not_whole_document")
    reference = references[0]
    transforms = [t.get("Algorithm") for t in reference.iterfind(f"{_ds('Transforms')}/{_ds('Transform')}")]
    for transform in transforms:
        if transform != ENVELOPED and transform not in CANONICALIZATIONS:
            raise refuse(Check.SIGNATURE, "unsupported_algorithm", algorithm=transform)
    if transforms.count(ENVELOPED) != 1:
        raise refuse(Check.SIGNATURE, "not_whole_document")
    digest = reference.find(_ds("DigestMethod"))
    _refuse_algorithm(digest.get("Algorithm") if digest is not None else None, allowed=SHA256)
    decode_base64(reference.findtext(_ds("DigestValue")))
    decode_base64(signature.findtext(_ds("SignatureValue")))


def _key_info_certificates(signature: etree._Element) -> list[x509.Certificate]:
    texts = [
        element.text
        for element in signature.iterfind(f"{_ds('KeyInfo')}/{_ds('X509Data')}/{_ds('X509Certificate')}")
    ]
    if not texts:
        raise refuse(Check.SIGNATURE, "no_certificate")
    certificates = []
    for text in texts:
        der = decode_base64(text)
        try:
            certificates.append(load_certificate(der))
        except ValueError as error:
            raise refuse(Check.MALFORMED, "bad_certificate") from error
    return certificates


def _signing_certificate(certificates: list[x509.Certificate]) -> x509.Certificate:
    """The signer's own certificate: the first that is not a CA (NCALayer sends only that one)."""
    for certificate in certificates:
        if not is_ca(certificate):
            return certificate
    return certificates[0]


def _inside_validity(certificate: x509.Certificate, at: datetime) -> datetime:
    """``at`` moved into the certificate's validity: validity is check 3, not check 1."""
    return min(max(at, certificate.not_valid_before_utc), certificate.not_valid_after_utc)


def verify_xml_signature(data: bytes, root: etree._Element, *, at: datetime) -> SignedXml:
    """Check 1 on a parsed, hygienic document; ``data`` is the same document as bytes."""
    signature = _the_signature(root)
    _check_signed_info(signature)
    certificates = _key_info_certificates(signature)
    leaf = _signing_certificate(certificates)
    if not is_supported_key(leaf):
        raise refuse(Check.SIGNATURE, "unsupported_algorithm", algorithm=leaf.signature_algorithm_oid.dotted_string)
    config = SignatureConfiguration(
        location=_EXPECTED.location,
        signature_methods=_EXPECTED.signature_methods,
        digest_algorithms=_EXPECTED.digest_algorithms,
        expect_references=_EXPECTED.expect_references,
        verification_time=_inside_validity(leaf, at),
    )
    try:
        result = XMLVerifier().verify(data, x509_cert=leaf, parser=hardened_parser(), expect_config=config)
    except SignXMLException as error:
        raise refuse(Check.SIGNATURE, "invalid") from error
    except Exception as error:  # hostile input may break signxml anywhere: it is still a bad signature
        raise refuse(Check.SIGNATURE, "invalid") from error
    signed = getattr(result, "signed_xml", None)
    if signed is None or signed.tag != root.tag or signed.find(f".//{_ds('Signature')}") is not None:
        raise refuse(Check.SIGNATURE, "not_whole_document")
    extras = tuple(c for c in certificates if c is not leaf)
    return SignedXml(signed_root=signed, certificate=leaf, extra_certificates=extras)
