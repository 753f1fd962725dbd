// Step 3 of the contract: the legal representative (seed 000, "Заңды өкіл туралы ақпарат"),
// prefilled from the account when nothing is saved yet; the server checks the IIN and contacts.

import { get, put } from "../api.js";
import { h, uid, w } from "../dom.js";
import { busy, clearFieldErrors, field, notice, setFieldError } from "../ui.js";
import { contractPath, showRefusal } from "./common.js";

const AUTHORITIES = ["parent", "guardian", "trustee", "adoptive_parent", "foster_parent"];
const REQUIRED = [
  "iin", "surname", "given_name", "authority", "registered_address", "actual_address", "workplace", "position", "phone", "email",
];
const OPTIONAL = ["patronymic", "extra_phone"];

function addressLine(address) {
  if (!address || typeof address !== "object") return "";
  const { city, district, street, house, flat } = address;
  return [city, district, [street, house].filter(Boolean).join(" "), flat].filter(Boolean).join(", ");
}

/** What the account knows about the parent, shaped as the representative step. */
async function fromAccount() {
  const values = {};
  try {
    const prefill = await get("/applications/prefill");
    const a = prefill.applicant || {};
    Object.assign(values, {
      iin: a.iin || "",
      surname: a.surname || "",
      given_name: a.given_name || "",
      patronymic: a.patronymic || "",
      registered_address: addressLine(a.address),
      actual_address: addressLine(a.address),
      phone: prefill.contacts?.phone || "",
      extra_phone: prefill.contacts?.extra_phone || "",
      email: prefill.contacts?.email || "",
    });
  } catch {
    try {
      const me = await get("/me");
      const [surname = "", given = "", ...rest] = String(me.person?.full_name || "").split(" ");
      Object.assign(values, {
        iin: me.person?.iin || "",
        surname,
        given_name: given,
        patronymic: rest.join(" "),
        phone: me.contacts?.phone || "",
        extra_phone: me.contacts?.extra_phone || "",
        email: me.contacts?.email || "",
      });
    } catch {
      /* the parent types everything */
    }
  }
  return values;
}

/** Step 3: the representative's identity, authority, addresses, work and contacts. */
export async function representativeStep(root, wizard) {
  const contract = wizard.contract;
  const saved = contract.steps && contract.steps.representative;
  const prefilled = !saved;
  const values = { authority: "parent", ...(saved || (await fromAccount())) };
  const errors = h("div", { class: "error-slot" });

  const text = (name, label, opts = {}) =>
    field({ label, name, field: name, value: values[name] ?? "", required: !OPTIONAL.includes(name), optional: OPTIONAL.includes(name), ...opts });
  const authorityControl = h(
    "select",
    { id: uid("authority"), name: "authority", required: true },
    h("option", { value: "", i18n: "apply.choose" }),
    AUTHORITIES.map((code) => h("option", { value: code, i18n: `authority.${code}`, selected: values.authority === code })),
  );
  const sameId = uid("same");
  const same = h("input", { id: sameId, type: "checkbox", checked: Boolean(values.registered_address) && values.registered_address === values.actual_address });
  const actual = text("actual_address", "contract.actualAddress", { autocomplete: "street-address" });
  const registered = text("registered_address", "contract.registeredAddress");
  const syncActual = () => {
    const input = actual.querySelector("input");
    if (same.checked) input.value = registered.querySelector("input").value;
    input.readOnly = same.checked;
  };
  same.addEventListener("change", syncActual);
  registered.querySelector("input").addEventListener("input", syncActual);

  const form = h(
    "form",
    { class: "form contract-form", novalidate: true },
    h("p", { class: "muted" }, w("contract.repLead")),
    notice("warning", w("contract.repWarning")),
    prefilled && values.iin ? notice("info", w("contract.prefilled")) : null,
    h(
      "fieldset",
      { class: "card" },
      h("legend", {}, w("contract.repInfo")),
      h(
        "div",
        { class: "grid-3" },
        text("iin", "contract.iin", { inputmode: "numeric", maxlength: 12, readonly: Boolean(values.iin) && prefilled }),
        text("surname", "contract.surname", { autocomplete: "family-name" }),
        text("given_name", "contract.givenName", { autocomplete: "given-name" }),
        text("patronymic", "contract.patronymic"),
        field({ label: "contract.authority", name: "authority", field: "authority", control: authorityControl, required: true }),
      ),
      h("div", { class: "grid-2" }, registered, h("div", {}, actual, h("div", { class: "check contract-same" }, same, h("label", { for: sameId }, w("contract.sameAddress"))))),
      h(
        "div",
        { class: "grid-2" },
        text("workplace", "contract.workplace", { autocomplete: "organization" }),
        text("position", "contract.position", { autocomplete: "organization-title" }),
      ),
    ),
    h(
      "fieldset",
      { class: "card" },
      h("legend", {}, w("contract.repContacts")),
      h(
        "div",
        { class: "grid-3" },
        text("phone", "contract.phone", { type: "tel", inputmode: "tel", autocomplete: "tel", placeholder: "+7 7XX XXX XX XX", hint: "contacts.phoneHint" }),
        text("extra_phone", "contract.extraPhone", { type: "tel", inputmode: "tel", placeholder: "+7 7XX XXX XX XX" }),
        text("email", "contract.email", { type: "email", autocomplete: "email" }),
      ),
    ),
    errors,
    h(
      "div",
      { class: "form-actions" },
      wizard.backButton(3),
      h("button", { type: "submit", class: "btn btn-primary" }, w("contract.next"), h("span", { "aria-hidden": "true" }, " →")),
    ),
  );
  syncActual();

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const submit = form.querySelector("button[type=submit]");
    busy(submit, async () => {
      clearFieldErrors(form);
      errors.replaceChildren();
      const data = new FormData(form);
      const body = {};
      for (const name of [...REQUIRED, ...OPTIONAL]) {
        const value = String(data.get(name) ?? form.querySelector(`[name="${name}"]`)?.value ?? "").trim();
        body[name] = value || (OPTIONAL.includes(name) ? null : "");
      }
      let wrong = false;
      for (const name of REQUIRED) if (!body[name]) wrong = setFieldError(form, name, w("error.required")) || wrong;
      if (body.iin && !/^\d{12}$/.test(body.iin)) wrong = setFieldError(form, "iin", w("error.iin")) || wrong;
      if (body.email && !/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(body.email)) wrong = setFieldError(form, "email", w("error.email")) || wrong;
      if (wrong) {
        errors.append(notice("error", w("error.fixFields")));
        form.querySelector("[aria-invalid]")?.focus();
        return;
      }
      try {
        await wizard.accept(await put(`${contractPath(contract.number)}/steps/representative`, body), 3);
      } catch (error) {
        showRefusal(form, errors, error);
      }
    });
  });
  root.append(form);
}
