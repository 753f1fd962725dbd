// Step 2 of the contract: the EDS check. The server gives a small XML, the parent signs it with
// the AUTH key through NCALayer, the server checks that the certificate belongs to the account owner.

import { post } from "../api.js";
import { h, w } from "../dom.js";
import { formatDateTime } from "../format.js";
import { signXml } from "../ncalayer.js";
import { busy, dl, notice, showError, showStatus } from "../ui.js";
import { contractPath } from "./common.js";

/** Step 2: «ЭЦҚ таңдау» → sign the challenge with the AUTH key → «ЭЦҚ тексеріліп жатыр…». */
export function edsStep(root, wizard) {
  const contract = wizard.contract;
  const saved = contract.steps && contract.steps.eds;
  const errors = h("div", { class: "error-slot" });
  const status = h("div", { class: "status-slot", "aria-live": "polite" });
  const box = h("section", { class: "card contract-eds" });
  box.append(
    h("p", {}, w("contract.edsKeys")),
    h("p", {}, w("contract.edsHow")),
    notice("warning", h("strong", {}, w("contract.edsWarning"))),
  );
  if (saved) {
    box.append(
      notice(
        "success",
        h("strong", {}, w("contract.edsDone")),
        typeof saved === "object"
          ? dl([
              saved.full_name || saved.name ? ["contract.edsOwner", saved.full_name || saved.name] : null,
              saved.iin ? ["contract.iin", h("span", { class: "mono" }, saved.iin)] : null,
              saved.checked_at || saved.at ? ["contract.edsAt", formatDateTime(saved.checked_at || saved.at)] : null,
            ])
          : null,
      ),
    );
  }
  const check = h("button", { type: "button", class: `btn ${saved ? "btn-outline" : "btn-primary"}` }, w("contract.edsChoose"));
  check.addEventListener("click", () =>
    busy(check, async () => {
      const base = contractPath(contract.number);
      try {
        showError(errors, null);
        const challenge = await post(`${base}/eds-challenge`, {});
        showStatus(status, "contract.edsChooseKey");
        const signed = await signXml(challenge.xml, "auth");
        showStatus(status, "contract.edsChecking");
        const answer = await post(`${base}/steps/eds`, { signed_xml: signed });
        showStatus(status, null);
        await wizard.accept(answer, 2);
      } catch (error) {
        showStatus(status, null);
        showError(errors, error);
      }
    }),
  );
  const actions = h(
    "div",
    { class: "form-actions" },
    wizard.backButton(2),
    check,
  );
  if (saved) {
    actions.append(
      h("button", { type: "button", class: "btn btn-primary", onclick: () => wizard.open(3) }, w("contract.next"), h("span", { "aria-hidden": "true" }, " →")),
    );
  }
  root.append(box, errors, status, actions);
}
