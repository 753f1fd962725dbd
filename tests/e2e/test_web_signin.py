"""A parent signs in with the EDS in a real browser, gives contacts, and sees their name.

The page talks to a fresh local stack; the NCALayer stand-in signs as a demo parent.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from infra.local.harness import StackProcess
from tests.e2e.browser import (
    DESKTOP,
    PHONE,
    assert_accessible,
    give_contacts,
    label,
    new_page,
    on_phone,
    screenshot,
    sign_in,
    switch_language,
    use_identity,
)

pytestmark = [pytest.mark.e2e, pytest.mark.browser, pytest.mark.xdist_group("web")]


# Demo parents (infra/local/demo/people.json); each test signs in as a different one, so each starts fresh.
AIGERIM = "920722410070"
DINARA = "910130410219"
SAULE = "950512410282"
DAUREN = "850808310353"


def parent(stack: StackProcess, iin: str) -> dict[str, Any]:
    return next(i for i in stack.identities if i["iin"] == iin)


def certificate_name(person: dict[str, Any]) -> str:
    """Surname and given name, as the certificate's CN carries them (the patronymic may follow)."""
    return " ".join(person["full_name"].split()[:2])


def test_first_sign_in_asks_for_contacts_then_shows_the_parent(stack: StackProcess, page: Page):
    # given a parent who has never signed in, and NCALayer holding their keys
    person = parent(stack, AIGERIM)
    use_identity(stack, person["iin"])
    page.goto(f"{stack.web}/")
    expect(page.get_by_role("heading", name="Жеке кабинетке кіру")).to_be_visible()
    expect(page.get_by_text("NCALayer бағдарламасы іске қосылғанына")).to_be_visible()
    assert_accessible(page, "the sign-in page")
    screenshot(page, "web-signin-kk")
    switch_language(page, "ru")
    expect(page.get_by_role("button", name="Войти через ЭЦП")).to_be_visible()
    screenshot(page, "web-signin-ru")
    switch_language(page, "kk")

    # when they sign in with the EDS
    page.get_by_role("button", name="ЭЦҚ арқылы кіру").click()

    # then they are greeted by name and asked for an e-mail and a mobile phone
    expect(page.get_by_role("heading", name="Байланыс деректері")).to_be_visible()
    expect(page.locator(".welcome")).to_contain_text(certificate_name(person))
    screenshot(page, "web-contacts-kk")

    # when they give both
    give_contacts(page, "aigerim@example.kz", "+7 701 555 12 34")

    # then the journal opens with their name in the header, in both languages
    expect(page.get_by_role("heading", name="Өтініштер журналы")).to_be_visible()
    expect(page.get_by_text("Байланыс деректері сақталды.")).to_be_visible()
    expect(page.get_by_test_id("person-name")).to_contain_text(certificate_name(person))
    assert_accessible(page, "the journal")
    screenshot(page, "web-journal-kk")
    switch_language(page, "ru")
    expect(page.get_by_role("heading", name="Журнал заявлений")).to_be_visible()
    expect(page.get_by_role("button", name="Выйти")).to_be_visible()
    screenshot(page, "web-journal-ru")

    # and a reload keeps them signed in, without asking for contacts again
    page.reload()
    expect(page.get_by_test_id("person-name")).to_contain_text(certificate_name(person))
    expect(page).to_have_url(re.compile(r"#/applications$"))


def test_a_refused_phone_number_is_explained_in_the_chosen_language(stack: StackProcess, page: Page):
    # given a parent on the contacts form after the first sign-in
    use_identity(stack, parent(stack, DINARA)["iin"])
    sign_in(page, stack)
    expect(page.get_by_role("heading", name="Байланыс деректері")).to_be_visible()

    # when they give a wrong e-mail and a number that is not a Kazakhstan mobile number
    sent: list[str] = []
    page.on("request", lambda request: sent.append(request.url) if request.method == "PUT" else None)
    give_contacts(page, "dinara@", "12345")

    # then the page shows both errors at once, before anything is sent
    expect(page.locator("[data-field='email']")).to_contain_text("Электрондық пошта мекенжайын тексеріңіз")
    phone_field = page.locator("[data-field='phone']")
    expect(phone_field).to_contain_text("Ұялы телефон нөмірі қате")
    assert sent == [], sent
    assert_accessible(page, "the contacts form with two errors")
    screenshot(page, "web-contacts-two-errors-kk")
    page.set_viewport_size(PHONE)
    screenshot(page, "web-contacts-two-errors-phone-kk")
    switch_language(page, "ru")
    expect(page.locator("[data-field='email']")).to_contain_text("Проверьте адрес электронной почты")
    screenshot(page, "web-contacts-two-errors-phone-ru")
    page.set_viewport_size(DESKTOP)
    switch_language(page, "kk")

    # when the e-mail is right and only the number is wrong, the reason is at the phone field, in both languages
    page.get_by_label(label("Электрондық пошта")).first.fill("dinara@example.kz")
    page.get_by_role("button", name="Сақтау").click()
    expect(phone_field).to_contain_text("Ұялы телефон нөмірі қате")
    expect(page.get_by_label(label("Ұялы телефон"))).to_have_attribute("aria-invalid", "true")
    screenshot(page, "web-contacts-error-kk")
    switch_language(page, "ru")
    expect(phone_field).to_contain_text("Неверный номер мобильного телефона")
    screenshot(page, "web-contacts-error-ru")

    # and nothing else opens until the contacts are given
    page.goto(f"{stack.web}/#/applications")
    expect(page).to_have_url(re.compile(r"#/contacts$"))


