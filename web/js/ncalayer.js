// Signing XML with the parent's key through NCALayer (the vendored ncalayer-js-client,
// loaded as a classic script that defines window.NCALayerClient).
// Sign-in uses the AUTH key, documents the signing (RSA) key; the key purpose is chosen
// by the certificate's extended key usage, as the KNCA basics module expects.

import { config } from "./config.js";
import { lang } from "./i18n.js";

const CONNECT_TIMEOUT_MS = 15000;

export class SigningError extends Error {
  /** kind: "missing" | "unreachable" | "cancelled" | "failed" */
  constructor(kind, detail = "") {
    super(detail || kind);
    this.name = "SigningError";
    this.kind = kind;
    this.detail = detail;
  }
}

function withTimeout(promise, ms) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new SigningError("unreachable", "timeout")), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

function signerFor(Client, purpose) {
  const base = purpose === "auth" ? Client.basicsSignerAuthPerson : Client.basicsSignerSignPerson;
  // Locally the keys come from a test CA: let NCALayer offer certificates of any chain.
  return config.local ? { ...base, chain: [] } : base;
}

/**
 * Sign `xml` with the parent's AUTH key (purpose "auth") or signing key ("sign").
 * Resolves to the signed XML document; rejects with SigningError.
 */
export async function signXml(xml, purpose) {
  const Client = window.NCALayerClient;
  if (typeof Client !== "function") throw new SigningError("missing");
  const client = new Client(config.ncalayerUrl, false);
  try {
    try {
      await withTimeout(client.connect(), CONNECT_TIMEOUT_MS);
    } catch (error) {
      throw error instanceof SigningError ? error : new SigningError("unreachable", error.message);
    }
    let result;
    try {
      result = await client.basicsSignXML(
        Client.basicsStorageAll,
        xml,
        Client.basicsXMLParams,
        signerFor(Client, purpose),
        lang(),
      );
    } catch (error) {
      if (error && error.canceledByUser) throw new SigningError("cancelled");
      throw new SigningError("failed", error && error.message ? error.message : String(error));
    }
    const signed = Array.isArray(result) ? result[0] : result;
    if (typeof signed !== "string" || !signed) throw new SigningError("failed", "empty signature");
    return signed;
  } finally {
    if (client.wsConnection) {
      try {
        client.wsConnection.close();
      } catch {
        /* already closed */
      }
    }
  }
}
