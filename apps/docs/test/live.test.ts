// The live page (GET /_admin/live) in the real Chromium of the docs tests: a reference server
// started here with a local receiver as its sink, the page opened on a project, a notification
// created and a trace injected over HTTP; the trace, its explanation and its delivery appear on
// the page. Screenshots at 480 and 1280 px wide (test-results/live-*.png), with no horizontal
// overflow; no request leaves the server's origin; no secret value shows.
import { randomUUID } from "node:crypto";
import { mkdirSync } from "node:fs";
import { createServer as createHttpServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { createAdminClient, createCsmsClient, createCtsClient } from "@cts-csms/client";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, expect, it } from "vitest";
import { type LaunchedBrowser, launchBrowser, recordProblems } from "./chromium.js";

const resultsDir = fileURLToPath(new URL("../test-results/", import.meta.url));
const P = "24edf66e79d04187acb99a463e610764";
const TOPIC = `urn:smn:cn-north-4:${P}:live`;
const MARKER = `LIVEPAGEMARKER${randomUUID().replaceAll("-", "")}`;

let receiver: Server;
let server: { url: string; close(): Promise<void> } | undefined;
let browser: LaunchedBrowser | undefined;
let page: Page;
const requests: string[] = [];
const problems: string[] = [];

beforeAll(async () => {
  mkdirSync(resultsDir, { recursive: true });
  receiver = createHttpServer((_req, res) => {
    _req.resume();
    _req.on("end", () => res.end());
  });
  await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve));
  const receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
  const { createServer } = await import("@cts-csms/server");
  server = await createServer({
    port: 0,
    logger: false,
    seed: { sinks: { [TOPIC]: [{ protocol: "http", endpoint: `${receiverUrl}/smn` }] } },
  });
  browser = await launchBrowser({ viewport: { width: 1280, height: 800 } });
  browser.context.on("request", (req) => {
    requests.push(req.url());
  });
  page = browser.context.pages()[0] ?? (await browser.context.newPage());
  recordProblems(page, problems);
});

// Runs when a test or beforeAll fails too.
afterAll(async () => {
  try {
    await browser?.close();
  } finally {
    await server?.close();
    await new Promise((resolve) => receiver?.close(resolve));
  }
});

it("shows an injected trace, its explanation and its delivery as they happen", async () => {
  const url = (server as { url: string }).url;
  await page.goto(`${url}/_admin/live?project_id=${P}`);
  await page.getByText(`live: ${P}`).waitFor();

  const admin = createAdminClient({ endpoint: url, retry: false, throwOnError: true });
  const clientOptions = { endpoint: url, projectId: P, auth: { token: "t" } };
  const cts = createCtsClient({ ...clientOptions, retry: false, throwOnError: true });
  const csms = createCsmsClient({ ...clientOptions, retry: false, throwOnError: true });
  for (const [name, trace_names] of [
    ["page_matching", ["deleteServer"]],
    ["page_not_listed", ["createServer"]],
  ] as const) {
    await cts.createNotification({
      body: {
        notification_name: name,
        operation_type: "customized",
        operations: [{ service_type: "ECS", resource_type: "ecs", trace_names: [...trace_names] }],
        topic_id: TOPIC,
      } as never,
    });
  }
  await csms.createSecret({ body: { name: "db-password", secret_string: MARKER } });
  const injected = await admin.injectTrace({
    params: { path: { project_id: P } },
    body: { service_type: "ECS", resource_type: "ecs", trace_name: "deleteServer" },
  });
  const traceId = injected.data?.trace_id as string;
  await admin.flushDeliveries();

  const trace = page.locator(`[data-trace-id="${traceId}"]`);
  await trace.waitFor();
  // Its explanation: one notification matched, one not with its reason code.
  await expect
    .poll(() => trace.locator(".explanation").allTextContents())
    .toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^matched\s+page_matching/),
        expect.stringMatching(/^trace_name_not_listed\s+page_not_listed/),
      ]),
    );
  // Its delivery, delivered by the receiver, under the trace and in the deliveries list.
  await trace.locator(".delivery").getByText("delivered").waitFor();
  await expect.poll(() => trace.locator(".delivery").textContent()).toContain("receiver 200");
  await page.locator("#deliveries .delivery").getByText("delivered").first().waitFor();
  await page.locator("#requests").getByText("createSecret").first().waitFor();

  for (const width of [480, 1280]) {
    await page.setViewportSize({ width, height: 900 });
    const overflow = await page.evaluate(
      () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
    );
    expect(overflow, `horizontal overflow at ${width} px`).toBeLessThanOrEqual(0);
    await page.screenshot({ path: join(resultsDir, `live-${width}.png`), fullPage: true });
  }
  // At 480 px the sections stack: the deliveries come below the traces, not beside them.
  await page.setViewportSize({ width: 480, height: 900 });
  const traces = await page.locator("#traces-box").boundingBox();
  const deliveries = await page.locator("#deliveries").boundingBox();
  expect(deliveries?.y).toBeGreaterThan((traces?.y ?? 0) + (traces?.height ?? 0) - 1);

  expect(await page.content()).not.toContain(MARKER);
  expect(problems).toEqual([]);
  const origin = new URL(url).origin;
  expect(requests.filter((r) => new URL(r).origin !== origin)).toEqual([]);
});
