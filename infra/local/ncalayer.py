"""A local stand-in for NCALayer, the signing application parents run on their computer.

It speaks NCALayer's websocket protocol as the npm ``ncalayer-js-client`` (1.5.x)
uses it, on ``ws://127.0.0.1:13579`` — plain ``ws``, where the real NCALayer
listens with ``wss`` and a certificate of its own; the page is told which URL to
use through ``/config.js``. What it answers:

* on connect, the greeting ``{"result": {"version": "1.4"}}``;
* ``kz.gov.pki.knca.basics`` ``sign`` with ``format: "xml"``: ``{"status": true,
  "body": {"result": [<signed XML>, …]}}`` — one signed document per input, as an
  array, as NCALayer does (``data`` may be a string or an array of strings);
* ``kz.gov.pki.knca.commonUtils`` ``signXml`` / ``signXmls`` / ``getActiveTokens`` /
  ``getKeyInfo`` / ``changeLocale``: ``{"code": "200", "message": "",
  "responseObject": …}``;
* any other module (``kz.digiflow.mobile.extensions`` probed by the client):
  ``{"success": false, "errorCode": "MODULE_NOT_FOUND"}``, as NCALayer does.

Nobody can pick a key file headlessly, so the stand-in signs as the *active
identity*, a demo person chosen by a local control on the same port:

* ``GET  http://127.0.0.1:13579/identity`` — the active identity, the key mode and all identities;
* ``POST http://127.0.0.1:13579/identity?iin=<IIN>&key=auto|auth|sign&mode=sign|cancel``
  (no body) — choose. ``key=auto`` takes the key the request asks for (its
  ``extKeyUsageOids`` or ``keyType``; the signing key when it asks for none);
  ``mode=cancel`` answers every request as if the person closed the key dialog.

A request that names an IIN (``signerParams.iin``) or a BIN (``signerParams.bin``)
of a demo person is signed as that person, as NCALayer offers only matching keys.
Documents are signed with ``infra.local.signing`` exactly as NCALayer's ``signXml`` signs.
"""

from __future__ import annotations

import asyncio
import http
import json
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC
from typing import Any
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo

from cryptography.hazmat.primitives import serialization
from cryptography.x509 import Certificate
from websockets.asyncio.server import Server, ServerConnection, serve
from websockets.datastructures import Headers
from websockets.exceptions import ConnectionClosed
from websockets.http11 import Request, Response

from chalicelib.eds.model import KeyPurpose
from infra.local.identities import DemoIdentity
from infra.local.signing import sign_xml

VERSION = "1.4"
BASICS = "kz.gov.pki.knca.basics"
COMMON_UTILS = "kz.gov.pki.knca.commonUtils"
AUTH_EKU = "1.3.6.1.5.5.7.3.2"
SIGN_EKU = "1.3.6.1.5.5.7.3.4"
HEARTBEAT = "--heartbeat--"
CONTROL_PATH = "/identity"


