// Step 2 of the application: the child, the queue and its kindergartens, and a benefit with its scans.

import { biField, clear, h, kgName, uid, w } from "../dom.js";
import { birthDateFromIin, formatDate, iinValid } from "../format.js";
import { uploader } from "../uploads.js";
import { clearFieldError, clearFieldErrors, notice, setFieldError, showError } from "../ui.js";
import { benefits, bound, current, getPath, kindergartens, regions, save, select } from "./state.js";

const MAX_KINDERGARTENS = 3;

function kindergartenCard(kg, onToggle) {
  const state = current();
  const id = uid("kg");
  const index = state.kindergartens.indexOf(kg.id);
  const checked = index >= 0;
  const full = state.kindergartens.length >= MAX_KINDERGARTENS;
  const input = h("input", { id, type: "checkbox", value: kg.id, checked, disabled: !checked && full });
  input.addEventListener("change", () => onToggle(kg.id, input.checked));
  return h(
    "li",
    { class: `kg${checked ? " is-chosen" : ""}` },
    input,
    h(
      "label",
      { for: id, class: "kg-body" },
      h(
        "span",
        { class: "kg-title" },
        kgName(kg),
      ),
      h("span", { class: "kg-address" }, biField(kg, "address")),
      h(
        "span",
        { class: "kg-tags" },
        checked ? h("span", { class: "tag tag-priority" }, w("apply.priority", { n: index + 1 })) : null,
        (kg.languages || []).map((code) => h("span", { class: "tag" }, w(`lang.${code}`))),
        kg.ownership ? h("span", { class: "tag tag-soft" }, w(`own.${kg.ownership}`)) : null,
        kg.min_age_years != null ? h("span", { class: "tag tag-soft" }, w("apply.fromAge", { n: kg.min_age_years })) : null,
      ),
    ),
  );
}

