"""A kindergarten's portal from a terminal: what its developers (or a tester) do with the partner API.

    python -m infra.local.partner directions --kindergarten ast-saryarka-007 [--status issued]
    python -m infra.local.partner publish 2022-kk 2 --kindergarten ast-saryarka-007
    python -m infra.local.partner enrol Ж.2026.000001
    python -m infra.local.partner contracts [--kindergarten ast-saryarka-007] [--status sent]
    python -m infra.local.partner sign-contract ШЖ.2026.000001
    python -m infra.local.partner refuse-contract ШЖ.2026.000001 --reason "Бала туралы құжат жоқ"

Each call carries the kindergarten portal's demo API key (from the stack's ready file, or
``--key``) and, for POSTs, a fresh ``Idempotency-Key``. Without ``--kindergarten`` a direction
or contract number is looked up with every demo portal key (each kindergarten sees only its
own). ``sign-contract`` does what the head does in the portal: fetches the document to sign,
has NCALayer (the stand-in) sign it with the head's organisation certificate — the key of the
kindergarten's BIN — and sends the signed XML; ``refuse-contract`` has the head sign the refusal
with its reason the same way. Prints the API's answer as JSON. Dev tool only.
"""

from __future__ import annotations

import argparse
import json
import sys
import urllib.error
import urllib.parse
import urllib.request
import uuid
from typing import Any

from infra.local.ready import RunningStack, add_stack_options, running_stack
from infra.local.signin import SIGN_OIDS, sign_with_ncalayer


class PartnerError(SystemExit):
    """The API refused, or the stack could not be reached; the message says which and why."""


def partner_call(stack: RunningStack, key: str, method: str, path: str, body: Any = None) -> tuple[int, Any]:
    headers = {"Authorization": f"Bearer {key}", "Accept": "application/json"}
    data = None
    if body is not None:
        data = json.dumps(body, ensure_ascii=False).encode()
        headers["Content-Type"] = "application/json"
    if method == "POST":
        headers["Idempotency-Key"] = f"cli-{uuid.uuid4()}"
    request = urllib.request.Request(f"{stack.api}{path}", data=data, method=method, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, json.loads(response.read() or b"null")
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"null")
    except OSError as error:
        raise PartnerError(f"the API at {stack.api} does not answer ({error}); is `make run` running?") from None


def _key_of(stack: RunningStack, args: argparse.Namespace) -> str:
    if args.key:
        return str(args.key)
    if not args.kindergarten:
        raise PartnerError("name the kindergarten (--kindergarten ID) or give its portal key (--key)")
    try:
        return stack.partner_keys[args.kindergarten]
    except KeyError:
        known = ", ".join(sorted(stack.partner_keys)) or "none (no ready file: give --key)"
        raise PartnerError(f"no demo portal key for {args.kindergarten}; known: {known}") from None


def _owner_of(stack: RunningStack, args: argparse.Namespace, path: str) -> tuple[str, str, Any]:
    """(kindergarten id, key, answer) of the portal that sees ``path`` (a direction or a contract)."""
    if args.key or args.kindergarten:
        key = _key_of(stack, args)
        status, answer = partner_call(stack, key, "GET", path)
        if status != 200:
            raise PartnerError(f"GET {path} → {status}: {json.dumps(answer, ensure_ascii=False)}")
        return args.kindergarten or "", key, answer
    for kindergarten, key in sorted(stack.partner_keys.items()):
        status, answer = partner_call(stack, key, "GET", path)
        if status == 200:
            return kindergarten, key, answer
    raise PartnerError(f"no demo kindergarten sees {path}; check the number, or give --kindergarten/--key")


def _head_bin(stack: RunningStack, kindergarten: str, args: argparse.Namespace) -> str:
    if args.bin:
        return str(args.bin)
    for identity in stack.identities:
        if identity.get("kindergarten_id") == kindergarten and identity.get("bin"):
            return str(identity["bin"])
    raise PartnerError(f"no demo head signs for {kindergarten}; give the organisation's BIN with --bin")


def _done(status: int, answer: Any, expected: tuple[int, ...] = (200, 201)) -> int:
    print(json.dumps(answer, ensure_ascii=False, indent=2))
    return 0 if status in expected else 1


