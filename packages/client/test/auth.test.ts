import { inspect } from "node:util";
import { verifySignature } from "@cts-csms/signer";
import type { paths } from "@cts-csms/types/csms";
import createClient from "openapi-fetch";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import {
  createAuthMiddleware,
  createCsmsClient,
  createCtsClient,
  NetworkError,
  TimeoutError,
  unwrap,
} from "../src/index.js";
import { freePort, startServer, type TestServer } from "./server.js";

const SK = "sk-VERY-SECRET-0123456789";
const TOKEN = "MIIToken-VERY-SECRET-abcdef";
const STS = "sts-VERY-SECRET-token";
const secrets = new Map([["AK123", SK]]);

let server: TestServer;
beforeAll(async () => {
  server = await startServer((req) =>
    req.path.endsWith("/events") && req.method === "GET"
      ? { body: { events: [], page_info: { current_count: 0 } } }
      : req.path.includes("/notifications/")
        ? { body: { notifications: [] } }
        : { status: 200, body: { event: {} } },
  );
});
afterAll(() => server.close());
beforeEach(() => {
  // The suite must not depend on the machine's credentials.
  for (const prefix of ["CLOUD_SDK", "HUAWEICLOUD_SDK"]) {
    vi.stubEnv(`${prefix}_AK`, "");
    vi.stubEnv(`${prefix}_SK`, "");
    vi.stubEnv(`${prefix}_SECURITY_TOKEN`, "");
  }
});
afterEach(() => vi.unstubAllEnvs());

const last = () => server.requests.at(-1)!;

async function verify(req = last()) {
  return verifySignature(
    { method: req.method, url: req.url, headers: req.headers, body: req.body },
    (ak) => secrets.get(ak),
  );
}

const eventBody = {
  name: "demo-event",
  event_types: ["SECRET_ROTATED" as const],
  state: "ENABLED" as const,
  notification: { target_type: "SMN" as const, target_id: "urn:smn:r:p:t", target_name: "ünïcödé" },
};

