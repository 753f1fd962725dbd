"""The comparison of a signed statement with the server's state names the first differing field."""

from lxml import etree

from chalicelib.domain.signed_facts import first_difference

EXPECTED = (
    '<queueWithdrawal version="1" preparedAt="2026-01-01T00:00:00+00:00">'
    '<application id="УО.2026.000001" childIin="220910635004"/>'
    '<applicant iin="900512401234"/><reason>көштік</reason></queueWithdrawal>'
)


def signed(text: str) -> etree._Element:
    return etree.fromstring(text.encode())


def test_the_same_facts_prepared_at_another_time_agree():
    assert first_difference(signed(EXPECTED.replace("2026-01-01T00", "2026-02-02T10")), EXPECTED) is None


def test_a_signature_element_is_not_a_fact():
    with_signature = EXPECTED.replace(
        "</queueWithdrawal>", '<ds:Signature xmlns:ds="http://www.w3.org/2000/09/xmldsig#"/></queueWithdrawal>'
    )
    assert first_difference(signed(with_signature), EXPECTED) is None


def test_each_planted_difference_is_named():
    cases = {
        EXPECTED.replace('childIin="220910635004"', 'childIin="220910635005"'): "application/@childIin",
        EXPECTED.replace('iin="900512401234"', 'iin="900512401235"'): "applicant/@iin",
        EXPECTED.replace("<reason>көштік</reason>", "<reason>басқа</reason>"): "reason",
        EXPECTED.replace('version="1"', 'version="2"'): "@version",
        EXPECTED.replace("<reason>көштік</reason>", "<reason>көштік</reason><extra/>"): "extra",
        EXPECTED.replace("<reason>көштік</reason>", ""): "reason",
        EXPECTED.replace('iin="900512401234"/>', 'iin="900512401234" role="x"/>'): "applicant/@role",
        EXPECTED.replace("queueWithdrawal", "queueApplication"): "(document)",
    }
    for text, field in cases.items():
        assert first_difference(signed(text), EXPECTED) == field, text


def test_repeated_elements_are_named_by_position():
    expected = "<a><k id='1'/><k id='2'/></a>"
    assert first_difference(signed("<a><k id='1'/><k id='3'/></a>"), expected) == "k[2]/@id"
