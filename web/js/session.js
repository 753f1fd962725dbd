// The signed-in person: the session token and who they are, kept for this browser tab only.
// The operators' page (operator.html, <html data-app="operator">) keeps its own session, so a
// parent's and an operator's sign-in in one tab never meet.

const KEY = document.documentElement.dataset.app === "operator" ? "balabaqsha.operator" : "balabaqsha.session";

export function getSession() {
  let session = null;
  try {
    session = JSON.parse(sessionStorage.getItem(KEY) || "null");
  } catch {
    session = null;
  }
  if (!session || !session.token) return null;
  if (session.expires_at && new Date(session.expires_at).getTime() <= Date.now()) {
    clearSession();
    return null;
  }
  return session;
}

export function saveSession(session) {
  sessionStorage.setItem(KEY, JSON.stringify(session));
}

export function updateSession(changes) {
  const session = getSession();
  if (session) saveSession({ ...session, ...changes });
}

export function clearSession() {
  sessionStorage.removeItem(KEY);
}
