// Logs: one structured JSON line per request with its request id, and never a credential, even
// at trace level, for accepted and rejected requests alike.
import { Writable } from "node:stream";
import { signRequest } from "@cts-csms/signer";
import { pino } from "pino";
import { afterAll, expect, it } from "vitest";
import { createServer } from "../src/index.js";
import { request } from "./helpers.js";

const TOKEN = "tok-0123456789-very-secret";
const SK = "sk-0123456789-very-secret";
const lines: string[] = [];
const sink = new Writable({
  write(chunk, _encoding, done) {
    lines.push(...chunk.toString().split("\n").filter(Boolean));
    done();
  },
});

const server = await createServer({
  port: 0,
  auth: "strict",
  credentials: {
    tokens: [{ token: TOKEN, projects: ["p1"] }],
    aksk: [{ ak: "AKLOG", sk: SK, projects: ["p1"] }],
  },
  logger: pino({ level: "trace" }, sink),
});
afterAll(() => server.close());

it("logs each request with its id and never a token or secret key", async () => {
  const ok = await request(server.url, "GET", "/v1/p1/csms/events", {
    bare: true,
    headers: { "X-Auth-Token": TOKEN },
  });
  expect(ok.status).toBe(200);
  const wrong = await request(server.url, "GET", "/v1/p2/csms/events", {
    bare: true,
    headers: { "X-Auth-Token": `${TOKEN}x` },
  });
  expect(wrong.status).toBe(401);
  const url = `${server.url}/v1/p1/csms/events`;
  const signed = await signRequest({ method: "GET", url, headers: {} }, { ak: "AKLOG", sk: SK });
  const aksk = await request(server.url, "GET", "/v1/p1/csms/events", {
    bare: true,
    headers: signed,
  });
  expect(aksk.status).toBe(200);
  const badSig = await signRequest(
    { method: "GET", url, headers: {} },
    { ak: "AKLOG", sk: `${SK}x` },
  );
  expect(
    (await request(server.url, "GET", "/v1/p1/csms/events", { bare: true, headers: badSig }))
      .status,
  ).toBe(401);
  await new Promise((r) => setTimeout(r, 50));

  const log = lines.join("\n");
  expect(log).not.toContain("very-secret");
  expect(log).not.toContain(signed.Authorization!.split("Signature=")[1]);
  const requests = lines.map((l) => JSON.parse(l)).filter((l) => l.msg === "request");
  expect(requests).toHaveLength(4);
  for (const r of requests) expect(r.reqId).toMatch(/\S/);
  expect(requests.map((r) => r.status)).toEqual([200, 401, 200, 401]);
  expect(ok.headers.get("x-request-id")).toBe(requests[0].reqId);
});
