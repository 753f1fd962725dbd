"""Deployment figures: cold start of the API function and the size of the package Lambda runs.

``cold start import`` is the CPU time of ``import app`` in a fresh interpreter (the work a cold
Lambda does before the first request), with the local settings and tracing off;
``cold start vs bare chalice`` divides it by the same figure for a bare Chalice app that
imports ``chalice`` and ``boto3`` and declares one route. Each figure is the median of
several fresh processes, measured alternately so that both see the same machine load.
``package size`` is the unzipped size of what ``chalice package`` ships: the project's code
plus the pinned runtime requirements as installed in this environment.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RUNS = 7
MEASURE = (
    "import time, sys; started = time.process_time(); import app; sys.stdout.write(repr(time.process_time() - started))"
)
BARE_APP = """import boto3
from chalice import Chalice

app = Chalice(app_name="bare")


@app.route("/")
def index():
    return {"hello": "world"}
"""


def _cpu_of_import(project: Path, env: dict[str, str]) -> float:
    result = subprocess.run(
        [sys.executable, "-c", MEASURE], cwd=project, env=env, capture_output=True, text=True, check=True
    )
    return float(result.stdout)


def cold_start() -> tuple[float, float]:
    """Median CPU seconds of ``import app`` for this project and for a bare Chalice app."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("BQ_", "AWS_LAMBDA"))}
    env.update({"BQ_STAGE": "local", "POWERTOOLS_TRACE_DISABLED": "true"})
    env["PYTHONPATH"] = ""
    with tempfile.TemporaryDirectory() as bare_dir:
        bare = Path(bare_dir)
        (bare / "app.py").write_text(BARE_APP)
        _cpu_of_import(ROOT, env), _cpu_of_import(bare, env)  # warm the byte-code caches and the disk
        ours, theirs = [], []
        for _ in range(RUNS):
            ours.append(_cpu_of_import(ROOT, env))
            theirs.append(_cpu_of_import(bare, env))
    return statistics.median(ours), statistics.median(theirs)


def _installed_size(requirement_names: list[str]) -> int:
    """Bytes of the installed distributions named in requirements.txt and their dependencies."""
    from importlib import metadata

    seen: set[str] = set()
    todo = list(requirement_names)
    total = 0
    while todo:
        name = todo.pop().lower().replace("_", "-")
        if name in seen:
            continue
        seen.add(name)
        try:
            dist = metadata.distribution(name)
        except metadata.PackageNotFoundError:
            continue
        for file in dist.files or []:
            path = Path(str(dist.locate_file(file)))
            if path.is_file() and "__pycache__" not in path.parts and not path.name.endswith(".pyc"):
                total += path.stat().st_size
        for requirement in dist.requires or []:
            if "extra ==" in requirement:
                continue
            todo.append(
                requirement.split(";")[0]
                .split("[")[0]
                .split("<")[0]
                .split(">")[0]
                .split("=")[0]
                .split("!")[0]
                .split("~")[0]
                .strip()
            )
    return total


def package_size() -> float:
    """MiB, unzipped: app.py, chalicelib/ (without caches) and the runtime requirements with theirs."""
    code = (ROOT / "app.py").stat().st_size
    for path in (ROOT / "chalicelib").rglob("*"):
        if path.is_file() and "__pycache__" not in path.parts:
            code += path.stat().st_size
    names = [
        line.split("==")[0].strip()
        for line in (ROOT / "requirements.txt").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    ]
    return (code + _installed_size(names)) / 2**20


def run() -> list[tuple[str, int | str, float | int | str, str]]:
    ours, bare = cold_start()
    return [
        ("cold start import", "API function", round(ours, 3), "s"),
        ("cold start vs bare chalice", "API function", round(ours / bare, 2), "ratio"),
        ("package size", "app + requirements.txt", round(package_size(), 1), "MiB"),
    ]


if __name__ == "__main__":
    for row in run():
        print(row)
