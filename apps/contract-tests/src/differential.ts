// The differential harness: one request goes to every server under test (memory, PGlite,
// PostgreSQL, …), and their answers must be the same once what legitimately differs is mapped:
// the ids and times each server generated, and the server's own URL and its sinks' receiver.
// Ids and times are not dropped: each server's value gets a token in order of first appearance
// (server A's id #3 ↔ server B's id #3), so a value that two servers use differently still
// shows. Later requests carry each server's own values. The first server's answer is what the
// caller (the typed clients, the fuzzer's raw sender) gets back.
import { createPublicKey, generateKeyPairSync, type KeyObject, verify } from "node:crypto";
import { mkdirSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { join } from "node:path";
import { smnStringToSign } from "@cts-csms/client/receiver";
import { tempDir } from "@cts-csms/server/testing/temp-dir";
import { startBalancer } from "./balancer.js";
import { type Harness, harnessOn, sendRaw } from "./context.js";
import { type SentRequest, toCurl } from "./curl.js";
import type { RunningServer, StoreArgs } from "./server.js";
import { startServer, withCredentialsFile } from "./server.js";
import type { Received } from "./validate.js";

/** A server under test: how to start it with the shared flags. */
export interface Target {
  name: string;
  start(args: string[]): Promise<TargetServer>;
}

/** A started target: one server, or replicas behind one URL (`replicaUrls`, each its own). */
export type TargetServer = RunningServer & {
  replicaUrls?: string[];
  /** How it spread requests; with `last`, which replica each of the last `last` requests went to. */
  describe?: (last?: number) => string;
};

/** A target that is one `cts-csms-server` process on the store these flags pick. */
export function processTarget(name: string, store: () => Promise<StoreArgs>): Target {
  return { name, start: (args) => startServer(args, store) };
}

/**
 * `count` `cts-csms-server` processes on one store (created once: a fresh database), behind a
 * load balancer that sends each request to a replica picked at random from `seed`.
 */
export function replicasTarget(
  name: string,
  count: number,
  store: () => Promise<StoreArgs>,
  seed: number,
): Target {
  return {
    name,
    async start(args) {
      const shared = await store();
      const replicas: RunningServer[] = [];
      const stopReplicas = () => Promise.all(replicas.map((r) => r.stop()));
      try {
        // The store outlives each replica: it is removed once all have stopped.
        const onShared = async (): Promise<StoreArgs> => ({
          args: shared.args,
          cleanup: async () => {},
        });
        for (let i = 0; i < count; i++) replicas.push(await startServer(args, onShared));
        const urls = replicas.map((r) => r.url);
        const balancer = await startBalancer(urls, seed);
        return {
          url: balancer.url,
          child: replicas[0]!.child,
          replicaUrls: urls,
          output: () => replicas.map((r) => r.output()).join("\n"),
          describe: (last) =>
            `requests per replica: ${balancer.sent.join(", ")}` +
            (last === undefined
              ? ""
              : `; the last ${last} went to replica ${balancer.chosen.slice(-last).join(" ")} (of ${urls.join(", ")})`),
          async stop() {
            await balancer.stop();
            await stopReplicas();
            await shared.cleanup();
          },
        };
      } catch (err) {
        await stopReplicas();
        await shared.cleanup();
        throw err;
      }
    },
  };
}

export const memoryStore = async (): Promise<StoreArgs> => ({ args: [], cleanup: async () => {} });

/**
 * PGlite in a fresh temp `--data-dir`, removed when the server stops. The database is
 * initialised here first, as the pglite project's global setup does: seconds of WASM work that
 * would otherwise count against the server's start-up time on a loaded machine.
 */
export const pgliteStore = async (): Promise<StoreArgs> => {
  const dir = tempDir("cts-csms-diff-pglite-");
  try {
    const { PGlite } = await import("@electric-sql/pglite");
    mkdirSync(join(dir.path, "state"));
    const db = await PGlite.create(join(dir.path, "state", "pgdata"));
    await db.close();
  } catch (err) {
    dir.close();
    throw err;
  }
  return { args: ["--data-dir", join(dir.path, "state")], cleanup: async () => dir.close() };
};

/** A fresh database on the PostgreSQL at `adminUrl`, dropped when the server stops. */
export const postgresStore = (adminUrl: string) => async (): Promise<StoreArgs> => {
  const { createDatabase } = await import("@cts-csms/server/testing/postgres");
  const database = await createDatabase(adminUrl);
  return { args: ["--database-url", database.url], cleanup: database.drop };
};

/** Response headers that vary per connection or follow from the body's bytes. */
const UNCOMPARED_HEADERS = new Set([
  "date",
  "connection",
  "keep-alive",
  "content-length",
  "etag",
  "x-request-id",
]);
/** Fields that hold a time the server read from its clock (`expire_time` is the client's). */
const TIME_KEYS = new Set([
  "create_time",
  "created_time",
  "update_time",
  "updated_time",
  "record_time",
  "delivered_time",
  "next_attempt_time",
  "trigger_time",
  "scheduled_delete_time",
  "time",
  "now",
  "timestamp",
]);
/** Fields that hold an id the server generated (learned when UUID-shaped). */
const ID_KEYS = new Set([
  "id",
  "notification_id",
  "event_id",
  "trace_id",
  "request_id",
  "rotation_task_id",
  "delivery_id",
  "message_id",
  "x-smn-message-id",
]);
/** An id, as a UUID or as SMN's 32 hex digits (its message ids). */
const ID =
  /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|(?<![0-9a-f])[0-9a-f]{32}(?![0-9a-f])/g;
const MS = /(?<![0-9])[0-9]{12,16}(?![0-9])/g;
const ISO = /[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(?:\.[0-9]+)?Z/g;

/** One server's generated values and their tokens. */
export class Mapping {
  private readonly tokens = new Map<string, string>();
  private readonly raws = new Map<string, string>();
  private count = { id: 0, time: 0 };

  /** `<server>` in place of each of these URLs (not followed by a digit: a longer port's). */
  private readonly replicas: RegExp | undefined;

  constructor(
    /** Server-specific strings (its URL, its receiver) and the placeholder each stands for. */
    readonly own: [string, string][] = [],
    /** The URLs of the replicas behind the server's URL, which its answers may name. */
    replicaUrls: string[] = [],
  ) {
    const escaped = replicaUrls.map((u) => u.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"));
    this.replicas = escaped.length
      ? new RegExp(`(?:${escaped.join("|")})(?![0-9])`, "g")
      : undefined;
  }

  learn(kind: "id" | "time", raw: string) {
    if (this.tokens.has(raw)) return;
    const token = `<${kind}#${++this.count[kind]}>`;
    this.tokens.set(raw, token);
    this.raws.set(token, raw);
  }

  token(raw: string): string | undefined {
    return this.tokens.get(raw);
  }

  raw(token: string): string | undefined {
    return this.raws.get(token);
  }

  /** Forgets every value: after a full reset the deterministic ids and clock start again. */
  clear() {
    this.tokens.clear();
    this.raws.clear();
    this.count = { id: 0, time: 0 };
  }

  /** A string with every known value replaced by its token, and the own strings by theirs. */
  text(s: string): string {
    if (this.replicas) s = s.replace(this.replicas, "<server>");
    for (const [value, placeholder] of this.own) s = s.split(value).join(placeholder);
    const swap = (m: string) => this.tokens.get(m) ?? m;
    return s.replace(ID, swap).replace(MS, swap).replace(ISO, swap);
  }

  /**
   * Learns the generated values of an answer: ids and times under the keys that hold them, also
   * inside JSON carried as a string (a trace's request, a record's content), except values the
   * request itself carried (those are the client's).
   */
  learnFrom(value: unknown, sent: string, key?: string) {
    if (typeof value === "string") {
      if (key !== undefined && ID_KEYS.has(key)) {
        for (const m of value.match(ID) ?? []) if (!sent.includes(m)) this.learn("id", m);
      } else if (key !== undefined && TIME_KEYS.has(key) && !sent.includes(value)) {
        this.learn("time", value);
      } else if (value.startsWith("{")) {
        try {
          this.learnFrom(JSON.parse(value), sent);
        } catch {
          // Not JSON: a plain string.
        }
      }
    } else if (typeof value === "number") {
      if (key !== undefined && TIME_KEYS.has(key) && !sent.includes(String(value))) {
        this.learn("time", String(value));
      }
    } else if (Array.isArray(value)) {
      for (const v of value) this.learnFrom(v, sent, key);
    } else if (value && typeof value === "object") {
      // In key order: a JSON object's keys are unordered (a jsonb column returns them sorted).
      const entries = Object.entries(value).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
      for (const [k, v] of entries) this.learnFrom(v, sent, k);
    }
  }

  /** The value with every known id and time replaced by its token (numbers at time keys too). */
  normalise(value: unknown, key?: string): unknown {
    if (typeof value === "string") return this.text(value);
    if (typeof value === "number") {
      return key !== undefined && TIME_KEYS.has(key) ? (this.token(String(value)) ?? value) : value;
    }
    if (Array.isArray(value)) return value.map((v) => this.normalise(v, key));
    if (value && typeof value === "object") {
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, this.normalise(v, k)]));
    }
    return value;
  }
}

