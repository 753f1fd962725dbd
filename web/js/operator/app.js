// The operators' page (operator.html): sign-in with the operator's EDS, the screens their role
// allows, hash routing (#checks, #reports/<scope>/<kind>/<period> — the link the report e-mail
// carries — …). Same look and words machinery as the parents' pages.

import { post, setUnauthenticatedHandler } from "../api.js";
import { clear, h, icon, w } from "../dom.js";
import { addWords, lang, onLangChange, setLang, t, translate } from "../i18n.js";
import { signXml } from "../ncalayer.js";
import { clearSession, getSession, saveSession } from "../session.js";
import { busy, notice, showError, showStatus } from "../ui.js";
import { OPERATOR_WORDS } from "./words.js";
import * as applications from "./applications.js";
import { areaName, loadRegions } from "./common.js";
import * as checks from "./checks.js";
import * as desk from "./desk.js";
import * as file from "./file.js";
import * as reports from "./reports.js";

addWords(OPERATOR_WORDS);

const main = document.getElementById("main");
const nav = document.getElementById("nav");
const account = document.getElementById("account");

const ED = "education_department";
const SC = "service_center";

// every screen, the roles that may open it (the server refuses the others too)
const SCREENS = [
  { name: "checks", pattern: /^checks$/, page: checks, roles: [ED, SC], title: "op.nav.checks" },
  { name: "applications", pattern: /^applications(?:\/(.+))?$/, page: applications, roles: [ED, SC], title: "op.nav.applications", params: (m) => ({ id: m[1] ? decodeURIComponent(m[1]) : null }) },
  { name: "file", pattern: /^file$/, page: file, roles: [SC], title: "op.nav.file" },
  { name: "overdue", pattern: /^overdue$/, page: desk.overdue, roles: [ED, SC], title: "op.nav.overdue" },
  { name: "vacancies", pattern: /^vacancies$/, page: desk.vacancies, roles: [ED], title: "op.nav.vacancies" },
  { name: "reports", pattern: /^reports(?:\/(.+))?$/, page: reports, roles: [ED], title: "op.nav.reports", params: (m) => ({ id: m[1] ? decodeURIComponent(m[1]) : null }) },
  { name: "dead-letters", pattern: /^dead-letters$/, page: desk.deadLetters, roles: [ED], title: "op.nav.dead" },
];

let flash = null;
let titleKey = "op.title";
let generation = 0;

function role() {
  return getSession()?.person?.role || null;
}

export function go(path) {
  if (location.hash === `#${path}`) route();
  else location.hash = path;
}

function signOut(reasonKey = "op.signedOut") {
  clearSession();
  flash = { kind: "info", key: reasonKey };
  go("signin");
}

function setTitle(key) {
  titleKey = key;
  document.title = `${t(key)} — ${t("app.name")}`;
}

function renderChrome(active) {
  const session = getSession();
  clear(nav);
  clear(account);
  nav.hidden = !session;
  account.hidden = !session;
  if (!session) return;
  const mine = SCREENS.filter((s) => s.roles.includes(role()));
  nav.append(
    h(
      "div",
      { class: "container nav-inner" },
      mine.map((s) =>
        h("a", { href: `#${s.name}`, class: "nav-link", "aria-current": active === s.name ? "page" : null }, w(s.title)),
      ),
    ),
  );
  const person = session.person || {};
  account.append(
    h(
      "div",
      { class: "account-who" },
      h("span", { class: "account-label" }, w(`op.role.${person.role}`), " · ", areaName(person.region, person.district)),
      h("span", { class: "account-name", "data-testid": "person-name" }, person.full_name || ""),
    ),
    h("button", { type: "button", class: "btn btn-outline btn-small", onclick: () => signOut() }, w("nav.signOut")),
  );
}

async function signIn(onStep) {
  onStep("signin.connecting");
  const challenge = await post("/auth/challenge", { audience: "operator" });
  onStep("signin.choose");
  const signed = await signXml(challenge.xml, "auth");
  onStep("signin.checking");
  const result = await post("/auth/sign-in", { signed_xml: signed });
  saveSession({
    token: result.token,
    expires_at: new Date(Date.now() + result.expires_in * 1000).toISOString(),
    person: result.person,
  });
  return result;
}

