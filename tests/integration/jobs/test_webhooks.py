"""Webhooks to kindergarten portals: registration, signed delivery, order, outages, 410, rotation, SSRF."""

from __future__ import annotations

import socket
from datetime import timedelta
from typing import Any

import pytest
from standardwebhooks.webhooks import Webhook

from chalicelib import wiring
from chalicelib.store.jobs import Job, JobState
from infra.local.receiver import ReceiverServer
from tests.integration.jobs.conftest import ESIL_12, Portal, enqueue, settle


def register(portal: Portal, receiver: ReceiverServer, kindergarten: str = ESIL_12, events: Any = None) -> dict:
    status, body, _ = portal.call(
        "POST", "/partner/webhooks", {"url": receiver.endpoint_for(kindergarten), "events": events or []}
    )
    assert status == 201, body
    assert body["secret"].startswith("whsec_")
    receiver.trust(kindergarten, body["secret"])
    return body


def control(receiver: ReceiverServer, **state: Any) -> None:
    for name, value in state.items():
        setattr(receiver.state, name, value)


def issue_directions(portal: Portal, clock, children: int = 1, seats: int = 1) -> list[str]:
    for _ in range(children):
        enqueue(at=clock.now() - timedelta(days=3))
    published = portal.publish("2022-kk", seats=seats)
    return published["allocation"]["issued"]


def test_a_portal_registers_an_endpoint_and_receives_signed_events_in_order(
    api, clock, portal: Portal, receiver: ReceiverServer
):
    # given № 12 registered its endpoint for every event
    endpoint = register(portal, receiver)
    # when a child is given a direction to it, and the kindergarten enrols the child
    [number] = issue_directions(portal, clock)
    status, _ = portal.enrol(number)
    assert status == 200
    settle(clock)
    # then the receiver verified (standardwebhooks) and got each event once, in order
    got = [(r.type, r.data.get("number")) for r in receiver.state.received]
    assert ("direction.issued", number) in got and ("direction.enrolled", number) in got
    assert got.index(("direction.issued", number)) < got.index(("direction.enrolled", number))
    assert receiver.state.refused == 0
    # and the delivery log lists every attempt
    status, log, _ = portal.call("GET", "/partner/webhooks/deliveries")
    assert status == 200
    assert {d["outcome"] for d in log["items"]} == {"delivered"}
    assert {d["type"] for d in log["items"]} >= {"direction.issued", "direction.enrolled", "vacancy.published"}
    # and a re-send carries the same webhook-id (the receiver counts it as a duplicate)
    first = log["items"][-1]
    status, again, _ = portal.call("POST", f"/partner/webhooks/deliveries/{first['delivery_id']}/resend")
    assert status == 202, again and again["webhook_id"] == first["webhook_id"]
    settle(clock, rounds=1)
    assert receiver.state.duplicates == 1
    assert endpoint["events"] == []


def test_only_subscribed_events_go_to_an_endpoint(api, clock, portal: Portal, receiver: ReceiverServer):
    register(portal, receiver, events=["direction.enrolled"])
    [number] = issue_directions(portal, clock)
    portal.enrol(number)
    settle(clock)
    assert [r.type for r in receiver.state.received] == ["direction.enrolled"]


def test_an_unknown_event_type_is_refused(portal: Portal, receiver: ReceiverServer):
    status, body, _ = portal.call(
        "POST", "/partner/webhooks", {"url": receiver.endpoint_for(ESIL_12), "events": ["direction.eaten"]}
    )
    assert status == 422 and body["error"]["code"] == "webhook.unknown_events"


@pytest.mark.parametrize(
    "url",
    [
        "http://example.kz/hooks",  # plain HTTP outside loopback
        "https://10.1.2.3/hooks",  # private
        "https://169.254.169.254/latest/meta-data",  # the metadata service
        "https://[::1]/hooks",  # loopback over HTTPS is no portal
        "https://user:pw@portal.kz/hooks",  # credentials in the URL
        "ftp://portal.kz/hooks",
    ],
)
def test_endpoints_that_lead_inside_are_refused_at_registration(portal: Portal, url: str):
    status, body, _ = portal.call("POST", "/partner/webhooks", {"url": url, "events": []})
    assert status == 422, body
    assert body["error"]["code"] == "webhook.url_refused"
    assert body["error"]["messages"]["kk"] and body["error"]["messages"]["ru"]
    assert portal.call("GET", "/partner/webhooks")[1]["items"] == []


