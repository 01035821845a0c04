// Every request sample the docs show runs against the reference server as a reader runs them: top
// to bottom in the order the pages show them (cts, csms, admin; Redoc's order within a page), on
// one fresh server started as `npm start` starts it, nothing arranged: each curl command through
// the shell, each TypeScript sample type-checked against @cts-csms/client and then run with node.
// The samples are used as generated; only the base URL is swapped for the test server's port, and
// a value a sample reads from an earlier answer (NOTIFICATION_ID) is set from that answer.
import { execFile as execFileCb } from "node:child_process";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { api as model } from "@cts-csms/spec";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { codeSamples, sampleServers } from "../scripts/samples.mjs";
import { APIS, loadSpec } from "../scripts/site.mjs";

const require = createRequire(import.meta.url);
const execFile = promisify(execFileCb);
const workDir = fileURLToPath(new URL("../test-results/samples/", import.meta.url));

const apis = APIS.map((api) => {
  const spec = loadSpec(api);
  return { api, spec, local: sampleServers(spec).local, samples: codeSamples(api) };
});
const samples = apis.flatMap(({ samples, local, spec }) =>
  samples.map((sample: any) => ({ ...sample, local, spec })),
);

type Server = {
  url: string;
  responseValidationFailures(): number;
  close(): Promise<void>;
};
const baseEnv = {
  ...process.env,
  IAM_TOKEN: "docs-sample-token",
  // A proxy from the environment must not take the samples' loopback requests elsewhere.
  NO_PROXY: "127.0.0.1,localhost",
  no_proxy: "127.0.0.1,localhost",
};

/**
 * One reader's run: every sample of one language, in reader order, on its own fresh server with
 * `npm start`'s options, nothing arranged. What a sample declares it reads from an earlier answer
 * (`variables`) is taken from that answer's output, as a reader copies it.
 */
type Run = { server: Server; env: Record<string, string | undefined> };
const runs: Record<"curl" | "typescript", Run> = {} as never;

