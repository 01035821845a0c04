// Model-based state test: the commands and the model of src/stateMachine.ts, run against one
// server; then paging through many events.
import fc from "fast-check";
import { afterAll, beforeAll, expect, it } from "vitest";
import { type Harness, startHarness } from "../src/context.js";
import { checkSecrets, commands, emptyModel, secretCommands, target } from "../src/stateMachine.js";

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h?.stop());

it("random command sequences agree with the model", async () => {
  const runs = Math.max(25, Math.round(Number(process.env.FUZZ_RUNS ?? 200) / 4));
  await fc.assert(
    fc.asyncProperty(fc.commands(commands, { maxCommands: 40 }), async (cmds) => {
      await h.reset();
      const model = emptyModel();
      await fc.asyncModelRun(() => ({ model, real: h }), cmds);
      await checkSecrets(model, h);
    }),
    { numRuns: runs },
  );
});

it("secret sequences (versions, stages, scheduled deletion) agree with the model", async () => {
  const runs = Math.max(25, Math.round(Number(process.env.FUZZ_RUNS ?? 200) / 4));
  await fc.assert(
    fc.asyncProperty(
      fc.commands(secretCommands(), { maxCommands: 30, size: "max" }),
      async (cmds) => {
        await h.reset();
        const model = emptyModel();
        await fc.asyncModelRun(() => ({ model, real: h }), cmds);
        await checkSecrets(model, h);
      },
    ),
    { numRuns: runs },
  );
});

it("paging through N events returns each exactly once, in order", async () => {
  await h.reset();
  const all = Array.from({ length: 237 }, (_, i) => `ev-${String(i).padStart(4, "0")}`);
  for (const n of [...all].reverse()) {
    const r = await h.csms("p1").createSecretEvent({
      body: { name: n, event_types: ["SECRET_DELETED"], state: "DISABLED", notification: target },
    });
    expect(r.response.status).toBe(200);
  }
  for (const limit of [1, 7, 50, 1000]) {
    const seen: string[] = [];
    let marker: string | undefined;
    do {
      const r = await h.csms("p1").listSecretEvents({ params: { query: { limit, marker } } });
      seen.push(...r.data.events.map((e: any) => e.name));
      marker = r.data.page_info.next_marker;
    } while (marker);
    expect(seen).toEqual(all);
  }
  const other = await h.csms("p2").listSecretEvents({ params: { query: {} } });
  expect(other.data.events).toEqual([]);
});
