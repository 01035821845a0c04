import { defineConfig } from "vitest/config";

// Compiling every example's schema takes seconds on a busy two-core machine, not milliseconds.
// Worker threads, not forked processes: with forks vitest copies each transformed module into a
// temp dir of its own, which a Ctrl-C leaves behind. Threads hand modules over in memory.
export default defineConfig({
  test: { include: ["test/**/*.test.ts"], testTimeout: 30_000, pool: "threads" },
});
