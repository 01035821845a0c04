/**
 * The breaking changes between two versions of one API: what a client written against `before`
 * would meet in `after`. Compares the resolved operation models, so `$ref` layout, descriptions
 * and examples never count; only what requests may carry and what responses may hold.
 */
import type { JsonObject } from "./document.js";
import type { ApiModel, Operation, Schema } from "./model.js";

export type BreakingRule =
  | "removed-operation"
  | "removed-webhook"
  | "removed-parameter"
  | "removed-status"
  | "removed-response-field"
  | "new-required-request"
  | "narrowed-request"
  | "widened-response"
  | "changed-security";

export interface BreakingChange {
  rule: BreakingRule;
  /** `cts: POST /v3/{project_id}/notifications: request body.notification_name: …` */
  message: string;
}

const isObject = (value: unknown): value is JsonObject =>
  typeof value === "object" && value !== null && !Array.isArray(value);

/** A schema's `type` as a set; `integer` is within `number`. Empty means any type. */
function typesOf(schema: Schema): Set<string> {
  const type = schema.type;
  return new Set(Array.isArray(type) ? type.map(String) : type === undefined ? [] : [String(type)]);
}

function typeAccepts(types: Set<string>, type: string): boolean {
  return types.size === 0 || types.has(type) || (type === "integer" && types.has("number"));
}

/** The values a schema admits when it lists them (`enum` or `const`), else undefined. */
function valuesOf(schema: Schema): unknown[] | undefined {
  if (Array.isArray(schema.enum)) return schema.enum;
  if ("const" in schema) return [schema.const];
  return undefined;
}

const show = (value: unknown) => JSON.stringify(value);
const missingFrom = (values: unknown[], from: unknown[]) => {
  const keys = new Set(from.map(show));
  return values.filter((v) => !keys.has(show(v)));
};

/** Lower bounds: a larger value (or a new one) accepts less. */
const LOWER = ["minimum", "exclusiveMinimum", "minLength", "minItems", "minProperties"] as const;
/** Upper bounds: a smaller value (or a new one) accepts less. */
const UPPER = ["maximum", "exclusiveMaximum", "maxLength", "maxItems", "maxProperties"] as const;
const COMPOSITIONS = ["allOf", "oneOf", "anyOf"] as const;

type Report = (rule: BreakingRule, where: string, what: string) => void;

/** A request schema: `after` must accept every value `before` accepted. */
function compareRequest(before: Schema, after: Schema, where: string, report: Report): void {
  const beforeTypes = typesOf(before);
  const afterTypes = typesOf(after);
  const lost = [...(beforeTypes.size ? beforeTypes : ["any"])].filter((t) =>
    t === "any" ? afterTypes.size > 0 : !typeAccepts(afterTypes, t),
  );
  if (lost.length) {
    report(
      "narrowed-request",
      where,
      `type narrowed (${[...beforeTypes].join("|") || "any"} → ${[...afterTypes].join("|")})`,
    );
  }
  const beforeValues = valuesOf(before);
  const afterValues = valuesOf(after);
  if (afterValues && !beforeValues)
    report("narrowed-request", where, `enum added (${show(afterValues)})`);
  if (afterValues && beforeValues) {
    const removed = missingFrom(beforeValues, afterValues);
    if (removed.length)
      report("narrowed-request", where, `enum narrowed (removed ${removed.map(show).join(", ")})`);
  }
  for (const key of ["pattern", "format"] as const) {
    if (after[key] !== undefined && after[key] !== before[key]) {
      report(
        "narrowed-request",
        where,
        `${key} ${before[key] === undefined ? "added" : "changed"} (${show(before[key])} → ${show(after[key])})`,
      );
    }
  }
  for (const key of LOWER) {
    const a = after[key];
    const b = before[key];
    if (typeof a === "number" && (typeof b !== "number" || a > b)) {
      report("narrowed-request", where, `${key} raised (${b ?? "none"} → ${a})`);
    }
  }
  for (const key of UPPER) {
    const a = after[key];
    const b = before[key];
    if (typeof a === "number" && (typeof b !== "number" || a < b)) {
      report("narrowed-request", where, `${key} lowered (${b ?? "none"} → ${a})`);
    }
  }
  if (after.additionalProperties === false && before.additionalProperties !== false) {
    report("narrowed-request", where, "additional properties no longer accepted");
  }
  const beforeRequired = new Set(Array.isArray(before.required) ? before.required : []);
  for (const name of Array.isArray(after.required) ? after.required : []) {
    if (!beforeRequired.has(name)) {
      report("new-required-request", `${where}.${name}`, "new required field");
    }
  }
  const beforeProps = isObject(before.properties) ? before.properties : {};
  const afterProps = isObject(after.properties) ? after.properties : {};
  for (const [name, schema] of Object.entries(afterProps)) {
    const old = beforeProps[name];
    if (isObject(old) && isObject(schema)) compareRequest(old, schema, `${where}.${name}`, report);
  }
  nested(before, after, where, report, compareRequest);
}

