/**
 * Stage 6: the operation's handler runs on the validated input and its reply is sent (and, on
 * the way out, checked against the spec by stage 5's response validation).
 *
 * The server's own warm-up and self-check requests get the operation's documented success
 * example instead: they compile and exercise the response validators without touching the store.
 * (Seed entries do not come through here: seed.ts hands them to the handlers directly.)
 */
import type { RequestHandler, Response } from "express";
import { ApiError } from "../errors.js";
import { syntheticPurpose } from "../inject.js";
import type { AnyOperationHandler } from "../operation.js";
import { type ApiName, type Operation, operations } from "../spec.js";
import type { Store } from "../store/types.js";

interface Reply {
  status: number;
  body: unknown;
}

/** Each operation's success reply as the spec documents it: its status and first example. */
function exampleReplies(): Map<Operation<ApiName>, Reply> {
  const replies = new Map<Operation<ApiName>, Reply>();
  for (const op of operations) {
    const success = op.responses.find((r) => r.status === String(op.successStatus));
    if (!success) throw new Error(`spec: ${op.operationId} declares no 2xx response`);
    const examples = Object.values(success.examples);
    if (success.schema !== undefined && examples.length === 0) {
      throw new Error(
        `spec: ${op.operationId} ${success.status} needs an example (warm-up sends it)`,
      );
    }
    replies.set(op, { status: Number(success.status), body: examples[0] });
  }
  return replies;
}

/** Operations whose success reply is not JSON (a PEM certificate): their media type. */
function textReplies(): Map<Operation<ApiName>, string> {
  const types = new Map<Operation<ApiName>, string>();
  for (const op of operations) {
    const success = op.responses.find((r) => r.status === String(op.successStatus));
    const mediaType = success?.mediaTypes[0];
    if (mediaType !== undefined && !/json/.test(mediaType)) types.set(op, mediaType);
  }
  return types;
}

/** The body of the boot self-check's wrong answer (see `responseCheckOperations`). */
export const WRONG_BODY = "self-check: not the documented body";

/** Thrown inside a write's transaction when its answer failed the response check: rolls it back. */
const REFUSED = Symbol("response refused");

export function handlers(
  byOperationId: Record<string, AnyOperationHandler>,
  store?: Pick<Store, "transaction">,
): RequestHandler {
  for (const op of operations) {
    if (!byOperationId[op.operationId]) {
      throw new Error(`no handler for ${op.api} operation ${op.operationId}`);
    }
  }
  const examples = exampleReplies();
  const mediaTypes = textReplies();
  return async (req, res, next) => {
    const route = res.locals.route;
    if (!route) return next();
    const { op, params } = route;
    const purpose = syntheticPurpose(req);
    if (purpose === "warm-up" || purpose === "self-check") {
      return send(res, examples.get(op) as Reply, mediaTypes.get(op));
    }
    if (purpose === "response-check") {
      // The boot self-check's wrong answer: the success status with a body of a type its
      // schema does not allow (startup.ts picks operations whose schema says which).
      return send(res, { ...(examples.get(op) as Reply), body: WRONG_BODY }, undefined);
    }
    const handle = () =>
      (byOperationId[op.operationId] as AnyOperationHandler)({
        projectId: params.project_id ?? "",
        params,
        query: req.query,
        body: req.body,
      });
    const mediaType = mediaTypes.get(op);
    const write = op.api !== "admin" && op.method !== "GET" && purpose === undefined;
    if (!write || !store?.transaction) {
      const reply = await handle();
      return send(res, reply, mediaType);
    }
    // A write: its answer is checked against the spec (stage 5 wraps `res.json`) inside its
    // store transaction, and sent once that has ended. An answer that fails the check (the error
    // stage has put a 500 in its place) rolls the write back: nothing is kept that the client
    // was not shown.
    const held: NonNullable<typeof res.locals.held> = { active: true };
    res.locals.held = held;
    let kept: Reply | undefined;
    let answered: ApiError | undefined;
    try {
      await store.transaction(async () => {
        let reply: Reply;
        try {
          reply = await handle();
        } catch (err) {
          // The handler's own answer (a 4xx, e.g. a partial delete's 404) keeps what it did.
          if (!(err instanceof ApiError) || err.kind === "unavailable") throw err;
          answered = err;
          return;
        }
        send(res, reply, mediaType);
        const shown =
          reply.body === undefined || (held.text !== undefined && res.statusCode === reply.status);
        if (!shown) throw REFUSED;
        kept = reply;
      });
    } catch (err) {
      held.active = false;
      if (err !== REFUSED) throw err;
      res.locals.reply = undefined;
    }
    held.active = false;
    if (answered) throw answered;
    if (held.text !== undefined) res.end(held.text);
    else if (kept && kept.body === undefined) res.end();
  };
}

/** Sends a reply: JSON through `res.json` (checked by stage 5), text as its media type. */
function send(res: Response, reply: Reply, mediaType: string | undefined): void {
  res.status(reply.status);
  res.locals.reply = reply.body;
  if (reply.body === undefined) {
    if (!res.locals.held?.active) res.end();
  } else if (mediaType !== undefined) res.type(mediaType).send(String(reply.body));
  else res.json(reply.body);
}
