// One application of the operator's area: its facts, history and documents; an education
// department's operator refuses it with a motivated answer signed with their EDS in NCALayer.

import { get, post } from "../api.js";
import { bi, clear, h, w } from "../dom.js";
import { formatDate, formatDateTime } from "../format.js";
import { signXml } from "../ncalayer.js";
import { busy, clearFieldErrors, field, notice, reportError, showError, showStatus } from "../ui.js";
import { areaName, head, select, table } from "./common.js";

const GROUNDS = ["false_data", "requirements_not_met", "court_decision"];

function lookup(ctx, value = "") {
  const input = h("input", { type: "text", name: "number", value, autocomplete: "off", required: true });
  const form = h(
    "form",
    { class: "card lookup", role: "search", novalidate: true },
    h("div", { class: "form-row" }, field({ label: "op.app.number", name: "number", control: input, required: true }), h("div", { class: "form-actions" }, h("button", { type: "submit", class: "btn btn-primary" }, w("op.app.find")))),
  );
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const number = input.value.trim();
    if (number) ctx.go(`applications/${encodeURIComponent(number)}`);
  });
  return form;
}

function refusalForm(app, ctx, messages) {
  const errors = h("div", { class: "error-slot" });
  const status = h("div", { class: "status-slot", "aria-live": "polite" });
  const grounds = select("ground", [["", "op.vac.choose"], ...GROUNDS.map((g) => [g, `op.app.ground.${g}`])], "");
  const kk = h("textarea", { name: "motivation_kk", rows: 4, maxlength: 2000, lang: "kk" });
  const ru = h("textarea", { name: "motivation_ru", rows: 4, maxlength: 2000, lang: "ru" });
  const submit = h("button", { type: "submit", class: "btn btn-danger" }, w("op.app.sign"));
  const form = h(
    "form",
    { class: "card refusal-form", novalidate: true, "data-testid": "refusal-form" },
    h("h2", {}, w("op.app.refuse")),
    h("p", {}, w("op.app.refuseLead")),
    field({ label: "op.app.ground", name: "ground", control: grounds, required: true }),
    field({ label: "op.app.motivationKk", name: "motivation_kk", control: kk, required: true, wide: true }),
    field({ label: "op.app.motivationRu", name: "motivation_ru", control: ru, required: true, wide: true }),
    errors,
    status,
    h("div", { class: "form-actions" }, submit),
  );
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    busy(submit, async () => {
      clearFieldErrors(form);
      showError(errors, null);
      const body = { ground: grounds.value, motivation_kk: kk.value, motivation_ru: ru.value };
      try {
        const path = `/operator/applications/${encodeURIComponent(app.id)}/refusal`;
        const drafted = await post(`${path}/draft`, body);
        showStatus(status, "op.app.signing");
        const signed = await signXml(drafted.xml, "sign");
        showStatus(status, "signin.checking");
        await post(path, { signed_xml: signed });
        showStatus(status, null);
        ctx.flash("success", "op.app.refused");
        ctx.reload();
      } catch (error) {
        showStatus(status, null);
        reportError(form, errors, error);
      }
    });
  });
  return form;
}

