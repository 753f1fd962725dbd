"""Operators' screens (operator.html) in a real browser: sign-in with the EDS, by role and region.

A demo parent no other test uses (Бекова Гүлмира, 890411441071) puts her son Нұрали (born 2023) in
the queue for № 78 in Нұра district with a benefit claim and a scan, through the API and the NCALayer
stand-in. Then, in the browser:

- the Karaganda operator (Сұлтанов Ерлан, 840923333059) sees none of it, and publishes a vacancy
  in a Karaganda kindergarten (nobody is in that queue, so no direction is issued);
- the Astana education-department operator (Қасымов Бауыржан, 820217350007) sees the claim with
  its scan on the page, approves it, runs a report and opens it by the e-mail's link, looks at the
  overdue list and the dead letters, corrects the applicant's phone with a reason, and refuses the
  application with a motivated answer he signs with his EDS; the parent then sees the refusal in
  the history and its document;
- the service-centre operator (Мұхамеджанова Әсел, 930909450177) sees only her screens, and files an
  application for a mother who came to the desk (Нұрланова Динара, 930220407896, son Ерасыл): the
  registry gives the mother and the child, the operator's own signature is refused when the mother
  must sign, the mother signs in the operator's browser, the documents print as one PDF; the mother
  then finds the application in her journal. She leaves without her documents: the stack's clock
  moves 16 minutes on and the hand-over (15 minutes) is overdue on the desk's screen in both
  languages until the desk says the result was handed over.
"""

from __future__ import annotations

import io
import json
import re
import time
import urllib.error
import urllib.parse
import urllib.request
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from infra.local.harness import StackProcess
from infra.local.signin import sign_with_ncalayer
from tests.e2e.browser import PHONE, assert_accessible, new_page, screenshot, switch_language, use_identity

pytestmark = [pytest.mark.e2e, pytest.mark.browser, pytest.mark.xdist_group("web")]

GULMIRA = "890411441071"
NURALI = "230314553117"
KASYMOV = "820217350007"  # education department, Astana
SULTANOV = "840923333059"  # education department, Karaganda region
MUKHAMEDZHANOVA = "930909450177"  # service centre, Есіл district of Astana
DINARA = "930220407896"  # a mother of Есіл district who comes to the service centre
ERASYL = "220311501502"  # her son
AUTH_OID = "1.3.6.1.5.5.7.3.2"
MOTIVATION_KK = "Өтініштегі мекенжай халықты тіркеу деректеріне сәйкес келмейді."
MOTIVATION_RU = "Адрес в заявлении не совпадает с данными регистрации населения."


def call(stack: StackProcess, method: str, path: str, body: Any = None, token: str | None = None) -> tuple[int, Any]:
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(f"{stack.api}{path}", data=data, method=method, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, json.loads(response.read() or b"null")
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"null")


def scan_jpeg() -> bytes:
    """A scan a person can recognise on the screenshot: a certificate-like page."""
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (420, 300), "white")
    draw = ImageDraw.Draw(image)
    draw.rectangle((10, 10, 409, 289), outline=(27, 95, 193), width=4)
    draw.text((30, 40), "ANYQTAMA / SPRAVKA", fill=(20, 20, 20))
    draw.text((30, 80), "Kop baly otbasy / Mnogodetnaya semya", fill=(20, 20, 20))
    draw.text((30, 120), "Bekova G. A.  890411441071", fill=(20, 20, 20))
    draw.ellipse((300, 180, 390, 270), outline=(180, 30, 40), width=3)
    out = io.BytesIO()
    image.save(out, "JPEG", quality=85)
    return out.getvalue()


