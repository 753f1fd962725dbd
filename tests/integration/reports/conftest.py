"""The reports' tests reuse the directions' fixtures: children in the queue, a kindergarten portal."""

from tests.integration.directions.conftest import (  # noqa: F401 (fixtures are found by name)
    ESIL_12,
    Portal,
    atomic,
    enqueue,
    keys,
    operator,
    portal,
)
