// The model on small documents of its own: references resolved everywhere, webhooks, x-paging,
// error envelopes; and on the bundled specs: what the server, generator and docs rely on.
import { describe, expect, it } from "vitest";
import {
  api,
  apis,
  createApiModel,
  type OpenApiDocument,
  validationDocument,
} from "../src/index.js";

const error = {
  type: "object",
  properties: { error_code: { type: "string" }, error_msg: { type: "string" } },
};

function doc(extra: Partial<OpenApiDocument> = {}): OpenApiDocument {
  return {
    openapi: "3.1.0",
    info: { title: "t", version: "1" },
    paths: {
      "/v9/{project_id}/things": {
        parameters: [{ $ref: "#/components/parameters/ProjectId" }],
        get: {
          operationId: "listThings",
          "x-paging": {
            style: "offset",
            items: "things",
            limit: "limit",
            offset: "offset",
          },
          "x-codeSamples": [{ lang: "sh", source: "curl …" }],
          parameters: [
            {
              name: "limit",
              in: "query",
              schema: { type: "integer", default: 10, maximum: 100 },
            },
            { name: "offset", in: "query", schema: { type: "integer" } },
          ],
          responses: {
            "200": {
              description: "ok",
              content: {
                "application/json": {
                  schema: { $ref: "#/components/schemas/ThingList" },
                  examples: { One: { $ref: "#/components/examples/One" } },
                },
              },
            },
            "400": { $ref: "#/components/responses/Bad" },
          },
        },
        post: {
          operationId: "createThing",
          requestBody: { $ref: "#/components/requestBodies/Thing" },
          responses: {
            "204": { description: "done" },
            "400": { $ref: "#/components/responses/Bad" },
          },
        },
      },
    },
    webhooks: {
      thingCreated: {
        post: {
          operationId: "thingCreated",
          requestBody: {
            content: { "application/json": { schema: { $ref: "#/components/schemas/Thing" } } },
          },
          responses: { "200": { description: "received" } },
        },
      },
    },
    components: {
      parameters: {
        ProjectId: {
          name: "project_id",
          in: "path",
          required: true,
          schema: { $ref: "#/components/schemas/Id" },
        },
      },
      schemas: {
        Id: { type: "string", pattern: "^[a-z]+$" },
        Thing: { type: "object", properties: { id: { $ref: "#/components/schemas/Id" } } },
        ThingList: {
          type: "object",
          properties: { things: { type: "array", items: { $ref: "#/components/schemas/Thing" } } },
        },
        Error: error,
      },
      requestBodies: {
        Thing: {
          required: true,
          content: { "Application/JSON": { schema: { $ref: "#/components/schemas/Thing" } } },
        },
      },
      responses: {
        Bad: {
          description: "bad",
          content: { "application/json": { schema: { $ref: "#/components/schemas/Error" } } },
        },
      },
      examples: { One: { value: { things: [{ id: "a" }] } } },
    },
    ...extra,
  };
}

describe("createApiModel", () => {
  const model = createApiModel("things", doc());

  it("resolves parameters, bodies, responses and examples, keeping the schemas' pointers", () => {
    const list = model.operation("listThings");
    expect(list.method).toBe("GET");
    expect(list.pointer).toBe("#/paths/~1v9~1{project_id}~1things/get");
    expect(list.parameters.map((p) => `${p.in}:${p.name}`)).toEqual([
      "path:project_id",
      "query:limit",
      "query:offset",
    ]);
    expect(list.parameters[0]?.schema).toEqual({ type: "string", pattern: "^[a-z]+$" });
    const ok = list.responses.find((r) => r.status === "200");
    expect(ok?.schemaRef).toBe("#/components/schemas/ThingList");
    expect(ok?.examples).toEqual({ One: { things: [{ id: "a" }] } });
    expect(JSON.stringify(ok?.schema)).not.toContain("$ref");
    const create = model.operation("createThing");
    expect(create.requestBody?.required).toBe(true);
    expect(create.requestBody?.mediaTypes).toEqual(["application/json"]);
    expect(create.requestBody?.schemaRef).toBe("#/components/schemas/Thing");
    expect(create.statuses).toEqual(new Set([204, 400]));
    expect(create.successStatus).toBe(204);
  });

  it("reads paging from x-paging and keeps other extensions", () => {
    expect(model.operation("listThings").paging).toEqual({
      style: "offset",
      items: "things",
      limit: { name: "limit", default: 10, maximum: 100, minimum: 1 },
      offset: "offset",
    });
    expect(model.operation("createThing").paging).toBeUndefined();
    expect(model.operation("listThings").extensions).toEqual({
      "x-codeSamples": [{ lang: "sh", source: "curl …" }],
    });
  });

  it("lists webhooks apart from paths, and finds them by operationId", () => {
    expect(model.operations.map((o) => o.operationId)).toEqual(["listThings", "createThing"]);
    expect(model.webhooks.map((o) => [o.kind, o.path, o.method])).toEqual([
      ["webhook", "thingCreated", "POST"],
    ]);
    expect(model.operation("thingCreated").requestBody?.schema).toEqual({
      type: "object",
      properties: { id: { type: "string", pattern: "^[a-z]+$" } },
    });
  });

  it("derives the error envelope and the path prefix", () => {
    expect(model.errorEnvelope).toBe("flat");
    expect(model.pathPrefix).toBe("/v9/");
    const nested = doc();
    (nested.components as any).schemas.Error = {
      type: "object",
      properties: { error: error },
    };
    expect(createApiModel("n", nested).errorEnvelope).toBe("nested");
  });

  it("names what is wrong with an x-paging", () => {
    const broken = (paging: unknown) => {
      const d = doc();
      (d.paths as any)["/v9/{project_id}/things"].get["x-paging"] = paging;
      return () => createApiModel("b", d);
    };
    expect(broken({ style: "cursor", items: "things" })).toThrow(/style must be/);
    expect(broken({ style: "offset", items: "nope", offset: "offset" })).toThrow(
      /no array property "nope"/,
    );
    expect(broken({ style: "marker", items: "things", marker: "m", "next-marker": "x" })).toThrow(
      /names no query parameter "m"/,
    );
  });

  it("gives any schema by pointer with references resolved, and names a recursive one", () => {
    expect(model.schemaAt("#/components/schemas/ThingList")).toEqual({
      type: "object",
      properties: {
        things: {
          type: "array",
          items: { type: "object", properties: { id: { type: "string", pattern: "^[a-z]+$" } } },
        },
      },
    });
    const recursive = doc();
    (recursive.components as any).schemas.Thing.properties.parts = {
      type: "array",
      items: { $ref: "#/components/schemas/Thing" },
    };
    expect(() => createApiModel("r", recursive).schemaAt("#/components/schemas/Thing")).toThrow(
      /recursive schema #\/components\/schemas\/Thing/,
    );
  });

  it("refuses a duplicate operationId and a dangling $ref", () => {
    const twice = doc();
    (twice.paths as any)["/v9/{project_id}/things"].post.operationId = "listThings";
    expect(() => createApiModel("d", twice)).toThrow(/listThings is used twice/);
    const dangling = doc();
    (dangling.paths as any)["/v9/{project_id}/things"].post.requestBody = {
      $ref: "#/components/requestBodies/Nope",
    };
    expect(() => createApiModel("d", dangling)).toThrow(/points nowhere/);
  });
});

