import { defineConfig } from "vitest/config";

// The retry tests wait out real backoffs and Retry-After pauses: seconds on a busy two-core
// machine, beyond vitest's 5 s default. Timeouts, not timings, are what they assert.
export default defineConfig({ test: { testTimeout: 30_000 } });
