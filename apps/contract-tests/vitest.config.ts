import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 120_000,
    hookTimeout: 60_000,
    // Each file starts its own server process; two cores, so two files at a time.
    maxWorkers: 2,
  },
});
