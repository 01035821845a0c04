import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { type ClientOptions, createCsmsClient, createCtsClient } from "../src/index.js";

beforeEach(() => {
  for (const prefix of ["CLOUD_SDK", "HUAWEICLOUD_SDK"]) {
    vi.stubEnv(`${prefix}_AK`, "");
    vi.stubEnv(`${prefix}_SK`, "");
  }
});
afterEach(() => vi.unstubAllEnvs());

/** Captures the URL a client would call, through an injected fetch (no network). */
async function urlOf(
  create: typeof createCtsClient | typeof createCsmsClient,
  options: ClientOptions,
) {
  let seen = "";
  const fetch = async (request: Request) => {
    seen = request.url;
    return new Response("{}", { status: 200, headers: { "content-type": "application/json" } });
  };
  const client = create({ auth: "none", ...options, fetch, projectId: "p" }) as any;
  await client.GET(
    create === createCtsClient
      ? "/v3/{project_id}/notifications/{notification_type}"
      : "/v1/{project_id}/csms/events",
    {
      params: { path: { notification_type: "smn" } },
    },
  );
  return seen;
}

describe("endpoint resolution", () => {
  it("region → the regional endpoint of each API", async () => {
    expect(await urlOf(createCtsClient, { region: "cn-north-4" })).toBe(
      "https://cts.cn-north-4.myhuaweicloud.com/v3/p/notifications/smn",
    );
    expect(await urlOf(createCsmsClient, { region: "ap-southeast-1" })).toBe(
      "https://kms.ap-southeast-1.myhuaweicloud.com/v1/p/csms/events",
    );
  });

  it("endpoint wins over region; a base path and trailing slash are kept right", async () => {
    expect(
      await urlOf(createCtsClient, { region: "cn-north-4", endpoint: "http://127.0.0.1:8080/" }),
    ).toBe("http://127.0.0.1:8080/v3/p/notifications/smn");
    expect(await urlOf(createCsmsClient, { endpoint: "https://proxy.example.com/huawei/" })).toBe(
      "https://proxy.example.com/huawei/v1/p/csms/events",
    );
  });

  it("plain http is fine for loopback hosts", () => {
    for (const endpoint of [
      "http://localhost:8080",
      "http://127.0.0.1",
      "http://127.1.2.3:1",
      "http://[::1]:8080",
      "http://api.localhost",
    ]) {
      expect(() => createCtsClient({ endpoint, auth: "none" })).not.toThrow();
    }
  });

  it("the injected fetch is used, with extra headers and userAgent", async () => {
    const seen: Request[] = [];
    const client = createCsmsClient({
      region: "cn-north-4",
      projectId: "p",
      auth: { token: "t" },
      userAgent: "my-app/1.0",
      headers: { "X-Language": "en-us" },
      fetch: async (r) => {
        seen.push(r);
        return new Response(null, { status: 204 });
      },
    });
    await client.deleteSecretEvent({ params: { path: { event_name: "e" } } });
    expect(seen[0]!.headers.get("user-agent")).toBe("my-app/1.0");
    expect(seen[0]!.headers.get("x-language")).toBe("en-us");
    expect(seen[0]!.headers.get("x-auth-token")).toBe("t");
  });
});

describe("bad options fail fast", () => {
  const cases: [string, ClientOptions, RegExp][] = [
    ["no endpoint and no region", {}, /options\.endpoint or options\.region is required/],
    ["malformed region", { region: "CN_NORTH" }, /options\.region must be a region ID/],
    ["region without a dash", { region: "cnnorth4" }, /options\.region/],
    ["region with a trailing dash", { region: "cn-" }, /options\.region/],
    [
      "AK without SK",
      { region: "cn-north-4", auth: { ak: "AK" } as never },
      /auth\.ak is given without auth\.sk/,
    ],
    [
      "SK without AK",
      { region: "cn-north-4", auth: { sk: "SK" } as never },
      /auth\.sk is given without auth\.ak/,
    ],
    ["empty token", { region: "cn-north-4", auth: { token: "" } }, /auth\.token/],
    [
      "token and AK/SK",
      { region: "cn-north-4", auth: { token: "t", ak: "a", sk: "s" } as never },
      /not both/,
    ],
    [
      "http to a remote host",
      { endpoint: "http://cts.example.com" },
      /plain http.*allowInsecureHttp/,
    ],
    ["http to 10.x", { endpoint: "http://10.0.0.1:8080" }, /allowInsecureHttp/],
    [
      "not a URL",
      { endpoint: "cts.example.com" },
      /options\.endpoint must be an absolute http\(s\) URL/,
    ],
    ["ftp endpoint", { endpoint: "ftp://example.com" }, /options\.endpoint/],
    [
      "credentials in the URL",
      { endpoint: "https://u:p@example.com" },
      /must not contain credentials/,
    ],
    ["bad projectId", { region: "cn-north-4", projectId: "a/b" }, /options\.projectId/],
    ["bad timeout", { region: "cn-north-4", timeoutMs: 0 }, /options\.timeoutMs/],
    [
      "bad maxAttempts",
      { region: "cn-north-4", retry: { maxAttempts: 0 } },
      /options\.retry\.maxAttempts/,
    ],
    [
      "bad baseDelayMs",
      { region: "cn-north-4", retry: { baseDelayMs: -1 } },
      /options\.retry\.baseDelayMs/,
    ],
  ];
  for (const [name, options, message] of cases) {
    it(name, () => {
      // Each case is about one option: credentials are given unless the case sets auth.
      const withAuth: ClientOptions = { auth: { token: "t" }, ...options };
      expect(() => createCtsClient(withAuth)).toThrow(TypeError);
      expect(() => createCtsClient(withAuth)).toThrow(message);
      expect(() => createCsmsClient(withAuth)).toThrow(/^createCsmsClient: /);
    });
  }

  it("no credentials and none in the environment, unless explicitly anonymous", () => {
    for (const create of [createCtsClient, createCsmsClient]) {
      expect(() => create({ region: "cn-north-4" })).toThrow(TypeError);
      expect(() => create({ region: "cn-north-4" })).toThrow(
        /no credentials: pass auth: \{ token \} or \{ ak, sk \}, set CLOUD_SDK_AK and CLOUD_SDK_SK .*auth: "none"/,
      );
      expect(() => create({ region: "cn-north-4", auth: "none" })).not.toThrow();
    }
    for (const auth of ["anonymous", null, 42]) {
      expect(() => createCtsClient({ region: "cn-north-4", auth: auth as never })).toThrow(
        /options\.auth must be \{ token \}, \{ ak, sk \} or "none"/,
      );
    }
  });

  it("allowInsecureHttp: true permits remote plain http", () => {
    expect(() =>
      createCtsClient({
        endpoint: "http://cts.example.com",
        allowInsecureHttp: true,
        auth: { token: "t" },
      }),
    ).not.toThrow();
  });
});
