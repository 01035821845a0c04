/**
 * Types for the CTS v3 and CSMS v1 APIs and the reference server's admin API, generated from the
 * bundled OpenAPI specs.
 *
 * `import type { cts, csms } from "@cts-csms/types"` then `cts.components["schemas"]["Notification"]`,
 * or import one API directly from `@cts-csms/types/cts` / `@cts-csms/types/csms`.
 */
export type * as admin from "./generated/admin.js";
export type * as csms from "./generated/csms.js";
export type * as cts from "./generated/cts.js";
