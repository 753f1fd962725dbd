"""Electronic contracts through the API: a parent with a direction, the wizard, the kindergarten's portal.

The parent is the demo parent (child 220910635004, born 2022); the kindergarten is
№ 7 «Балапан» (Сарыарқа, electronic contracts), whose head holds the test CA's organisation
certificate with the kindergarten's BIN.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from bench.moto_tuning import dynamodb_like
from tests.integration.directions.conftest import Portal
from tests.integration.filing import JPEG, Filing

BALAPAN = "ast-saryarka-007"  # № 7 «Балапан», electronic contracts, head's BIN 120540012342
PAPER = "ast-saryarka-027"  # № 27, paper contracts only
KASPI_IBAN = "KZ297220000000000123"  # bank code 722: Kaspi Bank, CASPKZKA
HALYK_BIC = "HSBKKZKX"
CARD = "4400430123456789"  # a Visa card number (passes the Luhn check)


@pytest.fixture
def atomic(aws: None) -> Iterator[None]:
    """moto answering one request at a time (DynamoDB's per-request atomicity)."""
    with dynamodb_like():
        yield


@pytest.fixture
def terms(seeded: None) -> None:
    """The standard contract (version 1) and the e-contract kindergartens' settings."""
    from infra.local.seed import seed_contract_terms

    seed_contract_terms()


@pytest.fixture
def keys(seeded: None) -> dict[str, str]:
    from infra.local.seed import seed_partner_keys

    return seed_partner_keys()


@pytest.fixture
def balapan(api: Any, keys: dict[str, str]) -> Portal:
    return Portal(api, keys[BALAPAN])


@pytest.fixture
def other_portal(api: Any, keys: dict[str, str]) -> Portal:
    """№ 27 (Сарыарқа): another kindergarten with its own key."""
    return Portal(api, keys[PAPER])


def representative(person: Any, **changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "iin": person.iin,
        "surname": person.surname,
        "given_name": person.given_name,
        "patronymic": person.patronymic,
        "authority": "parent",
        "registered_address": "Астана қ., Сарыарқа ауданы, Жеңіс даңғылы, 12, 5-пәтер",
        "actual_address": "Астана қ., Сарыарқа ауданы, Жеңіс даңғылы, 12, 5-пәтер",
        "workplace": "«Астана Су Арнасы» МКК",
        "position": "инженер",
        "phone": "+77011234567",
        "extra_phone": None,
        "email": "aigul@mail.kz",
    }
    body.update(changes)
    return body


def details(**bank: Any) -> dict[str, Any]:
    return {
        "identity_document": {
            "kind": "id_card",
            "number": "045678912",
            "issued_on": "2019-05-20",
            "issued_by": "ҚР ІІМ",
        },
        "bank": {"bank": "Kaspi Bank", "bic": "CASPKZKA", "branch": "Астана қ.", "iban": KASPI_IBAN, **bank},
    }


@dataclass
class Wizard:
    """The parent going through the contract's six steps, as the web front end does."""

    filing: Filing
    direction: str
    application_id: str
    number: str = ""

    def get_application(self) -> str:
        return self.application_id

    @property
    def person(self) -> Any:
        return self.filing.person

    def start(self) -> tuple[int, Any]:
        status, body = self.filing.call("POST", f"/directions/{self.direction}/contract")
        if status in (200, 201):
            self.number = body["number"]
        return status, body

    def get(self) -> dict[str, Any]:
        status, body = self.filing.call("GET", f"/contracts/{self.number}")
        assert status == 200, body
        return body

    def info(self) -> tuple[int, Any]:
        return self.filing.call("POST", f"/contracts/{self.number}/steps/info", {"read": True})

    def eds(self, credential: Any = None) -> tuple[int, Any]:
        status, challenge = self.filing.call("POST", f"/contracts/{self.number}/eds-challenge")
        if status != 200:
            return status, challenge
        signed = self.filing.api.sign(challenge["xml"], credential or self.person.auth).decode()
        return self.filing.call("POST", f"/contracts/{self.number}/steps/eds", {"signed_xml": signed})

    def representative(self, **changes: Any) -> tuple[int, Any]:
        body = representative(self.person.person, **changes)
        return self.filing.call("PUT", f"/contracts/{self.number}/steps/representative", body)

    def details(self, body: dict[str, Any] | None = None) -> tuple[int, Any]:
        return self.filing.call("PUT", f"/contracts/{self.number}/steps/details", body or details())

    def documents(self, **changes: Any) -> tuple[int, Any]:
        body: dict[str, Any] = {
            "photo": self.filing.upload_scan(JPEG, purpose="contract"),
            "health_passport": self.filing.upload_scan(JPEG, purpose="contract"),
            "health_certificate": self.filing.upload_scan(JPEG, purpose="contract"),
            "pmpk": None,
        }
        body.update(changes)
        return self.filing.call("PUT", f"/contracts/{self.number}/steps/documents", body)

    def through_step5(self) -> None:
        for step in (self.info, self.eds, self.representative, self.details, self.documents):
            status, body = step()
            assert status == 200, body

    def signing_document(self) -> str:
        status, body = self.filing.call("POST", f"/contracts/{self.number}/signing-document", {"read_confirmed": True})
        assert status == 200, body
        return body["xml"]

    def send(self, *, credential: Any = None, xml: str | None = None, read: bool = True) -> tuple[int, Any]:
        document = xml or self.signing_document()
        signed = self.filing.api.sign(document, credential or self.person.sign).decode()
        return self.filing.call(
            "POST", f"/contracts/{self.number}/send", {"signed_xml": signed, "read_confirmed": read}
        )


def direction_for(filing: Filing, portal: Portal, kindergarten: str = BALAPAN) -> str:
    return directed(filing, portal, kindergarten)[1]


def directed(filing: Filing, portal: Portal, kindergarten: str = BALAPAN) -> tuple[str, str]:
    """File the demo child into Сарыарқа's queue for ``kindergarten`` and have a seat published there."""
    status, filed = filing.file(district="saryarka", kindergartens=[kindergarten])
    assert status == 201, filed
    portal.publish("2022-kk", 1)
    status, listed = filing.call("GET", f"/applications/{filed['id']}/directions")
    assert status == 200, listed
    assert listed["items"], "no direction was issued"
    return filed["id"], str(listed["items"][0]["number"])


@pytest.fixture
def wizard(filing: Filing, balapan: Portal, terms: None) -> Wizard:
    """The demo parent holding a live direction to «Балапан», the contract not started."""
    application_id, number = directed(filing, balapan)
    return Wizard(filing, number, application_id)


@pytest.fixture
def sent(wizard: Wizard) -> Wizard:
    """The contract signed by the parent and sent to «Балапан»."""
    status, body = wizard.start()
    assert status == 201, body
    wizard.through_step5()
    status, body = wizard.send()
    assert status == 200, body
    return wizard


def kindergarten_signs(api: Any, portal: Portal, number: str, credential: Any, **options: Any) -> tuple[int, Any]:
    status, body, _ = portal.call("GET", f"/partner/contracts/{number}/signing-document", idempotency_key=None)
    if status != 200:
        return status, body
    signed = api.sign(body["xml"], credential).decode()
    status, answer, _ = portal.call("POST", f"/partner/contracts/{number}/signature", {"signed_xml": signed}, **options)
    return status, answer


def kindergarten_refuses(
    api: Any, portal: Portal, number: str, reason: str, credential: Any, **options: Any
) -> tuple[int, Any]:
    """The head signs the refusal with its reason (the organisation's EDS) and sends it."""
    status, body, _ = portal.call(
        "POST", f"/partner/contracts/{number}/refusal-document", {"reason": reason}, idempotency_key=None
    )
    if status != 200:
        return status, body
    signed = api.sign(body["xml"], credential).decode()
    status, answer, _ = portal.call("POST", f"/partner/contracts/{number}/refusal", {"signed_xml": signed}, **options)
    return status, answer
