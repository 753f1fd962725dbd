"""The direction lifecycle on the local stack over HTTP, watched by moving the local clock.

A parent files an application signed through the NCALayer stand-in; the kindergarten's portal
publishes a seat; the child gets a direction; nobody comes: after the deadline the sweep cancels
it and the child is on the stop-list; after the stop-list the seat is offered again; the second
miss removes the child from the queue. The stack is this module's own (the clock moves 2 months).

The story runs from several start dates that cross holidays (``tests.e2e.clock.CROSSING_HOLIDAYS``),
each on a stack of its own whose clock starts there: the clock moves to the deadlines the service
states (the direction's ``deadline``, the application's ``stop_list_until``), never by fixed jumps
that a holiday could outlast.
"""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

import pytest

from infra.local.harness import StackProcess, start_stack
from infra.local.signin import sign_with_ncalayer
from tests.e2e.clock import CROSSING_HOLIDAYS

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("directions-clock")]

ERLAN = "881105310141"  # Жұмабаев Ерлан (infra/local/demo/people.json)
ALDIYAR = "220418530260"  # his son, born 2022, Алматы district (population fixture)
KINDERGARTEN, GROUP = "ast-almaty-005", "2022-kk"
AUTH_OID = "1.3.6.1.5.5.7.3.2"


@pytest.fixture(scope="module", params=CROSSING_HOLIDAYS, ids=lambda start: start.date().isoformat())
def stack(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[StackProcess]:
    running = start_stack(tmp_path_factory.mktemp("directions-clock"), clock_start=request.param)
    try:
        yield running
    finally:
        running.stop()


def told(stack: StackProcess, address: str, words: str, seconds: float = 60) -> bool:
    """Whether a message to ``address`` mentions ``words`` (a job of the change: sent once the PDFs it
    attaches are rendered, within seconds on an idle machine)."""
    until = time.monotonic() + seconds
    while True:
        _, outbox = call("GET", f"{stack.api}/local/outbox?to={urllib.parse.quote(address)}")
        if any(words in json.dumps(m, ensure_ascii=False) for m in outbox["messages"]):
            return True
        if time.monotonic() > until:
            return False
        time.sleep(0.3)


def call(method: str, url: str, body: Any = None, headers: dict[str, str] | None = None) -> tuple[int, Any]:
    request = urllib.request.Request(
        url,
        data=None if body is None else json.dumps(body).encode(),
        method=method,
        headers={"Content-Type": "application/json", **(headers or {})},
    )
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, json.loads(response.read() or b"null")
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"null")


def ncalayer_sign(stack: StackProcess, xml: str, *, auth: bool) -> str:
    """What the page's ncalayer-js-client sends: the AUTH key for sign-in, the signing key otherwise."""
    return sign_with_ncalayer(stack.ncalayer, xml, iin=ERLAN, oids=[AUTH_OID] if auth else [])


class Parent:
    def __init__(self, stack: StackProcess) -> None:
        self.stack = stack
        self.token = ""
        self.sign_in()

    def sign_in(self) -> None:
        _, challenge = call("POST", f"{self.stack.api}/auth/challenge", {"audience": "parent"})
        signed = ncalayer_sign(self.stack, challenge["xml"], auth=True)
        status, body = call("POST", f"{self.stack.api}/auth/sign-in", {"signed_xml": signed})
        assert status == 200, body
        self.token = body["token"]
        if body["needs_contacts"]:
            assert self.call("PUT", "/me/contacts", {"email": "erlan@mail.kz", "phone": "+77051234567"})[0] == 200

    def call(self, method: str, path: str, body: Any = None) -> tuple[int, Any]:
        status, answer = call(method, f"{self.stack.api}{path}", body, {"Authorization": f"Bearer {self.token}"})
        if status == 401:  # the session ended while the clock moved on
            self.sign_in()
            status, answer = call(method, f"{self.stack.api}{path}", body, {"Authorization": f"Bearer {self.token}"})
        return status, answer


def now(stack: StackProcess) -> datetime:
    status, clock = call("GET", f"{stack.api}/local/clock")
    assert status == 200, clock
    return datetime.fromisoformat(clock["now"])


