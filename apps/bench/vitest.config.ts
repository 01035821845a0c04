import { createRequire } from "node:module";
import { defineConfig } from "vitest/config";

// Removes vitest's own temp dir also when the run is interrupted (vitest skips it on Ctrl-C).
const vitestTempDir = createRequire(import.meta.url).resolve(
  "@cts-csms/server/testing/vitest-temp-dir",
);

export default defineConfig({
  test: { include: ["test/**/*.test.ts"], globalSetup: [vitestTempDir], testTimeout: 500_000 },
});
