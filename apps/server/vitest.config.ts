import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // The second removes vitest's own temp dir also when the run is interrupted.
    globalSetup: ["test/global-setup.ts", "src/testing/vitestTempDir.ts"],
    // Generous: some tests start server processes, and under `npm test` two cores serve every
    // workspace at once (11 s seen for a 1 s test, 147 s for a 46 s one while the machine did
    // more). Timeouts stop hung tests; nothing is timed.
    testTimeout: 120_000,
    hookTimeout: 120_000,
    // expect.poll's default of 1 s is one slow answer on a loaded machine; it only stops a wait.
    expect: { poll: { timeout: 15_000 } },
  },
});
