// The child's directions (жолдама / направление) in the application view: number, kindergarten,
// status, deadline and document, with "extend" (once, up to 30 days) and "revoke" (within 24 hours
// of issue) when the API lists them as allowed, and «Шарт жасасу» (seed 000) when the kindergarten
// concludes contracts electronically.

import { get, post } from "./api.js";
import { bi, biField, clear, h, icon, kgName, uid, w } from "./dom.js";
import { formatDate, formatDateTime } from "./format.js";
import { busy, dialog, field, notice, setFieldError, showError } from "./ui.js";
import { pricesTable } from "./contract/confirm.js";

const MAX_EXTENSION_DAYS = 30;

const TONES = { issued: "info", extended: "info", enrolled: "ok", expired: "muted", revoked: "muted" };

function statusBadge(direction) {
  const tone = TONES[direction.status] || "info";
  return h("span", { class: `badge badge-${tone}` }, bi(direction.status_kk || direction.status, direction.status_ru || direction.status));
}

function deadline(direction) {
  return h(
    "span",
    { class: "dir-deadline" },
    w("dir.until", { date: formatDate(direction.valid_until) }),
    direction.extended && direction.extended_days
      ? h("span", { class: "muted dir-extended" }, w("dir.extendedBy", { n: direction.extended_days }))
      : null,
  );
}

/**
 * The deadline as the parent should read it: counting down (with the working days left), paused
 * while the kindergarten holds the contract (and what will be left when it resumes), or none once
 * the direction is over.
 */
function deadlineCell(direction) {
  const clock = direction.clock;
  if (!clock) return deadline(direction);
  if (clock.state === "stopped") {
    return direction.status === "expired"
      ? h("span", { class: "muted" }, w("dir.lapsedOn", { date: formatDate(direction.valid_until) }))
      : h("span", { class: "muted", dataset: { clock: "stopped" } }, w(direction.status === "enrolled" ? "dir.noDeadlineEnrolled" : "dir.noDeadline"));
  }
  if (clock.state === "paused") {
    return h(
      "span",
      { class: "dir-deadline", dataset: { clock: "paused" } },
      h("span", { class: "badge badge-warning" }, icon("clock"), w("dir.paused")),
      h("span", { class: "muted dir-left" }, w("dir.pausedLeft", { n: clock.working_days_left, date: formatDate(clock.valid_until) })),
    );
  }
  return h(
    "span",
    { class: "dir-deadline", dataset: { clock: clock.state } },
    w("dir.until", { date: formatDate(clock.valid_until) }),
    h(
      "span",
      { class: "muted dir-left" },
      clock.state === "passed" ? w("dir.passed") : clock.working_days_left === 0 ? w("dir.lastDay") : w("dir.daysLeft", { n: clock.working_days_left }),
    ),
    direction.extended && direction.extended_days
      ? h("span", { class: "muted dir-extended" }, w("dir.extendedBy", { n: direction.extended_days }))
      : null,
  );
}

/**
 * The direction's timeline: issued, extended, the contract sent / refused / signed, the child admitted
 * or the direction ended, and the clock now (working days left, paused, none).
 */
