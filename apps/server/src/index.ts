/**
 * `@cts-csms/server`: the reference server for CTS v3 key event notifications and CSMS v1 secret
 * events, as a library. `createServer` listens; `createApp` gives the Express app to mount.
 */

export { type AppOptions, createApp, type LogLevel, type ServerApp } from "./app.js";
export type { AuthMode, CredentialsConfig } from "./auth.js";
export { createHandlers } from "./handlers.js";
export type { Clock, Context, IdGenerator, OperationHandler } from "./operation.js";
export type { ValidationSettings, ValidatorFactory } from "./pipeline/validation.js";
export type { SeedConfig } from "./seed.js";
export { createServer, type RunningServer, type ServerOptions } from "./server.js";
export { createMemoryStore } from "./store/memory.js";
export { openStore, type StoreOptions } from "./store/open.js";
export type {
  AdminStateRepository,
  DeliveryHold,
  DeliveryRepository,
  HeldDelivery,
  Notification,
  NotificationRecord,
  NotificationRecordRepository,
  NotificationRepository,
  Page,
  PageRequest,
  RequestAdminState,
  SecretEvent,
  SecretEventRepository,
  Store,
  StoredFaultRule,
  Trace,
  TraceFilter,
  TraceListRequest,
  TraceRepository,
} from "./store/types.js";
