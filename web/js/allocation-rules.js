// How seats are allocated in the child's region — the mode (by the common queue, or stable matching
// with kindergarten priorities), the priorities the region turned on, and the rule for siblings
// joined "together only" — shown on the application page from GET /regions/{code}/allocation-rules.

import { get } from "./api.js";
import { bi, biField, clear, h, uid, w } from "./dom.js";

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
