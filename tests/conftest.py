"""Fixtures shared by the whole suite (the PKI ones are documented in ``tests/pki.py``)."""

import os

# The environment of every test process, set before any of chalicelib is imported:
# in-process moto, never a real AWS account or the local stack's endpoint.
os.environ.update(
    {
        "BQ_STAGE": "test",
        "BQ_JWT_SECRET": "test-suite-only-secret-0123456789abcdef",  # the test stage refuses the default
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
# Test keys (RSA-2048, the slow part of a test CA) are made once and kept for every test process
# and local stack of this and later runs (infra/local/testca.py).
os.environ.setdefault(
    "BQ_TEST_KEY_DIR", os.path.join(os.path.dirname(__file__), "..", ".pytest_cache", "test-keys")
)

from hypothesis import settings as hypothesis_settings

# Speed is measured by `make bench`, not by tests: no per-example deadline, which a shared or busy
# machine would turn into a failure that says nothing about the rule under test.
hypothesis_settings.register_profile("balabaqsha", deadline=None)
hypothesis_settings.load_profile("balabaqsha")

from tests.pki import (  # noqa: E402, F401 (fixtures are found by name)
    pki_ca,
    pki_crl_source,
    pki_people,
    pki_sign,
    pki_verifier,
    pki_verifier_for,
)

# --- in CI a skipped test is a failure: what CI does not run, it has not checked --------------------

_skipped: list[str] = []


def pytest_runtest_logreport(report) -> None:
    if os.environ.get("CI") and report.skipped and not hasattr(report, "wasxfail"):
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr)
        _skipped.append(f"{report.nodeid}: {reason}")


def pytest_terminal_summary(terminalreporter) -> None:
    if _skipped:
        terminalreporter.section("skipped tests fail in CI")
        for line in _skipped:
            terminalreporter.write_line(line)


def pytest_sessionfinish(session, exitstatus) -> None:
    if _skipped and exitstatus == 0:
        session.exitstatus = 1
