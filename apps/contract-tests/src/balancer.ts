// A load balancer for tests: a local HTTP proxy on 127.0.0.1 that sends each request to a
// replica chosen at random, reproducibly from a seed, as a load balancer without session
// affinity may. Requests and answers pass as they are, except the headers of one hop.
import { createHash } from "node:crypto";
import { Agent, createServer, request } from "node:http";

export interface Balancer {
  url: string;
  /** How many requests each replica was sent, in the order of the replicas' URLs. */
  sent: number[];
  /** The replica each request went to (its index), in the order they came. */
  chosen: number[];
  stop(): Promise<void>;
}

/** Headers of one connection, which a proxy does not pass on. */
const HOP_BY_HOP = new Set([
  "connection",
  "keep-alive",
  "proxy-connection",
  "transfer-encoding",
  "upgrade",
  "te",
  "trailer",
]);

/** The replica of the `n`-th request: from a hash of the seed and `n`, the same on every run. */
function pick(seed: number, n: number, replicas: number): number {
  const digest = createHash("sha256").update(`${seed}:${n}`).digest();
  return digest.readUInt32BE(0) % replicas;
}

function withoutHopHeaders(raw: string[]): [string, string][] {
  const kept: [string, string][] = [];
  for (let i = 0; i + 1 < raw.length; i += 2) {
    if (!HOP_BY_HOP.has(raw[i]!.toLowerCase())) kept.push([raw[i]!, raw[i + 1]!]);
  }
  return kept;
}

export async function startBalancer(replicas: string[], seed: number): Promise<Balancer> {
  const targets = replicas.map((u) => new URL(u));
  const agent = new Agent({ keepAlive: true });
  const sent = replicas.map(() => 0);
  const chosen: number[] = [];
  const server = createServer((req, res) => {
    const i = pick(seed, chosen.length, targets.length);
    sent[i]!++;
    chosen.push(i);
    const target = targets[i]!;
    const upstream = request(
      {
        host: target.hostname,
        port: target.port,
        method: req.method,
        path: req.url,
        headers: Object.fromEntries(withoutHopHeaders(req.rawHeaders)),
        agent,
      },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, withoutHopHeaders(answer.rawHeaders).flat());
        answer.pipe(res);
      },
    );
    upstream.on("error", (err) => {
      if (res.headersSent) res.destroy(err);
      else res.writeHead(502, { "content-type": "text/plain" }).end(`balancer: ${err.message}`);
    });
    req.pipe(upstream);
  });
  await new Promise<void>((ok) => server.listen(0, "127.0.0.1", ok));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    sent,
    chosen,
    stop: () =>
      new Promise<void>((done) => {
        server.close(() => done());
        server.closeAllConnections();
        agent.destroy();
      }),
  };
}
