"""The API description is the contract: a bounded Schemathesis run over every operation of
``docs/openapi.yaml`` against the app, as a parent, a kindergarten's portal or an operator calls it.

Every answer must be no server error and a status the description documents for that operation.
A few examples per operation (derandomised: the same cases every run) keep it to seconds.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import requests
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from requests.adapters import BaseAdapter
from requests.structures import CaseInsensitiveDict
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import FailureGroup
from schemathesis.specs.openapi.checks import status_code_conformance

from tests.integration.directions.conftest import Portal
from tests.integration.filing import Filing

ROOT = Path(__file__).resolve().parents[3]
EXAMPLES_PER_OPERATION = 3
BASE = "http://balabaqsha.test"


class ChaliceAdapter(BaseAdapter):
    """``requests`` calls answered by the Chalice app in this process (chalice.test's local gateway)."""

    def __init__(self, client: Any) -> None:
        super().__init__()
        self.client = client

    def send(self, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:
        url = urlsplit(request.url or "")
        body = request.body or b""
        answer = self.client.http.request(
            method=request.method or "GET",
            path=url.path + (f"?{url.query}" if url.query else ""),
            headers={k: str(v) for k, v in request.headers.items()},
            body=body.encode() if isinstance(body, str) else body,
        )
        response = requests.Response()
        response.status_code = answer.status_code
        response.headers = CaseInsensitiveDict(answer.headers)
        response._content = answer.body or b""
        response.request = request
        response.url = request.url or ""
        response.reason = ""
        return response

    def close(self) -> None:
        pass


def runner(check: Any, operation: Any) -> Any:
    def run(case: Any) -> None:
        check(operation, case)

    return run


def fuzz(api: Any, headers_for: Any, examples: int = EXAMPLES_PER_OPERATION) -> tuple[int, list[str]]:
    """(cases tried, failures) of a bounded run over every described operation."""
    schema = schemathesis.openapi.from_path(ROOT / "docs" / "openapi.yaml")
    session = requests.Session()
    session.mount(BASE, ChaliceAdapter(api.client))
    tried = 0
    failures: list[str] = []

    def check(operation: Any, case: Any) -> None:
        nonlocal tried
        response = case.call(base_url=BASE, session=session, headers=headers_for(operation.path))
        tried += 1
        try:
            case.validate_response(response, checks=[not_a_server_error, status_code_conformance])
        except (FailureGroup, AssertionError) as failure:  # every failed check is collected
            failures.append(f"{operation.method.upper()} {operation.path} → {response.status_code}: {failure}"[:300])

    for result in schema.get_all_operations():
        operation = result.ok()
        run = settings(
            max_examples=examples,
            deadline=None,
            database=None,
            derandomize=True,
            phases=[Phase.explicit, Phase.generate],
            suppress_health_check=list(HealthCheck),
        )(given(case=operation.as_strategy())(runner(check, operation)))
        run()
    return tried, failures


def test_every_answer_is_documented_and_none_is_a_server_error(
    api: Any, filing: Filing, balapan: Portal, terms: None, pki_people: Any
) -> None:
    operator = api.sign_in(pki_people["operator"], audience="operator")["token"]

    def headers_for(path: str) -> dict[str, str]:
        if path.startswith("/partner/"):
            return {"Authorization": f"Bearer {balapan.key}", "Idempotency-Key": f"fuzz-{time.monotonic_ns()}"}
        if path.startswith("/operator/"):
            return {"Authorization": f"Bearer {operator}"}
        return {"Authorization": f"Bearer {filing.token}"}

    tried, failures = fuzz(api, headers_for)
    assert tried > 100
    assert failures == [], "\n".join(failures[:40]) + f"\n({len(failures)} of {tried} cases)"
