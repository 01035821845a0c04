// Global setup of the `postgres` project: one PostgreSQL for the run (`DATABASE_URL`, else an
// embedded one), stopped and removed at the end; each server under test gets a database of its own.
import { testPostgres } from "@cts-csms/server/testing/postgres";
import type { TestProject } from "vitest/node";

declare module "vitest" {
  export interface ProvidedContext {
    postgresUrl: string;
  }
}

export default async function setup(project: TestProject) {
  const server = await testPostgres({ dirPrefix: "cts-csms-contract-pg-" });
  project.provide("postgresUrl", server.url);
  return () => server.close();
}
