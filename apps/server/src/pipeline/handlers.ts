/**
 * Stage 6: the operation's handler runs on the validated input and its reply is sent (and, on
 * the way out, checked against the spec by stage 5's response validation).
 *
 * The server's own warm-up and self-check requests get the operation's documented success
 * example instead: they compile and exercise the response validators without touching the store.
 * A seed entry's create runs for real, but only its status goes back (the seed wants nothing
 * else, and skipping the body keeps a 200,000-entry seed quick).
 */
import type { RequestHandler } from "express";
import { syntheticPurpose } from "../inject.js";
import type { AnyOperationHandler } from "../operation.js";
import { type ApiName, type Operation, operations } from "../spec.js";

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

export function handlers(byOperationId: Record<string, AnyOperationHandler>): RequestHandler {
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
    const reply =
      purpose === "warm-up" || purpose === "self-check"
        ? (examples.get(op) as Reply)
        : await (byOperationId[op.operationId] as AnyOperationHandler)({
            projectId: params.project_id ?? "",
            params,
            query: req.query,
            body: req.body,
          });
    res.status(reply.status);
    res.locals.reply = reply.body;
    const mediaType = mediaTypes.get(op);
    if (reply.body === undefined || purpose === "seed") res.end();
    else if (mediaType !== undefined) res.type(mediaType).send(String(reply.body));
    else res.json(reply.body);
  };
}
