// Starts the reference server the way users do: the `cts-csms-server` CLI as a child process on
// an ephemeral port. Resolves once it prints its URL.
import { type ChildProcess, spawn } from "node:child_process";
import { cpSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { tempDir } from "@cts-csms/server/testing/temp-dir";

const require = createRequire(import.meta.url);

export interface RunningServer {
  url: string;
  child: ChildProcess;
  stop(): Promise<void>;
  /** Everything the server wrote, for assertions on its logs. */
  output(): string;
}

/** Credentials for strict mode: two projects, a token and an AK/SK pair for each. */
export const credentials = {
  projects: ["p1", "p2", "p3"] as const,
  tokens: { p1: "token-p1", p2: "token-p2", p3: "token-p3" },
  aksk: {
    p1: { ak: "AKP1EXAMPLE", sk: "sk-p1-secret-value" },
    p2: { ak: "AKP2EXAMPLE", sk: "sk-p2-secret-value" },
    p3: { ak: "AKP3EXAMPLE", sk: "sk-p3-secret-value" },
  },
};

/**
 * Runs `use` with the credentials written to a temp file, and removes the file afterwards: the
 * server reads it once at start-up, so it need not outlive the start.
 */
export async function withCredentialsFile<T>(use: (file: string) => Promise<T>): Promise<T> {
  const dir = tempDir("cts-csms-creds-");
  try {
    const file = join(dir.path, "credentials.json");
    writeFileSync(
      file,
      JSON.stringify({
        tokens: credentials.projects.map((p) => ({ token: credentials.tokens[p], projects: [p] })),
        aksk: credentials.projects.map((p) => ({ ...credentials.aksk[p], projects: [p] })),
      }),
    );
    return await use(file);
  } finally {
    dir.close();
  }
}

/**
 * The store the server runs on, from the vitest project (see vitest.config.ts): in memory, or
 * PGlite in a temp data dir, or a fresh database on the PostgreSQL the global setup started.
 */
export interface StoreArgs {
  args: string[];
  cleanup(): Promise<void>;
}

async function storeArgs(): Promise<StoreArgs> {
  const store = process.env.CONTRACT_STORE;
  if (store === "pglite") {
    const { inject } = await import("vitest");
    const dir = tempDir("cts-csms-contract-");
    cpSync(inject("pgliteTemplate"), join(dir.path, "state", "pgdata"), { recursive: true });
    return { args: ["--data-dir", join(dir.path, "state")], cleanup: async () => dir.close() };
  }
  if (store === "postgres") {
    const { inject } = await import("vitest");
    const { createDatabase } = await import("@cts-csms/server/testing/postgres");
    const database = await createDatabase(inject("postgresUrl"));
    return { args: ["--database-url", database.url], cleanup: database.drop };
  }
  return { args: [], cleanup: async () => {} };
}

/** `store` picks the store's flags; by default, the vitest project's (`CONTRACT_STORE`). */
export async function startServer(
  args: string[] = [],
  store: () => Promise<StoreArgs> = storeArgs,
): Promise<RunningServer> {
  const pkgFile = require.resolve("@cts-csms/server/package.json");
  const cli = join(dirname(pkgFile), require(pkgFile).bin["cts-csms-server"]);
  const chosen = await store();
  args = [...args, ...chosen.args];
  const child = spawn(process.execPath, [cli, "--port", "0", "--log-level", "warn", ...args], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  const url = await new Promise<string>((resolveUrl, reject) => {
    // Generous: a start-up costs ~2.5 s of CPU (spec load, validator warm-up); six at once on a
    // loaded 2-core machine took 11-29 s each, and a fresh-clone CI run on Node 22 saw two pass
    // 45 s. Below the 150 s hook timeout, so this message is the one that shows.
    const timer = setTimeout(() => reject(new Error(`server did not start:\n${output}`)), 120_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const m = output.match(/listening on (http:\/\/[^\s)]+)/);
      if (m) {
        clearTimeout(timer);
        resolveUrl(m[1]!);
      }
    };
    child.stdout!.on("data", onData);
    child.stderr!.on("data", onData);
    child.once("exit", (code) => reject(new Error(`server exited with ${code}:\n${output}`)));
  }).catch(async (err: unknown) => {
    child.kill("SIGKILL");
    await chosen.cleanup();
    throw err;
  });
  return {
    url,
    child,
    output: () => output,
    stop: () =>
      new Promise<void>((done) => {
        if (child.exitCode !== null) return done();
        child.once("exit", () => done());
        child.kill("SIGTERM");
      }).then(chosen.cleanup),
  };
}
