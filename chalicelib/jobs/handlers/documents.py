"""``document.render``: one PDF of a subject, its id, check code and S3 key derived from the job id.

The payload names a *builder* (what the document says is read when the job runs, from the
committed state) and the document kind. Builders are registered in :data:`BUILDERS`: another
kind of subject (a direction, a contract) adds its builder here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from chalicelib import wiring
from chalicelib.documents.kinds import DocumentKind
from chalicelib.domain.reference import Bilingual
from chalicelib.jobs.registry import NotYet, Permanent
from chalicelib.jobs.worker import JobContext
from chalicelib.store.jobs import Job, JobState


@dataclass(frozen=True)
class Built:
    """What to issue: the document's content and whose it is."""

    data: dict[str, Any]
    subject: str
    owner_iin: str
    number: str
    issued_at: datetime
    supersedes: str | None = None  # the document this one replaces (its facts changed)
    reissued_for: str | None = None  # the change that altered them


def _application_registration(payload: dict[str, Any], kind: DocumentKind) -> Built:
    from chalicelib.services.applications import SUBJECT, registration_documents

    applications = wiring.applications()
    app = applications.find(payload["application_id"])
    if app is None:
        raise Permanent(f"no application {payload['application_id']}")
    numbers = applications.queue_numbers(app)
    contents = dict(registration_documents(wiring.reference(), app, numbers))
    if kind not in contents:
        raise Permanent(f"a registration has no {kind.value}")
    return Built(contents[kind], f"{SUBJECT}#{app.id}", app.applicant_iin, app.id, app.registered_at or app.status_at)


def _direction(payload: dict[str, Any], kind: DocumentKind) -> Built:
    """A direction's PDF (appendix 10), issued with it or again when a change altered its facts."""
    from chalicelib.services.direction_notices import SUBJECT, document_data

    direction = wiring.direction_service().directions.find(payload["number"])
    if direction is None:
        raise Permanent(f"no direction {payload['number']}")
    app = wiring.applications().find(direction.application_id)
    kindergarten = wiring.reference().get_kindergarten(direction.kindergarten_id)
    if app is None or kindergarten is None:
        raise Permanent(f"the application or kindergarten of direction {direction.number} is unknown")
    issued_at = datetime.fromisoformat(payload["issued_at"]) if payload.get("issued_at") else direction.issued_at
    return Built(
        document_data(wiring.reference(), direction, app, kindergarten),
        f"{SUBJECT}#{app.id}",
        app.applicant_iin,
        direction.number,
        issued_at,
        supersedes=payload.get("supersedes"),
        reissued_for=payload.get("reissued_for"),
    )


def _contract(payload: dict[str, Any], kind: DocumentKind) -> Built:
    """A signed contract's final PDF, with both signatures and a QR code."""
    from chalicelib.services.contracts import SUBJECT

    service = wiring.contract_service()
    contract = service.contracts.find(payload["number"])
    if contract is None or contract.signed_at is None:
        raise Permanent(f"no signed contract {payload['number']}")
    return Built(
        service.final_document_data(contract),
        f"{SUBJECT}#{contract.number}",
        contract.applicant_iin,
        contract.number,
        contract.signed_at,
    )


def _application_reissue(payload: dict[str, Any], kind: DocumentKind) -> Built | None:
    """An application's document issued again after a change altered what it states; it supersedes
    the one in force when the job runs (the re-issues of one application run in order). None: the
    child left the queue meanwhile, and the documents keep what they said."""
    from chalicelib.services.applications import SUBJECT

    applications = wiring.applications()
    app = applications.find(payload["application_id"])
    if app is None:
        raise Permanent(f"no application {payload['application_id']}")
    if applications.queue_numbers(app).general is None:
        return None
    subject = f"{SUBJECT}#{app.id}"
    current = wiring.document_service().current(subject, kind)
    if current is None:
        registration = wiring.job_store().get(f"document.render:{subject}#{kind.value}")
        if registration is not None and registration.state == JobState.PENDING:
            raise NotYet(f"the registration's {kind.value} is not issued yet", seconds=5)
    built = _application_registration(payload, kind)
    return Built(
        built.data,
        built.subject,
        built.owner_iin,
        built.number,
        datetime.fromisoformat(payload["issued_at"]),
        supersedes=current.document_id if current is not None else None,
        reissued_for=payload.get("reissued_for"),
    )


