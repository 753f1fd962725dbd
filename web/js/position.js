// The queue position explained (the tab «Кезектегі орны» of an application): the numbers, who is
// ahead in the same district, birth year and language by benefit category, why the number moved
// since the last visit, the number over time as a small inline SVG chart, and the wait (an estimate).

import { get } from "./api.js";
import { bi, h, w } from "./dom.js";
import { formatDate, formatDateTime } from "./format.js";
import { dl } from "./ui.js";

const SVG = "http://www.w3.org/2000/svg";

function svg(tag, attrs = {}, ...children) {
  const el = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attrs)) el.setAttribute(name, String(value));
  for (const child of children) if (child) el.append(child);
  return el;
}

/** The general number over time: one point per day the parent looked, the last one today. */
export function positionChart(points) {
  const width = 480;
  const height = 170;
  const pad = { left: 34, right: 12, top: 12, bottom: 26 };
  const values = points.map((p) => p.general);
  // the vertical scale: the best (smallest) number at the top, one step of room below the largest
  const min = Math.max(1, Math.min(...values));
  const max = Math.max(...values, min) + 1;
  const span = Math.max(1, max - min);
  const x = (i) => pad.left + (points.length === 1 ? (width - pad.left - pad.right) / 2 : (i * (width - pad.left - pad.right)) / (points.length - 1));
  // a smaller number is better: it is drawn higher
  const y = (v) => pad.top + ((v - min) * (height - pad.top - pad.bottom)) / span;
  const chart = svg("svg", { viewBox: `0 0 ${width} ${height}`, class: "position-chart", "aria-hidden": "true", focusable: "false" });
  chart.append(
    svg("line", { x1: pad.left, y1: height - pad.bottom, x2: width - pad.right, y2: height - pad.bottom, class: "axis" }),
    svg("line", { x1: pad.left, y1: pad.top, x2: pad.left, y2: height - pad.bottom, class: "axis" }),
  );
  for (const tick of [...new Set([min, Math.round((min + max - 1) / 2), max - 1])]) {
    const label = svg("text", { x: pad.left - 6, y: y(tick) + 4, class: "tick", "text-anchor": "end" });
    label.textContent = String(tick);
    chart.append(label);
  }
  if (points.length > 1) {
    chart.append(svg("polyline", { points: points.map((p, i) => `${x(i)},${y(p.general)}`).join(" "), class: "line" }));
  }
  points.forEach((p, i) => {
    chart.append(svg("circle", { cx: x(i), cy: y(p.general), r: 4, class: i === points.length - 1 ? "dot dot-now" : "dot" }));
    if (i === 0 || i === points.length - 1) {
      const day = svg("text", { x: x(i), y: height - 8, class: "tick", "text-anchor": points.length === 1 ? "middle" : i === 0 ? "start" : "end" });
      day.textContent = formatDate(p.at);
      chart.append(day);
    }
  });
  const table = h(
    "table",
    { class: "visually-hidden" },
    h("caption", {}, w("position.chart")),
    h("thead", {}, h("tr", {}, h("th", { scope: "col" }, w("view.when")), h("th", { scope: "col" }, w("journal.queue")))),
    h("tbody", {}, points.map((p) => h("tr", {}, h("td", {}, formatDate(p.at)), h("td", {}, String(p.general))))),
  );
  return h("figure", { class: "position-figure" }, h("figcaption", { class: "h4" }, w("position.chart")), chart, table);
}

function reasons(moved) {
  const lines = [];
  if (moved.general_before !== moved.general_now) {
    lines.push(w("position.numberMoved", { before: moved.general_before, now: moved.general_now }));
  }
  if (moved.directed) lines.push(w("position.directed", { n: moved.directed }));
  if (moved.withdrawn) lines.push(w("position.withdrawn", { n: moved.withdrawn }));
  if (moved.removed) lines.push(w("position.removed", { n: moved.removed }));
  if (moved.priority_joined) lines.push(w("position.priorityJoined", { n: moved.priority_joined }));
  if (moved.benefit_approved) lines.push(w("position.benefitApproved"));
  return lines;
}

