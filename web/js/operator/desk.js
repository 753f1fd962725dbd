// The smaller screens: what is overdue now, vacancies published for a kindergarten, dead letters.

import { api, get, post } from "../api.js";
import { bi, clear, h, w } from "../dom.js";
import { formatDateTime } from "../format.js";
import { busy, field, notice, reportError, showError } from "../ui.js";
import { areaName, head, select, table } from "./common.js";

export const overdue = {
  async render(root, _params, ctx) {
    const errors = h("div", { class: "error-slot" });
    const result = h("div", { class: "status-slot", "aria-live": "polite" });
    root.append(...head("op.nav.overdue", "op.overdue.lead"), errors, result);
    let items = [];
    try {
      items = (await get("/operator/overdue")).items || [];
    } catch (error) {
      showError(errors, error);
      return;
    }
    if (!ctx.current()) return;
    if (!items.length) {
      root.append(h("div", { class: "card empty" }, h("p", {}, w("op.overdue.empty"))));
      return;
    }
    // one table per district, the longest late first (the API lists each district by due instant)
    const districts = [...new Set(items.map((i) => i.district))];
    for (const district of districts) {
      const own = items.filter((i) => i.district === district);
      root.append(
        h("section", { class: "card", "data-testid": "overdue-district", "data-district": district },
          h("h2", {}, areaName(own[0].region || null, district), " ", h("span", { class: "badge badge-danger" }, String(own.length))),
          table(
            "op.overdue.caption",
            [
              ["op.app.number", (i) => h("a", { href: `#applications/${encodeURIComponent(i.application_id)}`, class: "reg-number" }, i.application_id)],
              ["op.overdue.step", (i) => h("span", {}, bi(i.step_name.kk, i.step_name.ru), h("br"), h("small", { class: "muted" }, w("op.overdue.where", { table: i.table, number: i.number }), " (", bi(i.actor_words || { kk: i.actor, ru: i.actor }), ")"))],
              ["op.overdue.limit", (i) => bi(i.limit_words || { kk: i.limit, ru: i.limit })],
              ["op.overdue.started", (i) => formatDateTime(i.started_at)],
              ["op.overdue.due", (i) => formatDateTime(i.due_at)],
              ["op.overdue.late", (i) => h("span", { class: "badge badge-danger" }, lateness(i.overdue_minutes))],
              ["op.overdue.action", (i) => (i.step === "desk.hand_over" ? handOverButton(i, errors, result) : "—")],
            ],
            own,
            { "data-testid": "overdue" },
          ),
        ),
      );
    }
  },
};

/** The desk says the parent got the printed result: the hand-over step ends and its row goes. */
function handOverButton(item, errors, result) {
  const button = h("button", { type: "button", class: "btn btn-primary btn-small", "data-testid": "hand-over" }, w("op.overdue.handOver"));
  button.addEventListener("click", () =>
    busy(button, async () => {
      clear(errors);
      try {
        await post(`/operator/service-centre/applications/${encodeURIComponent(item.application_id)}/hand-over`, {});
        clear(result).append(notice("success", w("op.overdue.handedOver", { id: item.application_id })));
        const row = button.closest("tr");
        const section = button.closest("section");
        row.remove();
        if (section && !section.querySelector("tbody tr")) section.remove();
      } catch (error) {
        showError(errors, error);
      }
    }),
  );
  return button;
}

/** How late a step is: «2 күн 3 сағ» / «2 дн. 3 ч», «1 сағ 5 мин», «7 мин». */
function lateness(minutes) {
  const days = Math.floor(minutes / 1440);
  const hours = Math.floor((minutes % 1440) / 60);
  if (days) return w("op.overdue.days", { d: days, h: hours });
  if (hours) return w("op.overdue.hours", { h: hours, m: minutes % 60 });
  return w("op.overdue.minutes", { m: minutes });
}

