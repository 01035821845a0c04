/**
 * The request journal through the real server and the real clients, as a user's code calls it:
 * every request journaled with its caller and masked bodies, the list's filters and paging,
 * `verify` passing and failing (with the failing message checked as printed), the HAR export
 * validated against the HAR 1.2 schema (har-schema), and a secret marker that never shows in the
 * journal, the HAR or a verify answer. The journal lives in the server process's memory, the same
 * code whatever the store, so one store (memory) covers it.
 */
import { randomUUID } from "node:crypto";
import { createAdminClient, createCsmsClient, createCtsClient, paginate } from "@cts-csms/client";
import { afterEach, describe, expect, it } from "vitest";
import { expectRequests, testProject } from "../src/testing/index.js";
import { harErrors } from "./har.js";
import { start } from "./helpers.js";

const MARKER = `JOURNALMARKER${randomUUID().replaceAll("-", "")}`;
const TOKEN = `token-${MARKER}`;
const SK = `sk-${MARKER}`;

const server = await start();
const project = await testProject({ url: server.url, prefix: "journal" });
const P = project.projectId;
afterEach(() => project.reset());

const admin = createAdminClient({ endpoint: server.url, retry: false, throwOnError: true });
const cts = createCtsClient({
  endpoint: server.url,
  projectId: P,
  auth: { token: TOKEN },
  retry: false,
  throwOnError: true,
});
const csms = createCsmsClient({
  endpoint: server.url,
  projectId: P,
  auth: { ak: "JOURNALAK0001", sk: SK },
  retry: false,
  throwOnError: true,
});

const NOTIFICATION = {
  notification_name: "journal_n",
  operation_type: "customized" as const,
  operations: [{ service_type: "ECS", resource_type: "ecs", trace_names: ["deleteServer"] }],
};

/** A user's code at work: a notification (token), a secret with a value (AK/SK), reads. */
async function callTheApis() {
  await cts.createNotification({
    body: NOTIFICATION,
    headers: { "X-Request-Id": "journal-create-1" },
  });
  await csms.createSecret({ body: { name: "db", secret_string: MARKER } });
  await csms.showSecretVersion({ params: { path: { secret_name: "db", version_id: "latest" } } });
  await csms.listSecrets({ params: { query: { limit: 10 } } });
  // Refused: the value under a misspelt key must not be kept either.
  const refused = await fetch(`${server.url}/v1/${P}/secrets`, {
    method: "POST",
    headers: { "X-Auth-Token": TOKEN, "Content-Type": "application/json" },
    body: JSON.stringify({ name: "db2", secret_strin: MARKER }),
  });
  expect(refused.status).toBe(400);
}

/** What the admin API answers, as text: where a marker would show. */
async function raw(path: string, init?: RequestInit): Promise<string> {
  const response = await fetch(`${server.url}${path}`, init);
  expect(response.status, path).toBe(200);
  return response.text();
}

