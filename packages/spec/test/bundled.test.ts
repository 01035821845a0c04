// Checks the bundled specs independently of Redocly's lint: the eleven operations, the two
// webhooks, their examples, and that every named example validates against its schema with a
// separate validator (Ajv).
// (Moved here from openapi/test: it reads the specs through the model, which depends on openapi.)
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { Ajv2020 } from "ajv/dist/2020.js";
import addFormats from "ajv-formats";
import { describe, expect, it } from "vitest";
import { type ApiModel, api, type Operation } from "../src/index.js";

const specs = { cts: api("cts"), csms: api("csms") };

function validatorFor(model: ApiModel) {
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  addFormats.default(ajv);
  ajv.addSchema(model.document, "spec");
  return (ref: string) => {
    const validate = ajv.getSchema(`spec${ref.startsWith("#") ? ref : `#${ref}`}`);
    if (!validate) throw new Error(`no schema at ${ref}`);
    return validate;
  };
}

/** Every named example of an operation validates against its schema (Ajv over the document). */
function expectExamplesValid(model: ApiModel, op: Operation) {
  const schemaAt = validatorFor(model);
  const checks: { where: string; ref: string; value: unknown }[] = [];
  for (const [where, media] of [
    ["request", op.requestBody] as const,
    ...op.responses.map((r) => [r.status, r] as const),
  ]) {
    if (!media?.schemaRef) continue;
    for (const [example, value] of Object.entries(media.examples)) {
      checks.push({ where: `${where} example ${example}`, ref: media.schemaRef, value });
    }
  }
  expect(checks.length).toBeGreaterThan(0);
  for (const c of checks) {
    const validate = schemaAt(c.ref);
    const ok = validate(c.value);
    expect(ok, `${c.where}: ${JSON.stringify(validate.errors)}`).toBe(true);
  }
}

describe("bundled specs", () => {
  it("the admin API declares its routes, without credentials", () => {
    const admin = api("admin");
    expect(admin.operations.map((o) => [o.method, o.path, o.operationId])).toEqual([
      ["GET", "/_admin/health", "getHealth"],
      ["POST", "/_admin/projects/{project_id}/traces", "injectTrace"],
      ["GET", "/_admin/projects/{project_id}/traces/{trace_id}/explanation", "explainTrace"],
      ["GET", "/_admin/sinks", "getSinks"],
      ["PUT", "/_admin/sinks", "replaceSinks"],
      ["GET", "/_admin/deliveries", "listDeliveries"],
      ["POST", "/_admin/deliveries/flush", "flushDeliveries"],
      ["GET", "/_admin/smn/signing-cert.pem", "getSmnSigningCert"],
      ["GET", "/_admin/smn/unsubscribe", "smnUnsubscribe"],
      ["GET", "/_admin/faults", "listFaultRules"],
      ["POST", "/_admin/faults", "addFaultRule"],
      ["DELETE", "/_admin/faults", "deleteFaultRules"],
      ["GET", "/_admin/clock", "getClock"],
      ["POST", "/_admin/clock", "setClock"],
      [
        "POST",
        "/_admin/projects/{project_id}/secrets/{secret_name}/rotation-failure",
        "failSecretRotation",
      ],
      [
        "GET",
        "/_admin/projects/{project_id}/secrets/{secret_name}/event-explanations",
        "explainSecretEvents",
      ],
      ["POST", "/_admin/requests/verify", "verifyRequests"],
      ["GET", "/_admin/requests/har", "exportRequestsHar"],
      ["GET", "/_admin/requests", "listRequests"],
      ["DELETE", "/_admin/requests", "clearRequests"],
      ["GET", "/_admin/live", "getLivePage"],
      ["GET", "/_admin/live/events", "streamLiveEvents"],
      ["POST", "/_admin/reset", "resetState"],
    ]);
    expect(admin.document.security).toEqual([]);
  });

  it("declare exactly the twenty-seven operationIds", () => {
    const ids = [...specs.cts.operations, ...specs.csms.operations].map((o) => o.operationId);
    expect(ids.sort()).toEqual(
      [
        "createNotification",
        "updateNotification",
        "listNotifications",
        "deleteNotification",
        "listTraces",
        "createSecretEvent",
        "listSecretEvents",
        "showSecretEvent",
        "updateSecretEvent",
        "deleteSecretEvent",
        "listNotificationRecords",
        "createSecret",
        "listSecrets",
        "showSecret",
        "updateSecret",
        "deleteSecret",
        "createSecretVersion",
        "listSecretVersions",
        "showSecretVersion",
        "updateVersion",
        "rotateSecret",
        "showSecretStage",
        "updateSecretStage",
        "deleteSecretStage",
        "deleteSecretForSchedule",
        "restoreSecret",
        "listSecretTask",
      ].sort(),
    );
  });

  for (const [name, model] of Object.entries(specs)) {
    it(`${name}: is OpenAPI 3.1.0 with both security schemes`, () => {
      expect(model.document.openapi).toBe("3.1.0");
      expect(model.document.security).toEqual([{ iamToken: [] }, { akSkSignature: [] }]);
    });

    for (const op of model.operations) {
      describe(`${name} ${op.operationId}`, () => {
        it("has a summary, a description, a tag, a 2xx and 4xx responses", () => {
          expect(op.summary).toBeTruthy();
          expect(op.description).toBeTruthy();
          expect(op.tags.length).toBeGreaterThan(0);
          const codes = op.responses.map((r) => r.status);
          expect(codes.some((c) => c.startsWith("2"))).toBe(true);
          expect(codes).toEqual(expect.arrayContaining(["400", "401", "403", "404", "500"]));
        });

        it("has a request example (when it has a body) and a success response example", () => {
          if (op.requestBody) expect(Object.keys(op.requestBody.examples)).not.toHaveLength(0);
          const success = op.responses.find((r) => /^20[01]$/.test(r.status));
          if (success) expect(Object.keys(success.examples)).not.toHaveLength(0);
          else expect(op.statuses.has(204)).toBe(true);
        });

        it("every named example validates against its schema", () => {
          expectExamplesValid(model, op);
        });
      });
    }
  }

  for (const op of api("admin").operations) {
    it(`admin ${op.operationId}: has a summary, a description, the Admin tag, valid examples`, () => {
      expect(op.summary).toBeTruthy();
      expect(op.description).toBeTruthy();
      expect(op.tags).toEqual(["Admin"]);
      expectExamplesValid(api("admin"), op);
    });
  }

  /** Each webhook is named, described and tagged, with examples that validate. */
  function expectWebhooks(model: (typeof specs)["cts"] | (typeof specs)["csms"]): void {
    const schemaAt = validatorFor(model);
    for (const hook of model.webhooks) {
      expect(hook.operationId).toBe(hook.path);
      expect(hook.summary && hook.description && hook.tags.length).toBeTruthy();
      const body = hook.requestBody;
      const examples = Object.entries(body?.examples ?? {});
      expect(examples.length).toBeGreaterThan(0);
      const validate = schemaAt(body?.schemaRef as string);
      for (const [exampleName, value] of examples) {
        expect(
          validate(value),
          `${hook.operationId} ${exampleName}: ${JSON.stringify(validate.errors)}`,
        ).toBe(true);
      }
    }
  }

  it("csms: declares the secret-event message and the rotation function's event as webhooks, with validating examples", () => {
    expect(specs.csms.webhooks.map((w) => w.operationId).sort()).toEqual(
      ["rotationFunctionEvent", "secretEventNotification"].sort(),
    );
    expectWebhooks(specs.csms);
    // The CSMS message carries a secret event as a JSON string; the example's is a valid one.
    const csmsAt = validatorFor(specs.csms);
    const secretEvent = csmsAt("#/components/schemas/SecretEventMessage");
    const deleted = specs.csms.example("SecretEventNotification") as { message: string };
    expect(secretEvent(JSON.parse(deleted.message)), JSON.stringify(secretEvent.errors)).toBe(true);
    expect(specs.csms.operation("secretEventNotification").parameters.map((p) => p.name)).toEqual(
      specs.cts.operation("smnNotification").parameters.map((p) => p.name),
    );
  });

  it("cts: declares the delivered messages as webhooks, each with a validating example", () => {
    const cts = specs.cts;
    expect(cts.webhooks.map((w) => w.operationId).sort()).toEqual(
      ["functionGraphCtsEvent", "smnNotification"].sort(),
    );
    expectWebhooks(cts);
    // The SMN message carries the trace as a JSON string; the example's trace is a valid Trace.
    const smn = cts.example("SmnNotification") as { message: string };
    const trace = validatorFor(cts)("#/components/schemas/Trace");
    expect(trace(JSON.parse(smn.message)), JSON.stringify(trace.errors)).toBe(true);
    const headers = cts.operation("smnNotification").parameters.map((p) => p.name);
    expect(headers).toEqual([
      "X-SMN-MESSAGE-TYPE",
      "X-SMN-MESSAGE-ID",
      "X-SMN-TOPIC-URN",
      "X-SMN-SUBSCRIPTION-URN",
    ]);
  });

  it("shared/Sinks.json is a strict JSON Schema whose example validates", () => {
    const require = createRequire(import.meta.url);
    const sinks = JSON.parse(
      readFileSync(require.resolve("@cts-csms/openapi/shared/Sinks.json"), "utf8"),
    );
    const ajv = new Ajv2020({ strict: true, allErrors: true });
    const validate = ajv.compile(sinks);
    for (const ex of sinks.examples)
      expect(validate(ex), JSON.stringify(validate.errors)).toBe(true);
    const smn = "urn:smn:r:p1:t";
    expect(validate({ [smn]: [{ protocol: "http", endpoint: "http://127.0.0.1:9/x" }] })).toBe(
      true,
    );
    expect(validate({ [smn]: [{ protocol: "https", endpoint: "http://127.0.0.1:9/x" }] })).toBe(
      false,
    );
    expect(validate({ [smn]: [{ protocol: "http", endpoint: "ftp://127.0.0.1/x" }] })).toBe(false);
    expect(validate({ "https://example.org": { endpoint: "http://127.0.0.1/x" } })).toBe(false);
  });

  it("error examples use each API's own code prefix, except the gateway's 429 (APIG.0308)", () => {
    const prefix = { cts: /^CTS\.\d{4}$/, csms: /^CSMS\.\d{4}$/ } as const;
    for (const api of ["cts", "csms"] as const) {
      for (const op of specs[api].operations) {
        for (const response of op.responses.filter((r) => /^[45]/.test(r.status))) {
          const examples = Object.values(response.examples) as any[];
          expect(examples.length, `${op.operationId} ${response.status}`).toBeGreaterThan(0);
          for (const ex of examples) {
            if (response.status === "429") expect(ex.error_code).toBe("APIG.0308");
            else expect(ex.error_code ?? ex.error?.error_code).toMatch(prefix[api]);
          }
        }
      }
    }
  });

  it("the gateway's statuses are on every operation: 429 (throttling), 500 and 503", () => {
    for (const api of ["cts", "csms"] as const) {
      for (const op of specs[api].operations) {
        for (const status of [429, 500, 503]) {
          expect(op.statuses.has(status), `${op.operationId} ${status}`).toBe(true);
        }
      }
    }
  });

  it("rejects what the reference forbids (schema spot checks)", () => {
    const cts = validatorFor(specs.cts);
    const create = cts("/components/schemas/CreateNotificationRequestBody");
    expect(create({ notification_name: "n", operation_type: "customized" })).toBe(false);
    expect(
      create({ notification_name: "n", operation_type: "complete", notification_id: "x" }),
    ).toBe(false);
    expect(create({ notification_name: "n", operation_type: "complete" })).toBe(true);
    const update = cts("/components/schemas/UpdateNotificationRequestBody");
    const base = {
      notification_id: "6d4a09bb-aa8e-40db-9e87-0d5e203823a8",
      notification_name: "n",
      operation_type: "complete",
    };
    expect(update({ ...base, status: "enabled" })).toBe(false);
    expect(update({ ...base, status: "disabled" })).toBe(true);
    const rule = cts("/components/schemas/FilterRule");
    for (const ok of [
      "code != 200",
      "trace_rating = warning",
      "trace_type=ApiCall",
      "api_version = v1.0_beta-2",
    ])
      expect(rule(ok), ok).toBe(true);
    for (const bad of [
      "foo = bar",
      "trace_rating = fatal",
      "code ~ 1",
      "api_version = a b",
      "resource_name = ",
    ])
      expect(rule(bad), bad).toBe(false);
    const csms = validatorFor(specs.csms);
    const event = csms("/components/schemas/CreateSecretEventRequestBody");
    const ok = {
      name: "e",
      event_types: ["SECRET_ROTATED"],
      state: "ENABLED",
      notification: { target_type: "SMN", target_id: "t", target_name: "n" },
    };
    expect(event(ok)).toBe(true);
    expect(event({ ...ok, state: "Enabled" })).toBe(false);
    expect(event({ ...ok, event_types: ["SECRET_ROTATED", "SECRET_ROTATED"] })).toBe(false);
    expect(event({ ...ok, name: "bad name" })).toBe(false);
  });
});
