/**
 * Receiver helpers (`@cts-csms/client/receiver`). The fixture holds messages really signed by
 * the reference server's SMN signer (public certificates only); the contract tests also verify
 * messages the server signs and delivers live.
 */

import { X509Certificate } from "node:crypto";
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import {
  parseCtsTriggerEvent,
  parseSecretEventMessage,
  parseSmnNotification,
  parseTraceMessage,
  smnStringToSign,
  verifySmnSignature,
} from "../src/receiver.js";

const fixture = JSON.parse(
  readFileSync(new URL("./fixtures/smn-signed.json", import.meta.url), "utf8"),
);
const body = JSON.stringify(fixture.withSubject);

describe("parseSmnNotification", () => {
  it("parses text, bytes or an object into a typed notification", () => {
    const fromText = parseSmnNotification(body);
    expect(fromText).toEqual(fixture.withSubject);
    expect(parseSmnNotification(new TextEncoder().encode(body))).toEqual(fromText);
    expect(parseSmnNotification(fixture.withoutSubject).subject).toBeUndefined();
  });

  it("rejects what is not an SMN v1 notification, naming the field", () => {
    expect(() => parseSmnNotification("{nope")).toThrow("SMN notification: the body is not JSON");
    expect(() => parseSmnNotification("[]")).toThrow("not a JSON object");
    expect(() =>
      parseSmnNotification({ ...fixture.withSubject, type: "SubscriptionConfirmation" }),
    ).toThrow("type must be Notification");
    expect(() => parseSmnNotification({ ...fixture.withSubject, signature_version: "v2" })).toThrow(
      "signature_version",
    );
    const { signing_cert_url: _, ...noCert } = fixture.withSubject;
    expect(() => parseSmnNotification(noCert)).toThrow("signing_cert_url must be a string");
    expect(() => parseSmnNotification({ ...fixture.withSubject, subject: 1 })).toThrow(
      "subject must be a string",
    );
  });
});

describe("parseTraceMessage", () => {
  it("returns the trace the message carries", () => {
    const trace = parseTraceMessage(parseSmnNotification(body));
    expect(trace).toMatchObject({
      trace_name: "deleteTracker",
      service_type: "CTS",
      user: { name: "test1" },
    });
  });

  it("rejects a message that is not a trace", () => {
    expect(() => parseTraceMessage({ message: "hello" })).toThrow(
      "trace message: the body is not JSON",
    );
    const trace = JSON.parse(fixture.withSubject.message);
    expect(() =>
      parseTraceMessage({ message: JSON.stringify({ ...trace, trace_rating: "bad" }) }),
    ).toThrow("trace_rating");
    expect(() => parseTraceMessage({ message: JSON.stringify({ ...trace, user: {} }) })).toThrow(
      "user.name",
    );
    expect(() => parseTraceMessage({ message: JSON.stringify({ ...trace, time: "now" }) })).toThrow(
      "time must be a number",
    );
  });
});

describe("parseSecretEventMessage", () => {
  const event = {
    event_name: "rotation",
    event_type: "SECRET_ROTATED",
    secret_name: "db-password",
    secret_type: "COMMON",
    version_id: "v2",
    trigger_time: 1581507580000,
  };

  it("returns the secret event the message carries", () => {
    expect(parseSecretEventMessage({ message: JSON.stringify(event) })).toEqual(event);
    const { version_id: _, ...deleted } = { ...event, event_type: "SECRET_DELETED" };
    expect(parseSecretEventMessage({ message: JSON.stringify(deleted) })).toEqual(deleted);
  });

  it("rejects a message that is not a secret event, naming the field", () => {
    // A real key event notification's message (a trace) is not one.
    expect(() => parseSecretEventMessage(parseSmnNotification(body))).toThrow(
      "secret event message: event_name must be a string",
    );
    expect(() =>
      parseSecretEventMessage({ message: JSON.stringify({ ...event, event_type: "ROTATED" }) }),
    ).toThrow("event_type must be one of SECRET_VERSION_CREATED");
    expect(() =>
      parseSecretEventMessage({ message: JSON.stringify({ ...event, trigger_time: "now" }) }),
    ).toThrow("trigger_time must be a number");
    expect(() =>
      parseSecretEventMessage({ message: JSON.stringify({ ...event, version_id: 2 }) }),
    ).toThrow("version_id must be a string");
    expect(() => parseSecretEventMessage({ message: "[]" })).toThrow("not a JSON object");
  });
});

describe("parseCtsTriggerEvent", () => {
  const event = {
    cts: {
      time: 1,
      user: { name: "u" },
      request: {},
      response: {},
      code: 204,
      service_type: "CTS",
      resource_type: "tracker",
      trace_name: "deleteTracker",
      trace_type: "ApiCall",
      record_time: 2,
      trace_id: "6d4a09bb-aa8e-40db-9e87-0d5e203823a8",
      trace_status: "normal",
    },
  };
  it("parses FunctionGraph's {cts} event", () => {
    expect(parseCtsTriggerEvent(JSON.stringify(event))).toEqual(event);
  });
  it("rejects other shapes", () => {
    expect(() => parseCtsTriggerEvent({ trace: {} })).toThrow("cts must be an object");
    expect(() => parseCtsTriggerEvent({ cts: { ...event.cts, trace_status: "ok" } })).toThrow(
      "trace_status",
    );
  });
});

describe("verifySmnSignature", () => {
  it("accepts messages signed by the server's SMN signer, with and without subject", async () => {
    expect(await verifySmnSignature(parseSmnNotification(body), fixture.certificate)).toBe(true);
    expect(await verifySmnSignature(fixture.withoutSubject, fixture.certificate)).toBe(true);
  });

  it("rejects a tampered body, a wrong certificate and a malformed signature", async () => {
    const good = fixture.withSubject;
    for (const field of ["message", "message_id", "subject", "timestamp", "topic_urn"]) {
      expect(
        await verifySmnSignature({ ...good, [field]: `${good[field]} ` }, fixture.certificate),
        field,
      ).toBe(false);
    }
    const tamperedTrace = good.message.replace('"deleteTracker"', '"createTracker"');
    expect(await verifySmnSignature({ ...good, message: tamperedTrace }, fixture.certificate)).toBe(
      false,
    );
    expect(await verifySmnSignature({ ...good, subject: undefined }, fixture.certificate)).toBe(
      false,
    );
    expect(await verifySmnSignature(good, fixture.otherCertificate)).toBe(false);
    expect(await verifySmnSignature({ ...good, signature: "!!!" }, fixture.certificate)).toBe(
      false,
    );
    expect(
      await verifySmnSignature(
        { ...good, signature: good.signature.slice(8) },
        fixture.certificate,
      ),
    ).toBe(false);
  });

  it("throws for what is not an RSA X.509 certificate", async () => {
    await expect(verifySmnSignature(fixture.withSubject, "not a pem")).rejects.toThrow(
      "no PEM CERTIFICATE block",
    );
    await expect(
      verifySmnSignature(
        fixture.withSubject,
        "-----BEGIN CERTIFICATE-----\nMAA=\n-----END CERTIFICATE-----",
      ),
    ).rejects.toThrow(TypeError);
  });

  it("reads the same public key Node's X.509 parser does", () => {
    // The signed fixture certificate really is X.509 with an RSA key and SHA-256.
    const cert = new X509Certificate(fixture.certificate);
    expect(cert.publicKey.asymmetricKeyType).toBe("rsa");
    expect(smnStringToSign(fixture.withoutSubject)).not.toContain("subject\n");
  });
});