function aheadTable(body) {
  const rows = (body.ahead || []).filter((row) => row.ahead || row.served_first_behind);
  if (!rows.length) return h("p", { class: "notice notice-success", dataset: { ahead: "none" } }, w("position.nobodyAhead"));
  const name = (row) => (row.category === "none" ? w("apply.noBenefit") : bi(row.name));
  return h(
    "div",
    { class: "table-wrap" },
    h(
      "table",
      { class: "table table-stack position-table" },
      h("caption", { class: "visually-hidden" }, w("position.aheadTitle")),
      h(
        "thead",
        {},
        h(
          "tr",
          {},
          h("th", { scope: "col" }, w("journal.benefit")),
          h("th", { scope: "col", class: "num" }, w("position.registeredEarlier")),
          h("th", { scope: "col", class: "num" }, w("position.servedFirst")),
        ),
      ),
      h(
        "tbody",
        {},
        rows.map((row) =>
          h(
            "tr",
            { dataset: { category: row.category } },
            h("td", { attrs18n: { "data-label": "journal.benefit" } }, name(row)),
            h("td", { class: "num", attrs18n: { "data-label": "position.registeredEarlier" } }, String(row.ahead)),
            h("td", { class: "num", attrs18n: { "data-label": "position.servedFirst" } }, row.served_first_behind ? String(row.served_first_behind) : "—"),
          ),
        ),
      ),
    ),
  );
}

function estimate(body) {
  const e = body.estimate || {};
  const text =
    e.months == null
      ? w("position.noEstimate")
      : h("span", {}, h("strong", { class: "num" }, w("position.months", { n: e.months })), " ", w("position.estimateMark"));
  return h(
    "section",
    { class: "card position-estimate", dataset: { months: e.months ?? "" } },
    h("h2", { class: "h3" }, w("position.waitTitle")),
    h("p", {}, text),
    h("p", { class: "muted small" }, w("position.estimateWhy", { n: e.directions_last_12_months ?? 0, ahead: e.waiting_for ?? 0 })),
  );
}

/** The tab's content for the application `item` (its place names come from the info tab's lookups). */
export async function positionTab(item, names) {
  const body = await get(`/applications/${encodeURIComponent(item.id)}/position`);
  // "not_counted": in the queue, registered before the pools were kept and not backfilled yet
  if (!body.in_queue) return h("p", { class: "muted card" }, w(body.reason === "not_counted" ? "position.notCounted" : "position.notInQueue"));
  const pool = [
    names?.district ? bi(names.district.name_kk, names.district.name_ru) : body.district,
    " · ",
    w("position.cohort", { year: body.cohort }),
    " · ",
    w(`lang.${body.language}`),
  ];
  const moved = body.since_last_visit;
  const lines = moved ? reasons(moved) : [];
  return h(
    "div",
    { class: "position" },
    h(
      "section",
      { class: "card position-numbers" },
      h("h2", { class: "h3" }, w("position.title")),
      dl([
        ["journal.queue", h("strong", { class: "num big-num", dataset: { number: "general" } }, String(body.general))],
        ["journal.benefitQueue", h("strong", { class: "num big-num", dataset: { number: "benefit" } }, body.benefit ?? bi(body.benefit_words))],
      ]),
    ),
    h(
      "section",
      { class: "card position-moved", dataset: { moved: moved ? String(lines.length) : "first" } },
      h("h2", { class: "h3" }, moved ? w("position.sinceVisit", { date: formatDateTime(moved.at) }) : w("position.firstVisitTitle")),
      moved
        ? lines.length
          ? h("ul", { class: "plain-list reasons" }, lines.map((line) => h("li", {}, line)))
          : h("p", {}, w("position.noChange"))
        : h("p", { class: "muted" }, w("position.firstVisit")),
    ),
    h(
      "section",
      { class: "card position-ahead" },
      h("h2", { class: "h3" }, w("position.aheadTitle")),
      h("p", { class: "muted" }, pool),
      h("p", {}, w("position.aheadTotal", { n: body.pool.ahead, size: body.pool.size })),
      aheadTable(body),
      h("p", { class: "muted small" }, w("position.order")),
    ),
    h("section", { class: "card position-history" }, positionChart(body.history || [])),
    estimate(body),
  );
}
