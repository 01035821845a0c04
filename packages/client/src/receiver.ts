/**
 * `@cts-csms/client/receiver`: helpers for the endpoints that receive what key event
 * notifications and secret events deliver (the specs' webhooks): parse and type an SMN
 * notification, parse the trace or the secret event inside it, verify its signature against the signing certificate, and parse a
 * FunctionGraph CTS trigger event. Web Crypto only (Node 20+ and browsers), no dependencies; a
 * separate entry point, so the API client does not carry it.
 *
 * @example
 * const notification = parseSmnNotification(await request.text());
 * const pem = await (await fetch(notification.signing_cert_url)).text(); // check the URL first
 * if (!(await verifySmnSignature(notification, pem))) throw new Error("bad signature");
 * const trace = parseTraceMessage(notification); // or parseSecretEventMessage, for CSMS
 *
 * @packageDocumentation
 */
import type { csms, cts } from "@cts-csms/types";

type Schemas = cts.components["schemas"];
type CsmsSchemas = csms.components["schemas"];
/** The body SMN POSTs to an HTTP(S) subscription (webhook `smnNotification`). */
export type SmnNotificationMessage = Schemas["SmnNotificationMessage"];
/** A CTS trace, as the `message` of a key event notification carries it. */
export type Trace = Schemas["Trace"];
/** The event a FunctionGraph function gets from its CTS trigger (webhook `functionGraphCtsEvent`). */
export type CtsTriggerEvent = Schemas["CtsTriggerEvent"];

/** What happened to a secret, as the `message` of a secret event's SMN notification (CSMS webhook `secretEventNotification`). */
export type SecretEventMessage = CsmsSchemas["SecretEventMessage"];

type Json = Record<string, unknown>;

function parseBody(body: unknown, what: string): Json {
  let value = body;
  if (typeof body === "string" || body instanceof Uint8Array) {
    const text = typeof body === "string" ? body : new TextDecoder().decode(body);
    try {
      value = JSON.parse(text);
    } catch {
      throw new TypeError(`${what}: the body is not JSON`);
    }
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new TypeError(`${what}: the body is not a JSON object`);
  }
  return value as Json;
}

function requireStrings(obj: Json, keys: readonly string[], what: string): void {
  for (const key of keys) {
    if (typeof obj[key] !== "string") throw new TypeError(`${what}: ${key} must be a string`);
  }
}

/**
 * An SMN notification from its body (text, bytes or parsed JSON). Throws a `TypeError` naming
 * the field when it is not a `Notification` message of signature version `v1`. Does not verify
 * the signature: see {@link verifySmnSignature}.
 */
export function parseSmnNotification(body: unknown): SmnNotificationMessage {
  const what = "SMN notification";
  const msg = parseBody(body, what);
  requireStrings(
    msg,
    [
      "type",
      "signature",
      "topic_urn",
      "message_id",
      "signature_version",
      "message",
      "unsubscribe_url",
      "signing_cert_url",
      "timestamp",
    ],
    what,
  );
  if (msg.type !== "Notification") throw new TypeError(`${what}: type must be Notification`);
  if (msg.signature_version !== "v1") throw new TypeError(`${what}: signature_version must be v1`);
  if (msg.subject !== undefined && typeof msg.subject !== "string") {
    throw new TypeError(`${what}: subject must be a string`);
  }
  return msg as unknown as SmnNotificationMessage;
}

const RATINGS = new Set(["normal", "warning", "incident"]);

function checkTrace(trace: Json, what: string): Trace {
  requireStrings(
    trace,
    ["trace_id", "trace_name", "trace_rating", "trace_type", "service_type", "resource_type"],
    what,
  );
  if (!RATINGS.has(trace.trace_rating as string)) {
    throw new TypeError(`${what}: trace_rating must be normal, warning or incident`);
  }
  for (const key of ["time", "record_time"]) {
    if (typeof trace[key] !== "number") throw new TypeError(`${what}: ${key} must be a number`);
  }
  const user = trace.user as Json | undefined;
  if (typeof user !== "object" || user === null || typeof user.name !== "string") {
    throw new TypeError(`${what}: user.name must be a string`);
  }
  return trace as unknown as Trace;
}

