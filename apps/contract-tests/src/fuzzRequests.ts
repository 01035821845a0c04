// The fuzzer's generators (Schemathesis style), from the bundled schemas: for any operation, valid
// requests (mixed with resources that exist) and invalid ones (one constraint broken).
import fc from "fast-check";
import { invalidBody, invalidParam, valid } from "./arbitraries.js";
import { credentials, type Harness, type Project, urlFor } from "./context.js";
import type { SentRequest } from "./curl.js";
import type { Json, Operation } from "./spec.js";

/**
 * Placeholders for "a resource that exists": just before a request is sent, each occurrence is
 * replaced by a resource created for it, so valid requests hit existing resources as often as
 * unknown ones, however many earlier runs deleted.
 */
const EXISTING = {
  notification_id: "EXISTING-NOTIFICATION",
  event_name: "EXISTING-EVENT",
  secret_name: "EXISTING-SECRET",
};
/** The custom stage on the existing secrets' v1. */
const FUZZ_STAGE = "fuzz-stage";
const existing = {
  notification_id: [EXISTING.notification_id],
  event_name: [EXISTING.event_name],
  secret_name: [EXISTING.secret_name],
};
/**
 * The rotation settings' rules beyond the schema, met: while `auto_rotation` is on, a period of
 * 6 hours to 365 days; `rotation_config` a JSON object; no rotation function on the existing
 * secrets, which are `COMMON`. Otherwise almost no generated create or update would succeed.
 */
function rotationAsServiceTakes(op: Operation, body: Json): Json {
  const out: Json = { ...body };
  if (out.auto_rotation === true) out.rotation_period = "30d";
  if (typeof out.rotation_config === "string") {
    out.rotation_config = JSON.stringify({ instance_id: out.rotation_config });
  }
  if (op.operationId === "updateSecret") delete out.rotation_func_urn;
  return out;
}

/**
 * The fuzzer's request generators for harness `h`, acting as `project` with its token: valid and
 * invalid requests per operation, and `materialise`, which creates the resources a request names
 * by placeholder just before it is sent.
 */
