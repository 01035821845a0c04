/**
 * Error envelopes and the mapping of every failure (ours, the validator's, body-parser's,
 * unexpected exceptions) onto them. The code table mirrors openapi/README.md "Error codes": codes
 * are not expressible in the spec beyond examples, so this is their one place in code. The
 * envelope's shape (flat or nested) is the spec's, read from each API's error schema.
 */
import type { csms, cts } from "@cts-csms/types";
import { type ApiName, models, type Operation } from "./spec.js";

export type CtsError = cts.components["schemas"]["CtsError"];
export type CsmsError = csms.components["schemas"]["CsmsError"];

export type ErrorKind =
  | "validation"
  | "malformed_json"
  | "duplicate"
  | "unauthorized"
  | "forbidden"
  | "not_found"
  | "route_not_found"
  | "method_not_allowed"
  | "payload_too_large"
  | "unsupported_media_type"
  | "unavailable"
  | "internal";

const CODES: Record<ErrorKind, { status: number; cts: string; csms: string }> = {
  validation: { status: 400, cts: "CTS.0003", csms: "CSMS.0002" },
  malformed_json: { status: 400, cts: "CTS.0003", csms: "CSMS.0004" },
  duplicate: { status: 400, cts: "CTS.0400", csms: "CSMS.0002" },
  unauthorized: { status: 401, cts: "CTS.0002", csms: "CSMS.9401" },
  forbidden: { status: 403, cts: "CTS.0013", csms: "CSMS.9403" },
  not_found: { status: 404, cts: "CTS.0403", csms: "CSMS.0005" },
  route_not_found: { status: 404, cts: "CTS.9404", csms: "CSMS.9404" },
  method_not_allowed: { status: 405, cts: "CTS.9405", csms: "CSMS.9405" },
  payload_too_large: { status: 413, cts: "CTS.9413", csms: "CSMS.9413" },
  unsupported_media_type: { status: 415, cts: "CTS.9415", csms: "CSMS.9415" },
  unavailable: { status: 503, cts: "CTS.9503", csms: "CSMS.9503" },
  internal: { status: 500, cts: "CTS.9500", csms: "CSMS.9500" },
};

/** A failure the server reports on purpose; `message` goes to the client verbatim. */
export class ApiError extends Error {
  constructor(
    readonly kind: ErrorKind,
    message: string,
    readonly headers?: Record<string, string>,
  ) {
    super(message);
    this.name = "ApiError";
  }
}

/** The column of the code table an API answers with: the admin API answers as CTS does. */
const CODE_FAMILY: Record<ApiName, "cts" | "csms"> = { cts: "cts", csms: "csms", admin: "cts" };

/** The code of an error kind in an API. */
export function errorCode(api: ApiName, kind: ErrorKind): string {
  return CODES[kind][CODE_FAMILY[api]];
}

export function envelope(api: ApiName, code: string, message: string): CtsError | CsmsError {
  return models[api].errorEnvelope === "nested"
    ? { error: { error_code: code, error_msg: message } }
    : { error_code: code, error_msg: message };
}

export interface ErrorResponse {
  status: number;
  body: CtsError | CsmsError;
  headers?: Record<string, string>;
}

/**
 * The response for an error of `kind`. A status the operation does not declare (e.g. 413 on a
 * GET that happened to carry a body) falls back to the operation's 400, so clients only ever see
 * statuses the spec lists for the operation.
 */
export function errorResponse(
  api: ApiName,
  operation: Operation<ApiName> | undefined,
  kind: ErrorKind,
  message: string,
  headers?: Record<string, string>,
): ErrorResponse {
  let entry = CODES[kind];
  if (operation && !operation.statuses.has(entry.status) && kind !== "internal") {
    // Server trouble is never the client's fault: a 500 where 503 is not declared.
    entry = kind === "unavailable" ? CODES.internal : CODES.validation;
  }
  const response: ErrorResponse = {
    status: entry.status,
    body: envelope(api, entry[CODE_FAMILY[api]], message),
  };
  if (headers) response.headers = headers;
  return response;
}

interface HttpLikeError {
  status?: unknown;
  statusCode?: unknown;
  type?: unknown;
  message?: unknown;
  headers?: unknown;
  expose?: unknown;
}

/** What a thrown value means for the client: an `ApiError`, or `internal` for anything unknown. */
export function classify(err: unknown): {
  kind: ErrorKind;
  message: string;
  headers?: Record<string, string>;
} {
  if (err instanceof ApiError) {
    return err.headers
      ? { kind: err.kind, message: err.message, headers: err.headers }
      : { kind: err.kind, message: err.message };
  }
  const e = (err ?? {}) as HttpLikeError;
  const status = typeof e.status === "number" ? e.status : e.statusCode;
  const message = typeof e.message === "string" ? e.message : "";
  // body-parser's errors carry a `type`.
  if (e.type === "entity.too.large") {
    return { kind: "payload_too_large", message: `Request body exceeds ${LIMIT_TEXT} bytes` };
  }
  if (e.type === "encoding.unsupported" || e.type === "charset.unsupported") {
    return { kind: "unsupported_media_type", message };
  }
  // express-openapi-validator's HttpErrors.
  switch (status) {
    case 400:
      // Ajv's words for a property a conditional schema excludes (`name: false`).
      return {
        kind: "validation",
        message:
          message.replaceAll(" boolean schema is false", " is not allowed here") ||
          "Invalid request",
      };
    case 404:
      return { kind: "route_not_found", message: "The requested route does not exist" };
    case 405: {
      const headers = e.headers as Record<string, string> | undefined;
      return headers
        ? { kind: "method_not_allowed", message, headers }
        : { kind: "method_not_allowed", message };
    }
    case 413:
      return { kind: "payload_too_large", message: `Request body exceeds ${LIMIT_TEXT} bytes` };
    case 415:
      return { kind: "unsupported_media_type", message };
    default:
      // Other client errors raised by Node/body-parser (aborted request, bad length, ...).
      if (typeof status === "number" && status >= 400 && status < 500 && e.expose === true) {
        return { kind: "validation", message: message || "Invalid request" };
      }
      return { kind: "internal", message: "" };
  }
}

/** Request bodies are capped at 1 MiB, as every body operation's 413 states. */
export const BODY_LIMIT_BYTES = 1024 * 1024;
const LIMIT_TEXT = String(BODY_LIMIT_BYTES);
