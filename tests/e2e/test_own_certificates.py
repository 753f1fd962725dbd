"""A partner tests with their own certificates and people: the local stack's trust and population options.

A second certification authority — not the stack's own — issues keys to a person who is not a demo
identity; the stack is started with ``--trust-root``, ``--intermediate``, ``--crl-url`` (its CRL served
here over HTTP, as a partner's would be) and ``--population`` (the person and their child). The person
signs in with their own AUTH key and finds their child in the application form; a key from a third,
untrusted authority is refused.
"""

from __future__ import annotations

import http.server
import json
import threading
import urllib.error
import urllib.request
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from chalicelib.eds.model import KeyPurpose
from infra.local.harness import StackProcess, start_stack
from infra.local.signing import sign_xml
from infra.local.testca import Credential, TestCA, iin_check_digit
from tests.e2e.clock import START

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("own-certificates")]


def iin(first_eleven: str) -> str:
    return first_eleven + str(iin_check_digit(first_eleven))


PARENT = iin("88070740123")  # born 7 July 1988, a woman
CHILD = iin("23011550123")  # born 15 January 2023, a boy
ADDRESS = {"city": "Астана", "district": "Есіл ауданы", "street": "Сарайшық көшесі", "house": "7", "flat": "21"}


class CrlServer(http.server.ThreadingHTTPServer):
    crl = b""


class CrlHandler(http.server.BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        body = self.server.crl  # type: ignore[attr-defined]
        self.send_response(200)
        self.send_header("Content-Type", "application/pkix-crl")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture(scope="module")
def partner_ca() -> Iterator[tuple[TestCA, str]]:
    server = CrlServer(("127.0.0.1", 0), CrlHandler)
    url = f"http://127.0.0.1:{server.server_address[1]}/partner.crl"
    ca = TestCA(crl_url=url, seed="partner-own-test-ca")
    server.crl = ca.publish(this_update=START - timedelta(days=1), next_update=START + timedelta(days=400))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield ca, url
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="module")
def stack(partner_ca: tuple[TestCA, str], tmp_path_factory: pytest.TempPathFactory) -> Iterator[StackProcess]:
    ca, crl_url = partner_ca
    mine = tmp_path_factory.mktemp("partner-files")
    (mine / "root.pem").write_bytes(ca.root_pem())
    (mine / "issuing.pem").write_bytes(ca.issuing_pem())
    people = {
        "people": [
            {
                "iin": PARENT,
                "surname": "Серікова",
                "given_name": "Аяна",
                "patronymic": "Бекқызы",
                "address": ADDRESS,
                "parents": [],
            },
            {
                "iin": CHILD,
                "surname": "Сериков",
                "given_name": "Алан",
                "patronymic": None,
                "address": ADDRESS,
                "parents": [PARENT],
            },
        ]
    }
    (mine / "people.json").write_text(json.dumps(people, ensure_ascii=False), encoding="utf-8")
    options = (
        *("--trust-root", str(mine / "root.pem"), "--intermediate", str(mine / "issuing.pem")),
        *("--crl-url", crl_url, "--population", str(mine / "people.json")),
    )
    running = start_stack(tmp_path_factory.mktemp("own-certificates"), clock_start=START, extra_args=options)
    try:
        yield running
    finally:
        running.stop()


def call(method: str, url: str, body: Any = None, token: str | None = None) -> tuple[int, Any]:
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(url, data=data, method=method, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, json.loads(response.read() or b"null")
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"null")


def sign_in(stack: StackProcess, key: Credential) -> tuple[int, Any]:
    _, challenge = call("POST", f"{stack.api}/auth/challenge", {"audience": "parent"})
    signed = sign_xml(challenge["xml"], key).decode()
    return call("POST", f"{stack.api}/auth/sign-in", {"signed_xml": signed})


def auth_key(ca: TestCA) -> Credential:
    return ca.issue_individual(
        iin=PARENT, surname="Серікова", given_name="Аяна", patronymic="Бекқызы", purpose=KeyPurpose.AUTH
    )


def test_a_person_of_a_partners_own_ca_signs_in_and_finds_their_child(
    stack: StackProcess, partner_ca: tuple[TestCA, str]
):
    # given the stack started with the partner's root, intermediate, CRL and people
    ca, _ = partner_ca
    # when the partner's person signs in with the AUTH key their own CA issued
    status, session = sign_in(stack, auth_key(ca))
    # then they are in, by the name in their certificate
    assert status == 200, session
    assert session["person"]["iin"] == PARENT
    # and the application form offers their child from the merged population registry
    status, prefill = call("GET", f"{stack.api}/applications/prefill", token=session["token"])
    assert status == 200, prefill
    assert CHILD in json.dumps(prefill), prefill


def test_a_key_of_an_untrusted_ca_is_still_refused(stack: StackProcess):
    # given a third authority nobody named
    stranger = TestCA(crl_url="http://127.0.0.1:9/none.crl", seed="nobody-trusts-this-ca")
    # when its key signs in
    status, refused = sign_in(stack, auth_key(stranger))
    # then the chain check refuses it
    assert status == 422, refused
    assert refused["error"]["code"] == "eds.chain.untrusted", refused


def test_a_wrong_population_file_stops_the_start_naming_the_person(tmp_path: Path):
    from infra.local.population import PopulationFileError, merge_population_files

    broken = tmp_path / "broken.json"
    broken.write_text(
        json.dumps({"people": [{"iin": "880707401230", "surname": "X", "given_name": "Y", "address": ADDRESS}]}),
        encoding="utf-8",
    )
    with pytest.raises(PopulationFileError, match="880707401230"):
        merge_population_files([broken])