function timeline(direction, contract) {
  const steps = [];
  const step = (key, at, state, ...extra) => steps.push(h("li", { class: `tl-step tl-${state}`, dataset: { step: key } }, h("span", { class: "tl-dot", "aria-hidden": "true" }), h("span", { class: "tl-body" }, w(`tl.${key}`), at ? h("span", { class: "muted tl-at" }, " ", formatDateTime(at)) : null, ...extra)));
  step("issued", direction.issued_at, "done");
  if (direction.extended) step("extended", null, "done", " ", w("dir.extendedBy", { n: direction.extended_days || "" }));
  // the contract's events in the order they happened (a refused contract is sent again later)
  const events = [];
  if (contract?.sent_at) events.push([contract.sent_at, "sent", "done", null]);
  if (contract?.refusal?.at) events.push([contract.refusal.at, "refused", "warn", contract.refusal.reason ? h("span", { class: "muted" }, " — ", String(contract.refusal.reason)) : null]);
  if (contract?.signed_at) events.push([contract.signed_at, "signed", "done", null]);
  events.sort((a, b) => Date.parse(a[0]) - Date.parse(b[0]));
  for (const [at, key, state, extra] of events) step(key, at, state, extra);
  const clock = direction.clock || {};
  if (direction.status === "enrolled") step("enrolled", direction.status_at, "done");
  else if (direction.status === "expired" || direction.status === "revoked") step(direction.status, direction.status_at, "muted");
  else if (clock.state === "paused") step("paused", null, "now", " ", w("dir.pausedLeft", { n: clock.working_days_left, date: formatDate(clock.valid_until) }));
  else if (clock.valid_until) {
    step("deadline", null, "now", " ", w("dir.until", { date: formatDate(clock.valid_until) }), " · ", clock.state === "passed" ? w("dir.passed") : clock.working_days_left === 0 ? w("dir.lastDay") : w("dir.daysLeft", { n: clock.working_days_left }));
  }
  return h(
    "div",
    { class: "dir-timeline", dataset: { timeline: direction.number } },
    h("h3", { class: "h4" }, w("tl.title", { n: direction.number })),
    h("ol", { class: "plain-list tl-list" }, steps),
  );
}

/** After enrolment: what comes next — the kindergarten to bring the child to, its address and phone, the contract
 * and what it costs. */
function nextSteps(direction, contract) {
  const kg = direction.kindergarten || {};
  return h(
    "div",
    { class: "dir-next", dataset: { next: direction.number } },
    h("h3", {}, w("dir.nextTitle")),
    h(
      "ol",
      { class: "plain-list dir-next-list" },
      h("li", {}, w("dir.nextBring"), " ", kgName(kg), "."),
      kg.address_kk || kg.address_ru ? h("li", {}, w("dir.nextAddress"), " ", bi(kg.address_kk || kg.address_ru, kg.address_ru || kg.address_kk)) : null,
      kg.phone ? h("li", {}, w("dir.nextPhone"), " ", h("a", { href: `tel:${kg.phone.replace(/\s/g, "")}` }, kg.phone)) : null,
      direction.contract?.number
        ? h("li", {}, w("dir.nextContract"), " ", h("a", { href: `#/contracts/${encodeURIComponent(direction.contract.number)}` }, w("contract.head", { n: direction.contract.number })))
        : null,
    ),
    contract?.prices?.length ? h("div", { class: "dir-pay" }, h("h4", {}, w("dir.nextPay")), pricesTable(contract.prices)) : null,
  );
}

function extendDialog(direction, done) {
  const dlg = dialog("dir.extendTitle");
  const errors = h("div", { class: "error-slot" });
  const days = h("input", { type: "number", name: "days", min: 1, max: MAX_EXTENSION_DAYS, value: MAX_EXTENSION_DAYS, inputmode: "numeric", required: true });
  const form = h(
    "div",
    { class: "form" },
    h("p", {}, w("dir.extendText")),
    h("p", { class: "muted" }, w("dir.number"), ": ", h("strong", { class: "mono" }, direction.number), " · ", deadline(direction)),
    field({ label: "dir.days", name: "days", field: "days", control: days, required: true, hint: "dir.daysHint" }),
    errors,
  );
  const ok = h("button", { type: "button", class: "btn btn-primary" }, w("dir.extendButton"));
  ok.addEventListener("click", () =>
    busy(ok, async () => {
      const value = Number(days.value);
      if (!Number.isInteger(value) || value < 1 || value > MAX_EXTENSION_DAYS) {
        setFieldError(form, "days", w("dir.daysWrong"));
        days.focus();
        return;
      }
      try {
        await post(`/directions/${encodeURIComponent(direction.number)}/extend`, { days: value });
        dlg.close();
        done("dir.extended");
      } catch (error) {
        showError(errors, error);
      }
    }),
  );
  dlg.body.append(form);
  dlg.footer.append(h("button", { type: "button", class: "btn btn-outline", onclick: dlg.close }, w("app.cancel")), ok);
  dlg.open();
}

