/**
 * The event engine's ports: the only ways the services meet it. CTS reports that a trace
 * happened; any service asks for something to be delivered to a URN; CSMS's secret events fire
 * through that same delivery.
 */
import type { Trace } from "../store/types.js";
import type { Delivery } from "./delivery.js";

/** "A trace happened": record it, and deliver it to every notification it matches. */
export interface TraceHappenedPort {
  traceHappened(projectId: string, trace: Trace): Promise<readonly Delivery[]>;
}

/** What to deliver to a target URN; the content that fits the URN's kind is used. */
export interface DeliveryRequest {
  projectId: string;
  /** What caused it: a notification id, a CSMS event name. */
  source: string;
  /** The trace that caused it, for a key event notification. */
  traceId?: string | undefined;
  /** `urn:smn:…` (an SMN topic) or `urn:fss:…` (a FunctionGraph function). */
  target: string;
  /** Published to an SMN topic: each subscription receives a signed SMN message. */
  smn?: { subject?: string; message: string };
  /** Sent to a FunctionGraph function as its event. */
  event?: unknown;
}

/** "Deliver this to that URN": one logged delivery per configured endpoint, or one `no_sink`. */
export interface DeliverPort {
  deliver(request: DeliveryRequest): Promise<readonly Delivery[]>;
  /**
   * "This cannot be delivered, because `reason`": logs one `no_sink` delivery (never attempted)
   * whose `error` is the reason and whose payload is `payload`, so the delivery log says why
   * nothing was sent.
   */
  refuse(
    request: Pick<DeliveryRequest, "projectId" | "source" | "target">,
    payload: string,
    reason: string,
  ): Promise<Delivery>;
}

/**
 * "A secret event fired", for callers outside the server. The server's own CSMS lifecycle
 * (`src/csms/lifecycle.ts`) decides whether an event fires and delivers through
 * {@link DeliverPort}, then writes the notification record from each delivery's outcome.
 */
export interface SecretEventFiredPort {
  secretEventFired(
    projectId: string,
    eventName: string,
    payload: unknown,
  ): Promise<readonly Delivery[]>;
}
