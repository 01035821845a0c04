// fast-check generators derived from the bundled schemas (never written per operation): valid
// values for any schema, and invalid variants made by breaking one constraint the schema states.
import fc from "fast-check";
import { type Api, type Json, schemaAt } from "./spec.js";
import { schemaValidator } from "./validate.js";

/** Arrays are kept short so a valid body stays small; the invalid side tests the limits. */
const MAX_ITEMS = 4;
const MAX_FREE_STRING = 80;

export function valid(api: Api, schemaOrRef: Json | string): fc.Arbitrary<unknown> {
  const schema = typeof schemaOrRef === "string" ? schemaAt(api, schemaOrRef) : schemaOrRef;
  const arb = build(schema);
  // Cross-field rules (if/then) are enforced by filtering through the real schema.
  const ref = typeof schemaOrRef === "string" ? schemaOrRef : undefined;
  if (!ref) return arb;
  const validate = schemaValidator(api, ref);
  return arb.filter((v) => validate(v) as boolean);
}

/** Schemas come from the spec model with every reference already resolved. */
function build(s: Json): fc.Arbitrary<unknown> {
  if (s.const !== undefined) return fc.constant(s.const);
  if (s.enum) return fc.constantFrom(...s.enum);
  switch (s.type) {
    case "object": {
      const props = Object.entries<Json>(s.properties ?? {});
      const model: Record<string, fc.Arbitrary<unknown>> = {};
      for (const [k, v] of props) model[k] = build(v);
      return fc.record(model, { requiredKeys: s.required ?? [] });
    }
    case "array": {
      const item = build(s.items ?? {});
      const constraints = {
        minLength: s.minItems ?? 0,
        maxLength: Math.min(s.maxItems ?? MAX_ITEMS, Math.max(MAX_ITEMS, s.minItems ?? 0)),
      };
      return s.uniqueItems
        ? fc.uniqueArray(item, { ...constraints, selector: (v) => JSON.stringify(v) })
        : fc.array(item, constraints);
    }
    case "integer":
      return fc.integer({ min: s.minimum ?? 0, max: s.maximum ?? 2 ** 31 - 1 });
    case "boolean":
      return fc.boolean();
    case "string": {
      const minLength = s.minLength ?? 0;
      const maxLength = s.maxLength ?? MAX_FREE_STRING;
      if (s.format === "uuid") return fc.uuid({ version: 4 });
      if (s.pattern) {
        // `not: { enum }` excludes a few values the pattern allows (a secret named `.`).
        const excluded: unknown[] = (s.not as { enum?: unknown[] } | undefined)?.enum ?? [];
        return fc
          .stringMatching(new RegExp(s.pattern, "u"))
          .filter((v) => [...v].length >= minLength && [...v].length <= maxLength)
          .filter((v) => !excluded.includes(v));
      }
      return fc.string({
        minLength,
        maxLength: Math.min(maxLength, MAX_FREE_STRING),
        unit: "grapheme",
      });
    }
    default:
      return fc.constant(null);
  }
}

/** One way of breaking a value: where (a JSON path) and what was done, for the failure report. */
export interface Invalid {
  what: string;
  /** The mutated value, or a raw JSON text when the mutation is at the syntax level. */
  value?: unknown;
  rawText?: string;
}

/** Every schema constraint on the way to each leaf, as paths into a valid value. */
interface Site {
  path: (string | number)[];
  schema: Json;
  required: boolean;
}

function sites(s: Json, value: unknown, path: (string | number)[], required: boolean, out: Site[]) {
  out.push({ path, schema: s, required });
  if (s.type === "object" && value && typeof value === "object") {
    for (const [k, v] of Object.entries<Json>(s.properties ?? {})) {
      const present = (value as Json)[k] !== undefined;
      if (present) sites(v, (value as Json)[k], [...path, k], (s.required ?? []).includes(k), out);
      else out.push({ path: [...path, k], schema: v, required: false });
    }
  } else if (s.type === "array" && Array.isArray(value) && value.length > 0) {
    sites(s.items, value[0], [...path, 0], true, out);
  }
}

const CONTROL = "\u0000\u0007\u001b\u007f";

