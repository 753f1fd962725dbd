// What every step of the electronic contract shares: the API paths, the step indicator, the
// status badge, refusals shown at their fields, and downloads that need the session token.

import { ApiError, readError } from "../api.js";
import { config } from "../config.js";
import { bi, clear, h, w } from "../dom.js";
import { getSession } from "../session.js";
import { describeError, errorFields, notice, setFieldError } from "../ui.js";

/** The wizard's six steps (server keys, in order) and their names. */
export const STEPS = [
  ["info", "contract.step1"],
  ["eds", "contract.step2"],
  ["representative", "contract.step3"],
  ["details", "contract.step4"],
  ["documents", "contract.step5"],
  ["confirm", "contract.step6"],
];

export const contractPath = (number) => `/contracts/${encodeURIComponent(number)}`;

/** The steps the parent may change: all of them in a draft, 3–5 once the kindergarten refused. */
export function editableSteps(contract) {
  if (contract.status === "refused") return [3, 4, 5, 6];
  if (contract.status === "draft") return [1, 2, 3, 4, 5, 6];
  return [];
}

/** Whether step n (1–6) is saved on the server. */
export function stepDone(contract, n) {
  const key = STEPS[n - 1][0];
  if (key === "confirm") return contract.status === "sent" || contract.status === "signed";
  const saved = contract.steps ? contract.steps[key] : null;
  return Boolean(saved) && !(typeof saved === "object" && Object.keys(saved).length === 0);
}

/** The step indicator 1–6: done steps the parent may open again are buttons. */
export function stepper(contract, active, open) {
  const editable = editableSteps(contract);
  return h(
    "ol",
    { class: "stepper stepper-6", attrs18n: { "aria-label": "contract.steps" } },
    STEPS.map(([key, label], index) => {
      const n = index + 1;
      const done = n !== active && stepDone(contract, n);
      const reachable = n !== active && editable.includes(n) && n <= Math.max(contract.step || 1, active);
      const body = [
        h("span", { class: "step-num", "aria-hidden": "true" }, done ? "✓" : String(n)),
        h("span", { class: "step-text" }, h("span", { class: "step-label" }, w("contract.stepTitle", { n })), w(label)),
      ];
      return h(
        "li",
        {
          class: `step${n === active ? " is-current" : ""}${done ? " is-done" : ""}`,
          "aria-current": n === active ? "step" : null,
          dataset: { step: key },
        },
        reachable ? h("button", { type: "button", class: "step-open", onclick: () => open(n) }, body) : body,
      );
    }),
  );
}

const STATUS_TONES = { draft: "info", sent: "info", signed: "ok", refused: "danger", cancelled: "muted" };

/** The contract's status as the server words it (its own words when it gave them). */
export function contractStatus(contract) {
  const status = contract.status || "draft";
  const words =
    contract.status_kk || contract.status_ru
      ? bi(contract.status_kk || contract.status_ru, contract.status_ru || contract.status_kk)
      : w(`cstatus.${status}`);
  return h("span", { class: `badge badge-${STATUS_TONES[status] || "info"}`, dataset: { status } }, words);
}

/** A kindergarten as the contract gives it: {id, name: {kk, ru}} or name_kk / name_ru. */
export function kindergartenName(kg) {
  if (!kg) return "—";
  const name = kg.name && typeof kg.name === "object" ? kg.name : { kk: kg.name_kk ?? kg.name ?? "", ru: kg.name_ru ?? kg.name ?? "" };
  let kk = name.kk || name.ru || kg.id || "";
  let ru = name.ru || name.kk || kg.id || "";
  if (kg.number != null) {
    if (!kk.includes("№")) kk = `№ ${kg.number} ${kk}`;
    if (!ru.includes("№")) ru = `№ ${kg.number} ${ru}`;
  }
  return h("span", { class: "kg-name" }, bi(kk, ru));
}

