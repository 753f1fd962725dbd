// Step 4 of the contract: the representative's identity document and bank details. The account
// number must be an IBAN, not a payment-card number: the server refuses a card with the seed's words.

import { put } from "../api.js";
import { h, uid, w } from "../dom.js";
import { busy, clearFieldErrors, field, notice, setFieldError } from "../ui.js";
import { bankByName, bankOfIban, BANKS } from "./banks.js";
import { contractPath, showRefusal } from "./common.js";

const KINDS = ["id_card", "passport", "residence_permit", "stateless_certificate"];
const REQUIRED = [
  "identity_document.kind",
  "identity_document.number",
  "identity_document.issued_on",
  "identity_document.issued_by",
  "bank.bank",
  "bank.bic",
  "bank.branch",
  "bank.iban",
];

/** Step 4: «Шарттың деректемелері». */
export function detailsStep(root, wizard) {
  const contract = wizard.contract;
  const saved = (contract.steps && contract.steps.details) || {};
  const doc = saved.identity_document || {};
  const bank = saved.bank || {};
  const errors = h("div", { class: "error-slot" });
  const kinds = KINDS.includes(doc.kind) || !doc.kind ? KINDS : [...KINDS, doc.kind];

  const kindControl = h(
    "select",
    { id: uid("kind"), name: "identity_document.kind", required: true },
    h("option", { value: "", i18n: "apply.choose" }),
    kinds.map((kind) => h("option", { value: kind, i18n: `idkind.${kind}`, selected: (doc.kind || "id_card") === kind })),
  );
  const text = (name, label, value, opts = {}) => field({ label, name, field: name, value: value ?? "", required: true, ...opts });
  const listId = uid("banks");
  const bankBox = text("bank.bank", "contract.bank", bank.bank, { hint: "contract.bankHint", autocomplete: "off" });
  bankBox.querySelector("input").setAttribute("list", listId);
  bankBox.append(h("datalist", { id: listId }, BANKS.map((b) => h("option", { value: b.name }))));
  const bicBox = text("bank.bic", "contract.bic", bank.bic, { maxlength: 11, placeholder: "CASPKZKA", autocomplete: "off" });
  const ibanBox = text("bank.iban", "contract.iban", bank.iban, {
    maxlength: 34,
    placeholder: "KZ00 000A 0000 0000 0000",
    hint: "contract.ibanHint",
    autocomplete: "off",
  });
  const bankInput = bankBox.querySelector("input");
  const bicInput = bicBox.querySelector("input");
  const ibanInput = ibanBox.querySelector("input");
  // Choosing a bank from the list fills its BIC; an IBAN of a known bank fills the bank and BIC
  // (only empty fields: what the parent typed stays).
  bankInput.addEventListener("input", () => {
    const known = bankByName(bankInput.value);
    if (known && !bicInput.value.trim()) bicInput.value = known.bic;
  });
  ibanInput.addEventListener("input", () => {
    const known = bankOfIban(ibanInput.value);
    if (!known) return;
    if (!bankInput.value.trim()) bankInput.value = known.name;
    if (!bicInput.value.trim()) bicInput.value = known.bic;
  });

  const form = h(
    "form",
    { class: "form contract-form", novalidate: true },
    h("p", { class: "muted" }, w("contract.detailsLead")),
    h(
      "fieldset",
      { class: "card" },
      h("legend", {}, w("contract.idDoc")),
      h(
        "div",
        { class: "grid-2" },
        field({ label: "contract.idKind", name: "identity_document.kind", field: "identity_document.kind", control: kindControl, required: true }),
        text("identity_document.number", "contract.idNumber", doc.number, { autocomplete: "off" }),
        text("identity_document.issued_on", "contract.idIssuedOn", doc.issued_on, { type: "date" }),
        text("identity_document.issued_by", "contract.idIssuedBy", doc.issued_by, { placeholder: "ҚР ІІМ" }),
      ),
    ),
    h(
      "fieldset",
      { class: "card" },
      h("legend", {}, w("contract.bankDetails")),
      notice("warning", w("contract.cardWarning")),
      h("div", { class: "grid-2" }, bankBox, bicBox, text("bank.branch", "contract.branch", bank.branch), ibanBox),
    ),
    errors,
    h(
      "div",
      { class: "form-actions" },
      wizard.backButton(4),
      h("button", { type: "submit", class: "btn btn-primary" }, w("contract.next"), h("span", { "aria-hidden": "true" }, " →")),
    ),
  );

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const submit = form.querySelector("button[type=submit]");
    busy(submit, async () => {
      clearFieldErrors(form);
      errors.replaceChildren();
      const value = (name) => String(form.querySelector(`[name="${name}"]`)?.value ?? "").trim();
      let wrong = false;
      for (const name of REQUIRED) if (!value(name)) wrong = setFieldError(form, name, w("error.required")) || wrong;
      if (wrong) {
        errors.append(notice("error", w("error.fixFields")));
        form.querySelector("[aria-invalid]")?.focus();
        return;
      }
      const body = {
        identity_document: {
          kind: value("identity_document.kind"),
          number: value("identity_document.number"),
          issued_on: value("identity_document.issued_on"),
          issued_by: value("identity_document.issued_by"),
        },
        bank: {
          bank: value("bank.bank"),
          bic: value("bank.bic").toUpperCase(),
          branch: value("bank.branch"),
          iban: value("bank.iban").replace(/\s+/g, "").toUpperCase(),
        },
      };
      try {
        await wizard.accept(await put(`${contractPath(contract.number)}/steps/details`, body), 4);
      } catch (error) {
        showRefusal(form, errors, error);
      }
    });
  });
  root.append(form);
}
