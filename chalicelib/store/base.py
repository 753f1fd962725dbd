"""What every table shares: its name from the settings, on-demand billing.

``Meta.host`` stays unset on purpose: pynamodb then honours ``AWS_ENDPOINT_URL``
(the embedded moto server locally) and ``mock_aws`` intercepts it in tests.
"""

from __future__ import annotations

from chalicelib.settings import get_settings


def table_meta(name: str) -> type:
    """A pynamodb ``Meta`` class for the table called ``name`` in this stage."""
    settings = get_settings()

    class Meta:
        table_name = settings.table_name(name)
        region = settings.aws_region
        billing_mode = "PAY_PER_REQUEST"

    return Meta
