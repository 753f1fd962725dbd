"""Count the applications registered before the position pools existed in their pools, once.

The queue position explained (``GET /applications/{id}/position``) reads the child's **pool**
(district, birth year and language) from the queue index. Applications registered before the
pools were kept have no ``pool_key`` and answer ``not_counted``. This command puts each of
them in its pool (and, with an approved benefit, in its category inside the pool), one
transaction per application on the version read, with a line in its change history.

It is idempotent: an application already counted, or out of the queue, is left alone, so a
second run (or a run interrupted and started again) changes nothing more. Departures that
happened before the backfill are not known to the pools: "why it moved" counts from the
backfill on.

Usage (with the stage's environment, ``docs/operations.md``)::

    python -m chalicelib.maintenance.position_pools --dry-run
    python -m chalicelib.maintenance.position_pools
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from dataclasses import asdict, dataclass

from chalicelib import wiring
from chalicelib.store.applications import ApplicationRepository
from chalicelib.store.history import SYSTEM


@dataclass
class Backfill:
    """What a run did: applications found without a pool, counted now, left (changed meanwhile)."""

    found: int = 0
    counted: int = 0
    unchanged: int = 0
    dry_run: bool = False


def backfill(repository: ApplicationRepository, *, dry_run: bool = False) -> Backfill:
    """Put every application in the queue without a pool in its pool; see the module doc."""
    clock = wiring.clock()
    result = Backfill(dry_run=dry_run)
    for application_id in list(repository.without_pool()):
        result.found += 1
        if dry_run:
            continue
        if repository.build_pool(application_id, who=SYSTEM, now=clock.now()):
            result.counted += 1
        else:
            result.unchanged += 1
    return result


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m chalicelib.maintenance.position_pools", description=__doc__)
    parser.add_argument("--dry-run", action="store_true", help="count the applications to backfill, change nothing")
    args = parser.parse_args(argv)
    result = backfill(wiring.applications(), dry_run=args.dry_run)
    print(json.dumps(asdict(result)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
