// The differential suite: one generated sequence of requests goes to a server on each store
// (memory, PGlite, PostgreSQL) and to two replicas on one PostgreSQL database behind a load
// balancer that sends each request to a replica picked at random from the run's seed
// (src/balancer.ts), and every answer must be the same once the ids and times each target
// generated are mapped (src/differential.ts). So the replicas, one request at a time, must act
// as one server: ids and times (`--deterministic`'s counters are shared through the database),
// admin state, deliveries and their log. The sequence mixes the state machine's
// commands (still checked against its model, through the first server's answers), the fuzzer's
// valid and invalid requests for every operation, and the admin routes that change state: trace
// injection, the clock, rotation failures, project and full resets. Sinks point at a local
// receiver, so deliveries happen; what each server's sinks received, their delivery logs and the
// notification records are compared too. A difference is shrunk by fast-check and printed as
// curl commands. DIFF_RUNS sets the number of sequences (default below, for CI); DIFF_SEED the
// run's seed (printed at the end), which also picks the replicas.
import { smnSubscriptionUrn } from "@cts-csms/server/events";
import { testPostgres } from "@cts-csms/server/testing/postgres";
import fc from "fast-check";
import { afterAll, beforeAll, expect, it } from "vitest";
import { credentials, type Harness, type Project } from "../src/context.js";
import {
  Differential,
  firstDifference,
  Mapping,
  memoryStore,
  normalisedAnswer,
  pgliteStore,
  postgresStore,
  processTarget,
  replicasTarget,
  type Target,
} from "../src/differential.js";
import { fuzzRequests } from "../src/fuzzRequests.js";
import { operations } from "../src/spec.js";
import {
  emptyModel,
  fired,
  forget,
  type Model,
  projects,
  secretName,
  commands as stateMachineCommands,
} from "../src/stateMachine.js";

const RUNS = Number(process.env.DIFF_RUNS ?? 30);
/**
 * The run's seed: fast-check's, and the load balancer's in front of the replicas (so DIFF_SEED
 * with the same DIFF_RUNS replays both the sequences and which replica served each request).
 */
const SEED = Number(process.env.DIFF_SEED ?? Math.floor(Math.random() * 2 ** 31));
const MAX_COMMANDS = 40;
/** The project the fuzzer and the delivering resources use: the state machine's model does not know it. */
const FUZZED = "p3" as const;
const SMN_TOPIC = `urn:smn:cn-north-4:${FUZZED}:delivered`;
const FUNCTION = `urn:fss:cn-north-4:${FUZZED}:function:default:delivered`;
/** Clock moves stay under ListTraces' seven days, which the model's trace lists assume. */
const CLOCK_BUDGET_MS = 5 * 86_400_000;
const EPOCH = Date.UTC(2024, 0, 1);
const HOUR_MS = 3_600_000;

let d: Differential;
/** The CTS and CSMS operations the run sent at least one request to. */
const exercised = new Set<string>();
const pathOf = (op: (typeof operations)[number]) =>
  new RegExp(`^${op.path.replace(/\{[^}]+\}/g, "[^/]+")}$`);
