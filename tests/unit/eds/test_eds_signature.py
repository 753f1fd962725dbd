"""Check 1: only a valid RSA-SHA256 signature over the whole document, as NCALayer makes it, passes."""

from __future__ import annotations

import pytest
from cryptography.hazmat.primitives.serialization import Encoding
from lxml import etree
from signxml import DigestAlgorithm, SignatureMethod, XMLSigner

from chalicelib.clock import FixedClock
from chalicelib.eds.certificates import load_certificate
from chalicelib.eds.chain import TrustStore
from chalicelib.eds.model import Check, KeyPurpose, SignatureRefused
from chalicelib.eds.revocation import StandardRevocationChecker
from chalicelib.eds.verify import SignatureVerifier
from infra.local.signing import resign_signed_info, sign_with_key, sign_xml
from tests.pki import NCA_FIXTURES, PKI_NOW, LiveCrlSource
from tests.unit.eds import variants

APPLICATION = "<application><child><iin>200101500123</iin><name>Әлия</name></child></application>"


def refusal(verifier, document, purpose=KeyPurpose.SIGN) -> SignatureRefused:
    with pytest.raises(SignatureRefused) as refused:
        verifier.verify(document, purpose=purpose)
    return refused.value


@pytest.fixture(scope="module")
def signed(pki_people) -> bytes:
    return sign_xml(APPLICATION, pki_people["parent"].sign)


def test_a_document_signed_with_the_signing_key_passes(pki_verifier, pki_people, signed):
    # when
    document = pki_verifier.verify(signed, purpose=KeyPurpose.SIGN, expected_iin=pki_people["parent"].person.iin)

    # then the data is read from what was verified, without the signature
    assert document.signed_root.tag == "application"
    assert document.signed_root.findtext("child/name") == "Әлия"
    assert document.signed_root.find(f"{{{variants.DS}}}Signature") is None
    assert document.signer.purpose == KeyPurpose.SIGN
    assert document.signer.full_name == "АХМЕТОВА АЙГҮЛ ҚАЙРАТҚЫЗЫ"


def test_a_challenge_signed_with_the_auth_key_passes(pki_verifier, pki_people, pki_sign):
    # given a sign-in challenge signed with the AUTH key
    challenge = pki_sign("<login><nonce>abc</nonce></login>", pki_people["parent"].auth)

    # when
    document = pki_verifier.verify(challenge, purpose=KeyPurpose.AUTH)

    # then
    assert document.signer.iin == pki_people["parent"].person.iin
    assert document.signed_root.findtext("nonce") == "abc"


def test_an_unsigned_document_is_refused(pki_verifier):
    refused = refusal(pki_verifier, APPLICATION)
    assert (refused.check, refused.reason) == (Check.SIGNATURE, "missing")


def test_a_changed_character_is_refused(pki_verifier, signed):
    tampered = signed.replace("Әлия".encode(), "Әлиа".encode(), 1)

    refused = refusal(pki_verifier, tampered)
    assert (refused.check, refused.reason) == (Check.SIGNATURE, "invalid")


def test_an_unsigned_element_slipped_in_is_refused(pki_verifier, signed):
    refused = refusal(pki_verifier, variants.with_extra_element(signed))
    assert (refused.check, refused.reason) == (Check.SIGNATURE, "invalid")


def test_a_signed_document_wrapped_in_another_root_is_refused(pki_verifier, signed):
    refused = refusal(pki_verifier, variants.wrapped_in_new_root(signed))
    assert (refused.check, refused.reason) == (Check.SIGNATURE, "misplaced")


def test_a_signature_moved_into_a_child_is_refused(pki_verifier, signed):
    refused = refusal(pki_verifier, variants.signature_moved_into_child(signed))
    assert (refused.check, refused.reason) == (Check.SIGNATURE, "misplaced")


def test_a_duplicated_signature_is_refused(pki_verifier, signed):
    refused = refusal(pki_verifier, variants.signature_duplicated(signed))
    assert (refused.check, refused.reason) == (Check.SIGNATURE, "several")


def test_a_signature_presented_as_the_document_is_refused(pki_verifier, signed):
    refused = refusal(pki_verifier, variants.signature_as_root(signed))
    assert (refused.check, refused.reason) == (Check.SIGNATURE, "misplaced")


def test_a_signature_over_one_element_only_is_refused(pki_verifier, pki_people):
    # given a valid signature whose reference points at the <child> element, not the document
    root = etree.fromstring('<application><child Id="c"><name>Әлия</name></child><extra/></application>')
    credential = pki_people["parent"].sign
    partial = XMLSigner(c14n_algorithm="http://www.w3.org/TR/2001/REC-xml-c14n-20010315").sign(
        root, key=credential.private_key, cert=[credential.certificate], reference_uri="#c"
    )

    refused = refusal(pki_verifier, etree.tostring(partial))
    assert (refused.check, refused.reason) == (Check.SIGNATURE, "not_whole_document")


def test_another_persons_certificate_in_key_info_is_refused(pki_verifier, pki_people, signed):
    # given the parent's signature presented with the second parent's certificate
    other = pki_people["second_parent"].sign.certificate.public_bytes(Encoding.PEM).decode()
    body = "".join(other.splitlines()[1:-1])
    swapped = variants.with_text(signed, "//ds:X509Certificate", body)

    refused = refusal(pki_verifier, swapped)
    assert (refused.check, refused.reason) == (Check.SIGNATURE, "invalid")


