"""Directions in a real browser: a private kindergarten under the state order, and a direction from the queue.

Against the browser tests' local stack: the parent puts a child in the queue with the wizard,
then (1) chooses a private kindergarten with state-order vacancies published by its portal,
acknowledges the warning, signs with the signing key through the NCALayer stand-in and gets the
"direction to a private preschool organisation"; (2) receives a direction when a kindergarten
publishes a vacancy, sees it in the application view, extends it and revokes it.
"""

from __future__ import annotations

import re
import subprocess
import urllib.request
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from infra.local.harness import StackProcess
from tests.e2e.browser import (
    DESKTOP,
    PHONE,
    assert_accessible,
    give_contacts,
    label,
    new_page,
    on_phone,
    partner_call,
    screenshot,
    sign_in,
    switch_language,
    use_identity,
)

pytestmark = [pytest.mark.e2e, pytest.mark.browser, pytest.mark.xdist_group("web")]

# Demo family (infra/local/demo/population.json): Ахметова Жанар, mother of Арман (born 2021-05-08)
# and Томирис (born 2024-02-29); no other browser test signs in as her.
ZHANAR = "871201410425"
ARMAN = ("210508511003", "Ахметов", "Арман")
TOMIRIS = ("240229630917", "Ахметова", "Томирис")
NURLY_BALA = "ast-esil-nurly-bala"  # private, state order, kk + ru, Есіл
BOLASHAK = "ast-baikonur-bolashak"  # private, state order, kk, Байқоңыр
AIGOLEK = "ast-baikonur-041"  # № 41 «Айгөлек», state, ru + kk, from 2 years, Байқоңыр


def publish(stack: StackProcess, kindergarten_id: str, group_id: str, seats: int) -> dict[str, Any]:
    """The kindergarten's portal publishes vacancies of a group with its demo API key."""
    body = {"group_id": group_id, "seats": seats}
    return partner_call(
        stack,
        kindergarten_id,
        "POST",
        "/partner/vacancies",
        body,
        idempotency_key=f"web-{kindergarten_id}-{group_id}-{seats}",
    )


def verification_address(stack: StackProcess, pdf_url: str) -> str:
    """Where the PDF's QR code leads: its document id and check code are printed under the code."""
    with urllib.request.urlopen(pdf_url, timeout=30) as response:
        pdf = response.read()
    text = subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True).stdout.decode()
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    for at, line in enumerate(lines[:-1]):
        if re.fullmatch(r"[0-9a-f]{20}", line) and re.fullmatch(r"[A-Za-z0-9_-]{8}", lines[at + 1]):
            return f"{stack.api}/verify/{line}?c={lines[at + 1]}"
    raise AssertionError(f"no document id and check code in the PDF's text: {lines[-12:]}")


def signed_in(page: Page, stack: StackProcess) -> None:
    use_identity(stack, ZHANAR)
    sign_in(page, stack)
    if page.url.endswith("#/contacts"):
        give_contacts(page, "zhanar@example.kz", "+7 705 444 55 66")
    expect(page.get_by_role("heading", name="Өтініштер журналы")).to_be_visible()


def put_in_queue(page: Page, child: tuple[str, str, str], kindergarten_name: str) -> None:
    """The wizard, as a parent fills it: the child, the Байқоңыр queue in Kazakh, one kindergarten; signed."""
    iin, surname, given_name = child
    page.get_by_role("link", name="Баланы кезекке қою").first.click()
    page.get_by_role("button", name="Әрі қарай").click()
    page.get_by_label(label("Баланың ЖСН")).fill(iin)
    page.get_by_label(label("Тегі")).fill(surname)
    page.get_by_label(label("Аты")).fill(given_name)
    page.get_by_label(label("Өңір")).select_option("astana")
    page.get_by_label(label("Аудан (қала)")).select_option("baikonur")
    page.get_by_label("қазақ тілі", exact=True).check()
    page.locator(".kg", has_text=kindergarten_name).locator("input[type=checkbox]").check()
    page.get_by_role("button", name="Әрі қарай").click()
    page.get_by_role("button", name="Қол қою және жіберу").click()
    expect(page.get_by_role("heading", name="Балаңыз кезекке сәтті қойылды")).to_be_visible()
    page.get_by_role("link", name="Өтінішті ашу").click()
    expect(page.get_by_role("tab", name="Өтініш туралы ақпарат")).to_have_attribute("aria-selected", "true")


