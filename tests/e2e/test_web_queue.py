"""A parent puts a child in the queue in a real browser, then finds and manages the application.

Against a fresh local stack: the wizard (applicant from the population registry, child,
queue, kindergartens, language, benefit with a scan), the signature with the signing key
through the NCALayer stand-in, the success screen, the journal, the three tabs of the
application and its actions.
"""

from __future__ import annotations

import re
import urllib.parse
import zipfile
from datetime import timedelta

import pytest
from playwright.sync_api import Locator, Page, expect

from infra.local.harness import StackProcess
from tests.e2e.browser import (
    ApiParent,
    assert_accessible,
    give_contacts,
    label,
    move_clock,
    on_phone,
    screenshot,
    sign_in,
    switch_language,
    use_identity,
)

pytestmark = [pytest.mark.e2e, pytest.mark.browser, pytest.mark.xdist_group("web")]

# Demo families (infra/local/demo/population.json)
NURLAN = "900314310002"  # father of Әлихан, born 2023-10-30
ALIKHAN = ("231030530008", "Сейітқали", "Әлихан")
ERLAN = "881105310141"  # father of the twins, born 2022-04-18
ALDIYAR = ("220418530260", "Жұмабаев", "Алдияр")
SCAN = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"


def signed_in_parent(page: Page, stack: StackProcess, iin: str, email: str, phone: str) -> None:
    use_identity(stack, iin)
    sign_in(page, stack)
    if page.url.endswith("#/contacts"):
        give_contacts(page, email, phone)
    expect(page.get_by_role("heading", name="Өтініштер журналы")).to_be_visible()


def fill_child(page: Page, child: tuple[str, str, str]) -> None:
    iin, surname, given_name = child
    page.get_by_label(label("Баланың ЖСН")).fill(iin)
    page.get_by_label(label("Тегі")).fill(surname)
    page.get_by_label(label("Аты")).fill(given_name)


def choose_queue(page: Page, kindergartens: int) -> None:
    page.get_by_label(label("Өңір")).select_option("astana")
    page.get_by_label(label("Аудан (қала)")).select_option("esil")
    page.get_by_label("қазақ тілі", exact=True).check()
    choices = page.locator(".kg input[type=checkbox]")
    expect(choices.first).to_be_visible()
    for index in range(kindergartens):
        choices.nth(index).check()


