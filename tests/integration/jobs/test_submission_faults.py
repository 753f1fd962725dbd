"""A failing AWS call at every call of a submission: one application, every document, one message.

For each N the N-th AWS call of the submission fails, and the two calls after it (an outage
of three calls, whether they fall in the request, the parent's re-send or the worker): the
parent gets 201 or a 503 in Kazakh and Russian, sends the same signed document again after a
503, and after the worker and the sweep ran there is exactly one application, its four
documents, one e-mail (with the four PDFs) and one SMS, and no object nothing points to.
"""

from __future__ import annotations

import boto3

from chalicelib import wiring
from chalicelib.notify.outbox import OutboxNotifier
from chalicelib.settings import get_settings
from chalicelib.store.applications import Application
from chalicelib.store.documents import IssuedDocument
from chalicelib.store.jobs import JobState
from chalicelib.store.local import OutboxMessage
from tests.integration.filing import CHILD, Filing, draft_body
from tests.integration.jobs.conftest import applications_of, documents_of, jobs_in, pending_or_dead, settle
from tests.integration.jobs.faults import Baseline, Faults, injected

EMAIL = "aigul@mail.kz"
PHONE = "+77011234567"
BURST = 3


def signed_application(filing: Filing) -> str:
    status, drafted = filing.call("POST", "/applications/draft", draft_body())
    assert status == 200, drafted
    return filing.api.sign(drafted["xml"], filing.person.sign).decode()


def orphans() -> list[str]:
    """Objects in the bucket that nothing points to."""
    s3 = boto3.client("s3")
    bucket = get_settings().documents_bucket
    keys = {o["Key"] for o in s3.list_objects_v2(Bucket=bucket).get("Contents", [])}
    pointed = {app.signed_xml_key for app in Application.scan()}
    pointed |= {doc.key for doc in IssuedDocument.scan()}
    pointed |= {a.key for m in OutboxMessage.scan() for a in m.attachments or []}
    return sorted(k for k in keys if k.startswith(("signed/", "documents/", "local-outbox/")) and k not in pointed)


def test_a_healthy_submission_makes_its_calls_and_nothing_fails(filing: Filing, clock):
    signed = signed_application(filing)
    filing.api.jobs_after_requests = False  # the worker runs when the test says (``settle``)
    baseline = Baseline()
    with injected(Faults()) as counted:
        status, body = filing.call("POST", "/applications", {"signed_xml": signed})
    assert status == 201, body
    # rendering and sending are out of the request: reads, the S3 put, counters, the transaction
    assert "dynamodb.TransactWriteItems" in counted.calls and len(counted.calls) <= 12, counted.calls
    settle(clock)
    assert len(documents_of(body["id"])) == 4
    assert orphans() == []
    baseline.restore()
    assert applications_of(CHILD) == []


def test_a_failure_at_every_call_of_a_submission_loses_nothing_and_duplicates_nothing(filing: Filing, clock):
    signed = signed_application(filing)
    filing.api.jobs_after_requests = False
    baseline = Baseline()
    with injected(Faults()) as counted:
        status, _ = filing.call("POST", "/applications", {"signed_xml": signed})
    assert status == 201
    calls = len(counted.calls)
    first_number = applications_of(CHILD)[0].id
    baseline.restore()

    for n in range(1, calls + 1):
        filing.token = filing.api.parent_token(filing.person)  # the sweeps moved the clock on
        faults = Faults(first=n, burst=BURST)
        with injected(faults):
            status, body = filing.call("POST", "/applications", {"signed_xml": signed})
            if status == 503:
                # the parent is told in both languages that nothing came of it, and sends again
                assert body["error"]["code"] == "service.unavailable", (n, body)
                assert body["error"]["messages"]["kk"] and body["error"]["messages"]["ru"]
                for _ in range(3):
                    status, body = filing.call("POST", "/applications", {"signed_xml": signed})
                    if status != 503:
                        break
            assert status in (200, 201), (n, faults.failed, body)
            settle(clock)
        [app] = applications_of(CHILD)
        assert app.id == body["id"], n
        # the serial is the one a healthy submission gets: a failed attempt used none up
        assert app.id == first_number, (n, faults.failed)
        # and the e-government channel's stand-in was told "accepted" once
        assert [m["status"] for m in wiring.egov_channel().received(app.id)] == ["accepted"], n
        assert sorted(d.kind for d in documents_of(app.id)) == [
            "accounting_book_entry",
            "child_card",
            "documents_receipt",
            "registration_notice",
        ], (n, faults.failed, pending_or_dead())
        notifier = OutboxNotifier()
        emails = [m for m in notifier.messages_for(EMAIL) if m.channel == "email"]
        sms = [m for m in notifier.messages_for(PHONE) if m.channel == "sms"]
        assert len(emails) == 1 and len(sms) == 1, (n, faults.failed)
        assert len(emails[0].attachments) == 4
        assert jobs_in(JobState.DEAD) == [] and pending_or_dead() == [], n
        assert orphans() == [], (n, faults.failed)
        baseline.restore()
