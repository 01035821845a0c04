// The READMEs' `sh` blocks, run as written from the repository root: `npx cts-csms-server …`
// starts the server (in the background, as a second terminal would), `curl …` and
// `node examples/…` run against it, and the `# …` lines under a command are compared with what
// it prints. The one liberty taken: servers listen on a free port instead of 8080 (`--port 8080`
// becomes `--port 0`, PORT=0 covers the default), and 127.0.0.1:8080 in the commands and
// outputs that follow becomes that port.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { publishable } from "../src/install.js";
import { allBlocks, type FencedBlock } from "../src/markdown.js";
import {
  type Background,
  background,
  repoRoot,
  run,
  SERVER_URL,
  tempDir,
  userEnv,
} from "../src/repo.js";
import {
  atPort,
  onFreePort,
  parseShellBlock,
  type ShellCommand,
  sameOutput,
} from "../src/shell.js";

const blocks = await allBlocks("sh");
const commands = new Map<FencedBlock, ShellCommand[]>();
for (const block of blocks) commands.set(block, parseShellBlock(block));

const all = [...commands.values()].flat();
const readmesToRun = [
  ...new Set(
    [...commands]
      .filter(([, list]) => list.some((c) => c.kind === "server" || c.kind === "request"))
      .map(([block]) => block.file),
  ),
];

let server: Background | undefined;
afterEach(async () => {
  await server?.stop();
  server = undefined;
});

describe("README sh blocks", () => {
  it("every command is one the test knows how to check (parsed above), and some are run", () => {
    expect(all.filter((c) => c.kind === "server").length).toBeGreaterThanOrEqual(3);
    expect(all.filter((c) => c.kind === "request").length).toBeGreaterThanOrEqual(2);
    expect(readmesToRun).toEqual(
      expect.arrayContaining(["README.md", "apps/server/README.md", "packages/client/README.md"]),
    );
  });

  it("each `npm install` of tarballs lists every @cts-csms package the first one needs, by its packed file name", () => {
    const packages = new Map(publishable().map((w) => [w.manifest.name, w.manifest]));
    const installs = all.filter((c) => /^npm install\s.*\.tgz/.test(c.text));
    expect(installs.length).toBeGreaterThanOrEqual(2);
    for (const install of installs) {
      const files = [...install.text.matchAll(/cts-csms-([a-z-]+)-(\d+\.\d+\.\d+)\.tgz/g)];
      const listed = files.map(([, name]) => `@cts-csms/${name}`);
      for (const [file, name, version] of files) {
        expect(packages.get(`@cts-csms/${name}`)?.version, `${install.where}: ${file}`).toBe(
          version,
        );
      }
      // The first tarball and everything it depends on, transitively.
      const needed = new Set<string>();
      const add = (name: string) => {
        if (needed.has(name)) return;
        needed.add(name);
        for (const dep of Object.keys(packages.get(name)?.dependencies ?? {})) {
          if (dep.startsWith("@cts-csms/")) add(dep);
        }
      };
      add(listed[0]!);
      expect(
        [...needed].filter((n) => !listed.includes(n)),
        install.where,
      ).toEqual([]);
    }
  });

  for (const file of readmesToRun) {
    it(`${file}: starts the servers and runs the requests as documented`, async () => {
      // A TMPDIR of its own: what the documented commands write there (the HAR export's
      // `${TMPDIR:-/tmp}/p1.har`) goes with it, not into the machine's /tmp.
      const tmp = tempDir("cts-csms-readme-");
      const env = userEnv({ PORT: "0", TMPDIR: tmp.path });
      let port: string | undefined;
      let checked = 0;
      try {
        for (const [block, list] of commands) {
          if (block.file !== file) continue;
          for (const command of list) {
            if (command.kind === "server") {
              await server?.stop();
              server = background(onFreePort(command.text), { cwd: repoRoot, env });
              port = (await server.waitFor(SERVER_URL))[1]!;
              // The documented start-up line, once the server has printed it.
              for (const line of command.expected) {
                const expected = atPort(line, port);
                await server.waitFor(new RegExp(expected.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")));
              }
              const health = await fetch(`http://127.0.0.1:${port}/_admin/health`);
              expect(health.status, command.where).toBe(200);
              checked++;
            } else if (command.kind === "request") {
              if (!server || port === undefined)
                throw new Error(`${command.where}: no server started before it`);
              const result = await run("sh", ["-c", atPort(command.text, port)], {
                cwd: repoRoot,
                env,
              });
              expect(result.stderr, command.where).toBe("");
              expect(result.code, command.where).toBe(0);
              if (command.expected.length > 0) {
                const expected = atPort(command.expected.join("\n"), port);
                if (!sameOutput(expected, result.stdout)) {
                  expect(result.stdout.trimEnd(), `${command.where}: documented output`).toBe(
                    expected,
                  );
                }
              }
              checked++;
            }
          }
        }
      } finally {
        await server?.stop();
        server = undefined;
        tmp.remove();
      }
      expect(checked).toBeGreaterThan(0);
    });
  }
});

describe("examples/", () => {
  const read = (f: string) => JSON.parse(readFileSync(join(repoRoot, "examples", f), "utf8"));

  it("credentials.json and seed.json use the same project ids", () => {
    const credentials = read("credentials.json") as {
      tokens: { projects: string[] }[];
      aksk: { projects: string[] }[];
    };
    const seeded = Object.keys((read("seed.json") as { projects: object }).projects).sort();
    const allowed = new Set(
      [...credentials.tokens, ...credentials.aksk]
        .flatMap((c) => c.projects)
        .filter((p) => p !== "*"),
    );
    expect([...allowed].sort()).toEqual(seeded);
  });

  it("the README json blocks are the example files, byte for byte in value", async () => {
    const files = readdirSync(join(repoRoot, "examples"))
      .filter((f) => f.endsWith(".json"))
      .map((f) => JSON.stringify(read(f)));
    const json = await allBlocks("json");
    expect(json.length).toBeGreaterThanOrEqual(2);
    for (const block of json) {
      expect(files, `${block.file}:${block.line}`).toContain(
        JSON.stringify(JSON.parse(block.code)),
      );
    }
  });

  it("the client script leaves the server as it found it, so it can run twice", async () => {
    server = background(
      "npx cts-csms-server --port 0 --auth strict --credentials examples/credentials.json --seed examples/seed.json --deterministic",
      { cwd: repoRoot, env: userEnv() },
    );
    const url = (await server.waitFor(SERVER_URL))[0];
    const first = await run(process.execPath, ["examples/client.mjs", url], { cwd: repoRoot });
    const second = await run(process.execPath, ["examples/client.mjs", url], { cwd: repoRoot });
    expect(first.stderr).toBe("");
    expect(first.code).toBe(0);
    expect(second).toEqual(first);
  });
});
