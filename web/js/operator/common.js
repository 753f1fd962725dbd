// What the operators' screens share: files of the API fetched with the session, table building.

import { ApiError, readError } from "../api.js";
import { config } from "../config.js";
import { h, w } from "../dom.js";
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
