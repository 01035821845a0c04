/**
 * `@cts-csms/client`: typed clients for Huawei Cloud CTS v3 key event notifications and CSMS v1
 * secret events (and the reference server's admin API), on openapi-fetch. Operations come from the bundled OpenAPI specs at build time.
 *
 * @packageDocumentation
 */
export {
  type AkSkAuth,
  type AuthMiddleware,
  type AuthOptions,
  createAuthMiddleware,
  type TokenAuth,
} from "./auth.js";
export {
  type AdminClient,
  type AdminClientOptions,
  type ClientOptions,
  type CsmsClient,
  type CtsClient,
  createAdminClient,
  createCsmsClient,
  createCtsClient,
} from "./client.js";
export {
  type ApiErrorInit,
  type ApiName,
  CsmsApiError,
  CtsApiError,
  type FetchResult,
  HuaweiApiError,
  NetworkError,
  type SuccessData,
  TimeoutError,
  unwrap,
} from "./errors.js";
export { adminOperations } from "./generated/admin-operations.js";
export { csmsOperations, csmsPaging } from "./generated/csms-operations.js";
export { ctsOperations, ctsPaging } from "./generated/cts-operations.js";
export { type PagedOperationId, type PageItem, paginate } from "./paginate.js";
export type { RetryOptions } from "./transport.js";
export type {
  ApiClient,
  ClientPaths,
  OperationMap,
  OperationMethods,
  Paging,
  PagingMap,
  WithDefaultProjectId,
} from "./types.js";
