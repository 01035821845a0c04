// The packages as a user outside this repository gets them: `npm pack` of every publishable
// workspace, the tarballs installed into an empty project in a temp dir (offline, third-party
// packages from the npm cache), then the installed server and client used from there.
import { cpSync, existsSync, mkdirSync, readdirSync, writeFileSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { dirname, join, relative } from "node:path";
import { publint } from "publint";
import { formatMessage } from "publint/utils";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  importSpecifiers,
  type PackageJson,
  type Packed,
  pack,
  packageOf,
  projectFiles,
  publishable,
  readJson,
} from "../src/install.js";
import {
  type Background,
  background,
  ok,
  repoRoot,
  run,
  SERVER_URL,
  tempDir,
  userEnv,
} from "../src/repo.js";
import { signalNpm } from "../src/signals.js";

let temp: ReturnType<typeof tempDir> | undefined;
let project = "";
let packs: Packed[] = [];
let server: Background | undefined;

const installed = (name: string) => join(project, "node_modules", name);

/** The library used the way a consumer's TypeScript does: every package, typed, then run. */
const CHECK_TS = `import { createCsmsClient, createCtsClient, unwrap } from "@cts-csms/client";
import { createServer } from "@cts-csms/server";
import { signRequest, verifySignature } from "@cts-csms/signer";
import type { csms, cts } from "@cts-csms/types";

const server = await createServer({ port: 0, logger: false, deterministic: true });
try {
  const auth = { ak: "AKEXAMPLE", sk: "sk-example" };
  const ctsClient = createCtsClient({ endpoint: server.url, projectId: "p1", auth });
  const created: cts.components["schemas"]["Notification"] = unwrap(
    await ctsClient.createNotification({
      body: { notification_name: "from_tarball", operation_type: "complete" },
    }),
  );
  const csmsClient = createCsmsClient({ endpoint: server.url, projectId: "p1", auth: { token: "t" } });
  const events: csms.components["schemas"]["SecretEvent"][] = unwrap(
    await csmsClient.listSecretEvents(),
  ).events;
  const url = \`\${server.url}/v1/p1/csms/events\`;
  const headers = await signRequest({ method: "GET", url }, auth);
  const verified = await verifySignature({ method: "GET", url, headers }, (ak) =>
    ak === auth.ak ? auth.sk : undefined,
  );
  console.log(JSON.stringify({ created: created.notification_name, events: events.length, verified: verified.ok }));
} finally {
  await server.close();
}
`;

/** Two consumers: Node's own resolution (emits JS that the test runs) and a bundler's. */
const TSCONFIGS = {
  "tsconfig.nodenext.json": {
    module: "NodeNext",
    moduleResolution: "NodeNext",
    outDir: "out",
  },
  "tsconfig.bundler.json": { module: "Preserve", moduleResolution: "Bundler", noEmit: true },
};

beforeAll(async () => {
  temp = tempDir("cts-csms-install-");
  project = join(temp.path, "project");
  const names = publishable().map((w) => w.manifest.name);
  mkdirSync(join(project, "packs"), { recursive: true });
  packs = await pack(names, join(project, "packs"));
  // The project and its lockfile; typescript and @types/node are the consumer's own tools.
  const { manifest, lock } = projectFiles(packs, ["typescript", "@types/node"]);
  writeFileSync(join(project, "package.json"), `${JSON.stringify(manifest, null, 2)}\n`);
  writeFileSync(join(project, "package-lock.json"), `${JSON.stringify(lock, null, 2)}\n`);
  const install = await run(
    "npm",
    ["ci", "--offline", "--no-audit", "--no-fund", "--loglevel=error"],
    { cwd: project },
  );
  if (install.stderr.includes("ENOTCACHED")) {
    // Every tarball the project needs is one the repository's own `npm ci` downloads; a cache
    // that lacks one was pruned since (npm cache clean/verify, or another cache directory).
    throw new Error(
      `the npm cache lacks a package the repository installs: run \`npm ci\` at the repository root to refill it\n${install.stderr}`,
    );
  }
  ok(install, "npm ci --offline in the new project");
}, 600_000);

afterAll(async () => {
  await server?.stop();
  temp?.remove();
});

