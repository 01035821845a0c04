/**
 * Delivery rules of `/_admin/faults` acting on one delivery attempt, before the receiver would
 * be called. Everything waits on the attempt's own signal (its timeout, or the delivery being
 * cleared), so a faulted attempt never holds a worker longer than a real one could.
 */
import type { admin } from "@cts-csms/types";

type Delivery = admin.components["schemas"]["Delivery"];

/** A fault rule's effect on one attempt (a delivery rule of `/_admin/faults`). */
export interface AttemptFault {
  /** The rule's id, named in the attempt's error. */
  source: string;
  /** Taken as the receiver's answer; the receiver is not called. */
  status?: number | undefined;
  /** Waited before the call (or the status, or the action), within the attempt timeout. */
  delayMs?: number | undefined;
  /** `reset`: a connection error; `hang`: no answer until the attempt timeout. */
  action?: "reset" | "hang" | undefined;
}

/** Waits `ms` (forever when undefined) unless `signal` aborts first; then rejects with its reason. */
function pause(ms: number | undefined, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = ms === undefined ? undefined : setTimeout(done, ms);
    signal.addEventListener("abort", stop, { once: true });
    if (signal.aborted) stop();
    function done() {
      signal.removeEventListener("abort", stop);
      resolve();
    }
    function stop() {
      clearTimeout(timer);
      reject(signal.reason);
    }
  });
}

/** A faulted attempt: `undefined` when it goes on to call the receiver (a delay only), else its error. */
export async function faulted(
  fault: AttemptFault,
  record: Delivery,
  signal: AbortSignal,
): Promise<string | undefined> {
  if (fault.delayMs) await pause(fault.delayMs, signal);
  if (fault.action === "hang") await pause(undefined, signal);
  if (fault.action === "reset") return "network error: ECONNRESET";
  if (fault.status === undefined) return undefined;
  record.response_status = fault.status;
  return `HTTP ${fault.status}`;
}