/** The trace a key event notification's `message` carries. Throws a `TypeError` when it is not one. */
export function parseTraceMessage(notification: Pick<SmnNotificationMessage, "message">): Trace {
  return checkTrace(parseBody(notification.message, "trace message"), "trace message");
}

/** Every event type of the generated types: a type added to the spec fails the build here. */
const SECRET_EVENT_TYPES = new Set(
  Object.keys({
    SECRET_VERSION_CREATED: true,
    SECRET_VERSION_EXPIRED: true,
    SECRET_ROTATED: true,
    SECRET_DELETED: true,
    SECRET_ROTATED_FAILED: true,
  } satisfies Record<SecretEventMessage["event_type"], true>),
);

/**
 * The secret event a CSMS event's SMN notification carries in its `message`. Throws a
 * `TypeError` naming the field when it is not one (a CTS trace, for example).
 */
export function parseSecretEventMessage(
  notification: Pick<SmnNotificationMessage, "message">,
): SecretEventMessage {
  const what = "secret event message";
  const event = parseBody(notification.message, what);
  requireStrings(event, ["event_name", "event_type", "secret_name", "secret_type"], what);
  if (!SECRET_EVENT_TYPES.has(event.event_type as string)) {
    throw new TypeError(`${what}: event_type must be one of ${[...SECRET_EVENT_TYPES].join(", ")}`);
  }
  if (typeof event.trigger_time !== "number") {
    throw new TypeError(`${what}: trigger_time must be a number`);
  }
  if (event.version_id !== undefined && typeof event.version_id !== "string") {
    throw new TypeError(`${what}: version_id must be a string`);
  }
  return event as unknown as SecretEventMessage;
}

/** A FunctionGraph CTS trigger event, `{"cts": {…}}`, from its body. */
export function parseCtsTriggerEvent(body: unknown): CtsTriggerEvent {
  const what = "CTS trigger event";
  const event = parseBody(body, what);
  const inner = event.cts;
  if (typeof inner !== "object" || inner === null || Array.isArray(inner)) {
    throw new TypeError(`${what}: cts must be an object`);
  }
  const c = inner as Json;
  requireStrings(
    c,
    ["trace_id", "trace_name", "trace_status", "trace_type", "service_type", "resource_type"],
    what,
  );
  if (!RATINGS.has(c.trace_status as string)) {
    throw new TypeError(`${what}: trace_status must be normal, warning or incident`);
  }
  return event as unknown as CtsTriggerEvent;
}

type SignedFields = Pick<
  SmnNotificationMessage,
  "message" | "message_id" | "subject" | "timestamp" | "topic_urn" | "type"
>;

/**
 * SMN's string to sign for a notification: `message`, `message_id`, `subject` (only when
 * present), `timestamp`, `topic_urn`, `type`, each as its name on one line and its value on the
 * next, every line ending in `\n`.
 */
export function smnStringToSign(msg: SignedFields): string {
  let out = `message\n${msg.message}\nmessage_id\n${msg.message_id}\n`;
  if (msg.subject !== undefined) out += `subject\n${msg.subject}\n`;
  return `${out}timestamp\n${msg.timestamp}\ntopic_urn\n${msg.topic_urn}\ntype\n${msg.type}\n`;
}

// --- X.509, only as far as verification needs: the public key and the signature algorithm ---

interface Tlv {
  tag: number;
  /** Offset of the tag byte. */
  start: number;
  /** Offsets of the content. */
  contentStart: number;
  end: number;
}

function readTlv(der: Uint8Array, offset: number): Tlv {
  const tag = der[offset];
  let length = der[offset + 1];
  if (tag === undefined || length === undefined) throw new TypeError("certificate: truncated DER");
  let contentStart = offset + 2;
  if (length & 0x80) {
    const count = length & 0x7f;
    if (count === 0 || count > 4) throw new TypeError("certificate: unsupported DER length");
    length = 0;
    for (let i = 0; i < count; i++) length = length * 256 + (der[contentStart + i] ?? 0);
    contentStart += count;
  }
  const end = contentStart + length;
  if (end > der.length) throw new TypeError("certificate: truncated DER");
  return { tag, start: offset, contentStart, end };
}

