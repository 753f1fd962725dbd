// «Хабарламалар» / «Уведомления»: every e-mail and SMS the service sent the parent, newest first,
// the unread ones marked; «оқылды» per notice or for all, and the header's count follows.

import { get, post } from "../api.js";
import { clear, h, w } from "../dom.js";
import { formatDateTime } from "../format.js";
import { busy, showError } from "../ui.js";

const PAGE = 20;

function channels(item) {
  return (item.channels || []).map((c) => h("span", { class: "badge badge-muted notice-channel" }, w(`notices.channel.${c}`)));
}

export async function render(root, _params, ctx) {
  const errors = h("div", { class: "error-slot" });
  const list = h("ol", { class: "notice-list plain-list" });
  const more = h("button", { type: "button", class: "btn btn-outline", hidden: true }, w("notices.more"));
  const allRead = h("button", { type: "button", class: "btn btn-outline btn-small", hidden: true, dataset: { action: "read-all" } }, w("notices.readAll"));
  const count = h("p", { class: "muted", role: "status" });
  let next = null;

  const showCount = (unread) => {
    clear(count).append(unread ? w("notices.unreadCount", { n: unread }) : w("notices.allRead"));
    allRead.hidden = !unread;
    ctx.refreshUnread?.(unread);
  };

  const markRead = async (keys, button) => {
    await busy(button, async () => {
      showError(errors, null);
      try {
        const answer = await post("/notices/read", keys ? { keys } : { all: true });
        for (const li of list.querySelectorAll(".notice-item.unread")) {
          if (!keys || keys.includes(li.dataset.key)) {
            li.classList.remove("unread");
            li.querySelector(".notice-read")?.remove();
            li.querySelector(".notice-new")?.remove();
          }
        }
        showCount(answer.unread);
      } catch (error) {
        showError(errors, error);
      }
    });
  };

  const item = (n) => {
    const read = h("button", { type: "button", class: "btn btn-link btn-small notice-read" }, w("notices.markRead"));
    read.addEventListener("click", () => markRead([n.key], read));
    return h(
      "li",
      { class: `card notice-item${n.read ? "" : " unread"}`, dataset: { key: n.key } },
      h(
        "div",
        { class: "notice-head" },
        n.read ? null : h("span", { class: "badge badge-info notice-new" }, w("notices.new")),
        h("h2", { class: "h4 notice-subject" }, n.subject || w("notices.sms")),
        h("span", { class: "muted notice-at" }, formatDateTime(n.at)),
        channels(n),
      ),
      h("p", { class: "notice-text" }, n.text || ""),
      n.read ? null : read,
    );
  };

  const load = async () => {
    const query = new URLSearchParams({ limit: String(PAGE) });
    if (next) query.set("after", next);
    const answer = await get(`/notices?${query}`);
    list.append(...(answer.items || []).map(item));
    next = answer.next;
    more.hidden = !next;
    showCount(answer.unread);
    if (!list.childElementCount) list.replaceWith(h("p", { class: "card empty muted" }, w("notices.empty")));
  };

  more.addEventListener("click", () =>
    busy(more, async () => {
      try {
        await load();
      } catch (error) {
        showError(errors, error);
      }
    }),
  );
  allRead.addEventListener("click", () => markRead(null, allRead));
  root.append(h("div", { class: "page-head" }, h("h1", {}, w("notices.title")), allRead), count, errors, list, more);
  try {
    await load();
  } catch (error) {
    showError(errors, error);
  }
}
