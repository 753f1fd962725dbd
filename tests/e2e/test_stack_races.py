"""The local stack keeps DynamoDB's guarantees under concurrency: racing requests find one winner.

Many identical signed submissions of one child at once register one application and use one
registration number; many enrolments of one direction at once enrol the child once. The stack is
the shared one; the clock does not move.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from infra.local.harness import StackProcess
from infra.local.signin import sign_with_ncalayer

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("local-stack")]

SAULE = "950512410282"  # Омарова Сәуле (infra/local/demo/people.json)
TEMIRLAN = "210214530656"  # her son, born 2021, Сарыарқа (population fixture)
KINDERGARTEN, GROUP = "ast-saryarka-027", "2021-kk"  # № 27, paper contracts: the portal enrols
AUTH_OID = "1.3.6.1.5.5.7.3.2"
RACERS = 16


def call(method: str, url: str, body: Any = None, headers: dict[str, str] | None = None) -> tuple[int, Any]:
    request = urllib.request.Request(
        url,
        data=None if body is None else json.dumps(body).encode(),
        method=method,
        headers={"Content-Type": "application/json", **(headers or {})},
    )
    try:
        with urllib.request.urlopen(request, timeout=120) as response:
            return response.status, json.loads(response.read() or b"null")
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"null")


def race(calls: list[Any]) -> list[tuple[int, Any]]:
    with ThreadPoolExecutor(len(calls)) as pool:
        return list(pool.map(lambda make: make(), calls))


def test_racing_submissions_and_enrolments_each_have_one_winner(local_stack: StackProcess):
    api = local_stack.api
    _, challenge = call("POST", f"{api}/auth/challenge", {"audience": "parent"})
    signed_in = sign_with_ncalayer(local_stack.ncalayer, challenge["xml"], iin=SAULE, oids=[AUTH_OID])
    status, session = call("POST", f"{api}/auth/sign-in", {"signed_xml": signed_in})
    assert status == 200, session
    parent = {"Authorization": f"Bearer {session['token']}"}
    if session["needs_contacts"]:
        status, _ = call("PUT", f"{api}/me/contacts", {"email": "saule@mail.kz", "phone": "+77071234567"}, parent)
        assert status == 200
    draft = {
        "applicant": {
            "address": {"city": "Астана", "district": "Сарыарқа ауданы", "street": "Бейбітшілік көшесі",
                        "house": "9", "flat": "58"},
            "email": "saule@mail.kz",
            "phone": "+77071234567",
        },
        "child": {"iin": TEMIRLAN},
        "region": "astana",
        "district": "saryarka",
        "kindergartens": [KINDERGARTEN],
        "language": "kk",
        "benefit": None,
        "attachments": [],
    }
    status, drafted = call("POST", f"{api}/applications/draft", draft, parent)
    assert status == 200, drafted
    signed = sign_with_ncalayer(local_stack.ncalayer, drafted["xml"], iin=SAULE, oids=[])

    # when the same signed application is submitted many times at once
    answers = race([lambda: call("POST", f"{api}/applications", {"signed_xml": signed}, parent)] * RACERS)

    # then one registers it; every other is answered with that same application (a re-sent signed
    # document, 200) or, while the winner is still committing, refused as a repeat (409)
    statuses = [status for status, _ in answers]
    assert statuses.count(201) == 1 and set(statuses) <= {200, 201, 409}, answers
    winner = next(body for status, body in answers if status == 201)
    assert all(body["id"] == winner["id"] for status, body in answers if status == 200), answers
    status, journal = call("GET", f"{api}/applications", headers=parent)
    mine = [item for item in journal["items"] if item["child"]["iin"] == TEMIRLAN]
    assert len(mine) == 1 and mine[0]["status"] == "active", mine
    assert mine[0]["id"] == winner["id"]

    # given a seat published for the child and the direction it gets
    key = json.loads((local_stack.state_dir / "ready.json").read_text(encoding="utf-8"))["partner_keys"][KINDERGARTEN]
    portal = {"Authorization": f"Bearer {key}"}
    seat = {"group_id": GROUP, "seats": 1}
    status, published = call("POST", f"{api}/partner/vacancies", seat, {**portal, "Idempotency-Key": "race-seat-1"})
    assert status == 201, published
    application = f"{api}/applications/{urllib.request.quote(winner['id'])}"
    status, directions = call("GET", f"{application}/directions", headers=parent)
    assert status == 200 and directions["items"], directions
    number = directions["items"][0]["number"]

    # when the portal confirms the enrolment many times at once, each with its own Idempotency-Key
    path = f"{api}/partner/directions/{urllib.request.quote(number)}/enrolment"
    answers = race(
        [lambda n=n: call("POST", path, None, {**portal, "Idempotency-Key": f"race-enrol-{n:04d}"})
         for n in range(RACERS)]
    )

    # then the child is enrolled once: a racer answers "enrolled" or is refused (no longer valid, changed
    # meanwhile), and there is one history record, one message to the parent
    assert {status for status, _ in answers} <= {200, 409} and any(status == 200 for status, _ in answers), answers
    assert all(body["error"]["messages"]["kk"] for status, body in answers if status == 409)
    status, history = call("GET", f"{application}/history", headers=parent)
    assert status == 200, history
    enrolled = [h for h in history["items"] if h.get("to") == "enrolled"]
    assert len(enrolled) == 1, history["items"]
    status, outbox = call("GET", f"{api}/local/outbox?to=saule%40mail.kz")
    texts = [json.dumps(m, ensure_ascii=False) for m in (outbox.get("items") or outbox.get("messages") or [])]
    assert sum("зачислен" in t for t in texts) <= 2, texts  # one e-mail and at most one SMS
