// Step 6 of the contract: read the draft (downloadable), tick «Мен шарттың мазмұнымен таныстым»,
// confirm in the dialog, sign the contract with the SIGN key and send it; then «Шарт қол қоюға
// жіберілді!» with the number, the direction and the sending time.

import { post } from "../api.js";
import { clear, h, icon, uid, w } from "../dom.js";
import { formatTenge } from "../format.js";
import { signXml } from "../ncalayer.js";
import { busy, dialog, dl, errorFields, holdNavigation, notice, showError, showStatus } from "../ui.js";
import { contractText } from "./card.js";
import { biText, contractPath, dateTimeComma, downloadWithToken, kindergartenName, showRefusal, stepOfField } from "./common.js";

/** The draft PDF: fetched with the session token, then saved by the browser. */
export function draftButton(contract) {
  const slot = h("div", { class: "error-slot" });
  const button = h("button", { type: "button", class: "btn btn-outline", dataset: { action: "draft" } }, icon("doc"), w("contract.downloadDraft"));
  button.addEventListener("click", () =>
    busy(button, async () => {
      showError(slot, null);
      try {
        await downloadWithToken(`${contractPath(contract.number)}/draft.pdf`, `shart-${contract.number}.pdf`);
      } catch (error) {
        showError(slot, error);
      }
    }),
  );
  return h("div", { class: "draft-download" }, button, slot);
}

/** The prices the contract carries (those in force when the parent decided). */
export function pricesTable(prices) {
  if (!prices || !prices.length) return null;
  return h(
    "div",
    { class: "table-wrap" },
    h(
      "table",
      { class: "table table-stack prices" },
      h("caption", { class: "visually-hidden" }, w("contract.prices")),
      h("thead", {}, h("tr", {}, ["contract.service", "contract.period", "contract.amount"].map((key) => h("th", { scope: "col" }, w(key))))),
      h(
        "tbody",
        {},
        prices.map((price) =>
          h(
            "tr",
            {},
            h("td", { attrs18n: { "data-label": "contract.service" } }, biText(price.service)),
            h("td", { attrs18n: { "data-label": "contract.period" } }, biText(price.period)),
            h("td", { class: "num", attrs18n: { "data-label": "contract.amount" } }, formatTenge(price.amount)),
          ),
        ),
      ),
    ),
  );
}

function representativeName(contract) {
  const rep = contract.steps && contract.steps.representative;
  if (!rep) return null;
  return [rep.surname, rep.given_name, rep.patronymic].filter(Boolean).join(" ");
}

/** Step 6: the draft, the tick, «Қол қоюға жіберу» and its confirmation dialog. */
export function confirmStep(root, wizard) {
  const contract = wizard.contract;
  const errors = h("div", { class: "error-slot" });
  const status = h("div", { class: "status-slot", "aria-live": "polite" });
  const readId = uid("read");
  const read = h("input", { id: readId, type: "checkbox", name: "read_confirmed" });
  const readError = h("p", { class: "field-error", hidden: true });
  const readBox = h("div", { class: "check contract-read", dataset: { field: "read_confirmed" } }, read, h("label", { for: readId }, w("contract.read")), readError);
  read.addEventListener("change", () => {
    readBox.classList.remove("has-error");
    readError.hidden = true;
  });
  const bank = contract.steps && contract.steps.details && contract.steps.details.bank;
  const form = h(
    "section",
    { class: "form contract-confirm" },
    h("p", { class: "muted" }, w("contract.confirmLead")),
    h(
      "section",
      { class: "card" },
      h("div", { class: "review-head" }, h("h3", {}, w("contract.draft")), draftButton(contract)),
      dl([
        ["contract.executor", kindergartenName(contract.kindergarten)],
        ["contract.child", contract.child?.full_name],
        ["contract.direction", h("span", { class: "mono" }, contract.direction_number)],
        representativeName(contract) ? ["contract.representative", representativeName(contract)] : null,
        bank ? ["contract.account", h("span", { class: "mono" }, bank.iban || "—")] : null,
      ]),
      contract.prices && contract.prices.length ? h("h4", {}, w("contract.prices")) : null,
      pricesTable(contract.prices),
    ),
    contractText(contract, true),
    h("section", { class: "card" }, h("p", {}, w("contract.signHow")), readBox),
  );
  const send = h("button", { type: "button", class: "btn btn-primary btn-large" }, icon("pen"), w("contract.send"));

  const doSend = async () => {
    const base = contractPath(contract.number);
    showError(errors, null);
    holdNavigation(true); // while the contract is signed and sent, nothing moves the wizard elsewhere
    try {
      showStatus(status, "contract.preparing");
      const signing = await post(`${base}/signing-document`, { read_confirmed: true });
      showStatus(status, "contract.chooseSign");
      const signed = await signXml(signing.xml, "sign");
      showStatus(status, "contract.signing");
      const result = await post(`${base}/send`, { signed_xml: signed, read_confirmed: true });
      showStatus(status, null);
      wizard.sent(result);
    } catch (error) {
      showStatus(status, null);
      const elsewhere = errorFields(error).map(stepOfField).find((step) => step && step < 6);
      if (elsewhere) {
        wizard.open(elsewhere, error);
        return;
      }
      showRefusal(form, errors, error);
    } finally {
      holdNavigation(false);
    }
  };

  send.addEventListener("click", () => {
    if (!read.checked) {
      clear(readError).append(w("contract.readRequired"));
      readError.hidden = false;
      readBox.classList.add("has-error");
      read.focus();
      return;
    }
    const dlg = dialog("contract.send");
    const yes = h("button", { type: "button", class: "btn btn-primary" }, w("contract.sendYes"));
    yes.addEventListener("click", () => {
      dlg.close();
      busy(send, doSend);
    });
    dlg.body.append(
      h(
        "p",
        { class: "send-text" },
        w("contract.sendText", { contract: contract.number, direction: contract.direction_number, child: contract.child?.full_name || "" }),
      ),
    );
    dlg.footer.append(h("button", { type: "button", class: "btn btn-outline", onclick: dlg.close }, w("contract.back")), yes);
    dlg.open();
  });

  root.append(
    form,
    errors,
    status,
    h("div", { class: "form-actions" }, wizard.backButton(6), send),
  );
}

/** «Шарт қол қоюға жіберілді!»: the number, the direction, the sending time, «Шартты қарау». */
export function sentView(root, result) {
  const number = result.number;
  root.append(
    h(
      "section",
      { class: "card success contract-sent", role: "status" },
      h("div", { class: "success-mark", "aria-hidden": "true" }, "✓"),
      h("h2", {}, w("contract.sent")),
      h("p", { class: "big-number" }, w("contract.sentText", { n: number })),
      dl([
        ["contracts.number", h("strong", { class: "mono" }, number)],
        ["contract.direction", h("span", { class: "mono" }, result.direction_number || "—")],
        result.kindergarten ? ["contract.executor", kindergartenName(result.kindergarten)] : null,
      ]),
      h("p", { class: "sent-on" }, w("contract.sentOn", { date: dateTimeComma(result.sent_at) })),
      h("div", { class: "success-note" }, notice("info", w("contract.sentNote"))),
      h(
        "div",
        { class: "form-actions" },
        h("a", { class: "btn btn-outline", href: "#/contracts" }, w("nav.contracts")),
        h("a", { class: "btn btn-primary", href: `#${contractPath(number)}` }, w("contract.view")),
      ),
    ),
  );
}
