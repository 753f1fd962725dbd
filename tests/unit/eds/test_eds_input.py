"""Check 0: what is not a safe, well-formed signed document is refused before any signature check."""

from __future__ import annotations

import base64

import pytest

from chalicelib.eds.model import CHECK_NUMBER, Check, KeyPurpose, SignatureRefused
from chalicelib.eds.refusals import known_reasons, refuse
from chalicelib.eds.xmlinput import decode_base64_document
from tests.unit.eds.variants import with_text

XXE = b"""<?xml version="1.0"?>
<!DOCTYPE a [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<a><b>&xxe;</b></a>"""

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<lolz>&lol9;</lolz>"""


def refusal(verifier, document, purpose=KeyPurpose.SIGN) -> SignatureRefused:
    with pytest.raises(SignatureRefused) as refused:
        verifier.verify(document, purpose=purpose)
    return refused.value


def test_an_external_entity_is_refused_before_parsing(pki_verifier):
    refused = refusal(pki_verifier, XXE)
    assert (refused.check, refused.reason) == (Check.MALFORMED, "dtd")
    assert refused.details["check_number"] == 0


def test_billion_laughs_is_refused_at_once(pki_verifier):
    refused = refusal(pki_verifier, BILLION_LAUGHS)
    assert (refused.check, refused.reason) == (Check.MALFORMED, "dtd")


def test_a_signed_document_with_a_doctype_is_refused(pki_verifier, pki_people, pki_sign):
    # given a properly signed document with a DOCTYPE put in front of it
    signed = pki_sign("<a><b>1</b></a>", pki_people["parent"].sign)
    with_doctype = signed.replace(b"?>", b'?><!DOCTYPE a [<!ENTITY e "x">]>', 1)

    refused = refusal(pki_verifier, with_doctype)
    assert (refused.check, refused.reason) == (Check.MALFORMED, "dtd")


def test_a_utf16_document_with_a_doctype_is_refused(pki_verifier):
    # given the XXE document in UTF-16, where a byte search for "<!DOCTYPE" finds nothing
    document = XXE.replace(b'version="1.0"', b'version="1.0" encoding="UTF-16"').decode().encode("utf-16")

    refused = refusal(pki_verifier, document)
    assert (refused.check, refused.reason) == (Check.MALFORMED, "dtd")


@pytest.mark.parametrize(
    ("document", "reason"),
    [
        (b"", "empty"),
        ("   ", "empty"),
        (b"not xml at all", "not_xml"),
        (b"<a><b>unclosed</a>", "not_xml"),
        (b"\xff\xfe\x00garbage", "not_xml"),
    ],
)
def test_what_is_not_xml_is_refused(pki_verifier, document, reason):
    refused = refusal(pki_verifier, document)
    assert (refused.check, refused.reason) == (Check.MALFORMED, reason)


def test_a_too_large_document_is_refused(pki_verifier):
    document = b"<a>" + b"x" * 1_000_001 + b"</a>"

    refused = refusal(pki_verifier, document)
    assert (refused.check, refused.reason) == (Check.MALFORMED, "too_large")


def test_a_certificate_that_is_not_base64_is_refused(pki_verifier, pki_people, pki_sign):
    signed = pki_sign("<a>1</a>", pki_people["parent"].sign)
    broken = with_text(signed, "//ds:X509Certificate", "MIID!!not*base64")

    refused = refusal(pki_verifier, broken)
    assert (refused.check, refused.reason) == (Check.MALFORMED, "bad_base64")


def test_a_certificate_that_is_base64_of_garbage_is_refused(pki_verifier, pki_people, pki_sign):
    signed = pki_sign("<a>1</a>", pki_people["parent"].sign)
    broken = with_text(signed, "//ds:X509Certificate", base64.b64encode(b"not a certificate").decode())

    refused = refusal(pki_verifier, broken)
    assert (refused.check, refused.reason) == (Check.MALFORMED, "bad_certificate")


def test_a_signature_value_that_is_not_base64_is_refused(pki_verifier, pki_people, pki_sign):
    signed = pki_sign("<a>1</a>", pki_people["parent"].sign)
    broken = with_text(signed, "//ds:SignatureValue", "@@@")

    refused = refusal(pki_verifier, broken)
    assert (refused.check, refused.reason) == (Check.MALFORMED, "bad_base64")


def test_a_base64_document_is_decoded_strictly():
    # given a signed document sent base64-encoded, and a corrupted one
    good = base64.b64encode(b"<a>1</a>").decode()

    assert decode_base64_document(good) == b"<a>1</a>"
    with pytest.raises(SignatureRefused) as refused:
        decode_base64_document("PGE+MTwvYT4=!!")
    assert (refused.value.check, refused.value.reason) == (Check.MALFORMED, "bad_base64")


def test_every_refusal_speaks_kazakh_and_russian_and_names_its_check():
    for check, reason in known_reasons():
        refused = refuse(check, reason)
        number = CHECK_NUMBER[check]
        assert refused.code == f"eds.{check.value}.{reason}"
        assert refused.details["check_number"] == number
        # the parent reads what is wrong, never the checker's own note «(7-тексеру, …)»
        assert refused.kk.startswith("ЭЦҚ тексеруден өтпеді: ") and "-тексеру" not in refused.kk
        assert refused.ru.startswith("Проверка ЭЦП не пройдена: ") and "(проверка" not in refused.ru
        assert refused.body()["error"]["messages"] == {"kk": refused.kk, "ru": refused.ru}