/** An answer as compared: status, the headers that matter, and the body, all normalised. */
export interface Answer {
  status: number;
  headers: Record<string, string>;
  body: unknown;
}

export function normalisedAnswer(
  mapping: Mapping,
  sent: SentRequest,
  res: { status: number; headers: Headers; body: unknown },
  smnKey?: KeyObject,
): Answer {
  if (smnKey) res = { ...res, body: verifiedSignatures(res.body, smnKey) };
  const what = `${sent.url} ${sent.body ?? ""} ${Object.values(sent.headers).join(" ")}`;
  const requestId = res.headers.get("x-request-id");
  if (requestId && !what.includes(requestId)) mapping.learn("id", requestId);
  mapping.learnFrom(res.body, what);
  const headers: Record<string, string> = {};
  for (const [k, v] of res.headers) if (!UNCOMPARED_HEADERS.has(k)) headers[k] = mapping.text(v);
  return { status: res.status, headers, body: mapping.normalise(res.body) };
}

/**
 * `value` with every SMN message's `signature` replaced by `<verified>` once it verifies with `key` (a message that does not verify fails). A
 * signature covers the message's times and ids, which may legitimately differ per server (they
 * are mapped, not compared raw), so what is compared is that each server signed what it sent.
 */
export function verifiedSignatures(value: unknown, key: KeyObject): unknown {
  if (typeof value === "string") {
    if (!(value.startsWith("{") && value.includes('"signature"'))) return value;
    try {
      return JSON.stringify(verifiedSignatures(JSON.parse(value), key));
    } catch {
      return value;
    }
  }
  if (Array.isArray(value)) return value.map((v) => verifiedSignatures(v, key));
  if (!value || typeof value !== "object") return value;
  const entries = Object.entries(value).map(([k, v]) => [k, verifiedSignatures(v, key)]);
  const msg = value as Record<string, unknown>;
  if (typeof msg.signature === "string" && typeof msg.signature_version === "string") {
    const signed = smnStringToSign(msg as unknown as Parameters<typeof smnStringToSign>[0]);
    const ok = verify(
      "sha256",
      Buffer.from(signed, "utf8"),
      key,
      Buffer.from(msg.signature, "base64"),
    );
    if (!ok) throw new Error(`an SMN message whose signature does not verify: ${signed}`);
    return Object.fromEntries(entries.map(([k, v]) => [k, k === "signature" ? "<verified>" : v]));
  }
  return Object.fromEntries(entries);
}

