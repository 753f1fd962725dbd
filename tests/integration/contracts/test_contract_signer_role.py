"""Only the kindergarten's first head or a person with the right of signature signs its contracts
(NCA organisation roles 1.2.398.3.3.4.1.2.1 and .2); every fact of the signature is the contract's."""

from __future__ import annotations

from typing import Any

from lxml import etree

from tests.integration.contracts.conftest import Wizard, kindergarten_signs
from tests.integration.directions.conftest import Portal


def signs_edited(api: Any, portal: Portal, number: str, credential: Any, path: str, attribute: str, value: str):
    status, body, _ = portal.call("GET", f"/partner/contracts/{number}/signing-document", idempotency_key=None)
    assert status == 200, body
    root = etree.fromstring(body["xml"].encode())
    (root if path == "." else root.find(path)).set(attribute, value)
    signed = api.sign(etree.tostring(root, encoding="unicode"), credential).decode()
    status, answer, _ = portal.call("POST", f"/partner/contracts/{number}/signature", {"signed_xml": signed})
    return status, answer


def test_only_the_head_or_a_person_with_the_right_of_signature_signs(
    sent: Wizard, balapan: Portal, api: Any, pki_ca: Any, pki_people: Any
) -> None:
    head = pki_people["kindergarten_head"].person
    # when colleagues holding the kindergarten's BIN in other roles sign
    refused = {
        role: kindergarten_signs(api, balapan, sent.number, pki_ca.issue_staff(head, role))
        for role in ("employee", "finance", "hr")
    }
    # then each is refused naming the role found, and the contract still waits
    for role, (status, answer) in refused.items():
        assert status == 422, (role, answer)
        assert answer["error"]["code"] == "eds.purpose.not_authorised_to_sign", answer
        assert answer["error"]["details"]["role"].startswith("1.2.398.3.3.4.1.2."), answer
    assert "сотрудник организации" in refused["employee"][1]["error"]["messages"]["ru"]
    assert "ұйым қызметкері" in refused["employee"][1]["error"]["messages"]["kk"]
    assert "финансовые" in refused["finance"][1]["error"]["messages"]["ru"]
    assert sent.get()["status"] == "sent"

    # and a signature whose facts differ from the contract is refused naming the field
    signer = pki_ca.issue_staff(head, "signer")
    other_bin = signs_edited(api, balapan, sent.number, signer, "kindergarten", "bin", "120540099999")
    other_document = signs_edited(api, balapan, sent.number, signer, "representativeDocument", "sha256", "00" * 32)
    assert other_bin[0] == 422 and other_bin[1]["error"]["details"]["field"] == "kindergarten/@bin"
    assert other_document[0] == 422
    assert other_document[1]["error"]["details"]["field"] == "representativeDocument/@sha256"
    assert sent.get()["status"] == "sent"

    # when a person with the right of signature signs, the contract is in force
    status, answer = kindergarten_signs(api, balapan, sent.number, signer)
    assert status == 200, answer
    assert answer["status"] == "signed"
