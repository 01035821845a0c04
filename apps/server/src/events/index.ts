/**
 * The event engine, as a library: traces in, matching, delivery out. Exported as
 * `@cts-csms/server/events` for the server's wiring, CSMS events and tests.
 */
export {
  createDeliveryQueue,
  type Delivery,
  type DeliveryJob,
  type DeliveryLogger,
  type DeliveryOptions,
  type DeliveryQueue,
  type DeliveryStatus,
  type RetrySchedule,
  retryDelay,
} from "./delivery.js";
export {
  createEventEngine,
  type EventEngine,
  type EventEngineOptions,
  keyEventSubject,
  type SmnUrls,
} from "./engine.js";
export { explainTrace, type TraceExplanation } from "./explain.js";
export { type CtsTriggerEvent, ctsTriggerEvent } from "./functiongraph.js";
export {
  FILTER_FIELDS,
  type FilterRule,
  filterMatches,
  filterReason,
  type MatchReason,
  matchingNotifications,
  matchReason,
  notificationMatches,
  operationMatches,
  operationReason,
  parseFilterRule,
  ruleMatches,
  statusMatches,
  statusReason,
  userMatches,
  userReason,
} from "./matching.js";
export type {
  DeliverPort,
  DeliveryRequest,
  SecretEventFiredPort,
  TraceHappenedPort,
} from "./ports.js";
export {
  type FunctionSink,
  parseSinks,
  type SinkConfig,
  SinkConfigError,
  type SinkLookup,
  Sinks,
  type SmnSubscriptionSink,
  StoredSinks,
  sinksSchema,
  targetKind,
  urnProject,
} from "./sinks.js";
export {
  buildSmnNotification,
  createSmnSigningKey,
  loadSmnSigningKey,
  type SmnHttpMessage,
  type SmnNotificationInput,
  type SmnNotificationMessage,
  type SmnSigningKey,
  type SmnSigningKeyOptions,
  smnStringToSign,
  smnSubscriptionUrn,
  smnTimestamp,
  verifySmnNotification,
} from "./smn.js";
export {
  DEFAULT_TRACE_USER,
  type OperationRecord,
  ratingOf,
  type TraceInput,
  type TraceRating,
  type TraceUser,
  traceFromInput,
  traceFromOperation,
} from "./trace.js";
