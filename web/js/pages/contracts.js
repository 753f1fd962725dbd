// «Шарттар» / «Договоры»: the parent's electronic contracts with their status (seed 000: the
// kindergarten's signature shows here); a click opens the contract card or continues the wizard.

import { get } from "../api.js";
import { h, w } from "../dom.js";
import { formatDate } from "../format.js";
import { notice, showError } from "../ui.js";
import { contractPath, contractStatus, dateTimeComma, kindergartenName } from "../contract/common.js";

const COLUMNS = [
  ["contracts.number", (c) => h("a", { href: `#${contractPath(c.number)}`, class: "reg-number mono" }, c.number)],
  ["contracts.kindergarten", (c) => kindergartenName(c.kindergarten)],
  ["contracts.child", (c) => c.child?.full_name || "—"],
  ["contracts.status", (c) => contractStatus(c)],
  ["contracts.sentAt", (c) => (c.sent_at ? dateTimeComma(c.sent_at) : "—")],
  ["contracts.concluded", (c) => (c.concluded_on ? formatDate(c.concluded_on) : c.signed_at ? formatDate(c.signed_at) : "—")],
];

export async function render(root, _params, ctx) {
  const errors = h("div", { class: "error-slot" });
  root.append(h("div", { class: "page-head" }, h("h1", {}, w("contracts.title"))), errors);
  let items = [];
  try {
    items = (await get("/contracts")).items || [];
  } catch (error) {
    showError(errors, error);
    return;
  }
  if (!items.length) {
    root.append(
      h(
        "div",
        { class: "card empty" },
        h("p", {}, w("contracts.empty")),
        h("a", { class: "btn btn-primary", href: "#/applications" }, w("nav.journal")),
      ),
    );
    return;
  }
  root.append(
    notice("info", w("contracts.note")),
    h(
      "div",
      { class: "table-wrap card card-flush" },
      h(
        "table",
        { class: "table table-stack contracts" },
        h("caption", { class: "visually-hidden" }, w("contracts.caption")),
        h("thead", {}, h("tr", {}, COLUMNS.map(([key]) => h("th", { scope: "col" }, w(key))))),
        h(
          "tbody",
          {},
          items.map((item) =>
            h(
              "tr",
              {
                class: "row-link",
                dataset: { number: item.number, status: item.status },
                onclick: (event) => {
                  if (event.target.closest("a")) return;
                  ctx.go(contractPath(item.number));
                },
              },
              COLUMNS.map(([key, cell]) => h("td", { attrs18n: { "data-label": key } }, cell(item))),
            ),
          ),
        ),
      ),
    ),
  );
}