function revokeDialog(direction, done) {
  const dlg = dialog("dir.revokeTitle");
  const errors = h("div", { class: "error-slot" });
  const ok = h("button", { type: "button", class: "btn btn-danger" }, w("dir.revokeButton"));
  ok.addEventListener("click", () =>
    busy(ok, async () => {
      try {
        await post(`/directions/${encodeURIComponent(direction.number)}/revoke`, {});
        dlg.close();
        done("dir.revoked");
      } catch (error) {
        showError(errors, error);
      }
    }),
  );
  dlg.body.append(
    notice("warning", w("dir.revokeText")),
    h(
      "p",
      {},
      w("dir.number"),
      ": ",
      h("strong", { class: "mono" }, direction.number),
      " — ",
      kgName(direction.kindergarten),
    ),
    direction.revocable_until ? h("p", { class: "muted" }, w("dir.revokeUntil", { date: formatDateTime(direction.revocable_until) })) : null,
    errors,
  );
  dlg.footer.append(h("button", { type: "button", class: "btn btn-outline", onclick: dlg.close }, w("app.cancel")), ok);
  dlg.open();
}

/** «Шарт жасасу»: start (or continue) the electronic contract of this direction, then open its wizard. */
function startContract(direction, button, slot) {
  return busy(button, async () => {
    showError(slot, null);
    try {
      const contract = await post(`/directions/${encodeURIComponent(direction.number)}/contract`, {});
      location.hash = `#/contracts/${encodeURIComponent(contract.number)}`;
    } catch (error) {
      showError(slot, error);
    }
  });
}

/** The contract part of a direction's actions: «Шарт жасасу» (start or continue) or a link to the contract. */
function contractAction(direction) {
  const contract = direction.contract;
  if (!contract || contract.mode !== "electronic") return null;
  const settled = contract.number && !["draft", "refused"].includes(contract.status);
  if ((direction.actions || []).includes("contract") && !settled) {
    const slot = h("div", { class: "error-slot" });
    const button = h(
      "button",
      { type: "button", class: "btn btn-primary btn-small", dataset: { action: "contract" } },
      icon("pen"),
      w("contract.start"),
    );
    button.addEventListener("click", () => startContract(direction, button, slot));
    return h("div", { class: "dir-contract" }, button, slot);
  }
  if (contract.number) {
    return h(
      "a",
      { class: "btn btn-outline btn-small", href: `#/contracts/${encodeURIComponent(contract.number)}`, dataset: { action: "contract-view" } },
      w("contract.view"),
    );
  }
  return null;
}

function row(direction, done) {
  const actions = direction.actions || [];
  return h(
    "tr",
    { dataset: { number: direction.number } },
    h("td", { attrs18n: { "data-label": "dir.number" } }, h("span", { class: "mono" }, direction.number)),
    h(
      "td",
      { attrs18n: { "data-label": "dir.kindergarten" } },
      h(
        "div",
        { class: "dir-cell" },
        h("span", { class: "dir-kg" }, kgName(direction.kindergarten)),
        direction.group?.name_kk ? h("span", { class: "muted dir-group" }, biField(direction.group, "name")) : null,
      ),
    ),
    h(
      "td",
      { attrs18n: { "data-label": "dir.status" } },
      statusBadge(direction),
      direction.contract?.number
        ? h(
            "div",
            { class: "muted dir-contract-status" },
            w("contract.head", { n: direction.contract.number }),
            direction.contract.status ? [" · ", w(`cstatus.${direction.contract.status}`)] : null,
          )
        : null,
    ),
    h("td", { attrs18n: { "data-label": "dir.validUntil" } }, deadlineCell(direction)),
    h(
      "td",
      { attrs18n: { "data-label": "dir.document" } },
      direction.document_url
        ? h("a", { class: "btn btn-outline btn-small", href: direction.document_url, target: "_blank", rel: "noopener", download: "" }, icon("doc"), w("view.download"))
        : direction.document_preparing
          ? h("span", { class: "muted", role: "status", dataset: { document: "preparing" } }, h("span", { class: "spinner", "aria-hidden": "true" }), w("dir.documentPreparing"))
          : "—",
    ),
    h(
      "td",
      { class: "col-action", attrs18n: { "data-label": "dir.actions" } },
      h(
        "div",
        { class: "dir-actions" },
        actions.includes("extend")
          ? h("button", { type: "button", class: "btn btn-outline btn-small", dataset: { action: "extend" }, onclick: () => extendDialog(direction, done) }, w("dir.extend"))
          : null,
        actions.includes("revoke")
          ? h("button", { type: "button", class: "btn btn-outline-danger btn-small", dataset: { action: "revoke" }, onclick: () => revokeDialog(direction, done) }, w("dir.revoke"))
          : null,
        contractAction(direction),
        actions.length || direction.contract?.number ? null : h("span", { class: "muted" }, "—"),
      ),
    ),
  );
}