describe("validationDocument", () => {
  it("holds every path with references inlined and documentation left out", () => {
    const d = doc();
    (d.components as any).schemas.Thing.properties.description = {
      type: "string",
      description: "a property named description stays; its description goes",
    };
    const validation = validationDocument([createApiModel("things", d)]);
    const text = JSON.stringify(validation);
    expect(Object.keys(validation.paths ?? {})).toEqual(["/v9/{project_id}/things"]);
    expect(text).not.toContain("$ref");
    expect(text).not.toMatch(/"(examples|example|summary|x-paging|x-codeSamples)":/);
    expect(text).not.toMatch(/"description":"/);
    expect(validation.paths?.["/v9/{project_id}/things"]?.post).toMatchObject({
      requestBody: {
        content: {
          "Application/JSON": {
            schema: { properties: { description: { type: "string" } } },
          },
        },
      },
    });
  });

  it("refuses two APIs with the same path", () => {
    const model = createApiModel("a", doc());
    expect(() => validationDocument([model, createApiModel("b", doc())])).toThrow(
      /path \/v9\/\{project_id\}\/things is in two APIs/,
    );
  });
});

describe("the bundled APIs", () => {
  it("model every operation of both APIs with one envelope and one prefix each", () => {
    const summary = apis().map((a) => [a.name, a.pathPrefix, a.errorEnvelope, a.operations.length]);
    expect(summary).toEqual([
      ["cts", "/v3/", "flat", 5],
      ["csms", "/v1/", "nested", 22],
      ["admin", "/_admin/", "flat", 23],
    ]);
  });

  it("declare marker paging on the CSMS lists, the CTS trace list and the request journal", () => {
    const paged = apis().flatMap((a) =>
      a.operations.filter((o) => o.paging).map((o) => [o.operationId, o.paging]),
    );
    const marker = {
      style: "marker",
      limit: { name: "limit", default: 50, maximum: 1000, minimum: 1 },
      marker: "marker",
      nextMarker: ["page_info", "next_marker"],
    };
    expect(paged).toEqual([
      [
        "listTraces",
        {
          style: "marker",
          items: "traces",
          limit: { name: "limit", default: 10, maximum: 200, minimum: 1 },
          marker: "next",
          nextMarker: ["meta_data", "marker"],
        },
      ],
      ["listSecrets", { ...marker, items: "secrets" }],
      ["listSecretVersions", { ...marker, items: "version_metadatas" }],
      ["listSecretTask", { ...marker, items: "tasks", nextMarker: ["next_marker"] }],
      ["listSecretEvents", { ...marker, items: "events" }],
      [
        "listNotificationRecords",
        // Decision 13: without `limit` (the current SDK's request), the largest page.
        { ...marker, items: "records", limit: { ...marker.limit, default: 1000 } },
      ],
      // The reference server's request journal, paged like the CSMS lists.
      ["listRequests", { ...marker, items: "requests", limit: { ...marker.limit, default: 100 } }],
    ]);
  });

  it("say which operations take credentials", () => {
    expect(api("cts").operation("createNotification").security).toEqual([
      { iamToken: [] },
      { akSkSignature: [] },
    ]);
    expect(api("admin").operation("resetState").security).toEqual([]);
  });

  it("is loaded once", () => {
    expect(api("cts")).toBe(api("cts"));
  });
});
