"""Production delivery: e-mail through SES (v2), SMS through SNS.

Clients are created on first use and reused across invocations of a warm
Lambda. E-mail with attachments goes as a raw MIME message.
"""

from __future__ import annotations

from collections.abc import Sequence
from email.message import EmailMessage
from functools import cached_property
from typing import Any

from chalicelib.notify.model import Attachment, normalise_phone
from chalicelib.observability import logger
from chalicelib.settings import get_settings


class AwsNotifier:
    """Sends e-mail with SES and SMS with SNS."""

    @cached_property
    def _ses(self) -> Any:
        import boto3

        return boto3.client("sesv2", region_name=get_settings().aws_region)

    @cached_property
    def _sns(self) -> Any:
        import boto3

        return boto3.client("sns", region_name=get_settings().aws_region)

    def send_email(
        self,
        to: str,
        subject: str,
        body_text: str,
        *,
        attachments: Sequence[Attachment] = (),
        message_id: str | None = None,
    ) -> str:
        settings = get_settings()
        message = EmailMessage()
        if message_id is not None:  # SES does not deduplicate; a receiving client may, by this header
            message["X-Balabaqsha-Message-Id"] = message_id
        message["From"] = settings.email_from
        message["To"] = to
        message["Subject"] = subject
        message.set_content(body_text)
        for attachment in attachments:
            maintype, _, subtype = attachment.content_type.partition("/")
            message.add_attachment(
                attachment.content, maintype=maintype, subtype=subtype, filename=attachment.filename
            )
        request: dict[str, Any] = {
            "FromEmailAddress": settings.email_from,
            "Destination": {"ToAddresses": [to]},
            "Content": {"Raw": {"Data": message.as_bytes()}},
        }
        if settings.ses_configuration_set:
            request["ConfigurationSetName"] = settings.ses_configuration_set
        message_id = str(self._ses.send_email(**request)["MessageId"])
        logger.info("email sent", extra={"channel": "email", "message_id": message_id})
        return message_id

    def send_sms(self, to_phone: str, text: str, *, message_id: str | None = None) -> str:
        settings = get_settings()
        response = self._sns.publish(
            PhoneNumber=normalise_phone(to_phone),
            Message=text,
            MessageAttributes={
                "AWS.SNS.SMS.SMSType": {"DataType": "String", "StringValue": "Transactional"},
                "AWS.SNS.SMS.SenderID": {"DataType": "String", "StringValue": settings.sms_sender_id},
            },
        )
        message_id = str(response["MessageId"])
        logger.info("sms sent", extra={"channel": "sms", "message_id": message_id})
        return message_id
