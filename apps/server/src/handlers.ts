/**
 * Every operation's handler, keyed by operationId, over one store, clock and id source. app.ts
 * wires them behind validation; they are exported for custom wiring (the benchmark's
 * unvalidated baseline runs the very same handlers).
 */
import { secretEventHandlers } from "./csms/events.js";
import { notificationRecordHandlers } from "./csms/notificationRecords.js";
import { createRotator, rotationHandlers } from "./csms/rotation.js";
import { secretHandlers } from "./csms/secrets.js";
import { stageHandlers } from "./csms/stages.js";
import { notificationHandlers } from "./cts/notifications.js";
import { traceHandlers } from "./cts/traces.js";
import { type AnyOperationHandler, type Context, randomIds, systemClock } from "./operation.js";
import { createMemoryStore } from "./store/memory.js";

export function createHandlers(ctx: Partial<Context> = {}): Record<string, AnyOperationHandler> {
  const full: Context = {
    store: ctx.store ?? createMemoryStore(),
    clock: ctx.clock ?? systemClock,
    ids: ctx.ids ?? randomIds,
    ...(ctx.firing && { firing: ctx.firing }),
  };
  const { firing } = full;
  const rotator =
    ctx.rotator ??
    createRotator({
      ...full,
      ...(firing && { fire: (...args: Parameters<typeof firing.fire>) => firing.fire(...args) }),
    });
  return {
    ...notificationHandlers(full),
    ...traceHandlers(full),
    ...secretEventHandlers(full),
    ...notificationRecordHandlers(full),
    ...secretHandlers(full, full.firing, rotator),
    ...stageHandlers(full),
    ...rotationHandlers(full),
  };
}