def test_an_address_is_checked_again_when_delivering_and_is_the_one_connected_to(
    api, clock, portal: Portal, receiver: ReceiverServer, monkeypatch: pytest.MonkeyPatch
):
    # given an endpoint whose name resolved to a public address at registration
    real = socket.getaddrinfo
    answers = {"portal.example": "93.184.216.34"}

    def resolve(host: str, *args: Any, **kwargs: Any) -> Any:
        if host in answers:
            return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (answers[host], 443))]
        return real(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", resolve)
    status, body, _ = portal.call("POST", "/partner/webhooks", {"url": "https://portal.example/hooks", "events": []})
    assert status == 201, body
    # when the name later resolves to the metadata service (DNS rebinding)
    answers["portal.example"] = "169.254.169.254"
    connected: list[Any] = []

    def connect(*args: Any, **kwargs: Any) -> Any:
        connected.append(args)
        raise OSError("no connection in this test")

    monkeypatch.setattr(socket, "create_connection", connect)
    issue_directions(portal, clock)
    wiring.job_worker().drain(lookahead=timedelta(minutes=1))
    # then the delivery is refused before any connection, and logged so
    assert connected == []
    status, log, _ = portal.call("GET", "/partner/webhooks/deliveries")
    assert log["items"] and {d["outcome"] for d in log["items"]} == {"refused_address"}


def test_a_24_hour_outage_loses_nothing_and_keeps_the_order(api, clock, portal: Portal, receiver: ReceiverServer):
    # given the portal's receiver is down
    register(portal, receiver)
    control(receiver, down=True)
    numbers = issue_directions(portal, clock, children=2, seats=2)
    for number in numbers:
        assert portal.enrol(number)[0] == 200
    wiring.job_worker().drain(lookahead=timedelta(minutes=1))
    assert receiver.state.received == []
    # when a day passes (retries on the schedule meanwhile) and the receiver comes back
    for _ in range(24):
        clock.advance(timedelta(hours=1))
        wiring.job_worker().drain()
    control(receiver, down=False)
    clock.advance(timedelta(hours=10))
    settle(clock)
    # then every event arrived once, each direction's in order
    got = [(r.type, r.data.get("number")) for r in receiver.state.received]
    for number in numbers:
        mine = [t for t, n in got if n == number]
        assert mine == ["direction.issued", "direction.enrolled"], got
    assert any(t == "vacancy.published" for t, _ in got)
    assert receiver.state.duplicates == 0
    assert [j.id for j in Job.scan() if j.state != JobState.DONE] == []


def test_retry_after_is_honoured(api, clock, portal: Portal, receiver: ReceiverServer):
    register(portal, receiver)
    control(receiver, down=True, retry_after=7200)
    issue_directions(portal, clock)
    wiring.job_worker().drain(lookahead=timedelta(minutes=1))
    waiting = [j for j in Job.scan() if j.kind == "webhook.delivery" and j.state == JobState.PENDING]
    assert waiting and all(j.due >= clock.now() + timedelta(seconds=7200) for j in waiting)


def test_410_disables_the_endpoint_tells_the_operator_and_parks_the_deliveries(
    api, clock, portal: Portal, receiver: ReceiverServer, operator: str, pki_people
):
    endpoint = register(portal, receiver)
    control(receiver, gone={ESIL_12})
    issue_directions(portal, clock)
    settle(clock)
    [listed] = portal.call("GET", "/partner/webhooks")[1]["items"]
    assert listed["status"] == "disabled" and listed["disabled_reason"] == "410 Gone"
    status, disabled = api.call("GET", "/operator/webhooks/disabled", token=operator)
    assert status == 200 and [e["id"] for e in disabled["items"]] == [endpoint["id"]]
    # read from the sparse index that holds the disabled endpoints only (no scan)
    from chalicelib.store.webhooks import WebhookEndpoint

    assert [e.endpoint_id for e in WebhookEndpoint.by_disabled.query("disabled")] == [endpoint["id"]]
    status, dead = api.call("GET", "/operator/jobs/dead-letters", token=operator)
    assert status == 200 and {j["kind"] for j in dead["items"]} == {"webhook.delivery"}
    # when the portal is back and switches the endpoint on, the parked deliveries go out
    control(receiver, gone=set())
    status, enabled, _ = portal.call("POST", f"/partner/webhooks/{endpoint['id']}/enable")
    assert status == 200 and enabled["status"] == "active"
    assert list(WebhookEndpoint.by_disabled.query("disabled")) == []
    settle(clock)
    assert {r.type for r in receiver.state.received} >= {"direction.issued", "vacancy.published"}
    operator = api.sign_in(pki_people["operator"], audience="operator")["token"]  # the clock moved on
    assert api.call("GET", "/operator/jobs/dead-letters", token=operator)[1]["items"] == []


def test_a_rotated_secret_overlaps_with_the_old_one(api, clock, portal: Portal, receiver: ReceiverServer):
    endpoint = register(portal, receiver)
    old = endpoint["secret"]
    status, rotated, _ = portal.call("POST", f"/partner/webhooks/{endpoint['id']}/secret")
    assert status == 200 and rotated["secret"] != old and rotated["previous_secret_until"]
    seen: list[dict[str, str]] = []
    original = receiver.RequestHandlerClass.do_POST

    def spy(handler: Any) -> None:
        seen.append({k.lower(): v for k, v in handler.headers.items()})
        original(handler)

    receiver.RequestHandlerClass.do_POST = spy  # type: ignore[method-assign]
    try:
        issue_directions(portal, clock)
        settle(clock, rounds=1)
        # during the overlap both secrets sign: a portal still holding the old one verifies
        assert seen and all(len(h["webhook-signature"].split(" ")) == 2 for h in seen)
        # after it only the new one signs
        seen.clear()
        clock.advance(timedelta(hours=25))
        [number] = [d["number"] for d in portal.directions()]
        portal.enrol(number)
        settle(clock, rounds=1)
        assert seen and all(len(h["webhook-signature"].split(" ")) == 1 for h in seen)
    finally:
        receiver.RequestHandlerClass.do_POST = original  # type: ignore[method-assign]
    assert Webhook(rotated["secret"])  # a valid Standard Webhooks secret


def test_a_portal_sees_and_resends_only_its_own_deliveries(
    api, clock, portal: Portal, other_portal: Portal, receiver: ReceiverServer
):
    register(portal, receiver)
    issue_directions(portal, clock)
    settle(clock)
    [first, *_] = portal.call("GET", "/partner/webhooks/deliveries")[1]["items"]
    assert other_portal.call("GET", "/partner/webhooks/deliveries")[1]["items"] == []
    status, body, _ = other_portal.call("POST", f"/partner/webhooks/deliveries/{first['delivery_id']}/resend")
    assert status == 404, body
    assert other_portal.call("GET", "/partner/webhooks")[1]["items"] == []


def test_dead_letters_are_for_education_departments(api, seeded, pki_people, filing):
    status, body = api.call("GET", "/operator/jobs/dead-letters", token=filing.token)
    assert status == 403, body