/** The children of a constructed DER value. */
function children(der: Uint8Array, parent: Tlv): Tlv[] {
  const out: Tlv[] = [];
  for (let offset = parent.contentStart; offset < parent.end; ) {
    const child = readTlv(der, offset);
    out.push(child);
    offset = child.end;
  }
  return out;
}

const SEQUENCE = 0x30;
/** The RSASSA-PKCS1-v1_5 signature algorithms' OIDs (1.2.840.113549.1.1.x), DER content in hex. */
const RSA_HASHES: Record<string, string> = {
  "2a864886f70d010105": "SHA-1",
  "2a864886f70d01010b": "SHA-256",
  "2a864886f70d01010c": "SHA-384",
  "2a864886f70d01010d": "SHA-512",
};

function base64Bytes(text: string): Uint8Array<ArrayBuffer> {
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

function hex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

/** The SubjectPublicKeyInfo and the hash of the signature algorithm of a PEM certificate. */
function certificateKey(pem: string): { spki: Uint8Array<ArrayBuffer>; hash: string } {
  const match = /-----BEGIN CERTIFICATE-----([\s\S]+?)-----END CERTIFICATE-----/.exec(pem);
  if (!match) throw new TypeError("certificate: no PEM CERTIFICATE block");
  let der: Uint8Array<ArrayBuffer>;
  try {
    der = base64Bytes((match[1] as string).replace(/\s+/g, ""));
  } catch {
    throw new TypeError("certificate: the PEM block is not Base64");
  }
  const cert = readTlv(der, 0);
  const [tbs, algorithm] = children(der, cert);
  if (cert.tag !== SEQUENCE || tbs?.tag !== SEQUENCE || algorithm?.tag !== SEQUENCE) {
    throw new TypeError("certificate: not an X.509 certificate");
  }
  const fields = children(der, tbs);
  // tbsCertificate: [0] version (optional), serial, signature, issuer, validity, subject, spki.
  const offset = fields[0]?.tag === 0xa0 ? 1 : 0;
  const spki = fields[offset + 5];
  const oid = children(der, algorithm)[0];
  if (spki?.tag !== SEQUENCE || oid?.tag !== 0x06) {
    throw new TypeError("certificate: not an X.509 certificate");
  }
  const hash = RSA_HASHES[hex(der.subarray(oid.contentStart, oid.end))];
  if (!hash) throw new TypeError("certificate: the signature algorithm is not RSA PKCS#1 v1.5");
  return { spki: der.slice(spki.start, spki.end), hash };
}

/**
 * Verifies an SMN notification's `signature` with the public key of the PEM X.509 certificate
 * from its `signing_cert_url` (RSASSA-PKCS1-v1_5 with the certificate's hash, as SMN's sample
 * code does). Resolves `false` for a wrong signature; throws a `TypeError` for a certificate it
 * cannot read. Fetching the certificate, and deciding to trust where it came from, is yours.
 */
export async function verifySmnSignature(
  notification: SignedFields & Pick<SmnNotificationMessage, "signature">,
  certificatePem: string,
): Promise<boolean> {
  const { spki, hash } = certificateKey(certificatePem);
  const subtle = globalThis.crypto?.subtle;
  if (!subtle)
    throw new TypeError("verifySmnSignature needs Web Crypto (globalThis.crypto.subtle)");
  let key: CryptoKey;
  try {
    key = await subtle.importKey("spki", spki, { name: "RSASSA-PKCS1-v1_5", hash }, false, [
      "verify",
    ]);
  } catch {
    throw new TypeError("certificate: the public key is not an RSA key");
  }
  let signature: Uint8Array<ArrayBuffer>;
  try {
    signature = base64Bytes(notification.signature);
  } catch {
    return false;
  }
  const data = new TextEncoder().encode(smnStringToSign(notification));
  return subtle.verify("RSASSA-PKCS1-v1_5", key, signature, data);
}