describe("the request journal", () => {
  it("journals each request: operation, project, caller, status, request id, masked bodies", async () => {
    await callTheApis();
    await admin.getHealth();
    const requests = await project.requests();
    expect(requests.map((r) => [r.operation_id, r.method, r.status, r.caller])).toEqual([
      ["createNotification", "POST", 201, { type: "token" }],
      ["createSecret", "POST", 200, { type: "ak", access_key_id: "JOURNALAK0001" }],
      ["showSecretVersion", "GET", 200, { type: "ak", access_key_id: "JOURNALAK0001" }],
      ["listSecrets", "GET", 200, { type: "ak", access_key_id: "JOURNALAK0001" }],
      ["createSecret", "POST", 400, { type: "token" }],
    ]);
    const [create, secret, shown, listed, refused] = requests;
    expect(create).toMatchObject({
      api: "cts",
      project_id: P,
      path: `/v3/${P}/notifications`,
      request_id: "journal-create-1",
      body: NOTIFICATION,
    });
    expect(create?.duration_ms).toBeGreaterThanOrEqual(0);
    // An answer with no secret value field is kept as its text and parsed when read.
    expect((create as any).response).toMatchObject(NOTIFICATION);
    expect(secret?.body).toEqual({ name: "db", secret_string: "******" });
    expect((shown as any).response.version.secret_string).toBe("******");
    expect(shown?.path_params).toEqual({ project_id: P, secret_name: "db", version_id: "latest" });
    expect(listed?.query).toEqual({ limit: "10" });
    expect(refused?.body).toBeUndefined();
    // What the client was answered is kept: the envelope naming the field (not its value).
    expect((refused as any).response.error.error_msg).toContain("secret_strin");
    // The health check names no project: it is in the no-project journal, not the project's.
    const { data } = await admin.listRequests({ params: { query: { operation_id: "getHealth" } } });
    expect(data?.requests.length).toBeGreaterThan(0);
    expect(data?.requests.every((r) => r.project_id === undefined)).toBe(true);
  });

  it("keeps an oversized body's size only, and a 401 without caller", async () => {
    const big = JSON.stringify({ name: "big", secret_string: MARKER.repeat(40_000) });
    const tooLarge = await fetch(`${server.url}/v1/${P}/secrets`, {
      method: "POST",
      headers: { "X-Auth-Token": TOKEN, "Content-Type": "application/json" },
      body: big,
    });
    expect(tooLarge.status).toBe(413);
    const unauthenticated = await fetch(`${server.url}/v1/${P}/secrets`);
    expect(unauthenticated.status).toBe(401);
    const requests = await project.requests();
    expect(requests.map((r) => [r.status, r.body_size, r.body, r.caller])).toEqual([
      [413, Buffer.byteLength(big), undefined, { type: "token" }],
      [401, undefined, undefined, undefined],
    ]);
    expect(JSON.stringify(requests)).not.toContain(MARKER);
  });

  it("filters by operation, status, request id and time, and pages with a marker", async () => {
    await callTheApis();
    const list = async (query: Record<string, unknown>) =>
      (await admin.listRequests({ params: { query: { project_id: P, ...query } } })).data;
    expect((await list({ operation_id: "createSecret" }))?.requests.map((r) => r.status)).toEqual([
      200, 400,
    ]);
    expect((await list({ status: 400 }))?.requests.map((r) => r.operation_id)).toEqual([
      "createSecret",
    ]);
    const byId = await list({ request_id: "journal-create-1" });
    expect(byId?.requests.map((r) => r.operation_id)).toEqual(["createNotification"]);
    const first = byId?.requests[0]?.time as string;
    expect((await list({ until: first }))?.requests).toEqual([]);
    expect((await list({ since: first }))?.requests.length).toBe(5);
    const page1 = await list({ limit: 2 });
    expect(page1?.page_info).toEqual({ current_count: 2, next_marker: page1?.requests[1]?.id });
    const page3 = await list({
      limit: 2,
      marker: (await list({ limit: 4 }))?.page_info.next_marker,
    });
    expect(page3?.requests.map((r) => r.operation_id)).toEqual(["createSecret"]);
    expect(page3?.page_info.next_marker).toBeUndefined();
    // The client's paginate follows the markers (the spec's x-paging).
    const all = [];
    for await (const r of paginate(admin, "listRequests", {
      params: { query: { project_id: P, limit: 2 } },
    })) {
      all.push(r.operation_id);
    }
    expect(all).toEqual((await list({}))?.requests.map((r) => r.operation_id));
    expect(all.length).toBe(5);
  });

  it("does not journal its own reads, and a reset or a clear empties it", async () => {
    await callTheApis();
    await project.requests();
    await project.expectRequests({ operation_id: "listSecrets" });
    await raw(`/_admin/requests/har?project_id=${P}`);
    expect((await project.requests()).length).toBe(5);
    // Clearing the journal keeps the resources.
    await project.clearRequests();
    expect(await project.requests()).toEqual([]);
    await csms.showSecret({ params: { path: { secret_name: "db" } } });
    expect((await project.requests()).map((r) => r.operation_id)).toEqual(["showSecret"]);
    await project.reset();
    expect(await project.requests()).toEqual([]);
  });
});