/** Step 2: the child, the queue (region, district, language, up to three kindergartens) and a benefit. */
export async function childStep(root, nav, errors) {
  const state = current();
  let regionList = [];
  let benefitList = [];
  try {
    [regionList, benefitList] = await Promise.all([regions(), benefits()]);
  } catch (error) {
    showError(errors, error);
  }

  const birth = h("p", { class: "hint derived", "aria-live": "polite" });
  const showBirth = () => {
    clear(birth);
    const date = birthDateFromIin(state.child.iin);
    // the birth date is shown (a green hint) only for an IIN that can be real: a wrong check digit says so at once
    if (date && iinValid(state.child.iin)) birth.append(w("apply.childBirth", { date: formatDate(date) }));
    else if (/^\d{12}$/.test(state.child.iin.trim())) birth.append(h("span", { class: "field-error-text" }, w("error.iinChecksum")));
  };
  const childIin = bound("child.iin", "apply.childIin", { required: true, inputmode: "numeric", maxlength: 12, pattern: "\\d{12}" });
  childIin.querySelector("input").addEventListener("input", showBirth);
  childIin.insertBefore(birth, childIin.querySelector(".field-error"));
  showBirth();

  const districtSlot = h("div", { class: "district-slot" });
  const kgSlot = h("div", { class: "kg-slot", "aria-live": "polite" });
  const kgCount = h("p", { class: "kg-count" });
  const kgErrors = h("p", { class: "field-error", hidden: true });

  const drawDistricts = () => {
    clear(districtSlot);
    const region = regionList.find((r) => r.code === state.region);
    const options = (region?.districts || []).map((d) => [d.code, { kk: d.name_kk, ru: d.name_ru }]);
    districtSlot.append(select("district", "apply.district", options, { onchange: drawKindergartens }));
  };

  async function drawKindergartens() {
    clear(kgSlot);
    clear(kgCount);
    if (!state.region || !state.district || !state.language) {
      kgSlot.append(h("p", { class: "muted" }, w("apply.kindergartensFirst")));
      return;
    }
    kgSlot.append(h("p", { class: "progress" }, h("span", { class: "spinner", "aria-hidden": "true" }), w("app.loading")));
    let list;
    try {
      list = await kindergartens(state.region, state.district);
    } catch (error) {
      clear(kgSlot);
      showError(kgSlot, error);
      return;
    }
    const fitting = list.filter((kg) => !kg.languages || kg.languages.includes(state.language));
    const fittingIds = new Set(fitting.map((kg) => kg.id));
    const kept = state.kindergartens.filter((id) => fittingIds.has(id));
    if (kept.length !== state.kindergartens.length) {
      state.kindergartens = kept;
      save();
    }
    clear(kgSlot);
    if (!fitting.length) {
      kgSlot.append(h("p", { class: "muted" }, w("apply.kindergartensNone")));
      return;
    }
    const toggle = (id, on) => {
      if (on && !state.kindergartens.includes(id) && state.kindergartens.length < MAX_KINDERGARTENS) {
        state.kindergartens.push(id);
      } else if (!on) {
        state.kindergartens = state.kindergartens.filter((x) => x !== id);
      }
      save();
      clearFieldError(form.querySelector('[data-field="kindergartens"]'));
      const focused = document.activeElement?.value;
      drawList();
      const again = kgSlot.querySelector(`input[value="${CSS.escape(String(focused ?? ""))}"]`);
      if (again) again.focus();
    };
    const drawList = () => {
      clear(kgSlot);
      clear(kgCount).append(w("apply.chosen", { n: state.kindergartens.length }));
      kgSlot.append(h("ul", { class: "kg-list" }, fitting.map((kg) => kindergartenCard(kg, toggle))));
    };
    drawList();
  }

  const languageBox = h(
    "fieldset",
    { class: "field radio-group", dataset: { field: "language" } },
    h("legend", { class: "label" }, w("apply.language"), h("span", { class: "req", "aria-hidden": "true" }, " *")),
    ["kk", "ru"].map((code) => {
      const id = uid("lang");
      const input = h("input", { id, type: "radio", name: "language", value: code, checked: state.language === code });
      input.addEventListener("change", () => {
        state.language = code;
        save();
        drawKindergartens();
      });
      return h("span", { class: "radio" }, input, h("label", { for: id }, w(`lang.${code}`)));
    }),
    h("p", { class: "field-error", hidden: true }),
  );

  const benefitSlot = h("div", { class: "benefit-slot" });
  let upload = null;
  const drawBenefit = () => {
    clear(benefitSlot);
    upload = null;
    if (!state.has_benefit) return;
    const options = benefitList.map((b) => [b.code, { kk: b.name_kk, ru: b.name_ru }]);
    upload = uploader(state.attachments, () => {
      save();
      clearFieldError(form.querySelector('[data-field="attachments"]'));
    });
    benefitSlot.append(
      notice("warning", w("apply.benefitWarn")),
      select("benefit", "apply.benefitCategory", options),
      upload.element,
    );
  };
  const benefitToggleId = uid("benefit");
  const benefitToggle = h("input", { id: benefitToggleId, type: "checkbox", checked: state.has_benefit });
  benefitToggle.addEventListener("change", () => {
    state.has_benefit = benefitToggle.checked;
    if (!state.has_benefit) {
      state.benefit = "";
      state.attachments = [];
    }
    save();
    drawBenefit();
  });

  const form = h(
    "form",
    { class: "form", novalidate: true },
    h(
      "fieldset",
      { class: "card" },
      h("legend", {}, w("apply.child")),
      h(
        "div",
        { class: "grid-2" },
        childIin,
        bound("child.surname", "apply.surname", { required: true }),
        bound("child.given_name", "apply.givenName", { required: true }),
        bound("child.patronymic", "apply.patronymic", { optional: true }),
      ),
    ),
    h(
      "fieldset",
      { class: "card" },
      h("legend", {}, w("apply.queue")),
      h(
        "div",
        { class: "grid-2" },
        select(
          "region",
          "apply.region",
          regionList.map((r) => [r.code, { kk: r.name_kk, ru: r.name_ru }]),
          {
            onchange: () => {
              state.district = "";
              state.kindergartens = [];
              save();
              drawDistricts();
              drawKindergartens();
            },
          },
        ),
        districtSlot,
      ),
      languageBox,
      h(
        "div",
        { class: "field kg-field", dataset: { field: "kindergartens" } },
        h("div", { class: "kg-head" }, h("span", { class: "label" }, w("apply.kindergartens"), h("span", { class: "req", "aria-hidden": "true" }, " *")), kgCount),
        h("p", { class: "hint" }, w("apply.kindergartensHint")),
        kgErrors,
        kgSlot,
      ),
    ),
    h(
      "fieldset",
      { class: "card" },
      h("legend", {}, w("apply.benefit")),
      h("div", { class: "check" }, benefitToggle, h("label", { for: benefitToggleId }, w("apply.hasBenefit"))),
      benefitSlot,
    ),
    errors,
    h(
      "div",
      { class: "form-actions" },
      h("button", { type: "button", class: "btn btn-outline", dataset: { wizard: "back" }, onclick: () => nav.step(1) }, h("span", { "aria-hidden": "true" }, "← "), w("app.back")),
      h("button", { type: "submit", class: "btn btn-primary" }, w("app.next"), h("span", { "aria-hidden": "true" }, " →")),
    ),
  );

  drawDistricts();
  drawKindergartens();
  drawBenefit();

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    clearFieldErrors(form);
    showError(errors, null);
    let wrong = false;
    const require = (path, message = "error.required") => {
      if (!String(getPath(state, path) || "").trim()) {
        setFieldError(form, path, w(message));
        wrong = true;
      }
    };
    if (!/^\d{12}$/.test(state.child.iin.trim())) {
      setFieldError(form, "child.iin", w(state.child.iin.trim() ? "error.iin" : "error.required"));
      wrong = true;
    } else if (!iinValid(state.child.iin)) {
      setFieldError(form, "child.iin", w("error.iinChecksum"));
      wrong = true;
    }
    require("child.surname");
    require("child.given_name");
    require("region");
    require("district");
    if (!state.kindergartens.length) {
      setFieldError(form, "kindergartens", w("error.kindergartens"));
      wrong = true;
    }
    if (state.has_benefit) {
      require("benefit");
      if (upload && upload.pending()) {
        setFieldError(form, "attachments", w("error.uploadsPending"));
        wrong = true;
      } else if (!state.attachments.length) {
        setFieldError(form, "attachments", w("error.benefitDocs"));
        wrong = true;
      }
    }
    if (wrong) {
      const first = form.querySelector(".has-error input, .has-error select, .has-error");
      if (first) {
        first.scrollIntoView({ block: "center" });
        if (first.focus) first.focus();
      }
      return;
    }
    nav.step(3);
  });
  root.append(form);
}
