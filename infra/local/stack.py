"""The whole system on this machine: what ``make run`` starts.

    python -m infra.local.stack [--api-port 8000] [--web-port 8080] [--moto-port 5000]
                                [--ncalayer-port 13579] [--timer-seconds 60] [--state-dir .local]
    python -m infra.local.stack --check      # start on free ports in a subprocess, probe, stop

Everything listens on 127.0.0.1 only:

* AWS (DynamoDB, S3, SES, SNS) — moto's embedded server; every table of
  ``all_models()`` (and the local-only outbox and clock state) and every bucket of
  ``infra.resources.buckets`` are created at start (moto keeps data in memory:
  each start begins empty, then reference data is seeded again);
* the API — Chalice's local gateway running ``app.py``, with CORS for loopback pages;
* the web front end — ``web/`` as static files, and ``/config.js`` telling the page
  where the API and NCALayer are;
* NCALayer — the local stand-in (``infra.local.ncalayer``), plain ``ws://``;
* the job worker — the due jobs run after every API request, and every ``--job-poll-seconds``
  (up to 2 s while idle) (the stand-in for the jobs table's stream in AWS), with the same
  worker code;
* a sample kindergarten portal receiver (``infra.local.receiver``, ``--receiver-port``): every
  demo kindergarten's webhook endpoint is registered to it, it verifies each delivery with
  ``standardwebhooks`` and prints it;
* the timers — every ``@app.schedule`` function runs every ``--timer-seconds``
  (0: never; ``POST /local/timers/run`` runs them at once);
* a test certification authority kept in ``<state dir>/ca`` (so demo keys and accounts
  made with them survive restarts); its CRL is published to the moto S3, and
  ``BQ_TRUSTED_ROOTS``/``BQ_INTERMEDIATES``/``BQ_CRL_URLS`` point at it.

The environment (``AWS_ENDPOINT_URL``, dummy credentials, the ``BQ_*`` settings) is
set before anything of ``chalicelib`` is imported. Ctrl-C stops everything.
"""

from __future__ import annotations

import argparse
import gc
import importlib
import json
import logging
import os
import signal
import socket
import sys
import threading
from contextlib import ExitStack
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from moto.server import ThreadedMotoServer

from bench.moto_tuning import item_scoped_rollback, plain_dynamodb_answers, serialized_requests
from infra.local.servers import attach_app, attach_web, bind, port_of, serve_in_thread

ROOT = Path(__file__).resolve().parents[2]
HOST = "127.0.0.1"
REGION = "eu-central-1"
PKI_BUCKET = "balabaqsha-local-pki"
CRL_KEY = "issuing.crl"
CRL_LIFETIME = timedelta(days=400)  # outlives any reasonable move of the local clock
IDLE_POLL_SECONDS = 2.0  # the job poller's longest wait while rounds find no work and no request came

# What the stack decides; a person's own BQ_* rule settings (durations, limits) are kept.
FORCED_AWS_ENVIRONMENT = {
    "AWS_ACCESS_KEY_ID": "local",
    "AWS_SECRET_ACCESS_KEY": "local",
    "AWS_DEFAULT_REGION": REGION,
    "AWS_REGION": REGION,
    "AWS_EC2_METADATA_DISABLED": "true",
}
REMOVED_AWS_ENVIRONMENT = ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN", "AWS_DEFAULT_PROFILE")


@dataclass
class StackOptions:
    api_port: int = 8000
    web_port: int = 8080
    moto_port: int = 5000
    ncalayer_port: int = 13579
    timer_seconds: float = 60.0
    receiver_port: int = 8090
    job_poll_seconds: float = 0.5
    state_dir: Path = ROOT / ".local"
    web_dir: Path = ROOT / "web"
    ready_file: Path | None = None
    key_files: bool = True
    verbose: bool = False
    clock_start: datetime | None = None  # the instant the movable clock starts at (default: now)
    trust_roots: list[Path] = field(default_factory=list)  # extra trusted roots (PEM), beside the test CA's
    intermediates: list[Path] = field(default_factory=list)  # extra intermediate certificates (PEM)
    crl_urls: list[str] = field(default_factory=list)  # extra revocation lists, beside the test CA's
    population: list[Path] = field(default_factory=list)  # extra population files, merged over the demo one


