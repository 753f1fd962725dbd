// The parent's e-mail and mobile phone (required before anything else: every notification goes there).

import { get, put } from "../api.js";
import { h, w } from "../dom.js";
import { getSession, updateSession } from "../session.js";
import { busy, clearFieldErrors, field, notice, reportError, setFieldError, showError } from "../ui.js";

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]{2,}$/;

/** A Kazakhstan mobile number as people write it: +7 7xx xxx xx xx, 87xx…, with spaces, dashes or brackets. */
function kzMobile(text) {
  const digits = text.replace(/[\s()-]/g, "");
  return /^(\+7|8|7)?7\d{9}$/.test(digits);
}

export async function render(root, _params, ctx) {
  const session = getSession();
  const first = session.needs_contacts;
  const errors = h("div", { class: "error-slot" });
  let current = {};
  try {
    const me = await get("/me");
    current = me.contacts || {};
    updateSession({ person: me.person, needs_contacts: Boolean(me.needs_contacts) });
  } catch (error) {
    showError(errors, error);
  }

  const form = h(
    "form",
    { class: "form", novalidate: true },
    h(
      "div",
      { class: "grid-2" },
      field({ label: "contacts.email", name: "email", type: "email", value: current.email, required: true, autocomplete: "email" }),
      field({
        label: "contacts.phone",
        name: "phone",
        type: "tel",
        value: current.phone,
        required: true,
        autocomplete: "tel",
        inputmode: "tel",
        placeholder: "+7 7XX XXX XX XX",
        hint: "contacts.phoneHint",
      }),
      field({ label: "contacts.extraEmail", name: "extra_email", type: "email", value: current.extra_email, optional: true }),
      field({
        label: "contacts.extraPhone",
        name: "extra_phone",
        type: "tel",
        value: current.extra_phone,
        optional: true,
        inputmode: "tel",
        placeholder: "+7 7XX XXX XX XX",
      }),
    ),
    errors,
    h("div", { class: "form-actions" }, h("button", { type: "submit", class: "btn btn-primary" }, w("app.save"))),
  );

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const submit = form.querySelector("[type=submit]");
    busy(submit, async () => {
      clearFieldErrors(form);
      showError(errors, null);
      const value = (name) => form.elements[name].value.trim();
      // every field is checked at once, so that the parent corrects them all in one go
      let missing = false;
      const wrong = (name, key) => {
        setFieldError(form, name, w(key));
        missing = true;
      };
      for (const name of ["email", "phone"]) if (!value(name)) wrong(name, "error.required");
      for (const name of ["email", "extra_email"]) if (value(name) && !EMAIL.test(value(name))) wrong(name, "error.email");
      for (const name of ["phone", "extra_phone"]) if (value(name) && !kzMobile(value(name))) wrong(name, "error.phone");
      if (missing) {
        form.querySelector("[aria-invalid]").focus();
        return;
      }
      const body = { email: value("email"), phone: value("phone") };
      if (value("extra_email")) body.extra_email = value("extra_email");
      if (value("extra_phone")) body.extra_phone = value("extra_phone");
      try {
        await put("/me/contacts", body);
        updateSession({ needs_contacts: false });
        ctx.setFlash("success", "contacts.saved");
        const after = sessionStorage.getItem("balabaqsha.after");
        sessionStorage.removeItem("balabaqsha.after");
        ctx.go(after && after !== "/contacts" ? after : "/applications");
      } catch (error) {
        reportError(form, errors, error);
      }
    });
  });

  root.append(
    h(
      "section",
      { class: "narrow" },
      first
        ? h("p", { class: "welcome" }, w("contacts.welcome"), ", ", h("strong", {}, session.person?.full_name || ""), "!")
        : null,
      h("h1", {}, w("contacts.title")),
      notice("info", w("contacts.lead")),
      h("div", { class: "card" }, form),
    ),
  );
}
