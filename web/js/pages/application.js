// One application: information, change history and documents, and what the parent can do with it
// (confirm interest, change the benefit, withdraw from the queue, choose a private kindergarten),
// with the child's directions above the tabs.

import { get, post } from "../api.js";
import { allocationRulesPanel, familyPanel } from "../allocation-rules.js";
import { directionsPanel } from "../directions.js";
import { positionTab } from "../position.js";
import { benefitNumber, bi, biField, clear, h, icon, kgName, uid, w } from "../dom.js";
import { formatDate, formatDateTime } from "../format.js";
import { signXml } from "../ncalayer.js";
import { downloadWithToken } from "../contract/common.js";
import { uploader } from "../uploads.js";
import { busy, dialog, dl, field, notice, setFieldError, showError, showStatus } from "../ui.js";
import { statusBadge } from "./journal.js";

const TABS = [
  ["info", "view.info"],
  ["position", "view.position"],
  ["history", "view.history"],
  ["documents", "view.documents"],
];

/** A value the API may give as {kk, ru}, {name_kk, name_ru}, or a plain string. */
function text(value) {
  if (value == null || value === "") return "—";
  if (typeof value !== "object") return String(value);
  if ("kk" in value || "ru" in value) return bi(value.kk ?? value.ru, value.ru ?? value.kk);
  if ("name_kk" in value || "name_ru" in value) return biField(value, "name");
  if ("title_kk" in value) return biField(value, "title");
  return value.code ?? "—";
}

function kindergartenLine(kg, known) {
  const found = typeof kg === "object" && kg !== null ? kg : known.get(kg);
  return h("li", {}, found ? kgName(found) : String(kg));
}

/** A status code of the history in words (the API gives codes there). */
function statusWords(code) {
  if (code == null || code === "") return "—";
  if (typeof code === "object") return text(code);
  return WORDS.has(`status.${code}`) ? w(`status.${code}`) : String(code);
}

const WORDS = new Set([
  "status.active",
  "status.withdrawn",
  "status.removed",
  "status.aged_out",
  "status.enrolled",
  "status.left_for_private",
]);

const reference = new Map();

/** A reference list, asked for once per page load. */
function referenceList(path) {
  if (!reference.has(path)) {
    reference.set(
      path,
      get(path).catch((error) => {
        reference.delete(path);
        throw error;
      }),
    );
  }
  return reference.get(path);
}

/** Names for the region, district and kindergartens the application gives as codes. */
async function placeNames(item) {
  const names = { region: null, district: null, kindergartens: new Map() };
  const code = (value) => (value && typeof value === "object" ? value.code : value);
  try {
    const regions = await referenceList("/reference/regions");
    names.region = regions.find((r) => r.code === code(item.region)) || null;
    names.district = names.region?.districts?.find((d) => d.code === code(item.district)) || null;
    if (item.region && item.district) {
      const query = new URLSearchParams({ region: code(item.region), district: code(item.district) });
      for (const kg of await referenceList(`/reference/kindergartens?${query}`)) names.kindergartens.set(kg.id, kg);
    }
  } catch {
    /* the codes are shown instead */
  }
  return names;
}

function benefitCheck(item) {
  const state = typeof item.benefit_status === "string" ? item.benefit_status : null;
  if (!state || state === "none") return null;
  return ["view.benefitStatus", w(`benefit.${state}`)];
}

