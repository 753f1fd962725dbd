"""``make bench``: run every benchmark module in ``bench/`` and print one Markdown table.

A benchmark module is any module of this package with a ``run()`` function returning rows
``(benchmark, size, figure, unit)``; helpers (metering, moto tuning) have none and are skipped.
Each module runs in-process against moto (no network), one after the other; the table is the
only thing printed on standard output, progress goes to standard error.
"""

from __future__ import annotations

import importlib
import os
import pkgutil
import sys
import time
from collections.abc import Iterable

os.environ.update(
    {
        "BQ_STAGE": "test",
        "BQ_JWT_SECRET": "bench-only-secret-0123456789abcdef",  # the test stage refuses the default
        "BQ_TABLE_PREFIX": "bq-bench",
        "AWS_DEFAULT_REGION": "eu-central-1",
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_SESSION_TOKEN": "testing",
        "POWERTOOLS_TRACE_DISABLED": "true",
        "POWERTOOLS_LOG_LEVEL": "WARNING",
    }
)
os.environ.pop("AWS_ENDPOINT_URL", None)

import bench

Row = tuple[str, int | str, float | int | str, str]


def _format(figure: float | int | str) -> str:
    if isinstance(figure, float) and figure.is_integer():
        return str(int(figure))
    return str(figure)


def table(rows: Iterable[Row]) -> str:
    lines = ["| benchmark | size | figure | unit |", "|---|---|---|---|"]
    lines += [f"| {name} | {size} | {_format(figure)} | {unit} |" for name, size, figure, unit in rows]
    return "\n".join(lines)


def main(selected: list[str]) -> int:
    rows: list[Row] = []
    for module_info in sorted(pkgutil.iter_modules(bench.__path__), key=lambda info: info.name):
        if module_info.name == "run" or (selected and module_info.name not in selected):
            continue
        module = importlib.import_module(f"bench.{module_info.name}")
        run = getattr(module, "run", None)
        if not callable(run):
            continue
        started = time.monotonic()
        print(f"bench.{module_info.name} …", file=sys.stderr, flush=True)
        rows.extend(run())
        print(f"bench.{module_info.name}: {time.monotonic() - started:.0f} s", file=sys.stderr, flush=True)
    print(table(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
