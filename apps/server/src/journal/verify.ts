/**
 * `verify`: how many journaled requests match a pattern, whether that is what was expected, and
 * on a mismatch the requests nearest to it with what differed, said in one printable paragraph.
 */
import type { admin } from "@cts-csms/types";
import { withoutSecretValues } from "../pipeline/operationTrace.js";
import { specNumber } from "../spec.js";
import type { JournalEntry } from "./journal.js";

type Schemas = admin.components["schemas"];
export type VerifyRequest = Schemas["VerifyRequest"];
export type VerifyResult = Schemas["VerifyResult"];
type RequestPattern = Schemas["RequestPattern"];
type Difference = NonNullable<VerifyResult["closest"]>[number]["differences"][number];

/** Requests shown on a mismatch, at most (the spec's `closest.maxItems`). */
const CLOSEST = specNumber(
  "admin",
  "#/components/schemas/VerifyResult/properties/closest",
  "maxItems",
);

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Whether `actual` holds the JSON subset `expected` (objects: their keys; arrays: any order). */
function contains(expected: unknown, actual: unknown): boolean {
  if (Array.isArray(expected)) {
    if (!Array.isArray(actual)) return false;
    const free = [...actual];
    return expected.every((item) => {
      const at = free.findIndex((candidate) => contains(item, candidate));
      if (at === -1) return false;
      free.splice(at, 1);
      return true;
    });
  }
  if (isObject(expected)) {
    if (!isObject(actual)) return false;
    return Object.entries(expected).every(
      ([key, value]) => Object.hasOwn(actual, key) && contains(value, actual[key]),
    );
  }
  return Object.is(expected, actual);
}

/** Where a body subset differs, down to the first level that is not an object on both sides. */
function bodyDifferences(expected: unknown, actual: unknown, field: string): Difference[] {
  if (isObject(expected) && isObject(actual)) {
    return Object.entries(expected).flatMap(([key, value]) =>
      Object.hasOwn(actual, key)
        ? bodyDifferences(value, actual[key], `${field}.${key}`)
        : [{ field: `${field}.${key}`, expected: value }],
    );
  }
  if (contains(expected, actual)) return [];
  return [actual === undefined ? { field, expected } : { field, expected, actual }];
}

function differences(pattern: RequestPattern, entry: JournalEntry): Difference[] {
  const found: Difference[] = [];
  if (pattern.operation_id !== entry.operation_id) {
    found.push({
      field: "operation_id",
      expected: pattern.operation_id,
      actual: entry.operation_id,
    });
  }
  if (pattern.status !== undefined && pattern.status !== entry.status) {
    found.push({ field: "status", expected: pattern.status, actual: entry.status });
  }
  for (const [name, value] of Object.entries(pattern.path_params ?? {})) {
    const actual = entry.path_params[name];
    if (actual !== value) found.push({ field: `path_params.${name}`, expected: value, actual });
  }
  for (const [name, value] of Object.entries(pattern.query ?? {})) {
    const actual = entry.query[name];
    if (JSON.stringify(actual) !== JSON.stringify(value)) {
      found.push(
        actual === undefined
          ? { field: `query.${name}`, expected: value }
          : { field: `query.${name}`, expected: value, actual },
      );
    }
  }
  if (pattern.body !== undefined) found.push(...bodyDifferences(pattern.body, entry.body, "body"));
  return found;
}

/** How many values a pattern part asks for (a whole missing object counts each of its leaves). */
function leaves(value: unknown): number {
  if (Array.isArray(value))
    return Math.max(
      1,
      value.reduce((n, v) => n + leaves(v), 0),
    );
  if (isObject(value)) {
    return Math.max(
      1,
      Object.values(value).reduce((n: number, v) => n + leaves(v), 0),
    );
  }
  return 1;
}

/** How far a request is from the pattern: each differing value, a missing part by its size. */
function distance(diffs: readonly Difference[]): number {
  return diffs.reduce((n, d) => n + (Object.hasOwn(d, "actual") ? 1 : leaves(d.expected)), 0);
}

function satisfied(expect: VerifyRequest["expect"], n: number, count: number): boolean {
  if (expect === "none") return count === 0;
  if (expect === "at_least") return count >= n;
  return count === n;
}

function show(value: unknown): string {
  return value === undefined ? "nothing" : JSON.stringify(value);
}

function describe(entry: JournalEntry, diffs: Difference[]): string {
  const head = `#${entry.id} ${entry.method} ${entry.path} ${entry.status}`;
  if (diffs.length === 0) return `${head} (matches)`;
  const said = diffs.map((d) => {
    if (!Object.hasOwn(d, "expected")) return `${d.field} unexpected`;
    return `${d.field} expected ${show(d.expected)}, got ${show(d.actual)}`;
  });
  return `${head}: ${said.join("; ")}`;
}

/** The verify answer for a project's (or the no-project) journal. */
export function verify(
  entries: readonly JournalEntry[],
  request: VerifyRequest,
  projectId: string | undefined,
): VerifyResult {
  // The journal keeps no secret value, so the pattern's are masked the same way: never compared,
  // never answered back.
  const pattern = withoutSecretValues(request.pattern) as RequestPattern;
  const n = request.expect === "none" ? 0 : (request.n ?? 1);
  const scored = entries.map((entry) => ({ entry, diffs: differences(pattern, entry) }));
  const matching = scored.filter((s) => s.diffs.length === 0);
  const count = matching.length;
  const matched = satisfied(request.expect, n, count);
  const where = projectId === undefined ? "(no project)" : `in project ${projectId}`;
  const wanted = request.expect === "none" ? "no" : `${request.expect.replace("_", " ")} ${n}`;
  let message = `expected ${wanted} ${pattern.operation_id} request${n === 1 ? "" : "s"} ${where} matching the pattern, found ${count}.`;
  if (matched) return { matched, count, expect: request.expect, n, message };

  // Too many: the matching ones. Too few: the nearest others, the same operation's only when
  // there are any; the latest first among equals.
  const others = scored.filter((s) => s.diffs.length > 0);
  const sameOperation = others.filter((s) => s.entry.operation_id === pattern.operation_id);
  const closest =
    count > n
      ? matching.slice(0, CLOSEST)
      : (sameOperation.length > 0 ? sameOperation : others)
          .map((s, index) => ({ ...s, index, distance: distance(s.diffs) }))
          .sort((a, b) => a.distance - b.distance || b.index - a.index)
          .slice(0, CLOSEST);
  message +=
    closest.length === 0
      ? ` The journal ${where} holds ${entries.length === 0 ? "no request" : `${entries.length} request(s), none near`}.`
      : ` ${count > n ? "Matching" : "Closest"}: ${closest.map((s) => describe(s.entry, s.diffs)).join(" | ")}.`;
  return {
    matched,
    count,
    expect: request.expect,
    n,
    message,
    closest: closest.map((s) => ({ request: s.entry, differences: s.diffs })),
  };
}
