/**
 * The admin state and the deliveries across replicas: three servers on one PostgreSQL database
 * act as one server. Sinks, fault rules (with their counts and seeded draws) and the clock set
 * through one replica act on requests served by the others, a reset through any resets them for
 * all, and every replica shows the same delivery log and flushes every replica's deliveries.
 * Most tests use two of them (A and B); those that spread requests use all three (C too).
 */
import { beforeEach, expect, it } from "vitest";
import { createServer, type RunningServer } from "../src/index.js";
import { startReceiver } from "./events/support.js";
import { request } from "./helpers.js";
import { replicasOnPostgres } from "./stores.js";

const P = "24edf66e79d04187acb99a463e610764";
const Q = "dc3b7c85759141a991da17423c0f2068";
const TOPIC = `urn:smn:cn-north-4:${P}:ops`;
const replicas = replicasOnPostgres(3);
const receiver = await startReceiver();

const call = (server: RunningServer, method: string, path: string, body?: unknown) =>
  request(server.url, method, path, body === undefined ? {} : { body });
const trio = () => replicas.servers as [RunningServer, RunningServer, RunningServer];
const pair = () => trio().slice(0, 2) as [RunningServer, RunningServer];
/** The status of a GET that a fault may answer (helpers' `request` refuses the gateway's 429). */
const statusOf = async (server: RunningServer, path: string) => {
  const res = await fetch(server.url + path, { headers: { "X-Auth-Token": "t" } });
  await res.arrayBuffer();
  return res.status;
};

beforeEach(async () => {
  expect((await call(pair()[0], "POST", "/_admin/reset")).status).toBe(204);
  receiver.received.length = 0;
});

it("delivers a trace matched on B to the sinks set through A", async () => {
  const [a, b] = pair();
  // Every trace of the project matches; the notification's own creation finds no sink yet.
  const created = await call(a, "POST", `/v3/${P}/notifications`, {
    notification_name: "everything",
    operation_type: "complete",
    topic_id: TOPIC,
  });
  expect(created.status, created.text).toBe(201);
  const sinks = { [TOPIC]: [{ protocol: "http", endpoint: `${receiver.url}/smn` }] };
  expect((await call(a, "PUT", "/_admin/sinks", sinks)).status).toBe(200);
  expect((await call(b, "GET", "/_admin/sinks")).body).toEqual(sinks);

  // A traced write through B: its trace matches `everything`, and B delivers it.
  const write = await call(b, "POST", `/v3/${P}/notifications`, {
    notification_name: "second",
    operation_type: "customized",
    operations: [{ service_type: "ECS", resource_type: "ecs", trace_names: ["deleteServer"] }],
    topic_id: `urn:smn:cn-north-4:${P}:nobody`,
  });
  expect(write.status, write.text).toBe(201);
  expect((await call(b, "POST", "/_admin/deliveries/flush")).status).toBe(204);
  // The log is shared: B shows A's no_sink delivery (the first creation's) before its own.
  const log = (await call(b, "GET", `/_admin/deliveries?project_id=${P}`)).body.deliveries;
  expect(log.map((d: any) => [d.target, d.endpoint, d.status])).toEqual([
    [TOPIC, undefined, "no_sink"],
    [TOPIC, `${receiver.url}/smn`, "delivered"],
  ]);
  expect(receiver.received.map((r) => [r.path, r.headers["x-smn-topic-urn"]])).toEqual([
    ["/smn", TOPIC],
  ]);
  const trace = JSON.parse(receiver.received[0]?.json.message);
  expect(trace).toMatchObject({ trace_id: log[1].trace_id, trace_name: "createNotification" });

  // Sinks removed through B: A's next matching write finds none.
  expect((await call(b, "PUT", "/_admin/sinks", {})).status).toBe(200);
  await call(a, "DELETE", `/v3/${P}/notifications`, {
    notification_id_list: [write.body.notification_id],
  });
  await call(a, "POST", "/_admin/deliveries/flush");
  const logA = (await call(a, "GET", `/_admin/deliveries?project_id=${P}`)).body.deliveries;
  expect(logA.at(-1)).toMatchObject({ target: TOPIC, status: "no_sink" });
  expect(receiver.received).toHaveLength(1);
});