let pg: Awaited<ReturnType<typeof testPostgres>> | undefined;
const started = performance.now();
beforeAll(async () => {
  pg = await testPostgres({ dirPrefix: "cts-csms-diff-pg-" });
  // The servers under test: a list, so a new deployment shape (replicas, …) is one more entry.
  const targets: Target[] = [
    processTarget("memory", memoryStore),
    processTarget("pglite", pgliteStore),
    processTarget("postgres", postgresStore(pg.url)),
    replicasTarget("postgres-x2", 2, postgresStore(pg.url), SEED),
  ];
  d = await Differential.start(targets);
  d.onExchange = (req) => {
    const { pathname } = new URL(req.url);
    const op = operations.find(
      (o) => o.method.toUpperCase() === req.method && pathOf(o).test(pathname),
    );
    if (op) exercised.add(op.operationId);
  };
  // SMN names a subscription after its endpoint, which is each server's own on the receiver.
  d.own((name) => [
    [smnSubscriptionUrn(SMN_TOPIC, `${d.receiver.base(name)}/smn`), "<subscription-urn>"],
  ]);
}, 360_000);
afterAll(async () => {
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  console.log(
    `differential: ${RUNS} sequences, ${d?.exchanges ?? 0} requests to each of ${d?.servers.length ?? 0} servers, ${exercised.size} of ${operations.length} CTS and CSMS operations, in ${seconds} s (DIFF_RUNS=${RUNS}, DIFF_SEED=${SEED})`,
  );
  for (const s of d?.servers ?? []) {
    if (s.server.describe) console.log(`differential: ${s.name}: ${s.server.describe()}`);
  }
  await d?.stop();
  await pg?.close();
}, 60_000);

type DiffModel = Model & { advancedMs: number };
type Cmd = fc.AsyncCommand<DiffModel, Harness>;

/** Where the fuzzed project's sinks deliver: this server's path on the local receiver. */
function sinks() {
  const base = d.receiver.base(d.servers[0]!.name);
  return {
    [SMN_TOPIC]: [{ protocol: "http", endpoint: `${base}/smn` }],
    [FUNCTION]: { endpoint: `${base}/function` },
  };
}

async function resetAll(h: Harness) {
  await h.reset();
  await h.admin.replaceSinks({ body: sinks() as any });
}

class FuzzRequest implements Cmd {
  constructor(
    readonly fuzz: ReturnType<typeof fuzzRequests>,
    readonly operationId: string,
    readonly req: Parameters<ReturnType<typeof fuzzRequests>["materialise"]>[0],
    readonly what: string,
  ) {}
  check = () => true;
  async run(_m: DiffModel, h: Harness) {
    await h.send(await this.fuzz.materialise(this.req));
  }
  toString = () => `fuzz(${this.operationId}, ${this.what})`;
}

class MoveClock implements Cmd {
  constructor(readonly by: { advance: string; ms: number } | { time: string }) {}
  check = (m: Readonly<DiffModel>) =>
    "ms" in this.by
      ? m.advancedMs + this.by.ms < CLOCK_BUDGET_MS
      : Date.parse(this.by.time) - EPOCH < CLOCK_BUDGET_MS;
  async run(m: DiffModel, h: Harness) {
    const body = "ms" in this.by ? { advance: this.by.advance } : { time: this.by.time };
    // A time behind the clock is a 400 on every server; the admin client throws on it.
    await h.admin.setClock({ body }).catch(() => undefined);
    const moved =
      "ms" in this.by ? this.by.ms : Math.max(0, Date.parse(this.by.time) - EPOCH - m.advancedMs);
    m.advancedMs += moved;
    // ListTraces shows the last hour by default: a move of an hour or more hides every trace so far.
    if (moved >= HOUR_MS) for (const p of projects) m.traces[p] = [];
    await h.admin.getClock();
  }
  toString = () => `moveClock(${JSON.stringify(this.by)})`;
}

class RotationFailure implements Cmd {
  constructor(
    readonly p: Project,
    readonly name: string,
  ) {}
  check = () => true;
  async run(m: DiffModel, h: Harness) {
    const r = await h.admin
      .failSecretRotation({ params: { path: { project_id: this.p, secret_name: this.name } } })
      .then(
        (ok) => ok.response.status,
        (err: { status?: number }) => err.status,
      );
    const p = this.p;
    if (p === FUZZED) return;
    const secret = m.secrets[p].get(this.name);
    expect(r).toBe(secret ? 204 : 404);
    if (secret) fired(m, p, secret, "SECRET_ROTATED_FAILED");
  }
  toString = () => `rotationFailure(${this.p}, ${this.name})`;
}

