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
from chalicelib.jobs.registry import Permanent
from chalicelib.jobs.worker import JobContext
from chalicelib.store.jobs import Job


@dataclass(frozen=True)
class Built:
    """What to issue: the document's content and whose it is."""

    data: dict[str, Any]
    subject: str
    owner_iin: str
    number: str
    issued_at: datetime
    reissued_for: str | None = None  # a change altered its facts: it supersedes the one in force


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
    """A document of the registration issued again after an operator's correction (``consequences.py``)."""
    built = _application_registration(payload, kind)
    return Built(
        built.data,
        built.subject,
        built.owner_iin,
        built.number,
        datetime.fromisoformat(payload["at"]),
        reissued_for="application.corrected",
    )


BUILDERS: dict[str, Callable[[dict[str, Any], DocumentKind], Built]] = {
    "application.registration": _application_registration,
    "application.refusal": _application_refusal,
    "application.correction": _application_correction,
}


def render(job: Job, context: JobContext) -> dict[str, Any]:
    payload = job.payload or {}
    builder = BUILDERS.get(payload.get("builder", ""))
    if builder is None:
        raise Permanent(f"unknown document builder {payload.get('builder')!r}")
    kind = DocumentKind(payload["kind"])
    built = builder(payload, kind)
    documents = wiring.document_service()
    document_id, check_code = documents.for_job(job.id)
    in_force = documents.current(built.subject, kind) if built.reissued_for else None
    record = documents.issue(
        kind,
        built.data,
        subject=built.subject,
        owner_iin=built.owner_iin,
        number=built.number,
        issued_at=built.issued_at,
        document_id=document_id,
        check_code=check_code,
        supersedes=in_force if in_force is not None and in_force.document_id != document_id else None,
        reissued_for=built.reissued_for,
    )
    return {"document_id": record.document_id}