async function infoTab(item) {
  const names = await placeNames(item);
  const benefit = item.benefit ? biField(item.benefit, "name") : w("apply.noBenefit");
  const status = h(
    "span",
    { class: "status-line" },
    statusBadge(item),
    item.status_at ? h("span", { class: "muted" }, " ", w("view.sinceDate", { date: formatDateTime(item.status_at) })) : null,
  );
  const reasonOf = (kk, ru) => (kk || ru ? bi(kk || ru, ru || kk) : null);
  const statusReason = reasonOf(item.status_reason_kk, item.status_reason_ru);
  return h(
    "div",
    { class: "info-grid" },
    h("section", { class: "card" }, h("h2", { class: "h3" }, w("view.applicant")), dl([["view.fullName", item.applicant_name]])),
    h(
      "section",
      { class: "card" },
      h("h2", { class: "h3" }, w("view.childData")),
      dl([
        ["view.fullName", item.child?.full_name],
        ["apply.iin", h("span", { class: "mono" }, item.child?.iin || "—")],
        ["apply.birthDate", formatDate(item.child?.birth_date)],
        ["journal.benefit", benefit],
        ["journal.queue", h("strong", { class: "num" }, String(item.queue_number ?? "—"))],
        ["journal.benefitQueue", h("strong", { class: "num" }, benefitNumber(item))],
      ]),
    ),
    h(
      "section",
      { class: "card card-wide" },
      h("h2", { class: "h3" }, w("view.applicationData")),
      dl([
        ["apply.registration", h("span", { class: "mono" }, item.registration_number)],
        ["view.registeredAt", formatDateTime(item.registered_at || item.created_at)],
        item.egov_number ? ["view.egov", item.egov_number] : null,
        item.service_center_number ? ["view.serviceCenter", item.service_center_number] : null,
        item.service_centre ? ["view.filedAtDesk", bi(item.service_centre.consent_kk, item.service_centre.consent_ru)] : null,
        ["view.state", status],
        ["view.lastChange", formatDateTime(item.status_at)],
        statusReason ? ["view.statusReason", statusReason] : null,
        ["apply.region", names.region ? biField(names.region, "name") : text(item.region)],
        ["apply.district", names.district ? biField(names.district, "name") : text(item.district)],
        ["apply.language", item.language ? w(`lang.${item.language}`) : "—"],
        [
          "view.kindergartens",
          item.kindergartens && item.kindergartens.length
            ? h("ol", { class: "plain-list" }, item.kindergartens.map((kg) => kindergartenLine(kg, names.kindergartens)))
            : "—",
        ],
        item.next_confirmation_due ? ["view.confirmDue", formatDate(item.next_confirmation_due)] : null,
        benefitCheck(item),
        item.benefit_reason ? ["view.benefitReason", text(item.benefit_reason)] : null,
      ]),
    ),
  );
}

async function historyTab(id) {
  const items = (await get(`/applications/${encodeURIComponent(id)}/history`)).items || [];
  if (!items.length) return h("p", { class: "muted card" }, w("view.noHistory"));
  const columns = [
    ["view.when", (e) => formatDateTime(e.at)],
    ["view.who", (e) => (e.who_kk || e.who_ru ? bi(e.who_kk || e.who_ru, e.who_ru || e.who_kk) : text(e.who))],
    ["view.what", (e) => (e.text_kk || e.text_ru ? bi(e.text_kk || e.text_ru, e.text_ru || e.text_kk) : statusWords(e.to))],
  ];
  return h(
    "div",
    { class: "table-wrap card card-flush" },
    h(
      "table",
      { class: "table table-stack" },
      h("caption", { class: "visually-hidden" }, w("view.history")),
      h("thead", {}, h("tr", {}, columns.map(([key]) => h("th", { scope: "col" }, w(key))))),
      h("tbody", {}, items.map((e) => h("tr", {}, columns.map(([key, cell]) => h("td", { attrs18n: { "data-label": key } }, cell(e)))))),
    ),
  );
}

function documentTable(captionKey, docs) {
  return h(
    "section",
    { class: "doc-section" },
    h("h2", { class: "h3" }, w(captionKey)),
    docs.length
      ? h(
          "div",
          { class: "table-wrap card card-flush" },
          h(
            "table",
            { class: "table table-stack" },
            h("caption", { class: "visually-hidden" }, w(captionKey)),
            h("thead", {}, h("tr", {}, h("th", { scope: "col" }, w("view.docName")), h("th", { scope: "col", class: "col-action" }, w("view.action")))),
            h(
              "tbody",
              {},
              docs.map((doc) =>
                h(
                  "tr",
                  {},
                  h(
                    "td",
                    { attrs18n: { "data-label": "view.docName" } },
                    // one block beside the label when the table stacks on a phone
                    h(
                      "div",
                      { class: "doc-cell" },
                    h("span", { class: "doc-icon" }, icon("doc")),
                    bi(doc.title_kk, doc.title_ru),
                    doc.number ? h("span", { class: "muted" }, ` № ${doc.number}`) : null,
                    doc.issued_at ? h("span", { class: "muted doc-date" }, w("view.issuedOn", { date: formatDateTime(doc.issued_at) })) : null,
                    doc.superseded
                      ? h("span", { class: "badge badge-muted doc-superseded", dataset: { superseded: "true" } }, w("view.superseded", { date: formatDateTime(doc.superseded_at) }))
                      : null,
                    ),
                  ),
                  h(
                    "td",
                    { class: "col-action", attrs18n: { "data-label": "view.action" } },
                    h("a", { class: "btn btn-outline btn-small", href: doc.url, target: "_blank", rel: "noopener", download: "" }, w("view.download")),
                  ),
                ),
              ),
            ),
          ),
        )
      : h("p", { class: "muted" }, w("view.noDocs")),
  );
}

