// Step 1 of the application: the applicant, as the population registry knows them.

import { get } from "../api.js";
import { h, w } from "../dom.js";
import { formatDate } from "../format.js";
import { clearFieldErrors, field, notice, setFieldError, showError } from "../ui.js";
import { bound, current, getPath, save } from "./state.js";

/** Step 1: the applicant, prefilled from the population registry; address and contacts editable. */
export async function applicantStep(root, nav, errors) {
  const state = current();
  if (!state.prefilled) {
    try {
      const prefill = await get("/applications/prefill");
      const a = prefill.applicant || {};
      Object.assign(state.applicant, {
        iin: a.iin || "",
        surname: a.surname || "",
        given_name: a.given_name || "",
        patronymic: a.patronymic || "",
        birth_date: a.birth_date || "",
        address: { city: "", district: "", street: "", house: "", flat: "", ...(a.address || {}) },
        email: prefill.contacts?.email || "",
        phone: prefill.contacts?.phone || "",
        extra_email: prefill.contacts?.extra_email || "",
        extra_phone: prefill.contacts?.extra_phone || "",
      });
      state.prefilled = true;
      save();
    } catch (error) {
      showError(errors, error);
    }
  }
  const ro = (path, label) =>
    field({ label, name: path, field: path, value: getPath(state, path) || "", readonly: true });
  const form = h(
    "form",
    { class: "form", novalidate: true },
    notice("info", w("apply.prefilled")),
    h(
      "fieldset",
      { class: "card" },
      h("legend", {}, w("apply.applicant")),
      h(
        "div",
        { class: "grid-3" },
        ro("applicant.iin", "apply.iin"),
        ro("applicant.surname", "apply.surname"),
        ro("applicant.given_name", "apply.givenName"),
        ro("applicant.patronymic", "apply.patronymic"),
        field({ label: "apply.birthDate", name: "bd", value: formatDate(state.applicant.birth_date), readonly: true }),
      ),
    ),
    h(
      "fieldset",
      { class: "card" },
      h("legend", {}, w("apply.address")),
      h(
        "div",
        { class: "grid-3" },
        bound("applicant.address.city", "apply.city", { required: true, autocomplete: "address-level2" }),
        bound("applicant.address.district", "apply.addrDistrict", { autocomplete: "address-level3" }),
        bound("applicant.address.street", "apply.street", { required: true, autocomplete: "address-line1" }),
        bound("applicant.address.house", "apply.house", { required: true }),
        bound("applicant.address.flat", "apply.flat"),
      ),
    ),
    h(
      "fieldset",
      { class: "card" },
      h("legend", {}, w("apply.contacts")),
      h("p", { class: "muted" }, w("apply.contactsNote")),
      h(
        "div",
        { class: "grid-2" },
        bound("applicant.email", "contacts.email", { type: "email", required: true, autocomplete: "email" }),
        bound("applicant.phone", "contacts.phone", {
          type: "tel",
          required: true,
          autocomplete: "tel",
          inputmode: "tel",
          placeholder: "+7 7XX XXX XX XX",
          hint: "contacts.phoneHint",
        }),
        bound("applicant.extra_email", "contacts.extraEmail", { type: "email", optional: true }),
        bound("applicant.extra_phone", "contacts.extraPhone", { type: "tel", optional: true, inputmode: "tel" }),
      ),
    ),
    errors,
    h(
      "div",
      { class: "form-actions" },
      h("a", { class: "btn btn-outline", href: "#/applications" }, w("app.cancel")),
      h("button", { type: "submit", class: "btn btn-primary" }, w("app.next"), h("span", { "aria-hidden": "true" }, " →")),
    ),
  );
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    clearFieldErrors(form);
    const required = ["applicant.address.city", "applicant.address.street", "applicant.address.house", "applicant.email", "applicant.phone"];
    const missing = required.filter((path) => !String(getPath(state, path) || "").trim());
    for (const path of missing) setFieldError(form, path, w("error.required"));
    if (missing.length) {
      form.querySelector("[aria-invalid]").focus();
      return;
    }
    nav.step(2);
  });
  root.append(form);
}