def file_with_benefit(stack: StackProcess) -> str:
    """The parent signs in, uploads a scan and files the application with a benefit claim (via NCALayer)."""
    import requests

    _, challenge = call(stack, "POST", "/auth/challenge", {"audience": "parent"})
    signed = sign_with_ncalayer(stack.ncalayer, challenge["xml"], iin=GULMIRA, oids=[AUTH_OID])
    status, body = call(stack, "POST", "/auth/sign-in", {"signed_xml": signed})
    assert status == 200, body
    token = body["token"]
    if body["needs_contacts"]:
        assert (
            call(stack, "PUT", "/me/contacts", {"email": "gulmira@mail.kz", "phone": "+77017654321"}, token)[0] == 200
        )
    content = scan_jpeg()
    status, slot = call(
        stack,
        "POST",
        "/uploads",
        {"purpose": "benefit", "file_name": "anyqtama.jpg", "content_type": "image/jpeg", "size": len(content)},
        token,
    )
    assert status == 201, slot
    sent = requests.post(
        slot["url"], data=slot["fields"], files={"file": ("anyqtama.jpg", content, "image/jpeg")}, timeout=30
    )
    assert sent.status_code < 300, sent.text
    assert call(stack, "POST", f"/uploads/{slot['upload_id']}/complete", {}, token)[0] == 200
    draft = {
        "applicant": {
            "address": {
                "city": "Астана",
                "district": "Нұра ауданы",
                "street": "Тұран даңғылы",
                "house": "37",
                "flat": "12",
            },
            "email": "gulmira@mail.kz",
            "phone": "+77017654321",
        },
        "child": {"iin": NURALI},
        "region": "astana",
        "district": "nura",
        "kindergartens": ["ast-nura-078"],
        "language": "kk",
        "benefit": "large_family",
        "attachments": [slot["upload_id"]],
    }
    status, drafted = call(stack, "POST", "/applications/draft", draft, token)
    assert status == 200, drafted
    signed = sign_with_ncalayer(stack.ncalayer, drafted["xml"], iin=GULMIRA, oids=[])
    status, filed = call(stack, "POST", "/applications", {"signed_xml": signed}, token)
    assert status == 201, filed
    return filed["id"]


def operator_sign_in(page: Page, stack: StackProcess, iin: str, after: str = "") -> None:
    use_identity(stack, iin)
    page.goto(f"{stack.web}/operator.html#{after}")
    page.get_by_role("button", name="ЭЦҚ арқылы кіру").click()
    expect(page.get_by_role("button", name="Шығу")).to_be_visible()


def look(page: Page, name: str, what: str) -> None:
    screenshot(page, name)
    assert_accessible(page, what)