const PREPARING_REFRESH_MS = 2000;

async function documentsTab(id) {
  const lang = document.documentElement.lang === "ru" ? "ru" : "kk";
  // the documents are made by jobs after the registration: until all are issued, say so and look again
  const answer = await get(`/applications/${encodeURIComponent(id)}/documents?lang=${lang}`);
  const items = answer.items || [];
  const preparing = answer.preparing || [];
  const slot = h("div", { class: "error-slot" });
  const all = h("button", { type: "button", class: "btn btn-outline", dataset: { action: "download-all" } }, icon("doc"), w("view.downloadAll"));
  all.addEventListener("click", () =>
    busy(all, async () => {
      showError(slot, null);
      const current = document.documentElement.lang === "ru" ? "ru" : "kk";
      const name = `${current === "ru" ? "Документы" : "Құжаттар"} ${id}.zip`;
      try {
        await downloadWithToken(`/applications/${encodeURIComponent(id)}/documents.zip?lang=${current}`, name, "application/zip");
      } catch (error) {
        showError(slot, error);
      }
    }),
  );
  const content = h(
    "div",
    {},
    preparing.length
      ? h("p", { class: "notice notice-info", role: "status" }, h("span", { class: "spinner", "aria-hidden": "true" }), w("view.docsPreparing"))
      : null,
    items.some((d) => d.source !== "parent" && !d.superseded) ? h("div", { class: "doc-all" }, all, slot) : null,
    documentTable("view.attachments", items.filter((d) => d.source === "parent")),
    documentTable("view.systemDocs", items.filter((d) => d.source !== "parent" && !d.superseded)),
    items.some((d) => d.superseded) ? documentTable("view.supersededDocs", items.filter((d) => d.superseded)) : null,
  );
  if (preparing.length) {
    setTimeout(async () => {
      if (!content.isConnected) return;
      try {
        const fresh = await documentsTab(id);
        if (content.isConnected) content.replaceWith(fresh);
      } catch {
        // the next visit of the tab reads them again
      }
    }, PREPARING_REFRESH_MS);
  }
  return content;
}

// ---------------------------------------------------------------- actions

function confirmInterest(item, done) {
  const dlg = dialog("act.confirm");
  const errors = h("div", { class: "error-slot" });
  const ok = h("button", { type: "button", class: "btn btn-primary" }, w("act.confirmButton"));
  ok.addEventListener("click", () =>
    busy(ok, async () => {
      try {
        const updated = await post(`/applications/${encodeURIComponent(item.id)}/confirm-interest`, {});
        dlg.close();
        done(updated, "act.confirmed");
      } catch (error) {
        showError(errors, error);
      }
    }),
  );
  dlg.body.append(h("p", {}, w("act.confirmText")), errors);
  dlg.footer.append(h("button", { type: "button", class: "btn btn-outline", onclick: dlg.close }, w("app.cancel")), ok);
  dlg.open();
}

async function changeBenefit(item, done) {
  const dlg = dialog("act.benefit");
  const errors = h("div", { class: "error-slot" });
  const files = [];
  let list = [];
  try {
    list = await referenceList("/reference/benefits");
  } catch (error) {
    showError(errors, error);
  }
  const selectId = uid("benefit");
  const control = h(
    "select",
    { id: selectId, name: "benefit", required: true },
    h("option", { value: "", i18n: "apply.choose" }),
    list.map((b) => h("option", { value: b.code, bi: { kk: b.name_kk, ru: b.name_ru }, selected: item.benefit?.code === b.code })),
  );
  const upload = uploader(files, () => {});
  const status = h("div", { class: "status-slot", "aria-live": "polite" });
  // The claim changes the child's priority: it is signed with the SIGN key, like the application.
  const ok = h("button", { type: "button", class: "btn btn-primary" }, icon("pen"), w("apply.sign"));
  const form = h(
    "div",
    { class: "form" },
    h("p", {}, w("act.benefitText")),
    notice("warning", w("apply.benefitWarn")),
    field({ label: "apply.benefitCategory", name: "benefit", field: "benefit", control, required: true }),
    upload.element,
    errors,
    status,
  );
  ok.addEventListener("click", () =>
    busy(ok, async () => {
      for (const box of form.querySelectorAll(".has-error")) box.classList.remove("has-error");
      let wrong = false;
      if (!control.value) wrong = setFieldError(form, "benefit", w("error.required"));
      if (upload.pending()) wrong = setFieldError(form, "attachments", w("error.uploadsPending"));
      else if (!files.length) wrong = setFieldError(form, "attachments", w("error.benefitDocs"));
      if (wrong) return;
      showError(errors, null);
      const base = `/applications/${encodeURIComponent(item.id)}/benefit`;
      try {
        showStatus(status, "apply.preparing");
        const draft = await post(`${base}/draft`, { benefit: control.value, attachments: files.map((f) => f.upload_id) });
        showStatus(status, "apply.chooseSign");
        const signed = await signXml(draft.xml, "sign");
        showStatus(status, "apply.sending");
        const updated = await post(base, { signed_xml: signed });
        dlg.close();
        done(updated, "act.benefitSaved");
      } catch (error) {
        showStatus(status, null);
        showError(errors, error);
      }
    }),
  );
  dlg.body.append(form);
  dlg.footer.append(h("button", { type: "button", class: "btn btn-outline", onclick: dlg.close }, w("app.cancel")), ok);
  dlg.open();
}