class ResetProject implements Cmd {
  constructor(readonly p: Project) {}
  check = () => true;
  async run(m: DiffModel, h: Harness) {
    const p = this.p;
    await h.reset(p);
    if (p !== FUZZED) forget(m, p);
  }
  toString = () => `resetProject(${this.p})`;
}

class ResetAll implements Cmd {
  check = () => true;
  async run(m: DiffModel, h: Harness) {
    await resetAll(h);
    Object.assign(m, emptyModel(), { advancedMs: 0 });
  }
  toString = () => "resetAll()";
}

class InjectTrace implements Cmd {
  constructor(
    readonly traceName: string,
    readonly code: string,
  ) {}
  check = () => true;
  async run(_m: DiffModel, h: Harness) {
    await h.admin.injectTrace({
      params: { path: { project_id: FUZZED } },
      body: {
        service_type: "ECS",
        resource_type: "ecs",
        trace_name: this.traceName,
        code: this.code,
      } as any,
    });
  }
  toString = () => `injectTrace(${FUZZED}, ${this.traceName}, ${this.code})`;
}

/** A notification of the fuzzed project whose topic has a sink: every trace there delivers. */
class DeliveringNotification implements Cmd {
  constructor(
    readonly name: string,
    readonly kind: "smn" | "function",
    readonly filtered: boolean,
  ) {}
  check = () => true;
  async run(_m: DiffModel, h: Harness) {
    await h.cts(FUZZED).createNotification({
      body: {
        notification_name: this.name,
        operation_type: "complete",
        topic_id: this.kind === "smn" ? SMN_TOPIC : FUNCTION,
        ...(this.filtered && {
          filter: { condition: "OR", is_support_filter: true, rule: ["code != 200"] },
        }),
      },
    });
  }
  toString = () => `deliveringNotification(${this.name}, ${this.kind}, ${this.filtered})`;
}

/** A secret of the fuzzed project subscribed to an event whose SMN topic has a sink. */
class DeliveringSecret implements Cmd {
  constructor(
    readonly name: string,
    readonly step: "create" | "version" | "rotate" | "schedule" | "delete" | "show",
  ) {}
  check = () => true;
  async run(_m: DiffModel, h: Harness) {
    const csms = h.csms(FUZZED);
    const path = { secret_name: this.name };
    if (this.step === "create") {
      await csms.createSecretEvent({
        body: {
          name: `${this.name}-event`,
          event_types: [
            "SECRET_VERSION_CREATED",
            "SECRET_ROTATED",
            "SECRET_DELETED",
            "SECRET_ROTATED_FAILED",
            "SECRET_VERSION_EXPIRED",
          ],
          state: "ENABLED",
          notification: { target_type: "SMN", target_id: SMN_TOPIC, target_name: "delivered" },
        },
      });
      await csms.createSecret({
        body: {
          name: this.name,
          secret_string: `value of ${this.name}`,
          event_subscriptions: [`${this.name}-event`],
          // Rotated on schedule whenever a clock move (P1D, PT2H) passes its next_rotation_time.
          ...(this.name === "other" && { auto_rotation: true, rotation_period: "6h" }),
        },
      });
    } else if (this.step === "version") {
      await csms.createSecretVersion({ params: { path }, body: { secret_string: "next value" } });
    } else if (this.step === "rotate") {
      await csms.rotateSecret({ params: { path } });
    } else if (this.step === "schedule") {
      // Scheduled rotation set up by an update, and counted from it.
      await csms.updateSecret({
        params: { path },
        body: { auto_rotation: true, rotation_period: "6h" },
      });
    } else if (this.step === "delete") {
      await csms.deleteSecret({ params: { path } });
    } else {
      await csms.showSecret({ params: { path } });
      await csms.listSecretVersions({ params: { path, query: {} } });
      await csms.showSecretVersion({ params: { path: { ...path, version_id: "latest" } } });
      await csms.listSecretTask({ params: { query: { secret_name: this.name } } });
    }
  }
  toString = () => `deliveringSecret(${this.name}, ${this.step})`;
}