@dataclass
class LocalStack:
    """Starts, describes and stops every part of the local system."""

    options: StackOptions
    identities: list[Any] = field(default_factory=list)
    partner_keys: dict[str, str] = field(default_factory=dict)  # kindergarten id → its portal's demo API key
    urls: dict[str, str] = field(default_factory=dict)
    _stopping: threading.Event = field(default_factory=threading.Event)
    _api_answered: threading.Event = field(default_factory=threading.Event)
    _moto: ThreadedMotoServer | None = None
    _servers: list[Any] = field(default_factory=list)
    _serving: list[Any] = field(default_factory=list)
    _ncalayer: Any = None
    _timer: threading.Thread | None = None
    _jobs: threading.Thread | None = None
    receiver: Any = None
    webhook_endpoints: dict[str, str] = field(default_factory=dict)  # kindergarten id → its endpoint URL
    _ca: Any = None
    _app: Any = None
    _atomic: ExitStack | None = None

    # -- start ----------------------------------------------------------------------

    def start(self) -> None:
        options = self.options
        options.state_dir.mkdir(parents=True, exist_ok=True)
        logging.getLogger("werkzeug").setLevel(logging.WARNING)

        _require_free(options.moto_port, "--moto-port")
        # DynamoDB applies each request atomically; the embedded moto does not under concurrency
        # (two racing conditional writes can both pass). One request at a time gives the code the
        # guarantee it relies on, exactly as the tests' moto has it.
        self._atomic = ExitStack()
        self._atomic.enter_context(serialized_requests())
        self._atomic.enter_context(item_scoped_rollback())
        self._atomic.enter_context(plain_dynamodb_answers())  # items answered as the JSON they are
        self._moto = ThreadedMotoServer(ip_address=HOST, port=options.moto_port, verbose=False)
        self._moto.start()
        moto_url = f"http://{HOST}:{self._moto.get_host_and_port()[1]}"
        api = _bind(options.api_port, "--api-port")
        self._servers.append(api)
        web = _bind(options.web_port, "--web-port")
        self._servers.append(web)
        api_url, web_url = f"http://{HOST}:{port_of(api)}", f"http://{HOST}:{port_of(web)}"
        crl_url = f"{moto_url}/{PKI_BUCKET}/{CRL_KEY}"
        ca_dir = options.state_dir / "ca"
        self._set_environment(moto_url, api_url, web_url, crl_url, ca_dir)

        from infra.local.identities import demo_identities, load_or_create_ca

        self._ca = load_or_create_ca(ca_dir, crl_url)
        self.identities = demo_identities(self._ca, ca_dir, key_files=options.key_files)

        self._create_data_stores()
        if options.clock_start is not None:
            from chalicelib.runtime import start_clock_at

            start_clock_at(options.clock_start)
        self.publish_crl()
        self._seed()

        from infra.local.ncalayer import NcaLayerStandIn, start_ncalayer

        _require_free(options.ncalayer_port, "--ncalayer-port")
        self._ncalayer = start_ncalayer(NcaLayerStandIn(self.identities), HOST, options.ncalayer_port)
        self._app = self._load_app()
        self._start_receiver()
        attach_app(api, self._app, self._chalice_config(), verbose=options.verbose)
        api.answered = self._api_answered
        attach_web(
            web,
            options.web_dir,
            {
                "apiBase": api_url,
                "ncalayerUrl": self._ncalayer.url,
                "ncalayerControl": self._ncalayer.control_url,
                "local": True,
            },
            verbose=options.verbose,
        )
        for server, name in ((api, "api"), (web, "web")):
            serve_in_thread(server, name)
            self._serving.append(server)
        if options.timer_seconds > 0:
            self._timer = threading.Thread(target=self._run_timers, name="timers", daemon=True)
            self._timer.start()
        if options.job_poll_seconds > 0:
            self._jobs = threading.Thread(target=self._run_jobs, name="jobs", daemon=True)
            self._jobs.start()
        self.urls = {
            "api": api_url,
            "web": web_url,
            "moto": moto_url,
            "ncalayer": self._ncalayer.url,
            "ncalayer_control": self._ncalayer.control_url,
            "crl": crl_url,
            "receiver": self.receiver.url,
        }
        if options.ready_file is not None:
            self._write_ready_file(options.ready_file)

    def _set_environment(self, moto_url: str, api_url: str, web_url: str, crl_url: str, ca_dir: Path) -> None:
        for name in REMOVED_AWS_ENVIRONMENT:
            os.environ.pop(name, None)
        os.environ.update(FORCED_AWS_ENVIRONMENT)
        os.environ.update(self._chalice_stage_environment())
        os.environ.update(
            {
                "AWS_ENDPOINT_URL": moto_url,
                "BQ_STAGE": "local",
                "BQ_LOCAL_CLOCK": "true",
                "BQ_AWS_REGION": REGION,
                "BQ_TABLE_PREFIX": "balabaqsha-local",
                "BQ_DOCUMENTS_BUCKET": "balabaqsha-local-documents",
                "BQ_PUBLIC_BASE_URL": api_url,
                "BQ_WEB_ORIGIN": web_url,
                "BQ_TRUSTED_ROOTS": json.dumps(
                    [str(ca_dir / "trusted_roots.pem"), *(str(p) for p in self.options.trust_roots)]
                ),
                "BQ_INTERMEDIATES": json.dumps(
                    [str(ca_dir / "intermediates.pem"), *(str(p) for p in self.options.intermediates)]
                ),
                "BQ_CRL_URLS": json.dumps([crl_url, *self.options.crl_urls]),
                "BQ_REVOCATION_FAIL_MODE": "refuse",
                "BQ_POPULATION_FIXTURE": str(self._population_file()),
            }
        )
        os.environ.setdefault("POWERTOOLS_SERVICE_NAME", "balabaqsha")
        os.environ.setdefault("POWERTOOLS_TRACE_DISABLED", "true")
        os.environ.setdefault("POWERTOOLS_METRICS_NAMESPACE", "Balabaqsha")

    def _population_file(self) -> Path:
        """The demo population, or the demo one with the ``--population`` files merged over it."""
        demo = ROOT / "infra" / "local" / "demo" / "population.json"
        if not self.options.population:
            return demo
        from infra.local.population import merge_population_files

        merged = self.options.state_dir / "population.json"
        merged.write_text(
            json.dumps(merge_population_files([demo, *self.options.population]), ensure_ascii=False, indent=2),
            encoding="utf-8",
        )
        return merged

    @staticmethod
    def _chalice_stage_environment() -> dict[str, str]:
        config = json.loads((ROOT / ".chalice" / "config.json").read_text())
        return dict(config["stages"]["local"].get("environment_variables", {}))

    @staticmethod
    def _chalice_config() -> Any:
        from chalice.cli.factory import CLIFactory

        return CLIFactory(str(ROOT)).create_config_obj(chalice_stage_name="local")

    def _create_data_stores(self) -> None:
        import boto3

        from chalicelib.settings import get_settings
        from chalicelib.store.registry import all_models, local_only_models
        from infra.resources.buckets import BUCKETS, create_local_bucket
        from infra.resources.tables import create_local_table

        settings = get_settings()
        dynamodb = boto3.client("dynamodb", region_name=settings.aws_region)
        existing = set(dynamodb.list_tables()["TableNames"])
        for model in [*all_models(), *local_only_models()]:
            create_local_table(dynamodb, model, existing)
        s3 = boto3.client("s3", region_name=settings.aws_region)
        for bucket in BUCKETS:
            create_local_bucket(s3, getattr(settings, bucket.setting), settings.aws_region, settings.web_origin)
        if PKI_BUCKET not in {b["Name"] for b in s3.list_buckets().get("Buckets", [])}:
            s3.create_bucket(Bucket=PKI_BUCKET, CreateBucketConfiguration={"LocationConstraint": settings.aws_region})

    def publish_crl(self) -> None:
        """Publish the test CA's CRL where ``BQ_CRL_URLS`` points (valid well past any clock move)."""
        import boto3

        from chalicelib.runtime import service_clock

        # issued no later than either clock says, so that it is current for a clock started in the past
        issued = min(datetime.now(UTC), service_clock().now()) - timedelta(minutes=1)
        crl = self._ca.publish(this_update=issued, next_update=service_clock().now() + CRL_LIFETIME)
        boto3.client("s3", region_name=REGION).put_object(
            Bucket=PKI_BUCKET, Key=CRL_KEY, Body=crl, ContentType="application/pkix-crl", ACL="public-read"
        )

    def _seed(self) -> None:
        from infra.local.seed import seed_contract_terms, seed_partner_keys, seed_reference

        seed_reference()
        seed_contract_terms()
        self.partner_keys = seed_partner_keys()

    @staticmethod
    def _load_app() -> Any:
        if str(ROOT) not in sys.path:
            sys.path.insert(0, str(ROOT))
        return importlib.import_module("app").app

    def _start_receiver(self) -> None:
        """The sample portal receiver, and every demo kindergarten's endpoint registered to it."""
        from chalicelib import wiring
        from chalicelib.domain.principal import Principal, Role
        from infra.local.receiver import start_receiver

        _require_free(self.options.receiver_port, "--receiver-port")
        self.receiver = start_receiver(self.options.receiver_port)
        service = wiring.webhook_service()
        for kindergarten_id in sorted(self.partner_keys):
            portal = Principal("000000000000", "demo", Role.KINDERGARTEN, "demo", kindergarten_id=kindergarten_id)
            endpoint = service.register(portal, self.receiver.endpoint_for(kindergarten_id), [])
            self.receiver.trust(kindergarten_id, endpoint.secret)
            self.webhook_endpoints[kindergarten_id] = endpoint.url

    def _run_jobs(self) -> None:
        """The local stand-in for the jobs table's stream.

        A round runs every due job. The next round comes at once after an API request was
        answered (what it wrote is done as soon as in AWS, where the stream starts the worker),
        after ``--job-poll-seconds`` while rounds find work, and, while they find none, at
        intervals doubling up to ``IDLE_POLL_SECONDS`` (jobs postponed for a retry, or due by
        the clock): an idle stack costs next to no processor time.
        """
        from chalicelib import wiring
        from chalicelib.observability import logger

        wait = self.options.job_poll_seconds
        while True:
            woken = self._api_answered.wait(wait)
            if self._stopping.is_set():
                return
            self._api_answered.clear()
            ran = 0
            try:
                ran = wiring.job_worker().run_due().ran
            except Exception:  # the poller keeps polling whatever one round met
                logger.exception("local job poller failed")
            busy = self.options.job_poll_seconds
            wait = busy if woken or ran else min(max(wait * 2, busy), IDLE_POLL_SECONDS)

    def _run_timers(self) -> None:
        from chalicelib.functions import run_scheduled_functions
        from chalicelib.observability import logger
        from chalicelib.runtime import service_clock

        while not self._stopping.wait(self.options.timer_seconds):
            try:
                self.publish_crl()
                runs = run_scheduled_functions(self._app, service_clock().now())
            except Exception:  # the timers keep ticking whatever one tick met
                logger.exception("local timers failed")
                continue
            for run in runs:
                if not run.ok:
                    print(f"timer {run.name} failed: {run.error}", file=sys.stderr, flush=True)

    def _write_ready_file(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_suffix(".tmp")
        temporary.write_text(
            json.dumps(
                {
                    "pid": os.getpid(),
                    "urls": self.urls,
                    "state_dir": str(self.options.state_dir),
                    "identities": [identity.describe() for identity in self.identities],
                    "partner_keys": self.partner_keys,
                    "webhook_endpoints": self.webhook_endpoints,
                },
                ensure_ascii=False,
                indent=2,
            ),
            encoding="utf-8",
        )
        temporary.replace(path)

    # -- stop -----------------------------------------------------------------------

    def stop(self) -> None:
        self._stopping.set()
        self._api_answered.set()
        if self.options.ready_file is not None and self.urls:
            self.options.ready_file.unlink(missing_ok=True)  # the terminal helpers must not find a stopped stack
        for server in self._servers:
            if server in self._serving:
                server.shutdown()
            server.server_close()
        if self._ncalayer is not None:
            self._ncalayer.stop()
        if self._timer is not None:
            self._timer.join(timeout=30)
        if self._jobs is not None:
            self._jobs.join(timeout=30)
        if self.receiver is not None:
            self.receiver.stop()
        if self._moto is not None:
            self._moto.stop()
        if self._atomic is not None:
            self._atomic.close()

    # -- what to open ---------------------------------------------------------------

    def active_iin(self) -> str | None:
        """Whom the NCALayer stand-in signs as now."""
        return self._ncalayer.stand_in.active_iin if self._ncalayer else None

    def banner(self) -> str:
        from infra.local.banner import banner

        return banner(self)

    @staticmethod
    def p12_password() -> str:
        from infra.local.identities import P12_PASSWORD

        return P12_PASSWORD


class PortInUse(SystemExit):
    """A port the stack needs is taken; the message says which option moves it."""


def _require_free(port: int, option: str) -> None:
    if port == 0:
        return
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((HOST, port))
        except OSError as error:
            raise PortInUse(f"{HOST}:{port} is in use ({error.strerror}); choose another with {option}") from error


def _bind(port: int, option: str) -> Any:
    try:
        return bind(HOST, port)
    except OSError as error:
        raise PortInUse(f"{HOST}:{port} is in use ({error.strerror}); choose another with {option}") from error


def parse_options(argv: list[str] | None = None) -> tuple[StackOptions, bool]:
    parser = argparse.ArgumentParser(
        prog="python -m infra.local.stack", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    defaults = StackOptions()
    parser.add_argument("--api-port", type=int, default=defaults.api_port)
    parser.add_argument("--web-port", type=int, default=defaults.web_port)
    parser.add_argument("--moto-port", type=int, default=defaults.moto_port)
    parser.add_argument("--ncalayer-port", type=int, default=defaults.ncalayer_port)
    parser.add_argument("--timer-seconds", type=float, default=defaults.timer_seconds)
    parser.add_argument("--receiver-port", type=int, default=defaults.receiver_port)
    parser.add_argument("--job-poll-seconds", type=float, default=defaults.job_poll_seconds)
    parser.add_argument("--state-dir", type=Path, default=defaults.state_dir)
    parser.add_argument("--web-dir", type=Path, default=defaults.web_dir)
    parser.add_argument(
        "--ready-file",
        type=Path,
        help="write the URLs, identities and portal keys here (JSON) once everything answers "
        "(default <state dir>/ready.json; the terminal helpers read it)",
    )
    parser.add_argument("--no-key-files", action="store_true", help="do not write .p12 files of the demo keys")
    parser.add_argument("--verbose", action="store_true", help="log every HTTP request")
    parser.add_argument("--check", action="store_true", help="start on free ports in a subprocess, probe, stop")
    parser.add_argument(
        "--clock-start",
        type=parse_instant,
        metavar="WHEN",
        help="start the movable clock at this instant (ISO 8601, e.g. 2026-12-05T10:00+05:00, "
        "or a date: 09:00 in Almaty that day) instead of now",
    )
    trust = parser.add_argument_group(
        "bringing your own test certificates and people (docs/local-stack.md)",
    )
    trust.add_argument(
        "--trust-root",
        type=_existing_file,
        action="append",
        default=[],
        metavar="PEM",
        help="also trust this root certificate (PEM; repeatable)",
    )
    trust.add_argument(
        "--intermediate",
        type=_existing_file,
        action="append",
        default=[],
        metavar="PEM",
        help="also use this intermediate certificate to build chains (PEM; repeatable)",
    )
    trust.add_argument(
        "--crl-url",
        action="append",
        default=[],
        metavar="URL",
        help="also read revocation from this CRL address (repeatable)",
    )
    trust.add_argument(
        "--population",
        type=_existing_file,
        action="append",
        default=[],
        metavar="FILE",
        help="people (and their children) merged over the demo population (JSON; repeatable)",
    )
    args = parser.parse_args(argv)
    options = StackOptions(
        api_port=args.api_port,
        web_port=args.web_port,
        moto_port=args.moto_port,
        ncalayer_port=args.ncalayer_port,
        timer_seconds=args.timer_seconds,
        receiver_port=args.receiver_port,
        job_poll_seconds=args.job_poll_seconds,
        state_dir=args.state_dir.resolve(),
        web_dir=args.web_dir.resolve(),
        ready_file=(args.ready_file or args.state_dir / "ready.json").resolve(),
        key_files=not args.no_key_files,
        verbose=args.verbose,
        clock_start=args.clock_start,
        trust_roots=args.trust_root,
        intermediates=args.intermediate,
        crl_urls=args.crl_url,
        population=args.population,
    )
    return options, args.check


def parse_instant(text: str) -> datetime:
    """An aware ISO 8601 instant, or a date meaning 09:00 in Almaty (UTC+5) that day."""
    from datetime import date

    try:
        if len(text) == 10:
            day = date.fromisoformat(text)
            return datetime(day.year, day.month, day.day, 4, 0, tzinfo=UTC)
        instant = datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an ISO 8601 date or instant: {text!r}") from None
    if instant.tzinfo is None:
        raise argparse.ArgumentTypeError(f"give the time zone, e.g. {text}+05:00 or {text}Z")
    return instant.astimezone(UTC)


def _existing_file(text: str) -> Path:
    path = Path(text).expanduser().resolve()
    if not path.is_file():
        raise argparse.ArgumentTypeError(f"no such file: {text}")
    return path


def main(argv: list[str] | None = None) -> int:
    options, check = parse_options(argv)
    if check:
        from infra.local.harness import check_stack

        return check_stack()
    stack = LocalStack(options)
    stop = threading.Event()

    def request_stop(signum: int, frame: object) -> None:
        stop.set()

    signal.signal(signal.SIGINT, request_stop)
    signal.signal(signal.SIGTERM, request_stop)
    try:
        stack.start()
        gc.freeze()  # moto's large, long-lived state: keep the collector (and the exit) from walking it
        print(stack.banner(), flush=True)
        while not stop.wait(0.5):
            pass
    finally:
        print("stopping…", flush=True)
        stack.stop()
        print("stopped.", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
