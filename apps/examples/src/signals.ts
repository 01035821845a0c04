// A command started the way a user starts it (npx …, npm run …), in a process group of its own,
// then signalled: the npm process alone (a CI script's `kill $!`, or npm killed outright), or the
// whole group (Ctrl-C). The server behind npm must stop, close its port and leave no process
// behind (npm runs it through `sh -c`, which dies of SIGTERM without passing it on).
import { spawn } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { connect } from "node:net";
import { userEnv } from "./repo.js";

// A guard against a hang, not a timing: on a loaded 2-core machine one stop has taken 25 s.
const STOP_MS = 60_000;
// `npm run docs` builds first: a turbo cache hit under `npm test`, minutes when the site changed.
const READY_MS = 300_000;

/** Whether anything still runs in process group `group` (zombies aside: their parent reaps). */
function groupAlive(group: number): boolean {
  try {
    process.kill(-group, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * What is left of process group `group`, one line per process (pid, ppid, state, command line),
 * read from /proc: printed when a stop fails, so the failure shows which process stayed.
 */
function groupProcesses(group: number): string {
  const lines: string[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      if (Number(fields[2]) !== group) continue;
      const args = readFileSync(`/proc/${entry}/cmdline`, "utf8").split("\0").join(" ").trim();
      lines.push(`${entry} ppid=${fields[1]} state=${fields[0]} ${args}`);
    } catch {
      // gone meanwhile
    }
  }
  return lines.length > 0 ? lines.join("\n") : "(none)";
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

async function until(
  what: string,
  check: () => Promise<boolean> | boolean,
  output: () => string,
  ms = STOP_MS,
) {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`${what} after ${ms} ms:\n${output()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export interface Stopped {
  /** Everything the command printed. */
  output: string;
  /** npm's own exit: its code, or the signal that ended it. */
  npmExit: { code: number | null; signal: NodeJS.Signals | null };
}

/**
 * Runs `file args` (npx or npm) in `cwd`, waits for `ready` in its output, sends `signal` to the
 * npm process alone or (`group`) to its whole process group, and resolves once npm has exited, the port `ready` captured is closed and
 * no process of the group is left. Whatever is left is killed, also on failure.
 */
export async function signalNpm(
  file: "npx" | "npm",
  args: string[],
  options: {
    cwd: string;
    ready: RegExp;
    signal: NodeJS.Signals;
    group?: boolean;
    env?: Record<string, string>;
  },
): Promise<Stopped> {
  const child = spawn(file, args, {
    cwd: options.cwd,
    env: userEnv(options.env),
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
  });
  const group = child.pid!;
  let output = "";
  child.stdout!.on("data", (d) => {
    output += d;
  });
  child.stderr!.on("data", (d) => {
    output += d;
  });
  const npmExit = new Promise<Stopped["npmExit"]>((resolve) =>
    child.once("exit", (code, signal) => resolve({ code, signal })),
  );
  let exited: Stopped["npmExit"] | undefined;
  void npmExit.then((e) => {
    exited = e;
  });
  try {
    await until(
      "no ready line",
      () => options.ready.test(output) || exited !== undefined,
      () => output,
      READY_MS,
    );
    const match = options.ready.exec(output);
    if (!match)
      throw new Error(`\`${file} ${args.join(" ")}\` exited before ${options.ready}:\n${output}`);
    const port = Number(match[1]);
    const withProcesses = () => `${output}\nprocesses of group ${group}:\n${groupProcesses(group)}`;
    if (options.group) process.kill(-group, options.signal);
    else child.kill(options.signal);
    await until("npm still running", () => exited !== undefined, withProcesses);
    await until(`port ${port} still open`, async () => !(await portOpen(port)), withProcesses);
    await until("a process of the group still running", () => !groupAlive(group), withProcesses);
    return { output, npmExit: exited! };
  } finally {
    if (groupAlive(group)) process.kill(-group, "SIGKILL");
  }
}
