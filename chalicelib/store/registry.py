"""Every table of the service: the local stack creates them, the template declares them."""

from __future__ import annotations

from pynamodb.models import Model

from chalicelib.store.accounts import Account, Challenge


def all_models() -> list[type[Model]]:
    return [Account, Challenge]
