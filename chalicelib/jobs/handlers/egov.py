"""``egov.status``: one status message about an application for the e-government portal's channel.

Written in the transaction of every application status change (``Change.put``, from the
history record; ``chalicelib/domain/egov.py`` says which changes). Payload: the record's
``subject`` and ``entry`` and the ``status``. The run reads the record and the application
(its e-government number) and sends a :class:`~chalicelib.gateways.egov.StatusMessage`
through the channel adapter (``wiring.egov_channel()``): in production the SNS topic
``BQ_EGOV_STATUS_TOPIC_ARN`` the portal's gateway subscribes to (without it the job is parked
as a dead letter, to be replayed once it is configured), everywhere else the local stand-in
that keeps what it receives. The message id is the record's subject and entry, the same in
every attempt: the channel recognises a repeat. Ordered per application.
"""

from __future__ import annotations

from typing import Any

from chalicelib.domain.egov import texts
from chalicelib.gateways.egov import StatusMessage
from chalicelib.jobs.registry import Permanent
from chalicelib.jobs.worker import JobContext
from chalicelib.store.history import HistoryRecord
from chalicelib.store.jobs import Job


def status_message(job: Job) -> StatusMessage:
    from chalicelib.store.applications import Application

    payload = job.payload or {}
    if not payload.get("subject") or not payload.get("entry") or not payload.get("status"):
        raise Permanent("an e-government status message needs the record's subject and entry and the status")
    try:
        record = HistoryRecord.get(payload["subject"], payload["entry"], consistent_read=True)
    except HistoryRecord.DoesNotExist as error:
        raise Permanent(f"no history record {payload['subject']} {payload['entry']}") from error
    try:
        egov_number = Application.get(record.subject_id, consistent_read=True).egov_number
    except Application.DoesNotExist:
        egov_number = None
    said = texts(payload["status"], record.subject_id)
    return StatusMessage(
        event_id=f"{record.subject}/{record.entry}",
        application_id=record.subject_id,
        egov_number=egov_number,
        status=payload["status"],
        text_kk=said["kk"],
        text_ru=said["ru"],
        at=record.at,
    )


def status(job: Job, context: JobContext) -> dict[str, Any]:
    from chalicelib import wiring

    message = status_message(job)
    wiring.egov_channel().send(message)
    return {"message_id": message.event_id, "status": message.status}
