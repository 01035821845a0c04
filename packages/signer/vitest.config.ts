import { defineConfig } from "vitest/config";

// Worker threads, not forked processes: with forks vitest copies each transformed module into a
// temp dir of its own, which a Ctrl-C leaves behind. Threads hand modules over in memory.
export default defineConfig({ test: { pool: "threads" } });
