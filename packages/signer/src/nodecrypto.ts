import { createHash, createHmac, createSecretKey, type KeyObject } from "node:crypto";
import type { CryptoBackend } from "./core.js";

/** KeyObjects per SK, so the key is not re-encoded for every signature. Bounded like the web one. */
const MAX_CACHED_KEYS = 64;
const keyCache = new Map<string, KeyObject>();

function hmacKey(secret: string): KeyObject {
  let key = keyCache.get(secret);
  if (key === undefined) {
    if (keyCache.size >= MAX_CACHED_KEYS) {
      const oldest = keyCache.keys().next();
      if (oldest.done !== true) keyCache.delete(oldest.value);
    }
    key = createSecretKey(Buffer.from(secret, "utf8"));
    keyCache.set(secret, key);
  }
  return key;
}

/**
 * Synchronous `node:crypto` backend. Web Crypto in Node pays a thread-pool round trip per
 * operation (~40 µs), several times the whole signature; this avoids it.
 */
export const nodeCryptoBackend: CryptoBackend = {
  sha256Hex(data) {
    return createHash("sha256").update(data).digest("hex");
  },
  hmacSha256Hex(secret, data) {
    return createHmac("sha256", hmacKey(secret)).update(data).digest("hex");
  },
};
