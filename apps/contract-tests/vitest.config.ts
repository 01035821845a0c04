import { createRequire } from "node:module";
import { configDefaults, defineConfig } from "vitest/config";

// Removes vitest's own temp dir also when the run is interrupted (vitest skips it on Ctrl-C).
const vitestTempDir = createRequire(import.meta.url).resolve(
  "@cts-csms/server/testing/vitest-temp-dir",
);

const shared = {
  testTimeout: 120_000,
  // A file's beforeAll starts a server: see the start-up timeout in src/server.ts.
  hookTimeout: 150_000,
  // Each file starts its own server process; two cores, so two files at a time.
  maxWorkers: 2,
  globalSetup: [vitestTempDir],
};
// The SQL stores run a reduced form of the suite: the examples, the state machine, concurrency,
// and the fuzzer with a tenth of its runs (the rules it checks are the spec's, not the store's).
const onSqlStores = [
  "test/examples.test.ts",
  "test/state-machine.test.ts",
  "test/concurrency.test.ts",
  "test/fuzz.test.ts",
];
const differential = "test/differential.test.ts";
const sqlFuzzRuns = String(Math.max(10, Math.round(Number(process.env.FUZZ_RUNS ?? 200) / 10)));

export default defineConfig({
  test: {
    ...shared,
    projects: [
      {
        test: {
          ...shared,
          name: "memory",
          include: ["test/**/*.test.ts"],
          exclude: [...configDefaults.exclude, differential],
        },
      },
      // Starts a server on each store itself, so it runs once, in a project of its own.
      { test: { ...shared, name: "differential", include: [differential] } },
      {
        test: {
          ...shared,
          name: "pglite",
          include: onSqlStores,
          env: { CONTRACT_STORE: "pglite", FUZZ_RUNS: sqlFuzzRuns },
          globalSetup: [vitestTempDir, "test/pglite-setup.ts"],
        },
      },
      {
        test: {
          ...shared,
          name: "postgres",
          include: onSqlStores,
          env: { CONTRACT_STORE: "postgres", FUZZ_RUNS: sqlFuzzRuns },
          globalSetup: [vitestTempDir, "test/postgres-setup.ts"],
        },
      },
    ],
  },
});
