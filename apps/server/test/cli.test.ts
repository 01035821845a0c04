/** The built binary: spawned for real (global setup builds dist/ when missing). */
import { type ChildProcess, spawn } from "node:child_process";
import { request as httpRequest } from "node:http";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

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

async function waitFor(check: () => string | undefined, timeoutMs = 15_000): Promise<string> {
  const start = Date.now();
  for (;;) {
    const found = check();
    if (found) return found;
    if (Date.now() - start > timeoutMs) throw new Error("timed out");
    await new Promise((r) => setTimeout(r, 50));
  }
}

function kill(child: ChildProcess) {
  if (child.exitCode === null) child.kill("SIGKILL");
}

describe("cts-csms-server CLI", () => {
  it("starts on --port 0, prints the URL, serves requests, exits 0 on SIGTERM", async () => {
    const p = run(["--port", "0", "--log-level", "warn"]);
    try {
      const url = await waitFor(
        () => /listening on (http:\/\/\S+) \(docs: [^,]+, auth: permissive\)/.exec(p.out())?.[1],
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

  it("bad flags → message and exit code 2", async () => {
    for (const args of [
      ["--bogus"],
      ["--port", "abc"],
      ["--auth", "none"],
      ["--auth", "strict"],
      ["--log-level", "loud"],
      ["--seed", "/nonexistent.json"],
    ]) {
      const p = run(args);
      expect(await p.exit, args.join(" ")).toBe(2);
      expect(p.err()).toMatch(/cts-csms-server: /);
    }
  });
});
