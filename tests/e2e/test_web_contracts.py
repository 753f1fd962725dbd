"""Electronic contracts in a real browser (seed 000): the six-step wizard, sending, the kindergarten's signature.

Against the browser tests' local stack: a parent puts her son in the queue for № 7 «Балапан»
(a kindergarten that concludes contracts electronically), the kindergarten publishes a vacancy and
the child gets a direction. The parent presses «Шарт жасасу» on the direction and goes through the
wizard: the information, the EDS check with the AUTH key, the legal representative, the contract
details (a payment-card number where the IBAN belongs is refused at that field), the JPEG
documents and the confirmation, signed with the signing key. The kindergarten refuses once with a
reason, the parent corrects the details and sends again, and the kindergarten's head signs through
the partner API with the organisation's certificate: the «Шарттар» section shows «Қол қойылды»,
the validity «мерзімсіз», the text and the PDF.
"""

from __future__ import annotations

import base64
import contextlib
import io
import json
import re
import urllib.error
import urllib.request
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from infra.local.harness import StackProcess
from infra.local.partner import main as partner_tool
from tests.e2e.browser import (
    DESKTOP,
    PHONE,
    assert_accessible,
    give_contacts,
    label,
    on_phone,
    partner_call,
    screenshot,
    sign_in,
    switch_language,
    use_identity,
)

pytestmark = [pytest.mark.e2e, pytest.mark.browser, pytest.mark.xdist_group("web")]

# Demo family (infra/local/demo/population.json): Омарова Сәуле of Сарыарқа district and her son
# Темірлан (born 2021-02-14). test_web_signin.py signs her in too, in a way that does not depend on
# what she has filed; no other browser test puts Темірлан in a queue.
SAULE = "950512410282"
TEMIRLAN = ("210214530656", "Омаров", "Темірлан")
BALAPAN = "ast-saryarka-007"  # № 7 «Балапан»: state, electronic contracts, kk + ru, from 2 years
CARD_NUMBER = "4400430123456789"  # a VISA card number (passes Luhn), not an account number
KASPI_IBAN = "KZ84 722C 0000 1234 5678"  # a valid IBAN of Kaspi Bank (bank code 722)
MINIMAL_JPEG = base64.b64decode(
    "/9j/4AAQSkZJRgABAQAAAQABAAD/2wBDABALDA4MChAODQ4SERATGCgaGBYWGDEjJR0oOjM9PDkzODdASFxOQERXRTc4UG1RV19iZ2hn"
    "Pk1xeXBkeFxlZ2P/wAALCAAIAAgBAREA/8QAHwAAAQUBAQEBAQEAAAAAAAAAAAECAwQFBgcICQoL/8QAtRAAAgEDAwIEAwUFBAQAAAF9"
    "AQIDAAQRBRIhMUEGE1FhByJxFDKBkaEII0KxwRVS0fAkM2JyggkKFhcYGRolJicoKSo0NTY3ODk6Q0RFRkdISUpTVFVWV1hZWmNkZWZn"
    "aGlqc3R1dnd4eXqDhIWGh4iJipKTlJWWl5iZmqKjpKWmp6ipqrKztLW2t7i5usLDxMXGx8jJytLT1NXW19jZ2uHi4+Tl5ufo6erx8vP0"
    "9fb3+Pn6/9oACAEBAAA/ACv/2Q=="
)


def jpeg(shade: int) -> bytes:
    """A small real JPEG (a grey square), made with Pillow when it is installed."""
    try:
        from PIL import Image
    except ImportError:
        return MINIMAL_JPEG
    out = io.BytesIO()
    Image.new("RGB", (96, 96), (shade, 120, 200)).save(out, "JPEG", quality=70)
    return out.getvalue()


def partner(stack: StackProcess, method: str, path: str, body: Any = None) -> Any:
    """«Балапан»'s portal calling the partner API with its demo key."""
    return partner_call(stack, BALAPAN, method, path, body)


