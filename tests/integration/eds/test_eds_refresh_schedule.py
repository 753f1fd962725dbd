"""The scheduled function keeps the configured CRLs fresh in S3, and fails loudly when the CA is down."""

from __future__ import annotations

import json

import pytest
from chalice import Chalice
from chalice.test import Client

from chalicelib.eds.crl import cache_key, load_crl
from chalicelib.functions import pki
from chalicelib.settings import get_settings


@pytest.fixture
def configured(monkeypatch, revocation_server, documents_bucket):
    """Settings naming the test CA's CRL address, as the deployment's environment would."""
    revocation_server.ca.now = None  # the scheduled function runs on the wall clock
    monkeypatch.setenv("BQ_CRL_URLS", json.dumps([revocation_server.crl_url]))
    get_settings.cache_clear()
    yield documents_bucket
    get_settings.cache_clear()


@pytest.fixture
def client() -> Client:
    app = Chalice(app_name="pki-under-test")
    app.register_blueprint(pki.bp)
    with Client(app) as test_client:
        yield test_client


def test_the_refresh_is_scheduled_at_the_configured_rate():
    app = Chalice(app_name="pki-under-test")
    app.register_blueprint(pki.bp)

    (source,) = [s for s in app.event_sources if s.name == "refresh_revocation_data"]

    assert source.schedule_expression.to_string() == f"rate({get_settings().crl_refresh_minutes} minutes)"


def test_the_scheduled_refresh_stores_the_crl(client, configured, revocation_server):
    # when EventBridge fires the schedule
    response = client.lambda_.invoke(
        "refresh_revocation_data", client.events.generate_cw_event("Scheduled Event", "aws.events", {}, [])
    )

    # then the CRL is in S3 and the run says so
    assert response.payload["crls"][0]["outcome"] == "updated"
    stored = configured.get(cache_key(revocation_server.crl_url))
    assert load_crl(stored).issuer == revocation_server.ca.issuing.subject


def test_the_scheduled_refresh_fails_when_no_crl_can_be_fetched(client, configured, revocation_server):
    revocation_server.failing = True

    with pytest.raises(pki.RevocationRefreshFailed):
        client.lambda_.invoke(
            "refresh_revocation_data", client.events.generate_cw_event("Scheduled Event", "aws.events", {}, [])
        )
