// GET /: the docs when they are served, otherwise a JSON index whose every link works.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { api } from "@cts-csms/spec";
import { describe, expect, it } from "vitest";
import { request, start, tempDir } from "./helpers.js";

const specs = { cts: api("cts"), csms: api("csms") };

const docsDir = tempDir("root-docs");
writeFileSync(join(docsDir, "index.html"), "<!doctype html><title>API reference</title>");
const withDocs = await start({ docsDir });
const withoutDocs = await start({ docsDir: join(docsDir, "absent") });

describe("GET /", () => {
  it("redirects to /docs/ when the docs are served", async () => {
    const res = await fetch(`${withDocs.url}/`, { redirect: "manual" });
    expect(res.status).toBe(302);
    expect(res.headers.get("location")).toBe("/docs/");
    const followed = await fetch(`${withDocs.url}/`);
    expect(followed.status).toBe(200);
    expect(await followed.text()).toContain("<title>API reference</title>");
  });

  it("answers a JSON index of the routes when there are no docs", async () => {
    const res = await request(withoutDocs.url, "GET", "/", { bare: true });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^application\/json/);
    const index = res.body;
    expect(index.docs).toMatch(/^not served/);
    expect(Object.keys(index.apis).sort()).toEqual(["csms", "cts"]);
    for (const [api, spec] of Object.entries(specs)) {
      const entry = index.apis[api];
      expect(entry.title).toBe(spec.info.title);
      expect(entry.version).toBe(spec.info.version);
      const expected = spec.operations.map((op) => `${op.method} ${op.path}`);
      expect([...entry.operations].sort()).toEqual(expected.sort());
      expect(entry.base_path).toContain("{project_id}");
      for (const { path } of spec.paths) expect(path.startsWith(entry.base_path)).toBe(true);
      // The spec link serves that spec.
      const served = await request(withoutDocs.url, "GET", entry.spec, { bare: true });
      expect(served.status).toBe(200);
      expect(served.body.info.title).toBe(spec.info.title);
    }
    expect(index.routes).toEqual(
      expect.arrayContaining(["GET /_admin/health", "POST /_admin/reset"]),
    );
    expect(index.routes).not.toContain("GET /");
    expect(index.live).toBe("/_admin/live");
    for (const route of index.routes as string[]) {
      const [method, path] = route.split(" ") as [string, string];
      if (method !== "GET") continue;
      // With the spec's example for each required query parameter (the delivery log's project).
      const op = api("admin").operations.find((o) => o.method === "GET" && o.path === path);
      const query = new URLSearchParams();
      for (const p of op?.parameters ?? []) {
        if (p.in === "query" && p.required) query.set(p.name, String(p.example));
      }
      // Path parameters take the spec's examples too.
      const filled = path.replace(/\{(\w+)\}/g, (_, name: string) => {
        const param = op?.parameters.find((p) => p.in === "path" && p.name === name);
        return encodeURIComponent(String(param?.example));
      });
      const url = query.size > 0 ? `${filled}?${query}` : filled;
      if (op?.operationId === "streamLiveEvents") {
        // An event stream never ends: its answer's start is enough.
        const stream = await fetch(`${withoutDocs.url}${url}`);
        expect(stream.status, route).toBe(200);
        expect(stream.headers.get("content-type"), route).toMatch(/^text\/event-stream/);
        await stream.body?.cancel();
        continue;
      }
      // A fresh server holds no trace, so the example trace is not found (in the envelope).
      const expected = op?.operationId === "explainTrace" ? 404 : 200;
      const answer = await request(withoutDocs.url, "GET", url, { bare: true });
      expect(answer.status, route).toBe(expected);
    }
  });

  it("other methods on / → 405 with Allow", async () => {
    const res = await request(withoutDocs.url, "POST", "/", { bare: true });
    expect(res.status).toBe(405);
    expect(res.headers.get("allow")).toBe("GET");
  });
});