def head_at_the_terminal(stack: StackProcess, *command: str) -> Any:
    """What a kindergarten's developer types: ``python -m infra.local.partner <command>`` (its JSON answer)."""
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        code = partner_tool(["--ready-file", str(stack.state_dir / "ready.json"), *command])
    answer = json.loads(printed.getvalue())
    assert code == 0, answer
    return answer


def child_with_a_direction(page: Page, stack: StackProcess) -> str:
    """Сәуле signs in, puts Темірлан in the queue for «Балапан», and the kindergarten offers him a seat."""
    use_identity(stack, SAULE)
    sign_in(page, stack)
    if page.url.endswith("#/contacts"):
        give_contacts(page, "saule@example.kz", "+7 702 555 12 34")
    expect(page.get_by_role("heading", name="Өтініштер журналы")).to_be_visible()
    iin, surname, given_name = TEMIRLAN
    page.get_by_role("link", name="Баланы кезекке қою").first.click()
    page.get_by_role("button", name="Әрі қарай").click()
    page.get_by_label(label("Баланың ЖСН")).fill(iin)
    page.get_by_label(label("Тегі")).fill(surname)
    page.get_by_label(label("Аты")).fill(given_name)
    page.get_by_label(label("Өңір")).select_option("astana")
    page.get_by_label(label("Аудан (қала)")).select_option("saryarka")
    page.get_by_label("қазақ тілі", exact=True).check()
    page.locator(".kg", has_text="Балапан").locator("input[type=checkbox]").check()
    page.get_by_role("button", name="Әрі қарай").click()
    page.get_by_role("button", name="Қол қою және жіберу").click()
    expect(page.get_by_role("heading", name="Балаңыз кезекке сәтті қойылды")).to_be_visible()
    page.get_by_role("link", name="Өтінішті ашу").click()
    expect(page.get_by_role("tab", name="Өтініш туралы ақпарат")).to_have_attribute("aria-selected", "true")
    published = partner(stack, "POST", "/partner/vacancies", {"group_id": "2021-kk", "seats": 1})
    issued = published["allocation"]["issued"]
    assert issued, published
    page.reload()
    return issued[0]


def upload(page: Page, slot: str, name: str, data: bytes, mime: str = "image/jpeg") -> None:
    page.locator(f"[data-field='{slot}'] input[type=file]").set_input_files(
        {"name": name, "mimeType": mime, "buffer": data}
    )


