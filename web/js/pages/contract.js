// One electronic contract (seed 000): the six-step wizard while it is a draft (or, after the
// kindergarten refused, steps 3–6 again), otherwise its card. Every step is saved on the server,
// so the parent can leave and come back to the first unfinished step.

import { get } from "../api.js";
import { clear, h, w } from "../dom.js";
import { showError } from "../ui.js";
import { contractCard } from "../contract/card.js";
import { contractPath, contractStatus, editableSteps, kindergartenName, showRefusal, stepper } from "../contract/common.js";
import { confirmStep, sentView } from "../contract/confirm.js";
import { detailsStep } from "../contract/details.js";
import { documentsStep } from "../contract/documents.js";
import { edsStep } from "../contract/eds.js";
import { infoStep } from "../contract/info.js";
import { representativeStep } from "../contract/representative.js";

const STEP_VIEWS = [infoStep, edsStep, representativeStep, detailsStep, documentsStep, confirmStep];

function focusHeading(root) {
  const heading = root.querySelector("h1");
  if (heading) {
    heading.setAttribute("tabindex", "-1");
    heading.focus({ preventScroll: true });
  }
  window.scrollTo(0, 0);
}

function crumbs() {
  return h("p", { class: "crumbs" }, h("a", { href: "#/contracts" }, "← ", w("contract.backToList")));
}

function meta(contract) {
  return h(
    "div",
    { class: "app-meta contract-meta" },
    h("span", { class: "mono", dataset: { testid: "contract-number" } }, w("contract.head", { n: contract.number })),
    contractStatus(contract),
    h("span", { class: "meta" }, kindergartenName(contract.kindergarten)),
    h("span", { class: "meta" }, w("contract.forDirection", { n: contract.direction_number || "—" })),
    contract.child?.full_name ? h("span", { class: "meta" }, contract.child.full_name) : null,
  );
}

/** The wizard, opened at `start`; `ctx` is the router's. */
function wizardView(root, first, start, ctx) {
  const path = contractPath(first.number);
  const wizard = {
    contract: first,
    active: start,

    /** Show step n; a refusal from a later step is shown at its field there. */
    async open(n, error = null) {
      if (!root.isConnected) return;
      wizard.active = n;
      clear(root);
      const body = h("div", { class: "wizard-body", dataset: { step: String(n) } });
      root.append(crumbs(), h("h1", {}, w("contract.title")), meta(wizard.contract), stepper(wizard.contract, n, (to) => wizard.open(to)), body);
      body.append(h("h2", { class: "h3 step-heading" }, w("contract.stepTitle", { n }), ": ", w(`contract.step${n}`)));
      await STEP_VIEWS[n - 1](body, wizard);
      focusHeading(root);
      if (error) {
        const form = body.querySelector("form, .form") || body;
        const slot = body.querySelector(".error-slot");
        if (slot) showRefusal(form, slot, error);
      }
    },

    /** After step n was saved: keep what the server answered and open the next step. */
    async accept(answer, n) {
      wizard.contract = answer && answer.number && answer.steps ? answer : await get(path);
      await wizard.open(Math.min(n + 1, 6));
    },

    /** «Артқа»: the previous step the parent may change, or back to the list / the card. */
    backButton(n) {
      const editable = editableSteps(wizard.contract);
      const previous = editable.filter((step) => step < n).pop();
      const arrow = h("span", { "aria-hidden": "true" }, "← ");
      if (previous) {
        return h("button", { type: "button", class: "btn btn-outline", dataset: { wizard: "back" }, onclick: () => wizard.open(previous) }, arrow, w("contract.back"));
      }
      const href = wizard.contract.status === "refused" ? `#${path}` : "#/contracts";
      return h("a", { class: "btn btn-outline", href, dataset: { wizard: "back" } }, arrow, w("contract.back"));
    },

    /** Sent for signing: «Шарт қол қоюға жіберілді!» (the address changes so that a reload keeps it). */
    sent(result) {
      const contract = { ...wizard.contract, ...result };
      history.replaceState(null, "", `#${path}/sent`);
      clear(root);
      root.append(crumbs(), h("h1", {}, w("contract.title")));
      sentView(root, contract);
      focusHeading(root);
    },
  };
  return wizard.open(start);
}

export async function render(root, params, ctx) {
  const errors = h("div", { class: "error-slot" });
  let contract;
  try {
    contract = await get(contractPath(params.number));
  } catch (error) {
    root.append(crumbs(), h("h1", {}, w("contract.title")), errors);
    showError(errors, error);
    return;
  }
  const status = contract.status;
  if (params.view === "sent" && (status === "sent" || status === "signed")) {
    root.append(crumbs(), h("h1", {}, w("contract.title")));
    sentView(root, contract);
    return;
  }
  if (status === "draft") {
    await wizardView(root, contract, Math.min(Math.max(Number(contract.step) || 1, 1), 6), ctx);
    return;
  }
  if (status === "refused" && params.view === "edit") {
    await wizardView(root, contract, 3, ctx);
    return;
  }
  root.append(crumbs(), h("h1", {}, w("contract.card")), meta(contract), errors);
  contractCard(root, contract, { fix: () => ctx.go(`${contractPath(contract.number)}/edit`) });
}
