// The signed-in parent: the session token and who they are, kept for this browser tab only.

const KEY = "balabaqsha.session";

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
