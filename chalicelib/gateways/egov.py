"""Status messages to the e-government portal's notification channel (ЭҮП), behind an interface.

Every status change of an application is sent to the channel through an
:class:`EgovStatusChannel` by its ``egov.status`` job (``chalicelib/jobs/handlers/egov.py``).
In production :class:`SnsEgovChannel` publishes to the portal gateway's SNS topic; locally
(and in tests) :class:`RecordingEgovChannel` stands in for it and keeps what it receives in S3
(``local/egov-status/<application>/<event>.json``, one object per message id: a repeat
overwrites, never adds), so that a person can see it.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any, Protocol

from chalicelib.store.objects import ObjectStore

PREFIX = "local/egov-status/"


@dataclass(frozen=True)
class StatusMessage:
    event_id: str  # the history record's subject and entry: the portal's idempotency key
    application_id: str
    egov_number: str | None
    status: str  # accepted | direction_issued | removed | withdrawn | enrolled | refused | …
    text_kk: str
    text_ru: str
    at: datetime


class EgovStatusChannel(Protocol):
    def send(self, message: StatusMessage) -> None:
        """Deliver one message; raise if it was not accepted (it is sent again later)."""
        ...


class SnsEgovChannel:
    """Production: the message is published to the SNS topic the portal's gateway subscribes to."""

    def __init__(self, topic_arn: str | None, region: str) -> None:
        self.topic_arn, self.region = topic_arn, region

    def send(self, message: StatusMessage) -> None:
        import boto3

        from chalicelib.jobs.registry import Permanent

        if not self.topic_arn:
            raise Permanent("BQ_EGOV_STATUS_TOPIC_ARN is not set: no e-government channel to send to")
        body = asdict(message) | {"at": message.at.isoformat()}
        boto3.client("sns", region_name=self.region).publish(
            TopicArn=self.topic_arn,
            Message=json.dumps(body, ensure_ascii=False),
            MessageAttributes={"message_id": {"DataType": "String", "StringValue": message.event_id}},
        )


class RecordingEgovChannel:
    """The local stand-in: keeps every message it receives."""

    def __init__(self, objects: ObjectStore) -> None:
        self.objects = objects

    def send(self, message: StatusMessage) -> None:
        body = asdict(message) | {"at": message.at.isoformat()}
        key = f"{PREFIX}{message.application_id}/{message.event_id.replace('/', '_')}.json"
        self.objects.put(key, json.dumps(body, ensure_ascii=False).encode(), content_type="application/json")

    def received(self, application_id: str) -> list[dict[str, Any]]:
        """What the stand-in received for an application, oldest first."""
        listed = self.objects.client.list_objects_v2(Bucket=self.objects.bucket, Prefix=f"{PREFIX}{application_id}/")
        messages = [json.loads(self.objects.get(item["Key"]) or b"{}") for item in listed.get("Contents", [])]
        return sorted(messages, key=lambda m: (m["at"], m["event_id"]))
