// Step 1 of the contract: what the process asks of the parent (seed 000), read before anything is saved.

import { post } from "../api.js";
import { h, w } from "../dom.js";
import { busy, notice } from "../ui.js";
import { contractPath, showRefusal } from "./common.js";

const FAQ = [
  ["contract.faqNoEdsQ", "contract.faqNoEdsA"],
  ["contract.faqCardQ", "contract.faqCardA"],
  ["contract.faqAboutQ", "contract.faqAboutA"],
  ["contract.faqHelpQ", "contract.faqHelpA"],
];

/** Step 1: the information screen and «Әрі қарай». */
export function infoStep(root, wizard) {
  const errors = h("div", { class: "error-slot" });
  const next = h("button", { type: "button", class: "btn btn-primary" }, w("contract.next"), h("span", { "aria-hidden": "true" }, " →"));
  const form = h(
    "section",
    { class: "card contract-info", dataset: { field: "read" } },
    h("p", { class: "lead" }, w("contract.infoLead")),
    h("h3", {}, w("contract.infoPrepare")),
    h(
      "ul",
      { class: "check-list" },
      ["contract.prepEds", "contract.prepId", "contract.prepBank", "contract.prepMedical"].map((key) => h("li", {}, w(key))),
    ),
    h("h3", {}, w("contract.steps")),
    h(
      "ol",
      { class: "contract-process" },
      ["contract.step1", "contract.step2", "contract.step3", "contract.step4", "contract.step5", "contract.step6"].map((key) => h("li", {}, w(key))),
    ),
    h("p", {}, w("contract.infoProcess")),
    notice("warning", h("strong", { class: "notice-title" }, w("contract.attentionAll")), h("p", {}, w("contract.infoWarning"))),
    h("p", { class: "field-error", hidden: true }),
  );
  const faq = h(
    "section",
    { class: "card card-soft contract-faq" },
    h("h3", {}, w("contract.faq")),
    FAQ.map(([question, answer]) => h("details", {}, h("summary", {}, w(question)), h("p", {}, w(answer)))),
  );
  next.addEventListener("click", () =>
    busy(next, async () => {
      try {
        await wizard.accept(await post(`${contractPath(wizard.contract.number)}/steps/info`, { read: true }), 1);
      } catch (error) {
        showRefusal(form, errors, error);
      }
    }),
  );
  root.append(
    form,
    faq,
    errors,
    h(
      "div",
      { class: "form-actions" },
      h("a", { class: "btn btn-outline", href: "#/contracts" }, w("app.cancel")),
      next,
    ),
  );
}
