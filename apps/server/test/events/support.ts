/** Test support for the event engine: a real HTTP receiver on 127.0.0.1 and schema validators. */
import { createServer, type IncomingHttpHeaders, type ServerResponse } from "node:http";
import { createRequire } from "node:module";
import type { AddressInfo } from "node:net";
import { Ajv2020 } from "ajv/dist/2020.js";
import addFormats from "ajv-formats";
import { afterAll } from "vitest";

export interface Received {
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
  json: any;
}

export type Behaviour = (req: Received, res: ServerResponse) => void;

export interface Receiver {
  url: string;
  received: Received[];
  /** How the receiver answers, per path (default: 200). */
  on(path: string, behaviour: Behaviour): void;
  close(): Promise<void>;
}

/** A receiver for this test file, closed afterwards (hanging requests are cut). */
export async function startReceiver(): Promise<Receiver> {
  const received: Received[] = [];
  const behaviours = new Map<string, Behaviour>();
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const body = Buffer.concat(chunks).toString("utf8");
      let json: unknown;
      try {
        json = JSON.parse(body);
      } catch {
        json = undefined;
      }
      const entry = { path: req.url ?? "", headers: req.headers, body, json };
      received.push(entry);
      const behaviour = behaviours.get(entry.path);
      if (behaviour) behaviour(entry, res);
      else res.writeHead(200).end("ok");
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  const receiver: Receiver = {
    url: `http://127.0.0.1:${port}`,
    received,
    on: (path, behaviour) => behaviours.set(path, behaviour),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  afterAll(() => receiver.close());
  return receiver;
}

const require = createRequire(import.meta.url);
const cts = require("@cts-csms/openapi/cts.json");

/** Validates against a schema of the bundled CTS spec (the webhooks' bodies among them). */
export function ctsSchema(name: string) {
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  addFormats.default(ajv);
  ajv.addSchema(cts, "cts");
  const validate = ajv.getSchema(`cts#/components/schemas/${name}`);
  if (!validate) throw new Error(`no schema ${name}`);
  return validate;
}

const csmsSpec = require("@cts-csms/openapi/csms.json");

/** The body schema of one of a spec's webhooks (the CTS spec's unless told). */
export function webhookSchema(name: string, api: "cts" | "csms" = "cts") {
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  addFormats.default(ajv);
  ajv.addSchema(api === "cts" ? cts : csmsSpec, api);
  const validate = ajv.getSchema(
    `${api}#/webhooks/${name}/post/requestBody/content/application~1json/schema`,
  );
  if (!validate) throw new Error(`no webhook ${name}`);
  return validate;
}

/** Polls `check` (a few ms apart) until it holds; fails after `ms`. For queues in the background. */
export async function eventually(
  check: () => boolean | Promise<boolean>,
  ms = 10_000,
): Promise<void> {
  const until = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > until) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 5));
  }
}
