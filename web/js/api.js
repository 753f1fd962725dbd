// The API client: JSON in and out, the session token, and refusals as ApiError with
// the server's messages in Kazakh and Russian.

import { config } from "./config.js";
import { getSession } from "./session.js";

export class ApiError extends Error {
  constructor({ status = 0, code = "unknown", message = "", messages = null, details = null } = {}) {
    super(message || code);
    this.name = "ApiError";
    this.status = status;
    this.code = code;
    this.messages = messages;
    this.details = details;
  }
}

let onUnauthenticated = null;

/** Called when the server says the session is over (401 on a signed-in request). */
export function setUnauthenticatedHandler(handler) {
  onUnauthenticated = handler;
}

/** The API's refusal in a response, as an ApiError (codes and kk/ru messages kept). */
export async function readError(response) {
  let body = null;
  try {
    body = await response.json();
  } catch {
    body = null;
  }
  const error = body && body.error ? body.error : {};
  return new ApiError({
    status: response.status,
    code: error.code || `http.${response.status}`,
    message: error.message || response.statusText,
    messages: error.messages || null,
    details: error.details ?? null,
  });
}

/** Call the API; resolves to the parsed JSON body, rejects with ApiError. */
export async function api(method, path, body) {
  const session = getSession();
  const headers = { Accept: "application/json" };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  if (session) headers.Authorization = `Bearer ${session.token}`;
  let response;
  try {
    response = await fetch(`${config.apiBase}${path}`, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch (cause) {
    throw new ApiError({ code: "network", message: String(cause) });
  }
  if (!response.ok) {
    const error = await readError(response);
    if (response.status === 401 && session && onUnauthenticated) onUnauthenticated(error);
    throw error;
  }
  if (response.status === 204) return null;
  const textBody = await response.text();
  return textBody ? JSON.parse(textBody) : null;
}

export const get = (path) => api("GET", path);
export const post = (path, body = {}) => api("POST", path, body);
export const put = (path, body = {}) => api("PUT", path, body);

/**
 * Upload one file for `purpose`: ask for a presigned POST, send the file straight to
 * storage, then ask the server to check what arrived (type by content, size).
 */
export async function uploadFile(file, purpose) {
  const slot = await post("/uploads", {
    purpose,
    file_name: file.name,
    content_type: file.type || "application/octet-stream",
    size: file.size,
  });
  const form = new FormData();
  for (const [name, value] of Object.entries(slot.fields || {})) form.append(name, value);
  form.append("file", file);
  let response;
  try {
    response = await fetch(slot.url, { method: "POST", body: form });
  } catch (cause) {
    throw new ApiError({ code: "network", message: String(cause) });
  }
  if (!response.ok) throw await readError(response);
  return post(`/uploads/${encodeURIComponent(slot.upload_id)}/complete`, {});
}