/** The first place two values differ, as a JSON path, or `undefined` when they are equal. */
export function firstDifference(a: unknown, b: unknown, path = ""): string | undefined {
  if (Object.is(a, b)) return undefined;
  if (typeof a === "string" && typeof b === "string" && a.startsWith("{") && b.startsWith("{")) {
    // JSON carried in a string (a payload, a trace's body): show where inside it differs.
    try {
      return firstDifference(JSON.parse(a), JSON.parse(b), `${path}(json)`) ?? `${path}: key order`;
    } catch {
      // Not JSON: compared as strings below.
    }
  }
  if (typeof a !== typeof b || a === null || b === null || typeof a !== "object") {
    return `${path || "/"}: ${JSON.stringify(a)?.slice(0, 300)} ≠ ${JSON.stringify(b)?.slice(0, 300)}`;
  }
  if (Array.isArray(a) !== Array.isArray(b)) return `${path || "/"}: array ≠ object`;
  // A signature differs whenever what it signs does: show that first.
  const keys = [...new Set([...Object.keys(a), ...Object.keys(b as object)])].sort(
    (x, y) => Number(x === "signature") - Number(y === "signature"),
  );
  for (const k of keys) {
    const d = firstDifference((a as any)[k], (b as any)[k], `${path}/${k}`);
    if (d) return d;
  }
  return undefined;
}

/** Records what each server's sinks receive: `POST /{server}/…` on one local HTTP server. */
export class Receiver {
  private server?: Server;
  url = "";
  readonly received = new Map<string, string[]>();

