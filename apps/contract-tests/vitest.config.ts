import { defineConfig } from "vitest/config";

const shared = {
  testTimeout: 120_000,
  hookTimeout: 60_000,
  // Each file starts its own server process; two cores, so two files at a time.
  maxWorkers: 2,
};
// The SQL stores run a reduced form of the suite: the state machine and concurrency.
const onSqlStores = ["test/state-machine.test.ts", "test/concurrency.test.ts"];

export default defineConfig({
  test: {
    ...shared,
    projects: [
      { test: { ...shared, name: "memory", include: ["test/**/*.test.ts"] } },
      {
        test: {
          ...shared,
          name: "pglite",
          include: onSqlStores,
          env: { CONTRACT_STORE: "pglite" },
          globalSetup: ["test/pglite-setup.ts"],
        },
      },
      {
        test: {
          ...shared,
          name: "postgres",
          include: onSqlStores,
          env: { CONTRACT_STORE: "postgres" },
          globalSetup: ["test/postgres-setup.ts"],
        },
      },
    ],
  },
});
