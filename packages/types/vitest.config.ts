import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // Worker threads, not forked processes: with forks vitest copies each transformed module into
    // a temp dir of its own, which a Ctrl-C leaves behind. Threads hand modules over in memory.
    pool: "threads",
    typecheck: {
      enabled: true,
      include: ["test/**/*.test-d.ts"],
      tsconfig: "./tsconfig.test.json",
    },
  },
});
