// Every request sample the docs show runs against the reference server: each curl command through
// the shell, each TypeScript sample type-checked against @cts-csms/client and then run with node.
// The samples are used as generated; only the base URL is swapped for the test server's port.
import { execFile } from "node:child_process";
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
const run = promisify(execFile);
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
  store: any;
  reset(): Promise<void>;
  responseValidationFailures(): number;
  close(): Promise<void>;
};
let server: Server;
const env = {
  ...process.env,
  IAM_TOKEN: "docs-sample-token",
  // A proxy from the environment must not take the samples' loopback requests elsewhere.
  NO_PROXY: "127.0.0.1,localhost",
  no_proxy: "127.0.0.1,localhost",
};

const example = (spec: any, name: string) => {
  const found = spec.components.examples[name];
  if (!found) throw new Error(`${spec.info.title}: no example ${name}`);
  return found.value;
};
const projectOf = (spec: any) => spec.components.parameters.ProjectId.example as string;

/**
 * The state the examples take for granted: the notifications, the event and the secret that the
 * spec's examples show exist. A create starts without the resource it creates, so the example's
 * name is still free (a secret's creation still needs the event it subscribes to); deleting the
 * event needs it unused by a secret.
 */
async function arrange(sample: { api: string; method: string; operationId: string; spec: any }) {
  await server.reset();
  const op = sample.operationId;
  if (sample.api === "admin") {
    if (op === "failSecretRotation") {
      await insertSecret(sample.spec.components.parameters.ProjectIdPath.example);
    }
    return;
  }
  const projectId = projectOf(sample.spec);
  if (sample.api === "cts") {
    if (sample.method === "POST") return;
    const notifications = [
      ...example(sample.spec, "ListNotificationsResponse").notifications,
      example(sample.spec, "SeedCreateResponse"),
    ];
    for (const n of notifications) {
      expect(await server.store.notifications.insert(projectId, structuredClone(n))).toBe(true);
    }
    return;
  }
  if (op === "createSecretEvent") return;
  const { event } = example(sample.spec, "ShowResponse");
  expect(await server.store.secretEvents.insert(projectId, structuredClone(event))).toBe(true);
  if (op === "createSecret" || op === "deleteSecretEvent") return;
  await insertSecret(projectId);
  const secretName = sample.spec.components.parameters.SecretNamePath.example;
  if (op === "showSecretStage" || op === "deleteSecretStage") {
    // The stage the examples name, on the secret's v1.
    const stage = sample.spec.components.parameters.StageNamePath.example;
    expect(
      await server.store.secrets.moveStage(projectId, secretName, stage, "v1", 1),
    ).toMatchObject({ name: stage });
  }
  if (op === "restoreSecret") {
    expect(
      await server.store.secrets.scheduleDeletion(projectId, secretName, 7, Date.now()),
    ).toMatchObject({
      state: "PENDING_DELETE",
    });
  }
}

/** The secret of the CSMS examples (`SecretResponse`), with a first version. */
async function insertSecret(projectId: string) {
  const csms = apis.find((a) => a.api.id === "csms")?.spec;
  const { secret } = example(csms, "SecretResponse");
  const first = { create_time: secret.create_time, version_stages: [], secret_string: "value" };
  expect(await server.store.secrets.insert(projectId, structuredClone(secret), first)).toBe(true);
}

const fileOf = (sample: { api: string; operationId: string }) =>
  `${sample.api}-${sample.operationId}`;

let typecheck: Promise<string>;

beforeAll(async () => {
  const { createServer } = await import("@cts-csms/server");
  server = (await createServer({ port: 0, logger: false })) as Server;

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
  typecheck = run(process.execPath, [tsc, "-p", join(workDir, "tsconfig.json")]).then(
    () => "",
    (err: { stdout: string; message: string }) => err.stdout || err.message,
  );
  await typecheck;
}, 120_000);

afterAll(async () => {
  await server?.close();
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

  it.each(samples)("curl: $api $operationId answers 2xx", async (sample) => {
    await arrange(sample);
    const command = sample.curl.replaceAll(sample.local, server.url);
    const { stdout } = await run("sh", ["-c", command], { env });
    const status = /^HTTP\/[\d.]+ (\d{3})/.exec(stdout)?.[1];
    expect(status, stdout).toMatch(/^2\d\d$/);
  });

  it.each(samples)("TypeScript: $api $operationId succeeds", async (sample) => {
    expect(await typecheck, "the samples do not compile").toBe("");
    await arrange(sample);
    const script = join(workDir, "out", `${fileOf(sample)}.mjs`);
    // unwrap() throws on a 4xx/5xx answer, so a failed call is a non-zero exit.
    const result = await run(process.execPath, [script], { env }).catch(
      (err: { stderr: string; message: string }) => ({ failed: err.stderr || err.message }),
    );
    expect(result).not.toHaveProperty("failed");
  });

  it("left no response that broke the spec", () => {
    expect(server.responseValidationFailures()).toBe(0);
  });
});