export const vacancies = {
  async render(root, _params, ctx) {
    const errors = h("div", { class: "error-slot" });
    const result = h("div", { class: "status-slot", "aria-live": "polite" });
    root.append(...head("op.nav.vacancies", "op.vac.lead"), errors);
    let kindergartens = [];
    try {
      kindergartens = (await get("/operator/kindergartens")).items || [];
    } catch (error) {
      showError(errors, error);
      return;
    }
    if (!ctx.current()) return;
    const named = (k, name) => (k.number != null && !name.includes("№") ? `№ ${k.number} ${name}` : name);
    const kg = select("kindergarten_id", [["", "op.vac.choose"], ...kindergartens.map((k) => [k.id, { kk: named(k, k.name_kk), ru: named(k, k.name_ru) }])], "");
    const group = select("group_id", [["", "op.vac.choose"]], "");
    const seats = h("input", { name: "seats", type: "number", min: 1, max: 1000, value: "1", inputmode: "numeric" });
    kg.addEventListener("change", () => {
      clear(group).append(h("option", { value: "", i18n: "op.vac.choose" }));
      const found = kindergartens.find((k) => k.id === kg.value);
      for (const g of found ? found.groups : []) group.append(h("option", { value: g.id, bi: { kk: g.name_kk, ru: g.name_ru } }));
    });
    const submit = h("button", { type: "submit", class: "btn btn-primary" }, w("op.vac.publish"));
    const form = h(
      "form",
      { class: "card vacancy-form", novalidate: true },
      h(
        "div",
        { class: "form-row" },
        field({ label: "op.vac.kindergarten", name: "kindergarten_id", control: kg, required: true }),
        field({ label: "op.vac.group", name: "group_id", control: group, required: true }),
        field({ label: "op.vac.seats", name: "seats", control: seats, required: true }),
      ),
      h("div", { class: "form-actions" }, submit),
    );
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      busy(submit, async () => {
        showError(errors, null);
        try {
          const published = await post("/operator/vacancies", { kindergarten_id: kg.value, group_id: group.value, seats: Number(seats.value) });
          const issued = published.seats.filter((s) => s.direction_number).length;
          clear(result).append(
            notice("success", w("op.vac.published", { n: published.seats.length, d: issued })),
            table(
              "op.vac.caption",
              [
                ["op.vac.seat", (s) => h("span", { class: "mono" }, s.seat_id)],
                ["op.vac.status", (s) => w(`op.vac.seat.${s.status}`)],
                ["op.vac.direction", (s) => s.direction_number || "—"],
              ],
              published.seats,
            ),
          );
        } catch (error) {
          reportError(form, errors, error);
        }
      });
    });
    root.append(form, result);
  },
};

export const deadLetters = {
  async render(root, _params, ctx) {
    const errors = h("div", { class: "error-slot" });
    const messages = h("div", { class: "status-slot", "aria-live": "polite" });
    const list = h("div");
    root.append(...head("op.nav.dead", "op.dead.lead"), messages, errors, list);
    const load = async () => {
      clear(list);
      let items = [];
      try {
        items = (await get("/operator/jobs/dead-letters")).items || [];
      } catch (error) {
        showError(errors, error);
        return;
      }
      if (!ctx.current()) return;
      if (!items.length) {
        list.append(h("div", { class: "card empty" }, h("p", {}, w("op.dead.empty"))));
        return;
      }
      list.append(
        table(
          "op.dead.caption",
          [
            ["op.dead.kind", (j) => h("span", { class: "mono" }, j.kind)],
            ["op.dead.subject", (j) => j.subject || "—"],
            ["op.dead.attempts", (j) => String(j.attempts)],
            ["op.dead.error", (j) => h("span", { class: "dead-error" }, j.last_error || "—")],
            ["op.dead.at", (j) => formatDateTime(j.dead_at)],
            [
              "op.dead.replay",
              (j) => {
                const button = h("button", { type: "button", class: "btn btn-outline btn-small" }, w("op.dead.replay"));
                button.addEventListener("click", () =>
                  busy(button, async () => {
                    try {
                      await api("POST", `/operator/jobs/dead-letters/${encodeURIComponent(j.id)}/replay`, {});
                      clear(messages).append(notice("success", w("op.dead.replayed", { id: j.id })));
                      await load();
                    } catch (error) {
                      showError(errors, error);
                    }
                  }),
                );
                return button;
              },
            ],
          ],
          items,
          { "data-testid": "dead-letters" },
        ),
      );
    };
    await load();
  },
};
