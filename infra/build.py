"""Build and check the CloudFormation template: ``chalice package`` + our resources, then cfn-lint.

    python -m infra.build [--out build/cfn] [--with-dependencies]

The data resources are generated from the code (``infra.resources``) into
``build/resources.json`` and merged by ``chalice package --merge-template``.
By default the package is built from a copy of ``app.py``, ``chalicelib/`` and
``.chalice/`` without ``requirements.txt``: the template is the same and no
dependency is downloaded, so the check is fast and works offline.
``--with-dependencies`` packages in place, with the dependencies, for a real
deployment. The build fails on any cfn-lint error.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
STAGE = "prod"
# Import-time checks of the production settings want these; they never reach the template.
PACKAGING_PLACEHOLDERS = {
    "BQ_JWT_SECRET": "packaging-only-not-a-secret",
    "BQ_TRUSTED_ROOTS": '["packaging-only"]',
}
CFN_LINT_ERROR = 2
CFN_LINT_FATAL = 1


def stage_environment(stage: str = STAGE) -> dict[str, str]:
    """The process environment for packaging ``stage``: its variables from ``.chalice/config.json``."""
    config = json.loads((ROOT / ".chalice" / "config.json").read_text())
    variables = config["stages"][stage].get("environment_variables", {})
    env = {**os.environ, **PACKAGING_PLACEHOLDERS, **variables}
    env.setdefault("AWS_DEFAULT_REGION", "eu-central-1")
    return env


def generate_resources(out: Path) -> dict[str, Any]:
    """Write the merge template generated from the models and buckets; returns it."""
    from chalicelib.settings import get_settings
    from chalicelib.store.registry import all_models
    from infra.resources.template import merge_template

    template = merge_template(get_settings(), all_models())
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(template, indent=2, ensure_ascii=False))
    return template


def _source_copy(target: Path) -> Path:
    shutil.rmtree(target, ignore_errors=True)
    target.mkdir(parents=True)
    shutil.copy2(ROOT / "app.py", target / "app.py")
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", "deployments", "venv")
    for name in ("chalicelib", ".chalice", "vendor"):
        if (ROOT / name).exists():
            shutil.copytree(ROOT / name, target / name, ignore=ignore)
    return target


def chalice_package(project: Path, resources: Path, out: Path, env: dict[str, str]) -> Path:
    """Run ``chalice package`` for the production stage; returns the template it wrote."""
    shutil.rmtree(out, ignore_errors=True)
    command = [
        sys.executable,
        "-c",
        "import sys; from chalice.cli import main; sys.exit(main())",
        "--project-dir",
        str(project),
        "package",
        "--stage",
        STAGE,
        "--merge-template",
        str(resources),
        str(out),
    ]
    subprocess.run(command, check=True, env=env, cwd=project)
    return out / "sam.json"


def check_template(template: Path) -> None:
    """The merged template must contain what our resources refer to."""
    data = json.loads(template.read_text())
    resources = data.get("Resources", {})
    from infra.resources.template import FUNCTION_ROLE

    if FUNCTION_ROLE not in resources:
        raise SystemExit(f"{template}: chalice generated no {FUNCTION_ROLE}; the access policy has no role")
    functions = [k for k, v in resources.items() if v.get("Type") == "AWS::Serverless::Function"]
    if not functions:
        raise SystemExit(f"{template}: no function in the template")
    from infra.resources.template import JOB_WORKER, JOB_WORKER_EVENT, JOBS_TABLE

    events = resources.get(JOB_WORKER, {}).get("Properties", {}).get("Events", {})
    stream = events.get(JOB_WORKER_EVENT, {}).get("Properties", {}).get("Stream")
    if stream != {"Fn::GetAtt": [JOBS_TABLE, "StreamArn"]}:
        raise SystemExit(f"{template}: the job worker does not read the jobs table's stream ({stream})")


def cfn_lint(template: Path) -> None:
    """Run cfn-lint; errors fail the build, warnings are shown."""
    command = [sys.executable, "-c", "import sys; from cfnlint.runner import main; sys.exit(main())", str(template)]
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    if result.stdout.strip():
        print(result.stdout.strip())
    if result.stderr.strip():
        print(result.stderr.strip(), file=sys.stderr)
    if result.returncode & (CFN_LINT_ERROR | CFN_LINT_FATAL):
        raise SystemExit(f"cfn-lint found errors in {template}")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, default=ROOT / "build" / "cfn")
    parser.add_argument("--with-dependencies", action="store_true", help="package in place, with requirements")
    args = parser.parse_args(argv)

    started = time.monotonic()
    env = stage_environment()
    os.environ.update(env)
    build = args.out.parent
    resources = build / "resources.json"
    generate_resources(resources)
    project = ROOT if args.with_dependencies else _source_copy(build / "package-src")
    template = chalice_package(project, resources, args.out, env)
    check_template(template)
    cfn_lint(template)
    shown = template.relative_to(ROOT) if template.is_relative_to(ROOT) else template
    print(f"infra: {shown} checked in {time.monotonic() - started:.1f} s")


if __name__ == "__main__":
    main()
