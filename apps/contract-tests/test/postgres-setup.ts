// Global setup of the `postgres` project: one PostgreSQL for the run, stopped at the end.
import type { TestProject } from "vitest/node";
import { startPostgres } from "../src/postgres.js";

declare module "vitest" {
  export interface ProvidedContext {
    postgresUrl: string;
  }
}

export default async function setup(project: TestProject) {
  const server = await startPostgres();
  project.provide("postgresUrl", server.url);
  return () => server.stop();
}
