// The client must bundle for browsers: no node: imports anywhere on its import path.
import { build } from "esbuild";
import { describe, expect, it } from "vitest";

describe("browser bundle", () => {
  it("src/index.ts bundles for the browser platform with no Node built-ins", async () => {
    const result = await build({
      entryPoints: [new URL("../src/index.ts", import.meta.url).pathname],
      bundle: true,
      format: "esm",
      platform: "browser",
      write: false,
      metafile: true,
      logLevel: "silent",
    });
    expect(result.errors).toEqual([]);
    const inputs = Object.keys(result.metafile.inputs);
    expect(inputs.some((path) => path.includes("openapi-fetch"))).toBe(true);
    expect(inputs.some((path) => path.includes("signer"))).toBe(true);
    const code = result.outputFiles[0]!.text;
    expect(code).not.toMatch(/from\s*["']node:/);
    expect(code).not.toMatch(/require\(["'](node:)?(crypto|fs|http|https|util|process)["']\)/);
  });

  it("src/receiver.ts bundles for the browser on its own, without the API client", async () => {
    const result = await build({
      entryPoints: [new URL("../src/receiver.ts", import.meta.url).pathname],
      bundle: true,
      format: "esm",
      platform: "browser",
      write: false,
      metafile: true,
      logLevel: "silent",
    });
    expect(result.errors).toEqual([]);
    expect(Object.keys(result.metafile.inputs)).toEqual([
      expect.stringMatching(/src\/receiver\.ts$/),
    ]);
    const code = result.outputFiles[0]!.text;
    expect(code).not.toMatch(/from\s*["']node:/);
    expect(code).not.toMatch(/require\(/);
  });
});
