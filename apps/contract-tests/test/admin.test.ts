// The reference server's admin API (openapi/admin) through the typed admin client: the same
// spec-first contract as the Huawei APIs (validated, its own error envelope).
import { HuaweiApiError } from "@cts-csms/client";
import { afterAll, beforeAll, expect, it } from "vitest";
import { type Harness, startHarness } from "../src/context.js";

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h?.stop());

const event = (name: string) => ({
  name,
  event_types: ["SECRET_ROTATED" as const],
  state: "ENABLED" as const,
  notification: { target_type: "SMN", target_id: "t", target_name: "n" },
});

it("getHealth answers ok", async () => {
  const { data, response } = await h.admin.getHealth();
  expect(response.status).toBe(200);
  expect(data).toEqual({ status: "ok" });
});

it("resetState clears one project, then all", async () => {
  for (const p of ["p1", "p2"] as const) {
    expect((await h.csms(p).createSecretEvent({ body: event("e") })).response.status).toBe(200);
  }
  const one = await h.admin.resetState({ params: { query: { project_id: "p1" } } });
  expect(one.response.status).toBe(204);
  expect((await h.csms("p1").listSecretEvents()).data.events).toEqual([]);
  expect((await h.csms("p2").listSecretEvents()).data.events).toHaveLength(1);
  await h.admin.resetState();
  expect((await h.csms("p2").listSecretEvents()).data.events).toEqual([]);
});

it("an invalid project_id is a 400 in the CTS envelope, naming the parameter", async () => {
  const error = await h.admin.resetState({ params: { query: { project_id: "a b" } } }).then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(error).toBeInstanceOf(HuaweiApiError);
  expect(error).toMatchObject({ status: 400, errorCode: "CTS.0003" });
  expect((error as HuaweiApiError).errorMessage).toContain("project_id");
});
