/**
 * `@cts-csms/client`: typed clients for Huawei Cloud CTS v3 key event notifications and CSMS v1
 * secret events, on openapi-fetch. Operations come from the bundled OpenAPI specs at build time.
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
  type ClientOptions,
  type CsmsClient,
  type CtsClient,
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
export { csmsOperations, csmsPageCursors, csmsPagination } from "./generated/csms-operations.js";
export { ctsOperations, ctsPageCursors, ctsPagination } from "./generated/cts-operations.js";
export {
  type PagedOperationId,
  type PageItem,
  paginate,
  paginateNotificationRecords,
  paginateSecretEvents,
  paginateTraces,
} from "./paginate.js";
export type { RetryOptions } from "./transport.js";
export type {
  ApiClient,
  ClientPaths,
  OperationMap,
  OperationMethods,
  WithDefaultProjectId,
} from "./types.js";