/** Deliveries, their payloads as received, notification records and traces of the fuzzed project. */
class CompareDeliveries implements Cmd {
  check = () => true;
  async run(_m: DiffModel, h: Harness) {
    await h.admin.flushDeliveries();
    await h.admin.listDeliveries({ params: { query: { project_id: FUZZED } } });
    await h.csms(FUZZED).listNotificationRecords({ params: { query: {} } });
    await h.cts(FUZZED).listTraces({ params: { query: { trace_type: "system", limit: 200 } } });
    d.compareReceived();
  }
  toString = () => "compareDeliveries()";
}

/**
 * Values at the edges of what the spec's types can carry, which stores hold differently: a
 * request of this table, sent raw to the fuzzed project's secret "kept" (created if missing).
 */
const EDGES: { name: string; method: string; path: string; body?: string }[] = [
  {
    name: "expiry 2^53+1",
    method: "POST",
    path: "/secrets/kept/versions",
    body: '{"secret_string":"x","expire_time":9007199254740993}',
  },
  {
    name: "expiry 2^63",
    method: "POST",
    path: "/secrets/kept/versions",
    body: '{"secret_string":"x","expire_time":9223372036854775808}',
  },
  {
    name: "expiry 1e300",
    method: "POST",
    path: "/secrets/kept/versions",
    body: '{"secret_string":"x","expire_time":1e300}',
  },
  {
    name: "expiry update 1e300",
    method: "PUT",
    path: "/secrets/kept/versions/v1",
    body: '{"expire_time":1e300}',
  },
  {
    name: "12 custom stages",
    method: "POST",
    path: "/secrets/kept/versions",
    body: JSON.stringify({
      secret_string: "x",
      version_stages: Array.from({ length: 12 }, (_, i) => `S${i}`),
    }),
  },
  { name: "version id v01", method: "GET", path: "/secrets/kept/versions/v01" },
  { name: "version id V1", method: "GET", path: "/secrets/kept/versions/V1" },
  { name: "never-issued events marker", method: "GET", path: "/csms/events?marker=zzz" },
  { name: "never-issued secrets marker", method: "GET", path: "/secrets?marker=zzz" },
  {
    name: "never-issued records marker",
    method: "GET",
    path: "/csms/notification-records?marker=zzz",
  },
  { name: "versions", method: "GET", path: "/secrets/kept/versions" },
];

class EdgeRequest implements Cmd {
  constructor(readonly edge: (typeof EDGES)[number]) {}
  check = () => true;
  async run(_m: DiffModel, h: Harness) {
    const base = `${h.url}/v1/${FUZZED}`;
    const headers = {
      "X-Auth-Token": credentials.tokens[FUZZED],
      "Content-Type": "application/json",
    };
    const { edge } = this;
    await h.send({ method: "GET", url: `${base}/secrets/kept`, headers }).then((r) =>
      r.status === 404
        ? h.send({
            method: "POST",
            url: `${base}/secrets`,
            headers,
            body: '{"name":"kept","secret_string":"kept value"}',
          })
        : r,
    );
    await h.send({ method: edge.method, url: `${base}${edge.path}`, headers, body: edge.body });
  }
  toString = () => `edge(${this.edge.name})`;
}

