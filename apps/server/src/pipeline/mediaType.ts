/**
 * Stage 4: the media type (415) and the JSON parse (400) of an authenticated request's body. The
 * validator then sees exactly one media type per operation (`application/json`, whatever charset
 * spelling was sent), so it compiles one request validator per operation, at warm-up.
 */
import type { RequestHandler } from "express";
import { ApiError } from "../errors.js";
import { rawBody } from "./body.js";

export const mediaType: RequestHandler = (req, res, next) => {
  const op = res.locals.route?.op;
  const mediaTypes = op?.requestBody?.mediaTypes;
  if (!mediaTypes) {
    // Bodies on operations without one are ignored (they were only needed for the signature).
    req.body = undefined;
    delete req.headers["content-type"];
    return next();
  }
  const contentType = req.headers["content-type"];
  const accepted = acceptedMediaType(contentType, mediaTypes);
  if (accepted === undefined) {
    throw new ApiError(
      "unsupported_media_type",
      `Unsupported Content-Type ${contentType || "(none)"}: send ${mediaTypes.join(" or ")}`,
    );
  }
  req.body = parseJsonBody(rawBody(req.body));
  req.headers["content-type"] = accepted;
  next();
};

const utf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false });

/**
 * The media type of `mediaTypes` that `header` names (case-insensitive, any parameters, UTF-8
 * only), or `undefined`.
 */
export function acceptedMediaType(
  header: string | undefined,
  mediaTypes: readonly string[],
): string | undefined {
  if (!header) return undefined;
  const [type, ...params] = header.split(";");
  const mediaType = (type as string).trim().toLowerCase();
  if (!mediaTypes.includes(mediaType)) return undefined;
  for (const param of params) {
    const [name, value] = param.split("=");
    if (name?.trim().toLowerCase() === "charset") {
      const charset = value?.trim().replace(/^"|"$/g, "").toLowerCase();
      if (charset !== "utf-8" && charset !== "utf8") return undefined;
    }
  }
  return mediaType;
}

/** Keys that could reach an object's prototype chain if any code ever merged them. */
const FORBIDDEN_KEYS = new Set(["__proto__", "constructor", "prototype"]);

/** The first forbidden key anywhere in `value`, as a `request/body/...` path. Iterative: no stack limit. */
function findForbiddenKey(value: unknown): string | undefined {
  const stack: [unknown, string][] = [[value, "request/body"]];
  while (stack.length > 0) {
    const [current, path] = stack.pop() as [unknown, string];
    if (typeof current !== "object" || current === null) continue;
    if (Array.isArray(current)) {
      current.forEach((item, i) => {
        stack.push([item, `${path}/${i}`]);
      });
      continue;
    }
    for (const key of Object.keys(current)) {
      if (FORBIDDEN_KEYS.has(key)) return `${path}/${key}`;
      stack.push([(current as Record<string, unknown>)[key], `${path}/${key}`]);
    }
  }
  return undefined;
}

/**
 * What JSON.parse found wrong, without the excerpt of the body that V8 quotes in some messages
 * (`Unexpected token 'x', "…" is not valid JSON`): a body may carry a secret value.
 */
function syntaxDetail(err: Error): string {
  return / is not valid JSON$/.test(err.message) ? "unexpected token" : err.message;
}

/** Parses a JSON body; malformed → `malformed_json`, forbidden keys → `validation`. */
export function parseJsonBody(raw: Uint8Array): unknown {
  let value: unknown;
  try {
    if (raw.length === 0) throw new SyntaxError("the body is empty");
    value = JSON.parse(utf8.decode(raw));
  } catch (err) {
    const detail =
      err instanceof TypeError ? "the body is not valid UTF-8" : syntaxDetail(err as Error);
    throw new ApiError("malformed_json", `Malformed JSON body: ${detail}`);
  }
  const forbidden = findForbiddenKey(value);
  if (forbidden !== undefined) {
    throw new ApiError("validation", `${forbidden} is not allowed (reserved property name)`);
  }
  return value;
}
