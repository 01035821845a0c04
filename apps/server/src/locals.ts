/**
 * What the pipeline's stages hand each other on `res.locals`, typed through Express's own
 * `Locals` interface, so every stage reads them without casts.
 */
import type { ApiName, Operation } from "./spec.js";
import type { StoredFaultRule } from "./store/types.js";

/** The operation a request was routed to, with its percent-decoded path parameters. */
export interface RouteState {
  op: Operation<ApiName>;
  params: Record<string, string>;
}

declare global {
  namespace Express {
    interface Locals {
      /** The request's id (echoed when sane, else generated); set first, for every request. */
      requestId: string;
      /** Set by routing for requests to an operation of a spec. */
      route?: RouteState;
      /** The live request fault rules, as the request's read of the admin state found them. */
      faultRules?: StoredFaultRule[];
      /** The access key of an AK/SK-signed request, for the access log. */
      ak?: string;
      /** Set once the request's credentials are accepted (a token's or an AK's), for the journal. */
      authenticated?: boolean;
      /** The handler's reply body, for the operation's trace (pipeline/operationTrace.ts). */
      reply?: unknown;
      /**
       * While a write's response is checked inside its store transaction (pipeline/handlers.ts):
       * the JSON that passed the check (or the error envelope that replaced it), sent only once
       * the transaction has ended.
       */
      held?: { active: boolean; text?: string };
      /** The error envelope a failed request was answered with, for its trace. */
      rejection?: unknown;
      /**
       * The 413 of a body over the limit, held until the request is authenticated and its trace
       * step is in place (pipeline/body.ts), so a caller's oversized write is traced too.
       */
      tooLarge?: unknown;
    }
  }
}
