"""Driving the parents' web front end in Debian's chromium through Playwright.

The browser talks to a real local stack (``infra.local.harness``): the API, the
static web with its generated ``/config.js`` and the NCALayer stand-in, whose
local control chooses which demo person signs. Each test signs in as a demo parent
no other browser test uses, so the order of the tests does not matter:

| test module | parents |
|---|---|
| ``test_web_signin.py`` | 920722410070, 910130410219, 950512410282, 850808310353 |
| ``test_web_queue.py`` | 900314310002 (child 231030530008), 881105310141 (child 220418530260) |
| ``test_web_directions.py`` | 871201410425 (children 210508511003, 240229630917) |
| ``test_web_contracts.py`` | 950512410282 (child 210214530656); the head of «Балапан» 750830403217 |
| ``test_web_queue.py`` (the chart) | 881105310141 (child 220418630396), 930220407896 (child 220311501502) over HTTP |
 Screenshots go to
``test-artifacts/`` so that a person can look at what the tests saw.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright

from infra.local.harness import StackProcess

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
TIMEOUT_MS = 30_000  # a signed submission renders its PDFs before it answers
DESKTOP = {"width": 1366, "height": 900}
PHONE = {"width": 390, "height": 844}


expect.set_options(timeout=TIMEOUT_MS)


def require_chromium() -> None:
    """Skip when chromium is missing on a developer's machine; in CI it must be there."""
    if CHROMIUM.exists():
        return
    if os.environ.get("CI"):
        pytest.fail(f"{CHROMIUM} is missing in CI: .ci/run installs the chromium package")
    pytest.skip(f"{CHROMIUM} is not installed (apt-get install chromium)")


@contextlib.contextmanager
def chromium() -> Iterator[Browser]:
    """Debian's chromium, headless, for the duration of the block."""
    require_chromium()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@contextlib.contextmanager
def new_page(browser: Browser, viewport: dict[str, int] = DESKTOP) -> Iterator[Page]:
    """A page in a fresh browser context (its own sessionStorage), failing on script errors."""
    context = browser.new_context(viewport=viewport, locale="kk-KZ", timezone_id="Asia/Almaty")
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    try:
        yield page
        assert not errors, f"script errors on the page: {errors}"
    finally:
        context.close()


def screenshot(page: Page, name: str) -> Path:
    """Save the whole page as ``test-artifacts/<name>.png``."""
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def on_phone(page: Page, name: str, *, accessible: str | None = None) -> None:
    """The page (in Russian) at 390 × 844: nothing scrolls sideways, axe-core once if asked, screenshots
    ``<name>-phone-ru`` and, after switching, ``<name>-phone-kk``; then back to 1366 × 900 in Kazakh."""
    page.set_viewport_size(PHONE)
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), f"{name} scrolls sideways"
    if accessible:
        assert_accessible(page, accessible)
    screenshot(page, f"{name}-phone-ru")
    switch_language(page, "kk")
    screenshot(page, f"{name}-phone-kk")
    page.set_viewport_size(DESKTOP)


def assert_accessible(page: Page, what: str) -> None:
    """axe-core (the copy the ``axe-playwright-python`` package ships) finds no violation on the page."""
    from axe_playwright_python.sync_playwright import Axe

    violations = Axe().run(page).response["violations"]
    summary = [
        f"{v['id']} ({v['impact']}): {v['help']} — " + "; ".join(n["target"][0] for n in v["nodes"][:3])
        for v in violations
    ]
    assert not violations, f"accessibility violations on {what}: {summary}"


def use_identity(stack: StackProcess, iin: str, *, key: str = "auto", mode: str = "sign") -> dict[str, Any]:
    """Tell the NCALayer stand-in who signs next, with which key, or that the person cancels."""
    query = urllib.parse.urlencode({"iin": iin, "key": key, "mode": mode})
    request = urllib.request.Request(f"{stack.ncalayer_control}?{query}", method="POST")
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.loads(response.read())


def switch_language(page: Page, language: str) -> None:
    """Press the header's language switch (``kk`` or ``ru``)."""
    page.locator(f".lang-btn[data-lang='{language}']").click()
    page.wait_for_function("lang => document.documentElement.lang === lang", arg=language)


def label(text: str) -> re.Pattern[str]:
    """A form label that starts with ``text`` (required fields carry a trailing asterisk)."""
    return re.compile(rf"^{re.escape(text)}")


def sign_in(page: Page, stack: StackProcess) -> None:
    """Open the page and sign in with the EDS as the stand-in's active identity."""
    page.goto(f"{stack.web}/")
    page.get_by_role("button", name="ЭЦҚ арқылы кіру").click()
    page.wait_for_url(re.compile(r"#/(contacts|applications)$"))