def move_to(stack: StackProcess, instant: datetime) -> None:
    """Move the clock to ``instant`` (if it is still ahead) and run the timers."""
    if instant > now(stack):
        status, moved = call("POST", f"{stack.api}/local/clock", {"to": instant.isoformat()})
        assert status == 200, moved
    status, runs = call("POST", f"{stack.api}/local/timers/run")
    assert status == 200 and runs["ok"], runs


def move_past(stack: StackProcess, stated: str) -> None:
    """Move the clock just past an instant the service stated (a deadline, the stop-list's end)."""
    move_to(stack, datetime.fromisoformat(stated) + timedelta(minutes=5))


def publish_seat(stack: StackProcess, key: str) -> None:
    partner_keys = json.loads((stack.state_dir / "ready.json").read_text(encoding="utf-8"))["partner_keys"]
    status, body = call(
        "POST",
        f"{stack.api}/partner/vacancies",
        {"group_id": GROUP, "seats": 1},
        {"Authorization": f"Bearer {partner_keys[KINDERGARTEN]}", "Idempotency-Key": key},
    )
    assert status in (200, 201), body


def test_a_missed_direction_puts_the_child_on_the_stop_list_and_the_second_removes_it(stack: StackProcess):
    # given the child in the queue for № 5, filed and signed through NCALayer
    parent = Parent(stack)
    draft = {
        "applicant": {
            "address": {"city": "Астана", "district": "Алматы ауданы", "street": "Тәуелсіздік", "house": "34"},
            "email": "erlan@mail.kz",
            "phone": "+77051234567",
        },
        "child": {"iin": ALDIYAR},
        "region": "astana",
        "district": "almaty",
        "kindergartens": [KINDERGARTEN],
        "language": "kk",
    }
    status, drafted = parent.call("POST", "/applications/draft", draft)
    assert status == 200, drafted
    status, application = parent.call(
        "POST", "/applications", {"signed_xml": ncalayer_sign(stack, drafted["xml"], auth=False)}
    )
    assert status == 201, application
    app_id = urllib.parse.quote(application["id"])

    # when the kindergarten's portal publishes a seat in the child's group
    publish_seat(stack, "e2e-clock-seat-1")
    # then the child holds a direction, and the parent was told
    _, directions = parent.call("GET", f"/applications/{app_id}/directions")
    [first] = directions["items"]
    assert first["status"] == "issued"
    assert told(stack, "erlan@mail.kz", first["number"])

    # when nobody brings the child within the 5 working days: still issued an hour before the deadline
    deadline = datetime.fromisoformat(first["deadline"])
    assert deadline - datetime.fromisoformat(first["issued_at"]) >= timedelta(days=5), first
    move_to(stack, deadline - timedelta(hours=1))
    _, directions = parent.call("GET", f"/applications/{app_id}/directions")
    assert [d["status"] for d in directions["items"]] == ["issued"]
    move_past(stack, first["deadline"])
    # then the direction is cancelled and the child is on the stop-list, still in the queue
    _, directions = parent.call("GET", f"/applications/{app_id}/directions")
    assert [d["status"] for d in directions["items"]] == ["expired"]
    _, view = parent.call("GET", f"/applications/{app_id}")
    assert view["status"] == "active" and view["stop_list_until"] and view["missed_directions"] == 1

    # when the stop-list ends (10 working days) and the allocation runs again
    move_past(stack, view["stop_list_until"])
    move_to(stack, now(stack) + timedelta(hours=1))
    # then the freed seat is offered to the child again
    _, directions = parent.call("GET", f"/applications/{app_id}/directions")
    statuses = sorted(d["status"] for d in directions["items"])
    assert statuses == ["expired", "issued"], directions
    [second] = [d for d in directions["items"] if d["status"] == "issued"]

    # when the second direction lapses too
    move_past(stack, second["deadline"])
    # then the child leaves the queue
    _, view = parent.call("GET", f"/applications/{app_id}")
    assert view["status"] == "removed", view
    assert view["queue_number"] is None
