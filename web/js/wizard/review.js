// Step 3 of the application: review, sign with the signing key and send; then the result.

import { get, post } from "../api.js";
import { benefitNumber, bi, biField, clear, h, icon, kgName, w } from "../dom.js";
import { birthDateFromIin, formatDate } from "../format.js";
import { signXml } from "../ncalayer.js";
import { busy, describeError, dl, errorFields, markServerErrors, notice, showError, showStatus } from "../ui.js";
import { benefits, current, forget, kindergartens, regions, reset, save } from "./state.js";

const ALIASES = { child_iin: "child.iin", email: "applicant.email", phone: "applicant.phone" };

function draftBody() {
  const state = current();
  const a = state.applicant;
  const applicant = {
    address: { ...a.address },
    email: a.email.trim(),
    phone: a.phone.trim(),
  };
  if (a.extra_email.trim()) applicant.extra_email = a.extra_email.trim();
  if (a.extra_phone.trim()) applicant.extra_phone = a.extra_phone.trim();
  const child = { iin: state.child.iin.trim(), surname: state.child.surname.trim(), given_name: state.child.given_name.trim() };
  if (state.child.patronymic.trim()) child.patronymic = state.child.patronymic.trim();
  return {
    applicant,
    child,
    region: state.region,
    district: state.district,
    kindergartens: [...state.kindergartens],
    language: state.language,
    benefit: state.has_benefit ? state.benefit || null : null,
    attachments: state.has_benefit ? state.attachments.map((f) => f.upload_id) : [],
  };
}

function stepOf(fieldName) {
  const name = ALIASES[fieldName] || fieldName;
  return name.startsWith("applicant") ? 1 : 2;
}

/** Step 3: review, then the server builds the document, the parent signs it, and it is sent. */
export async function reviewStep(root, nav, errors) {
  const state = current();
  const regionList = await regions().catch(() => []);
  const region = regionList.find((r) => r.code === state.region);
  const district = region?.districts?.find((d) => d.code === state.district);
  const kgList = await kindergartens(state.region, state.district).catch(() => []);
  const benefitList = state.has_benefit ? await benefits().catch(() => []) : [];
  const benefit = benefitList.find((b) => b.code === state.benefit);
  const a = state.applicant;
  const address = [a.address.city, a.address.district, a.address.street, a.address.house, a.address.flat].filter(Boolean).join(", ");
  const childBirth = birthDateFromIin(state.child.iin);
  const edit = (step) => h("button", { type: "button", class: "btn btn-link btn-small", dataset: { wizard: "edit" }, onclick: () => nav.step(step) }, w("apply.edit"));

  const status = h("div", { class: "status-slot", "aria-live": "polite" });
  const send = h("button", { type: "button", class: "btn btn-primary btn-large" }, icon("pen"), w("apply.sign"));
  send.addEventListener("click", () =>
    busy(send, async () => {
      showError(errors, null);
      try {
        showStatus(status, "apply.preparing");
        const draft = await post("/applications/draft", draftBody());
        showStatus(status, "apply.chooseSign");
        const signed = await signXml(draft.xml, "sign");
        showStatus(status, "apply.sending");
        const result = await post("/applications", { signed_xml: signed });
        showStatus(status, null);
        forget();
        const done = reset();
        done.result = result;
        done.step = 4;
        nav.rerender();
      } catch (error) {
        showStatus(status, null);
        const fields = errorFields(error);
        if (fields.length) {
          state.step = stepOf(fields[0]);
          save();
          await nav.rerender();
          const page = document.querySelector(".page");
          const aliased = Object.assign(Object.create(Object.getPrototypeOf(error)), error, {
            details: { fields: fields.map((f) => ({ field: ALIASES[f] || f })) },
          });
          const found = markServerErrors(page, aliased);
          const slot = clear(page.querySelector(".error-slot"));
          slot.append(notice("error", found.length ? w("error.fixFields") : describeError(error)));
          return;
        }
        showError(errors, error);
      }
    }),
  );

  root.append(
    h("h2", { class: "h3" }, w("apply.review")),
    h("p", { class: "muted" }, w("apply.reviewLead")),
    h(
      "section",
      { class: "card review" },
      h("div", { class: "review-head" }, h("h3", {}, w("apply.step1")), edit(1)),
      dl([
        ["apply.iin", a.iin],
        ["view.fullName", [a.surname, a.given_name, a.patronymic].filter(Boolean).join(" ")],
        ["apply.birthDate", formatDate(a.birth_date)],
        ["apply.address", address],
        ["contacts.email", a.email],
        ["contacts.phone", a.phone],
        a.extra_email ? ["contacts.extraEmail", a.extra_email] : null,
        a.extra_phone ? ["contacts.extraPhone", a.extra_phone] : null,
      ]),
    ),
    h(
      "section",
      { class: "card review" },
      h("div", { class: "review-head" }, h("h3", {}, w("apply.step2")), edit(2)),
      dl([
        ["apply.childIin", state.child.iin],
        ["view.fullName", [state.child.surname, state.child.given_name, state.child.patronymic].filter(Boolean).join(" ")],
        ["apply.birthDate", childBirth ? formatDate(childBirth) : "—"],
        ["apply.region", region ? biField(region, "name") : state.region],
        ["apply.district", district ? biField(district, "name") : state.district],
        ["apply.language", w(`lang.${state.language}`)],
        [
          "view.kindergartens",
          h(
            "ol",
            { class: "plain-list" },
            state.kindergartens.map((id) => {
              const kg = kgList.find((k) => k.id === id);
              return h("li", {}, kg ? kgName(kg) : id);
            }),
          ),
        ],
        ["apply.benefit", state.has_benefit ? (benefit ? biField(benefit, "name") : state.benefit) : w("apply.noBenefit")],
        state.has_benefit
          ? ["apply.benefitDocs", h("ul", { class: "plain-list" }, state.attachments.map((f) => h("li", {}, f.name)))]
          : null,
      ]),
    ),
    errors,
    status,
    h(
      "div",
      { class: "form-actions" },
      h("button", { type: "button", class: "btn btn-outline", dataset: { wizard: "back" }, onclick: () => nav.step(2) }, h("span", { "aria-hidden": "true" }, "← "), w("app.back")),
      send,
    ),
  );
}

