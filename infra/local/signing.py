"""Sign XML exactly as NCALayer's ``signXml`` does, for tests and the local NCALayer stand-in.

The shape (see ``tests/fixtures/nca/signed_by_ncalayer.xml``): an enveloped
``ds:Signature`` appended to the root; ``SignedInfo`` canonicalised with C14N 1.0;
RSA-SHA256; one ``Reference URI=""`` with the enveloped-signature and
C14N-with-comments transforms and a SHA-256 digest; the signer's certificate (only
the leaf) in ``KeyInfo/X509Data``. The helpers below also build the malformed and
malicious variants that tests use to prove the verifier refuses them.
"""

from __future__ import annotations

import base64
from collections.abc import Sequence
from dataclasses import replace

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from lxml import etree
from signxml import CanonicalizationMethod, DigestAlgorithm, SignatureMethod, XMLSigner
from signxml.algorithms import SignatureConstructionMethod

from infra.local.testca import Credential

DS = "http://www.w3.org/2000/09/xmldsig#"
NS = {"ds": DS}


class NcaLayerSigner(XMLSigner):
    """signxml's enveloped signer with NCALayer's reference: ``URI=""``, C14N-with-comments transform."""

    def __init__(
        self,
        *,
        signature_algorithm: SignatureMethod | str = SignatureMethod.RSA_SHA256,
        digest_algorithm: DigestAlgorithm | str = DigestAlgorithm.SHA256,
    ) -> None:
        super().__init__(
            method=SignatureConstructionMethod.enveloped,
            signature_algorithm=signature_algorithm,
            digest_algorithm=digest_algorithm,
            c14n_algorithm=CanonicalizationMethod.CANONICAL_XML_1_0,
        )

    def check_deprecated_methods(self) -> None:
        """Allow SHA-1 here: tests need documents signed the old way to prove they are refused."""

    def _build_sig(self, sig_root, references, c14n_inputs, inclusive_ns_prefixes, **kwargs):  # noqa: ANN001
        references = [
            replace(r, URI="", c14n_method=CanonicalizationMethod.CANONICAL_XML_1_0_WITH_COMMENTS)
            for r in references
        ]
        return super()._build_sig(sig_root, references, c14n_inputs, inclusive_ns_prefixes, **kwargs)


def _parser() -> etree.XMLParser:
    return etree.XMLParser(resolve_entities=False, load_dtd=False, no_network=True)


def _root(xml: str | bytes | etree._Element) -> etree._Element:
    if isinstance(xml, etree._Element):
        return xml
    data = xml.encode("utf-8") if isinstance(xml, str) else xml
    return etree.fromstring(data, parser=_parser())


def to_bytes(root: etree._Element) -> bytes:
    """The document as NCALayer sends it: UTF-8 with an XML declaration."""
    return etree.tostring(root, xml_declaration=True, encoding="utf-8", standalone=False)


def sign_xml(
    xml: str | bytes | etree._Element,
    credential: Credential,
    *,
    chain: Sequence[x509.Certificate] = (),
    signature_algorithm: SignatureMethod | str = SignatureMethod.RSA_SHA256,
    digest_algorithm: DigestAlgorithm | str = DigestAlgorithm.SHA256,
) -> bytes:
    """``xml`` signed with ``credential`` as NCALayer's ``signXml`` signs it (bytes, UTF-8)."""
    signer = NcaLayerSigner(signature_algorithm=signature_algorithm, digest_algorithm=digest_algorithm)
    signed = signer.sign(
        _root(xml),
        key=credential.private_key,
        cert=[credential.certificate, *chain],
    )
    return to_bytes(signed)


def sign_with_key(
    xml: str | bytes | etree._Element,
    key: rsa.RSAPrivateKey,
    certificate_der: bytes,
) -> bytes:
    """Sign with ``key`` but put arbitrary certificate bytes in ``KeyInfo`` (a GOST certificate, say)."""
    signer = NcaLayerSigner()
    signed = signer.sign(_root(xml), key=key, cert=[_stub_certificate_pem(key)])
    element = signed.find("ds:Signature/ds:KeyInfo/ds:X509Data/ds:X509Certificate", NS)
    element.text = base64.b64encode(certificate_der).decode("ascii")
    return to_bytes(signed)


def _stub_certificate_pem(key: rsa.RSAPrivateKey) -> str:
    """A throwaway self-signed certificate, only so that signxml writes an ``X509Data`` element."""
    from datetime import UTC, datetime, timedelta

    name = x509.Name([x509.NameAttribute(x509.oid.NameOID.COMMON_NAME, "stub")])
    now = datetime(2024, 1, 1, tzinfo=UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(1)
        .not_valid_before(now)
        .not_valid_after(now + timedelta(days=1))
        .sign(key, hashes.SHA256())
    )
    return certificate.public_bytes(serialization.Encoding.PEM).decode("ascii")


def resign_signed_info(signed: bytes, key: rsa.RSAPrivateKey) -> bytes:
    """Recompute ``SignatureValue`` over the (possibly edited) ``SignedInfo`` with ``key``.

    Lets a test change what ``SignedInfo`` says (algorithm URIs, the reference) and still
    present a cryptographically correct signature, so that the refusal it proves comes
    from the rule, not from a broken signature.
    """
    root = etree.fromstring(signed, parser=_parser())
    signature = root.find("ds:Signature", NS)
    signed_info = signature.find("ds:SignedInfo", NS)
    c14n = etree.tostring(signed_info, method="c14n", exclusive=False, with_comments=False)
    value = key.sign(c14n, padding.PKCS1v15(), hashes.SHA256())
    signature.find("ds:SignatureValue", NS).text = base64.b64encode(value).decode("ascii")
    return to_bytes(root)
