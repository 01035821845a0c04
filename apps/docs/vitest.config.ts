import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 20_000,
    // Launching Chromium and rendering two 2.5 MB Redoc pages takes a while on a busy CI box.
    hookTimeout: 60_000,
  },
});