def _private_direction(payload: dict[str, Any], kind: DocumentKind) -> Built:
    """A direction to a private kindergarten under the state order, as chosen by the parent."""
    from datetime import date

    from chalicelib.services.private_choice import SUBJECT, private_document_data

    reference = wiring.reference()
    app = wiring.applications().find(payload["application_id"])
    kindergarten = reference.get_kindergarten(payload["kindergarten_id"])
    if app is None or kindergarten is None:
        raise Permanent(f"the application or kindergarten of private direction {payload['number']} is unknown")
    group = reference.get_group(kindergarten.id, payload["group_id"]) if payload.get("group_id") else None
    data = private_document_data(
        reference,
        app,
        payload["number"],
        kindergarten,
        payload["language"],
        group,
        date.fromisoformat(payload["valid_until"]),
    )
    issued_at = datetime.fromisoformat(payload["issued_at"])
    return Built(data, f"{SUBJECT}#{app.id}", app.applicant_iin, payload["number"], issued_at)


def _application_refusal(payload: dict[str, Any], kind: DocumentKind) -> Built:
    from chalicelib.services.applications import _issued_by
    from chalicelib.services.refusals import SUBJECT, refusal_document, refusal_record

    applications = wiring.applications()
    app = applications.find(payload["application_id"])
    if app is None:
        raise Permanent(f"no application {payload['application_id']}")
    record = refusal_record(applications.history(app.id))
    if record is None:
        raise Permanent(f"application {app.id} has no refusal")
    reference = wiring.reference()
    operator = reference.get_operator(record.who.split(":", 1)[-1])  # the office that refused issues it
    region = reference.get_region(app.region)
    issued_by = (
        operator.office if operator else _issued_by(region.name if region else Bilingual(app.region, app.region))
    )
    return Built(refusal_document(app, record, issued_by), f"{SUBJECT}#{app.id}", app.applicant_iin, app.id, record.at)


def _application_correction(payload: dict[str, Any], kind: DocumentKind) -> Built:
    """A document of the registration issued again after an operator's correction (``consequences.py``):
    it supersedes the one in force when the job runs."""
    built = _application_registration(payload, kind)
    current = wiring.document_service().current(built.subject, kind)
    return Built(
        built.data,
        built.subject,
        built.owner_iin,
        built.number,
        datetime.fromisoformat(payload["at"]),
        supersedes=current.document_id if current is not None else None,
        reissued_for="application.corrected",
    )


BUILDERS: dict[str, Callable[[dict[str, Any], DocumentKind], Built | None]] = {
    "application.registration": _application_registration,
    "application.reissue": _application_reissue,
    "direction": _direction,
    "contract": _contract,
    "private_direction": _private_direction,
    "application.refusal": _application_refusal,
    "application.correction": _application_correction,
}


def _superseded(documents: Any, built: Built, document_id: str) -> Any:
    """The document the new one replaces; not rendered yet (its own job runs first): wait for it."""
    if not built.supersedes or built.supersedes == document_id:  # itself: a run before issued it
        return None
    old = documents.documents.get(built.supersedes)
    if old is None:
        raise NotYet(f"the document {built.supersedes} it supersedes is not issued yet", seconds=10)
    return old


def render(job: Job, context: JobContext) -> dict[str, Any]:
    payload = job.payload or {}
    builder = BUILDERS.get(payload.get("builder", ""))
    if builder is None:
        raise Permanent(f"unknown document builder {payload.get('builder')!r}")
    kind = DocumentKind(payload["kind"])
    built = builder(payload, kind)
    if built is None:
        return {"skipped": "nothing to issue"}
    documents = wiring.document_service()
    document_id, check_code = documents.for_job(job.id)
    record = documents.issue(
        kind,
        built.data,
        subject=built.subject,
        owner_iin=built.owner_iin,
        number=built.number,
        issued_at=built.issued_at,
        document_id=document_id,
        check_code=check_code,
        supersedes=_superseded(documents, built, document_id),
        reissued_for=built.reissued_for,
    )
    return {"document_id": record.document_id}
