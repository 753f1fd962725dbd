"""Retry policies, the job-kind registry, the webhook event catalogue and the endpoint address rules."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from chalicelib.domain.errors import InvalidInput
from chalicelib.domain.webhooks import EVENTS, check_address, check_url, event_of, with_catalogue
from chalicelib.jobs.registry import KINDS, WEBHOOKS, job_for

ROOT = Path(__file__).resolve().parents[3]


def test_the_webhook_schedule_retries_for_more_than_three_days():
    total = sum(WEBHOOKS.delays, timedelta())
    assert timedelta(days=3) < total < timedelta(days=4)
    assert WEBHOOKS.delays[:5] == (
        timedelta(seconds=5),
        timedelta(minutes=5),
        timedelta(minutes=30),
        timedelta(hours=2),
        timedelta(hours=5),
    )
    assert WEBHOOKS.next_delay(WEBHOOKS.attempts) is None  # the last attempt parks the job


@given(st.sampled_from(sorted(KINDS)), st.integers(min_value=1, max_value=40), st.integers(0, 2**32))
def test_every_delay_stays_within_its_jitter_and_ends(kind: str, attempt: int, seed: int):
    policy = KINDS[kind].retry
    delay = policy.next_delay(attempt, random.Random(seed))
    if attempt > len(policy.delays):
        assert delay is None
        return
    base = policy.delays[attempt - 1].total_seconds()
    assert delay is not None
    assert max(0.5, base * (1 - policy.jitter)) - 1e-6 <= delay.total_seconds() <= base * (1 + policy.jitter) + 1e-6


def test_a_job_id_is_its_kind_and_key_and_an_unknown_kind_is_refused():
    now = datetime(2026, 1, 15, tzinfo=UTC)
    assert job_for("message.sms", "application#1#registered", {}, now=now).id == "message.sms:application#1#registered"
    with pytest.raises(ValueError):
        job_for("message.pigeon", "x", {}, now=now)


def test_the_guide_carries_the_schemas_of_the_models():
    guide = (ROOT / "docs" / "partners.md").read_text(encoding="utf-8")
    assert with_catalogue(guide) == guide, "run: python -m chalicelib.domain.webhooks docs/partners.md"
    for kind in EVENTS:
        assert f"### `{kind}`" in guide


def test_a_departure_is_told_apart_from_a_revocation():
    at = datetime(2026, 1, 15, tzinfo=UTC)
    details = {"number": "Ж.2026.000001", "application_id": "УО.2026.000001.1"}
    revoked = event_of("direction.revoked", at, None, "issued", "revoked", details)
    left = event_of("direction.revoked", at, "child_left_queue", "issued", "revoked", details)
    assert revoked is not None and revoked.type == "direction.revoked"
    assert left is not None and left.type == "direction.child_left"
    assert event_of("application.registered", at, None, None, "active", {}) is None


@pytest.mark.parametrize(
    "address",
    [
        "10.0.0.1",
        "172.16.5.4",
        "192.168.1.1",
        "127.0.0.1",
        "169.254.169.254",
        "::1",
        "fe80::1",
        "fd00:ec2::254",
        "0.0.0.0",
        "::ffff:10.0.0.1",
        "100.64.0.1",
    ],
)
def test_internal_addresses_are_refused(address: str):
    with pytest.raises(InvalidInput):
        check_address(address, loopback_allowed=False)


def test_a_public_address_passes_and_loopback_only_where_allowed():
    check_address("93.184.216.34", loopback_allowed=False)
    check_address("127.0.0.1", loopback_allowed=True)
    with pytest.raises(InvalidInput):
        check_address("10.0.0.1", loopback_allowed=True)


@pytest.mark.parametrize(
    "url", ["http://portal.kz/h", "http://127.0.0.1:9/h", "gopher://portal.kz/", "https://a:b@portal.kz/"]
)
def test_urls_outside_the_rules_are_refused(url: str):
    with pytest.raises(InvalidInput):
        check_url(url, loopback_allowed=False)


def test_plain_http_to_loopback_is_for_the_local_stack():
    assert check_url("http://127.0.0.1:8090/hooks/x", loopback_allowed=True) == ("http", "127.0.0.1", 8090)
