import { createRequire } from "node:module";
import { defineConfig } from "vitest/config";

// Removes vitest's own temp dir also when the run is interrupted (vitest skips it on Ctrl-C).
const vitestTempDir = createRequire(import.meta.url).resolve(
  "@cts-csms/server/testing/vitest-temp-dir",
);

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    globalSetup: [vitestTempDir],
    // Generous: a browser test walks every operation, and a loaded CI box renders Redoc slowly.
    // Timeouts only stop a hung test; nothing here measures speed.
    testTimeout: 300_000,
    // A heading reached by a link may take more than a second to scroll into view under load.
    expect: { poll: { timeout: 15_000 } },
    // Launching Chromium and rendering two 2.5 MB Redoc pages takes a while on a busy CI box.
    hookTimeout: 60_000,
  },
});