def test_operators_work_their_screens_by_role_and_region(stack: StackProcess, browser: Browser):
    application = file_with_benefit(stack)

    # the Karaganda operator sees nothing of Astana: no claim, no application, only his kindergartens
    with new_page(browser) as page:
        operator_sign_in(page, stack, SULTANOV)
        expect(page.get_by_role("heading", name="Жеңілдіктерді тексеру")).to_be_visible()
        expect(page.get_by_text("Тексеруді күтіп тұрған өтініш жоқ.")).to_be_visible()
        page.goto(f"{stack.web}/operator.html#applications/{application}")
        expect(page.get_by_text("Бұл өтініш сіздің өңіріңізге (ауданыңызға) жатпайды.")).to_be_visible()
        page.goto(f"{stack.web}/operator.html#vacancies")
        expect(page.locator("select[name=kindergarten_id] option").nth(1)).to_be_attached()
        options = page.locator("select[name=kindergarten_id] option").all_inner_texts()
        assert len(options) > 1 and not any("Астана" in o or "Балдырған" in o for o in options), options
        page.locator("select[name=kindergarten_id]").select_option(index=1)
        page.locator("select[name=group_id]").select_option(index=1)
        page.get_by_role("button", name="Бос орындарды жариялау").click()
        expect(page.get_by_text(re.compile(r"Жарияланды: 1 орын"))).to_be_visible()
        look(page, "web-operator-vacancies-kk", "the vacancies screen")

    # the Astana operator: the claim with its scan shown on the page, in both languages
    with new_page(browser) as page:
        operator_sign_in(page, stack, KASYMOV)
        claim = page.locator(f"[data-testid=claim][data-application='{application}']")
        expect(claim).to_be_visible()
        scan = claim.get_by_test_id("scan")
        expect(scan).to_be_visible()
        page.wait_for_function("img => img.complete && img.naturalWidth === 420", arg=scan.element_handle())
        assert scan.get_attribute("src", timeout=5000).startswith("blob:")
        expect(claim).to_contain_text("Беков Нұрали")
        look(page, "web-operator-checks-kk", "the benefit-check queue (kk)")
        switch_language(page, "ru")
        expect(page.get_by_role("heading", name="Проверка льгот")).to_be_visible()
        expect(claim.get_by_role("button", name="Подтвердить льготу")).to_be_visible()
        look(page, "web-operator-checks-ru", "the benefit-check queue (ru)")
        claim.get_by_role("button", name="Подтвердить льготу").click()
        expect(page.get_by_text(f"Льгота подтверждена: {application}.")).to_be_visible()
        switch_language(page, "kk")

        # the overdue list and the dead letters (nothing is late or stuck on this stack)
        page.get_by_role("link", name="Мерзімі өткендер").click()
        expect(page.get_by_text("Мерзімі өткен қадам жоқ.")).to_be_visible()
        page.get_by_role("link", name="Тоқтаған тапсырмалар").click()
        expect(page.get_by_role("heading", name="Тоқтаған тапсырмалар")).to_be_visible()
        assert_accessible(page, "the dead letters")

        # a report run now, listed, and downloaded
        page.get_by_role("link", name="Есептер").click()
        page.get_by_label(re.compile("^Кезең")).fill("2026-12")
        page.get_by_role("button", name="Есеп жасау").first.click()
        expect(page.get_by_text("Есеп дайын: region-astana/month/2026-12.")).to_be_visible()
        row = page.get_by_test_id("reports").get_by_role("row").filter(has_text="region-astana/month/2026-12")
        expect(row).to_be_visible()
        look(page, "web-operator-reports-kk", "the reports")

        # a data correction with its reason: the phone was typed wrong
        page.goto(f"{stack.web}/operator.html#applications/{application}")
        fix = page.get_by_test_id("correction-form")
        expect(fix.locator("input[name=phone]")).to_have_value("+77017654321")
        fix.locator("input[name=phone]").fill("+7 701 765 43 22")
        fix.get_by_label(re.compile("^Түзетудің себебі")).fill(
            "Телефон нөмірі қате жазылған / Телефон указан с ошибкой"
        )
        fix.get_by_role("button", name="Түзетуді сақтау").click()
        expect(page.get_by_text("Түзету сақталды")).to_be_visible()
        expect(page.get_by_test_id("history")).to_contain_text("өтініштегі деректерді түзетті: ұялы телефон")

        # the refusal: a motivated answer in both languages, signed with the operator's EDS
        form = page.get_by_test_id("refusal-form")
        expect(form).to_be_visible()
        form.get_by_role("button", name="ЭЦҚ-мен қол қою және бас тарту").click()
        expect(form.locator(".has-error").first).to_be_visible()  # nothing chosen nor written: named at the fields
        form.locator("select[name=ground]").select_option("false_data")
        form.get_by_label(re.compile("^Дәлелі \\(қазақ")).fill(MOTIVATION_KK)
        form.get_by_label(re.compile("^Дәлелі \\(орыс")).fill(MOTIVATION_RU)
        look(page, "web-operator-refusal-kk", "the refusal form")
        form.get_by_role("button", name="ЭЦҚ-мен қол қою және бас тарту").click()
        expect(page.get_by_text("Бас тарту тіркелді")).to_be_visible()
        expect(page.get_by_test_id("status")).to_have_text("Қызмет көрсетуден бас тартылды")
        expect(page.get_by_test_id("history")).to_contain_text(MOTIVATION_KK.rstrip("."))
        switch_language(page, "ru")
        expect(page.get_by_test_id("history")).to_contain_text("Основание: установлена недостоверность")
        look(page, "web-operator-refused-ru", "the refused application (ru)")

    # the report's e-mail link opens the report after the sign-in
    with new_page(browser) as page:
        operator_sign_in(page, stack, KASYMOV, after="reports/region-astana/month/2026-12")
        report = page.get_by_test_id("report")
        expect(report).to_be_visible()
        with page.expect_download() as download:
            report.get_by_role("button", name="PDF жүктеу").click()
        assert download.value.suggested_filename.endswith(".pdf")

    # the parent sees the refusal in the history and its document
    with new_page(browser) as page:
        use_identity(stack, GULMIRA)
        page.goto(f"{stack.web}/#/applications/{application}/history")
        page.get_by_role("button", name="ЭЦҚ арқылы кіру").click()
        expect(page.get_by_text("Білім басқармасы қызмет көрсетуден бас тартты").first).to_be_visible()
        expect(page.get_by_text(MOTIVATION_KK.rstrip(".")).first).to_be_visible()
        deadline = time.monotonic() + 30  # the document is a job: the local worker renders it
        while "refusal" not in _document_kinds(stack, application) and time.monotonic() < deadline:
            time.sleep(0.5)
        page.goto(f"{stack.web}/#/applications/{application}/documents")
        expect(page.get_by_text("Мемлекеттік қызмет көрсетуден бас тарту туралы дәлелді жауап").first).to_be_visible()
        screenshot(page, "web-operator-parent-documents-kk")

    # the service-centre operator sees only her screens, on a phone too
    with new_page(browser, PHONE) as page:
        operator_sign_in(page, stack, MUKHAMEDZHANOVA)
        links = page.locator("#nav a").all_inner_texts()
        assert links == ["Жеңілдіктерді тексеру", "Өтініштер", "Ата-ана атынан өтініш", "Мерзімі өткендер"], links
        page.goto(f"{stack.web}/operator.html#reports")
        expect(page.get_by_text("Бұл бөлім сіздің рөліңізге қолжетімсіз.")).to_be_visible()
        page.goto(f"{stack.web}/operator.html#checks")
        expect(page.get_by_role("heading", name="Жеңілдіктерді тексеру")).to_be_visible()
        look(page, "web-operator-phone-kk", "the service centre's queue on a phone")
        # her area is Есіл district: an application of Нұра district is not hers
        page.goto(f"{stack.web}/operator.html#applications/{application}")
        expect(page.get_by_text("Бұл өтініш сіздің өңіріңізге (ауданыңызға) жатпайды.")).to_be_visible()


