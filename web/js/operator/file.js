// The service centre's desk (#file): an application filed for a parent who came in person. The
// parent and the child come from the population registry; the parent's consent is their own EDS
// at the desk or a paper consent with the operator's EDS; the documents print as one PDF pack.

import { get, post } from "../api.js";
import { bi, clear, h, w } from "../dom.js";
import { signXml } from "../ncalayer.js";
import { busy, dl, field, notice, reportError, showError } from "../ui.js";
import { fetchBlob, head, select } from "./common.js";

const PACK_ATTEMPTS = 20;

function personName(p) {
  return [p.surname, p.given_name, p.patronymic].filter(Boolean).join(" ");
}

/** The pack: fetched with the session (retried while its document jobs still run), shown in a frame. */
async function showPack(slot, applicationId, errors) {
  clear(slot).append(h("p", { class: "progress" }, w("op.file.packLoading")));
  let blob = null;
  for (let attempt = 0; attempt < PACK_ATTEMPTS && !blob; attempt += 1) {
    try {
      blob = await fetchBlob(`/operator/service-centre/applications/${encodeURIComponent(applicationId)}/pack`);
    } catch (error) {
      if (error.status !== 409 || attempt === PACK_ATTEMPTS - 1) {
        clear(slot);
        showError(errors, error);
        return;
      }
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
  }
  const url = URL.createObjectURL(blob);
  clear(slot).append(
    h("iframe", { class: "scan-frame pack-frame", src: url, attrs18n: { title: "op.file.pack" }, "data-testid": "pack" }),
    h("p", {}, h("a", { class: "btn btn-outline", href: url, download: `${applicationId}.pdf`, "data-testid": "pack-download" }, w("op.file.packDownload"))),
    handOver(applicationId, errors),
  );
}

/** Appendix 3, table 2, step 15 (15 minutes): the desk says when the parent got the printed documents. */
function handOver(applicationId, errors) {
  const slot = h("div", { class: "status-slot", "aria-live": "polite" });
  const button = h("button", { type: "button", class: "btn btn-primary", "data-testid": "hand-over" }, w("op.overdue.handOver"));
  button.addEventListener("click", () =>
    busy(button, async () => {
      clear(errors);
      try {
        await post(`/operator/service-centre/applications/${encodeURIComponent(applicationId)}/hand-over`, {});
        button.remove();
        clear(slot).append(notice("success", w("op.overdue.handedOver", { id: applicationId })));
      } catch (error) {
        showError(errors, error);
      }
    }),
  );
  return h("div", {}, h("p", { class: "muted" }, w("op.file.handOverHint")), button, slot);
}

export async function render(root, _params, ctx) {
  const errors = h("div", { class: "error-slot" });
  const result = h("div", { class: "status-slot", "aria-live": "polite" });
  const formSlot = h("div");
  root.append(...head("op.nav.file", "op.file.lead"), errors);

  const iin = h("input", { name: "parent_iin", type: "text", inputmode: "numeric", maxlength: 12, autocomplete: "off" });
  const find = h("button", { type: "submit", class: "btn btn-primary" }, w("op.file.find"));
  const lookup = h(
    "form",
    { class: "card", novalidate: true, "data-testid": "desk-lookup" },
    h("div", { class: "form-row" }, field({ label: "op.file.parentIin", name: "parent_iin", control: iin, required: true, hint: "op.file.parentIinHint" })),
    h("div", { class: "form-actions" }, find),
  );
  let kindergartens = [];
  try {
    kindergartens = (await get("/operator/kindergartens")).items || [];
  } catch (error) {
    showError(errors, error);
    return;
  }
  if (!ctx.current()) return;
  lookup.addEventListener("submit", (event) => {
    event.preventDefault();
    busy(find, async () => {
      showError(errors, null);
      clear(formSlot);
      clear(result);
      try {
        const person = await get(`/operator/service-centre/people/${encodeURIComponent(iin.value.trim())}`);
        formSlot.append(applicationForm(person, kindergartens, ctx, errors, result));
      } catch (error) {
        reportError(lookup, errors, error);
      }
    });
  });
  root.append(lookup, formSlot, result);
}

function applicationForm(person, kindergartens, ctx, errors, result) {
  const applicant = person.applicant;
  const address = applicant.address || {};
  const contacts = person.contacts || {};
  const children = person.children || [];
  const input = (name, value, props = {}) => h("input", { name, type: "text", value: value || "", ...props });
  const child = select("child_iin", [["", "op.vac.choose"], ...children.map((c) => [c.iin, { kk: `${personName(c)} (${c.iin})`, ru: `${personName(c)} (${c.iin})` }])], children.length === 1 ? children[0].iin : "");
  const named = (k, name) => (k.number != null && !name.includes("№") ? `№ ${k.number} ${name}` : name);
  const kg = select("kindergarten", [["", "op.vac.choose"], ...kindergartens.map((k) => [k.id, { kk: named(k, k.name_kk), ru: named(k, k.name_ru) }])], "");
  const language = select("language", [["kk", "op.file.lang.kk"], ["ru", "op.file.lang.ru"]], "kk");
  const consent = (value, key, checked) => {
    const id = `consent-${value}`;
    return h("div", { class: "radio" }, h("input", { type: "radio", id, name: "consent", value, checked }), h("label", { for: id }, w(key)));
  };
  const submit = h("button", { type: "submit", class: "btn btn-primary" }, w("op.file.sign"));
  const form = h(
    "form",
    { class: "card desk-form", novalidate: true, "data-testid": "desk-form" },
    h("h2", {}, w("op.file.parent")),
    dl([
      ["op.file.name", personName(applicant)],
      ["op.file.iin", applicant.iin],
      ["op.file.birth", applicant.birth_date],
    ]),
    children.length ? null : notice("warning", w("op.file.noChildren")),
    h(
      "div",
      { class: "form-row" },
      field({ label: "op.file.child", name: "child_iin", field: "child.iin", control: child, required: true }),
      field({ label: "op.vac.kindergarten", name: "kindergarten", field: "kindergartens", control: kg, required: true }),
      field({ label: "op.file.language", name: "language", control: language, required: true }),
    ),
    h(
      "div",
      { class: "form-row" },
      field({ label: "op.fix.city", name: "city", field: "address.city", control: input("city", address.city), required: true }),
      field({ label: "op.fix.district", name: "district_name", field: "address.district", control: input("district_name", address.district), required: true }),
      field({ label: "op.fix.street", name: "street", field: "address.street", control: input("street", address.street), required: true }),
      field({ label: "op.fix.house", name: "house", field: "address.house", control: input("house", address.house), required: true }),
      field({ label: "op.fix.flat", name: "flat", field: "address.flat", control: input("flat", address.flat) }),
    ),
    h(
      "div",
      { class: "form-row" },
      field({ label: "op.fix.email", name: "email", field: "email", control: input("email", contacts.email, { type: "email" }), required: true }),
      field({ label: "op.fix.phone", name: "phone", field: "phone", control: input("phone", contacts.phone, { type: "tel" }), required: true }),
    ),
    h(
      "fieldset",
      { class: "field radio-group desk-consent", "data-field": "consent" },
      h("legend", {}, w("op.file.consent")),
      consent("parent_eds", "op.file.consent.parent_eds", true),
      consent("paper", "op.file.consent.paper", false),
    ),
    h("p", { class: "hint" }, w("op.file.benefitLater")),
    h("div", { class: "form-actions" }, submit),
  );
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    busy(submit, async () => {
      showError(errors, null);
      clear(result);
      const value = (name) => form.querySelector(`[name=${name}]`).value.trim();
      const chosen = form.querySelector("input[name=consent]:checked").value;
      const session = ctx.person || {};
      try {
        const drafted = await post("/operator/service-centre/applications/draft", {
          parent_iin: applicant.iin,
          consent: chosen,
          applicant: {
            address: { city: value("city"), district: value("district_name"), street: value("street"), house: value("house"), flat: value("flat") },
            email: value("email"),
            phone: value("phone"),
          },
          child: { iin: child.value },
          region: session.region,
          district: session.district,
          kindergartens: kg.value ? [kg.value] : [],
          language: language.value,
        });
        result.append(notice("info", w(drafted.signer === "parent" ? "op.file.parentSigns" : "op.file.operatorSigns")));
        const signed = await signXml(drafted.xml, "sign");
        const filed = await post("/operator/service-centre/applications", { signed_xml: signed });
        const packSlot = h("div", { class: "pack" });
        clear(result).append(
          notice("success", w("op.file.done", { n: filed.registration_number, q: filed.queue_number ?? "—" })),
          h(
            "div",
            { class: "card", "data-testid": "desk-result" },
            dl([
              ["op.app.number", h("a", { href: `#applications/${encodeURIComponent(filed.id)}`, class: "reg-number" }, filed.id)],
              ["op.file.queue", String(filed.queue_number ?? "—")],
              ["op.file.consent", bi(filed.service_centre.consent_kk, filed.service_centre.consent_ru)],
            ]),
            h("p", {}, w("op.file.parentSees")),
            packSlot,
          ),
        );
        clear(form.parentNode);
        await showPack(packSlot, filed.id, errors);
      } catch (error) {
        reportError(form, errors, error);
      }
    });
  });
  return form;
}