def test_a_parent_chooses_a_private_kindergarten_under_the_state_order(stack: StackProcess, page: Page):
    # given private kindergartens that published state-order vacancies for children born in 2021
    publish(stack, NURLY_BALA, "2021-kk", 2)
    publish(stack, NURLY_BALA, "2021-ru", 1)
    publish(stack, BOLASHAK, "2021-kk", 1)
    # and a parent whose 5-year-old is in the queue
    signed_in(page, stack)
    put_in_queue(page, ARMAN, "Айгөлек")

    # when the parent presses "choose a private kindergarten" (shown: the child is 3+ and there are places)
    page.get_by_role("button", name="Жеке балабақшаны таңдау").click()
    # then the warning of seed 002 comes first
    dialog = page.get_by_role("dialog")
    expect(dialog).to_contain_text("кезектен автоматты түрде алынасыз")
    screenshot(page, "web-private-warning-kk")
    dialog.get_by_role("button", name="ОК").click()

    # and the list shows each kindergarten and language with its free places, address and district
    expect(page.get_by_role("heading", name="Мемлекеттік тапсырыс бойынша жеке балабақшаны таңдау")).to_be_visible()
    cards = page.locator(".private-list .kg")
    expect(cards).to_have_count(3)
    expect(cards.filter(has_text="Нұрлы бала").first).to_contain_text("Бос орын: 2")
    assert_accessible(page, "the private kindergartens' list")
    screenshot(page, "web-private-list-kk")
    switch_language(page, "ru")
    expect(page.get_by_text("Список свободных мест по государственному заказу")).to_be_visible()
    screenshot(page, "web-private-list-ru")
    switch_language(page, "kk")

    # when the parent filters by district
    page.get_by_label(label("Аудан (қала)")).select_option("esil")
    expect(cards).to_have_count(2)
    page.get_by_label(label("Оқыту тілі")).select_option("ru")
    expect(cards).to_have_count(1)
    page.get_by_label(label("Оқыту тілі")).select_option("")
    expect(cards).to_have_count(2)

    # and chooses «Нұрлы бала» in Kazakh, but tries to sign without acknowledging the warning
    page.locator(".private-list .kg[data-language='kk']").first.locator("input").check()
    page.get_by_role("button", name="Қол қою және жіберу").click()
    # then the page asks for the acknowledgement first
    expect(page.get_by_text("Ескертумен танысқаныңызды растаңыз.")).to_be_visible()
    screenshot(page, "web-private-ack-required-kk")

    # when they acknowledge it and sign with the signing key
    page.get_by_label(re.compile("^Ескертумен таныстым")).check()
    page.get_by_role("button", name="Қол қою және жіберу").click()

    # then the direction to a private preschool organisation is issued; its PDF is being prepared (a job)
    expect(page.get_by_role("heading", name="Жеке балабақшаға жолдама берілді")).to_be_visible()
    expect(page.locator(".big-number")).to_have_text(re.compile(r"Жолдама № ЖБ\.\d{4}\.\d{6}"))
    expect(page.locator("[data-document='preparing']")).to_be_visible()
    screenshot(page, "web-private-success-kk")
    switch_language(page, "ru")
    expect(page.get_by_role("heading", name="Направление в частный детский сад выдано")).to_be_visible()
    screenshot(page, "web-private-success-ru")
    switch_language(page, "kk")

    # and the application has left the queue, the direction among its documents, no private choice any more
    page.get_by_role("link", name="Өтінішті ашу").click()
    panel = page.get_by_role("tabpanel")
    expect(panel.get_by_text("Жеке мектепке дейінгі ұйымға жолдама")).to_be_visible(timeout=60_000)
    expect(page.locator(".app-meta .badge")).to_have_text("Жеке балабақшаға жолдама алды")
    expect(page.get_by_role("button", name="Жеке балабақшаны таңдау")).to_have_count(0)
    screenshot(page, "web-private-documents-kk")


