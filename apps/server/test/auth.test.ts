import { writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { formatSdkDate, signRequest } from "@cts-csms/signer";
import { describe, expect, it } from "vitest";
import { createServer } from "../src/index.js";
import { request, start, tempDir } from "./helpers.js";

// The official Huawei Cloud SDK's signer: what real clients send.
const require = createRequire(import.meta.url);
const { AKSKSigner } = require("@huaweicloud/huaweicloud-sdk-core/auth/AKSKSigner.js") as {
  AKSKSigner: { sign(request: object, credential: object): Record<string, string> };
};

const EVENT = {
  name: "signed",
  event_types: ["SECRET_ROTATED"],
  state: "ENABLED",
  notification: { target_type: "SMN", target_id: "urn:smn:r:p:t", target_name: "t" },
};

function sdkSign(
  base: string,
  method: string,
  path: string,
  opts: { data?: unknown; query?: Record<string, string>; ak?: string; sk?: string } = {},
) {
  return AKSKSigner.sign(
    {
      endpoint: base + path,
      method,
      headers: opts.data === undefined ? {} : { "Content-Type": "application/json;charset=UTF-8" },
      queryParams: opts.query ?? {},
      data: opts.data,
    },
    { getAk: () => opts.ak ?? "AK1", getSk: () => opts.sk ?? "SK1" },
  );
}

describe("permissive mode (default)", async () => {
  const server = await start();
  const path = "/v1/p1/csms/events";

  it("missing credentials → 401 in each API's envelope", async () => {
    const csms = await server.call("GET", path, { bare: true });
    expect(csms.status).toBe(401);
    expect(csms.body.error.error_code).toBe("CSMS.9401");
    const cts = await server.call("GET", "/v3/p1/notifications/smn", { bare: true });
    expect(cts.status).toBe(401);
    expect(cts.body.error_code).toBe("CTS.0002");
    const empty = await server.call("GET", path, { bare: true, headers: { "X-Auth-Token": " " } });
    expect(empty.status).toBe(401);
  });

  it("any non-empty token is accepted", async () => {
    const res = await server.call("GET", path, {
      bare: true,
      headers: { "x-auth-token": "anything" },
    });
    expect(res.status).toBe(200);
  });

  it("a well-formed signature with a fresh X-Sdk-Date is accepted, whatever its key", async () => {
    const headers = sdkSign(server.url, "GET", path, { ak: "whoever", sk: "whatever" });
    const res = await server.call("GET", path, { bare: true, headers });
    expect(res.status).toBe(200);
  });

  it("stale or malformed X-Sdk-Date, or a malformed Authorization → 401", async () => {
    const good = sdkSign(server.url, "GET", path);
    const stale = formatSdkDate(new Date(Date.now() - 16 * 60 * 1000));
    const cases: Record<string, string>[] = [
      { ...good, "X-Sdk-Date": stale },
      { ...good, "X-Sdk-Date": "2024-01-01T00:00:00Z" },
      { Authorization: good.Authorization as string },
      { ...good, Authorization: "Bearer abc" },
      { ...good, Authorization: "SDK-HMAC-SHA256 Access=AK1, Signature=abc" },
    ];
    for (const headers of cases) {
      const res = await server.call("GET", path, { bare: true, headers });
      expect(res.status, JSON.stringify(headers)).toBe(401);
      expect(res.body.error.error_code).toBe("CSMS.9401");
    }
  });

  it("authentication comes before body parsing: bad JSON without credentials → 401", async () => {
    const res = await server.call("POST", path, {
      bare: true,
      raw: "{not json",
      headers: { "Content-Type": "application/json" },
    });
    expect(res.status).toBe(401);
  });
});

describe("strict mode", async () => {
  const dir = tempDir("auth");
  const file = join(dir, "credentials.json");
  writeFileSync(
    file,
    JSON.stringify({
      tokens: [
        { token: "t-p1", projects: ["p1"] },
        { token: "t-all", projects: ["*"] },
      ],
      aksk: [
        { ak: "AK1", sk: "SK1", projects: ["p1", "p2"] },
        { ak: "AK3", sk: "SK3", projects: ["p3"] },
      ],
    }),
  );
  const server = await start({ auth: "strict", credentials: file });
  const path = "/v1/p1/csms/events";

  it("a request signed by the official SDK signer with a listed AK/SK is accepted", async () => {
    const headers = sdkSign(server.url, "POST", path, { data: EVENT });
    const res = await server.call("POST", path, {
      bare: true,
      headers,
      raw: JSON.stringify(EVENT),
    });
    expect(res.status, res.text).toBe(200);
    expect(res.body.event.name).toBe("signed");

    const list = sdkSign(server.url, "GET", path, { query: { limit: "5" } });
    const listed = await server.call("GET", `${path}?limit=5`, { bare: true, headers: list });
    expect(listed.status, listed.text).toBe(200);
    expect(listed.body.events).toHaveLength(1);
  });

  it("the same request with one byte of the body changed → 401", async () => {
    const body = { ...EVENT, name: "signee" };
    const headers = sdkSign(server.url, "POST", path, { data: body });
    const tampered = JSON.stringify(body).replace("signee", "signed");
    const res = await server.call("POST", path, { bare: true, headers, raw: tampered });
    expect(res.status).toBe(401);
    expect(res.body.error.error_code).toBe("CSMS.9401");
    expect(res.body.error.error_msg).toContain("signature");
  });

  it("signed CTS delete with a comma-separated id list (raw commas) verifies", async () => {
    const ids = "cda8fd83-d08c-46f0-b914-1453a6a85c00,6d4a09bb-aa8e-40db-9e87-0d5e203823a8";
    const ctsPath = "/v3/p1/notifications";
    const headers = sdkSign(server.url, "DELETE", ctsPath, { query: { notification_id: ids } });
    const res = await server.call("DELETE", `${ctsPath}?notification_id=${ids}`, {
      bare: true,
      headers,
    });
    // Authenticated: the ids just do not exist.
    expect(res.status).toBe(404);
    expect(res.body.error_code).toBe("CTS.0403");
  });

  it("the @cts-csms/signer signature is accepted too", async () => {
    const raw = JSON.stringify({ ...EVENT, name: "ours" });
    const url = `${server.url}${path}`;
    const added = await signRequest(
      { method: "POST", url, headers: { "content-type": "application/json" }, body: raw },
      { ak: "AK1", sk: "SK1" },
    );
    const res = await server.call("POST", path, {
      bare: true,
      raw,
      headers: { "content-type": "application/json", ...added },
    });
    expect(res.status, res.text).toBe(200);
  });

  it("unknown AK, wrong SK, stale date, unknown token → 401", async () => {
    const cases = [
      sdkSign(server.url, "GET", path, { ak: "AK9" }),
      sdkSign(server.url, "GET", path, { sk: "wrong" }),
      { "X-Auth-Token": "t-unknown" },
    ];
    for (const headers of cases) {
      const res = await server.call("GET", path, { bare: true, headers });
      expect(res.status).toBe(401);
    }
    const staleDate = formatSdkDate(new Date(Date.now() - 20 * 60 * 1000));
    const stale = AKSKSigner.sign(
      {
        endpoint: server.url + path,
        method: "GET",
        headers: { "X-Sdk-Date": staleDate },
        queryParams: {},
      },
      { getAk: () => "AK1", getSk: () => "SK1" },
    );
    const res = await server.call("GET", path, {
      bare: true,
      headers: { ...stale, "X-Sdk-Date": staleDate },
    });
    expect(res.status).toBe(401);
    expect(res.body.error.error_msg).toContain("X-Sdk-Date");
  });

  it("valid credentials for another project → 403", async () => {
    const token = await server.call("GET", "/v1/p2/csms/events", {
      bare: true,
      headers: { "X-Auth-Token": "t-p1" },
    });
    expect(token.status).toBe(403);
    expect(token.body.error.error_code).toBe("CSMS.9403");
    const cts = await server.call("GET", "/v3/p2/notifications/smn", {
      bare: true,
      headers: { "X-Auth-Token": "t-p1" },
    });
    expect(cts.status).toBe(403);
    expect(cts.body.error_code).toBe("CTS.0013");
    const signed = sdkSign(server.url, "GET", "/v1/p3/csms/events");
    const aksk = await server.call("GET", "/v1/p3/csms/events", { bare: true, headers: signed });
    expect(aksk.status).toBe(403);
  });

  it('tokens and keys work on their projects; "*" covers every project', async () => {
    expect(
      (await server.call("GET", path, { bare: true, headers: { "X-Auth-Token": "t-p1" } })).status,
    ).toBe(200);
    expect(
      (
        await server.call("GET", "/v1/any-project/csms/events", {
          bare: true,
          headers: { "X-Auth-Token": "t-all" },
        })
      ).status,
    ).toBe(200);
    const p2 = sdkSign(server.url, "GET", "/v1/p2/csms/events");
    expect(
      (await server.call("GET", "/v1/p2/csms/events", { bare: true, headers: p2 })).status,
    ).toBe(200);
  });

  it("admin routes and the specs need no credentials", async () => {
    expect((await request(server.url, "GET", "/_admin/health", { bare: true })).status).toBe(200);
    expect((await request(server.url, "GET", "/openapi/cts.json", { bare: true })).status).toBe(
      200,
    );
  });

  it("rejects a bad credentials configuration at start-up, without echoing secrets", async () => {
    await expect(createServer({ port: 0, logger: false, auth: "strict" })).rejects.toThrow(
      /credentials/,
    );
    await expect(
      createServer({
        port: 0,
        logger: false,
        auth: "strict",
        credentials: { aksk: [{ ak: "A", sk: "" }] } as never,
      }),
    ).rejects.toThrow(/aksk\[0\]\.sk/);
    await expect(
      createServer({
        port: 0,
        logger: false,
        auth: "strict",
        credentials: join(dir, "missing.json"),
      }),
    ).rejects.toThrow(/missing\.json/);
  });
});
