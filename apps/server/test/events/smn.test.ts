/** SMN messages: SMN's string to sign, real SHA256withRSA signatures, the webhook schema. */
import { generateKeyPairSync, X509Certificate } from "node:crypto";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  buildSmnNotification,
  createSmnSigningKey,
  loadSmnSigningKey,
  smnStringToSign,
  smnSubscriptionUrn,
  smnTimestamp,
  verifySmnNotification,
} from "../../src/events/smn.js";
import { tempDir } from "../helpers.js";
import { webhookSchema } from "./support.js";

const key = await createSmnSigningKey();
const TOPIC = "urn:smn:regionId:74dc9e44d0cc4573adfce91cdfdd3ba9:xxxx";

function message(subject?: string) {
  return buildSmnNotification(
    {
      topicUrn: TOPIC,
      subscriptionUrn: smnSubscriptionUrn(TOPIC, "http://127.0.0.1:9/smn"),
      message: '{"trace_name":"deleteTracker"}',
      messageId: "88c726942175432bac921eafd0036163",
      time: Date.UTC(2016, 7, 15, 7, 29, 16, 123),
      signingCertUrl: "http://127.0.0.1:8080/_admin/smn/signing-cert.pem",
      unsubscribeUrl: "http://127.0.0.1:8080/_admin/smn/unsubscribe?subscription_urn=x",
      ...(subject === undefined ? {} : { subject }),
    },
    key,
  );
}

describe("SMN string to sign", () => {
  it("is SMN's documented example, byte for byte", () => {
    expect(
      smnStringToSign({
        message: "My test message",
        message_id: "88c726942175432bac921eafd0036163",
        subject: "demo",
        timestamp: "2016-08-15T07:29:16Z",
        topic_urn: TOPIC,
        type: "Notification",
      }),
    ).toBe(
      "message\nMy test message\nmessage_id\n88c726942175432bac921eafd0036163\nsubject\ndemo\ntimestamp\n2016-08-15T07:29:16Z\ntopic_urn\nurn:smn:regionId:74dc9e44d0cc4573adfce91cdfdd3ba9:xxxx\ntype\nNotification\n",
    );
  });

  it("leaves subject out when there is none", () => {
    const s = smnStringToSign({
      message: "m",
      message_id: "i",
      timestamp: "t",
      topic_urn: "u",
      type: "Notification",
    });
    expect(s).toBe("message\nm\nmessage_id\ni\ntimestamp\nt\ntopic_urn\nu\ntype\nNotification\n");
  });

  it("timestamps are UTC to the second", () => {
    expect(smnTimestamp(Date.UTC(2024, 6, 10, 9, 45, 0, 999))).toBe("2024-07-10T09:45:00Z");
  });
});

describe("signed notification", () => {
  const validBody = webhookSchema("smnNotification");

  it("has SMN's headers and body, validates against the webhook schema, and verifies", () => {
    const { headers, body } = message("CTS key event notification: n");
    expect(headers).toEqual({
      "content-type": "application/json; charset=UTF-8",
      "x-smn-message-type": "Notification",
      "x-smn-message-id": "88c726942175432bac921eafd0036163",
      "x-smn-topic-urn": TOPIC,
      "x-smn-subscription-urn": expect.stringMatching(new RegExp(`^${TOPIC}:[0-9a-f]{32}$`)),
    });
    expect(body.timestamp).toBe("2016-08-15T07:29:16Z");
    expect(body.signature_version).toBe("v1");
    expect(validBody(body), JSON.stringify(validBody.errors)).toBe(true);
    expect(verifySmnNotification(body, key.certificatePem)).toBe(true);
    expect(verifySmnNotification(message().body, key.certificatePem)).toBe(true);
  });

  it("fails verification when any signed field is tampered with, or with another certificate", async () => {
    const { body } = message("s");
    for (const field of ["message", "message_id", "subject", "timestamp", "topic_urn"] as const) {
      expect(
        verifySmnNotification({ ...body, [field]: `${body[field]}x` }, key.certificatePem),
        field,
      ).toBe(false);
    }
    expect(
      verifySmnNotification({ ...body, subject: undefined } as never, key.certificatePem),
    ).toBe(false);
    expect(verifySmnNotification({ ...body, signature: "AAAA" }, key.certificatePem)).toBe(false);
    const other = await createSmnSigningKey();
    expect(verifySmnNotification(body, other.certificatePem)).toBe(false);
  });

  it("the certificate is a self-signed X.509 certificate for the signing key", () => {
    const cert = new X509Certificate(key.certificatePem);
    expect(cert.subject).toBe("CN=cts-csms-server SMN message signing");
    expect(cert.verify(cert.publicKey)).toBe(true);
    expect(cert.publicKey.asymmetricKeyType).toBe("rsa");
    expect(new Date(cert.validTo).getTime()).toBeGreaterThan(Date.now() + 365 * 24 * 3600_000);
    // The identity exposes no private key.
    expect(JSON.stringify(key)).not.toContain("PRIVATE");
    expect(Object.keys(key).sort()).toEqual(["certificatePem", "sign"]);
  });

  it("subscription URNs are stable per topic and endpoint", () => {
    expect(smnSubscriptionUrn(TOPIC, "http://a")).toBe(smnSubscriptionUrn(TOPIC, "http://a"));
    expect(smnSubscriptionUrn(TOPIC, "http://a")).not.toBe(smnSubscriptionUrn(TOPIC, "http://b"));
  });
});

describe("key file", () => {
  const dir = tempDir("smn");

  it("loads an RSA key from a PEM file, and refuses other key types", async () => {
    const rsa = generateKeyPairSync("rsa", { modulusLength: 2048 });
    const file = join(dir, "smn.pem");
    writeFileSync(file, rsa.privateKey.export({ type: "pkcs1", format: "pem" }));
    const loaded = await loadSmnSigningKey(file);
    const cert = new X509Certificate(loaded.certificatePem);
    expect(cert.publicKey.export({ type: "spki", format: "pem" })).toBe(
      rsa.publicKey.export({ type: "spki", format: "pem" }),
    );
    const ec = generateKeyPairSync("ec", { namedCurve: "P-256" });
    const ecFile = join(dir, "ec.pem");
    writeFileSync(ecFile, ec.privateKey.export({ type: "pkcs8", format: "pem" }));
    await expect(loadSmnSigningKey(ecFile)).rejects.toThrow(/RSA/);
  });
});