it("shows the deliveries A queued in B's and C's logs, and B's flush waits for them", async () => {
  const [a, b, c] = trio();
  // The receiver answers after a while: A's attempts are in flight when B is asked to flush.
  let answered = 0;
  receiver.on("/slow", (_req, res) => {
    setTimeout(() => {
      answered++;
      res.writeHead(204).end();
    }, 1000);
  });
  const sinks = { [TOPIC]: [{ protocol: "http", endpoint: `${receiver.url}/slow` }] };
  expect((await call(a, "PUT", "/_admin/sinks", sinks)).status).toBe(200);
  for (const name of ["everything", "second", "third"]) {
    const created = await call(a, "POST", `/v3/${P}/notifications`, {
      notification_name: name,
      operation_type: "complete",
      topic_id: TOPIC,
    });
    expect(created.status, created.text).toBe(201);
  }
  // Three writes through A, matched by 1, 2 and 3 notifications: six deliveries, held by A.
  expect((await call(b, "POST", "/_admin/deliveries/flush")).status).toBe(204);
  const logB = (await call(b, "GET", `/_admin/deliveries?project_id=${P}`)).body.deliveries;
  expect(logB.map((d: any) => d.status)).toEqual(Array(6).fill("delivered"));
  expect(answered).toBe(6);
  for (const other of [a, c]) {
    expect(
      (await call(other, "GET", `/_admin/deliveries?project_id=${P}`)).body.deliveries,
    ).toEqual(logB);
  }
});

/** Concurrent writes of the load test: more than a replica's connection pool at once. */
const LOAD = 240;

it(`logs exactly the matching deliveries for ${LOAD} concurrent writes spread over A, B and C`, async () => {
  const [a, b, c] = trio();
  const sinks = { [TOPIC]: [{ protocol: "http", endpoint: `${receiver.url}/load` }] };
  expect((await call(a, "PUT", "/_admin/sinks", sinks)).status).toBe(200);
  const everything = await call(b, "POST", `/v3/${P}/notifications`, {
    notification_name: "everything",
    operation_type: "complete",
    topic_id: TOPIC,
  });
  expect(everything.status, everything.text).toBe(201);
  // Every other write is in project Q, where no notification matches its trace; in P only
  // `everything` matches (the writes' own notifications name another service).
  const projectOf = (i: number) => (i % 2 === 0 ? P : Q);
  const writes = await Promise.all(
    Array.from({ length: LOAD }, (_, i) =>
      call([a, b, c][i % 3] as RunningServer, "POST", `/v3/${projectOf(i)}/notifications`, {
        notification_name: `n${i}`,
        operation_type: "customized",
        operations: [{ service_type: "ECS", resource_type: "ecs", trace_names: ["deleteServer"] }],
        topic_id: `urn:smn:cn-north-4:${projectOf(i)}:ops`,
      }),
    ),
  );
  expect(writes.map((w) => w.status)).toEqual(Array(LOAD).fill(201));
  expect((await call(c, "POST", "/_admin/deliveries/flush")).status).toBe(204);
  const log = (await call(b, "GET", `/_admin/deliveries?project_id=${P}`)).body.deliveries;
  // `everything`'s own creation and P's writes: one delivery each, each delivered once.
  const matched = LOAD / 2 + 1;
  expect(log).toHaveLength(matched);
  expect(new Set(log.map((d: any) => d.trace_id)).size).toBe(matched);
  expect(log.map((d: any) => d.status)).toEqual(Array(matched).fill("delivered"));
  expect((await call(a, "GET", `/_admin/deliveries?project_id=${Q}`)).body.deliveries).toEqual([]);
  const received = receiver.received.filter((r) => r.path === "/load");
  expect(received.map((r) => r.json.message_id).sort()).toEqual(
    log.map((d: any) => JSON.parse(d.payload).message_id).sort(),
  );
});

it("fires a `count: 2` rule added through A exactly twice over requests to A, B and C", async () => {
  const [a, b, c] = trio();
  const rule = await call(a, "POST", "/_admin/faults", {
    operation_id: "listSecretEvents",
    project_id: P,
    status: 429,
    count: 2,
  });
  expect(rule.status, rule.text).toBe(201);
  const statuses: number[] = [];
  for (let i = 0; i < 6; i++) {
    statuses.push(await statusOf([b, c, a][i % 3] as RunningServer, `/v1/${P}/csms/events`));
  }
  expect(statuses).toEqual([429, 429, 200, 200, 200, 200]);
  expect((await call(b, "GET", "/_admin/faults")).body.rules).toEqual([
    { ...rule.body, hits: 2, matched: 2 },
  ]);

  // Concurrent requests on all three replicas: still two faults in all.
  await call(b, "DELETE", `/_admin/faults?id=${rule.body.id}`);
  await call(b, "POST", "/_admin/faults", { ...rule.body.rule });
  const together = await Promise.all(
    Array.from({ length: 12 }, (_, i) =>
      statusOf([a, b, c][i % 3] as RunningServer, `/v1/${P}/csms/events`),
    ),
  );
  expect(together.filter((s) => s === 429)).toHaveLength(2);
  expect(together.filter((s) => s === 200)).toHaveLength(10);
});