describe("npm pack", () => {
  it("packs every publishable workspace, the client's and the server's imports among them", () => {
    expect(packs.map((p) => p.name).sort()).toEqual([
      "@cts-csms/client",
      "@cts-csms/openapi",
      "@cts-csms/server",
      "@cts-csms/signer",
      "@cts-csms/spec",
      "@cts-csms/types",
    ]);
  });

  it("the root `tarballs` script packs exactly those workspaces", () => {
    const script = readJson<PackageJson>(join(repoRoot, "package.json")).scripts?.tarballs ?? "";
    const listed = [...script.matchAll(/(?:-w|--workspace)[ =](\S+)/g)].map((m) => m[1]).sort();
    expect(listed).toEqual(packs.map((p) => p.name).sort());
  });

  it("ships the bundled specs, the built code and the docs site inside the server's tarball", () => {
    const files = (name: string) => packs.find((p) => p.name === name)!.files.map((f) => f.path);
    expect(files("@cts-csms/openapi")).toEqual(
      expect.arrayContaining(["dist/cts.json", "dist/csms.json", "package.json"]),
    );
    expect(files("@cts-csms/server")).toEqual(
      expect.arrayContaining([
        "bin/cts-csms-server.js",
        "dist/cli.js",
        "dist/index.d.ts",
        "dist/docs/index.html",
        "dist/docs/cts.html",
        "dist/docs/csms.html",
      ]),
    );
    expect(files("@cts-csms/client")).toEqual(
      expect.arrayContaining(["dist/index.js", "dist/index.d.ts"]),
    );
    // Each package carries its changelog (written by changesets at release).
    for (const p of packs) expect(files(p.name), p.name).toContain("CHANGELOG.md");
    // postpack removed the copy again: the repository keeps serving apps/docs/dist.
    expect(existsSync(join(repoRoot, "apps/server/dist/docs"))).toBe(false);
  });
});

describe("the ecosystem's package checks, on each tarball", () => {
  const tarball = (p: Packed) => join(project, "packs", p.filename);

  it("publint (strict, suggestions too) reports nothing", async () => {
    const problems: string[] = [];
    for (const p of packs) {
      const data = await readFile(tarball(p));
      const buffer = data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength);
      const { messages, pkg } = await publint({
        pack: { tarball: buffer as ArrayBuffer },
        level: "suggestion",
        strict: true,
      });
      for (const m of messages) problems.push(`${p.name}: ${m.type} ${formatMessage(m, pkg)}`);
    }
    expect(problems).toEqual([]);
    expect(packs.length).toBe(6);
  });

  it("are the types wrong (attw): no problem for an ESM-only package", async () => {
    // The packages are ESM only ("type": "module", no CommonJS build): the esm-only profile
    // leaves out the node10 and CommonJS-under-node16 resolutions, which cannot load them.
    const ignored = ["node10", "node16-cjs"];
    const cli = createRequire(import.meta.url).resolve("@arethetypeswrong/cli/package.json");
    const attw = join(dirname(cli), readJson<{ bin: { attw: string } }>(cli).bin.attw);
    const problems: string[] = [];
    for (const p of packs) {
      const args = [attw, tarball(p), "--profile", "esm-only", "--format", "json"];
      const result = await run(process.execPath, args, { cwd: project });
      const report = JSON.parse(result.stdout) as {
        analysis: { types: unknown; entrypoints: Record<string, unknown> };
        problems?: Record<string, { kind: string; entrypoint?: string; resolutionKind?: string }[]>;
      };
      for (const found of Object.values(report.problems ?? {}).flat()) {
        if (found.resolutionKind && ignored.includes(found.resolutionKind)) continue;
        problems.push(
          `${p.name}: ${found.kind} ${found.entrypoint ?? ""} ${found.resolutionKind ?? ""}`,
        );
      }
      if (result.code !== 0) problems.push(`${p.name}: attw exited with ${result.code}`);
      // Only the specs' package (JSON files) ships no types.
      expect(report.analysis.types !== false, p.name).toBe(p.name !== "@cts-csms/openapi");
    }
    expect(problems).toEqual([]);
  });
});