function withdraw(item, done) {
  const dlg = dialog("act.withdraw");
  const errors = h("div", { class: "error-slot" });
  const status = h("div", { class: "status-slot", "aria-live": "polite" });
  const reasonId = uid("reason");
  const reason = h("textarea", { id: reasonId, name: "reason", rows: 3, required: true, maxlength: 500 });
  const ok = h("button", { type: "button", class: "btn btn-danger" }, icon("pen"), w("apply.sign"));
  const form = h(
    "div",
    { class: "form" },
    notice("warning", w("act.withdrawText")),
    field({ label: "act.reason", name: "reason", field: "reason", control: reason, required: true }),
    errors,
    status,
  );
  ok.addEventListener("click", () =>
    busy(ok, async () => {
      for (const box of form.querySelectorAll(".has-error")) box.classList.remove("has-error");
      if (!reason.value.trim()) {
        setFieldError(form, "reason", w("error.required"));
        reason.focus();
        return;
      }
      showError(errors, null);
      const base = `/applications/${encodeURIComponent(item.id)}/withdraw`;
      try {
        showStatus(status, "apply.preparing");
        const draft = await post(`${base}/draft`, { reason: reason.value.trim() });
        showStatus(status, "apply.chooseSign");
        const signed = await signXml(draft.xml, "sign");
        showStatus(status, "apply.sending");
        const updated = await post(base, { signed_xml: signed });
        dlg.close();
        done(updated, "act.withdrawn");
      } catch (error) {
        showStatus(status, null);
        showError(errors, error);
      }
    }),
  );
  dlg.body.append(form);
  dlg.footer.append(h("button", { type: "button", class: "btn btn-outline", onclick: dlg.close }, w("app.cancel")), ok);
  dlg.open();
}

/** Seed 002, picture 8: the warning window before the list of state-order vacancies. */
function choosePrivate(item, _done, ctx) {
  const dlg = dialog("private.attention");
  const ok = h("button", { type: "button", class: "btn btn-primary" }, w("private.ok"));
  ok.addEventListener("click", () => {
    dlg.close();
    ctx.go(`/applications/${encodeURIComponent(item.id)}/private`);
  });
  dlg.body.append(notice("warning", w("private.warning")));
  dlg.footer.append(h("button", { type: "button", class: "btn btn-outline", onclick: dlg.close }, w("app.cancel")), ok);
  dlg.open();
}

const ACTIONS = [
  ["confirm_interest", "act.confirm", "btn-primary", confirmInterest],
  ["choose_private", "private.choose", "btn-outline", choosePrivate],
  ["change_benefit", "act.benefit", "btn-outline", changeBenefit],
  ["withdraw", "act.withdraw", "btn-outline-danger", withdraw],
];

/**
 * Whether to offer "choose a private kindergarten": the child is in the queue, old enough, holds no
 * direction, and a private kindergarten has state-order vacancies for it (the server decides).
 */
async function privateChoiceOffered(item) {
  if (item.status !== "active") return false;
  try {
    const answer = await get(`/applications/${encodeURIComponent(item.id)}/private-options`);
    return (answer.items || []).length > 0;
  } catch {
    return false;
  }
}

// ---------------------------------------------------------------- the page