it("draws a seeded rule's faults as one server does, whichever replica serves each request", async () => {
  const [a, b] = pair();
  const rule = { operation_id: "listSecretEvents", status: 429, probability: 0.4, seed: 4242 };
  const requests = 24;
  // One server on its own (in memory): the sequence the replicas together must give.
  const alone = await createServer({ port: 0, logger: false });
  const expected: number[] = [];
  try {
    expect((await call(alone, "POST", "/_admin/faults", rule)).status).toBe(201);
    for (let i = 0; i < requests; i++) {
      expected.push(await statusOf(alone, `/v1/${P}/csms/events`));
    }
  } finally {
    await alone.close();
  }
  expect(expected).toContain(429);
  expect(expected).toContain(200);
  expect((await call(b, "POST", "/_admin/faults", rule)).status).toBe(201);
  const seen: number[] = [];
  for (let i = 0; i < requests; i++) {
    // A, B, B, A, B, B, …: no pattern the draws could follow by luck.
    seen.push(await statusOf(i % 3 === 0 ? a : b, `/v1/${P}/csms/events`));
  }
  expect(seen).toEqual(expected);
});

it("moves the clock through A for B and C too, and a full reset through B restarts it for A", async () => {
  const [a, b, c] = trio();
  const before = (await call(b, "GET", "/_admin/clock")).body;
  expect(before.offset_ms).toBe(0);
  const moved = await call(a, "POST", "/_admin/clock", { advance: "P2D" });
  expect(moved.body.offset_ms).toBe(2 * 86_400_000);
  for (const other of [b, c]) {
    const seen = (await call(other, "GET", "/_admin/clock")).body;
    expect(seen.offset_ms).toBe(2 * 86_400_000);
    expect(seen.now).toBeGreaterThanOrEqual(before.now + 2 * 86_400_000);
  }
  // What B writes carries the moved time.
  const event = await call(b, "POST", `/v1/${P}/csms/events`, {
    name: "timed",
    event_types: ["SECRET_VERSION_CREATED"],
    state: "ENABLED",
    notification: { target_type: "SMN", target_id: TOPIC, target_name: "ops" },
  });
  expect(event.body.event.create_time).toBeGreaterThanOrEqual(before.now + 2 * 86_400_000);

  expect((await call(b, "POST", "/_admin/reset")).status).toBe(204);
  const after = (await call(a, "GET", "/_admin/clock")).body;
  expect(after.offset_ms).toBe(0);
  expect(after.now).toBeLessThan(before.now + 86_400_000);
});

it("resets one project's fault rules for both replicas through either", async () => {
  const [a, b] = pair();
  for (const project of [P, Q]) {
    const added = await call(a, "POST", "/_admin/faults", { project_id: project, status: 429 });
    expect(added.status, added.text).toBe(201);
  }
  await call(a, "POST", "/_admin/faults", { status: 429, operation_id: "listSecretEvents" });
  const sinks = { [TOPIC]: [{ protocol: "http", endpoint: `${receiver.url}/smn` }] };
  await call(a, "PUT", "/_admin/sinks", sinks);

  expect((await call(b, "POST", `/_admin/reset?project_id=${P}`)).status).toBe(204);
  const left = (await call(a, "GET", "/_admin/faults")).body.rules;
  expect(left.map((r: any) => r.rule.project_id)).toEqual([Q, undefined]);
  expect(await statusOf(a, `/v3/${P}/notifications/smn`)).toBe(200);
  expect(await statusOf(a, `/v3/${Q}/notifications/smn`)).toBe(429);

  // A full reset through B: no rules, and the seed's sinks (none) on A.
  expect((await call(b, "POST", "/_admin/reset")).status).toBe(204);
  expect((await call(a, "GET", "/_admin/faults")).body.rules).toEqual([]);
  expect((await call(a, "GET", "/_admin/sinks")).body).toEqual({});
  expect(await statusOf(a, `/v3/${Q}/notifications/smn`)).toBe(200);
});

it("lets go of a request a `hang` rule holds on B once the rule is deleted through A", async () => {
  const [a, b] = pair();
  const rule = await call(a, "POST", "/_admin/faults", {
    operation_id: "listSecretEvents",
    project_id: P,
    action: "hang",
  });
  expect(rule.status, rule.text).toBe(201);
  const held = fetch(`${b.url}/v1/${P}/csms/events`, { headers: { "X-Auth-Token": "t" } }).then(
    () => "answered",
    () => "closed",
  );
  // Held once its hit is counted.
  for (let hits = 0; hits === 0; ) {
    await new Promise((resolve) => setTimeout(resolve, 20));
    hits = (await call(a, "GET", "/_admin/faults")).body.rules[0].hits;
  }
  expect((await call(a, "DELETE", `/_admin/faults?id=${rule.body.id}`)).status).toBe(204);
  expect(await held).toBe("closed");
});
