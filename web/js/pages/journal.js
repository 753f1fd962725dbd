// The application journal: every application the parent filed, newest first.

import { get, post } from "../api.js";
import { benefitNumber, bi, h, icon, w } from "../dom.js";
import { formatDate, iinValid } from "../format.js";
import { busy, clearFieldErrors, field, notice, reportError, setFieldError, showError } from "../ui.js";

const COLUMNS = [
  ["journal.number", (a) => h("a", { href: `#/applications/${encodeURIComponent(a.id)}`, class: "reg-number" }, a.registration_number)],
  ["journal.child", (a) => a.child?.full_name],
  ["journal.childIin", (a) => h("span", { class: "mono" }, a.child?.iin || "")],
  ["journal.queue", (a) => h("span", { class: "num" }, a.queue_number ?? "—")],
  ["journal.benefitQueue", (a) => h("span", { class: "num" }, benefitNumber(a))],
  ["journal.applicant", (a) => a.applicant_name],
  ["journal.created", (a) => formatDate(a.created_at)],
  ["journal.status", (a) => statusBadge(a)],
  ["journal.benefit", (a) => (a.benefit ? bi(a.benefit.name_kk, a.benefit.name_ru) : w("apply.noBenefit"))],
  ["journal.birth", (a) => formatDate(a.child?.birth_date)],
];

export function statusBadge(application) {
  const tone =
    { active: "ok", enrolled: "ok", withdrawn: "muted", removed: "muted", aged_out: "muted", refused: "danger" }[application.status] || "info";
  return h("span", { class: `badge badge-${tone}` }, bi(application.status_kk || application.status, application.status_ru || application.status));
}

export async function render(root, _params, ctx) {
  const errors = h("div", { class: "error-slot" });
  root.append(
    h(
      "div",
      { class: "page-head" },
      h("h1", {}, w("journal.title")),
      h("a", { class: "btn btn-primary", href: "#/apply" }, icon("plus"), w("nav.apply")),
    ),
    errors,
  );
  let items = [];
  try {
    items = (await get("/applications")).items || [];
  } catch (error) {
    showError(errors, error);
    return;
  }
  if (!items.length) {
    root.append(
      h(
        "div",
        { class: "card empty" },
        h("p", {}, w("journal.empty")),
        h("a", { class: "btn btn-primary", href: "#/apply" }, w("nav.apply")),
      ),
    );
  } else {
    const table = h(
      "table",
      { class: "table table-stack journal" },
      h("caption", { class: "visually-hidden" }, w("journal.caption")),
      h("thead", {}, h("tr", {}, COLUMNS.map(([key]) => h("th", { scope: "col" }, w(key))))),
      h(
        "tbody",
        {},
        items.map((item) =>
          h(
            "tr",
            {
              class: "row-link",
              dataset: { id: item.id },
              onclick: (event) => {
                if (event.target.closest("a")) return;
                ctx.go(`/applications/${encodeURIComponent(item.id)}`);
              },
            },
            COLUMNS.map(([key, cell]) => h("td", { attrs18n: { "data-label": key } }, cell(item))),
          ),
        ),
      ),
    );
    root.append(h("div", { class: "table-wrap card card-flush" }, table));
  }
  root.append(notice("info", w("journal.linkNote")), linkForm(ctx));
}

/** Link an application filed by the other parent (or at a service centre) to the signed-in parent's IIN. */
function linkForm(ctx) {
  const slot = h("div", { class: "error-slot" });
  const submit = h("button", { type: "submit", class: "btn btn-primary" }, w("journal.linkButton"));
  const form = h(
    "form",
    { class: "card link-form", novalidate: true },
    h("h2", {}, w("journal.linkTitle")),
    slot,
    h(
      "div",
      { class: "grid-2" },
      field({ name: "registration_number", label: "journal.number", required: true, placeholder: "УО.2026.000001.1" }),
      field({ name: "child_iin", label: "journal.childIin", required: true, inputmode: "numeric", maxlength: 12 }),
    ),
    h("div", { class: "actions" }, submit),
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const data = new FormData(form);
    const number = String(data.get("registration_number") || "").trim();
    const iin = String(data.get("child_iin") || "").trim();
    // both fields are checked at once, in words, before anything is sent
    clearFieldErrors(form);
    showError(slot, null);
    if (!number) setFieldError(form, "registration_number", w("error.required"));
    if (!iin) setFieldError(form, "child_iin", w("error.required"));
    else if (!/^\d{12}$/.test(iin)) setFieldError(form, "child_iin", w("error.iin"));
    else if (!iinValid(iin)) setFieldError(form, "child_iin", w("error.iinChecksum"));
    const first = form.querySelector("[aria-invalid=true]");
    if (first) {
      first.focus();
      return;
    }
    await busy(submit, async () => {
      try {
        const linked = await post("/applications/link", { registration_number: number, child_iin: iin });
        ctx.go(`/applications/${encodeURIComponent(linked.id)}`);
      } catch (error) {
        reportError(form, slot, error);
      }
    });
  });
  return form;
}