/** A response schema: a client of `before` must understand everything `after` returns. */
function compareResponse(before: Schema, after: Schema, where: string, report: Report): void {
  const beforeTypes = typesOf(before);
  const gained = [...typesOf(after)].filter(
    (t) => beforeTypes.size && !typeAccepts(beforeTypes, t),
  );
  if (gained.length || (beforeTypes.size && !typesOf(after).size)) {
    report(
      "widened-response",
      where,
      `type widened (${[...beforeTypes].join("|")} → ${[...typesOf(after)].join("|") || "any"})`,
    );
  }
  const beforeValues = valuesOf(before);
  const afterValues = valuesOf(after);
  if (beforeValues && !afterValues)
    report("widened-response", where, "enum removed (any value may come)");
  if (beforeValues && afterValues) {
    const added = missingFrom(afterValues, beforeValues);
    if (added.length)
      report("widened-response", where, `enum widened (added ${added.map(show).join(", ")})`);
  }
  const beforeProps = isObject(before.properties) ? before.properties : {};
  const afterProps = isObject(after.properties) ? after.properties : {};
  for (const [name, schema] of Object.entries(beforeProps)) {
    const now = afterProps[name];
    if (now === undefined) report("removed-response-field", `${where}.${name}`, "field removed");
    else if (isObject(schema) && isObject(now))
      compareResponse(schema, now, `${where}.${name}`, report);
  }
  nested(before, after, where, report, compareResponse);
}

/** Array items and same-position subschemas of `allOf`/`oneOf`/`anyOf`. */
function nested(
  before: Schema,
  after: Schema,
  where: string,
  report: Report,
  compare: (b: Schema, a: Schema, where: string, report: Report) => void,
): void {
  if (isObject(before.items) && isObject(after.items)) {
    compare(before.items, after.items, `${where}[]`, report);
  }
  for (const key of COMPOSITIONS) {
    const b = before[key];
    const a = after[key];
    if (!Array.isArray(b) || !Array.isArray(a)) continue;
    b.forEach((sub, i) => {
      if (isObject(sub) && isObject(a[i])) compare(sub, a[i], `${where}(${key}[${i}])`, report);
    });
  }
}

const key = (op: Operation) => `${op.method} ${op.path}`;
type Requirement = Readonly<Record<string, readonly string[]>>;
const requirement = (r: Requirement) =>
  show(Object.fromEntries(Object.entries(r).sort(([a], [b]) => a.localeCompare(b))));

/**
 * A webhook turns the directions round: the API sends its request body to the client's receiver
 * and reads the receiver's response, so the body is compared as a response and the other way on.
 */
function compareOperation(before: Operation, after: Operation, report: Report): void {
  const where = `${key(before)}`;
  const webhook = before.kind === "webhook";
  const sent = webhook ? compareResponse : compareRequest;
  const received = webhook ? compareRequest : compareResponse;
  const params = new Map(after.parameters.map((p) => [`${p.in}:${p.name}`, p]));
  const oldParams = new Set(before.parameters.map((p) => `${p.in}:${p.name}`));
  for (const p of before.parameters) {
    const now = params.get(`${p.in}:${p.name}`);
    const at = `${where}: ${p.in} parameter ${p.name}`;
    if (!now) report("removed-parameter", at, "removed");
    else {
      if (now.required && !p.required) report("new-required-request", at, "now required");
      compareRequest(p.schema, now.schema, at, report);
    }
  }
  for (const p of after.parameters) {
    if (p.required && !oldParams.has(`${p.in}:${p.name}`)) {
      report(
        "new-required-request",
        `${where}: ${p.in} parameter ${p.name}`,
        "new required parameter",
      );
    }
  }
  const body = `${where}: request body`;
  if (!webhook && after.requestBody?.required && !before.requestBody?.required) {
    report("new-required-request", body, "now required");
  }
  if (before.requestBody?.schema && after.requestBody?.schema) {
    sent(before.requestBody.schema, after.requestBody.schema, body, report);
  }
  const responses = new Map(after.responses.map((r) => [r.status, r]));
  for (const r of before.responses) {
    const now = responses.get(r.status);
    const at = `${where}: response ${r.status}`;
    if (!now) report("removed-status", at, "removed");
    else if (r.schema && now.schema) received(r.schema, now.schema, at, report);
  }
  // A client meets one of the old requirements; it still gets in when some new requirement asks
  // for no scheme (nor scope) beyond that one. No requirement at all is the empty requirement.
  const requirements = (op: Operation) => (op.security.length > 0 ? op.security : [{}]);
  const covers = (now: Requirement, old: Requirement) =>
    Object.entries(now).every(
      ([scheme, scopes]) =>
        old[scheme] !== undefined && scopes.every((s) => old[scheme]!.includes(s)),
    );
  for (const old of requirements(before)) {
    if (!requirements(after).some((now) => covers(now, old))) {
      report(
        "changed-security",
        `${where}: security`,
        `requirement ${requirement(old)} no longer accepted (now ${requirements(after).map(requirement).join(" or ")})`,
      );
    }
  }
}

/** Every breaking change from `before` to `after` (two versions of the same API). */
export function breakingChanges(before: ApiModel, after: ApiModel): BreakingChange[] {
  const changes: BreakingChange[] = [];
  const report: Report = (rule, where, what) =>
    changes.push({ rule, message: `${after.name}: ${where}: ${what}` });
  for (const [kind, list, afterList] of [
    ["operation", before.operations, after.operations],
    ["webhook", before.webhooks, after.webhooks],
  ] as const) {
    const now = new Map(afterList.map((op) => [key(op), op]));
    for (const op of list) {
      const match = now.get(key(op));
      if (!match) {
        report(
          kind === "operation" ? "removed-operation" : "removed-webhook",
          key(op),
          `${kind} ${op.operationId} removed`,
        );
      } else compareOperation(op, match, report);
    }
  }
  return changes;
}