def test_a_parent_concludes_an_electronic_contract_and_the_kindergarten_signs_it(stack: StackProcess, page: Page):
    # given a child with a direction to a kindergarten that concludes contracts electronically
    direction = child_with_a_direction(page, stack)
    application_view = page.url
    row = page.locator(".directions tbody tr", has_text=direction)
    expect(row.locator("[data-clock='running']")).to_contain_text("жұмыс күні қалды")
    start = row.get_by_role("button", name="Шарт жасасу")
    expect(start).to_be_visible()
    screenshot(page, "web-contract-direction-kk")

    # when the parent presses «Шарт жасасу»
    start.click()

    # then the wizard opens at step 1 with the seed's information, under a contract number
    expect(page.get_by_role("heading", name="Электрондық шарттарды жасасу")).to_be_visible()
    expect(page.locator(".step.is-current")).to_contain_text("Шарт жасасу туралы ақпарат")
    expect(page.locator(".stepper .step")).to_have_count(6)
    expect(page.get_by_text("балабақшаға барудың қажеті жоқ", exact=False)).to_be_visible()
    number = re.search(r"#/contracts/([^/]+)$", page.url).group(1)
    assert re.fullmatch(r"\d{2}\.\d{2}-\d{2}\.\d{2}\.\d{3,}", number), number
    screenshot(page, "web-contract-step1-kk")
    page.get_by_role("button", name="Әрі қарай").click()

    # step 2: the EDS check with the AUTH key; the warning of the seed is there
    expect(page.locator(".step.is-current")).to_contain_text("ЭЦҚ тексеру")
    expect(page.get_by_text("ЭЦҚ жеке кабинеттің иесіне тіркелген болу керек")).to_be_visible()
    screenshot(page, "web-contract-step2-kk")
    page.get_by_role("button", name="ЭЦҚ таңдау").click()

    # step 3: the legal representative, prefilled from the account; the parent adds her work
    expect(page.locator(".step.is-current")).to_contain_text("Заңды өкіл туралы мәліметтер")
    expect(page.get_by_label(label("ЖСН"))).to_have_value(SAULE)
    expect(page.get_by_label(label("Тегі"))).to_have_value("Омарова")
    expect(page.get_by_text("Дұрыс деректерді көрсетіңіз", exact=False)).to_be_visible()
    page.get_by_label(label("Өкілеттіктер")).select_option("parent")
    page.get_by_label(label("Жұмыс орны")).fill("«Астана су арнасы» МКК")
    page.get_by_label(label("Қызметі")).fill("Инженер")
    screenshot(page, "web-contract-step3-kk")
    page.get_by_role("button", name="Әрі қарай").click()

    # step 4 (each step is saved: after a reload the wizard opens at the first unfinished one)
    expect(page.locator(".step.is-current")).to_contain_text("Шарттың деректемелері")
    page.reload()
    expect(page.locator(".step.is-current")).to_contain_text("Шарттың деректемелері")
    expect(page.locator(".step.is-done")).to_have_count(3)
    # the contract details, with a card number where the account number belongs
    page.get_by_label(label("Жеке куәліктің түрі")).select_option("id_card")
    page.get_by_label(label("Жеке куәліктің нөмірі")).fill("045678912")
    page.get_by_label(label("Берілген күні")).fill("2019-05-20")
    page.get_by_label(label("Жеке куәлік беретін орган")).fill("ҚР ІІМ")
    page.get_by_label(label("Банк")).first.fill("Kaspi Bank")
    expect(page.get_by_label(label("БИК"))).to_have_value("CASPKZKA")  # the chosen bank's BIC
    page.get_by_label(label("Банк филиалының орналасқан жері")).fill("Астана қ.")
    page.get_by_label(label("ИИК / IBAN")).fill(CARD_NUMBER)
    page.get_by_role("button", name="Әрі қарай").click()

    # then the server's refusal is shown at the IBAN field, in Kazakh and in Russian
    iban = page.locator("[data-field='bank.iban']")
    expect(iban.locator(".field-error")).to_contain_text("Банк картасының (MASTER/VISA) нөмірі")
    expect(page.get_by_label(label("ИИК / IBAN"))).to_have_attribute("aria-invalid", "true")
    expect(page.locator(".step.is-current")).to_contain_text("Шарттың деректемелері")
    screenshot(page, "web-contract-iban-card-kk")
    switch_language(page, "ru")
    expect(iban.locator(".field-error")).to_contain_text("Номер банковской карты (MASTER/VISA)")
    screenshot(page, "web-contract-iban-card-ru")
    switch_language(page, "kk")

    # when the parent gives the account number
    page.get_by_label(label("ИИК / IBAN")).fill(KASPI_IBAN)
    page.get_by_role("button", name="Әрі қарай").click()

    # step 5: the documents; the browser refuses a PNG before sending it
    expect(page.locator(".step.is-current")).to_contain_text("Құжаттарды жүктеу")
    upload(page, "photo", "photo.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, mime="image/png")
    expect(page.locator("[data-field='photo'] .field-error")).to_contain_text("Тек JPEG форматындағы файлды")
    upload(page, "photo", "bala.jpg", jpeg(40))
    upload(page, "health_passport", "densaulyk-pasporty.jpg", jpeg(90))
    upload(page, "health_certificate", "063-u.jpg", jpeg(160))
    for slot in ("photo", "health_passport", "health_certificate"):
        expect(page.locator(f"[data-field='{slot}']")).to_contain_text("жүктелді")
    expect(page.locator("[data-field='photo'] img.doc-preview")).to_be_visible()  # the parent sees the photo
    assert page.locator("[data-field='photo'] img.doc-preview").evaluate("img => img.naturalWidth") > 0
    expect(page.locator("[data-field='photo'] .file-size")).to_have_text(re.compile(r"^\d+ (Б|КБ)$"))  # as «2 МБ»
    assert_accessible(page, "step 5 with the previews of the uploaded photos")
    screenshot(page, "web-contract-step5-kk")
    switch_language(page, "ru")
    screenshot(page, "web-contract-step5-ru")
    on_phone(page, "web-contract-step5")
    page.get_by_role("button", name="Әрі қарай").click()

    # step 6: the contract's text is on the screen, and the draft can be downloaded (a PDF, fetched with the session)
    expect(page.locator(".step.is-current")).to_contain_text("Растау")
    text = page.locator(".contract-text-inline")
    expect(text).to_have_attribute("open", "")
    expect(text.locator(".contract-section").first).to_be_visible()
    assert_accessible(page, "step 6 of the contract")
    screenshot(page, "web-contract-step6-kk")
    switch_language(page, "ru")
    expect(text.locator(".contract-section").first).to_be_visible()
    screenshot(page, "web-contract-step6-ru")
    switch_language(page, "kk")
    page.set_viewport_size(PHONE)
    # on a phone the six steps are one compact row, not six cards before the content
    steps = page.locator(".stepper .step")
    first, last = steps.first.bounding_box(), steps.last.bounding_box()
    middle = lambda box: box["y"] + box["height"] / 2  # noqa: E731
    assert first and last and abs(middle(first) - middle(last)) < 4, (first, last)
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    screenshot(page, "web-contract-step6-phone-kk")
    switch_language(page, "ru")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    screenshot(page, "web-contract-step6-phone-ru")
    switch_language(page, "kk")
    page.set_viewport_size(DESKTOP)
    with page.expect_download() as download:
        page.get_by_role("button", name="Шарт жобасын жүктеу").click()
    assert download.value.path().read_bytes().startswith(b"%PDF")
    # and sending needs the tick «Мен шарттың мазмұнымен таныстым»
    page.get_by_role("button", name="Қол қоюға жіберу").click()
    expect(page.locator("[data-field='read_confirmed'] .field-error")).to_be_visible()
    page.get_by_label("Мен шарттың мазмұнымен таныстым").check()
    page.get_by_role("button", name="Қол қоюға жіберу").click()
    dialog = page.get_by_role("dialog")
    expect(dialog).to_contain_text(f"Сіз №{number} шартты №{direction} жолдама бойынша мектепке дейінгі ұйымға")
    expect(dialog).to_contain_text("Омаров Темірлан")
    screenshot(page, "web-contract-confirm-kk")
    held: list = []  # the sending is held at the network, to see the page while it is under way
    page.route("**/contracts/*/send", lambda route: held.append(route))
    dialog.get_by_role("button", name="Иә, шартты жіберу").click()
    # then while it is being sent, neither the back button nor the step buttons can be pressed
    expect(page.locator("[data-wizard=back]")).to_be_disabled()
    expect(page.locator(".stepper .step-open").first).to_be_disabled()
    expect(page.get_by_role("button", name="Қол қоюға жіберу")).to_be_disabled()
    for _ in range(150):  # the signature comes from NCALayer first
        if held:
            break
        page.wait_for_timeout(100)
    assert held, "the sending did not reach the network"
    expect(page.locator("[data-wizard=back]")).to_be_disabled()
    held[0].continue_()
    page.unroute("**/contracts/*/send")

    # then the contract is sent for signing, with its number, the direction and the sending time
    expect(page.get_by_role("heading", name="Шарт қол қоюға жіберілді!")).to_be_visible()
    sent = page.locator(".contract-sent")
    expect(sent).to_contain_text(number)
    expect(sent).to_contain_text(direction)
    expect(sent.locator(".sent-on")).to_have_text(re.compile(r"Жөнелту күні: \d{2}\.\d{2}\.\d{4}, \d{2}:\d{2}"))
    screenshot(page, "web-contract-sent-kk")
    switch_language(page, "ru")
    expect(page.get_by_role("heading", name="Договор отправлен на подписание!")).to_be_visible()
    screenshot(page, "web-contract-sent-ru")
    switch_language(page, "kk")

    # and while the kindergarten holds it, the direction's clock is paused, with the days it keeps
    sent_view = page.url
    page.goto(application_view)
    paused = row.locator("[data-clock='paused']")
    expect(paused).to_contain_text("Мерзім тоқтатылды")
    expect(paused).to_contain_text(re.compile(r"кейін \d+ жұмыс күні қалады"))
    expect(page.locator("[data-note='paused']")).to_be_visible()
    expect(page.get_by_text("5 жұмыс күні ішінде")).to_have_count(0)  # no countdown beside a paused clock
    assert_accessible(page, "a direction paused while the kindergarten holds the contract")
    screenshot(page, "web-direction-paused-kk")
    switch_language(page, "ru")
    expect(paused).to_contain_text("Срок приостановлен")
    screenshot(page, "web-direction-paused-ru")
    on_phone(page, "web-direction-paused")
    page.goto(sent_view)
    expect(page.get_by_role("heading", name="Шарт қол қоюға жіберілді!")).to_be_visible()

    # when the kindergarten refuses it with a reason
    reason = "Жеке куәліктің нөмірі құжатқа сәйкес келмейді"
    refused = head_at_the_terminal(stack, "refuse-contract", number, "--reason", reason)
    assert refused["status"] == "refused", refused

    # then the direction's clock runs again, with its new last day
    page.goto(application_view)
    expect(row.locator("[data-clock='running']")).to_contain_text("дейін (қоса алғанда)")
    screenshot(page, "web-direction-resumed-kk")
    switch_language(page, "ru")
    expect(row.locator("[data-clock='running']")).to_contain_text("(включительно)")
    screenshot(page, "web-direction-resumed-ru")
    on_phone(page, "web-direction-resumed")

    # then the contract card shows the reason, and the parent corrects the details and sends again
    page.goto(sent_view.removesuffix("/sent"))
    expect(page.get_by_role("heading", name="Шарттың карточкасы")).to_be_visible()
    expect(page.locator(".notice-error")).to_contain_text(reason)
    screenshot(page, "web-contract-refused-kk")
    page.get_by_role("button", name="Деректерді түзету").click()
    expect(page.locator(".step.is-current")).to_contain_text("Заңды өкіл туралы мәліметтер")
    page.locator(".stepper [data-step='details'] button").click()
    page.get_by_label(label("Жеке куәліктің нөмірі")).fill("045678913")
    page.get_by_role("button", name="Әрі қарай").click()
    expect(page.locator(".step.is-current")).to_contain_text("Құжаттарды жүктеу")
    page.get_by_role("button", name="Әрі қарай").click()
    page.get_by_label("Мен шарттың мазмұнымен таныстым").check()
    page.get_by_role("button", name="Қол қоюға жіберу").click()
    page.get_by_role("dialog").get_by_role("button", name="Иә, шартты жіберу").click()
    expect(page.get_by_role("heading", name="Шарт қол қоюға жіберілді!")).to_be_visible()

    # when the kindergarten's head signs it with the organisation's certificate (the terminal helper
    # finds the kindergarten that holds the contract and has NCALayer sign with its BIN's key)
    waiting = partner(stack, "GET", "/partner/contracts?status=sent")["items"]
    assert number in [item["number"] for item in waiting], waiting
    signed = head_at_the_terminal(stack, "sign-contract", number)
    assert signed["status"] == "signed", signed

    # then the direction has no deadline any more, and the history tells every step in one sentence
    page.goto(application_view)
    expect(row.locator("[data-clock='stopped']")).to_contain_text("Мерзім жоқ: бала қабылданды")
    # and what comes next: the kindergarten to bring the child to, its address and phone, the contract
    after = page.locator(f".dir-next[data-next='{direction}']")
    expect(after).to_contain_text("Әрі қарай не істеу керек")
    expect(after).to_contain_text("Балапан")
    expect(after.get_by_role("link", name=f"Шарт № {number}")).to_be_visible()
    # and what it costs, as the contract fixed it
    expect(after.locator("table.prices tbody tr").first).to_be_visible()
    # and the direction's timeline: issued, sent, refused, sent again, signed, admitted — in that order
    steps = page.locator(f"[data-timeline='{direction}'] .tl-step")
    expect(steps).to_have_count(5)
    assert [steps.nth(i).get_attribute("data-step") for i in range(5)] == [
        "issued",
        "refused",
        "sent",
        "signed",
        "enrolled",
    ]
    assert_accessible(page, "a direction after the contract was signed")
    screenshot(page, "web-direction-next-kk")
    switch_language(page, "ru")
    expect(page.locator(f"[data-timeline='{direction}']")).to_contain_text("Ребёнок зачислен в детский сад")
    screenshot(page, "web-direction-next-ru")
    on_phone(page, "web-direction-next")
    page.get_by_role("tab", name="Өзгерістер тарихы").click()
    history = page.get_by_role("tabpanel")
    for said in (
        "Өтініш тіркелді",
        f"№ {direction} жолдама кезектегі орны бойынша берілді",
        f"№ {number} электрондық шартты толтыру басталды",
        "балабақшаға жіберді; балабақша жауап бергенше жолдаманың мерзімі тоқтатылды",
        f"Себебі: {reason}.",
        f"Балабақша № {number} шартқа қол қойды",
        "балабақшаға қабылданды және кезектен шықты",
    ):
        expect(history).to_contain_text(said)
    expect(history.get_by_text("Жүйе", exact=True).first).to_be_visible()
    assert_accessible(page, "the change history")
    screenshot(page, "web-history-contract-kk")
    switch_language(page, "ru")
    expect(history).to_contain_text(f"Детский сад подписал договор № {number}")
    screenshot(page, "web-history-contract-ru")
    on_phone(page, "web-history-contract")
    # one word for one thing: «жолдама», never «бағыт»
    expect(page.locator("main")).not_to_contain_text("бағыт")

    # and «Шарттар» shows it signed, and its card the validity, the text and the final PDF
    page.get_by_role("navigation").get_by_role("link", name="Шарттар").click()
    expect(page.get_by_role("heading", name="Шарттар")).to_be_visible()
    listed = page.locator(f"tr[data-number='{number}']")
    expect(listed).to_contain_text("Қол қойылды")
    expect(listed).to_contain_text("Балапан")
    assert_accessible(page, "the contracts list")
    screenshot(page, "web-contracts-list-kk")
    listed.get_by_role("link", name=number).click()
    expect(page.locator(".contract-validity")).to_have_text("Шарттың қолданылу мерзімі: мерзімсіз")
    pdf = page.locator("a[data-action='document']")
    expect(pdf).to_have_attribute("href", re.compile(r"^https?://"))
    with urllib.request.urlopen(pdf.get_attribute("href"), timeout=30) as response:
        assert response.read(5) == b"%PDF-"
    page.get_by_text("Шарттың мәтіні").click()
    expect(page.locator(".contract-text .contract-section").first).to_be_visible()
    assert_accessible(page, "a signed contract's card")
    screenshot(page, "web-contract-signed-kk")
    switch_language(page, "ru")
    expect(page.locator(".contract-validity")).to_have_text("Срок действия договора: бессрочно")
    screenshot(page, "web-contract-signed-ru")
    switch_language(page, "kk")
    # and on a phone the card stacks into one column
    page.set_viewport_size(PHONE)
    expect(page.locator(".contract-validity")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    screenshot(page, "web-contract-signed-phone-kk")
