"""Signing in with the EDS: challenge, signature, session, contacts — and every way it can go wrong."""

from __future__ import annotations

from datetime import timedelta

import pytest


def test_a_parent_signs_in_with_the_auth_key_and_gives_contacts(api, pki_people):
    # given a parent who has never signed in
    parent = pki_people["parent"]
    # when they sign the challenge with their AUTH key
    body = api.sign_in(parent)
    # then a session bound to the certificate's IIN and name is open, and contacts are asked for
    assert body["person"]["iin"] == parent.person.iin
    assert body["person"]["role"] == "parent"
    assert body["needs_contacts"] is True
    token = body["token"]
    status, me = api.call("GET", "/me", token=token)
    assert status == 200 and me["needs_contacts"] is True
    # when they give an e-mail address and a mobile phone
    status, saved = api.call("PUT", "/me/contacts", {"email": "Aigerim@Mail.kz", "phone": "8 701 123 45 67"}, token)
    # then they are stored on the account, normalised
    assert status == 200, saved
    status, me = api.call("GET", "/me", token=token)
    assert me["contacts"]["email"] == "Aigerim@mail.kz"
    assert me["contacts"]["phone"] == "+77011234567"
    assert me["needs_contacts"] is False
    # and the next sign-in does not ask again
    assert api.sign_in(parent)["needs_contacts"] is False


def test_a_challenge_works_once(api, pki_people):
    # given a challenge signed by the parent
    parent = pki_people["parent"]
    _, challenge = api.call("POST", "/auth/challenge", {"audience": "parent"})
    signed = api.sign(challenge["xml"], parent.auth).decode()
    assert api.call("POST", "/auth/sign-in", {"signed_xml": signed})[0] == 200
    # when the same signed challenge is sent again
    status, body = api.call("POST", "/auth/sign-in", {"signed_xml": signed})
    # then it is refused as used
    assert status == 401
    assert body["error"]["code"] == "auth.challenge_unknown_or_used"


def test_an_expired_challenge_is_refused(api, pki_people, clock):
    # given a challenge signed six minutes after it was issued
    parent = pki_people["parent"]
    _, challenge = api.call("POST", "/auth/challenge", {"audience": "parent"})
    signed = api.sign(challenge["xml"], parent.auth).decode()
    clock.advance(timedelta(minutes=6))
    # when / then
    status, body = api.call("POST", "/auth/sign-in", {"signed_xml": signed})
    assert status == 401
    assert body["error"]["code"] == "auth.challenge_expired"


def test_a_challenge_made_up_by_the_client_is_refused(api, pki_people):
    # given a well-signed login document whose nonce the server never issued
    xml = "<login><nonce>made-up</nonce><audience>parent</audience><issuedAt>x</issuedAt></login>"
    signed = api.sign(xml, pki_people["parent"].auth).decode()
    # when / then
    status, body = api.call("POST", "/auth/sign-in", {"signed_xml": signed})
    assert status == 401
    assert body["error"]["code"] == "auth.challenge_unknown_or_used"


def test_the_signing_key_cannot_sign_in(api, pki_people):
    # given a challenge signed with the SIGN key instead of the AUTH key
    _, challenge = api.call("POST", "/auth/challenge", {"audience": "parent"})
    signed = api.sign(challenge["xml"], pki_people["parent"].sign).decode()
    # when / then: refused, naming the key-purpose check
    status, body = api.call("POST", "/auth/sign-in", {"signed_xml": signed})
    assert status == 422
    assert body["error"]["details"]["check"] == "purpose"
    assert body["error"]["messages"]["kk"] and body["error"]["messages"]["ru"]


def test_a_one_character_change_is_refused(api, pki_people):
    _, challenge = api.call("POST", "/auth/challenge", {"audience": "parent"})
    signed = api.sign(challenge["xml"], pki_people["parent"].auth).decode()
    tampered = signed.replace("<audience>parent</audience>", "<audience>parenT</audience>")
    status, body = api.call("POST", "/auth/sign-in", {"signed_xml": tampered})
    assert status == 422
    assert body["error"]["details"]["check"] == "signature"


@pytest.mark.parametrize(
    "signed_xml",
    [
        "not xml at all",
        "<login><nonce>x</nonce></login>",
        '<?xml version="1.0"?><!DOCTYPE l [<!ENTITY x "y">]><login>&x;</login>',
    ],
)
def test_malformed_or_unsigned_documents_are_refused(api, signed_xml):
    status, body = api.call("POST", "/auth/sign-in", {"signed_xml": signed_xml})
    assert status == 422
    assert body["error"]["code"].startswith("eds.")


def test_a_body_over_the_limit_is_refused(api):
    status, body = api.call("POST", "/auth/sign-in", {"signed_xml": "x" * 1_100_000})
    assert status == 413
    assert body["error"]["code"] == "request.too_large"


@pytest.mark.parametrize(
    "header",
    [None, "Bearer nonsense", "Bearer eyJhbGciOiJub25lIn0.eyJzdWIiOiIxIn0."],
)
def test_routes_need_a_valid_token(api, header):
    headers = {"Authorization": header} if header else {}
    response = api.client.http.get("/me", headers=headers)
    assert response.status_code == 401


def test_bad_contacts_are_refused_and_nothing_is_stored(api, pki_people):
    token = api.sign_in(pki_people["parent"])["token"]
    status, body = api.call("PUT", "/me/contacts", {"email": "not-an-email", "phone": "+77011234567"}, token)
    assert status == 422
    assert body["error"]["details"]["field"] == "email"
    assert api.call("GET", "/me", token=token)[1]["contacts"]["email"] is None


def test_an_operator_signs_in_with_the_role_from_the_registry(api, seeded, pki_people):
    # given an operator listed in the operator registry
    operator = pki_people["operator"]
    # when they sign in as an operator
    body = api.sign_in(operator, audience="operator")
    # then the session carries their role
    assert body["person"]["role"] in {"education_department", "service_center"}


def test_a_parent_cannot_sign_in_as_an_operator(api, seeded, pki_people):
    _, challenge = api.call("POST", "/auth/challenge", {"audience": "operator"})
    signed = api.sign(challenge["xml"], pki_people["parent"].auth).decode()
    status, body = api.call("POST", "/auth/sign-in", {"signed_xml": signed})
    assert status == 403
    assert body["error"]["code"] == "auth.not_an_operator"


def test_an_operator_token_cannot_use_parent_routes(api, seeded, pki_people):
    token = api.sign_in(pki_people["operator"], audience="operator")["token"]
    status, body = api.call("PUT", "/me/contacts", {"email": "a@b.kz", "phone": "+77011234567"}, token)
    assert status == 403
    assert body["error"]["code"] == "auth.role_not_allowed"