describe("installed outside the repository", () => {
  it("gives a complete and valid dependency tree (npm ls)", async () => {
    const result = await run("npm", ["ls", "--all", "--offline"], { cwd: project });
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    for (const p of packs) expect(result.stdout).toContain(`${p.name}@${p.version}`);
    // Real directories from the tarballs, not links back into the repository.
    expect(relative(repoRoot, installed("@cts-csms/client")).startsWith("..")).toBe(true);
  });

  it("every published .js and .d.ts imports only the package's dependencies", async () => {
    const problems: string[] = [];
    let scanned = 0;
    for (const p of packs) {
      const dir = installed(p.name);
      const manifest = readJson<PackageJson>(join(dir, "package.json"));
      const declared = new Set([
        p.name,
        ...Object.keys(manifest.dependencies ?? {}),
        ...Object.keys(manifest.peerDependencies ?? {}),
      ]);
      const files = readdirSync(dir, { recursive: true, encoding: "utf8" }).filter(
        (f) => /\.(m|c)?js$|\.d\.(m|c)?ts$/.test(f) && !f.includes("node_modules"),
      );
      scanned += files.length;
      for (const file of files) {
        const types = /\.d\.(m|c)?ts$/.test(file);
        for (const specifier of importSpecifiers(await readFile(join(dir, file), "utf8"))) {
          const name = packageOf(specifier);
          if (name === undefined || declared.has(name)) continue;
          // A declaration file may take its types from DefinitelyTyped instead.
          const typesName = `@types/${name.replace(/^@(.+)\//, "$1__")}`;
          if (types && declared.has(typesName)) continue;
          problems.push(`${p.name}/${file} imports "${specifier}", not a dependency`);
        }
      }
    }
    expect(problems).toEqual([]);
    expect(scanned).toBeGreaterThan(50);
  });

  it("types resolve under tsc with moduleResolution nodenext and bundler, and the code runs", async () => {
    writeFileSync(join(project, "check.ts"), CHECK_TS);
    cpSync(join(repoRoot, "examples/client.mjs"), join(project, "client.mjs"));
    const tsc = join(project, "node_modules/typescript/bin/tsc");
    for (const [file, options] of Object.entries(TSCONFIGS)) {
      const config = {
        compilerOptions: {
          target: "ES2022",
          lib: ["ES2022"],
          types: ["node"],
          strict: true,
          skipLibCheck: false,
          allowJs: true,
          checkJs: true,
          ...options,
        },
        files: ["check.ts", "client.mjs"],
      };
      writeFileSync(join(project, file), JSON.stringify(config, null, 2));
      const result = await run(process.execPath, [tsc, "-p", file], { cwd: project });
      expect(`${result.stdout}${result.stderr}`, file).toBe("");
      expect(result.code, file).toBe(0);
    }
    const result = ok(await run(process.execPath, ["out/check.js"], { cwd: project }), "check.js");
    expect(JSON.parse(result.stdout)).toEqual({
      created: "from_tarball",
      events: 0,
      verified: true,
    });
  });

  it("npx cts-csms-server serves the docs and specs, and examples/client.mjs calls it", async () => {
    for (const file of ["credentials.json", "seed.json", "client.mjs"]) {
      cpSync(join(repoRoot, "examples", file), join(project, file));
    }
    server = background(
      "npx cts-csms-server --port 0 --auth strict --credentials credentials.json --seed seed.json --deterministic",
      { cwd: project, env: userEnv({ npm_config_offline: "true" }) },
    );
    const url = (await server.waitFor(SERVER_URL))[0];
    // The docs come from the server's own tarball: there is no other copy in this project.
    expect(existsSync(installed("@cts-csms/server/dist/docs/index.html"))).toBe(true);
    expect(existsSync(installed("@cts-csms/docs"))).toBe(false);
    const docs = await fetch(`${url}/docs/`);
    expect(docs.status).toBe(200);
    expect(await docs.text()).toContain("cts-csms API reference");
    for (const api of ["cts", "csms"]) {
      const spec = await fetch(`${url}/openapi/${api}.json`);
      expect(spec.status).toBe(200);
      expect((await spec.json()).openapi).toMatch(/^3\.1\./);
    }
    const client = ok(
      await run(process.execPath, ["client.mjs", url], { cwd: project }),
      "node client.mjs",
    );
    expect(client.stdout).toContain("token, CTS notification: keyOperate_info (enabled)");
    expect(client.stdout).toContain("AK/SK, deleted CSMS event: deletion-alerts");
    expect(client.stdout).toContain("token, other project: 403 CSMS.9403");
    await server.stop();
  });

  it("SIGTERM to npm (`npx cts-csms-server`, `npm run` of a script) stops the installed server", async () => {
    const manifest = readJson<PackageJson>(join(project, "package.json"));
    manifest.scripts = { ...manifest.scripts, serve: "cts-csms-server --port 0" };
    writeFileSync(join(project, "package.json"), `${JSON.stringify(manifest, null, 2)}\n`);
    for (const [file, args] of [
      ["npx", ["cts-csms-server", "--port", "0"]],
      ["npm", ["run", "serve"]],
    ] as const) {
      const { output } = await signalNpm(file, [...args], {
        cwd: project,
        ready: /listening on http:\/\/127\.0\.0\.1:(\d+)/,
        signal: "SIGTERM",
        env: { npm_config_offline: "true" },
      });
      expect(output, `${file} ${args.join(" ")}`).toMatch(
        /"parentExited":\d+,"msg":"shutting down"/,
      );
    }
  });
});