def test_a_direction_from_the_queue_shows_in_the_view_and_can_be_extended_and_revoked(stack: StackProcess, page: Page):
    # given a parent whose child (born 2024) is in the queue for № 41 «Айгөлек»
    signed_in(page, stack)
    put_in_queue(page, TOMIRIS, "Айгөлек")
    expect(page.locator(".directions")).to_be_hidden()
    # and the page says how seats are allocated in the region (the local stack: by the common queue)
    rules = page.locator(".allocation-rules")
    expect(rules.get_by_role("heading", name="Орындар қалай бөлінеді")).to_be_visible()
    expect(rules.locator(".allocation-mode")).to_contain_text("жалпы кезек бойынша")
    expect(rules).to_contain_text("балабақша басымдықтары қолданылмайды")

    # when the kindergarten publishes a vacancy of the child's group (the seat is offered at once)
    published = publish(stack, AIGOLEK, "2024-kk", 1)
    assert published["allocation"]["issued"], published
    page.reload()

    # then the application view shows the direction: number, kindergarten, status, deadline, document
    panel = page.locator(".directions")
    expect(panel.get_by_role("heading", name="Жолдамалар")).to_be_visible()
    row = panel.locator("tbody tr")
    expect(row).to_have_count(1)
    expect(row).to_contain_text(published["allocation"]["issued"][0])
    expect(row).to_contain_text("Айгөлек")
    expect(row).to_contain_text("Жолдама берілді")
    expect(row.get_by_role("link", name="Жүктеу")).to_be_visible(timeout=60_000)  # rendered by a job
    expect(row.locator("[data-clock='running']")).to_contain_text("жұмыс күні қалды")
    assert_accessible(page, "an application with a direction")
    screenshot(page, "web-direction-issued-kk")
    switch_language(page, "ru")
    expect(panel.get_by_role("heading", name="Направления", exact=True)).to_be_visible()
    screenshot(page, "web-direction-issued-ru")
    switch_language(page, "kk")

    # the extension dialog in Russian, on a computer and on a phone (its number field styled like the others)
    switch_language(page, "ru")
    row.get_by_role("button", name="Продлить").click()
    expect(page.get_by_role("dialog").locator("input[name=days]")).to_have_css("border-top-style", "solid")
    screenshot(page, "web-direction-extend-ru")
    page.set_viewport_size(PHONE)
    screenshot(page, "web-direction-extend-phone-ru")
    page.keyboard.press("Escape")
    expect(page.get_by_role("dialog")).to_have_count(0)
    page.set_viewport_size(DESKTOP)
    switch_language(page, "kk")

    # when the parent extends it by 10 days
    row.get_by_role("button", name="Ұзарту").click()
    dialog = page.get_by_role("dialog")
    dialog.get_by_label(label("Күнтізбелік күн саны")).fill("45")
    dialog.get_by_role("button", name="Ұзарту").click()
    expect(dialog.get_by_text("1-ден 30-ға дейінгі санды енгізіңіз.")).to_be_visible()
    dialog.get_by_label(label("Күнтізбелік күн саны")).fill("10")
    assert_accessible(page, "the extension dialog")
    screenshot(page, "web-direction-extend-kk")
    page.set_viewport_size(PHONE)
    screenshot(page, "web-direction-extend-phone-kk")
    page.set_viewport_size(DESKTOP)
    held: list = []  # the extension is held at the network, to see the dialog while it is under way
    page.route("**/extend", lambda route: held.append(route))
    dialog.get_by_role("button", name="Ұзарту").click()
    for _ in range(100):
        if held:
            break
        page.wait_for_timeout(100)
    assert held, "the extension did not reach the network"
    # then while it is being sent, the dialog cannot be cancelled, closed or left with Escape
    expect(dialog.get_by_role("button", name="Болдырмау")).to_be_disabled()
    expect(dialog.locator(".dialog-head .icon-btn")).to_be_disabled()
    page.keyboard.press("Escape")
    expect(dialog).to_be_visible()
    held[0].continue_()
    page.unroute("**/extend")

    # then it is extended, and cannot be extended again
    expect(page.get_by_text("Жолдама ұзартылды.")).to_be_visible()
    expect(row).to_contain_text("10 күнге ұзартылды")
    expect(row.get_by_role("button", name="Ұзарту")).to_have_count(0)
    # its new PDF is a job of the extension: the row says so, and shows the link once it is there
    expect(row.get_by_role("link", name="Жүктеу")).to_be_visible(timeout=60_000)

    # and the direction was issued again with its new last day; the old one is kept, superseded
    page.get_by_role("tab", name="Жалпы құжаттар").click()
    documents = page.get_by_role("tabpanel")
    expect(documents.locator("[data-superseded='true']")).to_have_count(1)
    expect(documents).to_contain_text("Ауыстырылған құжаттар")
    # and the old PDF's QR verification says it was replaced, and by which document
    old_pdf = documents.locator("tr", has=page.locator("[data-superseded='true']")).get_by_role("link")
    verify_page = verification_address(stack, old_pdf.get_attribute("href") or "")
    with new_page(page.context.browser) as verifying:
        verifying.goto(verify_page)
        expect(verifying.locator("h1")).to_have_text("⚠ Құжат ауыстырылды / Документ заменён")
        expect(verifying.locator("main")).to_contain_text("жаңа құжатпен ауыстырылды: № Ж.")
        expect(verifying.locator("main")).to_contain_text("он заменён новым документом: № Ж.")
        assert_accessible(verifying, "the verification page of a superseded direction")
        screenshot(verifying, "web-verify-superseded")
        verifying.set_viewport_size(PHONE)
        assert verifying.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
        screenshot(verifying, "web-verify-superseded-phone")
    assert_accessible(page, "the documents with a superseded direction")
    screenshot(page, "web-direction-reissued-documents-kk")
    switch_language(page, "ru")
    expect(documents).to_contain_text("Заменённые документы")
    screenshot(page, "web-direction-reissued-documents-ru")
    on_phone(page, "web-direction-reissued-documents")
    # and the history tells the issue and the extension in one sentence each
    page.get_by_role("tab", name="Өзгерістер тарихы").click()
    history = page.get_by_role("tabpanel")
    expect(history).to_contain_text("жолдама кезектегі орны бойынша берілді")
    expect(history).to_contain_text("жолдаманың мерзімі 10 күнге ұзартылды")
    expect(page.locator("main")).not_to_contain_text("бағыт")  # «жолдама», one word for one thing
    screenshot(page, "web-direction-history-kk")

    # when the parent revokes it within 24 hours
    row.get_by_role("button", name="Кері қайтару").click()
    dialog = page.get_by_role("dialog")
    expect(dialog).to_contain_text("бір тәулік ішінде")
    screenshot(page, "web-direction-revoke-kk")
    dialog.get_by_role("button", name="Жолдаманы кері қайтару").click()

    # then it is revoked, nothing more can be done with it, and the child is still in the queue
    expect(page.get_by_text("Жолдама кері қайтарылды.", exact=False)).to_be_visible()
    expect(row).to_contain_text("Жолдамадан бас тартылды")
    expect(row.get_by_role("button")).to_have_count(0)
    expect(page.locator(".app-meta .badge")).to_have_text("Шешім қабылданды (Кезекте)")
    screenshot(page, "web-direction-revoked-kk")
    # and on a phone the directions stack into labelled rows
    page.set_viewport_size(PHONE)
    expect(row).to_be_visible()
    screenshot(page, "web-direction-revoked-phone-kk")


