/**
 * `@cts-csms/server/testing`: the reference server in a test run.
 *
 * - `setup` / `teardown` (a vitest `globalSetup` module: `export { setup, teardown } from
 *   "@cts-csms/server/testing"`), or `startReferenceServer(options)` from any runner's global
 *   hook (for node:test, a runner script that starts it, then runs the files with `run()`),
 *   start one server for the whole run on an ephemeral port and publish its URL in
 *   `CTS_CSMS_SERVER_URL`, which test workers and file processes inherit.
 * - `testProject()` at the top of each test file gives the URL, a project id of the file's own
 *   (so files never see each other's resources, even in parallel), the typed admin client, and
 *   `reset()`, which clears that project's resources and fault rules.
 * - `expectRequests(pattern, count)` (on a test project, or on its own) asserts what the request
 *   journal holds through `verifyRequests`, and throws an `AssertionError` with the server's
 *   message (the closest requests and what differed) when it does not; `clearRequests()` empties
 *   the project's journal between tests without touching its resources.
 */
import { AssertionError } from "node:assert";
import { randomBytes } from "node:crypto";
import { type AdminClient, createAdminClient } from "@cts-csms/client";
import type { admin } from "@cts-csms/types";
import { createServer, type RunningServer, type ServerOptions } from "../server.js";

/** The environment variable that carries the server's URL to the tests. */
export const SERVER_URL_ENV = "CTS_CSMS_SERVER_URL";

export type FaultRuleRequest = admin.components["schemas"]["FaultRuleRequest"];
export type FaultRule = admin.components["schemas"]["FaultRule"];
export type RequestPattern = admin.components["schemas"]["RequestPattern"];
export type VerifyResult = admin.components["schemas"]["VerifyResult"];
export type JournalEntry = admin.components["schemas"]["JournalEntry"];

/** How many journaled requests must match: `{ exactly: 1 }`, `{ at_least: 2 }`, `{ none: true }`. */
export type RequestCount = { exactly: number } | { at_least: number } | { none: true };

let running: RunningServer | undefined;

/**
 * Starts the reference server (port 0, no log unless `logger` says otherwise) and sets
 * `CTS_CSMS_SERVER_URL`. Resolves with a function that stops it (a vitest `globalSetup` may
 * return it as its teardown).
 */
export async function startReferenceServer(
  options: ServerOptions = {},
): Promise<() => Promise<void>> {
  const server = await createServer({ port: 0, logger: false, ...options });
  running = server;
  process.env[SERVER_URL_ENV] = server.url;
  return async () => {
    if (running === server) running = undefined;
    if (process.env[SERVER_URL_ENV] === server.url) delete process.env[SERVER_URL_ENV];
    await server.close();
  };
}

let stopRunning: (() => Promise<void>) | undefined;

/** vitest `globalSetup`: starts the server with default options. */
export async function setup(): Promise<void> {
  stopRunning = await startReferenceServer();
}

/** vitest `globalSetup`: stops the server `setup` started. */
export async function teardown(): Promise<void> {
  await stopRunning?.();
  stopRunning = undefined;
}

/** The running server's URL, from the global setup (throws with the fix when there is none). */
export function serverUrl(): string {
  const url = process.env[SERVER_URL_ENV];
  if (!url) {
    throw new Error(
      `@cts-csms/server/testing: no reference server: ${SERVER_URL_ENV} is not set. Start one ` +
        'from a global setup (vitest: globalSetup exporting { setup, teardown } from "@cts-csms/server/testing"; ' +
        "node:test: await startReferenceServer() in the script that runs the files with run()).",
    );
  }
  return url;
}

export interface TestProject {
  /** The server's base URL: the `endpoint` of every client. */
  url: string;
  /** A project id no other test uses. */
  projectId: string;
  /** The typed admin client (faults, reset, health). */
  admin: AdminClient;
  /** Adds a fault rule scoped to this project (its `project_id` is filled in). */
  fault(rule: Omit<FaultRuleRequest, "project_id">): Promise<FaultRule>;
  /** This project's fault rules, with their hit counts. */
  faults(): Promise<FaultRule[]>;
  /** Clears this project's resources, fault rules and request journal (call it after each test). */
  reset(): Promise<void>;
  /**
   * Asserts that the project's request journal holds `count` requests matching `pattern`
   * (default: exactly one); throws an `AssertionError` with the server's explanation otherwise.
   */
  expectRequests(pattern: RequestPattern, count?: RequestCount): Promise<VerifyResult>;
  /** This project's journaled requests, oldest first (the first 1,000). */
  requests(): Promise<JournalEntry[]>;
  /** Empties this project's request journal, and nothing else (a journal per test). */
  clearRequests(): Promise<void>;
}

/**
 * Asserts what a project's request journal holds (`verifyRequests`): `count` requests (default
 * exactly one) matching `pattern`. Throws an `AssertionError` whose message is the server's: what
 * was expected, what was found, the closest requests and what differed. Works in any runner
 * (vitest, node:test, …). `projectId` left out: the requests that name no project.
 */
export async function expectRequests(
  target: { url?: string; projectId?: string; admin?: AdminClient },
  pattern: RequestPattern,
  count: RequestCount = { exactly: 1 },
): Promise<VerifyResult> {
  const admin =
    target.admin ?? createAdminClient({ endpoint: target.url ?? serverUrl(), throwOnError: true });
  const [expect, n] =
    "exactly" in count
      ? (["exactly", count.exactly] as const)
      : "at_least" in count
        ? (["at_least", count.at_least] as const)
        : (["none", undefined] as const);
  const { data } = await admin.verifyRequests({
    params: { query: target.projectId === undefined ? {} : { project_id: target.projectId } },
    body: n === undefined ? { pattern, expect } : { pattern, expect, n },
  });
  const result = data as VerifyResult;
  if (!result.matched) {
    throw new AssertionError({
      message: result.message,
      actual: result.count,
      expected: result.n,
      operator: result.expect,
      stackStartFn: expectRequests,
    });
  }
  return result;
}

let projects = 0;
const run = randomBytes(4).toString("hex");

/** A project of the test's own on the running server. */
export async function testProject(
  options: { url?: string; prefix?: string } = {},
): Promise<TestProject> {
  const url = options.url ?? serverUrl();
  projects++;
  const projectId = `${options.prefix ?? "test"}-${run}-${process.pid}-${projects}`;
  const admin = createAdminClient({ endpoint: url, throwOnError: true });
  return {
    url,
    projectId,
    admin,
    async fault(rule) {
      const { data } = await admin.addFaultRule({ body: { ...rule, project_id: projectId } });
      return data as FaultRule;
    },
    async faults() {
      const { data } = await admin.listFaultRules();
      return (data?.rules ?? []).filter((r) => r.rule.project_id === projectId);
    },
    async reset() {
      await admin.resetState({ params: { query: { project_id: projectId } } });
    },
    expectRequests: (pattern, count) => expectRequests({ admin, projectId }, pattern, count),
    async requests() {
      const { data } = await admin.listRequests({
        params: { query: { project_id: projectId, limit: 1000 } },
      });
      return data?.requests ?? [];
    },
    async clearRequests() {
      await admin.clearRequests({ params: { query: { project_id: projectId } } });
    },
  };
}
