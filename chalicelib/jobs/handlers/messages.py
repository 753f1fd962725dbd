"""``message.email`` and ``message.sms``: one message to a parent, told exactly once.

The payload carries the text (``to``, ``subject``, ``text``) or a *template* whose text is made
when the job runs (:data:`TEMPLATES`), and always ``owner_iin``: the parent the message is
about. An e-mail that attaches documents (``attach_jobs``: the
``document.render`` jobs) waits until they are issued. The message id given to the notifier is
derived from the job id; the local outbox keeps a message id once, so a job run again after a
crash does not tell the parent twice.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import datetime
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


def _direction_expired(payload: dict[str, Any]) -> tuple[str, str, str, str]:
    """A lapsed direction: what the expiry's transaction decided (stop-list or removal) is read from
    the application's history record of that very direction."""
    from chalicelib.services.direction_notices import expired_message

    applications = wiring.applications()
    number = payload["number"]
    result, stop_list_until = "expired", None
    for record in applications.history(payload["application_id"]):
        if (record.details or {}).get("direction") != number:
            continue
        if record.event == "application.direction_missed":
            result = "stop_listed"
            until = (record.details or {}).get("stop_list_until")
            stop_list_until = datetime.fromisoformat(until) if until else None
        elif record.event == "application.left" and record.why == "directions_missed":
            result = "removed"
    subject, text = expired_message(number, result, stop_list_until)
    to = payload.get("to", "")
    return to, to, subject, text


def _benefit_decided(payload: dict[str, Any]) -> tuple[str, str, str, str]:
    """An operator's decision on a benefit claim, with the benefit queue number as it is now."""
    from chalicelib.domain.reference import Bilingual
    from chalicelib.services.benefit_checks import benefit_decided_message

    applications = wiring.applications()
    app = applications.find(payload["application_id"])
    if app is None:
        raise Permanent(f"no application {payload['application_id']}")
    category = wiring.reference().get_benefit_category(app.benefit_category or "")
    name = category.name if category else Bilingual(app.benefit_category or "", app.benefit_category or "")
    subject, text = benefit_decided_message(app, applications.queue_numbers(app).benefit, name)
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
    "direction.expired": _direction_expired,
    "application.benefit_decided": _benefit_decided,
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


def notice_key(job: Job) -> str:
    """The key the e-mail and the SMS of one message share (their job key without the kind)."""
    return job.id.split(":", 1)[1] if ":" in job.id else job.id


def _owner(payload: dict[str, Any]) -> str | None:
    """The parent the message is about: ``owner_iin``, or the applicant of a registration template."""
    if payload.get("owner_iin"):
        return str(payload["owner_iin"])
    if payload.get("template") == "application.registered":
        app = wiring.applications().find(payload["application_id"])
        return app.applicant_iin if app is not None else None
    return None


def _notice(job: Job, channel: str, subject: str, text: str) -> None:
    """The message as a notice in the parent's account (one per message, whichever channel comes first)."""
    from chalicelib.store.notices import NoticeStore

    owner = _owner(job.payload or {})
    if owner is None:
        return  # a message to no parent's account (none is written so today)
    NoticeStore().add(owner, notice_key(job), at=job.created_at, subject=subject, text=text, channel=channel)


def email(job: Job, context: JobContext) -> dict[str, Any]:
    address, _, subject, text = _message(job.payload or {})
    attachments = _attachments(job, context)
    sent = default_notifier().send_email(address, subject, text, attachments=attachments, message_id=message_id(job))
    _notice(job, "email", subject, text)
    return {"message_id": sent}


def sms(job: Job, context: JobContext) -> dict[str, Any]:
    _, phone, subject, text = _message(job.payload or {})
    sent = default_notifier().send_sms(phone, text[:300], message_id=message_id(job))
    _notice(job, "sms", subject, text)
    return {"message_id": sent}
