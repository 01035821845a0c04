/** The built binary: spawned for real (global setup builds dist/ when missing). */
import { type ChildProcess, spawn } from "node:child_process";
import { writeFileSync } from "node:fs";
import { request as httpRequest } from "node:http";
import { createRequire } from "node:module";
import { type AddressInfo, createServer as createNetServer } from "node:net";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { dataDirError } from "../src/store/sql/pglite.js";
import { tempDir } from "./helpers.js";

// The binary as npm links it: the tracked shim that runs dist/cli.js.
const cli = fileURLToPath(new URL("../bin/cts-csms-server.js", import.meta.url));

function run(args: string[], env: Record<string, string> = {}) {
  const child = spawn(process.execPath, [cli, ...args], {
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (d) => {
    stdout += d;
  });
  child.stderr.on("data", (d) => {
    stderr += d;
  });
  const exit = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  return { child, exit, out: () => stdout, err: () => stderr };
}

// Generous: on a loaded 2-core machine a server process can take many seconds to start.
const STARTUP_MS = 60_000;

async function waitFor(check: () => string | undefined, timeoutMs = STARTUP_MS): Promise<string> {
  const start = Date.now();
  for (;;) {
    const found = check();
    if (found) return found;
    if (Date.now() - start > timeoutMs) throw new Error("timed out");
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** The project_id pattern, read from the bundled spec as the server reads it. */
function projectIdPattern(): RegExp {
  const spec = createRequire(import.meta.url)("@cts-csms/openapi/cts.json");
  return new RegExp(spec.components.parameters.ProjectId.schema.pattern, "u");
}

function kill(child: ChildProcess) {
  if (child.exitCode === null) child.kill("SIGKILL");
}

describe("cts-csms-server CLI", { timeout: 2 * STARTUP_MS }, () => {
  it("starts on --port 0, prints the URL, serves requests, exits 0 on SIGTERM", async () => {
    const p = run(["--port", "0", "--log-level", "warn"]);
    try {
      const url = await waitFor(
        () => /listening on (http:\/\/\S+) \(auth: permissive\)\ndocs: /.exec(p.out())?.[1],
      );
      const res = await fetch(`${url}/v1/p1/csms/events`, { headers: { "X-Auth-Token": "x" } });
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({ events: [], page_info: { current_count: 0 } });
      p.child.kill("SIGTERM");
      expect(await p.exit).toBe(0);
    } finally {
      kill(p.child);
    }
  });

  it("lets an in-flight request finish on SIGINT", async () => {
    const p = run(["--port", "0", "--log-level", "silent", "--deterministic"]);
    try {
      const url = new URL(await waitFor(() => /listening on (http:\/\/\S+)/.exec(p.out())?.[1]));
      const body = JSON.stringify({ notification_name: "n", operation_type: "complete" });
      // Half a request on the wire when the signal arrives; the rest follows after it.
      const req = httpRequest({
        host: url.hostname,
        port: url.port,
        method: "POST",
        path: "/v3/p1/notifications",
        headers: {
          "X-Auth-Token": "x",
          "Content-Type": "application/json",
          "Content-Length": Buffer.byteLength(body),
        },
      });
      const response = new Promise<{ status: number; text: string }>((resolve, reject) => {
        req.on("response", (res) => {
          let text = "";
          res.on("data", (d) => {
            text += d;
          });
          res.on("end", () => resolve({ status: res.statusCode ?? 0, text }));
        });
        req.on("error", reject);
      });
      req.write(body.slice(0, 10));
      await new Promise((r) => setTimeout(r, 200));
      p.child.kill("SIGINT");
      await new Promise((r) => setTimeout(r, 200));
      req.end(body.slice(10));
      const res = await response;
      expect(res.status).toBe(201);
      expect(JSON.parse(res.text).notification_id).toBe("00000000-0000-4000-8000-000000000001");
      expect(await p.exit).toBe(0);
    } finally {
      kill(p.child);
    }
  });

  it("takes the port from $PORT and prints --help", async () => {
    const help = run(["--help"]);
    expect(await help.exit).toBe(0);
    for (const flag of [
      "--port",
      "--host",
      "--auth",
      "--credentials",
      "--no-response-validation",
      "--seed",
      "--deterministic",
      "--docs",
      "--cors",
      "--log-level",
    ]) {
      expect(help.out()).toContain(flag);
    }
    const p = run(["--log-level", "silent"], { PORT: "0" });
    try {
      await waitFor(() => /listening on (http:\/\/\S+)/.exec(p.out())?.[1]);
      p.child.kill("SIGTERM");
      expect(await p.exit).toBe(0);
    } finally {
      kill(p.child);
    }
  });

  it(
    "bad flags → one line naming the flag, see --help, exit code 2",
    async () => {
      for (const [args, named] of [
        [["--bogus"], "--bogus"],
        [["--port"], "--port"],
        [["--port", "abc"], "--port"],
        [["--cors=yes"], "--cors"],
        [["stray"], "stray"],
        [["--auth", "none"], "--auth"],
        [["--auth", "strict"], "--credentials"],
        [["--log-level", "loud"], "--log-level"],
        [["--seed", "/nonexistent.json"], "--seed"],
      ] as const) {
        const p = run([...args]);
        expect(await p.exit, args.join(" ")).toBe(2);
        expect(p.err()).toMatch(/^cts-csms-server: [^\n]+; see --help\n$/);
        expect(p.err()).toContain(named);
        expect(p.out()).toBe("");
      }
      const env = run([], { PORT: "http" });
      expect(await env.exit).toBe(2);
      expect(env.err()).toMatch(/^cts-csms-server: \$PORT must be a port number[^\n]+\n$/);
    },
    4 * STARTUP_MS,
  );

  it("a port in use → one line with the port and the --port 0 hint, exit code 1", async () => {
    const blocker = createNetServer();
    await new Promise<void>((resolve) => blocker.listen(0, "127.0.0.1", resolve));
    try {
      const { port } = blocker.address() as AddressInfo;
      const p = run(["--port", String(port), "--log-level", "silent"]);
      expect(await p.exit).toBe(1);
      expect(p.err()).toMatch(/^cts-csms-server: [^\n]+\n$/);
      expect(p.err()).toContain(`port ${port} on 127.0.0.1 is already in use`);
      expect(p.err()).toContain("--port 0");
      expect(p.err()).not.toMatch(/\bat /);
    } finally {
      await new Promise((resolve) => blocker.close(resolve));
    }
  });
});

describe("cts-csms-server configuration files", { timeout: 2 * STARTUP_MS }, () => {
  const dir = tempDir("cli");
  let n = 0;
  function file(content: unknown): string {
    const path = join(dir, `file-${++n}.json`);
    writeFileSync(path, JSON.stringify(content));
    return path;
  }
  const pattern = projectIdPattern();

  /** Start-up fails with exit code 2 and one line naming the file and the problem. */
  async function rejected(args: string[], path: string, problem: string | RegExp) {
    const p = run([...args, "--port", "0", "--log-level", "silent"]);
    try {
      expect(await p.exit, p.out()).toBe(2);
    } finally {
      kill(p.child);
    }
    expect(p.err()).toMatch(/^cts-csms-server: [^\n]+\n$/);
    expect(p.err()).toContain(path);
    if (typeof problem === "string") expect(p.err()).toContain(problem);
    else expect(p.err()).toMatch(problem);
    expect(p.out()).toBe("");
  }

  const strict = (path: string) => ["--auth", "strict", "--credentials", path];

  // Exact messages: the flag, the path, the cause and the fix, in one line, within seconds.
  const fix = "pick a directory this user can write on a disk, e.g. --data-dir ./cts-csms-data";
  it("--data-dir under a file, on a file, and under /proc (where mkdir -p would spin)", async () => {
    const plain = file({});
    for (const [path, cause] of [
      [join(plain, "data"), "ENOTDIR: a part of the path is a file, not a directory"],
      [plain, "EEXIST: a file, not a directory"],
      [
        "/proc/cts-csms/data",
        "ENOENT: cannot be created there (a virtual file system such as /proc?)",
      ],
    ] as const) {
      const p = run(["--data-dir", path, "--port", "0", "--log-level", "silent"]);
      try {
        expect(await p.exit, p.out()).toBe(2);
      } finally {
        kill(p.child);
      }
      expect(p.err()).toBe(`cts-csms-server: --data-dir ${path}: ${cause}; ${fix}\n`);
    }
  });

  it("--data-dir the user cannot write: permission denied, not a listen error", () => {
    // Tests may run as root, whom no mode stops: the message is checked on the error itself.
    const denied = Object.assign(new Error("EACCES: permission denied, mkdir '/srv/data'"), {
      code: "EACCES",
    });
    expect(dataDirError("/srv/data", denied).message).toBe(
      `--data-dir /srv/data: EACCES: permission denied; ${fix}`,
    );
    const readOnly = Object.assign(new Error("EROFS"), { code: "EROFS" });
    expect(dataDirError("/mnt/cd", readOnly).message).toBe(
      `--data-dir /mnt/cd: EROFS: read-only file system; ${fix}`,
    );
  });

  it("a credentials file with no entries", async () => {
    for (const content of [{}, { tokens: [], aksk: [] }]) {
      const path = file(content);
      await rejected(strict(path), path, "no credentials");
    }
  });

  it("unknown keys in a credentials file, at the top or in an entry", async () => {
    const top = file({ tokens: [{ token: "t", projects: ["p1"] }], token: "t" });
    await rejected(strict(top), top, 'unknown key "token"');
    const entry = file({ aksk: [{ ak: "A", sk: "S", projects: ["p1"], project: "p2" }] });
    await rejected(strict(entry), entry, 'aksk[0]: unknown key "project"');
  });

  it("a credentials project id that no API path can address", async () => {
    const path = file({ tokens: [{ token: "t", projects: ["p1", "team/p2"] }] });
    await rejected(
      strict(path),
      path,
      `tokens[0].projects[1]: "team/p2" is not a valid project_id`,
    );
  });

  it("unknown keys in a seed file, at the top or in a project", async () => {
    const top = file({ projects: {}, notifications: [] });
    await rejected(["--seed", top], top, 'unknown key "notifications"');
    const project = file({ projects: { p1: { secrets: [] } } });
    await rejected(["--seed", project], project, 'projects.p1: unknown key "secrets"');
  });

  it(
    "a seed project id that no API path can address (pattern from the bundled spec)",
    async () => {
      for (const id of ["team/p1", "p 1", "x".repeat(65)]) {
        expect(pattern.test(id), id).toBe(false);
        const path = file({ projects: { [id]: { notifications: [] } } });
        await rejected(["--seed", path], path, `${JSON.stringify(id)} is not a valid project_id`);
        await rejected(["--seed", path], path, pattern.source);
      }
    },
    4 * STARTUP_MS,
  );

  it("seed sinks that are not valid, and an SMN signing key file that is not a key", async () => {
    const topic = "urn:smn:cn-north-4:p1:ops";
    const sinks = file({ sinks: { [topic]: [{ protocol: "http", endpoint: "ftp://x" }] } });
    await rejected(["--seed", sinks], sinks, `sinks/${topic}/0/endpoint must match pattern`);
    const key = file("not a PEM key");
    await rejected(["--smn-signing-key", key], key, "SMN signing key file");
  });

  it("an id the pattern allows is accepted", async () => {
    const path = file({ projects: { "Team_p-1": { notifications: [] } } });
    expect(pattern.test("Team_p-1")).toBe(true);
    const p = run(["--seed", path, "--port", "0", "--log-level", "silent"]);
    try {
      await waitFor(() => /listening on (http:\/\/\S+)/.exec(p.out())?.[1]);
      p.child.kill("SIGTERM");
      expect(await p.exit).toBe(0);
    } finally {
      kill(p.child);
    }
  });
});
