"""What every table shares: its name from the settings, on-demand billing.

``Meta.host`` stays unset on purpose: pynamodb then honours ``AWS_ENDPOINT_URL``
(the embedded moto server locally) and ``mock_aws`` intercepts it in tests.
"""

from __future__ import annotations

from typing import Any

from pynamodb.expressions.update import Action
from pynamodb.models import Model

from chalicelib.settings import get_settings


def table_meta(name: str) -> type:
    """A pynamodb ``Meta`` class for the table called ``name`` in this stage."""
    settings = get_settings()

    class Meta:
        table_name = settings.table_name(name)
        region = settings.aws_region
        billing_mode = "PAY_PER_REQUEST"

    return Meta


def condition_failed(error: Exception) -> bool:
    """Whether a pynamodb write was refused by its condition (not by anything else)."""
    return getattr(error, "cause_response_code", None) == "ConditionalCheckFailedException"


def update_actions(model: type[Model], values: dict[str, Any]) -> list[Action]:
    """The update actions that set each attribute to its value, or remove it where the value is None."""
    attributes = model.get_attributes()
    return [
        attributes[name].remove() if value is None else attributes[name].set(value) for name, value in values.items()
    ]
