"""Where the terminal helpers find a running local stack: its ready file, or the options given.

``make run`` writes ``.local/ready.json`` once everything answers (``--ready-file`` moves it) and
removes it when it stops: the API and NCALayer addresses, the demo identities and the portals'
keys. A helper reads ``--ready-file``, else ``$BALABAQSHA_READY_FILE``, else ``.local/ready.json``;
``--api``/``--ncalayer`` on its command line win over the file; without either, the default
ports of ``make run`` are used.
"""

from __future__ import annotations

import argparse
import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_READY_FILE = Path(os.environ.get("BALABAQSHA_READY_FILE") or ROOT / ".local" / "ready.json")
DEFAULT_API = "http://127.0.0.1:8000"
DEFAULT_NCALAYER = "ws://127.0.0.1:13579"


@dataclass
class RunningStack:
    api: str
    ncalayer: str
    identities: list[dict[str, Any]] = field(default_factory=list)
    partner_keys: dict[str, str] = field(default_factory=dict)


def add_stack_options(parser: argparse.ArgumentParser, *, suppress: bool = False) -> None:
    """``--api``, ``--ncalayer``, ``--ready-file``; ``suppress`` for a sub-command's copy (no defaults)."""

    def default(value: Any) -> Any:
        return argparse.SUPPRESS if suppress else value

    parser.add_argument(
        "--api", default=default(None), help=f"the API's address (default: from the ready file, else {DEFAULT_API})"
    )
    parser.add_argument(
        "--ncalayer",
        default=default(None),
        help=f"the NCALayer stand-in's address (default: from the ready file, else {DEFAULT_NCALAYER})",
    )
    parser.add_argument(
        "--ready-file",
        type=Path,
        default=default(DEFAULT_READY_FILE),
        help=f"the stack's ready file (default {DEFAULT_READY_FILE})",
    )


def running_stack(args: argparse.Namespace) -> RunningStack:
    """The stack the helper talks to, from the options and the ready file."""
    described: dict[str, Any] = {}
    path: Path = args.ready_file
    if path.exists():
        described = json.loads(path.read_text(encoding="utf-8"))
    urls = described.get("urls", {})
    return RunningStack(
        api=(args.api or urls.get("api") or DEFAULT_API).rstrip("/"),
        ncalayer=args.ncalayer or urls.get("ncalayer") or DEFAULT_NCALAYER,
        identities=described.get("identities", []),
        partner_keys=described.get("partner_keys", {}),
    )
