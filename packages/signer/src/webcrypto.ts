import type { CryptoBackend } from "./core.js";
import { toHex } from "./encoding.js";

const encoder = new TextEncoder();

/** Imported HMAC keys per SK. Bounded so a verifier seeing many AKs cannot grow it forever. */
const MAX_CACHED_KEYS = 64;
const keyCache = new Map<string, Promise<CryptoKey>>();

function subtle(): SubtleCrypto {
  const s = globalThis.crypto?.subtle;
  if (s === undefined) {
    throw new Error("crypto.subtle is unavailable (needs a secure context or Node >= 20)");
  }
  return s;
}

function hmacKey(secret: string): Promise<CryptoKey> {
  let key = keyCache.get(secret);
  if (key === undefined) {
    if (keyCache.size >= MAX_CACHED_KEYS) {
      const oldest = keyCache.keys().next();
      if (oldest.done !== true) keyCache.delete(oldest.value);
    }
    key = subtle().importKey(
      "raw",
      encoder.encode(secret),
      { name: "HMAC", hash: "SHA-256" },
      false,
      ["sign"],
    );
    keyCache.set(secret, key);
    // A failed import must not be cached; the caller still sees the rejection.
    key.catch(() => keyCache.delete(secret));
  }
  return key;
}

/** Web Crypto backend: runs in browsers, workers, Deno, Bun and Node >= 20. */
export const webCryptoBackend: CryptoBackend = {
  async sha256Hex(data) {
    const bytes = typeof data === "string" ? encoder.encode(data) : data;
    const digest = await subtle().digest("SHA-256", bytes as Uint8Array<ArrayBuffer>);
    return toHex(new Uint8Array(digest));
  },
  async hmacSha256Hex(secret, data) {
    const mac = await subtle().sign("HMAC", await hmacKey(secret), encoder.encode(data));
    return toHex(new Uint8Array(mac));
  },
};
