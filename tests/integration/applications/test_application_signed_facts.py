"""Every fact of a parent's signed statement equals the server's state; a difference is refused naming
the field, and nothing changes (the application, the withdrawal, the benefit claim)."""

from __future__ import annotations

from typing import Any

import pytest
from lxml import etree

from tests.integration.filing import Filing

OTHER_CHILD = "240517611004"  # Серікова Айша: the demo parents' second child
STRANGER = "930220407896"  # another parent's IIN


def edited(xml: str, path: str, attribute: str | None, value: str) -> str:
    """The server's draft with one fact changed (the parent's own key signs it afterwards)."""
    root = etree.fromstring(xml.encode())
    element = root if path == "." else root.find(path)
    assert element is not None, path
    if attribute is None:
        element.text = value
    else:
        element.set(attribute, value)
    return etree.tostring(root, encoding="unicode")


def state(filing: Filing, application_id: str) -> tuple[Any, Any]:
    return filing.call("GET", f"/applications/{application_id}")[1], filing.call(
        "GET", f"/applications/{application_id}/history"
    )[1]


@pytest.mark.parametrize(
    ("path", "attribute", "value", "field"),
    [
        ("application", "childIin", OTHER_CHILD, "application/@childIin"),
        ("applicant", "iin", STRANGER, "applicant/@iin"),
        ("application", "id", "УО.2026.999999", "application/@id"),
        (".", "version", "2", "@version"),
    ],
)
def test_a_withdrawal_whose_facts_differ_from_the_application_is_refused(
    filing: Filing, api, pki_people, path, attribute, value, field
):
    # given an application in the queue and its withdrawal statement with one fact changed, then signed
    status, filed = filing.file()
    assert status == 201, filed
    status, drafted = filing.call("POST", f"/applications/{filed['id']}/withdraw/draft", {"reason": "көштік"})
    assert status == 200, drafted
    before = state(filing, filed["id"])
    signed = api.sign(edited(drafted["xml"], path, attribute, value), pki_people["parent"].sign).decode()
    # when it is sent
    status, answer = filing.call("POST", f"/applications/{filed['id']}/withdraw", {"signed_xml": signed})
    # then it is refused naming the field, and the child stays in the queue
    assert status == 422, answer
    assert answer["error"]["code"] == "application.withdrawal_mismatch"
    assert answer["error"]["details"]["field"] == field
    assert state(filing, filed["id"]) == before
    # while the statement as drafted (its reason is the parent's own words) withdraws
    signed = api.sign(edited(drafted["xml"], "reason", None, "басқа қала"), pki_people["parent"].sign).decode()
    status, answer = filing.call("POST", f"/applications/{filed['id']}/withdraw", {"signed_xml": signed})
    assert status == 200 and answer["status"] == "withdrawn", answer


@pytest.mark.parametrize(
    ("path", "attribute", "value", "field"),
    [
        ("applicant/surname", None, "БАСҚА", "applicant/surname"),
        ("child/givenName", None, "БАСҚА", "child/givenName"),
        ("child/birthDate", None, "2022-01-01", "child/birthDate"),
        ("child/sex", None, "male", "child/sex"),
        ("applicant/birthDate", None, "1990-01-01", "applicant/birthDate"),
    ],
)
def test_an_application_whose_registry_facts_differ_is_refused(filing: Filing, api, path, attribute, value, field):
    # given the application draft with a fact the population registry knows otherwise, then signed
    from tests.integration.filing import draft_body

    status, drafted = filing.call("POST", "/applications/draft", draft_body())
    assert status == 200, drafted
    signed = api.sign(edited(drafted["xml"], path, attribute, value), filing.person.sign).decode()
    # when it is submitted
    status, answer = filing.call("POST", "/applications", {"signed_xml": signed})
    # then it is refused naming the field, and no application exists
    assert status == 422, answer
    assert answer["error"]["code"] == "application.document_mismatch"
    assert answer["error"]["details"]["field"] == field
    assert filing.call("GET", "/applications")[1]["items"] == []


def test_a_benefit_change_is_a_signed_statement(filing: Filing, api, pki_people):
    # given an application in the queue and a checked scan
    status, filed = filing.file()
    assert status == 201, filed
    scan = filing.upload_scan()
    before = state(filing, filed["id"])
    # when the change is sent unsigned, as before
    status, unsigned = filing.call(
        "POST", f"/applications/{filed['id']}/benefit", {"benefit": "large_family", "attachments": [scan]}
    )
    # then it is refused: a priority change needs the parent's signature
    assert status == 422, unsigned
    assert unsigned["error"]["details"]["fields"][0]["field"] == "signed_xml"
    # and a claim signed with the sign-in key, by someone else, or for another category is refused too
    status, drafted = filing.call(
        "POST", f"/applications/{filed['id']}/benefit/draft", {"benefit": "large_family", "attachments": [scan]}
    )
    assert status == 200, drafted
    base = f"/applications/{filed['id']}/benefit"
    auth_key = filing.call("POST", base, {"signed_xml": api.sign(drafted["xml"], pki_people["parent"].auth).decode()})
    stranger = filing.call(
        "POST", base, {"signed_xml": api.sign(drafted["xml"], pki_people["other_parent"].sign).decode()}
    )
    other = edited(drafted["xml"], "application", "childIin", OTHER_CHILD)
    other_child = filing.call("POST", base, {"signed_xml": api.sign(other, pki_people["parent"].sign).decode()})
    assert auth_key[0] == 422 and auth_key[1]["error"]["details"]["check"] == "purpose"
    assert stranger[0] == 422 and stranger[1]["error"]["details"]["check"] == "owner"
    assert other_child[0] == 422 and other_child[1]["error"]["details"]["field"] == "application/@childIin"
    assert state(filing, filed["id"]) == before
    # while the claim as drafted, signed by the parent, is pending an operator
    signed = api.sign(drafted["xml"], pki_people["parent"].sign).decode()
    status, changed = filing.call("POST", base, {"signed_xml": signed})
    assert status == 200, changed
    assert changed["benefit_status"] == "pending" and changed["benefit"]["code"] == "large_family"
