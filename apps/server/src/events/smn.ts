/**
 * SMN's HTTP(S) notification message, signed as SMN signs it (SMN "Message Signature
 * Verification" and its sample code): the string to sign is `message`, `message_id`, `subject`
 * (only when present), `timestamp`, `topic_urn` and `type`, each as its name on one line and its
 * value on the next, every line ending in `\n`; the signature is SHA256withRSA
 * (RSASSA-PKCS1-v1_5) over it, Base64. The key pair is generated at start-up or loaded from a
 * PEM file, and a self-signed X.509 certificate for it is what `signing_cert_url` serves.
 *
 * Node's crypto verifies X.509 certificates but cannot create them; node-forge (pure JS, no
 * dependencies) builds and signs the certificate once, and every message is signed with Node's
 * own crypto.
 */
import {
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPair,
  type KeyObject,
  sign,
  verify,
  X509Certificate,
} from "node:crypto";
import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { promisify } from "node:util";
import { smnStringToSign } from "@cts-csms/client/receiver";
import type { cts } from "@cts-csms/types";

// node-forge (~40 ms to import) and the certificate it signs (~100 ms) are needed only once
// something asks for the certificate: loaded then, not at start-up.
const requireLazily = createRequire(import.meta.url);

export type SmnNotificationMessage = cts.components["schemas"]["SmnNotificationMessage"];

/** The signing identity: a certificate to publish and a way to sign, never the private key. */
export interface SmnSigningKey {
  /** PEM X.509 certificate (self-signed) whose public key verifies the signatures. */
  readonly certificatePem: string;
  /** Base64 SHA256withRSA signature of `data` (UTF-8). */
  sign(data: string): string;
}

const generateRsa = promisify(generateKeyPair);
const CERTIFICATE_DAYS = 3650;

function selfSignedCertificate(privateKey: KeyObject, commonName: string): string {
  const forge = requireLazily("node-forge") as typeof import("node-forge");
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.publicKeyFromPem(
    createPublicKey(privateKey).export({ type: "spki", format: "pem" }).toString(),
  );
  // A positive serial: 16 random bytes with the high bit cleared.
  cert.serialNumber = `7${forge.util.bytesToHex(forge.random.getBytesSync(15))}`;
  const now = Date.now();
  cert.validity.notBefore = new Date(now - 24 * 3600_000);
  cert.validity.notAfter = new Date(now + CERTIFICATE_DAYS * 24 * 3600_000);
  const name = [{ name: "commonName", value: commonName }];
  cert.setSubject(name);
  cert.setIssuer(name);
  cert.sign(
    forge.pki.privateKeyFromPem(privateKey.export({ type: "pkcs8", format: "pem" }).toString()),
    forge.md.sha256.create(),
  );
  return forge.pki.certificateToPem(cert);
}

export interface SmnSigningKeyOptions {
  /** A PEM RSA private key (PKCS#8 or PKCS#1) to sign with; a new 2048-bit key when absent. */
  privateKeyPem?: string;
  /** The certificate's subject and issuer common name. */
  commonName?: string;
}

/** A signing identity from a given RSA key, or a new 2048-bit one. */
export async function createSmnSigningKey(
  options: SmnSigningKeyOptions = {},
): Promise<SmnSigningKey> {
  const privateKey = options.privateKeyPem
    ? createPrivateKey(options.privateKeyPem)
    : (await generateRsa("rsa", { modulusLength: 2048 })).privateKey;
  if (privateKey.asymmetricKeyType !== "rsa") {
    throw new Error("the SMN signing key must be an RSA private key (SHA256withRSA)");
  }
  let certificatePem: string | undefined;
  return Object.freeze({
    get certificatePem() {
      certificatePem ??= selfSignedCertificate(
        privateKey,
        options.commonName ?? "cts-csms-server SMN message signing",
      );
      return certificatePem;
    },
    sign: (data: string) =>
      sign("sha256", Buffer.from(data, "utf8"), privateKey).toString("base64"),
  });
}

/** The signing identity of the key in a PEM file (the server's key-file flag), or a new one. */
export async function loadSmnSigningKey(keyFile?: string): Promise<SmnSigningKey> {
  if (keyFile === undefined) return createSmnSigningKey();
  return createSmnSigningKey({ privateKeyPem: await readFile(keyFile, "utf8") });
}

/** SMN's string to sign: the receiver helpers' own, so signing and verifying cannot drift. */
export { smnStringToSign };

/** SMN's timestamp format: UTC, ISO 8601 to the second (`2024-07-10T09:45:00Z`). */
export function smnTimestamp(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 19)}Z`;
}

/**
 * The URN of a topic's subscription: `{topic_urn}:{32 hex}`, stable for one endpoint of one
 * topic (so receivers see the same value on every message).
 */
export function smnSubscriptionUrn(topicUrn: string, endpoint: string): string {
  const id = createHash("sha256").update(`${topicUrn}\n${endpoint}`).digest("hex").slice(0, 32);
  return `${topicUrn}:${id}`;
}

export interface SmnNotificationInput {
  topicUrn: string;
  subscriptionUrn: string;
  subject?: string;
  message: string;
  /** 32 lower-case hexadecimal characters. */
  messageId: string;
  /** When the message was first sent, in ms. */
  time: number;
  signingCertUrl: string;
  unsubscribeUrl: string;
}

export interface SmnHttpMessage {
  /** The `X-SMN-*` headers, lower-case as SMN's pages ask, plus the content type. */
  headers: Record<string, string>;
  body: SmnNotificationMessage;
}

/** The signed notification one subscription receives, with its headers. */
export function buildSmnNotification(
  input: SmnNotificationInput,
  key: SmnSigningKey,
): SmnHttpMessage {
  const signed: Parameters<typeof smnStringToSign>[0] = {
    message: input.message,
    message_id: input.messageId,
    timestamp: smnTimestamp(input.time),
    topic_urn: input.topicUrn,
    type: "Notification",
  };
  if (input.subject !== undefined) signed.subject = input.subject;
  const body: SmnNotificationMessage = {
    type: "Notification",
    signature: key.sign(smnStringToSign(signed)),
    ...(input.subject === undefined ? {} : { subject: input.subject }),
    topic_urn: input.topicUrn,
    message_id: input.messageId,
    signature_version: "v1",
    message: input.message,
    unsubscribe_url: input.unsubscribeUrl,
    signing_cert_url: input.signingCertUrl,
    timestamp: signed.timestamp,
  };
  return {
    headers: {
      "content-type": "application/json; charset=UTF-8",
      "x-smn-message-type": "Notification",
      "x-smn-message-id": input.messageId,
      "x-smn-topic-urn": input.topicUrn,
      "x-smn-subscription-urn": input.subscriptionUrn,
    },
    body,
  };
}

/** Verifies a notification's SHA256withRSA signature against a PEM certificate (Node's crypto). */
export function verifySmnNotification(
  msg: SmnNotificationMessage,
  certificatePem: string,
): boolean {
  const cert = new X509Certificate(certificatePem);
  try {
    return verify(
      "sha256",
      Buffer.from(smnStringToSign(msg), "utf8"),
      cert.publicKey,
      Buffer.from(msg.signature, "base64"),
    );
  } catch {
    return false;
  }
}