function differentialCommands(h: Harness): fc.Arbitrary<Cmd>[] {
  const fuzz = fuzzRequests(h, FUZZED);
  const fuzzed = fc.constantFrom(...operations).chain((op) =>
    fc.oneof(
      fuzz.validRequest(op).map((req) => new FuzzRequest(fuzz, op.operationId, req, "valid")),
      fuzz.invalidRequest(op).map((req) => new FuzzRequest(fuzz, op.operationId, req, req.what)),
    ),
  );
  const anyProject = fc.constantFrom<Project>(...projects, FUZZED);
  const delivering = fc.constantFrom("kept", "other");
  return [
    ...(stateMachineCommands as fc.Arbitrary<Cmd>[]),
    fuzzed,
    fuzzed,
    fuzzed,
    fuzzed,
    fc
      .oneof(
        fc
          .constantFrom(["PT1M", 60_000], ["PT2H", 7_200_000], ["P1D", 86_400_000])
          .map(([advance, ms]) => ({ advance: advance as string, ms: ms as number })),
        fc
          .constantFrom("2024-01-02T00:00:00Z", "2024-01-03T12:30:00Z", "2023-12-31T00:00:00Z")
          .map((time) => ({ time })),
      )
      .map((by) => new MoveClock(by)),
    fc
      .tuple(anyProject, fc.oneof(secretName, delivering))
      .map(([p, n]) => new RotationFailure(p, n)),
    anyProject.map((p) => new ResetProject(p)),
    fc.constant(new ResetAll()),
    fc
      .tuple(fc.constantFrom("deleteServer", "createVpc"), fc.constantFrom("200", "404", "500"))
      .map(([n, c]) => new InjectTrace(n, c)),
    fc
      .tuple(
        fc.constantFrom("n1", "n2"),
        fc.constantFrom("smn" as const, "function" as const),
        fc.boolean(),
      )
      .map(([n, k, f]) => new DeliveringNotification(n, k, f)),
    fc
      .tuple(
        delivering,
        fc.constantFrom(
          "create",
          "version",
          "rotate",
          "schedule",
          "delete",
          "show",
        ) as fc.Arbitrary<DeliveringSecret["step"]>,
      )
      .map(([n, s]) => new DeliveringSecret(n, s)),
    fc.constant(new CompareDeliveries()),
    fc.constantFrom(...EDGES).map((e) => new EdgeRequest(e)),
  ];
}

it("the mapping pairs each server's own ids and times, and shows a value used differently", () => {
  const sent = { method: "GET", url: "http://x/", headers: {} };
  const answer = (body: unknown) => ({ status: 200, headers: new Headers(), body });
  const a = new Mapping();
  const b = new Mapping();
  const idA = ["6f1c1f8e-3e8a-4d6b-9f00-000000000001", "6f1c1f8e-3e8a-4d6b-9f00-000000000002"];
  const idB = ["0b7e4a52-5c61-4a7e-8a11-0000000000aa", "0b7e4a52-5c61-4a7e-8a11-0000000000bb"];
  const first = (ids: string[], t: number) => ({
    notifications: ids.map((id, i) => ({ notification_id: id, create_time: t + i })),
  });
  const onA = normalisedAnswer(a, sent, answer(first(idA, 1_704_067_200_000)));
  const onB = normalisedAnswer(b, sent, answer(first(idB, 1_704_067_300_000)));
  expect(firstDifference(onA, onB)).toBeUndefined();
  // Later, each server names its own first notification in a message: still the same.
  const later = (id: string) => answer({ error_msg: `notification_id ${id} is in use` });
  expect(
    firstDifference(
      normalisedAnswer(a, sent, later(idA[0]!)),
      normalisedAnswer(b, sent, later(idB[0]!)),
    ),
  ).toBeUndefined();
  // One server names its first, the other its second: a difference.
  expect(
    firstDifference(
      normalisedAnswer(a, sent, later(idA[0]!)),
      normalisedAnswer(b, sent, later(idB[1]!)),
    ),
  ).toContain("error_msg");
  // A value the client sent (an expiry) is compared as it is, never mapped.
  const expiry = (t: number) => answer({ expire_time: t });
  expect(
    firstDifference(
      normalisedAnswer(a, sent, expiry(1_800_000_000_000)),
      normalisedAnswer(b, sent, expiry(1_800_000_000_001)),
    ),
  ).toContain("expire_time");
});

