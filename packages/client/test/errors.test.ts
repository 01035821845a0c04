import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  CsmsApiError,
  CtsApiError,
  createCsmsClient,
  createCtsClient,
  HuaweiApiError,
  unwrap,
} from "../src/index.js";
import { startServer, type TestServer } from "./server.js";

let server: TestServer;
beforeAll(async () => {
  server = await startServer((req) => {
    const headers = { "x-request-id": "req-123" };
    if (req.path.startsWith("/v3/")) {
      if (req.path.endsWith("/fun"))
        return {
          status: 502,
          body: "<html>bad gateway</html>",
          headers: { "content-type": "text/html" },
        };
      return {
        status: 404,
        headers,
        body: { error_code: "CTS.0403", error_msg: "notification does not exist" },
      };
    }
    if (req.path.endsWith("/missing")) {
      return {
        status: 404,
        headers,
        body: { error: { error_code: "CSMS.0005", error_msg: "event missing does not exist" } },
      };
    }
    if (req.path.endsWith("/gone")) return { status: 404, headers };
    return { status: 204 };
  });
});
afterAll(() => server.close());

const cts = (throwOnError = false) =>
  createCtsClient({
    endpoint: server.url,
    projectId: "p",
    auth: { token: "t" },
    retry: false,
    throwOnError,
  });
const csms = (throwOnError = false) =>
  createCsmsClient({
    endpoint: server.url,
    projectId: "p",
    auth: { token: "t" },
    retry: false,
    throwOnError,
  });

describe("errors", () => {
  it("CTS flat envelope: typed error result, normalised by unwrap", async () => {
    const result = await cts().listNotifications({
      params: { path: { notification_type: "smn" } },
    });
    expect(result.data).toBeUndefined();
    expect(result.error).toEqual({
      error_code: "CTS.0403",
      error_msg: "notification does not exist",
    });
    expect(result.error?.error_code).toBe("CTS.0403");
    const error = (() => {
      try {
        unwrap(result);
      } catch (e) {
        return e;
      }
    })() as CtsApiError;
    expect(error).toBeInstanceOf(CtsApiError);
    expect(error).toBeInstanceOf(HuaweiApiError);
    expect(error).toMatchObject({
      name: "CtsApiError",
      status: 404,
      errorCode: "CTS.0403",
      errorMessage: "notification does not exist",
      requestId: "req-123",
    });
    expect(error.message).toBe(
      "CTS API error 404 CTS.0403: notification does not exist (request id req-123)",
    );
    expect(error.response?.status).toBe(404);
  });

  it("CSMS nested envelope: normalised to the same fields", async () => {
    const result = await csms().showSecretEvent({ params: { path: { event_name: "missing" } } });
    // The error type also holds the gateway's flat 429 envelope: narrow to the CSMS one.
    const body = result.error && "error" in result.error ? result.error.error : undefined;
    expect(body?.error_code).toBe("CSMS.0005");
    expect(() => unwrap(result)).toThrow(CsmsApiError);
    try {
      unwrap(result);
    } catch (e) {
      expect(e).toMatchObject({
        name: "CsmsApiError",
        status: 404,
        errorCode: "CSMS.0005",
        errorMessage: "event missing does not exist",
        requestId: "req-123",
      });
      expect(e).not.toBeInstanceOf(CtsApiError);
    }
  });

  it("a non-envelope body still gives the API's error class", async () => {
    const result = await cts().listNotifications({
      params: { path: { notification_type: "fun" } },
    });
    expect(() => unwrap(result)).toThrow(CtsApiError);
    try {
      unwrap(result);
    } catch (e) {
      expect(e).toMatchObject({
        status: 502,
        errorCode: undefined,
        errorMessage: "<html>bad gateway</html>",
      });
    }
    const empty = await csms().showSecretEvent({ params: { path: { event_name: "gone" } } });
    expect(() => unwrap(empty)).toThrow(CsmsApiError);
  });

  it("unwrap returns data on success (undefined for 204)", async () => {
    const result = await csms().deleteSecretEvent({ params: { path: { event_name: "x" } } });
    expect(unwrap(result)).toBeUndefined();
  });

  it("throwOnError: true throws from operations and from the raw client", async () => {
    await expect(
      cts(true).listNotifications({ params: { path: { notification_type: "smn" } } }),
    ).rejects.toMatchObject({ name: "CtsApiError", errorCode: "CTS.0403", requestId: "req-123" });
    await expect(
      csms(true).GET("/v1/{project_id}/csms/events/{event_name}", {
        params: { path: { event_name: "missing" } },
      }),
    ).rejects.toBeInstanceOf(CsmsApiError);
    const ok = await csms(true).deleteSecretEvent({ params: { path: { event_name: "x" } } });
    expect(ok.response.status).toBe(204);
  });

  it("user middleware still sees error responses before throwOnError throws", async () => {
    const client = cts(true);
    const seen: number[] = [];
    client.use({ onResponse: ({ response }) => void seen.push(response.status) });
    await expect(
      client.listNotifications({ params: { path: { notification_type: "smn" } } }),
    ).rejects.toBeInstanceOf(CtsApiError);
    expect(seen).toEqual([404]);
  });
});