/** Replacements that break the schema at a site; each is re-checked by Ajv before use. */
function breakers(
  site: Site,
  parent: Json | undefined,
): { what: string; apply: (v: unknown) => unknown }[] {
  const s = site.schema;
  const list: { what: string; apply: (v: unknown) => unknown }[] = [];
  const wrongTypes: unknown[] =
    s.type === "string"
      ? [42, true, null, {}, ["x"]]
      : s.type === "integer"
        ? ["1", 1.5, null, true]
        : s.type === "array"
          ? ["x", {}, 7]
          : s.type === "object"
            ? ["x", [], 3]
            : s.type === "boolean"
              ? ["true", 1]
              : [];
  for (const w of wrongTypes)
    list.push({ what: `wrong type ${JSON.stringify(w)}`, apply: () => w });
  if (s.enum) {
    const e = String(s.enum[0]);
    list.push({ what: "outside the enum", apply: () => `${e}_NOT_IN_ENUM` });
    const flipped = e === e.toUpperCase() ? e.toLowerCase() : e.toUpperCase();
    if (!s.enum.includes(flipped)) list.push({ what: "wrong-case enum", apply: () => flipped });
  }
  if (s.type === "string") {
    if ((s.minLength ?? 0) >= 1) list.push({ what: "empty string", apply: () => "" });
    if (s.maxLength !== undefined)
      list.push({ what: "over-long string", apply: () => "a".repeat(s.maxLength + 1) });
    if (s.pattern || s.format)
      list.push({ what: "control characters", apply: () => `a${CONTROL}b` });
    if (s.pattern)
      list.push({ what: "unicode off-pattern", apply: () => "名前 with spaces/and\u202eRTL" });
  }
  if (s.type === "integer") {
    if (s.minimum !== undefined) list.push({ what: "below minimum", apply: () => s.minimum - 1 });
    if (s.maximum !== undefined) list.push({ what: "above maximum", apply: () => s.maximum + 1 });
  }
  if (s.type === "array") {
    if (s.maxItems !== undefined)
      list.push({
        what: "huge array",
        apply: (v) =>
          Array.from({ length: s.maxItems + 1 }, () => (Array.isArray(v) && v.length ? v[0] : "x")),
      });
    if ((s.minItems ?? 0) >= 1) list.push({ what: "empty array", apply: () => [] });
    if (s.uniqueItems)
      list.push({
        what: "duplicate items",
        apply: (v) => (Array.isArray(v) && v.length ? [v[0], v[0]] : v),
      });
  }
  if (s.type === "object" && s.additionalProperties === false) {
    list.push({ what: "extra property", apply: (v) => ({ ...(v as Json), unexpected_field: 1 }) });
  }
  if (site.required && parent)
    list.push({ what: "missing required field", apply: () => undefined });
  return list;
}

function setAt(root: unknown, path: (string | number)[], value: unknown): unknown {
  if (path.length === 0) return value;
  const copy: any = Array.isArray(root) ? [...root] : { ...(root as Json) };
  const [head, ...rest] = path as [string | number, ...(string | number)[]];
  if (rest.length === 0 && value === undefined) delete copy[head];
  else copy[head] = setAt(copy[head], rest, value);
  return copy;
}

/**
 * Invalid bodies for a schema: a valid body with one constraint broken at one place, or a body
 * broken at the JSON level (malformed, `__proto__` keys). Only variants the schema really rejects
 * (checked with Ajv) are produced.
 */
export function invalidBody(api: Api, ref: string): fc.Arbitrary<Invalid> {
  const schema = schemaAt(api, ref);
  const validate = schemaValidator(api, ref);
  const structural = valid(api, ref).chain((base) => {
    const all: Site[] = [];
    sites(schema, base, [], true, all);
    const options: Invalid[] = [];
    for (const site of all) {
      const parentPath = site.path.slice(0, -1);
      const parent = site.path.length
        ? (parentPath.reduce((o: any, k) => o?.[k], base) as Json)
        : undefined;
      const current = site.path.reduce((o: any, k) => o?.[k], base);
      for (const b of breakers(site, parent)) {
        const mutated = setAt(base, site.path, b.apply(current));
        if (!validate(mutated))
          options.push({ what: `${b.what} at /${site.path.join("/")}`, value: mutated });
      }
    }
    return fc.constantFrom(...options);
  });
  const syntactic = valid(api, ref).chain((base) => {
    const text = JSON.stringify(base);
    return fc.constantFrom<Invalid>(
      { what: "malformed JSON (truncated)", rawText: text.slice(0, Math.max(1, text.length - 1)) },
      { what: "malformed JSON (trailing comma)", rawText: `${text.slice(0, -1)},}` },
      { what: "not an object", rawText: "[]" },
      { what: "__proto__ key", rawText: `{"__proto__":{"polluted":true},${text.slice(1)}` },
      {
        what: "constructor key",
        rawText: `{"constructor":{"prototype":{"polluted":true}},${text.slice(1)}`,
      },
      { what: "empty body", rawText: "" },
    );
  });
  return fc.oneof({ weight: 4, arbitrary: structural }, { weight: 1, arbitrary: syntactic });
}

/** Invalid values for one parameter schema (query or path), as strings on the wire. */
export function invalidParam(schema: Json): string[] {
  const out: string[] = [];
  if (schema.type === "integer")
    out.push(
      "abc",
      "1.5",
      "-1",
      String((schema.minimum ?? 0) - 1),
      String((schema.maximum ?? 0) + 1),
      "",
    );
  if (schema.enum) out.push(`${schema.enum[0]}x`, String(schema.enum[0]).toUpperCase());
  if (schema.type === "string") {
    if (schema.maxLength !== undefined) out.push("a".repeat(schema.maxLength + 1));
    if (schema.pattern) out.push("bad value!", "名前", "a\u0001b", "a/b");
  }
  return [...new Set(out)].filter((v) => {
    if (schema.type === "integer")
      return (
        !/^-?\d+$/.test(v) ||
        Number(v) < (schema.minimum ?? -Infinity) ||
        Number(v) > (schema.maximum ?? Infinity)
      );
    if (schema.enum) return !schema.enum.includes(v);
    if (
      schema.pattern &&
      new RegExp(schema.pattern, "u").test(v) &&
      v.length <= (schema.maxLength ?? Infinity)
    )
      return false;
    return true;
  });
}
