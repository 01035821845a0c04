// Build wall times through turbo: a cold build (no cache, outputs rebuilt) and a no-change rebuild.
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("../../..", import.meta.url));

function timed(args) {
  const t0 = performance.now();
  const r = spawnSync("npx", ["turbo", "run", "build", ...args], {
    cwd: root,
    encoding: "utf8",
    env: { ...process.env, TURBO_TELEMETRY_DISABLED: "1" },
  });
  const seconds = (performance.now() - t0) / 1000;
  if (r.status !== 0)
    throw new Error(`turbo build ${args.join(" ")} failed:\n${r.stdout}\n${r.stderr}`);
  const cached = r.stdout.match(/Cached:\s+(\d+) cached, (\d+) total/);
  return { seconds, cached: cached ? `${cached[1]}/${cached[2]}` : "?" };
}

export function benchBuild() {
  const cold = timed(["--force"]);
  const warm = timed([]);
  return { cold, warm };
}