def give_contacts(page: Page, email: str, phone: str) -> None:
    """Fill and save the contacts form (shown on the first sign-in)."""
    page.get_by_label(label("Электрондық пошта")).first.fill(email)
    page.get_by_label(label("Ұялы телефон")).fill(phone)
    page.get_by_role("button", name="Сақтау").click()


def partner_call(
    stack: StackProcess,
    kindergarten_id: str,
    method: str,
    path: str,
    body: Any = None,
    *,
    idempotency_key: str | None = None,
) -> Any:
    """A kindergarten's portal calling the partner API with its demo key (printed by the stack)."""
    keys = json.loads((stack.state_dir / "ready.json").read_text(encoding="utf-8"))["partner_keys"]
    headers = {"Authorization": f"Bearer {keys[kindergarten_id]}", "Accept": "application/json"}
    data = None
    if body is not None:
        data = json.dumps(body).encode()
        headers["Content-Type"] = "application/json"
    if method == "POST":
        headers["Idempotency-Key"] = idempotency_key or f"web-{uuid.uuid4()}"
    request = urllib.request.Request(f"{stack.api}{path}", data=data, method=method, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return json.loads(response.read())
    except urllib.error.HTTPError as error:
        raise AssertionError(f"{method} {path}: {error.code} {error.read().decode('utf-8', 'replace')}") from None


AUTH_OID = "1.3.6.1.5.5.7.3.2"


class ApiParent:
    """A parent who uses the API directly (what the page does, without a browser): signed in with
    the AUTH key through the NCALayer stand-in, signing documents with the signing key; signed in
    again when the clock moved past the session."""

    def __init__(self, stack: StackProcess, iin: str, email: str, phone: str) -> None:
        self.stack, self.iin, self.email, self.phone = stack, iin, email, phone
        self.token = ""
        self.sign_in()

    def sign(self, xml: str, *, auth: bool = False) -> str:
        from infra.local.signin import sign_with_ncalayer

        return sign_with_ncalayer(self.stack.ncalayer, xml, iin=self.iin, oids=[AUTH_OID] if auth else [])

    def sign_in(self) -> None:
        status, challenge = api_call(self.stack, "POST", "/auth/challenge", {"audience": "parent"})
        assert status in (200, 201), challenge
        signed = self.sign(challenge["xml"], auth=True)
        status, body = api_call(self.stack, "POST", "/auth/sign-in", {"signed_xml": signed})
        assert status in (200, 201), body
        self.token = body["token"]
        if body["needs_contacts"]:
            status, saved = self.call("PUT", "/me/contacts", {"email": self.email, "phone": self.phone})
            assert status == 200, saved

    def call(self, method: str, path: str, body: Any = None) -> tuple[int, Any]:
        status, answer = api_call(self.stack, method, path, body, self.token)
        if status == 401:  # the session ended while the clock moved on
            self.sign_in()
            status, answer = api_call(self.stack, method, path, body, self.token)
        return status, answer

    def put_in_queue(self, child_iin: str, district: str, kindergarten_id: str, address: dict[str, str]) -> str:
        """Draft, sign and send an application in Kazakh; its registration number."""
        draft = {
            "applicant": {"address": address, "email": self.email, "phone": self.phone},
            "child": {"iin": child_iin},
            "region": "astana",
            "district": district,
            "kindergartens": [kindergarten_id],
            "language": "kk",
        }
        status, drafted = self.call("POST", "/applications/draft", draft)
        assert status in (200, 201), drafted
        status, filed = self.call("POST", "/applications", {"signed_xml": self.sign(drafted["xml"])})
        assert status == 201, filed
        return filed["id"]

    def withdraw(self, application_id: str, reason: str) -> None:
        path = f"/applications/{urllib.parse.quote(application_id)}/withdraw"
        status, drafted = self.call("POST", f"{path}/draft", {"reason": reason})
        assert status in (200, 201), drafted
        status, done = self.call("POST", path, {"signed_xml": self.sign(drafted["xml"])})
        assert status in (200, 201), done


def api_call(stack: StackProcess, method: str, path: str, body: Any = None, token: str = "") -> tuple[int, Any]:
    headers = {"Content-Type": "application/json", "Accept": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(f"{stack.api}{path}", data=data, method=method, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, json.loads(response.read() or b"null")
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"null")


def clock_now(stack: StackProcess) -> datetime:
    status, clock = api_call(stack, "GET", "/local/clock")
    assert status == 200, clock
    return datetime.fromisoformat(clock["now"])


def move_clock(stack: StackProcess, by: timedelta) -> datetime:
    """Move the stack's clock forward by ``by`` (it never goes back) and run the timers; the new instant."""
    instant = clock_now(stack) + by
    status, moved = api_call(stack, "POST", "/local/clock", {"to": instant.isoformat()})
    assert status == 200, moved
    status, runs = api_call(stack, "POST", "/local/timers/run")
    assert status == 200, runs
    return instant
