#!/usr/bin/env node
// The `cts-csms-server` binary. It is tracked (dist/ is a build output) so that npm can link the
// binary when a fresh clone is installed, before anything is built; it runs the built CLI.
try {
  await import("../dist/cli.js");
} catch (err) {
  if (err?.code === "ERR_MODULE_NOT_FOUND" && String(err.message).includes("dist/cli.js")) {
    process.stderr.write("cts-csms-server is not built yet: run `npm run build` first\n");
    process.exit(1);
  }
  throw err;
}