def parent_with_contacts(stack: StackProcess, iin: str, email: str, phone: str) -> str:
    """A parent signed in once through the API with contacts given (the journal opens without the contacts step)."""
    _, challenge = call(stack, "POST", "/auth/challenge", {"audience": "parent"})
    signed = sign_with_ncalayer(stack.ncalayer, challenge["xml"], iin=iin, oids=[AUTH_OID])
    status, body = call(stack, "POST", "/auth/sign-in", {"signed_xml": signed})
    assert status == 200, body
    if body["needs_contacts"]:
        assert call(stack, "PUT", "/me/contacts", {"email": email, "phone": phone}, body["token"])[0] == 200
    return body["token"]


def test_the_service_centre_files_for_a_parent_at_the_desk(stack: StackProcess, browser: Browser):
    import subprocess
    from pathlib import Path

    with new_page(browser) as page:
        operator_sign_in(page, stack, MUKHAMEDZHANOVA, after="file")
        expect(page.get_by_role("heading", name="Ата-ана атынан өтініш")).to_be_visible()
        page.get_by_label(re.compile("^Ата-ананың ЖСН-і")).fill(DINARA)
        page.get_by_role("button", name="Тізілімнен табу").click()
        form = page.get_by_test_id("desk-form")
        expect(form).to_contain_text("Нұрланова Динара Серікқызы")
        expect(form.locator("select[name=child_iin]")).to_have_value(ERASYL)  # her only child in the registry
        expect(form.locator("input[name=street]")).to_have_value("Сейфуллин көшесі")  # the registry's address
        form.locator("select[name=kindergarten]").select_option("ast-esil-012")
        form.locator("input[name=email]").fill("dinara@mail.kz")
        form.locator("input[name=phone]").fill("+77015550011")
        look(page, "web-operator-desk-kk", "the service centre's desk (kk)")
        # the mother must sign: the operator's own key is refused, nothing is registered
        form.get_by_role("button", name="ЭЦҚ-мен қол қою және тіркеу").click()
        expect(
            page.get_by_text("Заявление должен подписать сам родитель")
            .or_(page.get_by_text("Өтінішке ата-ананың өзі"))
            .first
        ).to_be_visible()
        # the mother chooses her key in the NCALayer of the operator's browser
        use_identity(stack, DINARA)
        form.get_by_role("button", name="ЭЦҚ-мен қол қою және тіркеу").click()
        expect(page.get_by_text(re.compile(r"Өтініш тіркелді: \S+\. Кезектегі нөмірі: \d+\."))).to_be_visible()
        result = page.get_by_test_id("desk-result")
        number = result.locator(".reg-number").inner_text()
        expect(result).to_contain_text("ата-ана өтінішке өз ЭЦҚ-сымен қол қойды")
        pack = page.get_by_test_id("pack")
        expect(pack).to_be_visible(timeout=30000)  # the four documents are jobs: rendered within seconds
        assert pack.get_attribute("src").startswith("blob:")
        with page.expect_download() as download:
            page.get_by_test_id("pack-download").click()
        pdf = Path(download.value.path()).read_bytes()
        info = subprocess.run(["pdfinfo", "-"], input=pdf, capture_output=True, check=True).stdout.decode()
        text = subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True).stdout.decode()
        assert int(re.search(r"Pages:\s+(\d+)", info).group(1)) >= 4
        assert " ".join(text.split()).count(number) >= 4 and "Нұрланов" in text
        switch_language(page, "ru")
        expect(page.get_by_role("heading", name="Заявление за родителя")).to_be_visible()
        look(page, "web-operator-desk-ru", "the filed application and its pack (ru)")
        # the application's page shows the desk and the consent, and the history says who filed it
        result.locator(".reg-number").click()
        expect(page.get_by_text("родитель подписал заявление своей ЭЦП", exact=True)).to_be_visible()
        expect(page.get_by_test_id("history")).to_contain_text("Заявление подал оператор ЦОН за родителя")

        # the mother leaves without her documents: 16 minutes later (the stack's movable clock) the hand-over
        # (appendix 3, table 2, step 15: 15 minutes) is overdue on the desk's screen, in both languages
        status, moved = call(stack, "POST", "/local/clock", {"advance": "PT16M"})
        assert status == 200, moved
        page.goto(f"{stack.web}/operator.html#overdue")
        late = page.get_by_test_id("overdue-district").filter(has_text=number)
        expect(late).to_contain_text("Выдача результата")
        expect(late).to_contain_text("15 мин")
        how_late = late.get_by_role("row").filter(has_text=number).locator(".badge-danger")
        expect(how_late).to_have_text(re.compile(r"^[1-4] мин$"))  # 16 minutes after filing, 15 allowed
        look(page, "web-operator-overdue-ru", "the overdue hand-over (ru)")
        switch_language(page, "kk")
        expect(late).to_contain_text("Нәтижені беру")
        expect(late).to_contain_text("15 минут")
        expect(late).to_contain_text("Есіл")
        look(page, "web-operator-overdue-kk", "the overdue hand-over (kk)")
        # she comes back, gets them, and the desk says so: the step ends and leaves the list
        late.get_by_role("row").filter(has_text=number).get_by_test_id("hand-over").click()
        expect(page.get_by_text(f"Нәтиже берілді: {number}.")).to_be_visible()
        expect(page.get_by_test_id("overdue-district").filter(has_text=number)).to_have_count(0)

    # the mother signs in with the same IIN and finds it in her journal, with the desk in its history
    parent_with_contacts(stack, DINARA, "dinara@mail.kz", "+77015550011")
    with new_page(browser) as page:
        use_identity(stack, DINARA)
        page.goto(f"{stack.web}/#/applications/{number}/history")
        page.get_by_role("button", name="ЭЦҚ арқылы кіру").click()
        expect(page.get_by_text("Өтінішті ХҚКО операторы ата-ананың атынан берді").first).to_be_visible()
        screenshot(page, "web-operator-desk-parent-history-kk")
        page.goto(f"{stack.web}/#/applications/{number}")
        expect(page.get_by_text("ата-ана өтінішке өз ЭЦҚ-сымен қол қойды", exact=True)).to_be_visible()


def _document_kinds(stack: StackProcess, application: str) -> list[str]:
    _, challenge = call(stack, "POST", "/auth/challenge", {"audience": "parent"})
    signed = sign_with_ncalayer(stack.ncalayer, challenge["xml"], iin=GULMIRA, oids=[AUTH_OID])
    _, body = call(stack, "POST", "/auth/sign-in", {"signed_xml": signed})
    path = f"/applications/{urllib.parse.quote(application, safe='')}/documents"
    _, documents = call(stack, "GET", path, token=body["token"])
    return [d["kind"] for d in documents.get("items", [])]
