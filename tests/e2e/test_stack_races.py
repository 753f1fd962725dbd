"""The local stack keeps DynamoDB's guarantees under concurrency: racing requests find one winner.

Many identical signed submissions of one child at once register one application and use one
registration number; many enrolments of one direction at once enrol the child once; a contract
sent many times at once by the parent, then signed many times at once by the kindergarten, is
sent once and signed once. The stack is the shared one; the clock does not move.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from infra.local.harness import StackProcess
from infra.local.signin import SIGN_OIDS, sign_with_ncalayer

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


def parent_session(stack: StackProcess, iin: str, email: str, phone: str) -> dict[str, str]:
    """A parent signed in through NCALayer with the AUTH key, contacts given: the headers to call with."""
    _, challenge = call("POST", f"{stack.api}/auth/challenge", {"audience": "parent"})
    signed_in = sign_with_ncalayer(stack.ncalayer, challenge["xml"], iin=iin, oids=[AUTH_OID])
    status, session = call("POST", f"{stack.api}/auth/sign-in", {"signed_xml": signed_in})
    assert status == 200, session
    parent = {"Authorization": f"Bearer {session['token']}"}
    if session["needs_contacts"]:
        status, _ = call("PUT", f"{stack.api}/me/contacts", {"email": email, "phone": phone}, parent)
        assert status == 200
    return parent


def test_racing_submissions_and_enrolments_each_have_one_winner(local_stack: StackProcess):
    api = local_stack.api
    parent = parent_session(local_stack, SAULE, "saule@mail.kz", "+77071234567")
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


ERLAN = "881105310141"  # Жұмабаев Ерлан (infra/local/demo/people.json)
AMINA = "220418630396"  # his daughter, born 2022, Алматы district (population fixture)
AKBOTA = "ast-almaty-005"  # № 5 «Ақбота»: electronic contracts; its head signs with the organisation's key
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 200 + b"\xff\xd9"  # a small but whole JPEG


def upload(api: str, headers: dict[str, str]) -> str:
    """A scan as the browser sends it: announced, POSTed to the presigned form, completed."""
    body = {"purpose": "contract", "file_name": "scan.jpg", "content_type": "image/jpeg", "size": len(JPEG)}
    status, form = call("POST", f"{api}/uploads", body, headers)
    assert status == 201, form
    boundary = "----balabaqsha-race"
    parts = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
        for name, value in form["fields"].items()
    ]
    parts.append(
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="scan.jpg"\r\n'
        "Content-Type: image/jpeg\r\n\r\n".encode() + JPEG + f"\r\n--{boundary}--\r\n".encode()
    )
    request = urllib.request.Request(
        form["url"], data=b"".join(parts), method="POST",
        headers={"Content-Type": f"multipart/form-data; boundary={boundary}"},
    )
    with urllib.request.urlopen(request, timeout=60) as response:
        assert response.status in (200, 201, 204)
    status, completed = call("POST", f"{api}/uploads/{form['upload_id']}/complete", None, headers)
    assert status == 200, completed
    return str(form["upload_id"])


def test_racing_contract_signatures_each_have_one_winner(local_stack: StackProcess):
    api, ncalayer = local_stack.api, local_stack.ncalayer
    # given a parent whose child holds a direction to a kindergarten with electronic contracts
    parent = parent_session(local_stack, ERLAN, "erlan@mail.kz", "+77012223344")
    draft = {
        "applicant": {
            "address": {"city": "Астана", "district": "Алматы ауданы", "street": "Тәуелсіздік даңғылы",
                        "house": "7", "flat": "12"},
            "email": "erlan@mail.kz",
            "phone": "+77012223344",
        },
        "child": {"iin": AMINA},
        "region": "astana",
        "district": "almaty",
        "kindergartens": [AKBOTA],
        "language": "kk",
        "benefit": None,
        "attachments": [],
    }
    status, drafted = call("POST", f"{api}/applications/draft", draft, parent)
    assert status == 200, drafted
    signed = sign_with_ncalayer(ncalayer, drafted["xml"], iin=ERLAN, oids=SIGN_OIDS)
    status, filed = call("POST", f"{api}/applications", {"signed_xml": signed}, parent)
    assert status == 201, filed
    ready = json.loads((local_stack.state_dir / "ready.json").read_text(encoding="utf-8"))
    portal = {"Authorization": f"Bearer {ready['partner_keys'][AKBOTA]}"}
    seat = {"group_id": "2022-kk", "seats": 1}
    status, published = call("POST", f"{api}/partner/vacancies", seat, {**portal, "Idempotency-Key": "race-seat-2"})
    assert status == 201, published
    application = f"{api}/applications/{urllib.request.quote(filed['id'])}"
    status, directions = call("GET", f"{application}/directions", headers=parent)
    assert status == 200 and directions["items"], directions
    direction = urllib.request.quote(directions["items"][0]["number"], safe="")

    # and the contract filled in up to its last step, as the web front end does
    status, started = call("POST", f"{api}/directions/{direction}/contract", None, parent)
    assert status == 201, started
    contract = f"{api}/contracts/{urllib.request.quote(started['number'], safe='')}"
    assert call("POST", f"{contract}/steps/info", {"read": True}, parent)[0] == 200
    _, eds = call("POST", f"{contract}/eds-challenge", None, parent)
    eds_signed = sign_with_ncalayer(ncalayer, eds["xml"], iin=ERLAN, oids=[AUTH_OID])
    status, answer = call("POST", f"{contract}/steps/eds", {"signed_xml": eds_signed}, parent)
    assert status == 200, answer
    person = {"iin": ERLAN, "surname": "Жұмабаев", "given_name": "Ерлан", "patronymic": "Серікұлы"}
    address = "Астана қ., Алматы ауданы, Тәуелсіздік даңғылы, 7, 12-пәтер"
    representative = {
        **person, "authority": "parent", "registered_address": address, "actual_address": address,
        "workplace": "«Астана Су Арнасы» МКК", "position": "инженер", "phone": "+77012223344",
        "extra_phone": None, "email": "erlan@mail.kz",
    }
    status, answer = call("PUT", f"{contract}/steps/representative", representative, parent)
    assert status == 200, answer
    details = {
        "identity_document": {
            "kind": "id_card", "number": "045678913", "issued_on": "2019-05-20", "issued_by": "ҚР ІІМ"
        },
        "bank": {"bank": "Kaspi Bank", "bic": "CASPKZKA", "branch": "Астана қ.", "iban": "KZ297220000000000123"},
    }
    status, answer = call("PUT", f"{contract}/steps/details", details, parent)
    assert status == 200, answer
    scans = {name: upload(api, parent) for name in ("photo", "health_passport", "health_certificate")}
    status, answer = call("PUT", f"{contract}/steps/documents", {**scans, "pmpk": None}, parent)
    assert status == 200, answer
    status, document = call("POST", f"{contract}/signing-document", {"read_confirmed": True}, parent)
    assert status == 200, document
    parent_signed = sign_with_ncalayer(ncalayer, document["xml"], iin=ERLAN, oids=SIGN_OIDS)

    # when the parent's signed contract is sent many times at once
    body = {"signed_xml": parent_signed, "read_confirmed": True}
    answers = race([lambda: call("POST", f"{contract}/send", body, parent)] * RACERS)

    # then it is sent once: every racer is answered with the sent contract or refused as a repeat in Kazakh
    # and Russian, and the contract's history says "sent" once
    assert any(status == 200 for status, _ in answers), answers
    assert {status for status, _ in answers} <= {200, 409}, answers
    assert all(body["error"]["messages"]["ru"] for status, body in answers if status == 409)
    status, sent = call("GET", contract, headers=parent)
    assert status == 200 and sent["status"] == "sent", sent

    # when the kindergarten's head signs it and the portal sends the signature many times at once,
    # each request with its own Idempotency-Key
    partner_contract = f"{api}/partner/contracts/{urllib.request.quote(started['number'], safe='')}"
    status, to_sign = call("GET", f"{partner_contract}/signing-document", headers=portal)
    assert status == 200, to_sign
    head_bin = next(i["bin"] for i in ready["identities"] if i.get("kindergarten_id") == AKBOTA and i.get("bin"))
    head_signed = sign_with_ncalayer(ncalayer, to_sign["xml"], bin=head_bin, oids=SIGN_OIDS)
    answers = race(
        [lambda n=n: call("POST", f"{partner_contract}/signature", {"signed_xml": head_signed},
                          {**portal, "Idempotency-Key": f"race-sign-{n:04d}"})
         for n in range(RACERS)]
    )

    # then the contract is signed once: one winner, every other racer answered the same signed contract or
    # refused; one "signed" record in the history, one message to the parent
    assert any(status == 200 for status, _ in answers) and {s for s, _ in answers} <= {200, 409}, answers
    status, signed_contract = call("GET", contract, headers=parent)
    assert status == 200 and signed_contract["status"] == "signed", signed_contract
    status, history = call("GET", f"{application}/history", headers=parent)
    assert status == 200, history
    of_contract = [h["event"] for h in history["items"] if h["subject"] == "contract"]
    assert of_contract.count("contract.sent") == 1 and of_contract.count("contract.signed") == 1, of_contract
