// The deployment's settings, from /config.js (window.BALABAQSHA_CONFIG).

const raw = window.BALABAQSHA_CONFIG || {};

export const config = Object.freeze({
  apiBase: String(raw.apiBase || "").replace(/\/+$/, ""),
  ncalayerUrl: raw.ncalayerUrl || "wss://127.0.0.1:13579",
  local: Boolean(raw.local),
});
