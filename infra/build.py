"""Build and check the deployable artefacts of a stage: ``chalice package`` + our resources.

    python -m infra.build [--stage prod] [--out build/cfn] [--with-dependencies] [--no-checkov]

The data resources are generated from the code (``infra.resources``) into
``build/resources.json`` and merged by ``chalice package --merge-template``.
By default the package is built from a copy of ``app.py``, ``chalicelib/`` and
``.chalice/`` without ``requirements.txt``: the template is the same and no
dependency is downloaded, so the check is fast and works offline.
``--with-dependencies`` packages in place, with the dependencies, for a real
deployment (``make package STAGE=prod``). The build fails on any cfn-lint error, any
checkov finding (suppressions carry their reason in the template), a role holding a
wildcard, a function without its family's role, or a secret in an environment variable.
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
    "BQ_JWT_SECRET_ID": "packaging-only-not-a-secret",
    "BQ_TRUSTED_ROOTS": '["packaging-only"]',
}
CHECKOV = ROOT / ".venv-checkov" / "bin" / "checkov"
SECRET_WORDS = ("SECRET", "PASSWORD", "TOKEN", "PRIVATE_KEY")
CFN_LINT_ERROR = 2
CFN_LINT_FATAL = 1


def stage_environment(stage: str = STAGE) -> dict[str, str]:
    """The process environment for packaging ``stage``: its variables from ``.chalice/config.json``."""
    config = json.loads((ROOT / ".chalice" / "config.json").read_text())
    variables = config["stages"][stage].get("environment_variables", {})
    env = {**os.environ, **PACKAGING_PLACEHOLDERS, **variables}
    env.setdefault("AWS_DEFAULT_REGION", "eu-central-1")
    return env


def generate_resources(out: Path, stage: str = STAGE) -> dict[str, Any]:
    """Write the merge template generated from the app, the models and the buckets; returns it."""
    from app import app
    from chalicelib.settings import get_settings
    from chalicelib.store.registry import all_models
    from infra.resources.template import app_functions, merge_template

    config = json.loads((ROOT / ".chalice" / "config.json").read_text())["stages"][stage]
    template = merge_template(
        get_settings(), all_models(), app_functions(app), stage=stage, tracing=bool(config.get("xray"))
    )
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


def chalice_package(project: Path, resources: Path, out: Path, env: dict[str, str], stage: str = STAGE) -> Path:
    """Run ``chalice package`` for ``stage``; returns the template it wrote."""
    shutil.rmtree(out, ignore_errors=True)
    command = [
        sys.executable,
        "-c",
        "import sys; from chalice.cli import main; sys.exit(main())",
        "--project-dir",
        str(project),
        "package",
        "--stage",
        stage,
        "--merge-template",
        str(resources),
        str(out),
    ]
    subprocess.run(command, check=True, env=env, cwd=project)
    return out / "sam.json"


def check_template(template: Path) -> None:
    """Every function runs with its family's role; no role holds a wildcard; no secret in the environment."""
    from infra.resources.policy_check import function_roles, role_problems

    data = json.loads(template.read_text())
    resources = data.get("Resources", {})
    roles = function_roles(data)
    if not roles:
        raise SystemExit(f"{template}: no function in the template")
    problems = role_problems(data)
    for function, role in roles.items():
        if not (isinstance(role, dict) and "Fn::GetAtt" in role and role["Fn::GetAtt"][0] in resources):
            problems.append(f"{function}: runs with {role!r}, not a role of the template")
    variables = dict(data.get("Globals", {}).get("Function", {}).get("Environment", {}).get("Variables", {}))
    for resource in resources.values():
        variables.update(resource.get("Properties", {}).get("Environment", {}).get("Variables", {}))
    for name, value in variables.items():
        if any(word in name for word in SECRET_WORDS) and not name.endswith("_ID"):
            problems.append(f"environment variable {name} looks like a secret: pass its ARN (…_ID) instead")
        if name.endswith("_ID") and isinstance(value, str):
            problems.append(f"environment variable {name} must reference the secret resource, not a literal")
    from infra.resources.template import JOB_WORKER, JOB_WORKER_EVENT, JOBS_TABLE

    events = resources.get(JOB_WORKER, {}).get("Properties", {}).get("Events", {})
    stream = events.get(JOB_WORKER_EVENT, {}).get("Properties", {}).get("Stream")
    if stream != {"Fn::GetAtt": [JOBS_TABLE, "StreamArn"]}:
        problems.append(f"the job worker does not read the jobs table's stream ({stream})")
    if problems:
        raise SystemExit(f"{template}:\n  " + "\n  ".join(problems))


def checkov(template: Path) -> None:
    """Run checkov (its own environment, see requirements-checkov.txt); any failed check fails the build."""
    if not CHECKOV.exists():
        raise SystemExit(f"{CHECKOV} is missing: run `make .venv-checkov/.installed`")
    command = [str(CHECKOV), "--quiet", "--compact", "--framework", "cloudformation", "-f", str(template)]
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        print(result.stdout.strip())
        print(result.stderr.strip(), file=sys.stderr)
        raise SystemExit(f"checkov found problems in {template}")


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
    parser.add_argument("--stage", default=STAGE, help="a stage of .chalice/config.json (not local)")
    parser.add_argument("--out", type=Path, default=ROOT / "build" / "cfn")
    parser.add_argument("--with-dependencies", action="store_true", help="package in place, with requirements")
    parser.add_argument("--no-checkov", action="store_true", help="skip checkov (cfn-lint and our checks still run)")
    args = parser.parse_args(argv)
    if args.stage == "local":
        raise SystemExit("the local stage is never deployed")

    started = time.monotonic()
    env = stage_environment(args.stage)
    os.environ.update(env)
    build = args.out.parent
    resources = build / "resources.json"
    generate_resources(resources, args.stage)
    project = ROOT if args.with_dependencies else _source_copy(build / "package-src")
    template = chalice_package(project, resources, args.out, env, args.stage)
    check_template(template)
    cfn_lint(template)
    if not args.no_checkov:
        checkov(template)
    shown = template.relative_to(ROOT) if template.is_relative_to(ROOT) else template
    print(f"infra: {shown} ({args.stage}) checked in {time.monotonic() - started:.1f} s")


if __name__ == "__main__":
    main()
