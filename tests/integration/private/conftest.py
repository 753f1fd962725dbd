"""Helpers of the private-kindergarten tests: a child in the queue, a signed choice, and "nothing changed"."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import boto3
import pytest

from chalicelib.settings import get_settings
from tests.integration.filing import Filing

NURLY_BALA = "ast-esil-nurly-bala"  # private, state order, kk + ru, Есіл
SMART_KIDS = "ast-saryarka-smart-kids"  # private, state order, ru only, Сарыарқа
BOLASHAK = "ast-baikonur-bolashak"  # private, state order, kk only, Байқоңыр
AK_ZHELKEN = "ast-almaty-ak-zhelken"  # private, no state order
STATE_KINDERGARTEN = "ast-esil-012"  # № 12, state
UNDER_THREE = "240517611004"  # Серікова Айша, born 2024-05-17: a second child of the demo parents
OTHER_APPLICANT = {  # Нұрланова Динара, mother of Ерасыл (born 2022-03-11, Есіл)
    "address": {"city": "Астана", "district": "Есіл ауданы", "street": "Сығанақ көшесі", "house": "29", "flat": "41"},
    "email": "dinara@mail.kz",
    "phone": "+77021234567",
}


@dataclass(frozen=True)
class Snapshot:
    """What a parent and an auditor can see of an application and everything around it."""

    application: dict[str, Any]
    history: list[str]
    documents: list[str]
    signed_private: list[str]
    messages: int


def snapshot(filing: Filing, application_id: str, *, email: str = "aigul@mail.kz") -> Snapshot:
    from chalicelib.notify.outbox import OutboxNotifier

    _, application = filing.call("GET", f"/applications/{application_id}")
    _, history = filing.call("GET", f"/applications/{application_id}/history")
    _, documents = filing.call("GET", f"/applications/{application_id}/documents")
    listed = boto3.client("s3").list_objects_v2(Bucket=get_settings().documents_bucket, Prefix="signed/private/")
    application = {k: v for k, v in application.items() if k != "next_confirmation_due"}
    return Snapshot(
        application=application,
        history=[f"{h['at']} {h['event']}" for h in history["items"]],
        documents=sorted(d["kind"] for d in documents["items"]),
        signed_private=[o["Key"] for o in listed.get("Contents", [])],
        messages=len(OutboxNotifier().messages_for(email)),
    )


def draft_choice(filing: Filing, application_id: str, **body: Any) -> tuple[int, Any]:
    payload = {"kindergarten_id": NURLY_BALA, "acknowledged": True, **body}
    return filing.call("POST", f"/applications/{application_id}/private/draft", payload)


def signed_choice(filing: Filing, application_id: str, signer: Any = None, **body: Any) -> str:
    status, drafted = draft_choice(filing, application_id, **body)
    assert status == 200, drafted
    return filing.api.sign(drafted["xml"], signer or filing.person.sign).decode()


def submit_choice(filing: Filing, application_id: str, signed_xml: str) -> tuple[int, Any]:
    return filing.call("POST", f"/applications/{application_id}/private", {"signed_xml": signed_xml})


def publish(api: Any, key: str, group_id: str, seats: int) -> dict[str, Any]:
    """A kindergarten's portal publishes vacancies of one of its groups."""
    headers = {
        "Content-Type": "application/json",
        "Authorization": f"Bearer {key}",
        "Idempotency-Key": f"{group_id}-{seats}",
    }
    body = json.dumps({"group_id": group_id, "seats": seats})
    response = api.client.http.post("/partner/vacancies", headers=headers, body=body)
    answer = json.loads(response.body.decode())
    assert response.status_code == 201, answer
    return answer


@pytest.fixture
def private_seats(api: Any, seeded: None) -> dict[str, list[str]]:
    """Published state-order vacancies: «Нұрлы бала» 2 Kazakh + 1 Russian seats for children born in 2022
    (and 1 for 2023), «Смарт Кидс» 1 Russian, «Болашақ» 1 Kazakh; seat ids by kindergarten and group."""
    from infra.local.seed import seed_partner_keys

    keys = seed_partner_keys()
    published: dict[str, list[str]] = {}
    for kindergarten, group, seats in (
        (NURLY_BALA, "2022-kk", 2),
        (NURLY_BALA, "2022-ru", 1),
        (NURLY_BALA, "2023-kk", 1),
        (SMART_KIDS, "2022-ru", 1),
        (BOLASHAK, "2022-kk", 1),
    ):
        answer = publish(api, keys[kindergarten], group, seats)
        assert answer["channel"] == "private"  # chosen by parents, never allocated to the queue
        published[f"{kindergarten}/{group}"] = [seat["seat_id"] for seat in answer["seats"]]
    return published


@pytest.fixture
def in_queue(filing: Filing, private_seats: dict[str, list[str]]) -> dict[str, Any]:
    """Серікова Аяла (born 2022-09-10, 3 years old on the test day) in the Есіл queue, taught in Kazakh."""
    status, body = filing.file()
    assert status == 201, body
    return body
