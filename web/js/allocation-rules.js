// How seats are allocated in the child's region — the mode (by the common queue, or stable matching
// with kindergarten priorities), the priorities the region turned on, and the rule for siblings
// joined "together only" — shown on the application page from GET /regions/{code}/allocation-rules.

import { api, get, post } from "./api.js";
import { bi, biField, clear, h, uid, w } from "./dom.js";
import { busy, showError } from "./ui.js";

export function allocationRulesPanel(region) {
  const titleId = uid("rules");
  const panel = h("section", { class: "card allocation-rules", hidden: true, "aria-labelledby": titleId });

  async function refresh() {
    let rules;
    try {
      rules = await get(`/regions/${encodeURIComponent(region)}/allocation-rules`);
    } catch {
      panel.hidden = true; // the rules are a help, not a step: the page works without them
      return;
    }
    const priorities = rules.priorities.length
      ? h("ul", { class: "allocation-priorities" }, rules.priorities.map((p) => h("li", { "data-kind": p.kind }, biField(p, "name"))))
      : h("p", { class: "muted" }, w("rules.none"));
    clear(panel).append(
      h("h2", { class: "h3", id: titleId }, w("rules.title")),
      h("p", { class: "allocation-mode", "data-mode": rules.mode }, h("strong", {}, biField(rules, "mode")), " — ", biField(rules, "rule")),
      h("h3", { class: "h4" }, w("rules.priorities")),
      priorities,
      h("p", { class: "muted" }, bi(rules.families.kk, rules.families.ru)),
    );
    panel.hidden = false;
  }

  return { element: panel, refresh };
}

/**
 * Siblings joined for allocation: the application's family, or a form joining it with the parent's
 * other applications in the same district's queue ("together only" or "separately allowed").
 * `current()` gives the application as shown now; `changed(messageKey)` is called after a join or a separation.
 */
export function familyPanel(current, changed) {
  const titleId = uid("family");
  const panel = h("section", { class: "card family", hidden: true, "aria-labelledby": titleId });
  const slot = h("div", { class: "family-error" });

  async function act(button, task, messageKey) {
    await busy(button, async () => {
      try {
        await task();
        changed(messageKey);
      } catch (error) {
        showError(slot, error);
      }
    });
  }

  async function refresh() {
    const item = current();
    if (item.status !== "active") {
      panel.hidden = true;
      return;
    }
    const title = h("h2", { class: "h3", id: titleId }, w("family.title"));
    if (item.family) {
      const separate = h("button", { type: "button", class: "btn btn-secondary" }, w("family.separate"));
      separate.addEventListener("click", () =>
        act(separate, () => api("DELETE", `/applications/${encodeURIComponent(item.id)}/family`), "family.separated"),
      );
      clear(panel).append(title, h("p", { class: "family-state" }, w(item.family.together ? "family.together" : "family.apart")), slot, separate);
      panel.hidden = false;
      return;
    }
    let others = [];
    try {
      others = ((await get("/applications")).items || []).filter(
        (other) => other.id !== item.id && other.status === "active" && other.district === item.district && !other.family,
      );
    } catch {
      others = [];
    }
    if (!others.length) {
      panel.hidden = true;
      return;
    }
    const boxes = others.map((other) => {
      const box = h("input", { type: "checkbox", value: other.id, id: uid("sibling") });
      return h("label", { class: "check", for: box.id }, box, " ", other.child?.full_name || other.id);
    });
    const together = h("input", { type: "radio", name: uid("mode"), value: "together", checked: true, id: uid("together") });
    const apart = h("input", { type: "radio", name: together.name, value: "apart", id: uid("apart") });
    const join = h("button", { type: "button", class: "btn btn-primary" }, w("family.join"));
    join.addEventListener("click", () => {
      const chosen = boxes.map((label) => label.querySelector("input")).filter((box) => box.checked).map((box) => box.value);
      act(join, () => post("/applications/family", { application_ids: [item.id, ...chosen], together: together.checked }), "family.joined");
    });
    clear(panel).append(
      title,
      h("p", { class: "muted" }, w("family.hint")),
      h("fieldset", { class: "family-members" }, h("legend", {}, w("family.who")), ...boxes),
      h(
        "fieldset",
        { class: "family-mode" },
        h("legend", {}, w("family.mode")),
        h("label", { class: "check", for: together.id }, together, " ", w("family.together")),
        h("label", { class: "check", for: apart.id }, apart, " ", w("family.apart")),
      ),
      slot,
      join,
    );
    panel.hidden = false;
  }

  return { element: panel, refresh };
}
