// A tiny element builder: data from the API only ever becomes text, never HTML.

import { pick, t, translate } from "./i18n.js";

/**
 * h("button", {class: "btn", onclick: fn, i18n: "signin.button"}, child, …)
 * Special props: i18n (a word key), args (its placeholders), bi ({kk, ru} text),
 * attrs18n ({placeholder: key}), dataset, on* handlers; the rest are attributes.
 */
export function h(tag, props = {}, ...children) {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(props || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (name === "i18n") {
      el.dataset.i18n = value;
    } else if (name === "args") {
      el.dataset.i18nArgs = JSON.stringify(value);
    } else if (name === "bi") {
      el.dataset.kk = pick(value, "kk");
      el.dataset.ru = pick(value, "ru");
    } else if (name === "attrs18n") {
      el.dataset.i18nAttr = Object.entries(value)
        .map(([attr, key]) => `${attr}=${key}`)
        .join(";");
    } else if (name === "dataset") {
      Object.assign(el.dataset, value);
    } else if (name.startsWith("on") && typeof value === "function") {
      el.addEventListener(name.slice(2), value);
    } else if (name === "value" && "value" in el) {
      el.value = value;
    } else if (name === "checked" || name === "disabled" || name === "selected" || name === "hidden") {
      el[name] = Boolean(value);
    } else {
      el.setAttribute(name, value === true ? "" : String(value));
    }
  }
  append(el, children);
  if (props && (props.i18n || props.bi || props.attrs18n)) translate(el);
  return el;
}

function append(el, children) {
  for (const child of children.flat(Infinity)) {
    if (child === undefined || child === null || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

/** A span that shows a word of the dictionary and follows the language switch. */
export function w(key, args) {
  return h("span", { i18n: key, args });
}

/** A span that shows a bilingual value ({kk, ru} or kk/ru strings) and follows the switch. */
export function bi(kk, ru) {
  const value = typeof kk === "object" && kk !== null ? kk : { kk, ru };
  return h("span", { bi: value });
}

/** Text of an API object's `name_kk` / `name_ru` style pair, as a switchable span. */
export function biField(obj, field) {
  if (!obj) return "";
  return bi(obj[`${field}_kk`] ?? "", obj[`${field}_ru`] ?? "");
}

const ICONS = {
  key: "M7 14a5 5 0 1 1 4.9-6H22v4h-2v3h-3v-3h-5.1A5 5 0 0 1 7 14zm0-3a2 2 0 1 0 0-4 2 2 0 0 0 0 4z",
  doc: "M6 2h8l6 6v14H6zM13 3.5V9h5.5M9 13h8M9 17h8",
  info: "M12 2a10 10 0 1 1 0 20 10 10 0 0 1 0-20zm-1 8v8h2v-8zm0-4v2h2V6z",
  pen: "M3 17.25V21h3.75L17.8 9.94l-3.75-3.75zM20.7 7.04a1 1 0 0 0 0-1.41l-2.34-2.34a1 1 0 0 0-1.41 0l-1.83 1.83 3.75 3.75z",
  plus: "M11 5h2v6h6v2h-6v6h-2v-6H5v-2h6z",
  clock: "M12 2a10 10 0 1 1 0 20 10 10 0 0 1 0-20zm0 2a8 8 0 1 0 0 16 8 8 0 0 0 0-16zm-1 3h2v5.4l3.6 2.1-1 1.7L11 13.6z",
};

/** A small inline icon (decorative: hidden from screen readers). */
export function icon(name) {
  const ns = "http://www.w3.org/2000/svg";
  const svg = document.createElementNS(ns, "svg");
  svg.setAttribute("viewBox", "0 0 24 24");
  svg.setAttribute("aria-hidden", "true");
  svg.setAttribute("class", `icon icon-${name}`);
  const path = document.createElementNS(ns, "path");
  path.setAttribute("d", ICONS[name]);
  if (name === "doc") {
    path.setAttribute("fill", "none");
    path.setAttribute("stroke", "currentColor");
    path.setAttribute("stroke-width", "1.8");
    path.setAttribute("stroke-linejoin", "round");
  } else {
    path.setAttribute("fill", "currentColor");
  }
  svg.append(path);
  return svg;
}

/** A kindergarten's name, with its number in front unless the name already carries it. */
export function kgName(kg) {
  const names = { kk: kg.name_kk ?? "", ru: kg.name_ru ?? "" };
  if (kg.number != null) {
    for (const key of ["kk", "ru"]) {
      if (!names[key].includes("№")) names[key] = `№ ${kg.number} ${names[key]}`;
    }
  }
  return h("span", { class: "kg-name" }, bi(names.kk, names.ru));
}

export function clear(el) {
  while (el.firstChild) el.firstChild.remove();
  return el;
}

let idCounter = 0;
export function uid(prefix = "f") {
  idCounter += 1;
  return `${prefix}-${idCounter}`;
}

/** Current text of a word, for places that need a plain string (document.title, confirm). */
export const text = t;

/** The benefit queue number as the API words it: the number once approved, «тексеруде / на проверке», or «—». */
export function benefitNumber(item) {
  const text = item?.benefit_queue_text;
  if (text && (text.kk || text.ru)) return bi(text.kk ?? text.ru, text.ru ?? text.kk);
  return item?.benefit_queue_number != null ? String(item.benefit_queue_number) : "—";
}
