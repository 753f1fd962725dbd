"""Hostile inputs: requests an attacker or a careless client sends, against the app in-process on moto.

Every JSON route gets nested-50 000-deep JSON, control characters, malformed and wrongly typed
bodies, other content types; every secured route gets forged tokens with odd claims; unknown
routes; then the bounded Schemathesis run of ``docs/openapi.yaml`` (as in the test suite, with
more examples). The figure is the number of 5xx answers: it must be 0.
"""

from __future__ import annotations

import json
import os
import re
import sys
from pathlib import Path
from typing import Any

import boto3
import jwt
from moto import mock_aws

Row = tuple[str, int, float, str]

FUZZ_EXAMPLES = int(os.environ.get("BENCH_FUZZ_EXAMPLES", "6"))
DEEP = "[" * 50_000 + "]" * 50_000
BODIES: list[bytes] = [
    DEEP.encode(),
    ('{"a":' * 50_000 + "1" + "}" * 50_000).encode(),
    b"not json",
    b"\xff\xfe\xfa",
    b"[]",
    b"null",
    b'"text"',
    b'{"seats": true, "group_id": 2, "reason": "\\u0000", "signed_xml": "<a>\\u0007</a>", "email": "\\ud800"}',
    json.dumps({"applicant": {"address": {"street": "NUL\x00"}}, "title": {"kk": "\x1b", "ru": "x"}}).encode(),
    b"{" + b'"k":"v",' * 1000 + b'"k":"v"}',
]


def _routes(app: Any) -> list[tuple[str, str]]:
    found = []
    for path, methods in app.routes.items():
        if path.startswith("/local/"):
            continue
        concrete = re.sub(r"\{[^}]+\}", "x", path)
        found.extend((method, concrete) for method in methods)
    return found


def _forged_tokens(secret: str) -> list[str]:
    base = {"iss": "balabaqsha", "aud": "balabaqsha", "sub": "900512401234", "role": "parent", "iat": 1, "exp": 4e9}
    odd = [{"role": "root"}, {"exp": "never"}, {"exp": True}, {"sub": 1}, {"name": [1]}, {"district": {}}]
    return [jwt.encode({**base, **change}, secret, algorithm="HS256") for change in odd] + ["a.b.c", "x" * 5000]


def run() -> list[Row]:
    from chalice.test import Client

    import app as application
    from chalicelib import wiring
    from chalicelib.clock import FixedClock
    from chalicelib.settings import get_settings
    from chalicelib.store.registry import all_models, local_only_models
    from infra.local.seed import seed_contract_terms, seed_partner_keys, seed_reference
    from tests.integration.conftest import Api
    from tests.integration.hostile.test_api_fuzz import fuzz
    from tests.pki import PKI_NOW, TestCA, make_verifier, sign_xml

    demo = Path(__file__).resolve().parents[1] / "infra" / "local" / "demo" / "population.json"
    os.environ.setdefault("BQ_POPULATION_FIXTURE", str(demo))
    get_settings.cache_clear()
    settings = get_settings()
    clock = FixedClock(PKI_NOW)
    ca = TestCA(now=PKI_NOW)
    people = ca.issue_demo_people()
    tried = server_errors = 0
    saved = (wiring.clock, wiring.verifier)
    with mock_aws():
        for model in [*all_models(), *local_only_models()]:
            model.create_table(wait=False)
        boto3.client("s3", region_name=settings.aws_region).create_bucket(
            Bucket=settings.documents_bucket, CreateBucketConfiguration={"LocationConstraint": settings.aws_region}
        )
        seed_reference()
        seed_contract_terms()
        keys = seed_partner_keys()
        wiring.reset()
        wiring.clock = lambda: clock  # type: ignore[assignment]
        wiring.verifier = lambda: make_verifier(ca, clock)  # type: ignore[assignment]
        try:
            with Client(application.app) as client:
                api = Api(client=client, sign=sign_xml)
                parent = api.parent_token(people["parent"])
                operator = api.sign_in(people["operator"], audience="operator")["token"]
                partner = next(iter(keys.values()))

                def headers_for(path: str) -> dict[str, str]:
                    if path.startswith("/partner"):
                        return {"Authorization": f"Bearer {partner}", "Idempotency-Key": f"bench-{tried:08d}"}
                    if path.startswith("/operator"):
                        return {"Authorization": f"Bearer {operator}"}
                    return {"Authorization": f"Bearer {parent}"}

                def send(method: str, path: str, headers: dict[str, str], body: bytes = b"") -> None:
                    nonlocal tried, server_errors
                    answer = client.http.request(method, path, headers=headers, body=body)
                    tried += 1
                    if answer.status_code >= 500:
                        server_errors += 1
                        print(f"5xx: {method} {path} {headers.get('Content-Type')} {body[:60]!r}", file=sys.stderr)

                for method, path in _routes(application.app):
                    for content_type in ("application/json", "text/plain", "application/x-www-form-urlencoded"):
                        for body in BODIES if method in ("POST", "PUT") else [b""]:
                            send(method, path, {**headers_for(path), "Content-Type": content_type}, body)
                    for token in _forged_tokens(settings.jwt_secret.get_secret_value()):
                        send(method, path, {"Authorization": f"Bearer {token}"})
                for path in ("/partner/nothing", "/partner", "/no/such/route", "/applications/x/y/z"):
                    send("GET", path, headers_for(path))
                fuzzed, failures = fuzz(api, headers_for, examples=FUZZ_EXAMPLES)
                tried += fuzzed
                server_errors += sum(" → 5" in failure for failure in failures)
                for failure in failures:
                    print(f"fuzz: {failure[:300]}", file=sys.stderr)
        finally:
            wiring.clock, wiring.verifier = saved  # type: ignore[assignment]
            wiring.reset()
    return [("hostile inputs", tried, server_errors, "5xx answers")]
