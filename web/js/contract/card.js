// The contract card (seed 000, «Шарттың карточкасы»): status, parties, dates, validity, the
// kindergarten's refusal with the way to correct it, the prices, the text (kk/ru) and the PDF.

import { get } from "../api.js";
import { bi, clear, h, icon, w } from "../dom.js";
import { formatDate } from "../format.js";
import { busy, dl, notice, showError } from "../ui.js";
import { contractPath, contractStatus, dateTimeComma, kindergartenName } from "./common.js";
import { draftButton, pricesTable } from "./confirm.js";

/** The final PDF of a signed contract: GET …/document gives a short-lived link. */
function finalDocument(contract) {
  const slot = h("div", { class: "error-slot" });
  const holder = h("div", { class: "final-document" });
  const open = h("button", { type: "button", class: "btn btn-primary", dataset: { action: "document" } }, icon("doc"), w("contract.download"));
  const show = (url) => {
    clear(holder).append(
      h("a", { class: "btn btn-primary", href: url, target: "_blank", rel: "noopener", download: "", dataset: { action: "document" } }, icon("doc"), w("contract.download")),
    );
  };
  if (contract.document_url) {
    show(contract.document_url);
  } else if (contract.document_preparing) {
    // the final PDF is made by a job of the signing: say so, and look again until it is there
    holder.append(h("p", { class: "notice notice-info", role: "status", dataset: { document: "preparing" } }, h("span", { class: "spinner", "aria-hidden": "true" }), w("contract.documentPreparing")));
    const look = async () => {
      if (!holder.isConnected) return;
      try {
        const fresh = await get(contractPath(contract.number));
        if (fresh.document_url) {
          clear(holder);
          show(fresh.document_url);
          return;
        }
      } catch {
        // the next visit reads it again
      }
      setTimeout(look, 2000);
    };
    setTimeout(look, 2000);
  } else {
    open.addEventListener("click", () =>
      busy(open, async () => {
        showError(slot, null);
        try {
          const answer = await get(`${contractPath(contract.number)}/document`);
          show(answer.url);
          window.open(answer.url, "_blank", "noopener");
        } catch (error) {
          showError(slot, error);
        }
      }),
    );
    holder.append(open);
  }
  return h("div", {}, holder, slot);
}

function paragraphText(paragraph) {
  if (paragraph == null) return "";
  if (typeof paragraph === "string") return paragraph;
  return bi(paragraph.kk ?? paragraph.ru ?? "", paragraph.ru ?? paragraph.kk ?? "");
}

/** The contract text as the server returns it: sections with an optional title and paragraphs
 * (`open`: unfolded, in a box of its own height that scrolls — step 6 shows it so). */
export function contractText(contract, open = false) {
  const sections = contract.sections || [];
  if (!sections.length) return null;
  return h(
    "details",
    { class: `card contract-text${open ? " contract-text-inline" : ""}`, open, tabindex: open ? "0" : null },
    h("summary", {}, w("contract.text")),
    sections.map((section) =>
      h(
        "section",
        { class: "contract-section" },
        section.title ? h("h4", {}, paragraphText(section.title)) : null,
        (section.paragraphs || []).map((p) => h("p", {}, paragraphText(p))),
      ),
    ),
  );
}

/** «Шарттың қолданылу мерзімі: мерзімсіз» — the validity the server states (indefinite). */
function validity(contract) {
  const value = contract.validity && (contract.validity.kk || contract.validity.ru) ? contract.validity : { kk: "мерзімсіз", ru: "бессрочно" };
  return h(
    "p",
    { class: "contract-validity" },
    h("span", { bi: { kk: `Шарттың қолданылу мерзімі: ${value.kk || value.ru}`, ru: `Срок действия договора: ${value.ru || value.kk}` } }),
  );
}

/** The card of a contract that is sent, signed, refused or cancelled. `fix()` reopens steps 3–5. */
export function contractCard(root, contract, { fix } = {}) {
  const status = contract.status;
  const actions = contract.actions || [];
  const parts = [];

  if (status === "refused") {
    const refusal = contract.refusal || {};
    parts.push(
      notice(
        "error",
        h("strong", { class: "notice-title" }, w("contract.refused")),
        refusal.reason ? h("p", { class: "refusal-reason" }, w("contract.refusalReason", { reason: refusal.reason })) : null,
        refusal.at ? h("p", { class: "muted" }, w("contract.refusedAt", { date: dateTimeComma(refusal.at) })) : null,
        h("p", {}, w("contract.refusedFix")),
        fix && (actions.includes("edit") || !actions.length)
          ? h("div", { class: "form-actions" }, h("button", { type: "button", class: "btn btn-primary", dataset: { action: "fix" }, onclick: fix }, w("contract.fix")))
          : null,
      ),
    );
  } else if (status === "sent") {
    parts.push(notice("info", w("contract.waiting")));
  } else if (status === "signed") {
    parts.push(notice("success", w("contract.inForce")));
  } else if (status === "cancelled") {
    parts.push(notice("warning", w("contract.cancelledNote")));
  }

  const rep = contract.steps && contract.steps.representative;
  parts.push(
    h(
      "section",
      { class: "card contract-card" },
      h(
        "div",
        { class: "review-head" },
        h("h2", { class: "h3" }, w("contract.kind")),
        contractStatus(contract),
      ),
      status === "signed" ? validity(contract) : null,
      dl([
        ["contracts.number", h("strong", { class: "mono" }, contract.number)],
        ["contract.executor", kindergartenName(contract.kindergarten)],
        ["contract.child", contract.child?.full_name],
        ["contract.direction", h("span", { class: "mono" }, contract.direction_number || "—")],
        rep ? ["contract.representative", [rep.surname, rep.given_name, rep.patronymic].filter(Boolean).join(" ")] : null,
        contract.sent_at ? ["contracts.sentAt", dateTimeComma(contract.sent_at)] : null,
        contract.signed_at ? ["contract.signedAt", dateTimeComma(contract.signed_at)] : null,
        contract.concluded_on ? ["contracts.concluded", formatDate(contract.concluded_on)] : null,
      ]),
      h("h3", { class: "h3 contract-documents" }, w("contract.documents")),
      h("div", { class: "contract-downloads" }, status === "signed" ? finalDocument(contract) : draftButton(contract)),
    ),
  );
  if (contract.prices && contract.prices.length) {
    parts.push(h("section", { class: "card" }, h("h3", { class: "h3" }, w("contract.prices")), pricesTable(contract.prices)));
  }
  const text = contractText(contract);
  if (text) parts.push(text);
  root.append(...parts);
}