describe("verify", () => {
  it("passes: exactly one matching create, at least one read, no delete", async () => {
    await callTheApis();
    const pattern = {
      operation_id: "createNotification",
      body: { notification_name: "journal_n", operations: [{ trace_names: ["deleteServer"] }] },
      status: 201,
    };
    const result = await project.expectRequests(pattern, { exactly: 1 });
    expect(result).toMatchObject({ matched: true, count: 1 });
    await project.expectRequests(
      { operation_id: "showSecretVersion", path_params: { secret_name: "db" } },
      { at_least: 1 },
    );
    await project.expectRequests({ operation_id: "listSecrets", query: { limit: "10" } });
    await project.expectRequests({ operation_id: "deleteSecret" }, { none: true });
  });

  it("fails with a message that says what differed in the closest request", async () => {
    await callTheApis();
    const [create] = await project.requests();
    const failure = await project
      .expectRequests({ operation_id: "createNotification", body: { notification_name: "other" } })
      .then(
        () => undefined,
        (err: Error) => err,
      );
    expect(failure?.name).toBe("AssertionError");
    expect(failure?.message).toBe(
      `expected exactly 1 createNotification request in project ${P} matching the pattern, found 0. ` +
        `Closest: #${create?.id} POST /v3/${P}/notifications 201: ` +
        `body.notification_name expected "other", got "journal_n".`,
    );
  });

  it("fails on too many, showing the matching requests", async () => {
    await callTheApis();
    const secrets = (await project.requests()).filter((r) => r.operation_id === "createSecret");
    await expect(
      expectRequests(
        { url: server.url, projectId: P },
        { operation_id: "createSecret" },
        {
          none: true,
        },
      ),
    ).rejects.toThrow(
      `expected no createSecret requests in project ${P} matching the pattern, found 2. ` +
        `Matching: #${secrets[0]?.id} POST /v1/${P}/secrets 200 (matches) | ` +
        `#${secrets[1]?.id} POST /v1/${P}/secrets 400 (matches).`,
    );
  });

  it("answers 200 with matched false, and never a secret value from the pattern", async () => {
    await callTheApis();
    const text = await raw(`/_admin/requests/verify?project_id=${P}`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({
        pattern: { operation_id: "createSecret", body: { name: "nope", secret_string: MARKER } },
        expect: "exactly",
        n: 1,
      }),
    });
    const answer = JSON.parse(text);
    expect(answer).toMatchObject({ matched: false, count: 0, expect: "exactly", n: 1 });
    expect(answer.closest[0].differences).toEqual([
      { field: "body.name", expected: "nope", actual: "db" },
    ]);
    expect(text).not.toContain(MARKER);
  });
});

describe("HAR export", () => {
  it("validates against the HAR 1.2 schema, and holds no secret value or credential", async () => {
    await callTheApis();
    const text = await raw(`/_admin/requests/har?project_id=${P}`);
    const har = JSON.parse(text);
    expect(harErrors(har)).toEqual([]);
    expect(har.log.entries.map((e: any) => e._operationId)).toEqual([
      "createNotification",
      "createSecret",
      "showSecretVersion",
      "listSecrets",
      "createSecret",
    ]);
    expect(har.log.entries[3].request.url).toBe(`${server.url}/v1/${P}/secrets?limit=10`);
    expect(har.log.entries[0].request.postData.text).toContain("journal_n");
    for (const secret of [MARKER, TOKEN, SK]) expect(text).not.toContain(secret);
    // Filtered like the list.
    const filtered = JSON.parse(await raw(`/_admin/requests/har?project_id=${P}&status=400`));
    expect(filtered.log.entries.map((e: any) => e.response.status)).toEqual([400]);
  });

  it("the journal's list holds no secret value or credential either", async () => {
    await callTheApis();
    const text = await raw(`/_admin/requests?project_id=${P}`);
    expect(text).toContain("******");
    for (const secret of [MARKER, TOKEN, SK]) expect(text).not.toContain(secret);
  });
});
