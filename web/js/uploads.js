// A file picker for benefit scans: each file is uploaded at once and listed with its state.

import { uploadFile } from "./api.js";
import { clear, h, icon, uid, w } from "./dom.js";
import { formatSize } from "./format.js";
import { describeError } from "./ui.js";

/**
 * files: an array of {upload_id, name, size} kept by the caller (mutated in place).
 * onChange(): called when the list changes. Returns {element, pending()}.
 */
export function uploader(files, onChange, { purpose = "benefit", label = "apply.benefitDocs", field = "attachments" } = {}) {
  const inputId = uid("files");
  const list = h("ul", { class: "file-list", "aria-live": "polite" });
  const input = h("input", {
    id: inputId,
    type: "file",
    class: "visually-hidden",
    multiple: true,
    accept: "application/pdf,image/jpeg,image/png",
    "aria-describedby": `${inputId}-hint`,
  });
  let pending = 0;

  function item(entry) {
    const state = h("span", { class: "file-state" });
    const row = h(
      "li",
      { class: "file" },
      h("span", { class: "file-icon" }, icon("doc")),
      h("span", { class: "file-name" }, entry.name),
      h("span", { class: "file-size" }, formatSize(entry.size)),
      state,
    );
    const remove = h(
      "button",
      {
        type: "button",
        class: "btn btn-link btn-small",
        onclick: () => {
          const index = files.indexOf(entry);
          if (index >= 0) files.splice(index, 1);
          row.remove();
          onChange();
        },
      },
      w("apply.remove"),
    );
    return { row, state, remove };
  }

  function draw() {
    clear(list);
    for (const entry of files) {
      const { row, state, remove } = item(entry);
      state.append(h("span", { class: "ok" }, "✓ ", w("apply.uploaded")));
      row.append(remove);
      list.append(row);
    }
  }

  input.addEventListener("change", async () => {
    const chosen = [...input.files];
    input.value = "";
    await Promise.all(
      chosen.map(async (file) => {
        const entry = { upload_id: null, name: file.name, size: file.size };
        const { row, state, remove } = item(entry);
        state.append(h("span", { class: "progress" }, h("span", { class: "spinner", "aria-hidden": "true" }), w("apply.uploading")));
        list.append(row);
        pending += 1;
        try {
          const done = await uploadFile(file, purpose);
          entry.upload_id = done.upload_id;
          entry.size = done.size ?? entry.size;
          files.push(entry);
          clear(state).append(h("span", { class: "ok" }, "✓ ", w("apply.uploaded")));
          row.append(remove);
        } catch (error) {
          row.classList.add("file-failed");
          clear(state).append(h("span", { class: "bad", role: "alert" }, describeError(error)));
          row.append(
            h("button", { type: "button", class: "btn btn-link btn-small", onclick: () => row.remove() }, w("apply.remove")),
          );
        } finally {
          pending -= 1;
          onChange();
        }
      }),
    );
  });

  draw();
  const element = h(
    "div",
    { class: "field uploader", dataset: { field } },
    h("span", { class: "label" }, w(label), h("span", { class: "req", "aria-hidden": "true" }, " *")),
    list,
    input,
    h(
      "label",
      { for: inputId, class: "btn btn-outline btn-small file-pick" },
      icon("plus"),
      w("apply.addFiles"),
    ),
    h("p", { class: "hint", id: `${inputId}-hint` }, w("apply.filesHint")),
    h("p", { class: "field-error", hidden: true }),
  );
  return { element, pending: () => pending };
}
