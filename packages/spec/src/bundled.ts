/**
 * The bundled specs of this repository (`@cts-csms/openapi`), each loaded and modelled once per
 * process, on first use.
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import type { OpenApiDocument } from "./document.js";
import { type ApiModel, createApiModel } from "./model.js";

/** Every bundled API: the two Huawei Cloud APIs and the reference server's admin API. */
export const API_NAMES = ["cts", "csms", "admin"] as const;
export type ApiName = (typeof API_NAMES)[number];

const require = createRequire(import.meta.url);
const models = new Map<ApiName, ApiModel<ApiName>>();

/** Absolute path of an API's bundled document (`openapi/dist/<name>.json`). */
export function bundledFile(name: ApiName): string {
  return require.resolve(`@cts-csms/openapi/${name}.json`);
}

/** The model of a bundled API. */
export function api<Name extends ApiName>(name: Name): ApiModel<Name> {
  let model = models.get(name);
  if (!model) {
    if (!API_NAMES.includes(name)) throw new Error(`spec: no bundled API named ${name}`);
    const document = JSON.parse(readFileSync(bundledFile(name), "utf8")) as OpenApiDocument;
    model = createApiModel<ApiName>(name, document);
    models.set(name, model);
  }
  return model as ApiModel<Name>;
}

/** Every bundled API's model, in `API_NAMES` order. */
export function apis(): ApiModel<ApiName>[] {
  return API_NAMES.map((name) => api(name));
}
