import { beforeEach, describe, expect, it } from "vitest";
import { errorMessage, example, start } from "./helpers.js";

const server = await start();
const P1 = "p1";
const P2 = "p2";
const base = (p = P1) => `/v3/${p}/notifications`;
const SMN = "urn:smn:cn-north-4:24edf66e79d04187acb99a463e610764:topic";
const FUN = "urn:fss:cn-north-4:7aad83af3e8d42e99ac194e8419e2c9b:function:default:test";

function complete(name: string, extra: Record<string, unknown> = {}) {
  return { notification_name: name, operation_type: "complete", ...extra };
}

async function create(body: unknown, project = P1) {
  const res = await server.call("POST", base(project), { body });
  expect(res.status, res.text).toBe(201);
  return res.body;
}

beforeEach(async () => {
  await server.reset();
});

describe("create (POST /v3/{project_id}/notifications)", () => {
  it("accepts the seed examples as sent and returns 201 with the full notification", async () => {
    for (const name of ["SeedCreateCustomizedRequest", "SeedCreateCompleteRequest"]) {
      const body = example("cts", name);
      const before = Date.now();
      const res = await server.call("POST", base(), { body });
      expect(res.status).toBe(201);
      expect(res.body).toMatchObject({ ...body, project_id: P1, status: "enabled" });
      expect(res.body.notification_type).toBe("smn");
      expect(res.body.notification_id).toMatch(/^[0-9a-f-]{36}$/);
      expect(res.body.create_time).toBeGreaterThanOrEqual(before);
      expect(res.body.create_time).toBeLessThanOrEqual(Date.now());
    }
  });

  it("accepts the FunctionGraph example and derives notification_type fun", async () => {
    const res = await server.call("POST", base(), {
      body: example("cts", "CreateFunctionGraphFilteredRequest"),
    });
    expect(res.status).toBe(201);
    expect(res.body.notification_type).toBe("fun");
    expect(res.body.status).toBe("enabled");
  });

  it("without topic_id: status disabled, type smn", async () => {
    const n = await create(complete("no_topic"));
    expect(n.status).toBe("disabled");
    expect(n.notification_type).toBe("smn");
    expect(n.topic_id).toBeUndefined();
    expect(n.operations).toEqual([]);
  });

  it("customized without operations → 400 CTS.0003 naming operations", async () => {
    const res = await server.call("POST", base(), {
      body: { notification_name: "c", operation_type: "customized" },
    });
    expect(res.status).toBe(400);
    expect(res.body.error_code).toBe("CTS.0003");
    expect(res.body.error_msg).toContain("operations");
    const empty = await server.call("POST", base(), {
      body: { notification_name: "c", operation_type: "customized", operations: [] },
    });
    expect(empty.status).toBe(400);
    expect(empty.body.error_msg).toContain("operations");
  });

  it("rejects read-only fields, bad enums and bad filter rules with the field named", async () => {
    const cases: [unknown, string][] = [
      [complete("a", { status: "enabled" }), 'unknown property "status"'],
      [{ notification_name: "a", operation_type: "all" }, "request/body/operation_type"],
      [complete("bad name!"), "request/body/notification_name"],
      [complete("a", { topic_id: "arn:aws:sns:x" }), "request/body/topic_id"],
      [
        complete("a", {
          filter: { condition: "AND", is_support_filter: true, rule: ["trace_rating = bad"] },
        }),
        "request/body/filter/rule/0",
      ],
      [
        complete("a", {
          filter: { condition: "XOR", is_support_filter: true, rule: ["code = 1"] },
        }),
        "condition",
      ],
    ];
    for (const [body, field] of cases) {
      const res = await server.call("POST", base(), { body });
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.error_code).toBe("CTS.0003");
      expect(res.body.error_msg).toContain(field);
    }
  });

  it("accepts every filter rule field of the grammar", async () => {
    const rule = [
      "api_version = v1.0_x-y",
      "code != 200",
      "trace_rating=incident",
      "trace_type != ApiCall",
      "resource_id = abc",
      "resource_name = my resource",
    ];
    const n = await create(
      complete("filtered", { filter: { condition: "OR", is_support_filter: true, rule } }),
    );
    expect(n.filter.rule).toEqual(rule);
  });

  it("notify_user_list: more than 10 groups (schema) and more than 50 users (server rule) → 400", async () => {
    const groups = (count: number, users: number) =>
      Array.from({ length: count }, (_, g) => ({
        user_group: `g${g}`,
        user_list: Array.from({ length: users }, (_, u) => `u${g}_${u}`),
      }));
    const tooManyGroups = await server.call("POST", base(), {
      body: complete("a", { notify_user_list: groups(11, 1) }),
    });
    expect(tooManyGroups.status).toBe(400);
    expect(tooManyGroups.body.error_msg).toContain("notify_user_list");

    const tooManyUsers = await server.call("POST", base(), {
      body: complete("a", { notify_user_list: groups(6, 9) }),
    });
    expect(tooManyUsers.status).toBe(400);
    expect(tooManyUsers.body.error_code).toBe("CTS.0003");
    expect(tooManyUsers.body.error_msg).toContain("notify_user_list");
    expect(tooManyUsers.body.error_msg).toContain("50");

    await create(complete("fifty", { notify_user_list: groups(5, 10) }));
  });

  it("duplicate name in the project → 400 CTS.0400; the same name in another project is fine", async () => {
    await create(complete("dup"));
    const res = await server.call("POST", base(), { body: complete("dup") });
    expect(res.status).toBe(400);
    expect(res.body.error_code).toBe("CTS.0400");
    expect(res.body.error_msg).toContain("notification_name");
    await create(complete("dup"), P2);
  });
});

