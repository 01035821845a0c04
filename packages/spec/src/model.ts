/**
 * The operation table of one bundled OpenAPI document: every operation (and webhook) with its
 * method, path template, resolved parameters, request media types, declared responses, error
 * envelope and paging. Built once per document; nothing here is computed per request.
 */
import {
  childPointer,
  deref,
  inline,
  type JsonObject,
  type OpenApiDocument,
  pointerOf,
} from "./document.js";

/** The HTTP methods a path item can hold (OpenAPI 3.1 fixed fields), upper-case. */
export const HTTP_METHODS = [
  "GET",
  "PUT",
  "POST",
  "DELETE",
  "OPTIONS",
  "HEAD",
  "PATCH",
  "TRACE",
] as const;
export type HttpMethod = (typeof HTTP_METHODS)[number];

/** A JSON Schema with every `$ref` resolved (plain data: walk it freely). */
export type Schema = JsonObject;

export interface Parameter {
  name: string;
  in: "path" | "query" | "header" | "cookie";
  required: boolean;
  description: string | undefined;
  /** The parameter's schema, references resolved. */
  schema: Schema;
  /** The parameter's `example`, if it has one. */
  example: unknown;
  /** Named examples: name → value. */
  examples: Readonly<Record<string, unknown>>;
  style: string | undefined;
  explode: boolean | undefined;
  /** Reserved characters (`,` `/` …) may appear unencoded in the value. */
  allowReserved: boolean;
}

export interface MediaContent {
  /** Media types (lower-case), in the spec's order. */
  mediaTypes: readonly string[];
  /** The JSON media type's schema, references resolved (undefined when there is none). */
  schema: Schema | undefined;
  /**
   * JSON pointer of that schema in the bundled document (`#/components/schemas/X` or the inline
   * location), for validators that resolve references themselves (Ajv with the whole document).
   */
  schemaRef: string | undefined;
  /** The JSON media type's named examples: name → value. */
  examples: Readonly<Record<string, unknown>>;
}

export interface RequestBody extends MediaContent {
  required: boolean;
}

export interface ResponseModel extends MediaContent {
  /** `"200"`, `"404"`, `"default"`, `"4XX"` as written in the spec. */
  status: string;
  description: string;
}

/** How a list operation pages, from its `x-paging` extension. */
export type Paging = MarkerPaging | OffsetPaging;

interface PagingBase {
  /** The response property that holds the page's items (an array). */
  items: string;
  /** The page-size query parameter with the bounds its schema states. */
  limit: { name: string; default: number; maximum: number; minimum: number } | undefined;
}

/** Cursor paging: send back the previous page's marker until a page has none. */
export interface MarkerPaging extends PagingBase {
  style: "marker";
  /** The query parameter that carries the cursor. */
  marker: string;
  /** Where the next page's cursor is in the response body, as property names. */
  nextMarker: readonly string[];
}

/** Offset paging: advance the offset by the page's length until a short page. */
export interface OffsetPaging extends PagingBase {
  style: "offset";
  /** The query parameter that carries the offset. */
  offset: string;
}

/** Which of the two error envelopes an operation answers errors with. */
export type ErrorEnvelope =
  /** `{ "error_code": …, "error_msg": … }` */
  | "flat"
  /** `{ "error": { "error_code": …, "error_msg": … } }` */
  | "nested";

export interface Operation<Api extends string = string> {
  api: Api;
  /** `path` for operations under `paths`, `webhook` for those under `webhooks`. */
  kind: "path" | "webhook";
  operationId: string;
  method: HttpMethod;
  /** The path template (`/v3/{project_id}/notifications`), or the webhook's name. */
  path: string;
  /** JSON pointer of the operation object in the bundled document. */
  pointer: string;
  summary: string | undefined;
  description: string | undefined;
  tags: readonly string[];
  deprecated: boolean;
  /** Path-item and operation parameters together (the operation's win), references resolved. */
  parameters: readonly Parameter[];
  requestBody: RequestBody | undefined;
  responses: readonly ResponseModel[];
  /** Every numeric status the operation declares. */
  statuses: ReadonlySet<number>;
  /** The first declared 2xx status. */
  successStatus: number | undefined;
  /** The envelope of the operation's 4xx/5xx responses, read from their schema. */
  errorEnvelope: ErrorEnvelope | undefined;
  paging: Paging | undefined;
  /**
   * The security requirements that apply (the operation's own, else the document's): any one
   * entry must be met. Empty when the operation takes no credentials.
   */
  security: readonly Readonly<Record<string, readonly string[]>>[];
  /** The operation's own `x-…` fields (other than `x-paging`), as written. */
  extensions: Readonly<Record<string, unknown>>;
}

