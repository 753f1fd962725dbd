"""Integration fixtures: in-process moto with every table and bucket, and the API through chalice.test."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import boto3
import pytest
from chalice.test import Client
from moto import mock_aws

from bench.moto_tuning import plain_dynamodb_answers
from chalicelib import wiring
from chalicelib.clock import FixedClock
from chalicelib.settings import get_settings
from chalicelib.store.registry import all_models, local_only_models
from tests.integration.filing import Filing
from tests.pki import PKI_NOW


@pytest.fixture
def aws() -> Iterator[None]:
    """A fresh in-process AWS: every table of the service and the documents bucket.

    DynamoDB's answers are sent as the plain JSON moto keeps its items in, not through moto's
    shape-driven serialiser (``bench.moto_tuning.plain_dynamodb_answers``): the same answers
    for about a tenth less processor time of the suite.
    """
    with mock_aws(), plain_dynamodb_answers():
        for model in [*all_models(), *local_only_models()]:
            model.create_table(wait=False)
        settings = get_settings()
        boto3.client("s3", region_name=settings.aws_region).create_bucket(
            Bucket=settings.documents_bucket,
            CreateBucketConfiguration={"LocationConstraint": settings.aws_region},
        )
        yield


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(PKI_NOW)


@pytest.fixture
def seeded(aws: None) -> None:
    """The demo reference data (regions, districts, kindergartens, benefits, operators)."""
    from infra.local.seed import seed_reference

    seed_reference()


@dataclass
class Api:
    """The API as a client sees it, with helpers that sign in through the EDS."""

    client: Client
    sign: Callable[..., bytes]
    # after each request, run the jobs it wrote, as the stream (the local poller) does within a
    # second; a test that looks at what is there before the worker ran switches it off
    jobs_after_requests: bool = True

    def call(self, method: str, path: str, body: Any = None, token: str | None = None) -> tuple[int, Any]:
        headers = {"Content-Type": "application/json"}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        payload = None if body is None else json.dumps(body, ensure_ascii=False)
        response = getattr(self.client.http, method.lower())(path, headers=headers, body=payload)
        self.after_request()
        text = response.body.decode() if response.body else ""
        try:
            data = json.loads(text) if text else None
        except ValueError:
            data = text
        return response.status_code, data

    def after_request(self) -> None:
        if self.jobs_after_requests:
            self.run_jobs()

    def run_jobs(self) -> Any:
        """What the jobs table's stream (the local poller) does after a request: run every job due
        now, and the short waits between them (the clock of a test stands still)."""
        from datetime import timedelta

        return wiring.job_worker().drain(lookahead=timedelta(minutes=1))

    def sign_in(self, person: Any, *, audience: str = "parent", key: str = "auth") -> dict[str, Any]:
        status, challenge = self.call("POST", "/auth/challenge", {"audience": audience})
        assert status == 201, challenge
        signed = self.sign(challenge["xml"], getattr(person, key))
        status, body = self.call("POST", "/auth/sign-in", {"signed_xml": signed.decode()})
        assert status == 200, body
        return body

    def decide_benefit(
        self, token: str, application_id: str, signer: Any, *, approve: bool = True, reason: str | None = None
    ) -> tuple[int, Any]:
        """An operator's benefit decision as the page makes it: the statement, signed with ``signer``'s
        signing key, sent to approve or refuse."""
        from urllib.parse import quote

        path = f"/operator/benefit-checks/{quote(application_id, safe='')}"
        status, body = self.call("POST", f"{path}/decision-document", {"approve": approve, "reason": reason}, token)
        if status != 200:
            return status, body
        signed = self.sign(body["xml"], signer.sign).decode()
        return self.call("POST", f"{path}/{'approve' if approve else 'refuse'}", {"signed_xml": signed}, token)

    def parent_token(self, person: Any) -> str:
        """Signed in, with contacts given: ready for every parent route."""
        body = self.sign_in(person)
        if body["needs_contacts"]:
            status, saved = self.call(
                "PUT", "/me/contacts", {"email": "parent@mail.kz", "phone": "+77011234567"}, body["token"]
            )
            assert status == 200, saved
        return body["token"]


@pytest.fixture
def api(
    aws: None, clock: FixedClock, pki_verifier_for: Any, pki_sign: Any, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Api]:
    """The Chalice app over chalice.test, its clock fixed and its verifier trusting the test CA."""
    import app as application

    wiring.reset()
    monkeypatch.setattr(wiring, "clock", lambda: clock)
    monkeypatch.setattr(wiring, "verifier", lambda: pki_verifier_for(clock))
    with Client(application.app) as client:
        yield Api(client=client, sign=pki_sign)
    wiring.reset()


@pytest.fixture
def filing(api: Api, seeded: None, pki_people: Any) -> Filing:
    """The demo parent, signed in with contacts given, ready to file."""
    return Filing(api, pki_people["parent"])
