/**
 * The raw bundled document and the one place that follows its `$ref`s. Internal to this package:
 * consumers get operations, parameters and schemas with every reference already resolved.
 */

/** A JSON object as it appears in the bundled document. */
export type JsonObject = Record<string, unknown>;

/** The parts of an OpenAPI 3.1 document the model reads; everything else is kept as-is. */
export interface OpenApiDocument {
  openapi: string;
  info: { title: string; version: string; summary?: string; description?: string } & JsonObject;
  servers?: { url: string; description?: string; variables?: JsonObject }[];
  paths?: Record<string, JsonObject>;
  webhooks?: Record<string, JsonObject>;
  components?: Record<string, Record<string, unknown>>;
  [key: string]: unknown;
}

/** A node and the JSON pointer (`#/…`) it was found at, after following references. */
export interface Located<T = JsonObject> {
  node: T;
  pointer: string;
}

const escapeToken = (token: string) => token.replaceAll("~", "~0").replaceAll("/", "~1");
const unescapeToken = (token: string) => token.replaceAll("~1", "/").replaceAll("~0", "~");

/** `#/paths/~1v1~1x/get` from `["paths", "/v1/x", "get"]`. */
export function pointerOf(...tokens: (string | number)[]): string {
  return `#${tokens.map((t) => `/${escapeToken(String(t))}`).join("")}`;
}

/** Appends tokens to a pointer. */
export function childPointer(pointer: string, ...tokens: (string | number)[]): string {
  return pointer + pointerOf(...tokens).slice(1);
}

function at(doc: OpenApiDocument, pointer: string): unknown {
  if (!pointer.startsWith("#")) {
    throw new Error(`spec: only local references are supported (bundle the spec): ${pointer}`);
  }
  let node: unknown = doc;
  for (const token of pointer.slice(1).split("/").slice(1)) {
    if (node === null || typeof node !== "object") return undefined;
    node = (node as JsonObject)[unescapeToken(token)];
  }
  return node;
}

const isObject = (value: unknown): value is JsonObject =>
  typeof value === "object" && value !== null && !Array.isArray(value);

/** Follows `$ref`s until a node without one; `pointer` is where that node lives. */
export function deref<T = JsonObject>(
  doc: OpenApiDocument,
  value: unknown,
  pointer: string,
): Located<T> {
  let node = value;
  let where = pointer;
  const seen = new Set<string>();
  while (isObject(node) && typeof node.$ref === "string") {
    const ref = node.$ref;
    if (seen.has(ref)) throw new Error(`spec: circular $ref ${ref}`);
    seen.add(ref);
    where = ref;
    node = at(doc, ref);
    if (node === undefined) throw new Error(`spec: $ref ${ref} (at ${pointer}) points nowhere`);
  }
  return { node: node as T, pointer: where };
}

/**
 * A copy of a schema with every `$ref` replaced by its target, all the way down. Shared
 * subschemas become shared objects; a schema that refers to itself stops with an error naming it
 * (nothing in the specs is recursive; a recursive schema would need the consumer to keep refs).
 */
export function inline(doc: OpenApiDocument, value: unknown, pointer: string): JsonObject {
  const done = new Map<string, JsonObject>();
  const visit = (node: unknown, where: string, stack: readonly string[]): unknown => {
    if (Array.isArray(node)) return node.map((item, i) => visit(item, `${where}/${i}`, stack));
    if (!isObject(node)) return node;
    if (typeof node.$ref === "string") {
      const target = deref(doc, node, where);
      const cached = done.get(target.pointer);
      if (cached) return cached;
      if (stack.includes(target.pointer)) {
        throw new Error(`spec: recursive schema ${target.pointer} cannot be inlined`);
      }
      const copy = visit(target.node, target.pointer, [...stack, target.pointer]) as JsonObject;
      done.set(target.pointer, copy);
      return copy;
    }
    const out: JsonObject = {};
    for (const [key, child] of Object.entries(node)) {
      // Examples are data, not schema: their keys (even one named `$ref`) are kept verbatim.
      out[key] =
        key === "example" || key === "examples" || key === "const" || key === "default"
          ? child
          : visit(child, `${where}/${escapeToken(key)}`, stack);
    }
    return out;
  };
  return visit(value, pointer, []) as JsonObject;
}