export async function render(root, params, ctx) {
  const errors = h("div", { class: "error-slot" });
  root.append(h("p", { class: "crumbs" }, h("a", { href: "#/applications" }, "← ", w("view.back"))), errors);
  let item;
  try {
    item = await get(`/applications/${encodeURIComponent(params.id)}`);
  } catch (error) {
    root.append(h("h1", {}, w("journal.title")));
    showError(errors, error);
    return;
  }

  const messages = h("div", { class: "message-slot" });
  const head = h("div", { class: "app-head" });
  const actions = h("div", { class: "actions", role: "group", attrs18n: { "aria-label": "view.actions" } });
  const panel = h("div", { class: "tab-panel", role: "tabpanel", tabindex: "0" });
  let active = TABS.some(([name]) => name === params.tab) ? params.tab : "info";
  const tabButtons = new Map();
  let privateOffered = false;

  const drawHead = () => {
    clear(head).append(
      h("h1", { class: "app-title" }, h("span", { class: "mono" }, item.registration_number)),
      h(
        "div",
        { class: "app-meta" },
        statusBadge(item),
        h("span", { class: "meta" }, item.benefit ? biField(item.benefit, "name") : w("apply.noBenefit")),
        h("span", { class: "meta" }, item.child?.full_name || "", " · ", formatDate(item.child?.birth_date)),
      ),
    );
    clear(actions);
    const available = [...(item.actions || item.available_actions || []), ...(privateOffered ? ["choose_private"] : [])];
    for (const [name, key, style, handler] of ACTIONS) {
      if (!available.includes(name)) continue;
      actions.append(
        h(
          "button",
          { type: "button", class: `btn ${style}`, dataset: { action: name }, onclick: () => handler(item, updated, ctx) },
          w(key),
        ),
      );
    }
    actions.hidden = !actions.childElementCount;
  };

  const refreshPrivate = async () => {
    privateOffered = await privateChoiceOffered(item);
    drawHead();
  };

  const updated = (next, messageKey) => {
    item = { ...item, ...next };
    drawHead();
    clear(messages).append(notice("success", w(messageKey)));
    show(active, false);
    refreshPrivate();
  };

  const directions = directionsPanel(item.id, (messageKey) => {
    clear(messages).append(notice("success", w(messageKey)));
    if (active === "history" || active === "documents") show(active, false);
    refreshPrivate();
  });

  async function show(name, focus) {
    active = name;
    for (const [tab, button] of tabButtons) {
      const selected = tab === name;
      button.setAttribute("aria-selected", String(selected));
      button.tabIndex = selected ? 0 : -1;
      if (selected && focus) button.focus();
    }
    panel.setAttribute("aria-labelledby", tabButtons.get(name).id);
    history.replaceState(null, "", `#/applications/${encodeURIComponent(item.id)}${name === "info" ? "" : `/${name}`}`);
    clear(panel).append(h("p", { class: "progress" }, h("span", { class: "spinner", "aria-hidden": "true" }), w("app.loading")));
    let content;
    try {
      if (name === "info") content = await infoTab(item);
      else if (name === "position") content = await positionTab(item, await placeNames(item));
      else if (name === "history") content = await historyTab(item.id);
      else content = await documentsTab(item.id);
    } catch (error) {
      content = h("div", {});
      showError(content, error);
    }
    if (active === name) clear(panel).append(content);
  }

  const tablist = h("div", { class: "tabs", role: "tablist", attrs18n: { "aria-label": "app.tabs" } });
  for (const [name, key] of TABS) {
    const button = h("button", { type: "button", role: "tab", id: uid(`tab-${name}`), class: "tab", onclick: () => show(name, false) }, w(key));
    button.addEventListener("keydown", (event) => {
      const index = TABS.findIndex(([n]) => n === name);
      let next = null;
      if (event.key === "ArrowRight") next = TABS[(index + 1) % TABS.length][0];
      if (event.key === "ArrowLeft") next = TABS[(index + TABS.length - 1) % TABS.length][0];
      if (event.key === "Home") next = TABS[0][0];
      if (event.key === "End") next = TABS[TABS.length - 1][0];
      if (next) {
        event.preventDefault();
        show(next, true);
      }
    });
    tabButtons.set(name, button);
    tablist.append(button);
  }
  drawHead();
  const rules = allocationRulesPanel(typeof item.region === "object" ? item.region?.code : item.region);
  const family = familyPanel(() => item, async (messageKey) => {
    item = { ...item, ...(await get(`/applications/${encodeURIComponent(item.id)}`)) };
    clear(messages).append(notice("success", w(messageKey)));
    await family.refresh();
  });
  root.append(head, messages, actions, directions.element, tablist, panel, family.element, rules.element);
  await Promise.all([show(active, false), directions.refresh(), refreshPrivate(), family.refresh(), rules.refresh()]);
}