it(
  `${RUNS} generated sequences get the same answers on every store`,
  async () => {
    const h = d.harness;
    const commands = differentialCommands(h);
    await fc.assert(
      fc.asyncProperty(fc.commands(commands, { maxCommands: MAX_COMMANDS }), async (cmds) => {
        d.restart();
        await resetAll(h);
        const model: DiffModel = { ...emptyModel(), advancedMs: 0 };
        await fc.asyncModelRun(() => ({ model, real: h }), cmds);
        // Whatever the sequence left behind: every list, the deliveries and the records.
        await new CompareDeliveries().run(model, h);
        for (const p of [...projects, FUZZED]) {
          await h.csms(p).listSecrets({ params: { query: {} } });
          await h.csms(p).listSecretEvents({ params: { query: {} } });
          await h.cts(p).listNotifications({ params: { path: { notification_type: "smn" } } });
        }
      }),
      {
        numRuns: RUNS,
        // To replay a failure: the seed fast-check printed (DIFF_SEED), with the same DIFF_RUNS.
        seed: SEED,
      },
    );
    expect(d.exchanges).toBeGreaterThan(RUNS);
  },
  Math.max(120_000, RUNS * 60_000),
);

it("a clock move's scheduled rotation and expiry are the same on every store", async () => {
  // Generated sequences rarely hold a rotating or expiring secret and then a long enough clock
  // move: this one always does. Its answers are compared on every store, and the first server's
  // are checked too.
  const h = d.harness;
  d.restart();
  await resetAll(h);
  const model: DiffModel = { ...emptyModel(), advancedMs: 0 };
  await new DeliveringSecret("other", "create").run(model, h);
  const csms = h.csms(FUZZED);
  const path = { secret_name: "other" };
  const { data: clock } = await h.admin.getClock();
  await csms.createSecretVersion({
    params: { path },
    body: { secret_string: "expiring value", expire_time: (clock?.now ?? 0) + HOUR_MS },
  });
  await new MoveClock({ advance: "P1D", ms: 86_400_000 }).run(model, h);
  const tasks = await csms.listSecretTask({ params: { query: { secret_name: "other" } } });
  expect(tasks.data.tasks.map((t: any) => [t.operate_type, t.task_status])).toEqual([
    ["AUTO", "SUCCESS"],
  ]);
  const versions = await csms.listSecretVersions({ params: { path, query: {} } });
  expect(versions.data.version_metadatas.map((v: any) => [v.id, v.version_stages])).toEqual([
    ["v1", []],
    ["v2", ["SYSPREVIOUS"]],
    ["v3", ["SYSCURRENT"]],
  ]);
  await new CompareDeliveries().run(model, h);
  // Listed by time, then in the order the events fired, whichever delivery settled first.
  const records = await csms.listNotificationRecords({ params: { query: {} } });
  expect(records.data.records.map((r: any) => r.trigger_event_type)).toEqual([
    "SECRET_VERSION_CREATED",
    "SECRET_VERSION_CREATED",
    "SECRET_VERSION_EXPIRED",
    "SECRET_ROTATED",
  ]);
}, 120_000);

it("every CTS and CSMS operation was compared on every store", async () => {
  // The generated sequences reach most operations by chance; a tour sends one valid request to
  // each operation they missed, so every run compares all of them.
  const h = d.harness;
  d.restart();
  await resetAll(h);
  const fuzz = fuzzRequests(h, FUZZED);
  const missed = operations.filter((op) => !exercised.has(op.operationId));
  for (const op of missed) {
    const [req] = fc.sample(fuzz.validRequest(op), { numRuns: 1, seed: 1 });
    await h.send(await fuzz.materialise(req!));
  }
  console.log(
    `differential: the tour sent ${missed.length} operation(s) no sequence reached: ${missed.map((op) => op.operationId).join(", ") || "none"}`,
  );
  expect(
    operations.filter((op) => !exercised.has(op.operationId)).map((op) => op.operationId),
  ).toEqual([]);
}, 120_000);