export interface PathModel<Api extends string = string> {
  path: string;
  /** The path's operations by method, in the spec's order. */
  operations: ReadonlyMap<HttpMethod, Operation<Api>>;
}

export interface ApiModel<Api extends string = string> {
  name: Api;
  /** The bundled document, as loaded (pass it whole to validators; do not walk its `$ref`s). */
  document: OpenApiDocument;
  info: OpenApiDocument["info"];
  servers: readonly { url: string; description?: string | undefined }[];
  /** Security schemes by name, references resolved. */
  securitySchemes: Readonly<Record<string, JsonObject>>;
  /** Operations under `paths`, in the spec's order. */
  operations: readonly Operation<Api>[];
  /** Operations under `webhooks` (the API calls out), in the spec's order. */
  webhooks: readonly Operation<Api>[];
  paths: readonly PathModel<Api>[];
  /** The first path segment every path shares (`/v3/`), or undefined when they differ. */
  pathPrefix: string | undefined;
  /** The error envelope every operation shares, or undefined (none declared). */
  errorEnvelope: ErrorEnvelope | undefined;
  /** The operation with this operationId (paths and webhooks); throws when there is none. */
  operation(operationId: string): Operation<Api>;
  /**
   * The schema at a JSON pointer of the document (a `schemaRef`, or `#/components/schemas/X`),
   * references resolved.
   */
  schemaAt(pointer: string): Schema;
  /** A named example of `components.examples`: its value. */
  example(name: string): unknown;
}

const isObject = (value: unknown): value is JsonObject =>
  typeof value === "object" && value !== null && !Array.isArray(value);

/** Defines `key` on `target` as computed on first read (schemas are inlined only when used). */
function lazy<T extends object, K extends string, V>(target: T, key: K, compute: () => V): void {
  let value: V;
  let done = false;
  Object.defineProperty(target, key, {
    enumerable: true,
    get() {
      if (!done) {
        value = compute();
        done = true;
      }
      return value;
    },
  });
}

function namedExamples(doc: OpenApiDocument, media: JsonObject, where: string) {
  const out: Record<string, unknown> = {};
  const examples = isObject(media.examples) ? media.examples : {};
  for (const [name, raw] of Object.entries(examples)) {
    out[name] = deref(doc, raw, childPointer(where, "examples", name)).node.value;
  }
  return out;
}

const JSON_MEDIA = /^application\/(?:[\w.+-]+\+)?json$/;

function mediaContent(doc: OpenApiDocument, owner: JsonObject, where: string): MediaContent {
  const content = isObject(owner.content) ? owner.content : {};
  const mediaTypes = Object.keys(content).map((t) => t.toLowerCase());
  const jsonKey = Object.keys(content).find((t) => JSON_MEDIA.test(t.toLowerCase()));
  const result: MediaContent = {
    mediaTypes,
    schema: undefined,
    schemaRef: undefined,
    examples: {},
  };
  if (jsonKey === undefined) return result;
  const mediaWhere = childPointer(where, "content", jsonKey);
  const media = deref(doc, content[jsonKey], mediaWhere);
  result.examples = namedExamples(doc, media.node, media.pointer);
  if (media.node.schema === undefined) return result;
  const schemaWhere = childPointer(media.pointer, "schema");
  result.schemaRef = deref(doc, media.node.schema, schemaWhere).pointer;
  lazy(result, "schema", () => inline(doc, media.node.schema, schemaWhere));
  return result;
}

