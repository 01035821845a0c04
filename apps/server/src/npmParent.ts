/**
 * Stopping with npm. Started by npm (npx, npm run, npm start), the server runs under
 * `npm → sh -c → node`. npm passes SIGTERM to that shell, and dash dies of it without passing it
 * on; npm killed outright leaves the shell waiting on the server. Either way the server would live
 * on, answering on its port, re-parented to PID 1. So it watches both: its parent, and (on Linux,
 * through /proc) the npm process above it.
 */
import { readFileSync } from "node:fs";

interface Stat {
  comm: string;
  ppid: number;
  startTime: string;
}

function stat(pid: number): Stat | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, "utf8");
    // "pid (comm) state ppid …": comm may hold spaces and parentheses.
    const close = text.lastIndexOf(")");
    const fields = text.slice(close + 2).split(" ");
    return {
      comm: text.slice(text.indexOf("(") + 1, close),
      ppid: Number(fields[1]),
      startTime: fields[19] ?? "",
    };
  } catch {
    return undefined;
  }
}

/** The nearest ancestor npm named itself in (`npm exec …`, `npm run …`), a few levels up at most. */
function npmAncestor(): { pid: number; startTime: string } | undefined {
  let pid = process.ppid;
  for (let level = 0; level < 3 && pid > 1; level++) {
    const s = stat(pid);
    if (s === undefined) return undefined;
    if (/^npm\b/.test(s.comm)) return { pid, startTime: s.startTime };
    pid = s.ppid;
  }
  return undefined;
}

/**
 * Calls `stop` once, when this process's parent or the npm process above it is gone. Only under
 * npm (npm sets npm_command): `nohup cts-csms-server &` is meant to outlive its shell.
 */
export function stopWithNpm(stop: (parent: number) => void): void {
  if (process.env.npm_command === undefined) return;
  const parent = process.ppid;
  const npm = npmAncestor();
  const watch = setInterval(() => {
    const npmGone = npm !== undefined && stat(npm.pid)?.startTime !== npm.startTime;
    if (process.ppid === parent && !npmGone) return;
    clearInterval(watch);
    stop(npmGone ? npm.pid : parent);
  }, 200);
  watch.unref();
}
