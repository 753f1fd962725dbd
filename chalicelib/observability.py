"""The one Logger, Metrics and Tracer of the service.

Personal data never reaches the logs: IINs/BINs (12 digits), e-mail addresses
and phone numbers are masked in every record the formatter writes.

The X-Ray SDK costs a cold start about as much as Chalice itself, so the Tracer
(and the SDK with it) is built only when tracing is on: inside Lambda and with
``POWERTOOLS_TRACE_DISABLED`` not true (``chalicelib.settings.tracing_enabled``). Metrics are built on first use.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from aws_lambda_powertools.logging import Logger
from aws_lambda_powertools.logging.formatter import LambdaPowertoolsFormatter

if TYPE_CHECKING:
    from aws_lambda_powertools.metrics import Metrics
    from aws_lambda_powertools.tracing import Tracer

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
NAMESPACE = "Balabaqsha"
# Published by the job sweep every minute (chalicelib/functions/jobs.py), alarmed on in AWS.
JOBS_OVERDUE_METRIC = "JobsOverdue"  # pending jobs due more than JOBS_OVERDUE_AFTER ago
JOB_DEAD_LETTERS_METRIC = "JobDeadLetters"  # jobs parked after their last attempt, waiting for a replay


@lru_cache(maxsize=1)
def tracer() -> Tracer:
    """The Tracer, built (and the X-Ray SDK imported) on first use."""
    from aws_lambda_powertools.tracing import Tracer

    return Tracer(service=SERVICE)


@lru_cache(maxsize=1)
def metrics() -> Metrics:
    """CloudWatch metrics in the embedded metric format (printed to the function's log)."""
    from aws_lambda_powertools.metrics import Metrics

    return Metrics(service=SERVICE, namespace=NAMESPACE)
