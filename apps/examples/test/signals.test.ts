// Stopping npm stops what it started: `npx cts-csms-server` and `npm run docs` from a checkout.
// The npm process alone is sent SIGTERM (a CI script's `kill $!`) or SIGKILL (npm dies); Ctrl-C is SIGINT to the whole process group. The installed tarballs' binary is
// checked the same way in pack.test.ts.
import { describe, expect, it } from "vitest";
import { repoRoot } from "../src/repo.js";
import { signalNpm } from "../src/signals.js";

const SERVER = /listening on http:\/\/127\.0\.0\.1:(\d+)/;
const DOCS = /cts-csms docs: http:\/\/127\.0\.0\.1:(\d+)\//;

const stops = [
  { how: "SIGTERM to npm", signal: "SIGTERM", group: false },
  { how: "Ctrl-C (SIGINT to the group)", signal: "SIGINT", group: true },
  // npm dies and the shell between it and the server stays, waiting: only watching npm stops it.
  { how: "npm killed (SIGKILL)", signal: "SIGKILL", group: false },
] as const;

describe("npx cts-csms-server from a checkout", () => {
  it.each(stops)(
    "$how: the server shuts down gracefully, its port closes, no process is left",
    async ({ signal, group }) => {
      const { output } = await signalNpm("npx", ["cts-csms-server", "--port", "0"], {
        cwd: repoRoot,
        ready: SERVER,
        signal,
        group,
      });
      expect(output).toMatch(
        group
          ? /"signal":"SIGINT","msg":"shutting down"/
          : /"parentExited":\d+,"msg":"shutting down"/,
      );
    },
  );
});

describe("npm run docs", () => {
  it.each(stops)("$how: its port closes, no process is left", async ({ signal, group }) => {
    const { output } = await signalNpm("npm", ["run", "docs", "--", "--port", "0"], {
      cwd: repoRoot,
      ready: DOCS,
      signal,
      group,
    });
    expect(output).toContain("cts-csms docs: http://127.0.0.1:");
  });
});
