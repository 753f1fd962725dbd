"""The one Logger, Metrics and Tracer of the service.

Personal data never reaches the logs: IINs/BINs (12 digits), e-mail addresses
and phone numbers are masked in every record the formatter writes.
"""

from __future__ import annotations

import re
from typing import Any

from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.logging.formatter import LambdaPowertoolsFormatter

SERVICE = "balabaqsha"

_PATTERNS = [
    (re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+"), "***@***"),
    (re.compile(r"(?<!\d)\d{12}(?!\d)"), "************"),
    (re.compile(r"\+?7[\s(-]*\d{3}[\s)-]*\d{3}[\s-]*\d{2}[\s-]*\d{2}(?!\d)"), "+7**********"),
]


def mask_personal_data(text: str) -> str:
    """Replace IINs, e-mail addresses and phone numbers in a text with stars."""
    for pattern, replacement in _PATTERNS:
        text = pattern.sub(replacement, text)
    return text


class MaskingFormatter(LambdaPowertoolsFormatter):
    """Powertools' JSON formatter with personal data masked."""

    def serialize(self, log: dict[str, Any]) -> str:
        return mask_personal_data(super().serialize(log))


logger = Logger(service=SERVICE, logger_formatter=MaskingFormatter())
metrics = Metrics(service=SERVICE, namespace="Balabaqsha")
tracer = Tracer(service=SERVICE)