def test_closing_the_key_dialog_leaves_the_parent_signed_out(stack: StackProcess, page: Page):
    # given a parent who closes NCALayer's key dialog instead of signing
    use_identity(stack, parent(stack, SAULE)["iin"], mode="cancel")
    try:
        page.goto(f"{stack.web}/")

        # when they try to sign in
        page.get_by_role("button", name="ЭЦҚ арқылы кіру").click()

        # then the page says the signing was cancelled and nobody is signed in
        expect(page.get_by_role("alert")).to_contain_text("Қол қою тоқтатылды.")
        expect(page.get_by_test_id("person-name")).to_have_count(0)
        assert page.evaluate("sessionStorage.getItem('balabaqsha.session')") is None
    finally:
        use_identity(stack, parent(stack, SAULE)["iin"], mode="sign")


def test_signing_out_forgets_the_session(stack: StackProcess, page: Page):
    # given a signed-in parent
    person = parent(stack, DAUREN)
    use_identity(stack, person["iin"])
    sign_in(page, stack)
    give_contacts(page, "dauren@example.kz", "+7 702 111 22 33")
    expect(page.get_by_role("heading", name="Өтініштер журналы")).to_be_visible()
    expect(page.get_by_test_id("person-name")).to_contain_text(certificate_name(person))

    # when they sign out
    page.get_by_role("button", name="Шығу").click()

    # then the sign-in page says so, and the journal is closed to them
    expect(page.get_by_text("Сіз жүйеден шықтыңыз.")).to_be_visible()
    assert page.evaluate("sessionStorage.getItem('balabaqsha.session')") is None
    page.goto(f"{stack.web}/#/applications")
    expect(page.get_by_role("heading", name="Жеке кабинетке кіру")).to_be_visible()


def test_the_sign_in_page_fits_a_phone(stack: StackProcess, browser: Browser):
    # given a parent on a phone-sized screen
    with new_page(browser, viewport=PHONE) as phone:
        # when they open the page, in either language
        phone.goto(f"{stack.web}/")
        for language, button in (("kk", "ЭЦҚ арқылы кіру"), ("ru", "Войти через ЭЦП")):
            switch_language(phone, language)

            # then the sign-in button is there and nothing scrolls sideways
            expect(phone.get_by_role("button", name=button)).to_be_in_viewport()
            assert phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
            screenshot(phone, f"web-signin-phone-{language}")


def test_the_journal_offers_to_link_an_application_and_explains_a_refusal(stack: StackProcess, page: Page):
    # given a signed-in parent on the journal
    use_identity(stack, parent(stack, SAULE)["iin"])
    sign_in(page, stack)
    if page.url.endswith("#/contacts"):
        give_contacts(page, "saule@example.kz", "+7 702 555 12 34")
    expect(page.get_by_role("heading", name="Өтініштер журналы")).to_be_visible()
    # when they try to link an application that does not exist for that child
    form = page.locator("form.link-form")
    expect(form.get_by_role("heading", name="Өтінішті ата-ананың ЖСН-ға біріктіру")).to_be_visible()
    # when they press «Біріктіру» with nothing filled in, each field says what it needs, in words
    form.get_by_role("button", name="Біріктіру").click()
    expect(form.locator(".field-error").filter(has_text="Бұл өріс міндетті.")).to_have_count(2)
    expect(form).not_to_contain_text("registration_number")
    expect(form).not_to_contain_text("child_iin")
    form.get_by_label(label("Нөмірі")).fill("УО.2026.999999.1")
    form.get_by_label(label("Баланың ЖСН")).fill("190815630782")
    form.get_by_role("button", name="Біріктіру").click()
    # then the server's reason is shown, and the journal is unchanged
    expect(form).to_contain_text("өтініш табылмады")
    assert_accessible(page, "the journal's link form with a refusal")
    screenshot(page, "web-journal-link-refused-kk")
    switch_language(page, "ru")
    screenshot(page, "web-journal-link-refused-ru")
    on_phone(page, "web-journal-link-refused")
    expect(page.get_by_role("heading", name="Өтініштер журналы")).to_be_visible()
