// What every contract test file shares: a reference server started through its CLI in strict
// auth mode, clients for both APIs per project, the admin client (reset between tests), and a
// raw sender that records what it sent.
import {
  type AdminClient,
  createAdminClient,
  createCsmsClient,
  createCtsClient,
} from "@cts-csms/client";
import { type SentRequest, toCurl } from "./curl.js";
import {
  credentials,
  type RunningServer,
  type StoreArgs,
  startServer,
  withCredentialsFile,
} from "./server.js";
import { type Api, type Json, type Operation, specs } from "./spec.js";
import { checkResponse, type Received } from "./validate.js";

export type Project = (typeof credentials.projects)[number];

export interface Harness {
  server: RunningServer;
  url: string;
  cts(project: Project): any;
  csms(project: Project): any;
  /** The client of an operation's API, acting as `project` with its token. */
  clientFor(op: Operation, project: Project): any;
  /** The reference server's admin API, through the typed admin client. */
  admin: AdminClient;
  send(req: SentRequest): Promise<Received & { sent: SentRequest }>;
  reset(project?: Project): Promise<void>;
  stop(): Promise<void>;
  /** Requests sent through `send` so far. */
  sent(): number;
}

export async function startHarness(
  extraArgs: string[] = [],
  store?: () => Promise<StoreArgs>,
): Promise<Harness> {
  const server = await withCredentialsFile((file) =>
    startServer(["--auth", "strict", "--credentials", file, ...extraArgs], store),
  );
  try {
    return harnessOn(server);
  } catch (err) {
    // A harness that cannot be built must not leave its server running.
    await server.stop();
    throw err;
  }
}

/** Sends a request as it is and reads the answer (the raw sender of a harness). */
export type Sender = (req: SentRequest) => Promise<Received & { headers: Headers }>;

export const sendRaw: Sender = async (req) => {
  const res = await fetch(req.url, { method: req.method, headers: req.headers, body: req.body });
  const text = await res.text();
  let body: unknown;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    body = text;
  }
  return {
    status: res.status,
    contentType: res.headers.get("content-type"),
    headers: res.headers,
    body,
    text,
  };
};

/**
 * A harness on a server: its clients and the raw sender go through `fetch` and `sender`, which
 * the differential suite replaces with ones that send each request to every server.
 */
export function harnessOn(
  server: RunningServer,
  through: { fetch?: (request: Request) => Promise<Response>; sender?: Sender } = {},
): Harness {
  const url = server.url;
  const make = (factory: typeof createCtsClient | typeof createCsmsClient, project: Project) =>
    factory({
      endpoint: url,
      projectId: project,
      auth: { token: credentials.tokens[project] },
      retry: false,
      timeoutMs: 30_000,
      fetch: through.fetch,
    } as any);
  const perProject = (factory: typeof createCtsClient | typeof createCsmsClient) =>
    Object.fromEntries(credentials.projects.map((p) => [p, make(factory, p)])) as Record<
      Project,
      any
    >;
  const clients = { cts: perProject(createCtsClient), csms: perProject(createCsmsClient) };
  const admin = createAdminClient({
    endpoint: url,
    retry: false,
    throwOnError: true,
    fetch: through.fetch,
  });
  const sender = through.sender ?? sendRaw;
  let sent = 0;
  return {
    admin,
    server,
    url,
    sent: () => sent,
    cts: (p) => clients.cts[p],
    csms: (p) => clients.csms[p],
    clientFor: (op, p) => clients[op.api][p],
    async send(req) {
      sent++;
      return { ...(await sender(req)), sent: req };
    },
    async reset(project) {
      await admin.resetState(project ? { params: { query: { project_id: project } } } : {});
    },
    stop: () => server.stop(),
  };
}

/** Builds the URL of an operation from path and query values (percent-encoded). */
export function urlFor(base: string, op: Operation, path: Json, query: Json = {}): string {
  const p = op.path.replace(/\{([^}]+)\}/g, (_, name) => encodeURIComponent(String(path[name])));
  const qs = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) if (v !== undefined) qs.append(k, String(v));
  const s = qs.toString();
  return `${base}${p}${s ? `?${s}` : ""}`;
}

/** Fails with the problems and a runnable curl command when a response does not conform. */
export function assertConforms(
  op: Operation,
  res: Received,
  sent: SentRequest | undefined,
  extra: string[] = [],
) {
  const problems = [...checkResponse(op, res), ...extra];
  if (problems.length) {
    const curl = sent ? `\nreplay: ${toCurl(sent)}` : "";
    throw new Error(
      `${op.operationId} → ${res.status} ${res.text.slice(0, 300)}\n- ${problems.join("\n- ")}${curl}`,
    );
  }
}

/** A client call's result, in the shape checkResponse reads, plus the request it made. */
export async function received(result: {
  response: Response;
  data?: unknown;
  error?: unknown;
}): Promise<Received> {
  const { response } = result;
  const body = result.error ?? result.data;
  const text = body === undefined ? "" : JSON.stringify(body);
  return { status: response.status, contentType: response.headers.get("content-type"), body, text };
}

export const FUZZ_RUNS = Number(process.env.FUZZ_RUNS ?? 200);
export type { Api };
export { credentials, specs };
