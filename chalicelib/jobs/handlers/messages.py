"""``message.email`` and ``message.sms``: one message to a parent, told exactly once.

The payload carries the text (``to``, ``subject``, ``text``) or a *template* whose text is made
when the job runs (:data:`TEMPLATES`). An e-mail that attaches documents (``attach_jobs``: the
``document.render`` jobs) waits until they are issued. The message id given to the notifier is
derived from the job id; the local outbox keeps a message id once, so a job run again after a
crash does not tell the parent twice.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any

from chalicelib import wiring
from chalicelib.documents.kinds import DocumentKind
from chalicelib.jobs.registry import NotYet, Permanent
from chalicelib.jobs.worker import JobContext
from chalicelib.notify import default_notifier
from chalicelib.notify.model import Attachment
from chalicelib.store.jobs import Job, JobState


def message_id(job: Job) -> str:
    return hashlib.sha256(f"message#{job.id}".encode()).hexdigest()[:32]


def _application_registered(payload: dict[str, Any]) -> tuple[str, str, str, str]:
    from chalicelib.services.applications import registered_message

    applications = wiring.applications()
    app = applications.find(payload["application_id"])
    if app is None:
        raise Permanent(f"no application {payload['application_id']}")
    subject, text = registered_message(app, applications.queue_numbers(app))
    return app.applicant.email, app.applicant.phone, subject, text


def _application_refused(payload: dict[str, Any]) -> tuple[str, str, str, str]:
    from chalicelib.services.refusals import refusal_record, refused_message

    applications = wiring.applications()
    app = applications.find(payload["application_id"])
    if app is None:
        raise Permanent(f"no application {payload['application_id']}")
    subject, text = refused_message(app, refusal_record(applications.history(app.id)))
    return app.applicant.email, app.applicant.phone, subject, text


def _application_corrected(payload: dict[str, Any]) -> tuple[str, str, str, str]:
    from chalicelib.services.corrections import corrected_message

    app = wiring.applications().find(payload["application_id"])
    if app is None:
        raise Permanent(f"no application {payload['application_id']}")
    subject, text = corrected_message(app, payload)
    return app.applicant.email, app.applicant.phone, subject, text  # as corrected


# template → (e-mail address, phone, subject, text)
TEMPLATES: dict[str, Callable[[dict[str, Any]], tuple[str, str, str, str]]] = {
    "application.registered": _application_registered,
    "application.refused": _application_refused,
    "application.corrected": _application_corrected,
}


def _message(payload: dict[str, Any]) -> tuple[str, str, str, str]:
    template = payload.get("template")
    if template is None:
        return payload.get("to", ""), payload.get("to", ""), payload.get("subject", ""), payload["text"]
    if template not in TEMPLATES:
        raise Permanent(f"unknown message template {template!r}")
    return TEMPLATES[template](payload)


def _attachments(job: Job, context: JobContext) -> list[Attachment]:
    documents = wiring.document_service()
    attachments = []
    for document_job_id in job.payload.get("attach_jobs", []):
        document_job = context.store.get(document_job_id)
        if document_job is None:
            raise Permanent(f"no document job {document_job_id}")
        if document_job.state == JobState.DEAD:
            raise NotYet(f"document job {document_job_id} is a dead letter", seconds=60)
        document_id, _ = documents.for_job(document_job_id)
        record = documents.documents.get(document_id)
        if record is None:
            raise NotYet(f"document of {document_job_id} not issued yet")
        pdf = documents.pdf(record)
        if pdf is None:
            raise RuntimeError(f"the PDF of {document_id} is missing")
        attachments.append(Attachment(DocumentKind(record.kind).file_name(record.document_id), pdf))
    return attachments


def email(job: Job, context: JobContext) -> dict[str, Any]:
    address, _, subject, text = _message(job.payload or {})
    attachments = _attachments(job, context)
    sent = default_notifier().send_email(address, subject, text, attachments=attachments, message_id=message_id(job))
    return {"message_id": sent}


def sms(job: Job, context: JobContext) -> dict[str, Any]:
    _, phone, _, text = _message(job.payload or {})
    sent = default_notifier().send_sms(phone, text[:300], message_id=message_id(job))
    return {"message_id": sent}