/** The value of `property` in the first answer a sample printed. */
function answered(language: "curl" | "typescript", output: string, property: string) {
  if (language === "curl") {
    // curl -i: status line, headers, blank line, the JSON body.
    const body = output.slice(output.indexOf("\r\n\r\n") + 4).split(/^HTTP\//m)[0];
    return (JSON.parse(body) as Record<string, string>)[property];
  }
  // console.log(result): util.inspect's `property: 'value'`.
  return new RegExp(`\\b${property}: '([^']*)'`).exec(output)?.[1];
}

/** Keeps what later samples of the same page read from this sample's answer. */
function capture(run: Run, language: "curl" | "typescript", sample: any, output: string) {
  const read = samples.filter((s: any) => s.api === sample.api).flatMap((s: any) => s.variables);
  for (const v of read) {
    if (v.operationId !== sample.operationId) continue;
    const value = answered(language, output, v.property);
    expect(value, `${sample.operationId} answered no ${v.property}:\n${output}`).toBeTruthy();
    run.env[v.name] = value;
  }
}

const fileOf = (sample: { api: string; operationId: string }) =>
  `${sample.api}-${sample.operationId}`;

let typecheck: Promise<string>;

beforeAll(async () => {
  const { createServer } = await import("@cts-csms/server");
  // Two readers, two fresh servers: each language's samples are the whole story on their own
  // (run both on one server and the second createSecret finds its name taken).
  for (const language of ["curl", "typescript"] as const) {
    const server = (await createServer({ port: 0, logger: false })) as Server;
    runs[language] = { server, env: { ...baseEnv } };
  }
  const server = runs.typescript.server;

  // The TypeScript samples, compiled once: type errors are the first test, the JS runs below.
  rmSync(workDir, { recursive: true, force: true });
  mkdirSync(workDir, { recursive: true });
  for (const sample of samples) {
    const source = sample.typescript.replaceAll(sample.local, server.url);
    writeFileSync(join(workDir, `${fileOf(sample)}.mts`), `${source}\nexport {};\n`);
  }
  writeFileSync(
    join(workDir, "tsconfig.json"),
    JSON.stringify({
      extends: require.resolve("@cts-csms/tsconfig/base.json"),
      compilerOptions: {
        outDir: "out",
        rootDir: ".",
        types: ["node"],
        declaration: false,
        declarationMap: false,
        sourceMap: false,
      },
      include: ["*.mts"],
    }),
  );
  const tsc = require.resolve("typescript/bin/tsc");
  typecheck = execFile(process.execPath, [tsc, "-p", join(workDir, "tsconfig.json")]).then(
    () => "",
    (err: { stdout: string; message: string }) => err.stdout || err.message,
  );
  await typecheck;
}, 120_000);

afterAll(async () => {
  for (const run of Object.values(runs)) await run?.server.close();
});

describe("the docs' request samples, against the reference server", () => {
  it("covers every operation of every spec with a curl and a TypeScript sample", () => {
    const operations = APIS.flatMap((api) => model(api.id).operations.map((op) => op.operationId));
    expect(samples.map((s) => s.operationId).sort()).toEqual(operations.sort());
    for (const sample of samples) {
      expect(sample.curl).toContain(sample.local);
      // The Huawei APIs take a token; the reference server's own admin API takes none.
      if (sample.api === "admin") expect(sample.curl).not.toContain("X-Auth-Token");
      else expect(sample.curl).toContain('-H "X-Auth-Token: $IAM_TOKEN"');
      expect(sample.typescript).toContain('from "@cts-csms/client"');
      expect(sample.typescript).toContain(`.${sample.operationId}(`);
    }
  });

  it("type-checks every TypeScript sample against @cts-csms/client", async () => {
    expect(await typecheck).toBe("");
  });

  // Reader order: it.each runs its cases one after another, in the order of `samples`.
  // An event stream's sample never ends by itself: it is not run here (`stream`, samples.mjs);
  // the server's live test reads that stream over HTTP.
  const ending = samples.filter((s: any) => !s.stream);
  it("leaves out only the event streams from the runs", () => {
    expect(samples.filter((s: any) => s.stream).map((s: any) => s.operationId)).toEqual([
      "streamLiveEvents",
    ]);
    expect(samples.find((s: any) => s.stream)?.curl).toContain("curl -iN ");
  });

  it.each(ending)("curl: $api $operationId answers 2xx", async (sample) => {
    const run = runs.curl;
    const command = sample.curl.replaceAll(sample.local, run.server.url);
    const { stdout } = await execFile("sh", ["-c", command], { env: run.env });
    // A sample with several request examples prints one answer each.
    const statuses = [...stdout.matchAll(/^HTTP\/[\d.]+ (\d{3})/gm)].map((m) => m[1]);
    expect(statuses.length, stdout).toBeGreaterThan(0);
    for (const status of statuses) expect(status, stdout).toMatch(/^2\d\d$/);
    capture(run, "curl", sample, stdout);
  });

  it.each(ending)("TypeScript: $api $operationId succeeds", async (sample) => {
    expect(await typecheck, "the samples do not compile").toBe("");
    const run = runs.typescript;
    const script = join(workDir, "out", `${fileOf(sample)}.mjs`);
    // unwrap() throws on a 4xx/5xx answer, so a failed call is a non-zero exit.
    const result = await execFile(process.execPath, [script], { env: run.env }).catch(
      (err: { stderr: string; message: string }) => ({ failed: err.stderr || err.message }),
    );
    expect(result).not.toHaveProperty("failed");
    capture(run, "typescript", sample, (result as { stdout: string }).stdout);
  });

  it("left no response that broke the spec", () => {
    for (const run of Object.values(runs)) expect(run.server.responseValidationFailures()).toBe(0);
  });
});
