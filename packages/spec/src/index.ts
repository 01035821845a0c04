/**
 * `@cts-csms/spec`: the one model of the bundled OpenAPI specs. Code generation, the reference
 * server's routing, the docs build and the tests read operations, parameters, statuses, error
 * envelopes and paging from here; no other module follows a `$ref`.
 *
 * @packageDocumentation
 */
export { type BreakingChange, type BreakingRule, breakingChanges } from "./breaking.js";
export { API_NAMES, type ApiName, api, apis, bundledFile } from "./bundled.js";
export type { JsonObject, OpenApiDocument } from "./document.js";
export {
  type ApiModel,
  createApiModel,
  type ErrorEnvelope,
  HTTP_METHODS,
  type HttpMethod,
  type MarkerPaging,
  type MediaContent,
  type OffsetPaging,
  type Operation,
  type Paging,
  type Parameter,
  type PathModel,
  type RequestBody,
  type ResponseModel,
  type Schema,
  validationDocument,
} from "./model.js";
