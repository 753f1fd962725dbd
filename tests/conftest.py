"""Fixtures shared by the whole suite (the PKI ones are documented in ``tests/pki.py``)."""

import os

# The environment of every test process, set before any of chalicelib is imported:
# in-process moto, never a real AWS account or the local stack's endpoint.
os.environ.update(
    {
        "BQ_STAGE": "test",
        "BQ_TABLE_PREFIX": "bq-test",
        "BQ_DOCUMENTS_BUCKET": "bq-test-documents",
        "AWS_DEFAULT_REGION": "eu-central-1",
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_SESSION_TOKEN": "testing",
        "POWERTOOLS_TRACE_DISABLED": "true",
        "POWERTOOLS_METRICS_NAMESPACE": "Balabaqsha",
    }
)
os.environ.setdefault(
    "BQ_POPULATION_FIXTURE",
    os.path.join(os.path.dirname(__file__), "..", "infra", "local", "demo", "population.json"),
)
os.environ.pop("AWS_ENDPOINT_URL", None)

from tests.pki import (  # noqa: F401 (fixtures are found by name)
    pki_ca,
    pki_crl_source,
    pki_people,
    pki_sign,
    pki_verifier,
    pki_verifier_for,
)
