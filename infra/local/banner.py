"""What ``make run`` prints once everything answers: where to open it, who to be, what to paste.

The banner is built from the running stack itself — its addresses, the demo identities and
their keys, the population registry it was started with (``--population`` files included),
the kindergartens of the reference data and their portals' keys — so every command in it
works when pasted into another terminal.
"""

from __future__ import annotations

import json
import shlex
from pathlib import Path
from typing import Any

ROLES = {"parent": "parent", "operator": "operator", "head": "kindergarten head"}
DEMO = Path(__file__).resolve().parent / "demo"
# the vacancy the banner's command publishes: № 5 «Акбота», where Жұмабаев Ерлан's twins (born 2022) may go
EXAMPLE = ("ast-almaty-005", "2022-kk")


def _queued_children(parent_iin: str) -> dict[str, str]:
    """child IIN → status of each application the parent's journal holds (read from DynamoDB)."""
    from chalicelib.store.applications import ApplicationRepository

    return {app.child_iin: app.status for app in ApplicationRepository().list_for_parent(parent_iin)}


def _children_lines(identities: list[Any]) -> list[str]:
    from chalicelib import wiring

    registry = wiring.population()
    lines: list[str] = []
    for identity in identities:
        if identity.role != "parent":
            continue
        children = [registry.find_person(iin) for iin in registry.children_of(identity.iin)]
        queued = _queued_children(identity.iin)
        lines.append(f"    {identity.iin}  {identity.full_name}")
        if not children:
            lines.append("        (no children in the population registry)")
        for child in children:
            if child is None:
                continue
            state = f"application {queued[child.iin]}" if child.iin in queued else "not in a queue yet"
            lines.append(
                f"        child {child.iin}  {child.full_name:<34} born {child.birth_date.isoformat()}  {state}"
            )
    return lines


def _electronic_kindergartens(identities: list[Any]) -> list[dict[str, Any]]:
    heads = {identity.kindergarten_id: identity for identity in identities if identity.kindergarten_id}
    kindergartens = json.loads((DEMO / "kindergartens.json").read_text(encoding="utf-8"))
    chosen = []
    for kindergarten in kindergartens:
        if kindergarten.get("contract_mode") != "electronic":
            continue
        head = heads.get(kindergarten["id"])
        chosen.append(
            {
                "id": kindergarten["id"],
                "name": kindergarten["name"]["ru"],
                "head": f"{head.iin} {head.full_name}" if head else "no demo head (sign with your own certificate)",
                "group": kindergarten["groups"][0]["group_id"] if kindergarten.get("groups") else None,
            }
        )
    return chosen


def banner(stack: Any) -> str:
    """The text ``make run`` prints for a started :class:`infra.local.stack.LocalStack`."""
    urls, options = stack.urls, stack.options
    api = urls["api"]
    lines = [
        "",
        "Balabaqsha is running on this machine (Ctrl-C stops it).",
        "",
        f"  web front end   {urls['web']}/",
        f"  API             {api}   (try {api}/health)",
        f"  NCALayer        {urls['ncalayer']}   (stand-in; plain ws)",
        f"  signing as      {urls['ncalayer_control']}",
        f"  AWS (moto)      {urls['moto']}",
        f"  outbox          {api}/local/outbox?to=<e-mail or phone>",
        f"  clock           {api}/local/clock",
        *(
            [f"  webhooks        {urls['receiver']}/received   (sample portal receiver; prints every delivery)"]
            if urls.get("receiver")
            else []
        ),
        f"  jobs            run after each API request and every {getattr(options, 'job_poll_seconds', 0):g}–2 s"
        " (the stand-in for the jobs stream)",
        "  timers          "
        + (f"every {options.timer_seconds:g} s" if options.timer_seconds > 0 else "off")
        + f"; at once: POST {api}/local/timers/run",
    ]
    if options.ready_file is not None:
        lines.append(f"  ready file      {options.ready_file}   (the terminal helpers read it)")
    lines += [
        "",
        "Demo identities (AUTH key signs in, the signing key signs documents; the NCALayer",
        f"stand-in signs as the selected one: curl -X POST '{urls['ncalayer_control']}?iin=<IIN>'):",
        "",
    ]
    active = stack.active_iin()
    for identity in stack.identities:
        mark = "*" if identity.iin == active else " "
        extra = f"  {identity.organisation} (BIN {identity.bin})" if identity.bin else ""
        role = ROLES.get(identity.role, identity.role)
        lines.append(f"  {mark} {identity.iin}  {role:<17} {identity.full_name}{extra}")
    lines += ["", "Demo parents and their children (population registry):", "", *_children_lines(stack.identities)]
    electronic = _electronic_kindergartens(stack.identities)
    if electronic:
        lines += ["", "Kindergartens that conclude contracts electronically (their head signs them):", ""]
        lines += [f"    {k['id']:<26} {k['name']:<44} head {k['head']}" for k in electronic]
    keys = stack.partner_keys
    if keys:
        lines += [
            "",
            "Kindergarten portals (Authorization: Bearer <key>; POSTs need an Idempotency-Key header):",
            "",
            *(f"    {kindergarten:<26} {key}" for kindergarten, key in sorted(keys.items())),
        ]
    lines += ["", "Paste into another terminal:", ""]
    example = next((k for k in electronic if k["id"] == EXAMPLE[0] and k["id"] in keys), None)
    if example is not None:
        example = {**example, "group": EXAMPLE[1]}
    else:
        example = next((k for k in electronic if k["id"] in keys and k["group"]), None)
    if example is not None:
        body = json.dumps({"group_id": example["group"], "seats": 2})
        lines += [
            f"  # {example['name']} publishes two seats in group {example['group']} (directions are issued at once)",
            f"  curl -X POST {api}/partner/vacancies -H 'Authorization: Bearer {keys[example['id']]}' \\",
            "       -H \"Idempotency-Key: seats-$(date +%s)\" -H 'Content-Type: application/json' \\",
            f"       -d {shlex.quote(body)}",
        ]
    lines += [
        "  # move the clock 10 days on, then run the scheduled functions now",
        f"  curl -X POST {api}/local/clock -H 'Content-Type: application/json' -d '{{\"advance\": \"P10D\"}}'",
        f"  curl -X POST {api}/local/timers/run",
        "  # sign in from a terminal; a kindergarten's head signs (or refuses) a contract sent to it",
        "  .venv/bin/python -m infra.local.signin --iin 881105310141",
        "  .venv/bin/python -m infra.local.partner contracts --kindergarten ast-saryarka-007",
        "  .venv/bin/python -m infra.local.partner sign-contract <contract number>",
    ]
    if options.key_files:
        p12 = options.state_dir / "ca" / "p12"
        lines += ["", f"Key files for a real NCALayer: {p12}/ (password {stack.p12_password()})"]
    return "\n".join(lines) + "\n"
