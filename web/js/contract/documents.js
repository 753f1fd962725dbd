// Step 5 of the contract: the child's photo, health passport, health certificate (form 063/у) and,
// when there is one, the PMPK conclusion — one JPEG of at most 2 MB each. The browser checks type
// and size before sending the file straight to storage; the server checks the bytes again.

import { put, uploadFile } from "../api.js";
import { clear, h, icon, uid, w } from "../dom.js";
import { formatSize } from "../format.js";
import { busy, clearFieldError, clearFieldErrors, describeError, notice, setFieldError } from "../ui.js";
import { contractPath, showRefusal } from "./common.js";

export const MAX_BYTES = 2 * 1024 * 1024;

const SLOTS = [
  ["photo", "contract.docPhoto", true],
  ["health_passport", "contract.docHealthPassport", true],
  ["health_certificate", "contract.docHealthCertificate", true],
  ["pmpk", "contract.docPmpk", false],
];

/** A saved document as the server gives it (an upload id, or an object with one). */
function savedFile(value) {
  if (!value) return null;
  if (typeof value === "string") return { upload_id: value, name: null, size: null };
  return {
    upload_id: value.upload_id || value.id,
    name: value.file_name || value.name || null,
    size: value.size ?? null,
  };
}

/** Whether the browser may send `file`: the words of the refusal, or null. */
export function jpegProblem(file) {
  const jpegType = file.type ? file.type === "image/jpeg" || file.type === "image/pjpeg" : /\.jpe?g$/i.test(file.name);
  if (!jpegType) return "contract.notJpeg";
  if (file.size > MAX_BYTES) return "contract.tooLarge";
  return null;
}

function slotBox(name, label, required, files, pending) {
  const inputId = uid(name);
  const state = h("div", { class: "doc-slot-state", "aria-live": "polite" });
  const input = h("input", {
    id: inputId,
    type: "file",
    name,
    class: "visually-hidden",
    accept: "image/jpeg,.jpg,.jpeg",
    "aria-describedby": `${inputId}-hint ${inputId}-err`,
  });
  const pick = h("label", { for: inputId, class: "btn btn-outline btn-small file-pick" }, icon("plus"), h("span", { class: "pick-text" }));
  const box = h(
    "div",
    { class: "field doc-slot", dataset: { field: name } },
    h(
      "span",
      { class: "label" },
      w(label),
      required ? h("span", { class: "req", "aria-hidden": "true" }, " *") : h("span", { class: "optional" }, " (", w("contract.docPmpkNote"), ")"),
    ),
    state,
    input,
    h("div", { class: "doc-slot-actions" }, pick),
    h("p", { class: "hint", id: `${inputId}-hint` }, w("contract.fileHint")),
    h("p", { class: "field-error", id: `${inputId}-err`, hidden: true }),
  );

  const draw = () => {
    clear(state);
    const file = files[name];
    const text = pick.querySelector(".pick-text");
    clear(text).append(w(file ? "contract.replace" : "contract.upload"));
    if (!file) return;
    state.append(
      h(
        "div",
        { class: "file" },
        h("span", { class: "file-icon" }, icon("doc")),
        h("span", { class: "file-name" }, file.name || w("contract.savedFile")),
        file.size ? h("span", { class: "file-size" }, formatSize(file.size)) : null,
        h("span", { class: "file-state" }, h("span", { class: "ok" }, "✓ ", w("contract.fileSaved"))),
        file.preview ? h("img", { class: "doc-preview", src: file.preview, alt: file.name || "" }) : null,
        required
          ? null
          : h(
              "button",
              {
                type: "button",
                class: "btn btn-link btn-small",
                onclick: () => {
                  files[name] = null;
                  draw();
                },
              },
              w("apply.remove"),
            ),
      ),
    );
  };

  input.addEventListener("change", async () => {
    const file = input.files[0];
    input.value = "";
    if (!file) return;
    clearFieldError(box);
    const problem = jpegProblem(file);
    if (problem) {
      setFieldError(box.parentElement, name, w(problem));
      return;
    }
    clear(state).append(
      h("p", { class: "progress" }, h("span", { class: "spinner", "aria-hidden": "true" }), file.name, " — ", w("apply.uploading")),
    );
    pending.add(name);
    try {
      const done = await uploadFile(file, "contract");
      files[name] = { upload_id: done.upload_id, name: file.name, size: done.size ?? file.size, preview: URL.createObjectURL(file) };
      draw();
    } catch (error) {
      draw();
      setFieldError(box.parentElement, name, describeError(error));
    } finally {
      pending.delete(name);
    }
  });
  draw();
  return box;
}

/** Step 5: «Құжаттарды жүктеу». */
export function documentsStep(root, wizard) {
  const contract = wizard.contract;
  const saved = (contract.steps && contract.steps.documents) || {};
  const files = Object.fromEntries(SLOTS.map(([name]) => [name, savedFile(saved[name])]));
  const pending = new Set();
  const errors = h("div", { class: "error-slot" });
  const grid = h("div", { class: "grid-2 doc-slots" });
  const form = h(
    "form",
    { class: "form contract-form", novalidate: true },
    h("p", { class: "muted" }, w("contract.docsLead")),
    notice("warning", w("contract.docsWarning")),
    h("section", { class: "card" }, grid),
    errors,
    h(
      "div",
      { class: "form-actions" },
      wizard.backButton(5),
      h("button", { type: "submit", class: "btn btn-primary" }, w("contract.next"), h("span", { "aria-hidden": "true" }, " →")),
    ),
  );
  for (const [name, label, required] of SLOTS) grid.append(slotBox(name, label, required, files, pending));

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const submit = form.querySelector("button[type=submit]");
    busy(submit, async () => {
      clearFieldErrors(form);
      errors.replaceChildren();
      let wrong = false;
      for (const [name, , required] of SLOTS) {
        if (pending.has(name)) wrong = setFieldError(form, name, w("error.uploadsPending")) || wrong;
        else if (required && !files[name]) wrong = setFieldError(form, name, w("contract.docRequired")) || wrong;
      }
      if (wrong) {
        errors.append(notice("error", w("error.fixFields")));
        return;
      }
      const body = Object.fromEntries(SLOTS.map(([name]) => [name, files[name] ? files[name].upload_id : null]));
      try {
        await wizard.accept(await put(`${contractPath(contract.number)}/steps/documents`, body), 5);
      } catch (error) {
        showRefusal(form, errors, error);
      }
    });
  });
  root.append(form);
}
