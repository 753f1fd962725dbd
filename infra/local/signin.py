"""Sign in to the local stack from a terminal, the way the web page does it.

    python -m infra.local.signin --iin 881105310141              # a parent
    python -m infra.local.signin --iin 820217350007 --operator   # an operator
    python -m infra.local.signin --iin 881105310141 --token      # only the session token (for scripts)

The stack is found through its ready file (``.local/ready.json``, written by ``make run``), or
``--api``/``--ncalayer``.

Asks the API for a one-time challenge, has the NCALayer stand-in sign it with the
person's AUTH key over NCALayer's websocket protocol, sends the signed XML back and
prints the API's answer (the session token and who it belongs to). Dev tool only.
"""

from __future__ import annotations

import argparse
import json
import sys
import urllib.request
from typing import Any

from websockets.sync.client import connect

from infra.local.ready import add_stack_options, running_stack

AUTH_OIDS = ["1.3.6.1.5.5.7.3.2"]
SIGN_OIDS = ["1.3.6.1.5.5.7.3.4"]


def call(method: str, url: str, body: dict[str, Any] | None = None) -> tuple[int, Any]:
    request = urllib.request.Request(
        url,
        data=json.dumps(body).encode() if body is not None else None,
        method=method,
        headers={"Content-Type": "application/json"},
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"null")


def sign_with_ncalayer(
    ncalayer: str, xml: str, *, iin: str | None = None, bin: str | None = None, oids: list[str] = AUTH_OIDS
) -> str:
    """What ncalayer-js-client's basicsSignXML sends: the key with these purposes of this IIN (or BIN)."""
    signer: dict[str, Any] = {"extKeyUsageOids": oids, "chain": []}
    if iin:
        signer["iin"] = iin
    if bin:
        signer["bin"] = bin
    with connect(ncalayer, open_timeout=10) as socket:
        socket.recv(timeout=10)  # NCALayer's greeting with its version
        socket.send(
            json.dumps(
                {
                    "module": "kz.gov.pki.knca.basics",
                    "method": "sign",
                    "args": {
                        "allowedStorages": None,
                        "format": "xml",
                        "data": xml,
                        "signingParams": {},
                        "signerParams": signer,
                        "locale": "kk",
                    },
                }
            )
        )
        answer = json.loads(socket.recv(timeout=30))
    if answer.get("status") is not True:
        raise RuntimeError(f"NCALayer refused: {answer}")
    return str(answer["body"]["result"][0])


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--iin", required=True)
    parser.add_argument("--operator", action="store_true", help="sign in as an operator")
    parser.add_argument("--token", action="store_true", help="print only the session token")
    add_stack_options(parser)
    args = parser.parse_args(argv)
    stack = running_stack(args)
    try:
        status, challenge = call(
            "POST", f"{stack.api}/auth/challenge", {"audience": "operator" if args.operator else "parent"}
        )
    except OSError as error:
        raise SystemExit(f"the API at {stack.api} does not answer ({error}); is `make run` running?") from None
    print(f"POST /auth/challenge → {status}: {challenge['xml']}", file=sys.stderr)
    try:
        signed = sign_with_ncalayer(stack.ncalayer, challenge["xml"], iin=args.iin)
    except RuntimeError as refused:
        raise SystemExit(str(refused)) from None
    print(f"NCALayer signed it: {len(signed)} bytes of XML-DSig", file=sys.stderr)
    status, answer = call("POST", f"{stack.api}/auth/sign-in", {"signed_xml": signed})
    print(f"POST /auth/sign-in → {status}", file=sys.stderr)
    if args.token and status == 200:
        print(answer["token"])
    else:
        print(json.dumps(answer, ensure_ascii=False, indent=2))
    return 0 if status == 200 else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