def test_a_parent_puts_a_child_in_the_queue_and_confirms_interest(stack: StackProcess, page: Page):
    # given a signed-in parent whose details the population registry knows
    signed_in_parent(page, stack, NURLAN, "nurlan@example.kz", "+7 701 555 12 34")
    page.get_by_role("link", name="Баланы кезекке қою").first.click()

    # when they check the prefilled applicant step
    expect(page.get_by_label(label("ЖСН"))).to_have_value(NURLAN)
    screenshot(page, "web-apply-step1-kk")
    page.get_by_role("button", name="Әрі қарай").click()

    # and give a child IIN with a wrong check digit: the page says so at once, and keeps them on step 2
    page.get_by_label(label("Баланың ЖСН")).fill("231030530009")
    expect(page.locator("[data-field='child.iin']")).to_contain_text("бақылау цифры сәйкес келмейді")
    page.get_by_role("button", name="Әрі қарай").click()
    expect(page.get_by_label(label("Баланың ЖСН"))).to_have_attribute("aria-invalid", "true")
    expect(page.locator(".stepper .is-current")).to_contain_text("2")

    # and then the right child, the queue and two kindergartens
    fill_child(page, ALIKHAN)
    expect(page.get_by_text("ЖСН бойынша туған күні: 30.10.2023")).to_be_visible()
    choose_queue(page, 2)
    expect(page.get_by_text("Таңдалды: 2 / 3")).to_be_visible()
    screenshot(page, "web-apply-step2-kk")
    switch_language(page, "ru")
    screenshot(page, "web-apply-step2-ru")
    switch_language(page, "kk")
    page.get_by_role("button", name="Әрі қарай").click()

    # and sign the application with the signing key
    expect(page.get_by_role("heading", name="Өтінішті тексеріңіз")).to_be_visible()
    screenshot(page, "web-apply-review-kk")
    held: list = []  # the sending is held at the network, to see the page while it is under way
    sending = re.compile(r".*/applications$")
    page.route(sending, lambda route: held.append(route) if route.request.method == "POST" else route.continue_())
    page.get_by_role("button", name="Қол қою және жіберу").click()
    for _ in range(150):  # the signature comes from NCALayer first
        if held:
            break
        page.wait_for_timeout(100)
    assert held, "the sending did not reach the network"
    # while it is being sent, neither «back» nor the steps' «change» buttons can be pressed
    expect(page.locator("[data-wizard=back]")).to_be_disabled()
    expect(page.locator("[data-wizard=edit]").first).to_be_disabled()
    expect(page.get_by_role("button", name="Қол қою және жіберу")).to_be_disabled()
    held[0].continue_()
    page.unroute(sending)

    # then the child is in the queue, with a registration number and documents to download
    expect(page.get_by_role("heading", name="Балаңыз кезекке сәтті қойылды")).to_be_visible()
    expect(page.locator(".big-number")).to_have_text(re.compile(r"Кезек нөмірі: \d+"))
    # without a benefit there is no benefit queue number: «—», never 0
    success = page.locator(".success")
    expect(success.locator("dd").nth(2)).to_have_text("—")
    expect(page.get_by_role("link", name="Жүктеу").first).to_be_visible()
    screenshot(page, "web-apply-success-kk")
    switch_language(page, "ru")
    expect(page.get_by_role("heading", name="Ваш ребенок успешно встал в очередь")).to_be_visible()
    screenshot(page, "web-apply-success-ru")
    switch_language(page, "kk")

    # when they open the journal and the application
    page.get_by_role("link", name="Өтініштер журналы").first.click()
    row = page.locator("table.journal tbody tr", has_text=ALIKHAN[0])
    expect(row).to_have_count(1)
    expect(row.locator("td").nth(4)).to_have_text("—")
    screenshot(page, "web-journal-with-application-kk")
    row.locator("a.reg-number").click()

    # then the registration's satisfaction survey (appendix 12) is asked, once, in a card of its own
    survey = page.locator("section.survey")
    expect(survey.get_by_role("heading", name="Қызмет сапасына баға беріңіз")).to_be_visible()
    expect(survey).to_contain_text("Өтініш қабылданды, бала кезекке тіркелді")
    assert_accessible(page, "the satisfaction survey")
    screenshot(page, "web-survey-kk")
    send = survey.get_by_role("button", name="Жауапты жіберу")
    send.click()  # nothing chosen yet: the card says what is missing
    expect(survey.get_by_text("Әр сұраққа бір жауапты таңдаңыз.")).to_be_visible()
    survey.locator("[data-question=result]").get_by_label("қанағаттанамын", exact=True).check()
    survey.locator("[data-question=information]").get_by_label("ішінара қанағаттанамын", exact=True).check()
    send.click()
    expect(page.get_by_text("Рахмет! Жауабыңыз қабылданды.")).to_be_visible()
    expect(page.locator("section.survey")).to_have_count(0)

    # then the three tabs show the information, the history and the documents
    expect(page.get_by_role("tab", name="Өтініш туралы ақпарат")).to_have_attribute("aria-selected", "true")
    expect(page.get_by_role("tabpanel")).to_contain_text(ALIKHAN[0])
    screenshot(page, "web-application-info-kk")
    page.get_by_role("tab", name="Өзгерістер тарихы").click()
    expect(page.get_by_role("tabpanel").locator("tbody tr").first).to_be_visible()
    screenshot(page, "web-application-history-kk")
    # and the queue position explained: the numbers, who is ahead in the pool, the chart, the estimate
    page.get_by_role("tab", name="Кезектегі орны").click()
    position = page.get_by_role("tabpanel")
    expect(position.get_by_role("heading", name="Алдыңызда кім тұр")).to_be_visible()
    expect(position.locator("[data-number=general]")).to_have_text(re.compile(r"^\d+$"))
    expect(position.locator("[data-number=benefit]")).to_have_text("—")
    expect(position).to_contain_text("Бұл бетті алғаш ашып отырсыз")
    expect(position.locator("svg.position-chart circle")).to_have_count(1)
    expect(position.get_by_role("heading", name="Күту уақыты (болжам)")).to_be_visible()
    assert_accessible(page, "the position tab")
    screenshot(page, "web-application-position-kk")
    page.reload()  # a second visit the same day: nothing moved since
    expect(page.get_by_role("tabpanel")).to_contain_text("Кезек нөмірі өзгерген жоқ")
    switch_language(page, "ru")
    expect(page.get_by_role("tabpanel").get_by_role("heading", name="Кто впереди вас")).to_be_visible()
    expect(page.get_by_role("tabpanel")).to_contain_text("Номер очереди не изменился")
    screenshot(page, "web-application-position-ru")
    on_phone(page, "web-application-position", accessible="the position tab on a phone")
    page.get_by_role("tab", name="Жалпы құжаттар").click()
    expect(page.get_by_role("tabpanel").get_by_role("link", name="Жүктеу").first).to_be_visible()
    screenshot(page, "web-application-documents-kk")
    # and all of them come as one ZIP, each named in the parent's language with its number
    with page.expect_download() as download:
        page.get_by_role("button", name="Барлық құжаттарды жүктеу (ZIP)").click()
    names = zipfile.ZipFile(download.value.path()).namelist()
    assert any(name.startswith("Тіркеу туралы хабарлама № ") for name in names), names
    assert len(names) == 4, names
    assert_accessible(page, "the documents tab")
    switch_language(page, "ru")
    expect(page.get_by_role("tab", name="Общие документы")).to_have_attribute("aria-selected", "true")
    screenshot(page, "web-application-documents-ru")
    switch_language(page, "kk")

    # when they confirm their interest
    page.get_by_role("button", name="Мүдделілікті растау").click()
    page.get_by_role("dialog").get_by_role("button", name="Растау").click()

    # then the page says it is confirmed
    expect(page.get_by_text("Мүдделілік расталды.")).to_be_visible()

    # and the registration's e-mail and SMS are one unread notice, counted in the header on every page
    badge = page.locator("[data-nav=notices] .nav-count")
    expect(badge).to_be_visible(timeout=20_000)  # the message jobs run just after the registration
    page.get_by_role("link", name=re.compile("Хабарламалар")).click()
    expect(page.get_by_role("heading", name="Хабарламалар", level=1)).to_be_visible()
    first = page.locator(".notice-item.unread").filter(has_text=re.compile(r"УО\.\d{4}\.\d{6}\.1"))
    expect(first).to_have_count(1)
    expect(first.locator(".notice-channel")).to_have_text(["e-mail", "SMS"])
    assert_accessible(page, "the notices page")
    screenshot(page, "web-notices-kk")
    switch_language(page, "ru")
    expect(page.get_by_role("heading", name="Уведомления", level=1)).to_be_visible()
    screenshot(page, "web-notices-ru")
    on_phone(page, "web-notices", accessible="the notices page on a phone")

    # when they mark everything read, the header's count goes
    page.get_by_role("button", name="Барлығын оқылды деп белгілеу").click()
    expect(page.get_by_text("Барлық хабарлама оқылды.")).to_be_visible()
    expect(page.locator(".notice-item.unread")).to_have_count(0)
    expect(badge).to_be_hidden()

    # when they try to put the same child in the queue again
    sent: list[str] = []
    page.on("request", lambda request: sent.append(request.url) if request.method == "POST" else None)
    page.get_by_role("link", name="Баланы кезекке қою").first.click()
    page.get_by_role("button", name="Әрі қарай").click()
    fill_child(page, ALIKHAN)
    choose_queue(page, 1)
    page.get_by_role("button", name="Әрі қарай").click()
    page.get_by_role("button", name="Қол қою және жіберу").click()
    # then they are told at the child's IIN on step 2, before anything is signed
    child_iin = page.locator("[data-field='child.iin']")
    expect(child_iin).to_contain_text("Бала осы өңірде кезекте тұр")
    # and so for a child whose parent the population registry does not name them
    fill_child(page, ("240229630917", "Ахметова", "Томирис"))
    page.get_by_role("button", name="Әрі қарай").click()
    page.get_by_role("button", name="Қол қою және жіберу").click()
    expect(child_iin).to_contain_text("ата-анасы (заңды өкілі) емессіз")
    assert not [url for url in sent if url.endswith("/applications")], sent  # nothing was signed and sent
    assert_accessible(page, "step 2 refusing a child of another family")
    screenshot(page, "web-apply-not-parent-kk")
    switch_language(page, "ru")
    expect(child_iin).to_contain_text("не являетесь родителем")
    screenshot(page, "web-apply-not-parent-ru")
    on_phone(page, "web-apply-not-parent")


