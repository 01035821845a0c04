import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { describe, expect, it, onTestFinished } from "vitest";
import { createServer } from "../src/index.js";
import { jsonCopy } from "../src/seed.js";
import { example, start } from "./helpers.js";

const seed = {
  projects: {
    p1: {
      notifications: [
        example("cts", "SeedCreateCustomizedRequest"),
        example("cts", "CreateFunctionGraphFilteredRequest"),
      ],
      events: [example("csms", "SeedCreateRequest")],
    },
    p2: { events: [{ ...example("csms", "SeedCreateRequest"), name: "other" }] },
  },
};

describe("seed", () => {
  it("preloads notifications and events per project (from a file), and reset restores them", async () => {
    const dir = mkdtempSync(join(tmpdir(), "cts-csms-seed-"));
    onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
    const file = join(dir, "seed.json");
    writeFileSync(file, JSON.stringify(seed));
    const server = await start({ seed: file });
    const smn = await server.call("GET", "/v3/p1/notifications/smn");
    expect(smn.body.notifications.map((n: any) => n.notification_name)).toEqual([
      "keyOperate_info_cfwy",
    ]);
    const fun = await server.call("GET", "/v3/p1/notifications/fun");
    expect(fun.body.notifications).toHaveLength(1);
    const ev = await server.call("GET", "/v1/p1/csms/events/demo-event");
    expect(ev.status).toBe(200);
    expect(
      (await server.call("GET", "/v1/p2/csms/events")).body.events.map((e: any) => e.name),
    ).toEqual(["other"]);

    await server.call("DELETE", "/v1/p1/csms/events/demo-event");
    await server.call("POST", "/v1/p2/csms/events", {
      body: { ...example("csms", "SeedCreateRequest"), name: "extra" },
    });
    await server.reset("p1");
    expect((await server.call("GET", "/v1/p1/csms/events/demo-event")).status).toBe(200);
    expect((await server.call("GET", "/v1/p2/csms/events")).body.events).toHaveLength(2);
    await server.reset();
    expect((await server.call("GET", "/v1/p2/csms/events")).body.events).toHaveLength(1);
  });

  it("rejects seed entries the API would reject, naming the entry and the field", async () => {
    const bad = {
      projects: { p1: { events: [{ ...example("csms", "SeedCreateRequest"), state: "on" }] } },
    };
    await expect(createServer({ port: 0, logger: false, seed: bad })).rejects.toThrow(
      /projects\.p1\.events\[0\]: request\/body\/state/,
    );
    const dup = {
      projects: {
        p1: {
          events: [example("csms", "SeedCreateRequest"), example("csms", "SeedCreateRequest")],
        },
      },
    };
    await expect(createServer({ port: 0, logger: false, seed: dup })).rejects.toThrow(
      /events\[1\].*already exists/,
    );
    await expect(
      createServer({
        port: 0,
        logger: false,
        seed: { projects: { p1: { secrets: [] } } } as never,
      }),
    ).rejects.toThrow(/unknown key/);
  });
});

describe("deterministic mode", () => {
  it("fixed clock from 2024-01-01 (+1 ms per read) and sequential ids; a full reset restarts them", async () => {
    const server = await start({ deterministic: true });
    const run = async () => {
      const n = await server.call("POST", "/v3/p1/notifications", {
        body: { notification_name: "n", operation_type: "complete" },
      });
      const e = await server.call("POST", "/v1/p1/csms/events", {
        body: example("csms", "SeedCreateRequest"),
      });
      return [n.body, e.body.event];
    };
    const [n, e] = await run();
    expect(n.notification_id).toBe("00000000-0000-4000-8000-000000000001");
    expect(n.create_time).toBe(Date.UTC(2024, 0, 1));
    expect(e.event_id).toBe("00000000-0000-4000-8000-000000000002");
    expect(e.create_time).toBe(Date.UTC(2024, 0, 1) + 1);
    await server.reset();
    expect(await run()).toEqual([n, e]);
  });
});

describe("a seed entry's copy", () => {
  it("is what JSON.stringify then JSON.parse gives, for any value (fast-check)", () => {
    const odd = fc.constantFrom<unknown>(
      undefined,
      -0,
      Number.NaN,
      Number.POSITIVE_INFINITY,
      new Date(0),
      { toJSON: () => "x" },
      Object.assign(new Array(3), { 0: 1, 2: 3 }), // a hole
      JSON.parse('{"__proto__":{"a":1}}'),
    );
    const value = fc.letrec<{ v: unknown }>((tie) => ({
      v: fc.oneof(
        { depthSize: "small" },
        fc.jsonValue(),
        odd,
        fc.array(tie("v"), { maxLength: 4 }),
        fc.dictionary(fc.string(), tie("v"), { maxKeys: 4 }),
      ),
    })).v;
    fc.assert(
      fc.property(value, (v) => {
        // The same value, or the same error (a top-level undefined is not JSON).
        const outcome = (copy: (v: unknown) => unknown) => {
          try {
            return { value: copy(v) };
          } catch (error) {
            return { error: String(error) };
          }
        };
        const copied = outcome(jsonCopy);
        expect(copied).toStrictEqual(outcome((x) => JSON.parse(JSON.stringify(x))));
        const copy = copied.value;
        if (copy !== null && typeof copy === "object") expect(copy).not.toBe(v);
      }),
      { numRuns: 2000 },
    );
  });

  it("keeps the round trip's error for a value JSON cannot hold", () => {
    const cycle: Record<string, unknown> = {};
    cycle.self = cycle;
    expect(() => jsonCopy(cycle)).toThrow(/circular/i);
    expect(() => jsonCopy({ n: 1n })).toThrow(/BigInt/);
  });
});