function correctionForm(app, ctx) {
  const errors = h("div", { class: "error-slot" });
  const contacts = app.applicant_contacts || { address: {} };
  const input = (name, value, extra = {}) => h("input", { type: "text", name, value: value || "", ...extra });
  const fields = [
    ["city", "op.fix.city", "address.city"],
    ["district", "op.fix.district", "address.district"],
    ["street", "op.fix.street", "address.street"],
    ["house", "op.fix.house", "address.house"],
    ["flat", "op.fix.flat", "address.flat"],
  ].map(([name, label, fieldName]) => field({ label, name: `address.${name}`, field: fieldName, control: input(`address.${name}`, contacts.address[name]) }));
  const email = field({ label: "op.fix.email", name: "email", control: input("email", contacts.email, { inputmode: "email" }) });
  const phone = field({ label: "op.fix.phone", name: "phone", control: input("phone", contacts.phone, { inputmode: "tel" }) });
  const reason = field({ label: "op.fix.reason", name: "reason", required: true, control: h("textarea", { name: "reason", rows: 2, maxlength: 1000 }) });
  const submit = h("button", { type: "submit", class: "btn btn-primary" }, w("op.fix.save"));
  const form = h(
    "form",
    { class: "card refusal-form", novalidate: true, "data-testid": "correction-form" },
    h("h2", {}, w("op.fix.title")),
    h("p", {}, w("op.fix.lead")),
    h("div", { class: "form-row" }, fields),
    h("div", { class: "form-row" }, email, phone),
    reason,
    errors,
    h("div", { class: "form-actions" }, submit),
  );
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    busy(submit, async () => {
      clearFieldErrors(form);
      showError(errors, null);
      const value = (name) => form.querySelector(`[name="${name}"]`).value;
      const body = {
        address: Object.fromEntries(["city", "district", "street", "house", "flat"].map((k) => [k, value(`address.${k}`)])),
        email: value("email"),
        phone: value("phone"),
        reason: value("reason"),
      };
      try {
        await post(`/operator/applications/${encodeURIComponent(app.id)}/correction`, body);
        ctx.flash("success", "op.fix.saved");
        ctx.reload();
      } catch (error) {
        reportError(form, errors, error);
      }
    });
  });
  return form;
}

function view(app, ctx, messages) {
  const facts = [
    ["op.checks.child", `${app.child.full_name} · ${app.child.iin} · ${formatDate(app.child.birth_date)}`],
    ["op.checks.applicant", `${app.applicant_name} · ${app.applicant_iin}`],
    ["op.app.status", h("span", { class: `badge badge-${app.status === "active" ? "ok" : app.status === "refused" ? "danger" : "muted"}`, "data-testid": "status" }, bi(app.status_kk, app.status_ru))],
    ["op.app.queue", app.queue_number ?? "—"],
    ["op.checks.district", areaName(app.region, app.district)],
    ["op.app.language", w(app.language === "ru" ? "op.lang.ru" : "op.lang.kk")],
    ["op.app.registered", formatDateTime(app.registered_at)],
    app.service_centre ? ["op.app.desk", bi(app.service_centre.consent_kk, app.service_centre.consent_ru)] : null,
  ].filter(Boolean);
  const history = table(
    "op.app.history",
    [
      ["op.app.when", (e) => formatDateTime(e.at)],
      ["op.app.who", (e) => bi(e.who_kk, e.who_ru)],
      ["op.app.what", (e) => bi(e.text_kk, e.text_ru)],
    ],
    app.history || [],
    { "data-testid": "history" },
  );
  const parts = [
    h("h2", { class: "app-title" }, app.id),
    h("dl", { class: "facts" }, facts.map(([label, value]) => h("div", { class: "fact" }, h("dt", {}, w(label)), h("dd", {}, value)))),
    h("h2", {}, w("op.app.history")),
    history,
  ];
  if (ctx.role === "education_department") {
    if (app.status === "active") parts.push(correctionForm(app, ctx), refusalForm(app, ctx, messages));
    else parts.push(notice("info", w("op.app.notActive")));
  }
  return parts;
}

export async function render(root, params, ctx) {
  const messages = h("div", { class: "status-slot", "aria-live": "polite" });
  root.append(...head("op.nav.applications", "op.app.lead"), lookup(ctx, params.id || ""), messages);
  if (!params.id) return;
  const body = h("div", { class: "card application" });
  root.append(body);
  let flashed = null;
  const load = async () => {
    clear(body);
    try {
      const app = await get(`/operator/applications/${encodeURIComponent(params.id)}`);
      if (!ctx.current()) return;
      body.append(...view(app, { ...ctx, flash: (kind, key) => (flashed = [kind, key]), reload: load }, messages));
      if (flashed) {
        clear(messages).append(notice(flashed[0], w(flashed[1])));
        flashed = null;
      }
    } catch (error) {
      showError(messages, error);
    }
  };
  await load();
}
