// Sign-in with the EDS AUTH key: a one-time challenge from the server, signed in NCALayer.

import { post } from "../api.js";
import { h, icon, w } from "../dom.js";
import { signXml } from "../ncalayer.js";
import { saveSession } from "../session.js";
import { busy, notice, showError, showStatus } from "../ui.js";

export async function signIn(onStep) {
  onStep("signin.connecting");
  const challenge = await post("/auth/challenge", { audience: "parent" });
  onStep("signin.choose");
  const signed = await signXml(challenge.xml, "auth");
  onStep("signin.checking");
  const result = await post("/auth/sign-in", { signed_xml: signed });
  saveSession({
    token: result.token,
    // when the session ends by this browser's clock: the server's clock may differ (a wrong
    // clock here, or the local stack's movable clock), the session's length does not
    expires_at: new Date(Date.now() + result.expires_in * 1000).toISOString(),
    person: result.person,
    needs_contacts: Boolean(result.needs_contacts),
  });
  return result;
}

export function render(root, _params, ctx) {
  const status = h("div", { class: "status-slot", "aria-live": "polite" });
  const errors = h("div", { class: "error-slot" });
  const button = h(
    "button",
    { type: "button", class: "btn btn-primary btn-large", id: "signin-button" },
    icon("key"),
    w("signin.button"),
  );
  button.addEventListener("click", () =>
    busy(button, async () => {
      showError(errors, null);
      try {
        const result = await signIn((key) => showStatus(status, key));
        showStatus(status, null);
        const after = sessionStorage.getItem("balabaqsha.after");
        sessionStorage.removeItem("balabaqsha.after");
        ctx.go(result.needs_contacts ? "/contacts" : after || "/applications");
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
        h("h1", {}, w("signin.title")),
        h("p", { class: "lead" }, w("signin.lead")),
        errors,
        h("div", { class: "signin-action" }, button),
        status,
        h(
          "div",
          { class: "signin-notes" },
          h(
            "p",
            { class: "note" },
            h("span", { class: "note-icon" }, icon("info")),
            h(
              "span",
              {},
              w("signin.ncalayer"),
              " ",
              w("signin.key"),
              " ",
              w("signin.ncalayerGet"),
              " ",
              h("a", { href: "https://ncl.pki.gov.kz/", rel: "noopener", target: "_blank" }, "ncl.pki.gov.kz"),
            ),
          ),
        ),
      ),
      h(
        "aside",
        { class: "signin-aside" },
        notice("warning", h("strong", {}, w("signin.attention")), " ", w("signin.firstTime")),
        h(
          "div",
          { class: "card card-soft" },
          h("h2", { class: "h3" }, w("signin.can")),
          h(
            "ul",
            { class: "check-list" },
            ["nav.apply", "nav.journal", "act.confirm", "act.benefit", "act.withdraw"].map((key) => h("li", {}, w(key))),
          ),
        ),
      ),
    ),
  );
}
