// The bundled specs, read once, and a flat list of their operations. Everything the suite knows
// about the APIs (operations, parameters, schemas, declared statuses) comes from here.

import { readFileSync } from "node:fs";
import { createRequire } from "node:module";

export type Json = Record<string, any>;
export type Api = "cts" | "csms";

const require = createRequire(import.meta.url);
export const specs: Record<Api, Json> = {
  cts: JSON.parse(readFileSync(require.resolve("@cts-csms/openapi/cts.json"), "utf8")),
  csms: JSON.parse(readFileSync(require.resolve("@cts-csms/openapi/csms.json"), "utf8")),
};

export interface Parameter {
  name: string;
  in: "path" | "query" | "header";
  required: boolean;
  schema: Json;
}

export interface Operation {
  api: Api;
  operationId: string;
  method: "get" | "post" | "put" | "delete";
  path: string;
  parameters: Parameter[];
  /** The JSON pointer of the request body schema, when the operation has a body. */
  bodySchemaRef?: string;
  /** Declared statuses → JSON pointer of the response schema (undefined for no body). */
  responses: Map<number, string | undefined>;
  successStatus: number;
}

export function resolve(spec: Json, node: Json): Json {
  let n = node;
  while (n && typeof n.$ref === "string") n = pointerGet(spec, n.$ref.slice(1));
  return n;
}

export function pointerGet(root: Json, pointer: string): any {
  return pointer
    .split("/")
    .slice(1)
    .reduce((o, k) => o?.[k.replaceAll("~1", "/").replaceAll("~0", "~")], root);
}

const esc = (s: string) => s.replaceAll("~", "~0").replaceAll("/", "~1");

function collect(api: Api): Operation[] {
  const spec = specs[api];
  const ops: Operation[] = [];
  for (const [path, rawItem] of Object.entries<Json>(spec.paths)) {
    const item = resolve(spec, rawItem);
    for (const method of ["get", "post", "put", "delete"] as const) {
      const op = item[method];
      if (!op) continue;
      const parameters = [...(item.parameters ?? []), ...(op.parameters ?? [])].map((p: Json) => {
        const r = resolve(spec, p);
        return { name: r.name, in: r.in, required: !!r.required, schema: resolve(spec, r.schema) };
      });
      const opPtr = `#/paths/${esc(path)}/${method}`;
      let bodySchemaRef: string | undefined;
      if (op.requestBody) {
        const rb = resolve(spec, op.requestBody);
        const schema = rb.content["application/json"].schema;
        bodySchemaRef = schema.$ref ?? `${opPtr}/requestBody/content/application~1json/schema`;
      }
      const responses = new Map<number, string | undefined>();
      for (const [code, r] of Object.entries<Json>(op.responses)) {
        const resp = resolve(spec, r);
        const schema = resp.content?.["application/json"]?.schema;
        responses.set(
          Number(code),
          schema
            ? (schema.$ref ?? `${opPtr}/responses/${code}/content/application~1json/schema`)
            : undefined,
        );
      }
      const successStatus = [...responses.keys()].find((c) => c >= 200 && c < 300)!;
      ops.push({
        api,
        operationId: op.operationId,
        method,
        path,
        parameters,
        bodySchemaRef,
        responses,
        successStatus,
      });
    }
  }
  return ops;
}

export const operations: Operation[] = [...collect("cts"), ...collect("csms")];
export const operation = (id: string): Operation => {
  const op = operations.find((o) => o.operationId === id);
  if (!op) throw new Error(`no operation ${id} in the bundled specs`);
  return op;
};