/**
 * The "Directions" panel of an application: hidden while the child has none.
 * `changed(messageKey)` is called after an extension or a revocation (the panel redraws itself).
 */
const PREPARING_REFRESH_MS = 2000;

export function directionsPanel(applicationId, changed) {
  const panel = h("section", { class: "card card-flush directions", hidden: true, "aria-labelledby": uid("dir") });
  const titleId = panel.getAttribute("aria-labelledby");

  async function refresh() {
    let items;
    try {
      const lang = document.documentElement.lang === "ru" ? "ru" : "kk";
      items = (await get(`/applications/${encodeURIComponent(applicationId)}/directions?lang=${lang}`)).items || [];
    } catch (error) {
      if (error.status === 404 || error.status === 403) {
        panel.hidden = true;
        return;
      }
      clear(panel).append(h("div", { class: "directions-head" }, h("h2", { class: "h3", id: titleId }, w("dir.title"))));
      const slot = h("div", { class: "directions-error" });
      panel.append(slot);
      showError(slot, error);
      panel.hidden = false;
      return;
    }
    panel.hidden = !items.length;
    if (!items.length) return;
    const done = async (messageKey) => {
      await refresh();
      changed(messageKey);
    };
    // the contracts of the directions (sent, refused, signed dates and the prices) for the timeline
    const contracts = new Map();
    await Promise.all(
      items
        .filter((d) => d.contract?.number)
        .map(async (d) => {
          try {
            contracts.set(d.number, await get(`/contracts/${encodeURIComponent(d.contract.number)}`));
          } catch {
            // the timeline shows what the direction alone tells
          }
        }),
    );
    const live = items.some((d) => (d.status === "issued" || d.status === "extended") && d.clock?.state !== "paused");
    const paused = items.some((d) => d.clock?.state === "paused");
    const parts = [
      h("div", { class: "directions-head" }, h("h2", { class: "h3", id: titleId }, w("dir.title"))),
      h(
        "div",
        { class: "table-wrap" },
        h(
          "table",
          { class: "table table-stack directions-table" },
          h("caption", { class: "visually-hidden" }, w("dir.caption")),
          h(
            "thead",
            {},
            h(
              "tr",
              {},
              ["dir.number", "dir.kindergarten", "dir.status", "dir.validUntil", "dir.document"].map((key) => h("th", { scope: "col" }, w(key))),
              h("th", { scope: "col", class: "col-action" }, w("dir.actions")),
            ),
          ),
          h("tbody", {}, items.map((direction) => row(direction, done))),
        ),
      ),
      live ? h("p", { class: "directions-note muted" }, w("dir.note")) : null,
      paused ? h("p", { class: "directions-note muted", dataset: { note: "paused" } }, w("dir.pausedNote")) : null,
      ...items.filter((d) => d.status === "enrolled").map((d) => nextSteps(d, contracts.get(d.number))),
      h("div", { class: "dir-timelines" }, items.map((d) => timeline(d, contracts.get(d.number)))),
    ];
    clear(panel).append(...parts.filter(Boolean));
    // a direction's PDF is made by a job of its change: until it is there, say so and look again
    if (items.some((d) => d.document_preparing)) {
      setTimeout(() => {
        if (panel.isConnected) refresh();
      }, PREPARING_REFRESH_MS);
    }
  }

  return { element: panel, refresh };
}
