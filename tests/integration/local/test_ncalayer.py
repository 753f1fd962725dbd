"""The local NCALayer stand-in: NCALayer's websocket protocol, signing as the chosen demo person."""

from __future__ import annotations

import json
import urllib.request

import pytest
from websockets.sync.client import connect

from chalicelib.eds.model import KeyPurpose, SignatureRefused
from infra.local.identities import DemoIdentity
from infra.local.ncalayer import NcaLayerStandIn, start_ncalayer

AUTH_PERSON = ["1.3.6.1.5.5.7.3.2", "1.2.398.3.3.4.1.1"]
SIGN_PERSON = ["1.3.6.1.5.5.7.3.4", "1.2.398.3.3.4.1.1"]


@pytest.fixture
def stand_in(pki_people) -> NcaLayerStandIn:
    identities = [
        DemoIdentity(
            iin=people.person.iin,
            full_name=f"{people.person.surname} {people.person.given_name}",
            role="head" if people.person.bin else "parent",
            auth=people.auth,
            sign=people.sign,
            bin=people.person.bin,
        )
        for slug, people in pki_people.items()
        if slug in ("parent", "second_parent", "kindergarten_head")
    ]
    return NcaLayerStandIn(identities)


def _basics(data, oids, **signer) -> str:
    return json.dumps(
        {
            "module": "kz.gov.pki.knca.basics",
            "method": "sign",
            "args": {
                "allowedStorages": None,
                "format": "xml",
                "data": data,
                "signingParams": {},
                "signerParams": {"extKeyUsageOids": oids, **signer},
                "locale": "ru",
            },
        }
    )


def _ask(stand_in: NcaLayerStandIn, module: str, method: str, args=None, **extra) -> dict:
    request = {"module": module, "method": method, **extra}
    if args is not None:
        request["args"] = args
    return json.loads(stand_in.handle(json.dumps(request)))


def test_sign_in_xml_is_signed_with_the_auth_key_of_the_active_person(stand_in, pki_people, pki_verifier):
    # given
    parent = pki_people["parent"].person

    # when
    answer = json.loads(stand_in.handle(_basics("<login><nonce>n-1</nonce></login>", AUTH_PERSON)))

    # then
    [signed] = answer["body"]["result"]
    verified = pki_verifier.verify(signed, purpose=KeyPurpose.AUTH, expected_iin=parent.iin)
    assert verified.signed_root.findtext("nonce") == "n-1"


def test_a_document_is_signed_with_the_signing_key_and_not_the_auth_key(stand_in, pki_verifier):
    # when
    answer = json.loads(stand_in.handle(_basics("<application/>", SIGN_PERSON)))

    # then
    [signed] = answer["body"]["result"]
    pki_verifier.verify(signed, purpose=KeyPurpose.SIGN)
    with pytest.raises(SignatureRefused) as refused:
        pki_verifier.verify(signed, purpose=KeyPurpose.AUTH)
    assert refused.value.code == "eds.purpose.sign_key_for_sign_in"


def test_several_documents_are_signed_one_by_one_as_the_person_the_page_names(
    stand_in, pki_people, pki_verifier
):
    # given
    second = pki_people["second_parent"].person

    # when
    answer = json.loads(stand_in.handle(_basics(["<a>1</a>", "<a>2</a>"], SIGN_PERSON, iin=second.iin)))

    # then
    signed = answer["body"]["result"]
    assert [pki_verifier.verify(s, purpose=KeyPurpose.SIGN).signer.iin for s in signed] == [second.iin] * 2


def test_the_person_chosen_by_the_local_control_signs(stand_in, pki_people, pki_verifier):
    # given
    head = pki_people["kindergarten_head"].person
    stand_in.select(iin=head.iin, key="sign")

    # when
    answer = json.loads(stand_in.handle(_basics("<contract/>", [])))

    # then
    [signed] = answer["body"]["result"]
    signer = pki_verifier.verify(signed, purpose=KeyPurpose.SIGN, expected_bin=head.bin).signer
    assert (signer.iin, signer.bin) == (head.iin, head.bin)


@pytest.mark.parametrize(
    ("request_text", "code"),
    [
        (_basics("<a/>", SIGN_PERSON, iin="000000000000"), "SIGNING_FAILURE"),
        (_basics("not xml", SIGN_PERSON), "SIGNING_FAILURE"),
        (_basics("", SIGN_PERSON), "INVALID_SIGNING_PARAMS"),
        (_basics("<a/>", SIGN_PERSON).replace('"format": "xml"', '"format": "cms"'), "INVALID_SIGNING_PARAMS"),
    ],
)
def test_what_ncalayer_would_refuse_is_refused_in_its_words(stand_in, request_text, code):
    # when
    answer = json.loads(stand_in.handle(request_text))

    # then
    assert answer["status"] is False
    assert answer["code"] == code


def test_a_cancelled_dialog_answers_as_ncalayer_does(stand_in):
    # given
    stand_in.select(mode="cancel")

    # when
    basics = json.loads(stand_in.handle(_basics("<a/>", SIGN_PERSON)))
    common = _ask(stand_in, "kz.gov.pki.knca.commonUtils", "signXml", ["PKCS12", "SIGNATURE", "<a/>", "", ""])

    # then
    assert basics == {"status": True, "body": {}}
    assert common == {"code": "500", "message": "action.canceled"}


def test_the_older_common_utils_module_signs_with_the_key_type_asked_for(stand_in, pki_verifier):
    # when
    answer = _ask(
        stand_in,
        "kz.gov.pki.knca.commonUtils",
        "signXml",
        ["PKCS12", "AUTHENTICATION", "<login/>", "", ""],
        uuid="u-1",
    )
    tokens = _ask(stand_in, "kz.gov.pki.knca.commonUtils", "getActiveTokens")

    # then
    assert (answer["code"], answer["uuid"]) == ("200", "u-1")
    pki_verifier.verify(answer["responseObject"], purpose=KeyPurpose.AUTH)
    assert tokens == {"code": "200", "message": "", "responseObject": []}


def test_modules_it_does_not_have_are_not_found(stand_in):
    # when: ncalayer-js-client probes for KAZTOKEN mobile right after connecting
    answer = _ask(stand_in, "kz.digiflow.mobile.extensions", "getVersion")

    # then: no "status" key, so the client takes it as a plain refusal
    assert answer == {"success": False, "errorCode": "MODULE_NOT_FOUND"}


def test_over_the_wire_it_greets_signs_and_is_controlled_over_http(stand_in, pki_people, pki_verifier):
    # given
    running = start_ncalayer(stand_in, port=0)
    second = pki_people["second_parent"].person
    try:
        select = urllib.request.Request(f"{running.control_url}?iin={second.iin}&key=auto", method="POST")
        with urllib.request.urlopen(select, timeout=10) as response:
            state = json.loads(response.read())

        # when
        with connect(running.url, open_timeout=10) as socket:
            greeting = json.loads(socket.recv(timeout=10))
            socket.send(_basics("<a/>", AUTH_PERSON))
            answer = json.loads(socket.recv(timeout=30))
    finally:
        running.stop()

    # then
    assert greeting == {"result": {"version": "1.4"}}
    assert state["active"]["iin"] == second.iin
    [signed] = answer["body"]["result"]
    assert pki_verifier.verify(signed, purpose=KeyPurpose.AUTH).signer.iin == second.iin


def test_the_local_control_refuses_an_unknown_person(stand_in):
    # when / then
    with pytest.raises(ValueError, match="no demo identity"):
        stand_in.select(iin="000000000000")
