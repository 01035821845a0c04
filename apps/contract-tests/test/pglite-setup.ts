// Global setup of the `pglite` project: one freshly initialised PGlite data dir, copied for each
// server under test (initialising one takes seconds of WASM work; copying it, milliseconds).
import { join } from "node:path";
import { tempDir } from "@cts-csms/server/testing/temp-dir";
import type { TestProject } from "vitest/node";

declare module "vitest" {
  export interface ProvidedContext {
    pgliteTemplate: string;
  }
}

export default async function setup(project: TestProject) {
  const dir = tempDir("cts-csms-contract-pglite-");
  try {
    const { PGlite } = await import("@electric-sql/pglite");
    const db = await PGlite.create(join(dir.path, "pgdata"));
    await db.close();
  } catch (err) {
    dir.close();
    throw err;
  }
  project.provide("pgliteTemplate", join(dir.path, "pgdata"));
  return () => dir.close();
}
