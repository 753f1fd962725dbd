// The benefit-check queue: each claim with its scans shown on the page (fetched with the
// operator's session, never as bare links), approve or refuse with a reason. The decision is a
// statement the server builds; the operator signs it with their EDS in NCALayer and the page sends it.

import { get, post } from "../api.js";
import { bi, clear, h, w } from "../dom.js";
import { formatDate } from "../format.js";
import { signXml } from "../ncalayer.js";
import { busy, field, notice, reportError, showError, showStatus } from "../ui.js";
import { areaName, fetchBlob, head } from "./common.js";

const urls = new Set();

function forget() {
  for (const url of urls) URL.revokeObjectURL(url);
  urls.clear();
}

/** One scan, shown inline: an image as <img>, a PDF in a frame of the page. */
async function showScan(slot, scan) {
  try {
    const blob = await fetchBlob(scan.content);
    const url = URL.createObjectURL(blob);
    urls.add(url);
    clear(slot);
    if (blob.type.startsWith("image/")) {
      slot.append(h("img", { class: "scan-image", src: url, alt: scan.name, "data-testid": "scan" }));
    } else {
      slot.append(h("iframe", { class: "scan-frame", src: url, title: scan.name, "data-testid": "scan" }));
    }
  } catch (error) {
    showError(slot, error);
  }
}

/** The decision statement built by the server, signed in NCALayer with the signing key, sent. */
async function signDecision(id, approve, reason, status) {
  const path = `/operator/benefit-checks/${encodeURIComponent(id)}`;
  const drafted = await post(`${path}/decision-document`, approve ? { approve } : { approve, reason });
  showStatus(status, "op.checks.signing");
  const signed = await signXml(drafted.xml, "sign");
  showStatus(status, "signin.checking");
  try {
    return await post(`${path}/${approve ? "approve" : "refuse"}`, { signed_xml: signed });
  } finally {
    showStatus(status, null);
  }
}

function claimCard(item, onDone) {
  const errors = h("div", { class: "error-slot" });
  const status = h("div", { class: "status-slot", "aria-live": "polite" });
  const scans = h("div", { class: "scans" });
  const docs = item.documents || [];
  if (!docs.length) scans.append(h("p", { class: "muted" }, w("op.checks.noDocuments")));
  docs.forEach((doc, index) => {
    const slot = h("div", { class: "scan" }, h("p", { class: "progress" }, w("op.checks.scanLoading")));
    scans.append(h("figure", { class: "scan-figure" }, slot, h("figcaption", {}, w("op.checks.scan", { n: index + 1 }), ` · ${doc.name}`)));
    showScan(slot, doc);
  });
  const reasonBox = field({ label: "op.checks.reason", name: "reason", field: "reason", hint: "op.checks.reasonHint", required: true, control: h("textarea", { name: "reason", rows: 3, maxlength: 1000 }) });
  const refuseForm = h("form", { class: "refuse-form", hidden: true, novalidate: true }, reasonBox);
  const approve = h("button", { type: "button", class: "btn btn-primary" }, w("op.checks.approve"));
  const refuse = h("button", { type: "button", class: "btn btn-outline-danger" }, w("op.checks.refuse"));
  const confirm = h("button", { type: "submit", class: "btn btn-danger" }, w("op.checks.confirmRefuse"));
  refuseForm.append(h("div", { class: "form-actions" }, confirm));
  const id = item.application_id;
  approve.addEventListener("click", () =>
    busy(approve, async () => {
      showError(errors, null);
      try {
        await signDecision(id, true, null, status);
        onDone("success", "op.checks.approved", { id });
      } catch (error) {
        showStatus(status, null);
        showError(errors, error);
      }
    }),
  );
  refuse.addEventListener("click", () => {
    refuseForm.hidden = false;
    refuseForm.querySelector("textarea").focus();
  });
  refuseForm.addEventListener("submit", (event) => {
    event.preventDefault();
    busy(confirm, async () => {
      const reason = refuseForm.querySelector("textarea").value;
      try {
        await signDecision(id, false, reason, status);
        onDone("info", "op.checks.refused", { id });
      } catch (error) {
        showStatus(status, null);
        reportError(refuseForm, errors, error);
      }
    });
  });
  const benefit = item.benefit || {};
  return h(
    "article",
    { class: "card claim", "data-testid": "claim", "data-application": id },
    h("h2", { class: "h3" }, h("a", { href: `#applications/${encodeURIComponent(id)}`, class: "reg-number" }, id)),
    h(
      "dl",
      { class: "facts" },
      h("div", { class: "fact" }, h("dt", {}, w("op.checks.child")), h("dd", {}, `${item.child.full_name} · ${item.child.iin} · ${formatDate(item.child.birth_date)}`)),
      h("div", { class: "fact" }, h("dt", {}, w("op.checks.applicant")), h("dd", {}, `${item.applicant.full_name} · ${item.applicant.iin}`)),
      h("div", { class: "fact" }, h("dt", {}, w("op.checks.benefit")), h("dd", {}, bi(benefit.name_kk || benefit.code || "—", benefit.name_ru || benefit.code || "—"))),
      h("div", { class: "fact" }, h("dt", {}, w("op.checks.district")), h("dd", {}, areaName(item.region, item.district))),
    ),
    h("h3", { class: "h4" }, w("op.checks.documents")),
    scans,
    errors,
    status,
    h("div", { class: "actions" }, approve, refuse),
    refuseForm,
  );
}

export async function render(root, _params, ctx) {
  forget();
  const messages = h("div", { class: "status-slot", "aria-live": "polite" });
  const list = h("div", { class: "claims" });
  root.append(...head("op.nav.checks", "op.checks.lead"), messages, list);
  const load = async () => {
    clear(list);
    let items = [];
    try {
      items = (await get("/operator/benefit-checks")).items || [];
    } catch (error) {
      showError(messages, error);
      return;
    }
    if (!ctx.current()) return;
    if (!items.length) list.append(h("div", { class: "card empty" }, h("p", {}, w("op.checks.empty"))));
    for (const item of items) {
      list.append(
        claimCard(item, (kind, key, args) => {
          clear(messages).append(notice(kind, w(key, args)));
          load();
        }),
      );
    }
  };
  await load();
  return forget;
}