describe("update (PUT /v3/{project_id}/notifications)", () => {
  it("replaces the notification, keeping id, project and create_time", async () => {
    const created = await create(
      complete("orig", {
        topic_id: SMN,
        agency_name: "cts_admin_trust",
        notify_user_list: [{ user_group: "g", user_list: ["u"] }],
      }),
    );
    const res = await server.call("PUT", base(), {
      body: {
        notification_id: created.notification_id,
        notification_name: "renamed",
        operation_type: "complete",
        status: "disabled",
      },
    });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      notification_id: created.notification_id,
      notification_name: "renamed",
      operation_type: "complete",
      operations: [],
      notify_user_list: [],
      status: "disabled",
      notification_type: "smn",
      project_id: P1,
      create_time: created.create_time,
    });
    // The old name is free again, the new one is taken.
    await create(complete("orig"));
    const dup = await server.call("POST", base(), { body: complete("renamed") });
    expect(dup.body.error_code).toBe("CTS.0400");
  });

  it("accepts the seed update example on an existing notification", async () => {
    const created = await create(complete("x"));
    const body = {
      ...example("cts", "SeedUpdateRequest"),
      notification_id: created.notification_id,
    };
    const res = await server.call("PUT", base(), { body });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ ...body, project_id: P1, notification_type: "smn" });
  });

  it("re-derives notification_type from the new topic, keeps it without one", async () => {
    const created = await create(complete("t", { topic_id: SMN }));
    const toFun = await server.call("PUT", base(), {
      body: {
        ...complete("t"),
        notification_id: created.notification_id,
        status: "enabled",
        topic_id: FUN,
      },
    });
    expect(toFun.body.notification_type).toBe("fun");
    const noTopic = await server.call("PUT", base(), {
      body: { ...complete("t"), notification_id: created.notification_id, status: "disabled" },
    });
    expect(noTopic.body.notification_type).toBe("fun");
    expect(noTopic.body.topic_id).toBeUndefined();
  });

  it("status enabled without topic_id → 400 naming topic_id", async () => {
    const created = await create(complete("e"));
    const res = await server.call("PUT", base(), {
      body: { ...complete("e"), notification_id: created.notification_id, status: "enabled" },
    });
    expect(res.status).toBe(400);
    expect(res.body.error_code).toBe("CTS.0003");
    expect(res.body.error_msg).toContain("topic_id");
  });

  it("unknown id → 404 CTS.0403; renaming onto another name → 400 CTS.0400; users > 50 → 400", async () => {
    const missing = await server.call("PUT", base(), {
      body: {
        ...complete("z"),
        notification_id: "6d4a09bb-aa8e-40db-9e87-0d5e203823a8",
        status: "disabled",
      },
    });
    expect(missing.status).toBe(404);
    expect(missing.body.error_code).toBe("CTS.0403");
    expect(missing.body.error_msg).toContain("6d4a09bb-aa8e-40db-9e87-0d5e203823a8");

    await create(complete("a"));
    const b = await create(complete("b"));
    const clash = await server.call("PUT", base(), {
      body: { ...complete("a"), notification_id: b.notification_id, status: "disabled" },
    });
    expect(clash.status).toBe(400);
    expect(clash.body.error_code).toBe("CTS.0400");

    const users = Array.from({ length: 51 }, (_, i) => `u${i}`);
    const tooMany = await server.call("PUT", base(), {
      body: {
        ...complete("b"),
        notification_id: b.notification_id,
        status: "disabled",
        notify_user_list: [
          { user_group: "g1", user_list: users.slice(0, 26) },
          { user_group: "g2", user_list: users.slice(26) },
        ],
      },
    });
    expect(tooMany.status).toBe(400);
    expect(tooMany.body.error_msg).toContain("notify_user_list");
  });
});

