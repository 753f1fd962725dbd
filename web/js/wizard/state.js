// The unfinished application the wizard fills: kept in this tab (sessionStorage) so that a
// reload or a language switch loses nothing, with the reference data it needs.

import { get } from "../api.js";
import { h, uid } from "../dom.js";
import { lang } from "../i18n.js";
import { clearFieldError, field } from "../ui.js";

const STORE = "balabaqsha.wizard";

let state = null;
const cache = { regions: null, kindergartens: new Map() };

function fresh() {
  return {
    step: 1,
    prefilled: false,
    applicant: {
      iin: "",
      surname: "",
      given_name: "",
      patronymic: "",
      birth_date: "",
      address: { city: "", district: "", street: "", house: "", flat: "" },
      email: "",
      phone: "",
      extra_email: "",
      extra_phone: "",
    },
    child: { iin: "", surname: "", given_name: "", patronymic: "" },
    region: "",
    district: "",
    language: lang(),
    kindergartens: [],
    has_benefit: false,
    benefit: "",
    attachments: [],
    result: null,
  };
}

/** The application being filled (read back from this tab on first use). */
export function current() {
  if (state) return state;
  try {
    state = JSON.parse(sessionStorage.getItem(STORE) || "null");
  } catch {
    state = null;
  }
  state = state || fresh();
  return state;
}

export function save() {
  sessionStorage.setItem(STORE, JSON.stringify(state));
}

/** Start over with an empty application (not stored until something is saved). */
export function reset() {
  sessionStorage.removeItem(STORE);
  state = fresh();
  return state;
}

/** Forget an unfinished application (on sign-out, or after it was sent). */
export function forget() {
  state = null;
  sessionStorage.removeItem(STORE);
}

export function getPath(obj, path) {
  return path.split(".").reduce((value, key) => (value == null ? value : value[key]), obj);
}

export function setPath(obj, path, value) {
  const keys = path.split(".");
  const last = keys.pop();
  const target = keys.reduce((value, key) => value[key], obj);
  target[last] = value;
}

/** A text input bound to a path of the state. */
export function bound(path, label, opts = {}) {
  const box = field({ label, name: path, field: path, value: getPath(state, path) ?? "", ...opts });
  const input = box.querySelector("input");
  input.addEventListener("input", () => {
    setPath(state, path, input.value);
    clearFieldError(box);
    save();
  });
  return box;
}

export async function regions() {
  if (!cache.regions) cache.regions = await get("/reference/regions");
  return cache.regions;
}

export async function kindergartens(region, district) {
  const key = `${region}|${district}`;
  if (!cache.kindergartens.has(key)) {
    const query = new URLSearchParams({ region, district });
    cache.kindergartens.set(key, await get(`/reference/kindergartens?${query}`));
  }
  return cache.kindergartens.get(key);
}

let benefitsCache = null;
export async function benefits() {
  if (!benefitsCache) benefitsCache = await get("/reference/benefits");
  return benefitsCache;
}

/** A select bound to a path of the application; options are [value, text or {kk, ru}]. */
export function select(path, label, options, { required = true, placeholder = "apply.choose", onchange } = {}) {
  const id = uid("sel");
  const control = h(
    "select",
    { id, name: path, required },
    h("option", { value: "", i18n: placeholder }),
    options.map(([value, text]) => {
      const option = h("option", { value, selected: String(getPath(state, path) ?? "") === String(value) });
      if (typeof text === "object") {
        option.dataset.kk = text.kk;
        option.dataset.ru = text.ru;
        option.textContent = text[lang()];
      } else {
        option.textContent = text;
      }
      return option;
    }),
  );
  control.addEventListener("change", () => {
    setPath(state, path, control.value);
    clearFieldError(control.closest(".field"));
    save();
    if (onchange) onchange(control.value);
  });
  return field({ label, name: path, field: path, control, required });
}
