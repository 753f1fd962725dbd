// A private kindergarten under the state educational order (seed 002): the list of state-order
// vacancies for the child (filtered by district and language), the warning that the child leaves
// the city queue without keeping its number, the signature with the signing key, the direction.

import { get, post } from "../api.js";
import { bi, biField, clear, h, icon, kgName, uid, w } from "../dom.js";
import { formatDate } from "../format.js";
import { signXml } from "../ncalayer.js";
import { busy, dl, field, notice, showError, showStatus } from "../ui.js";

const path = (id) => `/applications/${encodeURIComponent(id)}`;

function optionCard(option, chosen, onChoose) {
  const kg = option.kindergarten;
  const id = uid("private");
  const value = `${kg.id}|${option.language}`;
  const input = h("input", { id, type: "radio", name: "private-kindergarten", value, checked: chosen === value });
  input.addEventListener("change", () => onChoose(value));
  return h(
    "li",
    { class: `kg${chosen === value ? " is-chosen" : ""}`, dataset: { kindergarten: kg.id, language: option.language } },
    input,
    h(
      "label",
      { for: id, class: "kg-body" },
      h("span", { class: "kg-title" }, kgName(kg)),
      h("span", { class: "kg-address" }, biField(kg, "address")),
      option.group ? h("span", { class: "kg-group" }, biField(option.group, "name")) : null,
      h(
        "span",
        { class: "kg-tags" },
        h("span", { class: "tag tag-language" }, w(`lang.${option.language}`)),
        h("span", { class: "tag tag-soft" }, biField(option, "district_name")),
        h("span", { class: "tag tag-seats" }, w("private.seats", { n: option.free_seats })),
      ),
    ),
  );
}

function successView(root, result) {
  const direction = result.private_direction;
  const doc = direction.document;
  root.append(
    h(
      "section",
      { class: "card success", role: "status" },
      h("div", { class: "success-mark", "aria-hidden": "true" }, "✓"),
      h("h2", {}, w("private.success")),
      h("p", { class: "big-number" }, w("private.successNumber", { n: direction.number })),
      dl([
        ["dir.kindergarten", kgName(direction.kindergarten)],
        ["dir.number", h("strong", { class: "mono" }, direction.number)],
        ["apply.language", w(`lang.${direction.language}`)],
        direction.group ? ["private.group", biField(direction.group, "name")] : null,
        ["private.bringBy", w("dir.until", { date: formatDate(direction.valid_until) })],
        ["journal.status", bi(result.status_kk, result.status_ru)],
      ]),
      h("div", { class: "success-note" }, notice("info", w("private.leftQueue"))),
      h(
        "div",
        { class: "docs" },
        h("h3", {}, w("apply.documents")),
        h(
          "ul",
          { class: "doc-list" },
          h(
            "li",
            {},
            h("span", { class: "doc-icon" }, icon("doc")),
            h("span", { class: "doc-title" }, bi(doc.title_kk, doc.title_ru)),
            // made by a job of the choice within seconds: the documents tab shows it when it is there
            doc.url
              ? h("a", { class: "btn btn-outline btn-small", href: doc.url, target: "_blank", rel: "noopener", download: "" }, w("view.download"))
              : h("span", { class: "muted", role: "status", dataset: { document: "preparing" } }, h("span", { class: "spinner", "aria-hidden": "true" }), w("view.docsPreparing")),
          ),
        ),
      ),
      h(
        "div",
        { class: "form-actions" },
        h("a", { class: "btn btn-outline", href: "#/applications" }, w("nav.journal")),
        h("a", { class: "btn btn-primary", href: `#${path(result.id)}/documents` }, w("apply.open")),
      ),
    ),
  );
}