export function fuzzRequests(h: Harness, project: Project = "p1") {
  let fresh = 0;
  const created = () => fresh;
  async function materialise(req: SentRequest): Promise<SentRequest> {
    let { url, body } = req;
    while (url.includes(EXISTING.notification_id) || body?.includes(EXISTING.notification_id)) {
      const n = await h.cts(project).createNotification({
        body: { notification_name: `fuzz_existing_${fresh++}`, operation_type: "complete" },
      });
      url = url.replace(EXISTING.notification_id, n.data.notification_id);
      body = body?.replace(EXISTING.notification_id, n.data.notification_id);
    }
    if (url.includes(EXISTING.event_name)) {
      const name = `fuzz-existing-${fresh++}`;
      await h.csms(project).createSecretEvent({
        body: {
          name,
          event_types: ["SECRET_ROTATED"],
          state: "ENABLED",
          notification: { target_type: "SMN", target_id: "t", target_name: "n" },
        },
      });
      url = url.replace(EXISTING.event_name, name);
    }
    if (url.includes(EXISTING.secret_name)) {
      // A secret with its first version, v1 (the version paths ask for v1 or latest half the time).
      const name = `fuzz-secret-${fresh++}`;
      await h.csms(project).createSecret({ body: { name, secret_string: "fuzz" } });
      // Its v1 also has a custom stage (which DeleteSecretStage may delete), and a secret to be
      // restored is scheduled for deletion first.
      await h.csms(project).updateSecretStage({
        params: { path: { secret_name: name, stage_name: FUZZ_STAGE } },
        body: { version_id: "v1" },
      });
      if (url.endsWith("/scheduled-deleted-tasks/cancel")) {
        await h.csms(project).deleteSecretForSchedule({
          params: { path: { secret_name: name } },
          body: { recovery_window_in_days: 30 },
        });
      }
      url = url.replace(EXISTING.secret_name, name);
    }
    return { ...req, url, body };
  }

  const headers = {
    "X-Auth-Token": credentials.tokens[project],
    "Content-Type": "application/json",
  };

  /** Valid path and query values for an operation: from the schemas, mixed with existing ids. */
  function validParams(op: Operation): fc.Arbitrary<{ path: Json; query: Json }> {
    const path: Record<string, fc.Arbitrary<unknown>> = {};
    const query: Record<string, fc.Arbitrary<unknown>> = {};
    for (const p of op.parameters) {
      let arb: fc.Arbitrary<unknown> = valid(op.api, p.schema);
      if (p.name === "project_id") arb = fc.constant(project);
      if (p.name === "event_name") arb = fc.oneof(arb, fc.constantFrom(...existing.event_name));
      if (p.name === "secret_name") arb = fc.oneof(arb, fc.constantFrom(...existing.secret_name));
      if (p.name === "version_id") arb = fc.oneof(arb, fc.constantFrom("v1", "latest"));
      // The existing secrets' v1 has SYSCURRENT and a custom stage.
      // Mostly the custom one, so DeleteSecretStage often has something it may delete.
      if (p.name === "stage_name") {
        arb = fc.oneof(
          { arbitrary: arb, weight: 1 },
          { arbitrary: fc.constant("SYSCURRENT"), weight: 1 },
          { arbitrary: fc.constant(FUZZ_STAGE), weight: 3 },
        );
      }
      // A versions marker must name a version the secret has (a later one is a marker the
      // server never issued, a 400): the existing secrets have v1.
      if (p.name === "marker" && op.operationId === "listSecretVersions") {
        arb = fc.oneof(arb, fc.constant("v1"));
      }
      if (p.name === "notification_id") {
        const id = fc.oneof(fc.uuid({ version: 4 }), fc.constantFrom(...existing.notification_id));
        arb = fc.array(id, { minLength: 1, maxLength: 3 }).map((ids) => ids.join(","));
      }
      if (p.in === "path") path[p.name] = arb;
      // A marker is absent half the time: one the server never issued is a 400, and a list
      // must still succeed often enough to exercise its handler.
      else if (p.in === "query")
        query[p.name] = p.required
          ? arb
          : fc.option(arb, { nil: undefined, freq: p.name === "marker" ? 2 : 5 });
    }
    const params = fc.record({ path: fc.record(path), query: fc.record(query) });
    if (op.operationId !== "listSecretTask") return params;
    // ListSecretTask's task_id stands alone: combined with secret_name or status it is a 400.
    return params.map(({ path, query }) => {
      const { task_id, secret_name, status, ...rest } = query as Record<string, unknown>;
      return task_id === undefined
        ? { path, query: { ...rest, secret_name, status } }
        : { path, query: { ...rest, task_id } };
    });
  }

  function validRequest(op: Operation): fc.Arbitrary<SentRequest> {
    const generated = op.requestBody?.schemaRef
      ? valid(op.api, op.requestBody.schemaRef)
      : fc.constant(undefined);
    // A body that names a resource by id refers to an existing one half of the time.
    const body = fc
      .tuple(generated, fc.boolean(), fc.constantFrom(...existing.notification_id))
      .map(([b, useExisting, id]) =>
        useExisting && b && typeof b === "object" && "notification_id" in b
          ? { ...b, notification_id: id }
          : b,
      )
      // A version named in a body is the existing secrets' v1 half of the time.
      .chain((b) =>
        b && typeof b === "object" && typeof (b as Json).version_id === "string"
          ? fc.constantFrom(b, { ...b, version_id: "v1" })
          : fc.constant(b),
      )
      // An expiry must lie ahead of the server's clock: generated times are moved past now.
      .map((b) =>
        b && typeof b === "object" && typeof (b as Json).expire_time === "number"
          ? { ...b, expire_time: Date.now() + 86_400_000 + ((b as Json).expire_time as number) }
          : b,
      )
      .map((b) => (b && typeof b === "object" ? rotationAsServiceTakes(op, b as Json) : b));
    return fc.tuple(validParams(op), body).map(([params, b]) => ({
      method: op.method.toUpperCase(),
      url: urlFor(h.url, op, params.path, params.query),
      headers,
      body: b === undefined ? undefined : JSON.stringify(b),
    }));
  }

  function invalidRequest(op: Operation): fc.Arbitrary<SentRequest & { what: string }> {
    const choices: fc.Arbitrary<SentRequest & { what: string }>[] = [];
    const base = validRequest(op);
    if (op.requestBody?.schemaRef) {
      choices.push(
        fc
          .tuple(validParams(op), invalidBody(op.api, op.requestBody.schemaRef))
          .map(([params, inv]) => ({
            method: op.method.toUpperCase(),
            url: urlFor(h.url, op, params.path, params.query),
            headers,
            body: inv.rawText ?? JSON.stringify(inv.value),
            what: `body: ${inv.what}`,
          })),
      );
    }
    for (const p of op.parameters) {
      if (p.name === "project_id") continue; // covered by the auth checks (another project → 403)
      const bad = invalidParam(p.schema);
      if (bad.length === 0) continue;
      choices.push(
        fc.tuple(validParams(op), base, fc.constantFrom(...bad)).map(([params, req, value]) => {
          const where = p.in === "path" ? params.path : params.query;
          where[p.name] = value;
          return {
            ...req,
            url: urlFor(h.url, op, params.path, params.query),
            what: `${p.in} ${p.name}=${JSON.stringify(value)}`,
          };
        }),
      );
    }
    return fc.oneof(...choices);
  }
  return { materialise, validRequest, invalidRequest, created };
}