  async start() {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        const [, name = "", ...rest] = (req.url ?? "").split("/");
        const smn = Object.entries(req.headers)
          .filter(([k]) => k.startsWith("x-smn-"))
          .map(([k, v]) => `${k}: ${v}`)
          .sort();
        const entry = `${req.method} /${rest.join("/")}\n${smn.join("\n")}\n${Buffer.concat(chunks)}`;
        this.received.set(name, [...(this.received.get(name) ?? []), entry]);
        res.writeHead(200).end();
      });
    });
    await new Promise<void>((ok) => this.server!.listen(0, "127.0.0.1", ok));
    const address = this.server.address() as { port: number };
    this.url = `http://127.0.0.1:${address.port}`;
  }

  /** The base URL of one server's sink endpoints. */
  base(name: string) {
    return `${this.url}/${name}`;
  }

  take(name: string): string[] {
    const got = this.received.get(name) ?? [];
    this.received.delete(name);
    return got;
  }

  stop() {
    return new Promise<void>((done) => (this.server ? this.server.close(() => done()) : done()));
  }
}

const FLUSH = "/_admin/deliveries/flush";
const RESET = "/_admin/reset";

export class DifferenceError extends Error {}

interface Running {
  name: string;
  server: TargetServer;
  mapping: Mapping;
}

/** Every server under test, behind one harness whose requests go to all of them. */
export class Differential {
  private readonly log: SentRequest[] = [];
  exchanges = 0;
  /** Called with each request as sent to the first server. */
  onExchange?: (req: SentRequest) => void;
  harness!: Harness;

  private constructor(
    readonly servers: Running[],
    readonly receiver: Receiver,
    private readonly cleanup: () => void,
    /** The public key of the one SMN signing key every server signs with. */
    readonly smnKey: KeyObject,
  ) {}

  static async start(targets: Target[]): Promise<Differential> {
    const receiver = new Receiver();
    await receiver.start();
    // One SMN signing key for all: each server's signatures are verified with it.
    const keyDir = tempDir("cts-csms-diff-key-");
    const keyFile = join(keyDir.path, "smn.pem");
    const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
    writeFileSync(keyFile, privateKey.export({ type: "pkcs8", format: "pem" }));
    const started: Running[] = [];
    const cleanup = () => keyDir.close();
    try {
      await withCredentialsFile(async (file) => {
        const args = ["--auth", "strict", "--credentials", file, "--deterministic"];
        args.push("--smn-signing-key", keyFile);
        // One after the other: starting three at once on two cores only makes each slower.
        for (const target of targets) {
          const server = await target.start(args);
          const own: [string, string][] = [
            [receiver.base(target.name), "<receiver>"],
            [server.url, "<server>"],
          ];
          const mapping = new Mapping(own, server.replicaUrls);
          started.push({ name: target.name, server, mapping });
        }
      });
    } catch (err) {
      await Promise.all(started.map((s) => s.server.stop()));
      await receiver.stop();
      cleanup();
      throw err;
    }
    const d = new Differential(started, receiver, cleanup, createPublicKey(privateKey));
    d.harness = harnessOn(started[0]!.server, {
      fetch: (request) => d.fetch(request),
      sender: (req) => d.exchange(req),
    });
    return d;
  }

  async stop() {
    await Promise.all(this.servers.map((s) => s.server.stop()));
    await this.receiver.stop();
    this.cleanup();
  }

  /**
   * Adds strings that differ per server and what stands for them: the server's `[value,
   * placeholder]` pairs, also as URL-encoded (an SMN message's `unsubscribe_url` carries one).
   */
  own(pairs: (name: string) => [string, string][]) {
    for (const s of this.servers) {
      for (const [value, placeholder] of pairs(s.name)) {
        s.mapping.own.push([value, placeholder], [encodeURIComponent(value), placeholder]);
      }
    }
  }

  /** Starts a new sequence: forgets the requests logged so far (after a full reset). */
  restart() {
    this.log.length = 0;
    for (const s of this.servers) s.mapping.clear();
    for (const s of this.servers) this.receiver.take(s.name);
  }

  /** A request addressed to the first server, as the server `i` must get it. */
  private translate(req: SentRequest, i: number): SentRequest {
    if (i === 0) return req;
    const from = this.servers[0]!.mapping;
    const to = this.servers[i]!.mapping;
    const swap = (s: string) => {
      for (const [[value], [mine]] of zip(from.own, to.own)) s = s.split(value).join(mine);
      return s.replace(ID, (m) => {
        const token = from.token(m);
        return (token && to.raw(token)) ?? m;
      });
    };
    return {
      ...req,
      url: swap(req.url),
      body: req.body === undefined ? undefined : swap(req.body),
    };
  }