SANZHAR = ("260615531049", "Ахметов", "Санжар")


def test_a_parent_joins_siblings_together_only_and_separates_them(stack: StackProcess, page: Page):
    # given the parent's two children in the Байқоңыр queue (Томирис may be there from the test before)
    signed_in(page, stack)
    page.locator("table.journal, .card.empty").first.wait_for()  # the journal has loaded, whatever it holds
    if not page.locator("tr", has_text=TOMIRIS[0]).count():
        put_in_queue(page, TOMIRIS, "Айгөлек")
    put_in_queue(page, SANZHAR, "Айгөлек")

    # when the parent joins Санжар with Томирис, "together only"
    family = page.locator(".family")
    expect(family.get_by_role("heading", name="Бауырлар")).to_be_visible()
    family.get_by_label("Ахметова Томирис", exact=False).check()
    family.get_by_label("Тек бірге").check()
    screenshot(page, "web-family-join-kk")
    family.get_by_role("button", name="Біріктіру").click()

    # then the page says so, and the family can be separated again
    expect(page.get_by_text("Өтініштер біріктірілді.")).to_be_visible()
    expect(family.locator(".family-state")).to_have_text("Тек бірге")
    family.get_by_role("button", name="Ажырату").click()
    expect(page.get_by_text("Өтініштер ажыратылды.")).to_be_visible()
    expect(family.get_by_role("button", name="Біріктіру")).to_be_visible()
