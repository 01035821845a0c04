// serve.mjs: content types, directory handling, the /docs/ mount, and no way out of the root.
import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { request } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { resolveInRoot, startStaticServer } from "../serve.mjs";

// A throwaway root with a secret next to it, so a traversal has something to find.
const sandbox = mkdtempSync(join(tmpdir(), "cts-csms-docs-serve-"));
const root = join(sandbox, "site");
const SECRET = "TOP-SECRET-DO-NOT-SERVE";

type Server = { url: string; port: number; close(): Promise<void> };
let plain: Server;
let mounted: Server;

/** A raw GET: fetch() would normalise `..` and encoded slashes away before sending. */
function get(port: number, path: string, method = "GET") {
  return new Promise<{ status: number; type?: string; location?: string; body: string }>(
    (resolve, reject) => {
      const req = request({ host: "127.0.0.1", port, path, method }, (res) => {
        let body = "";
        res.setEncoding("utf8");
        res.on("data", (c) => {
          body += c;
        });
        res.on("end", () =>
          resolve({
            status: res.statusCode ?? 0,
            type: res.headers["content-type"],
            location: res.headers.location,
            body,
          }),
        );
      });
      req.on("error", reject);
      req.end();
    },
  );
}

beforeAll(async () => {
  mkdirSync(join(root, "sub"), { recursive: true });
  writeFileSync(join(root, "index.html"), "<!doctype html><title>home</title>");
  writeFileSync(join(root, "cts.html"), "<!doctype html><title>cts</title>");
  writeFileSync(join(root, "app.js"), "export {};");
  writeFileSync(join(root, "data.json"), "{}");
  writeFileSync(join(root, "sub", "index.html"), "<!doctype html><title>sub</title>");
  writeFileSync(join(sandbox, "secret.txt"), SECRET);
  writeFileSync(join(sandbox, "site-secret.txt"), SECRET);
  plain = await startStaticServer({ root, port: 0 });
  mounted = await startStaticServer({ root, port: 0, base: "/docs/" });
});

afterAll(async () => {
  try {
    await plain?.close();
    await mounted?.close();
  } finally {
    rmSync(sandbox, { recursive: true, force: true });
  }
});

describe("serve.mjs", () => {
  it("listens on 127.0.0.1 and reports its URL", () => {
    expect(plain.url).toBe(`http://127.0.0.1:${plain.port}/`);
    expect(plain.port).toBeGreaterThan(0);
  });

  it.each([
    ["/", "text/html; charset=utf-8", "home"],
    ["/index.html", "text/html; charset=utf-8", "home"],
    ["/cts.html", "text/html; charset=utf-8", "cts"],
    ["/cts.html?x=1#y", "text/html; charset=utf-8", "cts"],
    ["/app.js", "text/javascript; charset=utf-8", "export"],
    ["/data.json", "application/json; charset=utf-8", "{}"],
    ["/sub/", "text/html; charset=utf-8", "sub"],
  ])("serves %s as %s", async (path, type, text) => {
    const res = await get(plain.port, path);
    expect(res.status).toBe(200);
    expect(res.type).toBe(type);
    expect(res.body).toContain(text);
  });

  it("redirects a directory without its slash, 404s unknown files, 405s other methods", async () => {
    expect(await get(plain.port, "/sub")).toMatchObject({ status: 301, location: "/sub/" });
    expect((await get(plain.port, "/nope.html")).status).toBe(404);
    expect((await get(plain.port, "/", "POST")).status).toBe(405);
    const head = await get(plain.port, "/cts.html", "HEAD");
    expect(head).toMatchObject({ status: 200, body: "" });
  });

  it.each([
    "/../secret.txt",
    "/..%2fsecret.txt",
    "/%2e%2e/secret.txt",
    "/%2e%2e%2fsecret.txt",
    "/..%5csecret.txt",
    "/sub/..%2f..%2fsecret.txt",
    "/..%2fsite-secret.txt",
    "/%2fetc%2fpasswd",
    "/cts.html%00.txt",
    "/%E0%A4%A",
  ])("does not escape the root with %s", async (path) => {
    const res = await get(plain.port, path);
    expect([400, 404]).toContain(res.status);
    expect(res.body).not.toContain(SECRET);
    expect(res.body).not.toContain("root:");
  });

  it("resolveInRoot keeps paths inside the root", () => {
    expect(resolveInRoot(root, "/cts.html")).toBe(join(root, "cts.html"));
    expect(resolveInRoot(root, "/")).toBe(root);
    expect(resolveInRoot(root, "/a/../cts.html")).toBe(join(root, "cts.html"));
    expect(resolveInRoot(root, "/../secret.txt")).toBeNull();
    expect(resolveInRoot(root, "/..%2f..%2fetc%2fpasswd")).toBeNull();
    expect(resolveInRoot(root, "/../site-secret.txt")).toBeNull();
    expect(resolveInRoot(root, "/%ZZ")).toBeNull();
  });

  it("mounts under a base path like the reference server's /docs/", async () => {
    expect(mounted.url).toBe(`http://127.0.0.1:${mounted.port}/docs/`);
    expect(await get(mounted.port, "/docs")).toMatchObject({ status: 301, location: "/docs/" });
    expect((await get(mounted.port, "/docs/")).body).toContain("home");
    expect((await get(mounted.port, "/docs/cts.html")).body).toContain("cts");
    expect((await get(mounted.port, "/cts.html")).status).toBe(404);
    const outside = await get(mounted.port, "/docs/..%2f..%2fsecret.txt");
    expect([400, 404]).toContain(outside.status);
    expect(outside.body).not.toContain(SECRET);
  });

  it("runs as a CLI with --port 0 and prints its URL", async () => {
    const script = fileURLToPath(new URL("../serve.mjs", import.meta.url));
    const child = spawn(process.execPath, [script, "--port", "0"], { stdio: "pipe" });
    try {
      const url = await new Promise<string>((resolve, reject) => {
        let out = "";
        child.stdout.on("data", (c) => {
          out += c;
          const m = out.match(/http:\/\/127\.0\.0\.1:\d+\//);
          if (m) resolve(m[0]);
        });
        child.on("exit", (code) => reject(new Error(`serve.mjs exited with ${code}: ${out}`)));
      });
      const res = await get(Number(new URL(url).port), "/");
      expect([200, 404]).toContain(res.status); // 404 only if dist/ has not been built
    } finally {
      child.kill();
    }
  });
});
