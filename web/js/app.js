// The page shell: language switch, the signed-in parent's header, and hash routing.

import { get, setUnauthenticatedHandler } from "./api.js";
import { clear, h, w } from "./dom.js";
import { lang, onLangChange, setLang, t, translate } from "./i18n.js";
import { clearSession, getSession } from "./session.js";
import { notice } from "./ui.js";
import * as applicationPage from "./pages/application.js";
import * as contactsPage from "./pages/contacts.js";
import * as contractPage from "./pages/contract.js";
import * as contractsPage from "./pages/contracts.js";
import * as journalPage from "./pages/journal.js";
import * as noticesPage from "./pages/notices.js";
import * as privatePage from "./pages/private.js";
import * as signinPage from "./pages/signin.js";
import * as wizardPage from "./pages/wizard.js";

const main = document.getElementById("main");
const nav = document.getElementById("nav");
const account = document.getElementById("account");

let flash = null;
let cleanup = null;
let titleKey = "app.title";
let generation = 0; // which rendering of a page is current: a page left behind cannot navigate

/** A message shown once, at the top of the next page. */
export function setFlash(kind, key) {
  flash = { kind, key };
}

export function go(path) {
  if (location.hash === `#${path}`) route();
  else location.hash = path;
}

export function signOut(reasonKey = "signin.signedOut") {
  clearSession();
  wizardPage.forget();
  setFlash("info", reasonKey);
  renderChrome();
  go("/signin");
}

const ROUTES = [
  { pattern: /^\/signin$/, page: signinPage, open: true, title: "signin.title" },
  { pattern: /^\/contacts$/, page: contactsPage, title: "contacts.title", contactsPage: true },
  { pattern: /^\/apply$/, page: wizardPage, title: "apply.title", nav: "apply" },
  { pattern: /^\/applications$/, page: journalPage, title: "journal.title", nav: "journal" },
  {
    pattern: /^\/applications\/([^/]+)\/private$/,
    page: privatePage,
    title: "private.choose",
    nav: "journal",
    params: (m) => ({ id: decodeURIComponent(m[1]) }),
  },
  {
    pattern: /^\/applications\/([^/]+)(?:\/(info|position|history|documents))?$/,
    page: applicationPage,
    title: "journal.title",
    nav: "journal",
    params: (m) => ({ id: decodeURIComponent(m[1]), tab: m[2] || "info" }),
  },
  { pattern: /^\/notices$/, page: noticesPage, title: "notices.title", nav: "notices" },
  { pattern: /^\/contracts$/, page: contractsPage, title: "contracts.title", nav: "contracts" },
  {
    pattern: /^\/contracts\/([^/]+)(?:\/(edit|sent))?$/,
    page: contractPage,
    title: "contract.title",
    nav: "contracts",
    params: (m) => ({ number: decodeURIComponent(m[1]), view: m[2] || null }),
  },
];

function currentPath() {
  const path = location.hash.replace(/^#/, "") || "/";
  return path.split("?")[0];
}

function renderChrome(active) {
  const session = getSession();
  clear(nav);
  clear(account);
  nav.hidden = !session || session.needs_contacts;
  account.hidden = !session;
  if (!session) return;
  const links = [
    ["apply", "#/apply", "nav.apply"],
    ["journal", "#/applications", "nav.journal"],
    ["contracts", "#/contracts", "nav.contracts"],
    ["notices", "#/notices", "nav.notices"],
  ];
  nav.append(
    h(
      "div",
      { class: "container nav-inner" },
      links.map(([name, href, key]) =>
        h(
          "a",
          { href, class: "nav-link", "aria-current": active === name ? "page" : null, dataset: { nav: name } },
          w(key),
          name === "notices" ? h("span", { class: "nav-count", hidden: true, dataset: { unread: "" } }) : null,
        ),
      ),
    ),
  );
  if (!session.needs_contacts) refreshUnread();
  const who = h(
    "div",
    { class: "account-who" },
    h("span", { class: "account-label" }, w("nav.account")),
    h("span", { class: "account-name", "data-testid": "person-name" }, session.person?.full_name || ""),
  );
  account.append(who);
  if (!session.needs_contacts) account.append(h("a", { class: "btn btn-link", href: "#/contacts" }, w("nav.contacts")));
  account.append(
    h("button", { type: "button", class: "btn btn-outline btn-small", onclick: () => signOut() }, w("nav.signOut")),
  );
}

/** The header's unread count: `unread` when the page knows it, else one small read of the notices. */
export async function refreshUnread(unread) {
  let count = unread;
  if (count === undefined) {
    try {
      count = (await get("/notices?limit=1")).unread || 0;
    } catch {
      return; // the count stays as it was; the notices page says what went wrong
    }
  }
  const badge = nav.querySelector("[data-unread]");
  if (!badge) return;
  badge.dataset.unread = String(count);
  clear(badge).append(
    h("span", { "aria-hidden": "true" }, String(count)),
    h("span", { class: "visually-hidden" }, w("nav.unread", { n: count })),
  );
  badge.hidden = !count;
}

function setTitle(key) {
  titleKey = key;
  document.title = `${t(key)} — ${t("app.name")}`;
}

async function route() {
  generation += 1;
  const mine = generation;
  if (cleanup) {
    cleanup();
    cleanup = null;
  }
  const path = currentPath();
  const session = getSession();
  if (path === "/") {
    go(session ? (session.needs_contacts ? "/contacts" : "/applications") : "/signin");
    return;
  }
  let match = null;
  let entry = null;
  for (const candidate of ROUTES) {
    match = candidate.pattern.exec(path);
    if (match) {
      entry = candidate;
      break;
    }
  }
  if (entry && !entry.open && !session) {
    sessionStorage.setItem("balabaqsha.after", path);
    go("/signin");
    return;
  }
  if (entry && session && session.needs_contacts && !entry.contactsPage && !entry.open) {
    go("/contacts");
    return;
  }
  if (entry && entry.open && session && path === "/signin") {
    go("/applications");
    return;
  }
  renderChrome(entry && entry.nav);
  clear(main);
  if (flash) {
    main.append(notice(flash.kind, w(flash.key)));
    flash = null;
  }
  if (!entry) {
    setTitle("app.notFound");
    main.append(h("h1", {}, w("app.notFound")), h("p", {}, w("app.notFoundText")));
  } else {
    setTitle(entry.title);
    const params = entry.params ? entry.params(match) : {};
    const container = h("div", { class: "page" });
    main.append(container);
    const current = () => mine === generation;
    const ctx = {
      go: (to) => current() && go(to),
      setFlash: (kind, key) => current() && setFlash(kind, key),
      signOut,
      renderChrome,
      refreshUnread,
    };
    cleanup = (await entry.page.render(container, params, ctx)) || null;
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

setUnauthenticatedHandler(() => signOut("signin.expired"));

document.documentElement.lang = lang();
translate(document);
syncLangButtons();
window.addEventListener("hashchange", route);
route();
