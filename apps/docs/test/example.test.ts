// The landing page's client example is code users copy: it must compile against the real client.
import { execFile } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { promisify } from "node:util";
import { expect, it } from "vitest";
import { CLIENT_EXAMPLE } from "../scripts/landing.mjs";

const require = createRequire(import.meta.url);

it("the client example on the landing page type-checks against @cts-csms/client", async () => {
  const dir = new URL("../test-results/example/", import.meta.url);
  mkdirSync(dir, { recursive: true });
  writeFileSync(new URL("example.ts", dir), `${CLIENT_EXAMPLE}\nexport { data, error, event };\n`);
  writeFileSync(
    new URL("tsconfig.json", dir),
    JSON.stringify({
      extends: require.resolve("@cts-csms/tsconfig/base.json"),
      compilerOptions: { noEmit: true, types: ["node"], module: "NodeNext", target: "ES2022" },
      files: ["example.ts"],
    }),
  );
  const tsc = require.resolve("typescript/bin/tsc");
  const result = await promisify(execFile)(process.execPath, [
    tsc,
    "-p",
    new URL("tsconfig.json", dir).pathname,
  ]).then(
    () => "",
    (err: { stdout: string }) => err.stdout,
  );
  expect(result).toBe("");
}, 60_000);
