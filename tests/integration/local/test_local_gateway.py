"""The local API server's own refusals (what API Gateway answers in AWS) and its request-line log.

A small Chalice app with the project's middleware runs on the local stack's HTTP server in this
process: an unknown route, an oversize header, a broken request line and an unsupported content
type are each the project's JSON error in Kazakh and Russian; the log masks IINs and e-mails.
"""

from __future__ import annotations

import http.client
import json
from collections.abc import Iterator
from typing import Any

import pytest
from chalice import Chalice
from chalice.config import Config

from chalicelib.api.responses import in_project_words
from infra.local.servers import attach_app, bind, port_of, serve_in_thread


@pytest.fixture
def server() -> Iterator[Any]:
    app = Chalice(app_name="gateway-test")
    app.register_middleware(in_project_words, "http")

    @app.route("/partner/vacancies", methods=["POST"])
    def publish() -> dict[str, Any]:
        return {"ok": True}

    @app.route("/applications/{application_id}", methods=["GET"])
    def application(application_id: str) -> dict[str, Any]:
        return {"id": application_id}

    served = bind("127.0.0.1", 0)
    attach_app(served, app, Config(), verbose=True)
    serve_in_thread(served, "gateway-test")
    yield served
    served.shutdown()
    served.server_close()


def ask(
    server: Any, method: str, path: str, headers: dict[str, str] | None = None, body: bytes | None = None
) -> tuple[int, Any]:
    connection = http.client.HTTPConnection("127.0.0.1", port_of(server), timeout=10)
    try:
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        data = response.read()
        assert response.getheader("Content-Type", "").startswith("application/json"), data
        return response.status, json.loads(data)
    finally:
        connection.close()


def refusal(body: Any) -> str:
    messages = body["error"]["messages"]
    assert messages["kk"] and messages["ru"] and messages["kk"] != messages["ru"], body
    return str(body["error"]["code"])


@pytest.mark.parametrize("path", ["/partner/nothing-here", "/partner", "/no/such/route"])
def test_an_unknown_route_is_the_projects_404_not_an_aws_signature_message(server, path):
    status, body = ask(server, "GET", path, {"Authorization": "Bearer bqk_x.y"})
    assert status == 404
    assert refusal(body) == "request.unknown_route"


def test_an_oversize_header_is_the_projects_431(server):
    status, body = ask(server, "GET", "/applications/1", {"X-Big": "a" * 70_000})
    assert status == 431
    assert refusal(body) == "request.headers_too_large"


def test_an_unsupported_content_type_is_the_projects_415(server):
    status, body = ask(server, "POST", "/partner/vacancies", {"Content-Type": "text/plain"}, b"seats=1")
    assert status == 415
    assert refusal(body) == "request.unsupported_media_type"


def test_an_unknown_method_is_refused_in_json(server):
    status, body = ask(server, "BREW", "/applications/1")
    assert status == 501
    assert refusal(body) == "request.not_implemented"


def test_the_request_line_log_masks_iins_and_e_mails(server, capsys):
    status, _ = ask(server, "GET", "/applications/900512401234?email=aigul%40mail.kz&phone=%2B77011234567")
    assert status == 200
    logged = capsys.readouterr().err
    assert "/applications/" in logged
    assert "900512401234" not in logged and "aigul" not in logged and "7011234567" not in logged
    assert "************" in logged and "***@***" in logged
