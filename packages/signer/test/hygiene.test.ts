/** Secrets never leave through serialisation, inspection, errors, results or the console. */
import { readdirSync, readFileSync } from "node:fs";
import { inspect } from "node:util";
import { afterEach, describe, expect, it, vi } from "vitest";
import * as web from "../src/index.js";
import * as node from "../src/node.js";

const SK = "Sup3r-Secret-SK-do-not-leak";
const TOKEN = "Secret-Session-Token-do-not-leak";

describe("createCredentials", () => {
  const creds = web.createCredentials({
    ak: "AKEXAMPLE",
    sk: SK,
    securityToken: TOKEN,
    projectId: "proj",
  });

  it("redacts sk and securityToken in JSON, util.inspect, String() and template strings", () => {
    for (const text of [
      JSON.stringify(creds),
      JSON.stringify({ nested: { creds } }),
      inspect(creds),
      inspect({ nested: creds }, { depth: 10 }),
      inspect(creds, { showHidden: true }),
      String(creds),
      `${creds}`,
    ]) {
      expect(text).not.toContain(SK);
      expect(text).not.toContain(TOKEN);
    }
    expect(JSON.parse(JSON.stringify(creds))).toEqual({
      ak: "AKEXAMPLE",
      sk: "[REDACTED]",
      securityToken: "[REDACTED]",
      projectId: "proj",
    });
  });

  it("keeps sk out of enumeration and spreads, and is frozen", () => {
    expect(Object.keys(creds)).not.toContain("sk");
    expect(Object.values(creds)).not.toContain(SK);
    expect(JSON.stringify({ ...creds })).not.toContain(SK);
    expect(Object.isFrozen(creds)).toBe(true);
    expect(() => {
      (creds as { sk: string }).sk = "x";
    }).toThrow(TypeError);
  });

  it("still signs (and the result verifies)", async () => {
    const date = new Date("2024-01-01T00:00:00Z");
    const input = { method: "GET", url: "https://h.example.com/x" };
    const a = await web.signRequest(input, creds, { date });
    const b = await web.signRequest(
      input,
      { ak: "AKEXAMPLE", sk: SK, securityToken: TOKEN, projectId: "proj" },
      { date },
    );
    expect(a).toEqual(b);
  });
});

describe.each([
  ["web", web],
  ["node", node],
])("no secret in outputs or errors (%s)", (_name, impl) => {
  const spies: ReturnType<typeof vi.spyOn>[] = [];
  afterEach(() => {
    for (const spy of spies) {
      expect(spy).not.toHaveBeenCalled();
      spy.mockRestore();
    }
    spies.length = 0;
  });
  const watchConsole = () => {
    for (const method of ["log", "info", "warn", "error", "debug", "trace"] as const) {
      spies.push(vi.spyOn(console, method));
    }
  };

  it("signRequest output contains no SK", async () => {
    watchConsole();
    const added = await impl.signRequest(
      { method: "POST", url: "https://h.example.com/", body: SK },
      { ak: "AK", sk: SK },
    );
    expect(JSON.stringify(added)).not.toContain(SK);
  });

  it("credential errors name the field, never the value", async () => {
    watchConsole();
    const bad = [
      { ak: "", sk: SK },
      { ak: `AK,${SK}`, sk: SK },
      { ak: "AK", sk: "" },
      { ak: 42, sk: SK },
    ];
    for (const c of bad) {
      const error = await impl
        .signRequest({ method: "GET", url: "https://h.example.com/" }, c as never)
        .then(
          () => null,
          (e: unknown) => e,
        );
      expect(error).toBeInstanceOf(TypeError);
      expect(String((error as Error).message)).not.toContain(SK);
      expect(inspect(error)).not.toContain(SK);
    }
  });

  it("verification results are fixed reasons without the SK", async () => {
    watchConsole();
    const date = new Date("2024-01-01T00:00:00Z");
    const added = await impl.signRequest(
      { method: "GET", url: "https://h.example.com/" },
      { ak: "AK", sk: SK },
      { date },
    );
    const headers = {
      host: "h.example.com",
      "x-sdk-date": added["X-Sdk-Date"],
      authorization: added.Authorization,
    };
    const results = await Promise.all([
      impl.verifySignature({ method: "GET", url: "/", headers }, () => SK, { now: date }),
      impl.verifySignature({ method: "PUT", url: "/", headers }, () => SK, { now: date }),
      impl.verifySignature({ method: "GET", url: "/", headers }, () => undefined, { now: date }),
      impl.verifySignature({ method: "GET", url: "/", headers }, () => SK),
      impl.verifySignature(
        { method: "GET", url: "/", headers: { ...headers, authorization: SK } },
        () => SK,
      ),
    ]);
    expect(results.map((r) => (r.ok ? "ok" : r.reason))).toEqual([
      "ok",
      "bad_signature",
      "unknown_ak",
      "stale_date",
      "malformed",
    ]);
    for (const r of results) expect(inspect(r) + JSON.stringify(r)).not.toContain(SK);
  });
});

describe("source hygiene", () => {
  const read = (file: string) => readFileSync(new URL(`../src/${file}`, import.meta.url), "utf8");
  const importsOf = (file: string) =>
    [...read(file).matchAll(/(?:import|export)[^;]*?from\s+"([^"]+)"/g)].map((m) => m[1] as string);

  it("the default entry's import graph has no node: (or other bare) imports", () => {
    const seen = new Set<string>();
    const visit = (file: string) => {
      if (seen.has(file)) return;
      seen.add(file);
      for (const spec of importsOf(file)) {
        expect(spec, `${file} imports ${spec}`).toMatch(/^\.\//);
        visit(spec.slice(2).replace(/\.js$/, ".ts"));
      }
    };
    visit("index.ts");
    expect(seen.has("nodecrypto.ts")).toBe(false);
    expect(seen.size).toBeGreaterThan(5);
  });

  it("no console calls anywhere in src", () => {
    const files = readdirSync(new URL("../src/", import.meta.url)).filter((f) => f.endsWith(".ts"));
    expect(files.length).toBeGreaterThan(5);
    for (const file of files) {
      expect(read(file), file).not.toMatch(/\bconsole\./);
    }
  });
});