describe("auth", () => {
  it("token auth sends X-Auth-Token and no signature", async () => {
    const client = createCtsClient({
      endpoint: server.url,
      projectId: "p",
      auth: { token: TOKEN },
    });
    await client.listNotifications({ params: { path: { notification_type: "smn" } } });
    expect(last().headers["x-auth-token"]).toBe(TOKEN);
    expect(last().headers.authorization).toBeUndefined();
    expect(last().headers["x-project-id"]).toBeUndefined();
  });

  it("AK/SK signs the exact body bytes; the server verifies it", async () => {
    const client = createCsmsClient({
      endpoint: server.url,
      projectId: "p1",
      auth: { ak: "AK123", sk: SK },
    });
    await client.createSecretEvent({ body: eventBody });
    const req = last();
    expect(req.headers["x-sdk-date"]).toMatch(/^\d{8}T\d{6}Z$/);
    expect(req.headers.authorization).toMatch(/^SDK-HMAC-SHA256 Access=AK123, SignedHeaders=/);
    expect(req.headers.authorization).toContain("content-type");
    expect(req.headers.authorization).toContain("x-project-id");
    expect(req.headers["x-project-id"]).toBe("p1");
    expect(req.headers["x-auth-token"]).toBeUndefined();
    expect(await verify(req)).toEqual({ ok: true, ak: "AK123" });
    // Tampering with the body breaks the signature.
    expect(
      await verifySignature(
        { method: req.method, url: req.url, headers: req.headers, body: Buffer.from("{}") },
        (ak) => secrets.get(ak),
      ),
    ).toEqual({ ok: false, reason: "bad_signature" });
  });

  it("AK/SK with securityToken sends and signs X-Security-Token", async () => {
    const client = createCsmsClient({
      endpoint: server.url,
      projectId: "p1",
      auth: { ak: "AK123", sk: SK, securityToken: STS },
    });
    await client.listSecretEvents({ params: { query: { limit: 5, marker: "a b" } } });
    expect(last().headers["x-security-token"]).toBe(STS);
    expect(last().headers.authorization).toContain("x-security-token");
    expect(await verify()).toEqual({ ok: true, ak: "AK123" });
  });

  it("headers added by user middleware are signed too", async () => {
    const client = createCsmsClient({
      endpoint: server.url,
      projectId: "p1",
      auth: { ak: "AK123", sk: SK },
    });
    client.use({
      onRequest: ({ request }) => {
        request.headers.set("X-Trace-Id", "trace-1");
        return request;
      },
    });
    await client.listSecretEvents();
    expect(last().headers["x-trace-id"]).toBe("trace-1");
    expect(last().headers.authorization).toContain("x-trace-id");
    expect(await verify()).toEqual({ ok: true, ak: "AK123" });
  });

  it("credentials come from CLOUD_SDK_AK / CLOUD_SDK_SK when auth is left out", async () => {
    vi.stubEnv("CLOUD_SDK_AK", "AK123");
    vi.stubEnv("CLOUD_SDK_SK", SK);
    const client = createCsmsClient({ endpoint: server.url, projectId: "p1" });
    await client.listSecretEvents();
    expect(last().headers.authorization).toMatch(/Access=AK123/);
    expect(await verify()).toEqual({ ok: true, ak: "AK123" });
  });

  it("explicit auth wins over the environment", async () => {
    vi.stubEnv("CLOUD_SDK_AK", "AK123");
    vi.stubEnv("CLOUD_SDK_SK", SK);
    const client = createCsmsClient({
      endpoint: server.url,
      projectId: "p1",
      auth: { token: TOKEN },
    });
    await client.listSecretEvents();
    expect(last().headers["x-auth-token"]).toBe(TOKEN);
    expect(last().headers.authorization).toBeUndefined();
  });

  it("only one of the env variables set is an error naming the missing one", () => {
    vi.stubEnv("CLOUD_SDK_AK", "AK123");
    expect(() => createCsmsClient({ endpoint: server.url })).toThrow(/CLOUD_SDK_SK/);
  });

  it("the official SDKs' HUAWEICLOUD_SDK_AK / _SK are read too; CLOUD_SDK_* win", async () => {
    vi.stubEnv("HUAWEICLOUD_SDK_AK", "AK123");
    vi.stubEnv("HUAWEICLOUD_SDK_SK", SK);
    vi.stubEnv("HUAWEICLOUD_SDK_SECURITY_TOKEN", "sts-token");
    await createCsmsClient({ endpoint: server.url, projectId: "p1" }).listSecretEvents();
    expect(last().headers["x-security-token"]).toBe("sts-token");
    expect(await verify()).toEqual({ ok: true, ak: "AK123" });
    vi.stubEnv("CLOUD_SDK_AK", "AK-OTHER");
    vi.stubEnv("CLOUD_SDK_SK", "other-secret");
    await createCsmsClient({ endpoint: server.url, projectId: "p1" }).listSecretEvents();
    expect(last().headers.authorization).toMatch(/Access=AK-OTHER,/);
    expect(last().headers["x-security-token"]).toBeUndefined();
    vi.stubEnv("HUAWEICLOUD_SDK_SK", "");
    vi.stubEnv("CLOUD_SDK_AK", "");
    vi.stubEnv("CLOUD_SDK_SK", "");
    expect(() => createCsmsClient({ endpoint: server.url })).toThrow(/HUAWEICLOUD_SDK_SK/);
  });

  it("no auth and no environment: construction fails, naming both ways to give credentials", () => {
    expect(() => createCsmsClient({ endpoint: server.url, projectId: "p1" })).toThrow(
      /^createCsmsClient: no credentials: .*auth: \{ token \}.*CLOUD_SDK_AK.*auth: "none"/,
    );
  });

  it('auth: "none" sends requests without credentials, for middleware that adds its own', async () => {
    const client = createCsmsClient({ endpoint: server.url, projectId: "p1", auth: "none" });
    await client.listSecretEvents();
    expect(last().headers.authorization).toBeUndefined();
    expect(last().headers["x-auth-token"]).toBeUndefined();
    client.use({
      onRequest: ({ request }) => {
        request.headers.set("X-Auth-Token", "from-middleware");
        return request;
      },
    });
    await client.listSecretEvents();
    expect(last().headers["x-auth-token"]).toBe("from-middleware");
  });

  it("createAuthMiddleware works on a plain openapi-fetch client", async () => {
    const raw = createClient<paths>({ baseUrl: server.url });
    raw.use(createAuthMiddleware({ ak: "AK123", sk: SK }, { projectId: "p9" }));
    await raw.POST("/v1/{project_id}/csms/events", {
      params: { path: { project_id: "p9" } },
      body: eventBody,
    });
    expect(last().headers["x-project-id"]).toBe("p9");
    expect(await verify()).toEqual({ ok: true, ak: "AK123" });
  });
});

