"""The jobs a change writes in its own transaction: a document to render, an e-mail and an SMS.

Services build them before the commit and add them to the change (``change.job``); nothing is
sent or rendered in the request. Every message job's payload names the parent the message is
about (``owner_iin``); a message whose text is known at the commit carries it (``to``,
``subject``, ``text``), one whose text depends on what the commit decided names a template
(``chalicelib/jobs/handlers/messages.py``) that reads the committed state when it runs.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from chalicelib.jobs.registry import job_for
from chalicelib.store.jobs import Job


def stamp(at: datetime) -> str:
    """A change's instant as a job key part and an order entry (sortable, microseconds)."""
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def document_job(
    key: str,
    *,
    builder: str,
    kind: str,
    subject: str,
    now: datetime,
    order_key: str | None = None,
    **payload: Any,
) -> Job:
    """One ``document.render`` job: ``builder`` reads the committed state when it runs.

    ``order_key`` makes the documents of one subject render in the order of their changes (an
    issue before the re-issue that supersedes it).
    """
    return job_for(
        "document.render",
        key,
        {"builder": builder, "kind": kind, **payload},
        now=now,
        subject=subject,
        order_key=order_key,
        order_entry=f"{stamp(now)}#{key}" if order_key else None,
    )


def message_jobs(
    key: str,
    *,
    subject: str,
    owner_iin: str,
    now: datetime,
    email: str | None,
    phone: str | None,
    title: str = "",
    text: str = "",
    sms: str | None = None,
    attach_jobs: Sequence[str] = (),
    template: dict[str, Any] | None = None,
) -> list[Job]:
    """The e-mail (with the documents of ``attach_jobs``) and the SMS of one notice to a parent.

    Either a literal text (``title``, ``text``; ``sms`` for a shorter SMS) or a ``template``
    payload (``{"template": name, …}``) whose text is made when the job runs.
    """
    jobs: list[Job] = []
    if email:
        payload: dict[str, Any] = (
            {**template, "to": email} if template else {"to": email, "subject": title, "text": text}
        )
        if attach_jobs:
            payload["attach_jobs"] = list(attach_jobs)
        jobs.append(job_for("message.email", key, {**payload, "owner_iin": owner_iin}, now=now, subject=subject))
    if phone:
        payload = {**template, "to": phone} if template else {"to": phone, "text": (sms or text)[:300]}
        jobs.append(job_for("message.sms", key, {**payload, "owner_iin": owner_iin}, now=now, subject=subject))
    return jobs