function renderSignIn(root) {
  const status = h("div", { class: "status-slot", "aria-live": "polite" });
  const errors = h("div", { class: "error-slot" });
  const button = h("button", { type: "button", class: "btn btn-primary btn-large", id: "signin-button" }, icon("key"), w("signin.button"));
  button.addEventListener("click", () =>
    busy(button, async () => {
      showError(errors, null);
      try {
        await signIn((key) => showStatus(status, key));
        showStatus(status, null);
        const after = sessionStorage.getItem("balabaqsha.operator.after");
        sessionStorage.removeItem("balabaqsha.operator.after");
        go(after || firstScreen());
      } catch (error) {
        showStatus(status, null);
        showError(errors, error);
      }
    }),
  );
  root.append(
    h(
      "section",
      { class: "signin" },
      h(
        "div",
        { class: "card signin-card" },
        h("h1", {}, w("op.signin.title")),
        h("p", { class: "lead" }, w("op.signin.lead")),
        errors,
        h("div", { class: "signin-action" }, button),
        status,
        h("div", { class: "signin-notes" }, h("p", { class: "note" }, h("span", { class: "note-icon" }, icon("info")), h("span", {}, w("signin.ncalayer"), " ", w("signin.key")))),
      ),
      h("aside", { class: "signin-aside" }, h("div", { class: "card card-soft" }, h("a", { href: "index.html" }, w("op.signin.parents")))),
    ),
  );
}

function firstScreen() {
  const found = SCREENS.find((s) => s.roles.includes(role()));
  return found ? found.name : "signin";
}

async function route() {
  generation += 1;
  const mine = generation;
  const path = (location.hash.replace(/^#\/?/, "") || "").split("?")[0];
  const session = getSession();
  if (!session && path !== "signin") {
    if (path) sessionStorage.setItem("balabaqsha.operator.after", path);
    go("signin");
    return;
  }
  if (session && (path === "" || path === "signin")) {
    go(firstScreen());
    return;
  }
  let entry = null;
  let match = null;
  for (const screen of SCREENS) {
    match = screen.pattern.exec(path);
    if (match) {
      entry = screen;
      break;
    }
  }
  if (session) await loadRegions();
  if (mine !== generation) return;
  renderChrome(entry && entry.name);
  clear(main);
  if (flash) {
    main.append(notice(flash.kind, w(flash.key)));
    flash = null;
  }
  if (path === "signin") {
    setTitle("op.signin.title");
    renderSignIn(main);
  } else if (!entry) {
    setTitle("app.notFound");
    main.append(h("h1", {}, w("app.notFound")), h("p", {}, w("app.notFoundText")));
  } else if (!entry.roles.includes(role())) {
    setTitle(entry.title);
    main.append(h("h1", {}, w(entry.title)), notice("warning", w("op.notAllowed")));
  } else {
    setTitle(entry.title);
    const container = h("div", { class: "page" });
    main.append(container);
    const current = () => mine === generation;
    await entry.page.render(container, entry.params ? entry.params(match) : {}, {
      go: (to) => current() && go(to),
      role: role(),
      person: session.person,
      current,
    });
    if (!current()) return;
  }
  translate(main);
  const heading = main.querySelector("h1");
  (heading || main).setAttribute("tabindex", "-1");
  (heading || main).focus({ preventScroll: true });
  window.scrollTo(0, 0);
}

function syncLangButtons() {
  for (const button of document.querySelectorAll(".lang-btn")) {
    button.setAttribute("aria-pressed", String(button.dataset.lang === lang()));
  }
}

for (const button of document.querySelectorAll(".lang-btn")) {
  button.addEventListener("click", () => setLang(button.dataset.lang));
}
onLangChange(() => {
  syncLangButtons();
  setTitle(titleKey);
});
setUnauthenticatedHandler(() => signOut("op.expired"));

document.documentElement.lang = lang();
translate(document);
syncLangButtons();
window.addEventListener("hashchange", route);
route();
