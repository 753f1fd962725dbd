"""A failing AWS call at every call of a direction's issue, a contract's sending and its signing.

For each N the N-th AWS call fails, and the two after it (an outage of three calls, wherever they
fall: the change, a retry, the worker). After the worker and the sweeps ran there is exactly one
direction (one contract in its state), every document, one e-mail and one SMS of the change, its
event delivered once to the portal's receiver, no dead letter and no object nothing points to.
A fault before the commit answers 503 in Kazakh and Russian and leaves nothing behind.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import boto3
import pytest

from chalicelib import wiring
from chalicelib.clock import FixedClock
from chalicelib.notify.outbox import OutboxNotifier
from chalicelib.settings import get_settings
from chalicelib.store.applications import Application
from chalicelib.store.contracts import Contract
from chalicelib.store.directions import Direction
from chalicelib.store.documents import IssuedDocument
from chalicelib.store.jobs import Job, JobState
from chalicelib.store.local import OutboxMessage
from infra.local.receiver import ReceiverServer
from tests.integration.contracts.conftest import BALAPAN, Wizard, directed
from tests.integration.directions.conftest import ESIL_12, Portal, enqueue
from tests.integration.jobs.conftest import jobs_in, pending_or_dead, settle
from tests.integration.jobs.faults import Baseline, Faults, injected

BURST = 3
QUEUE_EMAIL, QUEUE_PHONE = "queue@mail.kz", "+77019990000"  # the contacts ``enqueue`` gives
PARENT_EMAIL, PARENT_PHONE = "aigul@mail.kz", "+77011234567"


def orphans() -> list[str]:
    """Signed XML, documents and outbox attachments in the bucket that nothing points to."""
    s3 = boto3.client("s3")
    keys = {o["Key"] for o in s3.list_objects_v2(Bucket=get_settings().documents_bucket).get("Contents", [])}
    pointed = {app.signed_xml_key for app in Application.scan()}
    pointed |= {doc.key for doc in IssuedDocument.scan()}
    pointed |= {a.key for m in OutboxMessage.scan() for a in m.attachments or []}
    for contract in Contract.scan():
        for signature in (contract.representative_signature, contract.kindergarten_signature):
            if signature:
                pointed.add(signature["xml_key"])
    return sorted(k for k in keys if k.startswith(("signed/", "documents/", "local-outbox/")) and k not in pointed)


def register(portal: Portal, receiver: ReceiverServer, kindergarten: str) -> None:
    status, body, _ = portal.call(
        "POST", "/partner/webhooks", {"url": receiver.endpoint_for(kindergarten), "events": []}
    )
    assert status == 201, body
    receiver.trust(kindergarten, body["secret"])


def told(address: str, channel: str, words: str) -> list[Any]:
    return [
        m
        for m in OutboxNotifier().messages_for(address)
        if m.channel == channel and words in (m.subject or "") + m.body_text
    ]


def delivered(receiver: ReceiverServer, kind: str) -> list[Any]:
    return [r for r in receiver.state.received if r.type == kind]


def clean(n: int, faults: Faults) -> None:
    assert jobs_in(JobState.DEAD) == [] and pending_or_dead() == [], (n, faults.failed, pending_or_dead())
    # every message names the parent it is about (the in-site notices are made from it)
    assert all((job.payload or {}).get("owner_iin") for job in Job.scan() if job.kind.startswith("message.")), n
    assert orphans() == [], (n, faults.failed)


def every_call(
    baseline: Baseline,
    receiver: ReceiverServer,
    clock: FixedClock,
    calls: int,
    round_: Callable[[int, Faults], None],
) -> None:
    """Run ``round_`` with calls N … N+2 failing, for every N, each from the same state and instant."""
    start = clock.now()
    for n in range(1, calls + 1):
        clock.advance(start - clock.now())
        receiver.state.received.clear()
        receiver.state.seen.clear()
        faults = Faults(first=n, burst=BURST)
        round_(n, faults)
        baseline.restore()


def worked(clock: FixedClock) -> None:
    """The worker and the sweep: retries run within the hour's lookahead, the clock moves past the leases
    of attempts that crashed before they could finish."""
    settle(clock, rounds=3, step=timedelta(minutes=2))


def swept(action: Callable[[], Any], runs: int = 4) -> None:
    """A scheduled function: a run that fails is logged, the next run (15 minutes on) does it again."""
    for _ in range(runs):
        try:
            action()
            return
        except Exception:
            continue


def counted(action: Callable[[], Any]) -> int:
    baseline = Baseline(whole=True)
    with injected(Faults()) as calls:
        action()
    baseline.restore()
    return len(calls.calls)


def test_a_failure_at_every_call_of_a_directions_issue_loses_nothing_and_duplicates_nothing(
    api, clock, portal: Portal, receiver: ReceiverServer
):
    # given № 12's endpoint, a free seat of its 2022 Kazakh group and a child in its queue
    api.jobs_after_requests = False
    register(portal, receiver, ESIL_12)
    portal.publish("2022-kk", seats=1)  # nobody in the queue yet: the seat waits
    app = enqueue(at=clock.now() - timedelta(days=3))
    settle(clock)
    directions = wiring.direction_service()
    baseline = Baseline(whole=True)

    def allocate() -> None:  # the scheduled allocation (``allocate-vacancies``) offers the seat
        directions.allocate("astana", "esil")

    calls = counted(allocate)
    assert calls <= 40, calls

    def round_(n: int, faults: Faults) -> None:
        with injected(faults):
            swept(allocate)  # the scheduled allocation (every 15 minutes) until a run gets through
            swept(directions.allocate_everywhere)
            worked(clock)
        [direction] = [d for d in Direction.scan() if d.application_id == app.id]
        assert direction.status == "issued", n
        assert Application.get(app.id).live_direction_id == direction.number
        [document] = [d for d in IssuedDocument.scan() if d.kind == "direction"]
        assert document.document_id == direction.document_id and document.number == direction.number, n
        [mail] = told(QUEUE_EMAIL, "email", "Выдано направление")
        assert [a.filename for a in mail.attachments] == [f"direction-{document.document_id}.pdf"], n
        assert len(told(QUEUE_PHONE, "sms", direction.number)) == 1, n
        assert [r.data["number"] for r in delivered(receiver, "direction.issued")] == [direction.number], n
        clean(n, faults)

    every_call(baseline, receiver, clock, calls, round_)


@pytest.fixture
def started(filing, balapan: Portal, terms: None, receiver: ReceiverServer) -> Wizard:
    """The demo parent's contract with «Балапан», every step done; «Балапан»'s endpoint registered."""
    register(balapan, receiver, BALAPAN)
    application_id, number = directed(filing, balapan)
    wizard = Wizard(filing, number, application_id)
    status, body = wizard.start()
    assert status == 201, body
    wizard.through_step5()
    return wizard


def test_a_failure_at_every_call_of_a_contracts_sending_loses_nothing_and_duplicates_nothing(
    api, clock, started: Wizard, receiver: ReceiverServer
):
    wizard = started
    signed = api.sign(wizard.signing_document(), wizard.person.sign).decode()
    body = {"signed_xml": signed, "read_confirmed": True}
    api.jobs_after_requests = False
    settle(clock)
    wizard.filing.token = api.parent_token(wizard.person)
    baseline = Baseline(whole=True)
    calls = counted(lambda: wizard.filing.call("POST", f"/contracts/{wizard.number}/send", body))

    def round_(n: int, faults: Faults) -> None:
        with injected(faults):
            status, answer = wizard.filing.call("POST", f"/contracts/{wizard.number}/send", body)
            if status == 503:  # told in both languages; the parent sends the same document again
                assert answer["error"]["messages"]["kk"] and answer["error"]["messages"]["ru"], (n, answer)
                for _ in range(3):
                    status, answer = wizard.filing.call("POST", f"/contracts/{wizard.number}/send", body)
                    if status != 503:
                        break
            assert status == 200, (n, faults.failed, answer)
            assert answer["status"] == "sent", n
            worked(clock)
        contract = Contract.get(wizard.number)
        assert contract.status == "sent" and Direction.get(wizard.direction).contract_status == "sent", n
        assert len(told(PARENT_EMAIL, "email", "отправлен детскому саду")) == 1, (n, faults.failed)
        assert len(told(PARENT_PHONE, "sms", "отправлен детскому саду")) == 1, (n, faults.failed)
        assert [r.data["number"] for r in delivered(receiver, "contract.sent")] == [wizard.number], n
        clean(n, faults)

    every_call(baseline, receiver, clock, calls, round_)


def test_a_failure_at_every_call_of_a_contracts_signing_loses_nothing_and_duplicates_nothing(
    api, clock, started: Wizard, balapan: Portal, receiver: ReceiverServer, pki_people
):
    wizard = started
    status, answer = wizard.send()
    assert status == 200, answer
    status, prepared, _ = balapan.call(
        "GET", f"/partner/contracts/{wizard.number}/signing-document", idempotency_key=None
    )
    assert status == 200, prepared
    signed = api.sign(prepared["xml"], pki_people["kindergarten_head"].sign).decode()
    api.jobs_after_requests = False
    settle(clock)
    baseline = Baseline(whole=True)

    def sign() -> tuple[int, Any, dict[str, str]]:
        return balapan.call("POST", f"/partner/contracts/{wizard.number}/signature", {"signed_xml": signed})

    calls = counted(sign)

    def round_(n: int, faults: Faults) -> None:
        with injected(faults):
            status, answer, _ = sign()
            for _ in range(3):  # the portal sends the same signed document again (a new request)
                if status != 503:
                    break
                assert answer["error"]["messages"]["kk"] and answer["error"]["messages"]["ru"], (n, answer)
                status, answer, _ = sign()
            assert status == 200, (n, faults.failed, answer)
            assert answer["status"] == "signed", n
            worked(clock)
        contract = Contract.get(wizard.number)
        assert contract.status == "signed" and Direction.get(wizard.direction).status == "enrolled", n
        [document] = [d for d in IssuedDocument.scan() if d.kind == "contract"]
        assert document.document_id == contract.document_id, n
        [mail] = told(PARENT_EMAIL, "email", "подписан детским садом")
        assert [a.filename for a in mail.attachments] == [f"contract-{document.document_id}.pdf"], n
        assert len(told(PARENT_PHONE, "sms", "подписан детским садом")) == 1, n
        assert [r.data["number"] for r in delivered(receiver, "contract.signed")] == [wizard.number], n
        assert Application.get(wizard.application_id).status == "enrolled"
        clean(n, faults)

    every_call(baseline, receiver, clock, calls, round_)