const DOCUMENTS_REFRESH_MS = 1500;
const DOCUMENTS_PATIENCE = 40; // looks before the page stops asking (the journal has them later)

/** The documents to download: made after the registration, so "being prepared" until all are there. */
function documentsBlock(id, documents, looks = 0) {
  const ready = documents.filter((doc) => doc.source !== "parent");
  const block = h(
    "div",
    { class: "docs", "aria-live": "polite" },
    h("h3", {}, w("apply.documents")),
    ready.length
      ? h(
          "ul",
          { class: "doc-list" },
          ready.map((doc) =>
            h(
              "li",
              {},
              h("span", { class: "doc-icon" }, icon("doc")),
              h("span", { class: "doc-title" }, bi(doc.title_kk, doc.title_ru)),
              h("a", { class: "btn btn-outline btn-small", href: doc.url, target: "_blank", rel: "noopener", download: "" }, w("view.download")),
            ),
          ),
        )
      : null,
  );
  const complete = looks > 0 && documents.preparing && documents.preparing.length === 0;
  if (!complete && looks < DOCUMENTS_PATIENCE) {
    block.append(h("p", { class: "notice notice-info", role: "status" }, h("span", { class: "spinner", "aria-hidden": "true" }), w("view.docsPreparing")));
    setTimeout(async () => {
      if (!block.isConnected) return;
      try {
        const answer = await get(`/applications/${encodeURIComponent(id)}/documents`);
        const items = answer.items || [];
        items.preparing = answer.preparing || [];
        if (block.isConnected) block.replaceWith(documentsBlock(id, items, looks + 1));
      } catch {
        if (block.isConnected) block.replaceWith(documentsBlock(id, documents, looks + 1));
      }
    }, DOCUMENTS_REFRESH_MS);
  }
  return block;
}

/** The end: the registration number, the queue numbers and the documents to download. */
export function successView(root) {
  const state = current();
  const result = state.result;
  root.append(
    h(
      "section",
      { class: "card success", role: "status" },
      h("div", { class: "success-mark", "aria-hidden": "true" }, "✓"),
      h("h2", {}, w("apply.success")),
      h("p", { class: "big-number" }, w("apply.successNumber", { n: result.queue_number })),
      dl([
        ["apply.registration", h("strong", { class: "mono" }, result.registration_number)],
        ["journal.queue", String(result.queue_number ?? "—")],
        ["journal.benefitQueue", benefitNumber(result)],
        ["journal.status", result.status_kk ? bi(result.status_kk, result.status_ru) : w(`status.${result.status}`)],
      ]),
      documentsBlock(result.id, result.documents || []),
      h(
        "div",
        { class: "form-actions" },
        h("a", { class: "btn btn-outline", href: "#/applications" }, w("nav.journal")),
        h("a", { class: "btn btn-primary", href: `#/applications/${encodeURIComponent(result.id)}` }, w("apply.open")),
      ),
    ),
  );
}
