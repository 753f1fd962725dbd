// Putting a child in the queue: step 1 the applicant (from the population registry),
// step 2 the child, queue, kindergartens, language and benefit, step 3 review, sign and send.

import { clear, h, w } from "../dom.js";
import { applicantStep } from "../wizard/applicant.js";
import { childStep } from "../wizard/child.js";
import { reviewStep, successView } from "../wizard/review.js";
import { current, reset, save } from "../wizard/state.js";

export { forget } from "../wizard/state.js";

function steps(active) {
  const names = ["apply.step1", "apply.step2", "apply.step3"];
  return h(
    "ol",
    { class: "stepper", attrs18n: { "aria-label": "apply.steps" } },
    names.map((key, index) =>
      h(
        "li",
        {
          class: `step${index + 1 === active ? " is-current" : ""}${index + 1 < active ? " is-done" : ""}`,
          "aria-current": index + 1 === active ? "step" : null,
        },
        h("span", { class: "step-num", "aria-hidden": "true" }, index + 1 < active ? "✓" : String(index + 1)),
        h("span", { class: "step-text" }, h("span", { class: "step-label" }, w("apply.step", { n: index + 1 })), w(key)),
      ),
    ),
  );
}

function show(page, step, ctx) {
  current().step = step;
  save();
  render(page, { internal: true }, ctx).then(() => {
    const heading = page.querySelector("h1");
    if (heading) {
      heading.setAttribute("tabindex", "-1");
      heading.focus({ preventScroll: true });
    }
    window.scrollTo(0, 0);
  });
}

export async function render(root, params, ctx) {
  let state = current();
  if (!params.internal && state.step > 3) state = reset();
  const nav = { ...ctx, step: (n) => show(root, n, ctx), rerender: () => render(root, { internal: true }, ctx) };
  clear(root);
  const errors = h("div", { class: "error-slot" });
  const body = h("div", { class: "wizard-body" });
  root.append(h("h1", {}, w("apply.title")));
  if (state.step <= 3) root.append(steps(state.step));
  root.append(body);
  if (state.step === 1) await applicantStep(body, nav, errors);
  else if (state.step === 2) await childStep(body, nav, errors);
  else if (state.step === 3) await reviewStep(body, nav, errors);
  else if (state.result) successView(body);
  else {
    reset();
    await applicantStep(body, nav, errors);
  }
}