function parameterOf(doc: OpenApiDocument, raw: unknown, where: string): Parameter {
  const { node, pointer } = deref(doc, raw, where);
  const location = node.in;
  if (
    typeof node.name !== "string" ||
    !["path", "query", "header", "cookie"].includes(`${location}`)
  ) {
    throw new Error(`spec: parameter at ${pointer} needs a name and in: path|query|header|cookie`);
  }
  const examples: Record<string, unknown> = {};
  for (const [name, ex] of Object.entries(isObject(node.examples) ? node.examples : {})) {
    examples[name] = deref(doc, ex, childPointer(pointer, "examples", name)).node.value;
  }
  const parameter: Parameter = {
    name: node.name,
    in: location as Parameter["in"],
    required: node.required === true,
    description: typeof node.description === "string" ? node.description : undefined,
    schema: {},
    example: node.example,
    examples,
    style: typeof node.style === "string" ? node.style : undefined,
    explode: typeof node.explode === "boolean" ? node.explode : undefined,
    allowReserved: node.allowReserved === true,
  };
  parameter.schema = inline(doc, node.schema ?? {}, childPointer(pointer, "schema"));
  return parameter;
}

/** Path-item parameters first, replaced by operation parameters of the same name and location. */
function parametersOf(
  doc: OpenApiDocument,
  item: JsonObject,
  op: JsonObject,
  itemWhere: string,
  opWhere: string,
): Parameter[] {
  const list = (value: unknown) => (Array.isArray(value) ? value : []);
  const byKey = new Map<string, Parameter>();
  list(item.parameters).forEach((raw, i) => {
    const p = parameterOf(doc, raw, childPointer(itemWhere, "parameters", i));
    byKey.set(`${p.in}:${p.name}`, p);
  });
  list(op.parameters).forEach((raw, i) => {
    const p = parameterOf(doc, raw, childPointer(opWhere, "parameters", i));
    byKey.set(`${p.in}:${p.name}`, p);
  });
  return [...byKey.values()];
}

/** `flat` / `nested` from where `error_code` sits in an error response's schema. */
function envelopeOf(schema: Schema | undefined): ErrorEnvelope | undefined {
  const props = (s: unknown) => (isObject(s) && isObject(s.properties) ? s.properties : {});
  if (!schema) return undefined;
  if ("error_code" in props(schema)) return "flat";
  if ("error_code" in props(props(schema).error)) return "nested";
  return undefined;
}

function pagingOf(operation: Omit<Operation, "paging">, raw: unknown): Paging | undefined {
  if (raw === undefined) return undefined;
  const where = `${operation.operationId}: x-paging`;
  if (!isObject(raw)) throw new Error(`spec: ${where} must be an object`);
  const text = (key: string, required = true): string | undefined => {
    const value = raw[key];
    if (value === undefined && !required) return undefined;
    if (typeof value !== "string" || value === "") {
      throw new Error(`spec: ${where}.${key} must be a non-empty string`);
    }
    return value;
  };
  const query = (key: string, required = true) => {
    const name = text(key, required);
    if (name === undefined) return undefined;
    const param = operation.parameters.find((p) => p.in === "query" && p.name === name);
    if (!param) throw new Error(`spec: ${where}.${key} names no query parameter "${name}"`);
    return param;
  };
  const items = text("items") as string;
  const success = operation.responses.find((r) => r.status === String(operation.successStatus));
  const itemsSchema = (success?.schema?.properties as JsonObject | undefined)?.[items];
  if (!isObject(itemsSchema) || itemsSchema.type !== "array") {
    throw new Error(`spec: ${where}.items: the success response has no array property "${items}"`);
  }
  const limitParam = query("limit", false);
  let limit: PagingBase["limit"];
  if (limitParam) {
    const { default: def, maximum, minimum } = limitParam.schema;
    if (typeof def !== "number" || typeof maximum !== "number") {
      throw new Error(`spec: ${where}.limit: "${limitParam.name}" needs a default and a maximum`);
    }
    limit = {
      name: limitParam.name,
      default: def,
      maximum,
      minimum: typeof minimum === "number" ? minimum : 1,
    };
  }
  const style = raw.style;
  if (style === "marker") {
    const marker = query("marker") as Parameter;
    const next = (text("next-marker") as string).split(".");
    return { style, items, limit, marker: marker.name, nextMarker: next };
  }
  if (style === "offset") {
    const offset = query("offset") as Parameter;
    return { style, items, limit, offset: offset.name };
  }
  throw new Error(`spec: ${where}.style must be "marker" or "offset"`);
}

