"""The local stack over HTTP and websockets: API, local routes, web server, NCALayer stand-in."""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from websockets.sync.client import connect

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("local-stack")]

AUTH_PERSON = ["1.3.6.1.5.5.7.3.2", "1.2.398.3.3.4.1.1"]
SIGN_PERSON = ["1.3.6.1.5.5.7.3.4", "1.2.398.3.3.4.1.1"]


def _call(method: str, url: str, body: Any = None, headers: dict[str, str] | None = None) -> tuple[int, Any]:
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, method=method, headers=headers or {})
    if data is not None:
        request.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            raw, status = response.read(), response.status
    except urllib.error.HTTPError as error:
        raw, status = error.read(), error.code
    try:
        return status, json.loads(raw)
    except ValueError:
        return status, raw.decode("utf-8", "replace")


def _sign_with_ncalayer(stack, xml: str, oids: list[str], **signer: str) -> dict[str, Any]:
    """What the page's ncalayer-js-client does: connect, probe, basicsSignXML."""
    with connect(stack.ncalayer, open_timeout=10) as socket:
        greeting = json.loads(socket.recv(timeout=10))
        assert greeting["result"]["version"]
        socket.send(json.dumps({"module": "kz.digiflow.mobile.extensions", "method": "getVersion"}))
        assert "status" not in json.loads(socket.recv(timeout=10))
        socket.send(
            json.dumps(
                {
                    "module": "kz.gov.pki.knca.basics",
                    "method": "sign",
                    "args": {
                        "allowedStorages": None,
                        "format": "xml",
                        "data": xml,
                        "signingParams": {},
                        "signerParams": {"extKeyUsageOids": oids, "chain": [], **signer},
                        "locale": "kk",
                    },
                }
            )
        )
        return json.loads(socket.recv(timeout=30))


def test_the_api_answers(local_stack):
    # when
    status, body = _call("GET", f"{local_stack.api}/health")

    # then
    assert (status, body["status"]) == (200, "ok")


def test_a_parent_signs_in_with_the_auth_key_the_local_ncalayer_holds(local_stack):
    # given
    parent = local_stack.identity("parent")
    _call("POST", f"{local_stack.ncalayer_control}?iin={parent['iin']}&key=auto&mode=sign")
    status, challenge = _call("POST", f"{local_stack.api}/auth/challenge", {"audience": "parent"})
    assert status == 201, challenge

    # when
    answer = _sign_with_ncalayer(local_stack, challenge["xml"], AUTH_PERSON)
    [signed] = answer["body"]["result"]
    status, signed_in = _call("POST", f"{local_stack.api}/auth/sign-in", {"signed_xml": signed})

    # then
    assert answer["status"] is True
    assert status == 200, signed_in
    assert signed_in["person"]["iin"] == parent["iin"]
    assert signed_in["token"]


def test_a_document_signed_with_the_signing_key_passes_the_services_verifier(local_stack, monkeypatch):
    # given: the verifier the API builds, configured as the stack configures it
    from chalicelib.clock import SystemClock
    from chalicelib.eds.model import KeyPurpose
    from chalicelib.eds.verify import default_verifier
    from chalicelib.settings import Settings

    ca = Path(local_stack.state_dir) / "ca"
    for name, value in {
        "AWS_ENDPOINT_URL": local_stack.moto,
        "AWS_ACCESS_KEY_ID": "local",
        "AWS_SECRET_ACCESS_KEY": "local",
        "AWS_DEFAULT_REGION": "eu-central-1",
    }.items():
        monkeypatch.setenv(name, value)
    settings = Settings(
        stage="local",
        trusted_roots=[str(ca / "trusted_roots.pem")],
        intermediates=[str(ca / "intermediates.pem")],
        crl_urls=[local_stack.urls["crl"]],
        documents_bucket="balabaqsha-local-documents",
    )
    parent = local_stack.identities[1]
    document = "<application><child>Әлихан</child><kindergarten>ast-esil-012</kindergarten></application>"

    # when
    answer = _sign_with_ncalayer(local_stack, document, SIGN_PERSON, iin=parent["iin"])
    [signed] = answer["body"]["result"]
    verified = default_verifier(SystemClock(), settings=settings).verify(
        signed, purpose=KeyPurpose.SIGN, expected_iin=parent["iin"]
    )

    # then
    assert verified.signer.iin == parent["iin"]
    assert verified.signer.certificate_serial == parent["sign_certificate_serial"]
    assert verified.signed_root.findtext("child") == "Әлихан"