  /** Sends `req` to every server, compares the answers, and returns the first server's. */
  async exchange(req: SentRequest): Promise<Received & { headers: Headers }> {
    this.exchanges++;
    // One request id for all: traces carry it, and SMN signs the trace it delivers.
    if (!Object.keys(req.headers).some((k) => k.toLowerCase() === "x-request-id")) {
      req = { ...req, headers: { ...req.headers, "x-request-id": `diff-${this.exchanges}` } };
    }
    this.log.push(req);
    this.onExchange?.(req);
    const sent = this.servers.map((_, i) => this.translate(req, i));
    const answers = await Promise.all(sent.map((r) => sendRaw(r)));
    const compared = answers.map((a, i) =>
      normalisedAnswer(this.servers[i]!.mapping, sent[i]!, a, this.smnKey),
    );
    for (let i = 1; i < compared.length; i++) {
      const d = firstDifference(compared[0], compared[i]);
      if (d) {
        const shown = compared.map(
          (a, j) => `${this.servers[j]!.name}: ${JSON.stringify(a).slice(0, 2000)}`,
        );
        this.fail(
          `${this.servers[0]!.name} and ${this.servers[i]!.name} differ at ${d}\n${shown.join("\n")}`,
        );
      }
    }
    // A full reset restarts the deterministic ids and clock: their values mean new things.
    if (req.method === "POST" && new URL(req.url).pathname === RESET && !req.url.includes("?")) {
      for (const s of this.servers) s.mapping.clear();
    }
    // A write's deliveries (and the records they write) settle before the next request, so
    // their order and outcome do not depend on timing: the flush is part of the sequence.
    if (req.method !== "GET" && !req.url.endsWith(FLUSH)) {
      await this.exchange({
        method: "POST",
        url: `${this.servers[0]!.server.url}${FLUSH}`,
        headers: {},
      });
    }
    return answers[0]!;
  }

  /** The `fetch` of the typed clients: each call becomes an exchange. */
  async fetch(request: Request): Promise<Response> {
    const headers: Record<string, string> = {};
    request.headers.forEach((v, k) => {
      headers[k] = v;
    });
    const body = request.body === null ? undefined : await request.text();
    const res = await this.exchange({ method: request.method, url: request.url, headers, body });
    const nullBody = res.status === 204 || res.status === 304 || res.text === "";
    return new Response(nullBody ? null : res.text, { status: res.status, headers: res.headers });
  }

  /**
   * What each server's sinks received since the last call must be the same, as multisets (the
   * delivery queue sends in parallel, so arrival order is not part of the contract).
   */
  compareReceived() {
    const got = this.servers.map((s) =>
      this.receiver
        .take(s.name)
        .map((e) => {
          // A received request as text: its request line and headers, then its body.
          const at = e.indexOf("\n{");
          const body =
            at < 0 ? e : `${e.slice(0, at + 1)}${verifiedSignatures(e.slice(at + 1), this.smnKey)}`;
          return s.mapping.text(body);
        })
        .sort(),
    );
    for (let i = 1; i < got.length; i++) {
      const d = firstDifference(got[0], got[i]);
      if (d) {
        this.fail(
          `what the sinks of ${this.servers[0]!.name} and ${this.servers[i]!.name} received differs at ${d}`,
        );
      }
    }
  }

  /** Fails with the difference and the sequence so far as curl commands. */
  fail(what: string): never {
    const names = this.servers.map((s) => `${s.name} ${s.server.url}`).join(", ");
    throw new DifferenceError(
      `${what}\n\nreproduction (${this.log.length} requests, sent to ${this.servers[0]!.name}; ` +
        `each server gets the same with its own URL: ${names}; servers started with --auth strict ` +
        `--deterministic; run the same against each and compare):\n` +
        this.servers
          .filter((s) => s.server.describe)
          .map((s) => `${s.name}: ${s.server.describe!(this.log.length)}\n`)
          .join("") +
        this.log.map((r) => toCurl(r)).join("\n"),
    );
  }
}

function zip<A, B>(a: A[], b: B[]): [A, B][] {
  return a.map((x, i) => [x, b[i]!]);
}
