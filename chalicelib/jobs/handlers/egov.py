"""``egov.status``: a status message about an application for the e-government channels.

Payload: ``{"application_id", "status", "text": {"kk", "ru"}, "egov_number"?}``. In AWS the
message is published to the SNS topic ``BQ_EGOV_STATUS_TOPIC_ARN`` (the e-government gateway
subscribes to it), with the job's message id for deduplication; without a topic the job can
never succeed and is parked as a dead letter. Everywhere else it is kept in the local outbox
under the address ``egov:<application id>`` (``GET /local/outbox?to=egov:<id>``).
"""

from __future__ import annotations

import json
from typing import Any

from chalicelib.jobs.handlers.messages import message_id
from chalicelib.jobs.registry import Permanent
from chalicelib.jobs.worker import JobContext
from chalicelib.settings import get_settings
from chalicelib.store.jobs import Job

EGOV_ADDRESS = "egov:"


def status_message(job: Job) -> dict[str, Any]:
    payload = job.payload or {}
    if not payload.get("application_id") or not payload.get("status"):
        raise Permanent("an e-government status message needs application_id and status")
    return {
        "message_id": message_id(job),
        "application_id": payload["application_id"],
        "egov_number": payload.get("egov_number"),
        "status": payload["status"],
        "text": payload.get("text") or {},
        "at": job.created_at.isoformat(),
    }


def status(job: Job, context: JobContext) -> dict[str, Any]:
    message = status_message(job)
    settings = get_settings()
    if settings.stage == "prod":
        if not settings.egov_status_topic_arn:
            raise Permanent("BQ_EGOV_STATUS_TOPIC_ARN is not set: no e-government channel to send to")
        import boto3

        boto3.client("sns", region_name=settings.aws_region).publish(
            TopicArn=settings.egov_status_topic_arn,
            Message=json.dumps(message, ensure_ascii=False),
            MessageAttributes={"message_id": {"DataType": "String", "StringValue": message["message_id"]}},
        )
        return {"message_id": message["message_id"]}
    _keep_locally(message, context)
    return {"message_id": message["message_id"]}


def _keep_locally(message: dict[str, Any], context: JobContext) -> None:
    from chalicelib.store.local import OutboxMessage

    recipient = f"{EGOV_ADDRESS}{message['application_id']}"
    for kept in OutboxMessage.query(recipient, limit=100):
        if kept.message_id == message["message_id"]:
            return
    now = context.now()
    OutboxMessage(
        recipient,
        f"{now.isoformat()}#{message['message_id']}",
        message_id=message["message_id"],
        channel="egov",
        sent_at=now,
        subject=message["status"],
        body_text=json.dumps(message, ensure_ascii=False),
    ).save()
