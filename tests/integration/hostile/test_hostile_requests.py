"""Requests an attacker or a careless client sends: each is a clear refusal in Kazakh and Russian,
never a 500, and changes nothing (issue: deep JSON, control characters, strict types, 415, unknown
routes, canonical JSON for idempotency)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.integration.directions.conftest import Portal
from tests.integration.filing import Filing, draft_body


def error(body: Any) -> dict[str, Any]:
    assert set(body["error"]["messages"]) == {"kk", "ru"}, body
    assert all(body["error"]["messages"].values()), body
    return body["error"]


def raw(api: Any, method: str, path: str, body: bytes | str, headers: dict[str, str]) -> tuple[int, Any]:
    response = getattr(api.client.http, method.lower())(path, headers=headers, body=body)
    text = response.body.decode() if response.body else ""
    return response.status_code, json.loads(text) if text else None


DEEP = "[" * 50_000 + "]" * 50_000


@pytest.mark.parametrize(
    "path", ["/auth/challenge", "/applications/draft", "/me/contacts", "/partner/vacancies", "/applications/link"]
)
def test_json_nested_fifty_thousand_deep_is_refused_not_a_crash(api, filing: Filing, balapan: Portal, path):
    headers = {"Content-Type": "application/json", "Idempotency-Key": "deep-json-0001"}
    headers["Authorization"] = f"Bearer {balapan.key}" if path.startswith("/partner") else f"Bearer {filing.token}"
    nested: object = "x"
    for _ in range(40):  # deeper than any body of the API, far below Python's recursion limit
        nested = [nested]
    for body in (DEEP, '{"a":' * 50_000 + "1" + "}" * 50_000, json.dumps({"email": nested})):
        status, answer = raw(api, "POST" if path != "/me/contacts" else "PUT", path, body, headers)
        assert status == 422, (path, answer)
        assert error(answer)["code"] == "request.too_deep"


@pytest.mark.parametrize("character", ["\x00", "\x07", "\x1b", "\x7f", "\x85", "\ud800", "\uffff"])
def test_a_control_character_in_an_address_is_refused_naming_the_field(api, filing: Filing, character):
    body = draft_body()
    body["applicant"]["address"]["street"] = f"Сығанақ{character} көшесі"
    headers = {"Content-Type": "application/json", "Authorization": f"Bearer {filing.token}"}
    status, answer = raw(api, "POST", "/applications/draft", json.dumps(body), headers)  # as \\u escapes
    assert status == 422, answer
    assert error(answer)["code"] == "request.control_character"
    assert answer["error"]["details"]["field"] == "applicant.address.street"


def test_a_control_character_in_a_withdrawal_reason_is_refused(filing: Filing):
    status, filed = filing.file()
    assert status == 201, filed
    status, answer = filing.call("POST", f"/applications/{filed['id']}/withdraw/draft", {"reason": "көштік\x00"})
    assert status == 422, answer
    assert answer["error"]["details"]["field"] == "reason"
    # tabs and new lines are text
    status, drafted = filing.call("POST", f"/applications/{filed['id']}/withdraw/draft", {"reason": "a\tb\nc"})
    assert status == 200, drafted


def test_a_control_character_in_a_bank_name_or_a_template_is_not_stored(api, balapan: Portal, terms, pki_people):
    status, settings, _ = balapan.call("GET", "/partner/contract-settings", idempotency_key=None)
    assert status == 200, settings
    body = json.loads(json.dumps({k: settings[k] for k in ("register_code", "account", "prices")}))
    body["account"]["bank"] = "Kaspi\x00Bank"
    status, answer, _ = balapan.call("PUT", "/partner/contract-settings", body, idempotency_key=None)
    assert status == 422 and answer["error"]["details"]["field"] == "account.bank", answer
    status, kept, _ = balapan.call("GET", "/partner/contract-settings", idempotency_key=None)
    assert kept["account"]["bank"] == settings["account"]["bank"]

    operator = api.sign_in(pki_people["operator"], audience="operator")["token"]
    body = {"title": {"kk": "Шарт\x1b", "ru": "Договор"}, "sections": [{"paragraphs": [{"kk": "1.", "ru": "1."}]}]}
    status, answer = api.call("POST", "/operator/contract-templates", body, token=operator)
    assert status == 422, answer
    assert answer["error"]["code"] == "request.control_character"
    assert answer["error"]["details"]["field"] == "title.kk"


@pytest.mark.parametrize("seats", [True, "2", 1.0, None])
def test_a_number_field_takes_only_a_json_number(balapan: Portal, seats):
    status, answer, _ = balapan.call("POST", "/partner/vacancies", {"group_id": "2022-kk", "seats": seats})
    assert status == 422, answer
    assert error(answer)["code"] == "request.invalid_fields"
    assert answer["error"]["details"]["fields"][0]["field"] == "seats"
    status, listed, _ = balapan.call("GET", "/partner/directions", idempotency_key=None)
    assert status == 200 and listed["items"] == []


def test_a_text_field_takes_only_a_json_string(filing: Filing):
    status, answer = filing.call("PUT", "/me/contacts", {"email": 12, "phone": "+77011234567"})
    assert status == 422, answer
    assert answer["error"]["details"]["fields"][0]["field"] == "email"


def test_the_same_idempotency_key_with_the_same_json_in_other_whitespace_is_the_same_request(balapan: Portal):
    headers = {"Content-Type": "application/json", "Authorization": f"Bearer {balapan.key}"}
    headers["Idempotency-Key"] = "same-json-0001"
    first = raw(balapan.api, "POST", "/partner/vacancies", '{"group_id":"2022-kk","seats":1}', headers)
    again = raw(balapan.api, "POST", "/partner/vacancies", '{ "seats" : 1,\n  "group_id" : "2022-kk" }', headers)
    other = raw(balapan.api, "POST", "/partner/vacancies", '{"seats": 2, "group_id": "2022-kk"}', headers)
    assert first[0] == 201, first
    assert again == first
    assert other[0] == 422 and other[1]["error"]["code"] == "partner.idempotency_key_reused"


def test_an_unsupported_content_type_is_refused_in_the_projects_words(api, filing: Filing):
    headers = {"Content-Type": "text/plain", "Authorization": f"Bearer {filing.token}"}
    status, answer = raw(api, "PUT", "/me/contacts", "email=a@b.kz", headers)
    assert status == 415, answer
    assert error(answer)["code"] == "request.unsupported_media_type"


def test_a_method_a_route_does_not_take_is_refused_in_the_projects_words(api):
    status, answer = raw(api, "DELETE", "/health", b"", {})
    assert status == 405, answer
    assert error(answer)["code"] == "request.method_not_allowed"
