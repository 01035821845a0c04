import { defineConfig } from "vitest/config";

// Compiling every example's schema takes seconds on a busy two-core machine, not milliseconds.
export default defineConfig({ test: { include: ["test/**/*.test.ts"], testTimeout: 30_000 } });
