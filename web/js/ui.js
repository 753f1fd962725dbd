// Shared pieces of the page: messages, form fields, busy buttons, dialogs.

import { ApiError } from "./api.js";
import { bi, clear, h, uid, w } from "./dom.js";
import { SigningError } from "./ncalayer.js";

/** What went wrong, as switchable text: the server's own kk/ru message when it gave one. */
export function describeError(error) {
  if (error instanceof ApiError) {
    if (error.messages && (error.messages.kk || error.messages.ru)) {
      return bi(error.messages.kk || error.messages.ru, error.messages.ru || error.messages.kk);
    }
    if (error.code === "network") return w("error.network");
    return h("span", {}, w("error.unknown"), error.message ? ` (${error.message})` : "");
  }
  if (error instanceof SigningError) {
    if (error.kind === "cancelled") return w("nca.cancelled");
    if (error.kind === "unreachable") return w("nca.unreachable");
    if (error.kind === "missing") return w("nca.missing");
    return h("span", {}, w("nca.failed"), " ", error.detail);
  }
  return w("error.unknown");
}

/** An alert box; kind: "error" | "success" | "info" | "warning". */
export function notice(kind, ...content) {
  const role = kind === "error" ? "alert" : "status";
  const icon = { error: "!", success: "✓", info: "i", warning: "!" }[kind];
  return h(
    "div",
    { class: `notice notice-${kind}`, role },
    h("span", { class: "notice-icon", "aria-hidden": "true" }, icon),
    h("div", { class: "notice-body" }, ...content),
  );
}

/** Put an error (or nothing) into a message slot. */
export function showError(slot, error) {
  clear(slot);
  if (error) {
    slot.append(notice("error", describeError(error)));
    slot.scrollIntoView({ block: "nearest", behavior: "smooth" });
  }
}

export function showStatus(slot, key) {
  clear(slot);
  if (key) slot.append(h("p", { class: "progress" }, h("span", { class: "spinner", "aria-hidden": "true" }), w(key)));
}

/**
 * A labelled input with hint and error line.
 * opts: {label, name, field, type, value, required, readonly, hint, autocomplete, inputmode, maxlength, optional}
 */
export function field(opts) {
  const id = uid(opts.name || "f");
  const hintId = `${id}-hint`;
  const errId = `${id}-err`;
  const control =
    opts.control ||
    h("input", {
      id,
      name: opts.name,
      type: opts.type || "text",
      value: opts.value ?? "",
      required: opts.required,
      readonly: opts.readonly,
      autocomplete: opts.autocomplete,
      inputmode: opts.inputmode,
      maxlength: opts.maxlength,
      pattern: opts.pattern,
      placeholder: opts.placeholder,
    });
  control.id = control.id || id;
  const described = [opts.hint ? hintId : null, errId].filter(Boolean).join(" ");
  control.setAttribute("aria-describedby", described);
  if (opts.required) control.setAttribute("aria-required", "true");
  const box = h(
    "div",
    { class: `field${opts.readonly ? " field-readonly" : ""}${opts.wide ? " field-wide" : ""}`, dataset: { field: opts.field || opts.name || "" } },
    h(
      "label",
      { for: control.id },
      w(opts.label),
      opts.required ? h("span", { class: "req", "aria-hidden": "true" }, " *") : null,
      opts.optional ? h("span", { class: "optional" }, " (", w("contacts.optional"), ")") : null,
    ),
    control,
    opts.hint ? h("p", { class: "hint", id: hintId }, typeof opts.hint === "string" ? w(opts.hint) : opts.hint) : null,
    h("p", { class: "field-error", id: errId, hidden: true }),
  );
  control.addEventListener("input", () => clearFieldError(box));
  control.addEventListener("change", () => clearFieldError(box));
  return box;
}

/** Mark one field (by its data-field) as wrong, with a message node. */
export function setFieldError(root, name, message) {
  const box = root.querySelector(`[data-field="${CSS.escape(name)}"]`);
  if (!box) return false;
  const err = box.querySelector(".field-error");
  const control = box.querySelector("input, select, textarea");
  if (control) control.setAttribute("aria-invalid", "true");
  box.classList.add("has-error");
  if (err) {
    clear(err).append(message);
    err.hidden = false;
  }
  return true;
}

/** Take the error mark off one field box (when the parent corrects it). */
export function clearFieldError(box) {
  if (!box || !box.classList.contains("has-error")) return;
  box.classList.remove("has-error");
  const err = box.querySelector(".field-error");
  if (err) {
    clear(err);
    err.hidden = true;
  }
  const control = box.querySelector("[aria-invalid]");
  if (control) control.removeAttribute("aria-invalid");
}

export function clearFieldErrors(root) {
  for (const box of root.querySelectorAll(".has-error")) clearFieldError(box);
}

