// A tiny real HTTP server on 127.0.0.1:0 for behaviour tests: it records every request and
// answers with whatever the test's handler returns (no mocked fetch).
import { createServer, type IncomingHttpHeaders } from "node:http";
import type { AddressInfo } from "node:net";

export interface Captured {
  method: string;
  /** Path and query exactly as received. */
  url: string;
  path: string;
  query: Record<string, string>;
  headers: IncomingHttpHeaders;
  body: Buffer;
  json: unknown;
  at: number;
}

export interface Reply {
  status?: number;
  body?: unknown;
  headers?: Record<string, string>;
  /** Wait before answering (for timeouts). */
  delayMs?: number;
}

export interface TestServer {
  url: string;
  requests: Captured[];
  close(): Promise<void>;
}

export async function startServer(
  handler: (req: Captured, index: number) => Reply | Promise<Reply> = () => ({
    status: 200,
    body: {},
  }),
): Promise<TestServer> {
  const requests: Captured[] = [];
  const server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks);
    const url = new URL(req.url ?? "/", "http://test");
    let json: unknown;
    try {
      json = body.length ? JSON.parse(body.toString("utf8")) : undefined;
    } catch {
      json = undefined;
    }
    const captured: Captured = {
      method: req.method ?? "",
      url: req.url ?? "",
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      headers: req.headers,
      body,
      json,
      at: Date.now(),
    };
    requests.push(captured);
    const reply = await handler(captured, requests.length - 1);
    if (reply.delayMs) await new Promise((r) => setTimeout(r, reply.delayMs));
    if (res.destroyed) return;
    const status = reply.status ?? 200;
    const headers: Record<string, string> = { ...reply.headers };
    let payload = "";
    if (reply.body !== undefined && status !== 204) {
      payload = typeof reply.body === "string" ? reply.body : JSON.stringify(reply.body);
      headers["content-type"] ??= "application/json";
    }
    res.writeHead(status, headers);
    res.end(payload);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A port nothing listens on: bind, note the port, close. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
