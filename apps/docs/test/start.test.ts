// `npm start` at the repository root, as a user runs it: the build (a turbo cache hit here: this
// workspace's tests run after every build in the graph), then the server with these docs. Stopping
// npm, by SIGTERM or by Ctrl-C, stops the server and leaves no process and no open port behind.
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { connect } from "node:net";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const repoRoot = fileURLToPath(new URL("../../..", import.meta.url));
// The first start may have to build everything (when run outside `npm test`).
const STARTUP_MS = 300_000;
const STOP_MS = 30_000;

interface Started {
  npm: ChildProcess;
  out(): string;
  err(): string;
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

function npmStart(): Started {
  // Its own process group, like a shell job: Ctrl-C is a SIGINT to the whole group.
  const npm = spawn("npm", ["start"], {
    cwd: repoRoot,
    env: { ...process.env, PORT: "0" },
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  });
  let out = "";
  let err = "";
  npm.stdout?.on("data", (d) => {
    out += d;
  });
  npm.stderr?.on("data", (d) => {
    err += d;
  });
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    npm.on("exit", (code, signal) => resolve({ code, signal })),
  );
  return { npm, out: () => out, err: () => err, exit };
}

async function until<T>(what: string, check: () => T | undefined, ms: number): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Live (not zombie) processes: pid → parent pid. */
function processes(): Map<number, number> {
  const table = new Map<number, number>();
  const text = execFileSync("ps", ["-A", "-o", "pid=,ppid=,stat="], { encoding: "utf8" });
  for (const line of text.split("\n")) {
    const [pid, ppid, stat] = line.trim().split(/\s+/);
    if (pid && ppid && stat && !stat.startsWith("Z")) table.set(Number(pid), Number(ppid));
  }
  return table;
}

function descendants(root: number): number[] {
  const table = processes();
  const found: number[] = [];
  const queue = [root];
  while (queue.length > 0) {
    const parent = queue.shift() as number;
    for (const [pid, ppid] of table) {
      if (ppid === parent) {
        found.push(pid);
        queue.push(pid);
      }
    }
  }
  return found;
}

function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: "127.0.0.1", port });
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}

async function portClosed(port: number): Promise<void> {
  const deadline = Date.now() + STOP_MS;
  while (await portOpen(port)) {
    if (Date.now() > deadline) throw new Error(`port ${port} still open`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Starts `npm start`, checks what it printed and served, stops it with `stop`, checks cleanup. */
async function startAndStop(stop: (npm: ChildProcess) => void) {
  const run = npmStart();
  let tree: number[] = [];
  try {
    await until(
      "the build summary line",
      () => (/^built in /m.test(run.out()) || run.npm.exitCode !== null ? true : undefined),
      STARTUP_MS,
    );
    const lines = run
      .out()
      .split("\n")
      .filter((l) => l.trim() !== "" && !l.startsWith("> "));
    // npm's own "> start" header aside, the first lines are the server URL and the docs URL;
    // the build's output is one summary line after them.
    expect(lines[0], run.out() + run.err()).toMatch(
      /^cts-csms-server listening on http:\/\/127\.0\.0\.1:\d+ \(auth: permissive\)$/,
    );
    const url = (/listening on (\S+)/.exec(lines[0] as string) as RegExpExecArray)[1] as string;
    expect(lines[1]).toBe(`docs: ${url}/docs/`);
    expect(lines[2]).toMatch(
      /^built in \d+\.\d s \(\d+ tasks, \d+ cached\), server started in \d+\.\d s; build log: /,
    );
    expect(run.out()).not.toMatch(/@cts-csms\/\w+:build/);

    const root = await fetch(`${url}/`, { redirect: "manual" });
    expect(root.status).toBe(302);
    expect(root.headers.get("location")).toBe("/docs/");
    const docs = await fetch(`${url}/docs/`);
    expect(docs.status).toBe(200);

    tree = descendants(run.npm.pid as number);
    expect(tree.length).toBeGreaterThan(0);
    stop(run.npm);
    await until("npm to exit", () => run.npm.exitCode ?? run.npm.signalCode ?? undefined, STOP_MS);
    await portClosed(Number(new URL(url).port));
    // The server and anything npm started are gone, not left running as orphans.
    await until(
      "npm's processes to exit",
      () => {
        const live = processes();
        return tree.every((pid) => !live.has(pid)) ? true : undefined;
      },
      STOP_MS,
    );
    return run;
  } finally {
    if (run.npm.exitCode === null && run.npm.signalCode === null) run.npm.kill("SIGKILL");
    const live = processes();
    for (const pid of tree) if (live.has(pid)) process.kill(pid, "SIGKILL");
  }
}

describe("npm start", () => {
  it(
    "SIGTERM to the npm process stops the server gracefully",
    async () => {
      const run = await startAndStop((npm) => npm.kill("SIGTERM"));
      // npm signals its `sh -c`; dash dies of it, and the server stops once its parent is gone.
      expect(run.out()).toMatch(/("signal":"SIGTERM"|"parentExited":\d+),"msg":"shutting down"/);
    },
    STARTUP_MS + 3 * STOP_MS,
  );

  it(
    "Ctrl-C (SIGINT to the process group) stops the server gracefully",
    async () => {
      const run = await startAndStop((npm) => process.kill(-(npm.pid as number), "SIGINT"));
      expect(run.out()).toMatch(/"signal":"SIGINT","msg":"shutting down"/);
    },
    STARTUP_MS + 3 * STOP_MS,
  );
});
