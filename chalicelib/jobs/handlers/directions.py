"""``direction.release``: a child who left the queue (withdrawn, removed, school age) gives up its direction.

Written in the transaction that takes the application out of the queue
(``chalicelib.store.applications.ApplicationRepository._leave_edit``). Payload:
``{"number", "application_id", "status"}``. The run ends the direction if it is still live —
seat free again, the direction's history, the kindergarten's ``direction.child_left`` event and,
for a contract the kindergarten holds, ``contract.cancelled``, all in one transaction — and does
nothing if it is no longer live (a second run, or the direction ended meanwhile).
"""

from __future__ import annotations

from typing import Any

from chalicelib.jobs.registry import Permanent
from chalicelib.jobs.worker import JobContext
from chalicelib.store.history import SYSTEM
from chalicelib.store.jobs import Job


def release(job: Job, context: JobContext) -> dict[str, Any]:
    from chalicelib import wiring

    number = (job.payload or {}).get("number")
    if not number:
        raise Permanent("a direction release needs the direction's number")
    service = wiring.direction_service()
    direction = service.directions.find(number)
    if direction is None:
        raise Permanent(f"no direction {number}")
    if not direction.state.live:
        return {"number": number, "released": False, "status": direction.status}
    service.release_after_departure(number, who=SYSTEM)
    return {"number": number, "released": True}