def test_a_parent_claims_a_benefit_with_a_scan_and_later_withdraws(stack: StackProcess, page: Page):
    # given a signed-in parent applying with a benefit and its scanned proof
    signed_in_parent(page, stack, ERLAN, "erlan@example.kz", "+7 702 111 22 33")
    page.get_by_role("link", name="Баланы кезекке қою").first.click()
    page.get_by_role("button", name="Әрі қарай").click()
    fill_child(page, ALDIYAR)
    choose_queue(page, 1)
    page.get_by_label("Жеңілдік берілген тұлға").check()
    page.get_by_label(label("Жеңілдік санаты")).select_option(index=1)
    page.locator(".uploader input[type=file]").set_input_files(
        files=[{"name": "anyqtama.pdf", "mimeType": "application/pdf", "buffer": SCAN}]
    )
    expect(page.locator(".file-state")).to_contain_text("жүктелді")
    screenshot(page, "web-apply-benefit-kk")
    page.get_by_role("button", name="Әрі қарай").click()

    # when they sign and send it
    page.get_by_role("button", name="Қол қою және жіберу").click()

    # then it is registered, with a queue number within the benefit category too
    expect(page.get_by_role("heading", name="Балаңыз кезекке сәтті қойылды")).to_be_visible()
    page.get_by_role("link", name="Өтінішті ашу").click()
    expect(page.get_by_role("tabpanel")).to_contain_text("Жеңілдік санаты бойынша кезек нөмірі")
    # and they answer the registration's satisfaction survey in Russian
    switch_language(page, "ru")
    survey = page.locator("section.survey")
    expect(survey.get_by_role("heading", name="Оцените качество услуги")).to_be_visible()
    expect(survey).to_contain_text("Удовлетворены ли Вы качеством процесса и результатом")
    assert_accessible(page, "the satisfaction survey in Russian")
    screenshot(page, "web-survey-ru")
    survey.locator("[data-question=result]").get_by_label("частично удовлетворен(а)", exact=True).check()
    survey.locator("[data-question=information]").get_by_label("не удовлетворен(а)", exact=True).check()
    survey.get_by_role("button", name="Отправить ответ").click()
    expect(page.get_by_text("Спасибо! Ваш ответ принят.")).to_be_visible()
    screenshot(page, "web-survey-answered-ru")
    page.reload()  # asked once: not again
    expect(page.get_by_role("tabpanel")).to_be_visible()
    expect(page.locator("section.survey")).to_have_count(0)
    switch_language(page, "kk")
    # and while an operator checks the claim, the benefit number is «тексеруде», not 0
    benefit_number = page.get_by_role("tabpanel").locator("dt:has-text('Жеңілдік санаты бойынша кезек нөмірі') + dd")
    expect(benefit_number).to_have_text("тексеруде")
    assert_accessible(page, "an application with a benefit under review")
    screenshot(page, "web-benefit-under-review-kk")
    switch_language(page, "ru")
    in_russian = page.get_by_role("tabpanel").locator("dt:has-text('Номер очереди по льготной категории') + dd")
    expect(in_russian).to_have_text("на проверке")
    screenshot(page, "web-benefit-under-review-ru")
    on_phone(page, "web-benefit-under-review")

    # when they withdraw the child from the queue, signing the request
    page.get_by_role("button", name="Кезектен алу").click()
    dialog = page.get_by_role("dialog")
    dialog.get_by_label(label("Себебі")).fill("Басқа қалаға көштік")
    screenshot(page, "web-withdraw-kk")
    dialog.get_by_role("button", name="Қол қою және жіберу").click()

    # then the page says the child left the queue, and the action is gone
    expect(page.get_by_text("Бала кезектен алынды.")).to_be_visible()
    expect(page.get_by_role("button", name="Кезектен алу")).to_have_count(0)
    expect(page.get_by_role("tabpanel")).to_contain_text("Кезектен алынды")
    screenshot(page, "web-withdrawn-kk")


