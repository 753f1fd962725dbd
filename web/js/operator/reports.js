// Reports: the kept ones (XLSX and PDF), run now for any period, and one report by its id
// (#reports/<scope>/<kind>/<period>: the link of the report e-mail).

import { get, post } from "../api.js";
import { clear, h, w } from "../dom.js";
import { formatDateTime } from "../format.js";
import { busy, field, notice, reportError, showError } from "../ui.js";
import { areaName, head, select, table } from "./common.js";

function reportPath(id, fmt) {
  return `/operator/reports/${id.split("/").map(encodeURIComponent).join("/")}/${fmt}`;
}

/** Ask for a 5-minute link and follow it (the file comes from storage, named by the server). */
async function download(id, fmt, errors) {
  try {
    const { url } = await get(reportPath(id, fmt));
    const link = h("a", { href: url, download: "", hidden: true });
    document.body.append(link);
    link.click();
    link.remove();
  } catch (error) {
    showError(errors, error);
  }
}

function downloads(report, errors) {
  return h(
    "div",
    { class: "actions" },
    ["xlsx", "pdf"].map((fmt) => {
      const button = h("button", { type: "button", class: "btn btn-outline btn-small", "data-format": fmt }, w(`op.rep.${fmt}`));
      button.addEventListener("click", () => busy(button, () => download(report.id, fmt, errors)));
      return button;
    }),
  );
}

function scopeWords(scope) {
  if (scope === "national") return w("op.rep.national");
  const [level, region, ...district] = scope.split("-");
  return h("span", {}, w(level === "district" ? "op.rep.district" : "op.rep.region"), ": ", areaName(region, district.join("-") || null));
}

function runForm(ctx, errors, onRun) {
  const kind = select("kind", [["month", "op.rep.month"], ["day", "op.rep.day"]], "month");
  const period = h("input", { type: "text", name: "period", required: true, placeholder: "2026-11", autocomplete: "off" });
  const person = ctx.person || {};
  const scopes = [["", "op.rep.scopeOwn"]];
  if (!person.district) scopes.push(["national", "op.rep.national"]);
  const scope = select("scope", scopes, "");
  const submit = h("button", { type: "submit", class: "btn btn-primary" }, w("op.rep.run"));
  const form = h(
    "form",
    { class: "card report-run", novalidate: true },
    h("h2", { class: "h3" }, w("op.rep.run")),
    h(
      "div",
      { class: "form-row" },
      field({ label: "op.rep.kind", name: "kind", control: kind }),
      field({ label: "op.rep.period", name: "period", control: period, hint: "op.rep.periodHint", required: true }),
      person.region === "kz" ? field({ label: "op.rep.scope", name: "region", control: scope }) : null,
    ),
    h("div", { class: "form-actions" }, submit),
  );
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    busy(submit, async () => {
      showError(errors, null);
      const body = { kind: kind.value, period: period.value.trim() };
      if (scope.value === "national") body.region = "national";
      try {
        const report = await post("/operator/reports", body);
        onRun(report);
      } catch (error) {
        reportError(form, errors, error);
      }
    });
  });
  return form;
}

export async function render(root, params, ctx) {
  const errors = h("div", { class: "error-slot" });
  const messages = h("div", { class: "status-slot", "aria-live": "polite" });
  if (params.id) {
    // one report, as the e-mail links to it
    root.append(h("p", { class: "crumbs" }, h("a", { href: "#reports" }, w("op.rep.all"))), h("div", { class: "page-head" }, h("h1", {}, w("op.rep.one"), " ", params.id)), errors);
    let items = [];
    try {
      items = (await get("/operator/reports")).items || [];
    } catch (error) {
      showError(errors, error);
      return;
    }
    const report = items.find((r) => r.id === params.id);
    if (!report) {
      root.append(notice("warning", w("op.rep.notFound")));
      return;
    }
    root.append(
      h(
        "div",
        { class: "card", "data-testid": "report" },
        h(
          "dl",
          { class: "facts" },
          h("div", { class: "fact" }, h("dt", {}, w("op.rep.scope")), h("dd", {}, scopeWords(report.scope))),
          h("div", { class: "fact" }, h("dt", {}, w("op.rep.kind")), h("dd", {}, w(`op.rep.${report.kind}`))),
          h("div", { class: "fact" }, h("dt", {}, w("op.rep.period")), h("dd", {}, report.period)),
          h("div", { class: "fact" }, h("dt", {}, w("op.rep.generated")), h("dd", {}, formatDateTime(report.generated_at))),
        ),
        downloads(report, errors),
      ),
    );
    return;
  }
  const list = h("div", { class: "report-list" });
  root.append(...head("op.nav.reports", "op.rep.lead"), messages, errors, runForm(ctx, errors, (report) => {
    clear(messages).append(notice("success", w("op.rep.ready", { id: report.id }), " ", h("a", { href: `#reports/${report.id}` }, report.id)));
    load();
  }), h("h2", {}, w("op.rep.list")), list);
  const load = async () => {
    clear(list);
    try {
      const items = (await get("/operator/reports")).items || [];
      if (!ctx.current()) return;
      if (!items.length) {
        list.append(h("div", { class: "card empty" }, h("p", {}, w("op.rep.empty"))));
        return;
      }
      list.append(
        table(
          "op.rep.caption",
          [
            ["op.rep.one", (r) => h("a", { href: `#reports/${r.id}` }, r.id)],
            ["op.rep.scope", (r) => scopeWords(r.scope)],
            ["op.rep.kind", (r) => w(`op.rep.${r.kind}`)],
            ["op.rep.period", (r) => r.period],
            ["op.rep.generated", (r) => formatDateTime(r.generated_at)],
            ["op.rep.files", (r) => downloads(r, errors)],
          ],
          items,
          { "data-testid": "reports" },
        ),
      );
    } catch (error) {
      showError(errors, error);
    }
  };
  await load();
}
