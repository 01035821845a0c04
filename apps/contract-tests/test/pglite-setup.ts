// Global setup of the `pglite` project: one freshly initialised PGlite data dir, copied for each
// server under test (initialising one takes seconds of WASM work; copying it, milliseconds).
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TestProject } from "vitest/node";

declare module "vitest" {
  export interface ProvidedContext {
    pgliteTemplate: string;
  }
}

export default async function setup(project: TestProject) {
  const dir = mkdtempSync(join(tmpdir(), "cts-csms-contract-pglite-"));
  try {
    const { PGlite } = await import("@electric-sql/pglite");
    const db = await PGlite.create(join(dir, "pgdata"));
    await db.close();
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
  project.provide("pgliteTemplate", join(dir, "pgdata"));
  return () => rmSync(dir, { recursive: true, force: true });
}
