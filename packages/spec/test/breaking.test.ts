// One rule of the breaking-change gate per test: a change that breaks a client written against
// the old document must be reported under the rule, a compatible change next to it must not.
import { describe, expect, it } from "vitest";
import { type BreakingRule, breakingChanges } from "../src/breaking.js";
import type { JsonObject, OpenApiDocument } from "../src/document.js";
import { createApiModel } from "../src/model.js";

const json = (schema: JsonObject) => ({ content: { "application/json": { schema } } });

/** A fixture document: plain data the tests edit freely. */
type Doc = Record<string, any>;

/** A small API: one operation with a parameter, a body and two statuses, and one webhook. */
function base(): Doc {
  return {
    openapi: "3.1.0",
    info: { title: "things", version: "1" },
    security: [{ token: [] }],
    components: {
      securitySchemes: {
        token: { type: "apiKey", in: "header", name: "X-Auth-Token" },
        aksk: { type: "apiKey", in: "header", name: "Authorization" },
      },
      schemas: {
        Thing: {
          type: "object",
          properties: { id: { type: "string" }, state: { type: "string", enum: ["on", "off"] } },
        },
      },
    },
    paths: {
      "/v1/things": {
        post: {
          operationId: "createThing",
          parameters: [
            { name: "limit", in: "query", schema: { type: "integer", minimum: 1, maximum: 100 } },
          ],
          requestBody: {
            required: true,
            ...json({
              type: "object",
              required: ["name"],
              properties: {
                name: { type: "string", pattern: "^[a-z]+$", maxLength: 64 },
                kind: { type: "string", enum: ["a", "b"] },
                size: { type: "number", minimum: 0, maximum: 10 },
              },
            }),
          },
          responses: {
            "201": { description: "created", ...json({ $ref: "#/components/schemas/Thing" }) },
            "400": { description: "bad", ...json({ type: "object" }) },
          },
        },
      },
    },
    webhooks: {
      thingChanged: {
        post: {
          operationId: "thingChanged",
          security: [],
          requestBody: json({ $ref: "#/components/schemas/Thing" }),
          responses: { "204": { description: "received" } },
        },
      },
    },
  };
}

const model = (doc: Doc) => createApiModel("things", doc as OpenApiDocument);
const op = (doc: Doc) => doc.paths["/v1/things"].post;
const body = (doc: Doc) => op(doc).requestBody.content["application/json"].schema;
const thing = (doc: Doc) => doc.components.schemas.Thing;

function changes(edit: (doc: Doc) => void) {
  const after = base();
  edit(after);
  return breakingChanges(model(base()), model(after));
}

/** Each rule: edits that must be reported under it, and compatible edits that must pass. */
const RULES: Record<
  BreakingRule,
  { breaking: ((d: Doc) => void)[]; compatible: (d: Doc) => void }
> = {
  "removed-operation": {
    breaking: [(d) => delete d.paths["/v1/things"].post],
    compatible: (d) => {
      d.paths["/v1/things"].get = { operationId: "listThings", responses: { "200": {} } };
    },
  },
  "removed-webhook": {
    breaking: [(d) => delete d.webhooks.thingChanged],
    compatible: (d) => {
      d.webhooks.thingGone = { post: { operationId: "thingGone", responses: { "204": {} } } };
    },
  },
  "removed-parameter": {
    breaking: [(d) => op(d).parameters.pop()],
    compatible: (d) => {
      op(d).parameters.push({ name: "offset", in: "query", schema: { type: "integer" } });
    },
  },
  "removed-status": {
    breaking: [(d) => delete op(d).responses["400"]],
    compatible: (d) => {
      op(d).responses["404"] = { description: "gone" };
    },
  },
  "removed-response-field": {
    breaking: [(d) => delete thing(d).properties.state],
    compatible: (d) => {
      thing(d).properties.created_at = { type: "string" };
    },
  },
  "new-required-request": {
    breaking: [
      (d) => body(d).required.push("kind"),
      (d) => {
        op(d).parameters[0].required = true;
      },
      (d) => {
        op(d).parameters.push({ name: "region", in: "header", required: true, schema: {} });
      },
    ],
    compatible: (d) => {
      body(d).properties.color = { type: "string" };
      // A webhook's payload is the API's to send: a new required field there breaks no client.
      thing(d).required = ["id"];
    },
  },
  "narrowed-request": {
    breaking: [
      (d) => {
        body(d).properties.size.type = "integer";
      },
      (d) => body(d).properties.kind.enum.pop(),
      (d) => {
        body(d).properties.name.pattern = "^[a-z]{2,}$";
      },
      (d) => {
        body(d).properties.size.maximum = 5;
      },
      (d) => {
        op(d).parameters[0].schema.minimum = 10;
      },
    ],
    compatible: (d) => {
      body(d).properties.size.type = ["number", "null"];
      body(d).properties.kind.enum.push("c");
      delete body(d).properties.name.pattern;
      body(d).properties.size.maximum = 20;
      op(d).parameters[0].schema.maximum = 1000;
    },
  },
  "widened-response": {
    breaking: [
      (d) => thing(d).properties.state.enum.push("paused"),
      (d) => {
        op(d).responses["201"].content["application/json"].schema = {
          type: "object",
          properties: { id: { type: "string" }, state: { type: "string" } },
        };
      },
    ],
    compatible: (d) => {
      // Fewer values in a response, and a webhook payload's enum is only the old one's subset.
      op(d).responses["201"].content["application/json"].schema = {
        type: "object",
        properties: { id: { type: "string" }, state: { type: "string", enum: ["on"] } },
      };
    },
  },
  "changed-security": {
    breaking: [
      (d) => {
        op(d).security = [{ aksk: [] }];
      },
      (d) => {
        op(d).security = [{ token: [], aksk: [] }];
      },
      (d) => {
        op(d).security = [{ token: ["things:write"] }];
      },
      (d) => {
        // The webhook took no credentials; now it asks for a token.
        d.webhooks.thingChanged.post.security = [{ token: [] }];
      },
    ],
    compatible: (d) => {
      op(d).security = [{ token: [] }, { aksk: [] }];
    },
  },
};

describe("breakingChanges", () => {
  it("finds nothing between a document and itself", () => {
    expect(changes(() => {})).toEqual([]);
  });

  for (const [rule, { breaking, compatible }] of Object.entries(RULES)) {
    describe(rule, () => {
      breaking.forEach((edit, i) => {
        it(`reports breaking edit ${i + 1}`, () => {
          const found = changes(edit);
          expect(found.map((c) => c.rule)).toContain(rule);
          expect(found.find((c) => c.rule === rule)?.message).toMatch(/^things: /);
        });
      });
      it("passes the compatible edit", () => {
        expect(changes(compatible)).toEqual([]);
      });
    });
  }

  it("passes credentials made optional (an empty requirement)", () => {
    expect(changes((d) => (op(d).security = [{ token: [] }, {}]))).toEqual([]);
    expect(changes((d) => (op(d).security = [{}]))).toEqual([]);
  });

  it("compares a webhook's payload as what the client receives", () => {
    const found = changes((d) => {
      thing(d).properties.state.enum.push("paused");
    });
    // Once as the operation's response, once as the webhook's payload.
    expect(found.map((c) => c.message)).toEqual([
      'things: POST /v1/things: response 201.state: enum widened (added "paused")',
      'things: POST thingChanged: request body.state: enum widened (added "paused")',
    ]);
  });
});
