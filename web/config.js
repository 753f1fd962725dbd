// Where the page finds the API and NCALayer. The local stack and each deployment
// replace this file with their own values; this default serves web/ on its own.
window.BALABAQSHA_CONFIG = {
  apiBase: "http://127.0.0.1:8000",
  ncalayerUrl: "wss://127.0.0.1:13579",
  local: false,
};
