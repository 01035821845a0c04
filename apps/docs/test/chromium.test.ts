// Where the browser test gets its Chromium: CHROME_PATH, else the npm package on Linux x64, else
// a system browser, else an error that names all three.
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { resolveBrowser } from "./chromium.js";

const dirs: string[] = [];
const tempDir = () => {
  const dir = mkdtempSync(join(tmpdir(), "cts-csms-docs-chromium-test-"));
  dirs.push(dir);
  return dir;
};
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe("resolveBrowser", () => {
  it("takes CHROME_PATH first, and refuses one that is not an executable", async () => {
    const dir = tempDir();
    const fake = join(dir, "chrome");
    writeFileSync(fake, "#!/bin/sh\n", { mode: 0o755 });
    const machine = { env: { CHROME_PATH: fake }, platform: "linux", arch: "x64" } as const;
    expect(await resolveBrowser(dir, machine)).toMatchObject({
      executablePath: fake,
      source: "CHROME_PATH",
    });
    const missing = join(dir, "no-such-chrome");
    await expect(
      resolveBrowser(dir, { ...machine, env: { CHROME_PATH: missing } }),
    ).rejects.toThrow(`CHROME_PATH=${missing} is not an executable file.`);
  });

  it("unpacks the npm Chromium on Linux x64 into the given dir only", async () => {
    const dir = tempDir();
    const found = await resolveBrowser(dir, { env: {}, platform: "linux", arch: "x64" });
    expect(found.source).toBe("@sparticuz/chromium (npm)");
    expect(found.executablePath).toBe(join(dir, "chromium"));
    expect(existsSync(found.executablePath)).toBe(true);
    expect(found.args).toContain("--headless='shell'");
    expect(found.args).not.toContain("--disable-web-security");
  }, 60_000);

  it("falls back to a system browser elsewhere", async () => {
    const dir = tempDir();
    const chrome = join(dir, "Google Chrome");
    writeFileSync(chrome, "#!/bin/sh\n", { mode: 0o755 });
    const found = await resolveBrowser(dir, {
      env: {},
      platform: "darwin",
      arch: "arm64",
      candidates: [join(dir, "Chromium"), chrome],
    });
    expect(found).toMatchObject({ executablePath: chrome, source: "system browser" });
  });

  it("names all three places when it finds none", async () => {
    const dir = tempDir();
    const nowhere = join(dir, "chromium");
    const failure = resolveBrowser(dir, {
      env: {},
      platform: "linux",
      arch: "arm64",
      candidates: [nowhere],
    });
    await expect(failure).rejects.toThrow(/1\. CHROME_PATH: not set/);
    await expect(failure).rejects.toThrow(/2\. the Chromium shipped in the @sparticuz\/chromium/);
    await expect(failure).rejects.toThrow(/this is linux-arm64/);
    await expect(failure).rejects.toThrow(`3. a system Chrome or Chromium: none at ${nowhere}`);
  });
});