def test_a_signature_with_sha1_is_refused(pki_verifier, pki_people):
    document = sign_xml(
        APPLICATION,
        pki_people["parent"].sign,
        signature_algorithm=SignatureMethod.RSA_SHA1,
        digest_algorithm=DigestAlgorithm.SHA1,
    )

    refused = refusal(pki_verifier, document)
    assert (refused.check, refused.reason) == (Check.SIGNATURE, "weak_algorithm")


def test_a_sha1_digest_is_refused(pki_verifier, pki_people):
    document = sign_xml(APPLICATION, pki_people["parent"].sign, digest_algorithm=DigestAlgorithm.SHA1)

    refused = refusal(pki_verifier, document)
    assert (refused.check, refused.reason) == (Check.SIGNATURE, "weak_algorithm")


def test_an_hmac_signature_is_refused(pki_verifier):
    # given a document "signed" with a shared secret
    root = etree.fromstring(APPLICATION)
    hmac_signed = XMLSigner(signature_algorithm="hmac-sha256").sign(root, key=b"a shared secret")

    refused = refusal(pki_verifier, etree.tostring(hmac_signed))
    assert (refused.check, refused.reason) == (Check.SIGNATURE, "hmac")


def test_an_allowed_but_other_rsa_algorithm_is_refused(pki_verifier, pki_people):
    document = sign_xml(APPLICATION, pki_people["parent"].sign, signature_algorithm=SignatureMethod.RSA_SHA512)

    refused = refusal(pki_verifier, document)
    assert (refused.check, refused.reason) == (Check.SIGNATURE, "unsupported_algorithm")


@pytest.mark.parametrize(
    "algorithm",
    [
        "urn:ietf:params:xml:ns:pkigovkz:xmlsec:algorithms:gostr34102015-gostr34112015-512",
        "http://www.w3.org/2001/04/xmldsig-more#gostr34102001-gostr3411",
        "urn:example:unknown",
    ],
)
def test_gost_and_unknown_signature_methods_are_refused(pki_verifier, pki_people, signed, algorithm):
    # given the signature method renamed and the signature recomputed, so only the name is wrong
    renamed = variants.with_signed_info(signed, "ds:SignedInfo/ds:SignatureMethod", "Algorithm", algorithm)
    document = resign_signed_info(renamed, pki_people["parent"].sign.private_key)

    refused = refusal(pki_verifier, document)
    assert (refused.check, refused.reason) == (Check.SIGNATURE, "unsupported_algorithm")


def test_an_unknown_digest_is_refused(pki_verifier, pki_people, signed):
    renamed = variants.with_signed_info(
        signed, "ds:SignedInfo/ds:Reference/ds:DigestMethod", "Algorithm", "urn:example:digest"
    )
    document = resign_signed_info(renamed, pki_people["parent"].sign.private_key)

    refused = refusal(pki_verifier, document)
    assert (refused.check, refused.reason) == (Check.SIGNATURE, "unsupported_algorithm")


def test_an_xslt_transform_is_refused(pki_verifier, pki_people, signed):
    extended = variants.with_transform(signed, "http://www.w3.org/TR/1999/REC-xslt-19991116")
    document = resign_signed_info(extended, pki_people["parent"].sign.private_key)

    refused = refusal(pki_verifier, document)
    assert (refused.check, refused.reason) == (Check.SIGNATURE, "unsupported_algorithm")


def test_a_reference_to_an_element_is_refused_even_when_signed_correctly(pki_verifier, pki_people, signed):
    renamed = variants.with_signed_info(signed, "ds:SignedInfo/ds:Reference", "URI", "#child")
    document = resign_signed_info(renamed, pki_people["parent"].sign.private_key)

    refused = refusal(pki_verifier, document)
    assert (refused.check, refused.reason) == (Check.SIGNATURE, "not_whole_document")


def test_a_gost_certificate_is_refused_as_an_unsupported_algorithm(pki_verifier, pki_people):
    gost = (NCA_FIXTURES / "ceo_valid_sign_2004_gost.cer").read_bytes()
    der = load_certificate(gost).public_bytes(Encoding.DER)
    document = sign_with_key(APPLICATION, pki_people["parent"].sign.private_key, der)

    refused = refusal(pki_verifier, document)
    assert (refused.check, refused.reason) == (Check.SIGNATURE, "unsupported_algorithm")


def test_a_signature_without_a_certificate_is_refused(pki_verifier, pki_people, signed):
    root = variants.parse(signed)
    key_info = root.find("ds:Signature/ds:KeyInfo", variants.NS)
    key_info.getparent().remove(key_info)

    refused = refusal(pki_verifier, variants.serialise(root))
    assert (refused.check, refused.reason) == (Check.SIGNATURE, "no_certificate")


def test_the_signers_chain_may_travel_in_key_info(pki_ca, pki_people):
    # given a verifier that knows only the root, and a document carrying leaf + issuing CA
    verifier = SignatureVerifier(
        TrustStore([pki_ca.root]), StandardRevocationChecker(LiveCrlSource(pki_ca)), FixedClock(PKI_NOW)
    )
    document = sign_xml(APPLICATION, pki_people["parent"].sign, chain=[pki_ca.issuing])

    # when
    verified = verifier.verify(document, purpose=KeyPurpose.SIGN)

    # then
    assert verified.signer.iin == pki_people["parent"].person.iin
