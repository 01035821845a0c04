// The operation map is the spec's: a new operation in the spec appears after regeneration.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it, onTestFinished } from "vitest";

const require = createRequire(import.meta.url);
const script = new URL("../scripts/generate-operations.mjs", import.meta.url).pathname;

describe("generate-operations", () => {
  it("emits every operation of the spec, with a header, and picks up new ones", () => {
    const dir = mkdtempSync(join(tmpdir(), "cts-csms-ops-"));
    onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
    for (const api of ["cts", "csms"]) {
      const spec = JSON.parse(
        readFileSync(require.resolve(`@cts-csms/openapi/${api}.json`), "utf8"),
      );
      if (api === "csms") {
        spec.paths["/v1/{project_id}/csms/events/{event_name}/actions"] = {
          post: { operationId: "triggerSecretEvent", responses: { 204: { description: "ok" } } },
        };
      }
      writeFileSync(join(dir, `${api}.json`), JSON.stringify(spec));
    }
    execFileSync(process.execPath, [script, join(dir, "out"), dir]);
    const csms = readFileSync(join(dir, "out", "csms-operations.ts"), "utf8");
    expect(csms.startsWith("/**\n * GENERATED FILE: do not edit.")).toBe(true);
    expect(csms).toContain(
      'triggerSecretEvent: { method: "post", path: "/v1/{project_id}/csms/events/{event_name}/actions" },',
    );
    expect(csms).toContain('export const csmsServer = "https://kms.{region}.myhuaweicloud.com";');
    const cts = readFileSync(join(dir, "out", "cts-operations.ts"), "utf8");
    for (const id of [
      "createNotification",
      "updateNotification",
      "listNotifications",
      "deleteNotification",
    ]) {
      expect(cts).toContain(`  ${id}: {`);
    }
  });

  it("the generated file matches the bundled spec", () => {
    const generated = readFileSync(
      new URL("../src/generated/csms-operations.ts", import.meta.url),
      "utf8",
    );
    const spec = JSON.parse(readFileSync(require.resolve("@cts-csms/openapi/csms.json"), "utf8"));
    for (const [path, item] of Object.entries<Record<string, { operationId?: string }>>(
      spec.paths,
    )) {
      for (const [method, op] of Object.entries(item)) {
        if (op?.operationId) {
          expect(generated).toContain(
            `${op.operationId}: { method: "${method}", path: "${path}" }`,
          );
        }
      }
    }
  });
});
