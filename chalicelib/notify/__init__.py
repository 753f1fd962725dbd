"""E-mail and SMS: SES/SNS in AWS, the local outbox everywhere else.

Services receive a :class:`Notifier`; handlers pass :func:`default_notifier`.
"""

from __future__ import annotations

from chalicelib.notify.model import Attachment, Notifier, normalise_address, normalise_phone
from chalicelib.settings import Settings, get_settings

__all__ = ["Attachment", "Notifier", "default_notifier", "normalise_address", "normalise_phone"]

_chosen: tuple[Settings, Notifier] | None = None


def default_notifier() -> Notifier:
    """The notifier of this stage: SES/SNS in production, the local outbox otherwise.

    Chosen once per settings object and reused, so boto3 clients live across
    invocations of a warm Lambda.
    """
    global _chosen
    settings = get_settings()
    if _chosen is None or _chosen[0] is not settings:
        notifier: Notifier
        if settings.stage == "prod":
            from chalicelib.notify.aws import AwsNotifier

            notifier = AwsNotifier()
        else:
            from chalicelib.notify.outbox import OutboxNotifier

            notifier = OutboxNotifier()
        _chosen = (settings, notifier)
    return _chosen[1]
