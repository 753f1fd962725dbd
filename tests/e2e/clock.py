"""The fixed instants the end-to-end stacks start their movable clock at.

A test never depends on today's date: every stack a test starts begins at one of these
instants (``start_stack(..., clock_start=...)``), so what the test sees is the same on
any day it runs. ``START`` is the one the shared stacks use; the demo children's ages were
chosen for it.
"""

from __future__ import annotations

from datetime import UTC, datetime

START = datetime(2026, 12, 5, 5, 0, tzinfo=UTC)  # Saturday 5 December 2026, 10:00 in Almaty

# Start dates for the clock-moving tests, each crossing holidays of the Kazakh calendar:
# Independence Day (16 December), New Year (1–2 January) and Orthodox Christmas (7 January),
# International Women's Day (8 March) and Nauryz (21–23 March).
CROSSING_HOLIDAYS = (
    START,
    datetime(2026, 12, 28, 5, 0, tzinfo=UTC),
    datetime(2027, 3, 5, 5, 0, tzinfo=UTC),
)