/** The field names a server refusal points at (details.field or details.fields[].field). */
export function errorFields(error) {
  const details = error && error.details;
  if (!details) return [];
  const names = [];
  if (typeof details.field === "string") names.push(details.field);
  if (Array.isArray(details.fields)) {
    for (const item of details.fields) if (item && typeof item.field === "string") names.push(item.field);
  }
  return names;
}

/** Mark the fields a server refusal names; returns the ones found on this form. */
export function markServerErrors(root, error) {
  const found = [];
  // a refusal naming several fields may give each its own words ({field, kk, ru})
  const own = new Map();
  for (const item of (error && error.details && Array.isArray(error.details.fields) && error.details.fields) || []) {
    if (item && typeof item.field === "string" && (item.kk || item.ru)) own.set(item.field, bi(item.kk || item.ru, item.ru || item.kk));
  }
  for (const name of errorFields(error)) {
    const candidates = [name, name.split(".").slice(1).join("."), name.split(".").pop()];
    for (const candidate of candidates) {
      if (candidate && !found.includes(candidate) && setFieldError(root, candidate, own.get(name) || describeError(error))) {
        found.push(candidate);
        break;
      }
    }
  }
  const first = root.querySelector(".has-error input, .has-error select, .has-error textarea");
  if (first) first.focus();
  return found;
}

/** Show a refusal: on the fields it names (with a short banner), or as a banner of its own. */
export function reportError(form, slot, error) {
  const found = markServerErrors(form, error);
  clear(slot);
  if (found.length) slot.append(notice("error", w("error.fixFields")));
  else showError(slot, error);
}

// What takes the parent away from a form: the wizards' back, step and «change» buttons, the page's
// «← back» link, and an open dialog's close and other footer buttons (its cancel).
const AWAY = [
  ".stepper .step-open",
  "[data-wizard]",
  ".crumbs a",
  "dialog[open] .dialog-head .icon-btn",
  "dialog[open] .dialog-footer button",
].join(", ");
let holds = 0;

/**
 * While something is being sent, nothing may take the parent elsewhere: every back and step
 * button is disabled (a link made inert) until the answer comes. Calls nest: the last release
 * restores what the first hold changed, and only that.
 */
export function holdNavigation(on) {
  holds = Math.max(0, holds + (on ? 1 : -1));
  if (on && holds === 1) {
    document.body.dataset.sending = "true";
    for (const el of document.querySelectorAll(AWAY)) {
      if (el.disabled || el.hasAttribute("data-held")) continue;
      el.setAttribute("data-held", "");
      el.setAttribute("aria-disabled", "true");
      if (el.tagName === "A") el.inert = true;
      else el.disabled = true;
    }
  } else if (!on && holds === 0) {
    delete document.body.dataset.sending;
    for (const el of document.querySelectorAll("[data-held]")) {
      el.removeAttribute("data-held");
      el.removeAttribute("aria-disabled");
      if (el.tagName === "A") el.inert = false;
      else el.disabled = false;
    }
  }
}

/** Run `task` with the button showing it is busy; the button and every way away are disabled meanwhile. */
export async function busy(button, task) {
  button.disabled = true;
  button.setAttribute("aria-busy", "true");
  button.classList.add("is-busy");
  holdNavigation(true);
  try {
    return await task();
  } finally {
    holdNavigation(false);
    button.disabled = false;
    button.removeAttribute("aria-busy");
    button.classList.remove("is-busy");
  }
}

/** A modal dialog (native <dialog>): returns {dialog, body, footer, close}. */
export function dialog(titleKey) {
  const titleId = uid("dlg");
  const body = h("div", { class: "dialog-body" });
  const footer = h("div", { class: "dialog-footer" });
  const el = h(
    "dialog",
    { class: "dialog", "aria-labelledby": titleId },
    h(
      "div",
      { class: "dialog-head" },
      h("h2", { id: titleId }, w(titleKey)),
      h("button", { type: "button", class: "icon-btn", attrs18n: { "aria-label": "app.close" }, onclick: () => el.close() }, "×"),
    ),
    body,
    footer,
  );
  el.addEventListener("close", () => el.remove());
  // Escape does not close a dialog whose request is under way
  el.addEventListener("cancel", (event) => {
    if (document.body.dataset.sending) event.preventDefault();
  });
  document.body.append(el);
  return { dialog: el, body, footer, open: () => el.showModal(), close: () => el.close() };
}

export function button(key, props = {}) {
  return h("button", { type: "button", class: "btn", ...props }, w(key));
}

/** A definition list row for the information tab. */
export function dl(rows) {
  return h(
    "dl",
    { class: "facts" },
    rows
      .filter(Boolean)
      .map(([label, value]) => h("div", { class: "fact" }, h("dt", {}, w(label)), h("dd", {}, value ?? "—"))),
  );
}