def _quoted(number: str) -> str:
    return urllib.parse.quote(number, safe="")


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m infra.local.partner", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    add_stack_options(parser)
    who = argparse.ArgumentParser(add_help=False)  # accepted before or after the command
    add_stack_options(who, suppress=True)
    who.add_argument("--kindergarten", default=argparse.SUPPRESS, help="the kindergarten's id (its demo key is used)")
    who.add_argument("--key", default=argparse.SUPPRESS, help="a portal API key (instead of a demo kindergarten's)")
    parser.add_argument("--kindergarten", help="the kindergarten's id (its demo portal key is used)")
    parser.add_argument("--key", help="a portal API key (instead of a demo kindergarten's)")
    subparsers = parser.add_subparsers(dest="command", required=True)

    class Commands:
        @staticmethod
        def add_parser(name: str, **options: Any) -> argparse.ArgumentParser:
            return subparsers.add_parser(name, parents=[who], **options)

    commands = Commands()
    listing = commands.add_parser("directions", help="the kindergarten's directions")
    listing.add_argument("--status")
    publish = commands.add_parser("publish", help="publish free seats in a group (directions are issued at once)")
    publish.add_argument("group_id")
    publish.add_argument("seats", type=int)
    enrol = commands.add_parser("enrol", help="confirm that the child of a direction was enrolled")
    enrol.add_argument("number")
    contracts = commands.add_parser("contracts", help="contracts sent to the kindergarten (every demo one by default)")
    contracts.add_argument("--status")
    sign = commands.add_parser("sign-contract", help="the head signs a sent contract with the organisation's EDS")
    sign.add_argument("number")
    sign.add_argument("--bin", help="the BIN whose organisation certificate signs (default: the demo head's)")
    refuse = commands.add_parser("refuse-contract", help="the head refuses a sent contract, signing the reason")
    refuse.add_argument("number")
    refuse.add_argument("--reason", required=True)
    refuse.add_argument("--bin", help="the BIN whose organisation certificate signs (default: the demo head's)")
    args = parser.parse_args(argv)
    stack = running_stack(args)

    if args.command == "directions":
        query = f"?status={urllib.parse.quote(args.status)}" if args.status else ""
        return _done(*partner_call(stack, _key_of(stack, args), "GET", f"/partner/directions{query}"))
    if args.command == "publish":
        body = {"group_id": args.group_id, "seats": args.seats}
        return _done(*partner_call(stack, _key_of(stack, args), "POST", "/partner/vacancies", body))
    if args.command == "enrol":
        if not (args.key or args.kindergarten):
            args.kindergarten = _owner_of_direction(stack, args.number)
        path = f"/partner/directions/{_quoted(args.number)}/enrolment"
        return _done(*partner_call(stack, _key_of(stack, args), "POST", path))
    if args.command == "contracts":
        query = f"?status={urllib.parse.quote(args.status)}" if args.status else ""
        if args.key or args.kindergarten:
            return _done(*partner_call(stack, _key_of(stack, args), "GET", f"/partner/contracts{query}"))
        every: dict[str, Any] = {}
        for kindergarten, key in sorted(stack.partner_keys.items()):
            status, answer = partner_call(stack, key, "GET", f"/partner/contracts{query}")
            if status != 200:
                return _done(status, answer)
            if answer["items"]:
                every[kindergarten] = answer["items"]
        return _done(200, every)
    path = f"/partner/contracts/{_quoted(args.number)}"
    kindergarten, key, _ = _owner_of(stack, args, path)
    refusing = args.command == "refuse-contract"
    if refusing:  # the refusal is a signed statement too: the reason, signed with the organisation's EDS
        status, document = partner_call(stack, key, "POST", f"{path}/refusal-document", {"reason": args.reason})
    else:
        status, document = partner_call(stack, key, "GET", f"{path}/signing-document")
    if status != 200:
        return _done(status, document)
    try:
        signed = sign_with_ncalayer(
            stack.ncalayer, document["xml"], bin=_head_bin(stack, kindergarten, args), oids=SIGN_OIDS
        )
    except (RuntimeError, OSError) as error:
        raise PartnerError(f"NCALayer at {stack.ncalayer} did not sign: {error}") from None
    answer_path = f"{path}/refusal" if refusing else f"{path}/signature"
    return _done(*partner_call(stack, key, "POST", answer_path, {"signed_xml": signed}))


def _owner_of_direction(stack: RunningStack, number: str) -> str:
    """The demo kindergarten whose directions include ``number``."""
    for kindergarten, key in sorted(stack.partner_keys.items()):
        status, answer = partner_call(stack, key, "GET", "/partner/directions")
        if status == 200 and any(item["number"] == number for item in answer["items"]):
            return kindergarten
    raise PartnerError(f"no demo kindergarten holds the direction {number}; give --kindergarten or --key")


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