function operationOf<Api extends string>(
  api: Api,
  doc: OpenApiDocument,
  kind: Operation["kind"],
  path: string,
  method: HttpMethod,
  item: JsonObject,
  itemWhere: string,
): Operation<Api> {
  const opWhere = childPointer(itemWhere, method.toLowerCase());
  const op = item[method.toLowerCase()] as JsonObject;
  if (typeof op.operationId !== "string" || op.operationId === "") {
    throw new Error(`spec: ${api}: ${method} ${path} has no operationId`);
  }
  let requestBody: RequestBody | undefined;
  if (op.requestBody !== undefined) {
    const located = deref(doc, op.requestBody, childPointer(opWhere, "requestBody"));
    requestBody = {
      required: located.node.required === true,
      ...mediaContent(doc, located.node, located.pointer),
    };
  }
  const responses: ResponseModel[] = [];
  const statuses = new Set<number>();
  for (const [status, raw] of Object.entries(isObject(op.responses) ? op.responses : {})) {
    const located = deref(doc, raw, childPointer(opWhere, "responses", status));
    const description = located.node.description;
    responses.push({
      status,
      description: typeof description === "string" ? description : "",
      ...mediaContent(doc, located.node, located.pointer),
    });
    if (/^\d{3}$/.test(status)) statuses.add(Number(status));
  }
  const successStatus = [...statuses].find((s) => s >= 200 && s < 300);
  const extensions: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(op)) {
    if (key.startsWith("x-") && key !== "x-paging") extensions[key] = value;
  }
  const operation = {
    api,
    kind,
    operationId: op.operationId,
    method,
    path,
    pointer: opWhere,
    summary: typeof op.summary === "string" ? op.summary : undefined,
    description: typeof op.description === "string" ? op.description : undefined,
    tags: Array.isArray(op.tags) ? op.tags.filter((t): t is string => typeof t === "string") : [],
    deprecated: op.deprecated === true,
    parameters: parametersOf(doc, item, op, itemWhere, opWhere),
    requestBody,
    responses,
    statuses,
    successStatus,
    errorEnvelope: undefined,
    security: (Array.isArray(op.security)
      ? op.security
      : ((doc.security as unknown[]) ?? [])
    ).filter(isObject) as Record<string, string[]>[],
    extensions,
  } as Omit<Operation<Api>, "paging"> & { paging?: Paging | undefined };
  lazy(operation, "errorEnvelope", () => {
    const error = responses.find((r) => /^[45]/.test(r.status) && r.schema !== undefined);
    return envelopeOf(error?.schema);
  });
  operation.paging = pagingOf(operation, op["x-paging"]);
  return operation as Operation<Api>;
}

function operationsOf<Api extends string>(
  api: Api,
  doc: OpenApiDocument,
  kind: Operation["kind"],
): { operations: Operation<Api>[]; paths: PathModel<Api>[] } {
  const root = kind === "path" ? "paths" : "webhooks";
  const operations: Operation<Api>[] = [];
  const paths: PathModel<Api>[] = [];
  for (const [path, raw] of Object.entries(doc[root] ?? {})) {
    const { node: item, pointer } = deref(doc, raw, pointerOf(root, path));
    const byMethod = new Map<HttpMethod, Operation<Api>>();
    // The spec's own order (also the docs' sidebar order and the `Allow` header's).
    for (const key of Object.keys(item)) {
      const method = key.toUpperCase() as HttpMethod;
      if (key !== method.toLowerCase() || !HTTP_METHODS.includes(method)) continue;
      byMethod.set(method, operationOf(api, doc, kind, path, method, item, pointer));
    }
    operations.push(...byMethod.values());
    paths.push({ path, operations: byMethod });
  }
  return { operations, paths };
}

