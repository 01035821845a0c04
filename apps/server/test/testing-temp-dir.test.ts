/**
 * `@cts-csms/server/testing/temp-dir`: a test process that is killed (vitest SIGKILLs its workers
 * on Ctrl-C and skips teardowns) still leaves no temp dir behind.
 */
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it, vi } from "vitest";

const CALLER = `
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { tempDir } from "@cts-csms/server/testing/temp-dir";
const kept = tempDir("cts-csms-temp-dir-test-");
writeFileSync(join(kept.path, "file"), "x");
const closed = tempDir("cts-csms-temp-dir-test-");
closed.close();
console.log(JSON.stringify({ kept: kept.path, closed: closed.path }));
setInterval(() => {}, 1000);
`;

describe("tempDir", () => {
  for (const signal of ["SIGKILL", "SIGINT"] as const) {
    it(`is removed when its process ends by ${signal}`, async () => {
      const child = spawn(process.execPath, ["--input-type=module", "-e", CALLER], {
        cwd: fileURLToPath(new URL("..", import.meta.url)),
        stdio: ["ignore", "pipe", "inherit"],
      });
      let out = "";
      child.stdout.setEncoding("utf8");
      const dirs = await new Promise<{ kept: string; closed: string }>((resolve, reject) => {
        child.stdout.on("data", (chunk) => {
          out += chunk;
          if (out.includes("\n")) resolve(JSON.parse(out));
        });
        child.once("exit", (code) => reject(new Error(`caller exited with ${code}: ${out}`)));
      });
      expect(existsSync(dirs.kept)).toBe(true);
      expect(existsSync(dirs.closed)).toBe(false);
      child.kill(signal);
      await vi.waitFor(() => expect(existsSync(dirs.kept)).toBe(false), {
        timeout: 15_000,
        interval: 50,
      });
    });
  }
});