# A demo mother of Алматы district with twins born 2022 (infra/local/demo/population.json); no other
# test uses them. Her test moves the shared stack's clock forward by two days, no more.
GULNAR = "940612447114"
ERNUR = "220707551234"
SARA = "220707651240"
AKBOTA = "ast-almaty-005"  # № 5 «Ақбота», kk, from 2 years
GULNAR_ADDRESS = {"city": "Астана", "district": "Алматы ауданы", "street": "Сарайшық көшесі", "house": "5"}


def visit_position(page: Page, stack: StackProcess, application_id: str) -> Locator:
    """The mother opens the site (signing in again: the clock moved past her session) and the position tab."""
    if page.url.startswith(stack.web):
        page.evaluate("sessionStorage.clear()")
    use_identity(stack, GULNAR)
    sign_in(page, stack)
    if page.url.endswith("#/contacts"):
        give_contacts(page, "gulnar@example.kz", "+7 707 321 54 76")
    page.goto(f"{stack.web}/#/applications/{urllib.parse.quote(application_id)}")
    page.get_by_role("tab", name="Кезектегі орны").click()
    panel = page.get_by_role("tabpanel")
    expect(panel.get_by_role("heading", name="Кезек нөмірлері")).to_be_visible()
    return panel


def test_the_position_chart_follows_the_number_over_several_days(stack: StackProcess, page: Page):
    # given twins in Алматы district's 2022 Kazakh queue: Ернұр registered first, then Сара
    mother = ApiParent(stack, GULNAR, "gulnar@example.kz", "+77073215476")
    ernur = mother.put_in_queue(ERNUR, "almaty", AKBOTA, GULNAR_ADDRESS)
    sara = mother.put_in_queue(SARA, "almaty", AKBOTA, GULNAR_ADDRESS)

    # when the mother looks at Сара's position: one child ahead, one point on the chart
    position = visit_position(page, stack, sara)
    expect(position.locator("[data-number=general]")).to_have_text("2")
    expect(position.locator("svg.position-chart circle")).to_have_count(1)

    # when, the next day, Ернұр's application is withdrawn, and she looks again
    move_clock(stack, timedelta(days=1))
    mother.withdraw(ernur, "Басқа балабақшаға бардық")
    position = visit_position(page, stack, sara)

    # then the number moved up, the page says why, and the chart has the two days
    expect(position.locator("[data-number=general]")).to_have_text("1")
    expect(position).to_contain_text("Кезек нөмірі: 2 → 1")
    expect(position).to_contain_text("Өтінішін қайтарып алған, алдыңызда тұрған балалар: 1")
    expect(position.locator("svg.position-chart circle")).to_have_count(2)

    # when a day later nothing moved
    move_clock(stack, timedelta(days=1))
    position = visit_position(page, stack, sara)

    # then the chart shows three days, one point each, joined by a line: 2, then 1 and 1
    expect(position).to_contain_text("Кезек нөмірі өзгерген жоқ")
    dots = position.locator("svg.position-chart circle")
    expect(dots).to_have_count(3)
    expect(position.locator("svg.position-chart polyline")).to_have_count(1)
    heights = [float(dots.nth(i).get_attribute("cy") or "nan") for i in range(3)]
    assert heights[0] > heights[1] == heights[2], heights  # a smaller number is drawn higher
    days = position.locator("figure.position-figure tbody tr")
    expect(days).to_have_count(3)
    assert [days.nth(i).locator("td").nth(1).inner_text() for i in range(3)] == ["2", "1", "1"]
    dates = [days.nth(i).locator("td").first.inner_text() for i in range(3)]
    assert len(set(dates)) == 3, dates  # three different days of the movable clock
    assert_accessible(page, "the position chart over three days")
    screenshot(page, "web-position-chart-days-kk")
    switch_language(page, "ru")
    expect(position).to_contain_text("Номер очереди не изменился")
    screenshot(page, "web-position-chart-days-ru")
    on_phone(page, "web-position-chart-days", accessible="the position chart on a phone")