/** The model of one bundled OpenAPI document. Throws on a malformed operation or `x-paging`. */
export function createApiModel<Api extends string>(
  name: Api,
  document: OpenApiDocument,
): ApiModel<Api> {
  const { operations, paths } = operationsOf(name, document, "path");
  const { operations: webhooks } = operationsOf(name, document, "webhook");
  const byId = new Map<string, Operation<Api>>();
  for (const op of [...operations, ...webhooks]) {
    if (byId.has(op.operationId)) {
      throw new Error(`spec: ${name}: operationId ${op.operationId} is used twice`);
    }
    byId.set(op.operationId, op);
  }
  const prefixes = new Set(paths.map((p) => `/${p.path.split("/")[1]}/`));
  const securitySchemes: Record<string, JsonObject> = {};
  for (const [key, raw] of Object.entries(document.components?.securitySchemes ?? {})) {
    securitySchemes[key] = deref(
      document,
      raw,
      pointerOf("components", "securitySchemes", key),
    ).node;
  }
  const model = {
    name,
    document,
    info: document.info,
    servers: document.servers ?? [],
    securitySchemes,
    operations,
    webhooks,
    paths,
    pathPrefix: prefixes.size === 1 ? [...prefixes][0] : undefined,
    errorEnvelope: undefined as ErrorEnvelope | undefined,
    operation(operationId: string) {
      const op = byId.get(operationId);
      if (!op) throw new Error(`spec: ${name} has no operation ${operationId}`);
      return op;
    },
    schemaAt(pointer: string) {
      return inline(document, { $ref: pointer }, pointer);
    },
    example(exampleName: string) {
      const raw = document.components?.examples?.[exampleName];
      if (raw === undefined) throw new Error(`spec: ${name} has no example ${exampleName}`);
      return deref(document, raw, pointerOf("components", "examples", exampleName)).node.value;
    },
  };
  lazy(model, "errorEnvelope", () => {
    const kinds = new Set(operations.map((op) => op.errorEnvelope).filter((k) => k !== undefined));
    if (kinds.size > 1) throw new Error(`spec: ${name} declares both error envelopes`);
    return [...kinds][0];
  });
  return model;
}

/** Fields a validator never reads: documentation and examples. */
const DOCUMENTATION = new Set(["description", "summary", "example", "examples", "externalDocs"]);

function withoutDocumentation(value: unknown, inSchemaMap = false): unknown {
  if (Array.isArray(value)) return value.map((item) => withoutDocumentation(item));
  if (!isObject(value)) return value;
  const out: JsonObject = {};
  for (const [key, child] of Object.entries(value)) {
    // Under `properties` (and the like) keys are names, not keywords: keep them all.
    if (!inSchemaMap && (DOCUMENTATION.has(key) || key.startsWith("x-"))) continue;
    out[key] = withoutDocumentation(child, key === "properties" || key === "patternProperties");
  }
  return out;
}

/**
 * One OpenAPI document for a request/response validator, holding every path of `models` with
 * every reference inlined and the documentation (descriptions, examples, `x-` fields) left out:
 * what validation reads and nothing else, so a validator loads and compiles it once for all the
 * APIs. The APIs' paths must not overlap.
 */
export function validationDocument(models: readonly ApiModel[]): OpenApiDocument {
  const paths: Record<string, JsonObject> = {};
  for (const model of models) {
    for (const [path, item] of Object.entries(model.document.paths ?? {})) {
      if (path in paths) throw new Error(`spec: ${model.name}: path ${path} is in two APIs`);
      const where = pointerOf("paths", path);
      paths[path] = withoutDocumentation(inline(model.document, item, where)) as JsonObject;
    }
  }
  return {
    openapi: models[0]?.document.openapi ?? "3.1.0",
    info: { title: models.map((m) => m.info.title).join(", "), version: "validation" },
    paths,
  };
}
