/**
 * Requests the server sends itself, in-process and without a socket: warm-up and the boot
 * self-check go through the same Express app as client requests, with a real
 * `IncomingMessage` and `ServerResponse` whose output is captured instead of written.
 *
 * Each one is marked with its purpose in a WeakMap keyed by the request object, so stages can
 * tell it apart (no authentication, no access log, no waiting for readiness). Nothing that arrives
 * over the network can carry the mark: it is not a header.
 */
import { IncomingMessage, ServerResponse } from "node:http";
import { Socket } from "node:net";
import type { Express } from "express";

export type SyntheticPurpose = "warm-up" | "self-check" | "response-check";

const purposes = new WeakMap<IncomingMessage, SyntheticPurpose>();
const bodies = new WeakMap<IncomingMessage, Buffer>();

/** Why the server sent this request itself; `undefined` for every client request. */
export function syntheticPurpose(req: IncomingMessage): SyntheticPurpose | undefined {
  return purposes.get(req);
}

/**
 * The body of a request the server sent itself, handed over in-process (there is no stream to
 * read); `undefined` for client requests and bodiless ones.
 */
export function syntheticBody(req: IncomingMessage): Buffer | undefined {
  return bodies.get(req);
}

export interface SyntheticRequest {
  method: string;
  /** Origin-form target: path and query, percent-encoded. */
  url: string;
  headers?: Record<string, string>;
  body?: string;
}

export interface SyntheticResponse {
  status: number;
  /** The body parsed as JSON (undefined when empty or not JSON). */
  body: unknown;
}

/** Sends one request through `app` and resolves with its response. */
export function inject(
  app: Express,
  request: SyntheticRequest,
  purpose: SyntheticPurpose,
): Promise<SyntheticResponse> {
  return new Promise((resolve, reject) => {
    const req = new IncomingMessage(new Socket());
    const body = request.body === undefined ? undefined : Buffer.from(request.body, "utf8");
    req.method = request.method;
    req.url = request.url;
    req.httpVersion = "1.1";
    req.httpVersionMajor = 1;
    req.httpVersionMinor = 1;
    req.headers = { host: "localhost", ...lowerCase(request.headers ?? {}) };
    if (body) {
      req.headers["content-length"] = String(body.length);
      bodies.set(req, body);
    }
    // Nothing left to read: the body (if any) is handed over above.
    req.complete = true;
    req.push(null);
    purposes.set(req, purpose);

    const res = new ServerResponse(req);
    const chunks: Buffer[] = [];
    const collect = (chunk: unknown, encoding?: unknown) => {
      if (typeof chunk === "string") {
        chunks.push(
          Buffer.from(chunk, typeof encoding === "string" ? (encoding as BufferEncoding) : "utf8"),
        );
      } else if (chunk instanceof Uint8Array) {
        chunks.push(Buffer.from(chunk));
      }
    };
    // Captured on the instance, so Express's prototype swap on `res` keeps them.
    res.write = ((chunk: unknown, encoding?: unknown) => {
      collect(chunk, encoding);
      return true;
    }) as ServerResponse["write"];
    res.end = ((chunk?: unknown, encoding?: unknown) => {
      if (typeof chunk !== "function") collect(chunk, encoding);
      let parsed: unknown;
      try {
        parsed = chunks.length > 0 ? JSON.parse(Buffer.concat(chunks).toString("utf8")) : undefined;
      } catch {
        parsed = undefined;
      }
      resolve({ status: res.statusCode, body: parsed });
      res.emit("finish");
      return res;
    }) as ServerResponse["end"];
    res.destroy = ((err?: Error) => {
      reject(err ?? new Error(`${request.method} ${request.url}: response destroyed`));
      return res;
    }) as ServerResponse["destroy"];
    app(req, res);
  });
}

function lowerCase(headers: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) out[name.toLowerCase()] = value;
  return out;
}
