/**
 * `@cts-csms/server/testing/vitest-temp-dir`: a vitest `globalSetup` module that has vitest's own
 * temp dir (the modules it hands to its workers) removed however the run ends. Vitest removes it
 * when it closes, but on Ctrl-C it exits without closing. Add it to `globalSetup` in
 * `vitest.config.ts`: `globalSetup: [import.meta.resolve("@cts-csms/server/testing/vitest-temp-dir")]`
 * (or its path), beside your own.
 */
import { removeOnExit } from "./tempDir.js";

/** `project` is vitest's `TestProject`; only its `tmpDir` is read. */
export default function setup(project: { readonly tmpDir: string }): void {
  removeOnExit(project.tmpDir);
}
