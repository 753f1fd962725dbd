"""A signed private choice whose facts differ from the application or the register is refused naming the field."""

from __future__ import annotations

import pytest
from lxml import etree

from tests.integration.filing import Filing
from tests.integration.private.conftest import draft_choice, snapshot, submit_choice


@pytest.mark.parametrize(
    ("path", "attribute", "value", "field"),
    [
        ("child", "birthDate", "2020-01-01", "child/@birthDate"),
        ("child", None, "БАСҚА БАЛА", "child"),
        ("kindergarten/name", None, "Басқа балабақша", "kindergarten/name[1]"),
        ("warning/text", None, "басқа мәтін", "warning/text[1]"),
    ],
)
def test_a_choice_whose_facts_differ_is_refused_naming_the_field(
    filing: Filing, in_queue, path, attribute, value, field
):
    status, drafted = draft_choice(filing, in_queue["id"])
    assert status == 200, drafted
    root = etree.fromstring(drafted["xml"].encode())
    element = root.find(path)
    if attribute is None:
        element.text = value
    else:
        element.set(attribute, value)
    signed = filing.api.sign(etree.tostring(root, encoding="unicode"), filing.person.sign).decode()
    before = snapshot(filing, in_queue["id"])
    status, answer = submit_choice(filing, in_queue["id"], signed)
    assert status == 422, answer
    assert answer["error"]["code"] == "private.document_mismatch"
    assert answer["error"]["details"]["field"] == field
    assert snapshot(filing, in_queue["id"]) == before