/** A {kk, ru} value of the API as switchable text. */
export function biText(value) {
  if (value == null || value === "") return "—";
  if (typeof value !== "object") return String(value);
  return bi(value.kk ?? value.ru ?? "", value.ru ?? value.kk ?? "");
}

// ---------------------------------------------------------------- refusals at their fields

const STEP_OF_PREFIX = { representative: 3, identity_document: 4, bank: 4, details: 4, documents: 5 };
const REPRESENTATIVE_FIELDS = new Set([
  "iin", "surname", "given_name", "patronymic", "authority", "registered_address", "actual_address",
  "workplace", "position", "phone", "extra_phone", "email",
]);
const DOCUMENT_FIELDS = new Set(["photo", "health_passport", "health_certificate", "pmpk"]);

/** The wizard step that holds the field a refusal names ("bank.iban" → 4), or null. */
export function stepOfField(name) {
  const first = String(name || "").split(".")[0];
  if (first in STEP_OF_PREFIX) return STEP_OF_PREFIX[first];
  if (first === "steps") return stepOfField(String(name).split(".").slice(1).join("."));
  if (REPRESENTATIVE_FIELDS.has(first)) return 3;
  if (DOCUMENT_FIELDS.has(first)) return 5;
  if (first === "read_confirmed" || first === "signed_xml") return 6;
  if (first === "read") return 1;
  return null;
}

function findBox(form, name) {
  const parts = name.split(".");
  for (let i = 0; i < parts.length; i += 1) {
    const candidate = parts.slice(i).join(".");
    const exact = form.querySelector(`[data-field="${CSS.escape(candidate)}"]`);
    if (exact) return candidate;
  }
  for (const box of form.querySelectorAll("[data-field]")) {
    if (box.dataset.field && box.dataset.field.endsWith(`.${parts[parts.length - 1]}`)) return box.dataset.field;
  }
  return null;
}

/**
 * Show a refusal: at each field it names (its own kk/ru words there), with a short banner in
 * `slot`; a refusal naming no field of this form is shown in `slot` as it is.
 */
export function showRefusal(form, slot, error) {
  clear(slot);
  const fields = errorFields(error);
  const found = [];
  for (const name of fields) {
    const box = findBox(form, name);
    if (box && setFieldError(form, box, describeError(error))) found.push(box);
  }
  if (found.length) {
    slot.append(notice("error", w("error.fixFields")));
    const first = form.querySelector(".has-error input, .has-error select, .has-error textarea, .has-error button");
    if (first) first.focus();
  } else {
    slot.append(notice("error", describeError(error)));
    slot.scrollIntoView({ block: "nearest", behavior: "smooth" });
  }
  return found;
}

// ---------------------------------------------------------------- downloads with the token

/** GET a file of the API that needs the session (the draft PDF) and hand it to the browser. */
export async function downloadWithToken(path, fileName, accept = "application/pdf") {
  const session = getSession();
  let response;
  try {
    response = await fetch(`${config.apiBase}${path}`, {
      headers: { Accept: accept, ...(session ? { Authorization: `Bearer ${session.token}` } : {}) },
    });
  } catch (cause) {
    throw new ApiError({ code: "network", message: String(cause) });
  }
  if (!response.ok) throw await readError(response);
  const blob = await response.blob();
  const url = URL.createObjectURL(blob);
  const link = h("a", { href: url, download: fileName, hidden: true });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
  return blob;
}

/** "2021-01-14T09:34:00Z" → "14.01.2021, 14:34" in Almaty time, as the seed writes the sending time. */
export function dateTimeComma(value) {
  if (!value) return "—";
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) return String(value);
  const out = {};
  const options = { timeZone: "Asia/Almaty", year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit", hourCycle: "h23" };
  for (const part of new Intl.DateTimeFormat("en-GB", options).formatToParts(date)) out[part.type] = part.value;
  return `${out.day}.${out.month}.${out.year}, ${out.hour}:${out.minute}`;
}