def test_the_local_ncalayer_answers_as_cancelled_when_told_to(local_stack):
    # given
    _call("POST", f"{local_stack.ncalayer_control}?mode=cancel")

    # when
    try:
        answer = _sign_with_ncalayer(local_stack, "<a/>", SIGN_PERSON)
    finally:
        _call("POST", f"{local_stack.ncalayer_control}?mode=sign")

    # then
    assert answer == {"status": True, "body": {}}


def test_the_clock_moves_forward_for_every_caller(local_stack):
    # given
    status, before = _call("GET", f"{local_stack.api}/local/clock")
    assert status == 200

    # when
    status, moved = _call("POST", f"{local_stack.api}/local/clock", {"advance": "PT2M"})
    status_back, refused = _call("POST", f"{local_stack.api}/local/clock", {"advance": "-PT1M"})

    # then
    assert status == 200
    assert moved["offset_seconds"] - before["offset_seconds"] == pytest.approx(120)
    assert datetime.fromisoformat(moved["now"]) - datetime.fromisoformat(before["now"]) >= timedelta(minutes=2)
    assert (status_back, refused["error"]["code"]) == (422, "local.clock.backwards")


def test_the_outbox_and_the_timers_answer(local_stack):
    # when
    outbox_status, outbox = _call("GET", f"{local_stack.api}/local/outbox?to=nobody%40example.kz")
    timers_status, timers = _call("POST", f"{local_stack.api}/local/timers/run")

    # then
    assert (outbox_status, outbox["messages"]) == (200, [])
    assert timers_status == 200
    assert all(run["ok"] for run in timers["runs"]), timers


def test_the_web_server_serves_the_page_and_its_config(local_stack):
    # when
    page_status, page = _call("GET", f"{local_stack.web}/")
    config_status, config = _call("GET", f"{local_stack.web}/config.js")

    # then
    assert page_status == 200 and "<html" in page.lower()
    assert config_status == 200
    assert f'"apiBase": "{local_stack.api}"' in config
    assert f'"ncalayerUrl": "{local_stack.ncalayer}"' in config


def test_the_api_allows_the_page_s_origin(local_stack):
    # given
    origin = local_stack.web

    # when
    request = urllib.request.Request(
        f"{local_stack.api}/auth/challenge",
        method="OPTIONS",
        headers={
            "Origin": origin,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type,authorization",
        },
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        preflight = response.status, dict(response.headers)
    status, _ = _call("GET", f"{local_stack.api}/health", headers={"Origin": origin})

    # then
    assert preflight[0] == 204
    assert preflight[1]["Access-Control-Allow-Origin"] == origin
    assert "authorization" in preflight[1]["Access-Control-Allow-Headers"].lower()
    assert status == 200


def test_a_kindergartens_event_reaches_the_sample_receiver_signed_and_verified(local_stack):
    # given the demo kindergarten № 12, registered at start to the sample receiver
    described = json.loads((local_stack.state_dir / "ready.json").read_text(encoding="utf-8"))
    key = described["partner_keys"]["ast-esil-012"]
    assert described["webhook_endpoints"]["ast-esil-012"].startswith(local_stack.urls["receiver"])
    # when its portal publishes a seat over HTTP
    status, body = _call(
        "POST",
        f"{local_stack.api}/partner/vacancies",
        {"group_id": "2021-ru", "seats": 1},
        {"Authorization": f"Bearer {key}", "Idempotency-Key": "e2e-webhook-0001"},
    )
    assert status in (200, 201), body
    # then the receiver got the event, its signature verified with standardwebhooks, within seconds
    deadline = time.monotonic() + 30
    found: list[dict[str, Any]] = []
    while time.monotonic() < deadline and not found:
        _, received = _call("GET", f"{local_stack.urls['receiver']}/received")
        found = [
            r
            for r in received["items"]
            if r["kindergarten_id"] == "ast-esil-012" and r["type"] == "vacancy.published"
        ]
        time.sleep(0.5)
    assert found and found[0]["data"]["group_id"] == "2021-ru"
    assert received["refused"] == 0
