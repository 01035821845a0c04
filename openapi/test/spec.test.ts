// Checks the bundled specs independently of Redocly's lint: the eleven operations, the two
// webhooks, their examples, and that every named example validates against its schema with a
// separate validator (Ajv).
import { readFileSync } from "node:fs";
import { Ajv2020 } from "ajv/dist/2020.js";
import addFormats from "ajv-formats";
import { describe, expect, it } from "vitest";

type Json = Record<string, any>;
const load = (api: string): Json =>
  JSON.parse(readFileSync(new URL(`../dist/${api}.json`, import.meta.url), "utf8"));

const specs = { cts: load("cts"), csms: load("csms") };
const METHODS = ["get", "put", "post", "delete", "patch"] as const;
const pointer = (...parts: string[]) =>
  parts.map((p) => p.replaceAll("~", "~0").replaceAll("/", "~1")).join("/");

function operations(spec: Json) {
  const out: { path: string; method: string; op: Json }[] = [];
  for (const [path, item] of Object.entries<Json>(spec.paths)) {
    for (const method of METHODS) if (item[method]) out.push({ path, method, op: item[method] });
  }
  return out;
}

function validatorFor(spec: Json) {
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  addFormats.default(ajv);
  ajv.addSchema(spec, "spec");
  return (ref: string) => {
    const validate = ajv.getSchema(`spec#${ref}`);
    if (!validate) throw new Error(`no schema at ${ref}`);
    return validate;
  };
}

const deref = (spec: Json, node: Json): Json =>
  node?.$ref
    ? deref(
        spec,
        node.$ref
          .slice(2)
          .split("/")
          .reduce((o: Json, k: string) => o[k.replaceAll("~1", "/").replaceAll("~0", "~")], spec),
      )
    : node;

describe("bundled specs", () => {
  it("declare exactly the eleven operationIds", () => {
    const ids = [...operations(specs.cts), ...operations(specs.csms)].map((o) => o.op.operationId);
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
      ].sort(),
    );
  });

  for (const [api, spec] of Object.entries(specs)) {
    it(`${api}: is OpenAPI 3.1.0 with both security schemes`, () => {
      expect(spec.openapi).toBe("3.1.0");
      expect(spec.security).toEqual([{ iamToken: [] }, { akSkSignature: [] }]);
    });

    for (const { path, method, op } of operations(spec)) {
      describe(`${api} ${op.operationId}`, () => {
        it("has a summary, a description, a tag, a 2xx and 4xx responses", () => {
          expect(op.summary).toBeTruthy();
          expect(op.description).toBeTruthy();
          expect(op.tags?.length).toBeGreaterThan(0);
          const codes = Object.keys(op.responses);
          expect(codes.some((c) => c.startsWith("2"))).toBe(true);
          expect(codes).toEqual(expect.arrayContaining(["400", "401", "403", "404", "500"]));
        });

        it("has a request example (when it has a body) and a success response example", () => {
          const body = op.requestBody && deref(spec, op.requestBody);
          if (body)
            expect(Object.keys(body.content["application/json"].examples ?? {})).not.toHaveLength(
              0,
            );
          const success = Object.entries<Json>(op.responses).find(([c]) => /^20[01]$/.test(c));
          if (success) {
            const media = deref(spec, success[1]).content["application/json"];
            expect(Object.keys(media.examples ?? {})).not.toHaveLength(0);
          } else {
            expect(op.responses["204"]).toBeDefined();
          }
        });

        it("every named example validates against its schema", () => {
          const schemaAt = validatorFor(spec);
          const checks: { where: string; ref: string; value: unknown }[] = [];
          const media = (base: string, node: Json) => {
            const m = node.content?.["application/json"];
            if (!m) return;
            for (const [name, ex] of Object.entries<Json>(m.examples ?? {})) {
              checks.push({
                where: `${base} example ${name}`,
                ref: `${base}/content/application~1json/schema`,
                value: deref(spec, ex).value,
              });
            }
          };
          const opPtr = `/paths/${pointer(path)}/${method}`;
          if (op.requestBody) {
            const rb = op.requestBody.$ref ? op.requestBody.$ref.slice(1) : `${opPtr}/requestBody`;
            media(rb, deref(spec, op.requestBody));
          }
          for (const [code, r] of Object.entries<Json>(op.responses)) {
            media(r.$ref ? r.$ref.slice(1) : `${opPtr}/responses/${code}`, deref(spec, r));
          }
          expect(checks.length).toBeGreaterThan(0);
          for (const c of checks) {
            const validate = schemaAt(c.ref);
            const ok = validate(c.value);
            expect(ok, `${c.where}: ${JSON.stringify(validate.errors)}`).toBe(true);
          }
        });
      });
    }
  }

  it("cts: declares the delivered messages as webhooks, each with a validating example", () => {
    expect(Object.keys(specs.cts.webhooks).sort()).toEqual(
      ["functionGraphCtsEvent", "smnNotification"].sort(),
    );
    expect(specs.csms.webhooks).toBeUndefined();
    const schemaAt = validatorFor(specs.cts);
    for (const [name, item] of Object.entries<Json>(specs.cts.webhooks)) {
      const op = item.post;
      expect(op.operationId).toBe(name);
      expect(op.summary && op.description && op.tags?.length).toBeTruthy();
      const media = op.requestBody.content["application/json"];
      const examples = Object.entries<Json>(media.examples ?? {});
      expect(examples.length).toBeGreaterThan(0);
      const validate = schemaAt(
        `/webhooks/${name}/post/requestBody/content/application~1json/schema`,
      );
      for (const [exampleName, ex] of examples) {
        const value = deref(specs.cts, ex).value;
        expect(validate(value), `${name} ${exampleName}: ${JSON.stringify(validate.errors)}`).toBe(
          true,
        );
      }
    }
    // The SMN message carries the trace as a JSON string; the example's trace is a valid Trace.
    const smn = deref(specs.cts, specs.cts.components.examples.SmnNotification).value;
    const trace = schemaAt("/components/schemas/Trace");
    expect(trace(JSON.parse(smn.message)), JSON.stringify(trace.errors)).toBe(true);
    const header = specs.cts.webhooks.smnNotification.post.parameters.map((p: Json) => p.name);
    expect(header).toEqual([
      "X-SMN-MESSAGE-TYPE",
      "X-SMN-MESSAGE-ID",
      "X-SMN-TOPIC-URN",
      "X-SMN-SUBSCRIPTION-URN",
    ]);
  });

  it("shared/Sinks.json is a strict JSON Schema whose example validates", () => {
    const sinks = JSON.parse(
      readFileSync(new URL("../shared/Sinks.json", import.meta.url), "utf8"),
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

  it("error examples use each API's own code prefix", () => {
    for (const [name, ex] of Object.entries<Json>(specs.cts.components.examples)) {
      if (name.startsWith("Error")) expect(ex.value.error_code).toMatch(/^CTS\./);
    }
    for (const [name, ex] of Object.entries<Json>(specs.csms.components.examples)) {
      if (name.startsWith("Error")) expect(ex.value.error.error_code).toMatch(/^CSMS\./);
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