export async function render(root, params) {
  const errors = h("div", { class: "error-slot" });
  root.append(
    h("p", { class: "crumbs" }, h("a", { href: `#${path(params.id)}` }, "← ", w("view.backToApplication"))),
    h("h1", {}, w("private.title")),
    errors,
  );
  let item;
  let first;
  try {
    [item, first] = await Promise.all([get(path(params.id)), get(`${path(params.id)}/private-options`)]);
  } catch (error) {
    root.append(notice("info", w("private.unavailable")));
    showError(errors, error);
    return;
  }
  let regions = [];
  try {
    regions = await get("/reference/regions");
  } catch {
    /* the district filter then offers the districts found in the list */
  }
  const region = regions.find((r) => r.code === item.region);
  const districts = region?.districts?.length
    ? region.districts.map((d) => [d.code, { kk: d.name_kk, ru: d.name_ru }])
    : [...new Map(first.items.map((o) => [o.district, { kk: o.district_name_kk, ru: o.district_name_ru }]))];

  const filters = { district: "", language: "" };
  let chosen = "";
  let options = first.items;

  const head = h(
    "div",
    { class: "app-meta private-meta" },
    h("span", { class: "mono" }, item.registration_number),
    h("span", { class: "meta" }, item.child?.full_name || "", " · ", formatDate(item.child?.birth_date)),
  );
  const warning = notice(
    "warning",
    h("strong", { class: "notice-title" }, w("private.attention")),
    h("p", {}, bi(first.warning_kk, first.warning_ru)),
  );
  const conditions = h(
    "section",
    { class: "card card-soft private-conditions" },
    h("p", {}, w("private.conditions")),
    h("ul", { class: "check-list" }, ["private.condQueue", "private.condAge", "private.condSeats"].map((key) => h("li", {}, w(key)))),
  );

  const filterSelect = (name, label, allKey, values) => {
    const control = h(
      "select",
      { id: uid(name), name },
      h("option", { value: "", i18n: allKey }),
      values.map(([value, text]) => h("option", { value, ...(typeof text === "object" ? { bi: text } : { i18n: text }) })),
    );
    control.addEventListener("change", () => {
      filters[name] = control.value;
      reload();
    });
    return field({ label, name, field: name, control });
  };
  const filterBox = h(
    "fieldset",
    { class: "card private-filters" },
    h("legend", {}, w("private.filters")),
    h(
      "div",
      { class: "grid-2" },
      filterSelect("district", "apply.district", "private.allDistricts", districts),
      filterSelect("language", "apply.language", "private.allLanguages", [
        ["kk", "lang.kk"],
        ["ru", "lang.ru"],
      ]),
    ),
  );

  const list = h("div", { class: "private-list", "aria-live": "polite" });
  const listErrors = h("div", { class: "error-slot" });
  const choose = (value) => {
    chosen = value;
    drawList();
    const again = list.querySelector(`input[value="${CSS.escape(value)}"]`);
    if (again) again.focus();
  };
  function drawList() {
    clear(list);
    if (!options.length) {
      list.append(h("p", { class: "muted card" }, w("private.none")));
      return;
    }
    list.append(h("ul", { class: "kg-list" }, options.map((option) => optionCard(option, chosen, choose))));
  }
  let loading = 0;
  async function reload() {
    loading += 1;
    const mine = loading;
    showError(listErrors, null);
    const query = new URLSearchParams(Object.entries(filters).filter(([, v]) => v));
    try {
      const qs = query.toString();
      const answer = await get(`${path(item.id)}/private-options${qs ? `?${qs}` : ""}`);
      if (mine !== loading) return;
      options = answer.items || [];
      if (!options.some((o) => `${o.kindergarten.id}|${o.language}` === chosen)) chosen = "";
      drawList();
    } catch (error) {
      if (mine === loading) showError(listErrors, error);
    }
  }

  const ackId = uid("ack");
  const ack = h("input", { id: ackId, type: "checkbox", name: "acknowledged" });
  const ackError = h("p", { class: "field-error", hidden: true });
  ack.addEventListener("change", () => {
    ackError.hidden = true;
    ackBox.classList.remove("has-error");
  });
  const ackBox = h(
    "div",
    { class: "check private-ack", dataset: { field: "acknowledged" } },
    ack,
    h("label", { for: ackId }, w("private.acknowledge")),
    ackError,
  );
  const status = h("div", { class: "status-slot", "aria-live": "polite" });
  const sendErrors = h("div", { class: "error-slot" });
  const send = h("button", { type: "button", class: "btn btn-primary btn-large" }, icon("pen"), w("apply.sign"));
  send.addEventListener("click", () =>
    busy(send, async () => {
      showError(sendErrors, null);
      if (!chosen) {
        sendErrors.append(notice("error", w("private.pick")));
        return;
      }
      if (!ack.checked) {
        clear(ackError).append(w("private.ackRequired"));
        ackError.hidden = false;
        ackBox.classList.add("has-error");
        ack.focus();
        return;
      }
      const [kindergartenId, language] = chosen.split("|");
      try {
        showStatus(status, "private.preparing");
        const draft = await post(`${path(item.id)}/private/draft`, {
          kindergarten_id: kindergartenId,
          language,
          acknowledged: true,
        });
        showStatus(status, "apply.chooseSign");
        const signed = await signXml(draft.xml, "sign");
        showStatus(status, "private.sending");
        const result = await post(`${path(item.id)}/private`, { signed_xml: signed });
        showStatus(status, null);
        clear(root);
        root.append(h("h1", {}, w("private.title")));
        successView(root, result);
        const heading = root.querySelector(".success h2");
        if (heading) {
          heading.setAttribute("tabindex", "-1");
          heading.focus();
        }
      } catch (error) {
        showStatus(status, null);
        showError(sendErrors, error);
        if (error && error.code === "private.no_vacancy") reload();
      }
    }),
  );

  drawList();
  root.append(
    head,
    warning,
    conditions,
    filterBox,
    h("section", { class: "private-options" }, h("h2", { class: "h3" }, w("private.list")), notice("info", w("private.note")), listErrors, list),
    h("section", { class: "card private-confirm" }, ackBox, sendErrors, status, h("div", { class: "form-actions" }, h("a", { class: "btn btn-outline", href: `#${path(item.id)}` }, w("app.cancel")), send)),
  );
}