describe("projectId", () => {
  it("fills {project_id} and is overridable per call", async () => {
    const client = createCsmsClient({
      endpoint: server.url,
      projectId: "default-p",
      auth: { token: "t" },
    });
    await client.listSecretEvents();
    expect(last().path).toBe("/v1/default-p/csms/events");
    await client.listSecretEvents({ params: { path: { project_id: "other-p" } } });
    expect(last().path).toBe("/v1/other-p/csms/events");
    await client.GET("/v1/{project_id}/csms/events");
    expect(last().path).toBe("/v1/default-p/csms/events");
    await client.raw.GET("/v1/{project_id}/csms/events", {
      params: { path: { project_id: "raw-p" } },
    });
    expect(last().path).toBe("/v1/raw-p/csms/events");
  });

  it("AK/SK: X-Project-Id follows the per-call project", async () => {
    const client = createCsmsClient({
      endpoint: server.url,
      projectId: "default-p",
      auth: { ak: "AK123", sk: SK },
    });
    await client.listSecretEvents({ params: { path: { project_id: "other-p" } } });
    expect(last().headers["x-project-id"]).toBe("other-p");
    expect(await verify()).toEqual({ ok: true, ak: "AK123" });
  });

  it("without a default, the per-call project is used", async () => {
    const client = createCtsClient({ endpoint: server.url, auth: { token: "t" } });
    await client.listNotifications({
      params: { path: { project_id: "call-p", notification_type: "fun" } },
    });
    expect(last().path).toBe("/v3/call-p/notifications/fun");
  });
});

describe("secret hygiene", () => {
  const leaks = (text: string) => [SK, TOKEN, STS].filter((s) => text.includes(s));

  it("the client shows no secret when logged, serialised or inspected", () => {
    const clients = [
      createCsmsClient({ endpoint: server.url, auth: { ak: "AK123", sk: SK, securityToken: STS } }),
      createCtsClient({ endpoint: server.url, auth: { token: TOKEN } }),
    ];
    vi.stubEnv("CLOUD_SDK_AK", "AK123");
    vi.stubEnv("CLOUD_SDK_SK", SK);
    clients.push(createCsmsClient({ endpoint: server.url }));
    const log = vi.spyOn(console, "log").mockImplementation(() => {});
    for (const client of clients) {
      console.log(client);
      expect(leaks(JSON.stringify(client))).toEqual([]);
      expect(leaks(inspect(client, { depth: Infinity, showHidden: true, getters: true }))).toEqual(
        [],
      );
      expect(leaks(String(client))).toEqual([]);
    }
    const printed = log.mock.calls.map((args) => inspect(args, { depth: Infinity })).join("\n");
    log.mockRestore();
    expect(leaks(printed)).toEqual([]);
    const middleware = createAuthMiddleware({ ak: "AK123", sk: SK, securityToken: STS });
    expect(
      leaks(
        JSON.stringify(middleware) + inspect(middleware, { showHidden: true, depth: Infinity }),
      ),
    ).toEqual([]);
  });

  it("errors carry no secret", async () => {
    const port = await freePort();
    const errors: unknown[] = [];
    const options = { projectId: "p", retry: false as const };
    errors.push(
      await createCsmsClient({
        endpoint: `http://127.0.0.1:${port}`,
        auth: { ak: "AK123", sk: SK, securityToken: STS },
        ...options,
      })
        .listSecretEvents()
        .catch((e: unknown) => e),
    );
    errors.push(
      await createCtsClient({
        endpoint: `http://127.0.0.1:${port}`,
        auth: { token: TOKEN },
        ...options,
      })
        .listNotifications({ params: { path: { notification_type: "smn" } } })
        .catch((e: unknown) => e),
    );
    const slow = await startServer(() => ({
      delayMs: 300,
      status: 401,
      body: { error_code: "CTS.0002", error_msg: "no" },
    }));
    errors.push(
      await createCtsClient({
        endpoint: slow.url,
        auth: { token: TOKEN },
        timeoutMs: 20,
        ...options,
      })
        .listNotifications({ params: { path: { notification_type: "smn" } } })
        .catch((e: unknown) => e),
    );
    const fastFail = await startServer(() => ({
      status: 401,
      body: { error_code: "CTS.0002", error_msg: "no" },
    }));
    const result = await createCtsClient({
      endpoint: fastFail.url,
      auth: { token: TOKEN },
      ...options,
    }).listNotifications({
      params: { path: { notification_type: "smn" } },
    });
    try {
      unwrap(result);
    } catch (e) {
      errors.push(e);
    }
    for (const bad of [
      { ak: "AK123" },
      { sk: SK },
      { token: TOKEN, ak: "AK123", sk: SK },
      { ak: "a,b", sk: SK },
    ]) {
      try {
        createCsmsClient({ endpoint: server.url, auth: bad as never });
        await createCsmsClient({
          endpoint: server.url,
          projectId: "p",
          auth: bad as never,
          retry: false,
        }).listSecretEvents();
      } catch (e) {
        errors.push(e);
      }
    }
    await slow.close();
    await fastFail.close();
    expect(errors[0]).toBeInstanceOf(NetworkError);
    expect(errors[2]).toBeInstanceOf(TimeoutError);
    expect(errors).toHaveLength(8);
    for (const error of errors) {
      const text = `${String(error)} ${(error as Error).stack} ${inspect(error, { depth: Infinity, showHidden: true })} ${JSON.stringify(error)}`;
      expect(leaks(text)).toEqual([]);
    }
  });
});
