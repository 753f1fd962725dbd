"""Directions through the API: children in the queue, kindergarten portals with their keys, operators.

The parents whose actions are tested file through the API (``Filing``); the other children of a
queue are registered straight through the repository (what a signed submission ends in), which
keeps the tests fast. Requests to moto run one at a time, as DynamoDB applies each atomically.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import pytest

from bench.moto_tuning import dynamodb_like
from chalicelib import wiring
from chalicelib.domain.iin import make_iin
from chalicelib.notify.outbox import OutboxNotifier
from chalicelib.store.applications import Address, ApplicantSnapshot, Application
from tests.integration.filing import Filing

ESIL_12 = "ast-esil-012"  # № 12 «Балдырған», state, kk + ru, Есіл
ESIL_63 = "ast-esil-063"  # № 63, state, kk only, Есіл
NURLY_BALA = "ast-esil-nurly-bala"  # «Нұрлы бала», private under the state order, Есіл
PARENT_EMAIL = "aigul@mail.kz"
PARENT_PHONE = "+77011234567"

_serials = itertools.count(1)


@pytest.fixture
def atomic(aws: None) -> Iterator[None]:
    """moto answering one request at a time (DynamoDB's per-request atomicity)."""
    with dynamodb_like():
        yield


@pytest.fixture
def keys(seeded: None) -> dict[str, str]:
    """Every demo kindergarten's portal key (as the local stack seeds them)."""
    from infra.local.seed import seed_partner_keys

    return seed_partner_keys()


@dataclass
class Portal:
    """A kindergarten's portal calling the partner API with its key."""

    api: Any
    key: str

    def call(
        self, method: str, path: str, body: Any = None, *, idempotency_key: str | None = "auto"
    ) -> tuple[int, Any, dict[str, str]]:
        headers = {"Content-Type": "application/json", "Authorization": f"Bearer {self.key}"}
        if idempotency_key == "auto":
            idempotency_key = f"test-{next(_serials):08d}"
        if idempotency_key is not None:
            headers["Idempotency-Key"] = idempotency_key
        payload = None if body is None else json.dumps(body, ensure_ascii=False)
        response = getattr(self.api.client.http, method.lower())(path, headers=headers, body=payload)
        self.api.after_request()
        text = response.body.decode() if response.body else ""
        return response.status_code, (json.loads(text) if text else None), dict(response.headers)

    def publish(self, group_id: str, seats: int = 1, **options: Any) -> dict[str, Any]:
        status, body, _ = self.call("POST", "/partner/vacancies", {"group_id": group_id, "seats": seats}, **options)
        assert status == 201, body
        return body

    def directions(self, status: str | None = None) -> list[dict[str, Any]]:
        code, body, _ = self.call("GET", "/partner/directions" + (f"?status={status}" if status else ""))
        assert code == 200, body
        return body["items"]

    def enrol(self, number: str, **options: Any) -> tuple[int, Any]:
        status, body, _ = self.call("POST", f"/partner/directions/{number}/enrolment", **options)
        return status, body


@pytest.fixture
def portal(api: Any, keys: dict[str, str]) -> Portal:
    """№ 12 «Балдырған» (Есіл)."""
    return Portal(api, keys[ESIL_12])


@pytest.fixture
def other_portal(api: Any, keys: dict[str, str]) -> Portal:
    """№ 63 (Есіл), another kindergarten of the same district."""
    return Portal(api, keys[ESIL_63])


@pytest.fixture
def filing(api: Any, seeded: None, pki_people: Any) -> Filing:
    return Filing(api, pki_people["parent"])


@pytest.fixture
def operator(api: Any, seeded: None, pki_people: Any) -> str:
    """An Astana education-department operator's session token."""
    return api.sign_in(pki_people["operator"], audience="operator")["token"]


def enqueue(
    *,
    at: datetime,
    birth: date = date(2022, 4, 1),
    preferences: tuple[str, ...] = (ESIL_12,),
    language: str = "kk",
    district: str = "esil",
    benefit: str | None = None,
    email: str = "queue@mail.kz",
    street: str = "Тұран",
) -> Application:
    """A child registered in the queue at ``at`` (a parent the tests do not act as)."""
    serial = next(_serials)
    parent = make_iin(date(1991, 2, 3), "female", 4000 + serial)
    child = None
    for attempt in range(20):
        try:
            child = make_iin(birth, "male", 5000 + serial * 20 + attempt)
            break
        except ValueError:
            continue
    app = Application(
        child_iin=child,
        child_surname="Кезекбаев",
        child_given_name=f"Бала {serial}",
        birth_date=birth,
        sex="male",
        region="astana",
        district=district,
        language=language,
        preferences=list(preferences),
        benefit_category=benefit,
        benefit_status="approved" if benefit else "none",
        applicant_iin=parent,
        applicant=ApplicantSnapshot(
            iin=parent,
            surname="Кезекбаева",
            given_name="Ана",
            address=Address(city="Астана", district="Есіл", street=street, house="1", flat="1"),
            email=email,
            phone="+77019990000",
        ),
        signed_xml_key="signed/applications/test.xml",
    )
    return wiring.applications().create(app, who=f"parent:{parent}", now=at)


def messages(address: str) -> list[Any]:
    """Messages sent to an e-mail address or phone, newest first."""
    return OutboxNotifier().messages_for(address)


def sweep(api: Any, name: str) -> Any:
    """Run a scheduled function as EventBridge would."""
    event = api.client.events.generate_cw_event(
        source="aws.events", detail_type="Scheduled Event", detail={}, resources=[]
    )
    payload = api.client.lambda_.invoke(name, event).payload
    api.after_request()  # the jobs its changes wrote (the parents' messages, the documents)
    return payload