class Refusal(Exception):
    """A request NCALayer would refuse: bad parameters, an unknown method, a signing failure."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


class Cancelled(Exception):
    """The person closed the key dialog (``mode=cancel``)."""


@dataclass
class NcaLayerStandIn:
    """The protocol and the choice of key; no sockets here (see :func:`start_ncalayer`)."""

    identities: Sequence[DemoIdentity]
    active_iin: str = ""
    key: str = "auto"  # auto | auth | sign
    mode: str = "sign"  # sign | cancel
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def __post_init__(self) -> None:
        if not self.identities:
            raise ValueError("the NCALayer stand-in needs at least one demo identity")
        if not self.active_iin:
            self.active_iin = self.identities[0].iin

    # -- the local control ------------------------------------------------------------

    def state(self) -> dict[str, Any]:
        return {
            "active": self.active().describe(),
            "key": self.key,
            "mode": self.mode,
            "identities": [identity.describe() for identity in self.identities],
        }

    def select(self, *, iin: str | None = None, key: str | None = None, mode: str | None = None) -> None:
        """Choose who signs and with which key; unknown values are refused with ``ValueError``."""
        with self._lock:
            if iin is not None:
                self._by_iin(iin)
                self.active_iin = iin
            if key is not None:
                if key not in ("auto", "auth", "sign"):
                    raise ValueError(f"key must be auto, auth or sign, not {key!r}")
                self.key = key
            if mode is not None:
                if mode not in ("sign", "cancel"):
                    raise ValueError(f"mode must be sign or cancel, not {mode!r}")
                self.mode = mode

    def active(self) -> DemoIdentity:
        return self._by_iin(self.active_iin)

    def _by_iin(self, iin: str) -> DemoIdentity:
        for identity in self.identities:
            if identity.iin == iin:
                return identity
        raise ValueError(f"no demo identity with IIN {iin}")

    # -- the protocol -------------------------------------------------------------------

    @staticmethod
    def greeting() -> str:
        return json.dumps({"result": {"version": VERSION}})

    def handle(self, message: str) -> str | None:
        """The answer to one message from the page (``None``: no answer, as for a heartbeat)."""
        if message == HEARTBEAT:
            return None
        try:
            request = json.loads(message)
        except ValueError:
            return json.dumps({"success": False, "errorCode": "BAD_REQUEST"})
        if not isinstance(request, dict):
            return json.dumps({"success": False, "errorCode": "BAD_REQUEST"})
        module = request.get("module")
        if module == BASICS:
            return json.dumps(self._basics(request))
        if module == COMMON_UTILS:
            return json.dumps(self._common_utils(request), ensure_ascii=False)
        return json.dumps({"success": False, "errorCode": "MODULE_NOT_FOUND"})

    def _basics(self, request: dict[str, Any]) -> dict[str, Any]:
        args = request.get("args") or {}
        if request.get("method") != "sign":
            return _basics_error("INVOCATION_ERROR", f"unknown method {request.get('method')!r}")
        try:
            if not isinstance(args, dict) or args.get("format") != "xml":
                raise Refusal("INVALID_SIGNING_PARAMS", "the local NCALayer signs XML only (format: xml)")
            data = args.get("data")
            documents = data if isinstance(data, list) else [data]
            if not documents or not all(isinstance(d, str) and d.strip() for d in documents):
                raise Refusal("INVALID_SIGNING_PARAMS", "data must be an XML document or a list of them")
            signer_params = args.get("signerParams") or {}
            oids = [str(o) for o in signer_params.get("extKeyUsageOids") or []]
            purpose = self._purpose(AUTH_EKU in oids, SIGN_EKU in oids)
            identity = self._identity_for(signer_params.get("iin"), signer_params.get("bin"))
            signed = [self._sign(document, identity, purpose) for document in documents]
        except Cancelled:
            return {"status": True, "body": {}}
        except Refusal as refusal:
            return _basics_error(refusal.code, refusal.message)
        return {"status": True, "body": {"result": signed}}

    def _common_utils(self, request: dict[str, Any]) -> dict[str, Any]:
        method = request.get("method")
        args = request.get("args") or []
        uuid = request.get("uuid")
        try:
            if method == "getActiveTokens":
                result: Any = []
            elif method == "changeLocale":
                result = None
            elif method == "getKeyInfo":
                result = self._key_info()
            elif method in ("signXml", "signXmls"):
                key_type = args[1] if len(args) > 1 else "SIGNATURE"
                purpose = self._purpose(key_type == "AUTHENTICATION", key_type == "SIGNATURE")
                identity = self._identity_for(None, None)
                if method == "signXml":
                    result = self._sign(_text_arg(args, 2), identity, purpose)
                else:
                    documents = args[2] if len(args) > 2 and isinstance(args[2], list) else []
                    result = [self._sign(str(d), identity, purpose) for d in documents]
            else:
                raise Refusal("500", f"unknown method {method!r}")
        except Cancelled:
            return _common(code="500", message="action.canceled", uuid=uuid)
        except Refusal as refusal:
            return _common(code="500", message=refusal.message, uuid=uuid)
        return _common(code="200", message="", response_object=result, uuid=uuid)

    def _purpose(self, wants_auth: bool, wants_sign: bool) -> KeyPurpose:
        if self.mode == "cancel":
            raise Cancelled
        if self.key == "auth":
            return KeyPurpose.AUTH
        if self.key == "sign":
            return KeyPurpose.SIGN
        if wants_auth and not wants_sign:
            return KeyPurpose.AUTH
        return KeyPurpose.SIGN

    def _identity_for(self, iin: object, bin_: object) -> DemoIdentity:
        if isinstance(iin, str) and iin:
            matching = [i for i in self.identities if i.iin == iin]
            if not matching:
                raise Refusal("SIGNING_FAILURE", f"no key for IIN {iin} in the local NCALayer")
            return matching[0]
        if isinstance(bin_, str) and bin_:
            matching = [i for i in self.identities if i.bin == bin_]
            if not matching:
                raise Refusal("SIGNING_FAILURE", f"no key for BIN {bin_} in the local NCALayer")
            return matching[0]
        return self.active()

    @staticmethod
    def _sign(document: str, identity: DemoIdentity, purpose: KeyPurpose) -> str:
        try:
            return sign_xml(document, identity.credential(purpose)).decode("utf-8")
        except Exception as error:  # NCALayer reports any failure to parse or sign the same way
            raise Refusal("SIGNING_FAILURE", f"cannot sign the document: {error}") from error

    def _key_info(self) -> dict[str, Any]:
        if self.mode == "cancel":
            raise Cancelled
        identity = self.active()
        credential = identity.credential(KeyPurpose.AUTH if self.key == "auth" else KeyPurpose.SIGN)
        certificate: Certificate = credential.certificate
        almaty = ZoneInfo("Asia/Almaty")

        def when(moment: Any) -> str:
            return moment.astimezone(UTC).astimezone(almaty).strftime("%d.%m.%Y %H:%M:%S")

        return {
            "alias": credential.label,
            "keyId": credential.serial_hex,
            "algorithm": "RSA",
            "subjectCn": identity.full_name,
            "subjectDn": certificate.subject.rfc4514_string(),
            "issuerCn": certificate.issuer.rfc4514_string(),
            "issuerDn": certificate.issuer.rfc4514_string(),
            "serialNumber": credential.serial_hex,
            "certNotAfter": when(certificate.not_valid_after_utc),
            "certNotBefore": when(certificate.not_valid_before_utc),
            "authorityKeyIdentifier": "",
            "pem": certificate.public_bytes(serialization.Encoding.PEM).decode("ascii"),
        }


def _text_arg(args: list[Any], index: int) -> str:
    if len(args) <= index or not isinstance(args[index], str) or not args[index].strip():
        raise Refusal("500", "the XML document to sign is missing")
    return str(args[index])


def _basics_error(code: str, message: str) -> dict[str, Any]:
    return {"status": False, "code": code, "message": message, "details": ""}


def _common(
    *, code: str, message: str, response_object: Any = None, uuid: Any = None
) -> dict[str, Any]:
    answer: dict[str, Any] = {"code": code, "message": message}
    if code == "200":
        answer["responseObject"] = response_object
    if uuid is not None:
        answer["uuid"] = uuid
    return answer


# -- the server ---------------------------------------------------------------------------


def _json_response(status: int, body: dict[str, Any]) -> Response:
    payload = json.dumps(body, ensure_ascii=False, indent=2).encode("utf-8")
    headers = Headers(
        [
            ("Content-Type", "application/json; charset=utf-8"),
            ("Content-Length", str(len(payload))),
            ("Access-Control-Allow-Origin", "*"),
            ("Cache-Control", "no-store"),
        ]
    )
    return Response(status, http.HTTPStatus(status).phrase, headers, payload)


class RunningNcaLayer:
    """The stand-in serving on a port in a thread of its own."""

    def __init__(self, stand_in: NcaLayerStandIn, host: str, port: int) -> None:
        self.stand_in = stand_in
        self.host = host
        self._requested_port = port
        self.port = 0
        self._loop = asyncio.new_event_loop()
        self._server: Server | None = None
        self._ready = threading.Event()
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name="ncalayer", daemon=True)

    @property
    def url(self) -> str:
        return f"ws://{self.host}:{self.port}"

    @property
    def control_url(self) -> str:
        return f"http://{self.host}:{self.port}{CONTROL_PATH}"

    def start(self) -> RunningNcaLayer:
        self._thread.start()
        self._ready.wait(timeout=30)
        if self._error is not None:
            raise RuntimeError(f"the local NCALayer could not start: {self._error}") from self._error
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._loop.call_soon_threadsafe(self._server.close)
        self._thread.join(timeout=10)

    def _run(self) -> None:
        asyncio.set_event_loop(self._loop)
        try:
            self._loop.run_until_complete(self._serve())
        finally:
            self._ready.set()
            self._loop.close()

    async def _serve(self) -> None:
        try:
            self._server = await serve(
                self._connection,
                self.host,
                self._requested_port,
                process_request=self._http,
                max_size=16 * 2**20,
            )
        except OSError as error:
            self._error = error
            return
        self.port = self._server.sockets[0].getsockname()[1]
        self._ready.set()
        await self._server.wait_closed()

    async def _connection(self, websocket: ServerConnection) -> None:
        try:
            await websocket.send(self.stand_in.greeting())
            async for message in websocket:
                text = message if isinstance(message, str) else message.decode("utf-8", "replace")
                answer = await asyncio.to_thread(self.stand_in.handle, text)
                if answer is not None:
                    await websocket.send(answer)
        except ConnectionClosed:
            return

    def _http(self, connection: ServerConnection, request: Request) -> Response | None:
        if request.headers.get("Upgrade", "").lower() == "websocket":
            return None
        url = urlsplit(request.path)
        if url.path != CONTROL_PATH:
            return _json_response(404, {"error": f"not found; the local control is {CONTROL_PATH}"})
        if request.method == "GET":
            return _json_response(200, self.stand_in.state())
        if request.method != "POST":
            return _json_response(405, {"error": "use GET or POST"})
        query = {name: values[-1] for name, values in parse_qs(url.query).items()}
        try:
            self.stand_in.select(iin=query.get("iin"), key=query.get("key"), mode=query.get("mode"))
        except ValueError as error:
            return _json_response(422, {"error": str(error)})
        return _json_response(200, self.stand_in.state())


def start_ncalayer(stand_in: NcaLayerStandIn, host: str = "127.0.0.1", port: int = 13579) -> RunningNcaLayer:
    """Serve the stand-in on ``host:port`` (port 0: any free port) until :meth:`RunningNcaLayer.stop`."""
    return RunningNcaLayer(stand_in, host, port).start()
