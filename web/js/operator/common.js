// What the operators' screens share: files of the API fetched with the session, table building.

import { ApiError, get, readError } from "../api.js";
import { config } from "../config.js";
import { bi, h, w } from "../dom.js";
import { getSession } from "../session.js";

/** GET a file of the API with the operator's session; resolves to a Blob (its type from the server). */
export async function fetchBlob(path) {
  const session = getSession();
  let response;
  try {
    response = await fetch(`${config.apiBase}${path}`, {
      headers: { Accept: "*/*", ...(session ? { Authorization: `Bearer ${session.token}` } : {}) },
    });
  } catch (cause) {
    throw new ApiError({ code: "network", message: String(cause) });
  }
  if (!response.ok) throw await readError(response);
  return response.blob();
}

/** A table with a caption and labelled cells (stacked on a phone): columns are [word key, cell(item)]. */
export function table(captionKey, columns, items, props = {}) {
  return h(
    "div",
    { class: "table-wrap" },
    h(
      "table",
      { class: "table table-stack journal", ...props },
      h("caption", { class: "visually-hidden" }, w(captionKey)),
      h("thead", {}, h("tr", {}, columns.map(([key]) => h("th", { scope: "col" }, w(key))))),
      h(
        "tbody",
        {},
        items.map((item) => h("tr", {}, columns.map(([key, cell]) => h("td", { attrs18n: { "data-label": key } }, cell(item))))),
      ),
    ),
  );
}

/** A page's heading and its lead paragraph. */
export function head(titleKey, leadKey) {
  return [h("div", { class: "page-head" }, h("h1", {}, w(titleKey))), leadKey ? h("p", { class: "lead" }, w(leadKey)) : null];
}

/** A labelled <select> of [value, word key or {kk, ru}] options. */
export function select(name, options, value) {
  return h(
    "select",
    { name },
    options.map(([optionValue, label]) =>
      h("option", { value: optionValue, selected: optionValue === value, ...(typeof label === "string" ? { i18n: label } : { bi: label }) }),
    ),
  );
}

let regions = [];

/** Read the regions and districts once (their names in both languages) for areaName. */
export async function loadRegions() {
  if (regions.length) return;
  try {
    regions = (await get("/reference/regions")) || [];
  } catch {
    regions = [];
  }
}

/** «Астана қаласы, Нұра ауданы» / «город Астана, район Нура» for the codes (the codes if unknown). */
export function areaName(region, district) {
  const found = regions.find((r) => r.code === region);
  const place = district && found ? (found.districts || []).find((d) => d.code === district) : null;
  if (!found && !district) return region || "—";
  if (!found) {
    const anywhere = regions.flatMap((r) => r.districts || []).find((d) => d.code === district);
    return anywhere ? bi(anywhere.name_kk, anywhere.name_ru) : district;
  }
  const kk = [found.name_kk, place?.name_kk].filter(Boolean).join(", ");
  const ru = [found.name_ru, place?.name_ru].filter(Boolean).join(", ");
  return bi(kk, ru);
}
