"""The survey's tests reuse the contracts' fixtures: a parent with a direction and a contract sent."""

from tests.integration.contracts.conftest import (  # noqa: F401 (fixtures are found by name)
    atomic,
    balapan,
    keys,
    sent,
    terms,
    wizard,
)
from tests.integration.directions.conftest import operator  # noqa: F401