describe("list (GET /v3/{project_id}/notifications/{notification_type})", () => {
  it("lists by type, oldest first, with exact name match", async () => {
    const a = await create(complete("a", { topic_id: SMN }));
    const b = await create(complete("b"));
    const f = await create(complete("f", { topic_id: FUN }));
    const smn = await server.call("GET", `${base()}/smn`);
    expect(smn.status).toBe(200);
    expect(smn.body.notifications.map((n: any) => n.notification_id)).toEqual([
      a.notification_id,
      b.notification_id,
    ]);
    const fun = await server.call("GET", `${base()}/fun`);
    expect(fun.body.notifications).toEqual([f]);
    const byName = await server.call("GET", `${base()}/smn?notification_name=b`);
    expect(byName.body.notifications).toEqual([b]);
    const prefix = await server.call("GET", `${base()}/smn?notification_name=a_`);
    expect(prefix.body).toEqual({ notifications: [] });
    const wrongType = await server.call("GET", `${base()}/fun?notification_name=a`);
    expect(wrongType.body).toEqual({ notifications: [] });
  });

  it("bad type or name → 400", async () => {
    const type = await server.call("GET", `${base()}/sms`);
    expect(type.status).toBe(400);
    expect(errorMessage(type.body)).toContain("notification_type");
    const name = await server.call("GET", `${base()}/smn?notification_name=${"x".repeat(65)}`);
    expect(name.status).toBe(400);
    expect(errorMessage(name.body)).toContain("notification_name");
    const unknown = await server.call("GET", `${base()}/smn?foo=1`);
    expect(unknown.status).toBe(400);
    expect(errorMessage(unknown.body)).toContain("foo");
  });
});

describe("delete (DELETE /v3/{project_id}/notifications?notification_id=)", () => {
  it("deletes one or several ids → 204; duplicates count once", async () => {
    const a = await create(complete("a"));
    const b = await create(complete("b"));
    const c = await create(complete("c"));
    const one = await server.call("DELETE", `${base()}?notification_id=${a.notification_id}`);
    expect(one.status).toBe(204);
    expect(one.text).toBe("");
    const many = await server.call(
      "DELETE",
      `${base()}?notification_id=${b.notification_id},${c.notification_id},${b.notification_id}`,
    );
    expect(many.status).toBe(204);
    const list = await server.call("GET", `${base()}/smn`);
    expect(list.body.notifications).toEqual([]);
  });

  it("partial: existing ids are deleted, missing ones → 404 CTS.0403 naming them", async () => {
    const a = await create(complete("a"));
    const keep = await create(complete("keep"));
    const missing = "cda8fd83-d08c-46f0-b914-1453a6a85c00";
    const res = await server.call(
      "DELETE",
      `${base()}?notification_id=${a.notification_id},${missing}`,
    );
    expect(res.status).toBe(404);
    expect(res.body.error_code).toBe("CTS.0403");
    expect(res.body.error_msg).toContain(missing);
    expect(res.body.error_msg).not.toContain(a.notification_id);
    const list = await server.call("GET", `${base()}/smn`);
    expect(list.body.notifications).toEqual([keep]);
    // Deleting it again: now it is missing.
    const again = await server.call("DELETE", `${base()}?notification_id=${a.notification_id}`);
    expect(again.status).toBe(404);
  });

  it("missing or malformed notification_id → 400", async () => {
    const none = await server.call("DELETE", base());
    expect(none.status).toBe(400);
    expect(none.body.error_msg).toContain("notification_id");
    const bad = await server.call("DELETE", `${base()}?notification_id=abc`);
    expect(bad.status).toBe(400);
    expect(bad.body.error_msg).toContain("notification_id");
  });
});

describe("project isolation", () => {
  it("a notification of p1 is invisible, unchangeable and undeletable from p2", async () => {
    const n = await create(complete("mine", { topic_id: SMN }));
    const list = await server.call("GET", `${base(P2)}/smn`);
    expect(list.body).toEqual({ notifications: [] });
    const byName = await server.call("GET", `${base(P2)}/smn?notification_name=mine`);
    expect(byName.body).toEqual({ notifications: [] });
    const update = await server.call("PUT", base(P2), {
      body: { ...complete("mine"), notification_id: n.notification_id, status: "disabled" },
    });
    expect(update.status).toBe(404);
    expect(update.body.error_code).toBe("CTS.0403");
    const del = await server.call("DELETE", `${base(P2)}?notification_id=${n.notification_id}`);
    expect(del.status).toBe(404);
    const still = await server.call("GET", `${base(P1)}/smn`);
    expect(still.body.notifications).toEqual([n]);
  });
});
