// The breaking-change gate: the bundled specs against `openapi/baseline/` (the specs of the last
// release). A breaking change passes only when a pending changeset declares the bump it needs for
// the spec package; `npm run release` then versions it and moves the baseline.
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { breakingChanges } from "../src/breaking.js";
import { API_NAMES, api, bundledFile } from "../src/bundled.js";
import type { OpenApiDocument } from "../src/document.js";
import { createApiModel } from "../src/model.js";
import { breakingBump, pendingBump, suffices } from "./changesets.js";

const root = new URL("../../../", import.meta.url).pathname;
const SPEC_PACKAGE = "@cts-csms/openapi";
const specManifest = JSON.parse(readFileSync(join(root, "openapi/package.json"), "utf8"));

describe("breaking-change gate", () => {
  it("the spec package is the one that ships the bundles", () => {
    expect(specManifest.name).toBe(SPEC_PACKAGE);
    expect(bundledFile("cts").startsWith(join(root, "openapi/"))).toBe(true);
  });

  for (const name of API_NAMES) {
    it(`${name}: no undeclared breaking change since the last release`, () => {
      const baseline = JSON.parse(
        readFileSync(join(root, "openapi/baseline", `${name}.json`), "utf8"),
      ) as OpenApiDocument;
      const changes = breakingChanges(createApiModel(name, baseline), api(name));
      const needed = breakingBump(specManifest.version);
      const declared = pendingBump(join(root, ".changeset"), SPEC_PACKAGE);
      if (changes.length > 0 && !suffices(declared, needed)) {
        throw new Error(
          [
            `${changes.length} breaking change(s) in the ${name} spec since the last release (openapi/baseline/${name}.json):`,
            ...changes.map((c) => `  [${c.rule}] ${c.message}`),
            `If intended, declare it: \`npx changeset\`, pick ${SPEC_PACKAGE}, bump ${needed} or more` +
              ` (pending: ${declared ?? "none"}). Otherwise keep the spec compatible.`,
          ].join("\n"),
        );
      }
      expect(changes.every((c) => c.message.startsWith(`${name}: `))).toBe(true);
    });
  }
});

describe("pending changesets", () => {
  const dir = join(tmpdir(), `cts-csms-changesets-${process.pid}`);
  const write = (file: string, text: string) => {
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, file), text);
  };

  it("a breaking spec change needs minor while 0.x and major from 1.0", () => {
    expect(breakingBump("0.1.0")).toBe("minor");
    expect(breakingBump("1.4.2")).toBe("major");
    expect(suffices("minor", "minor")).toBe(true);
    expect(suffices("major", "minor")).toBe(true);
    expect(suffices("patch", "minor")).toBe(false);
    expect(suffices(undefined, "minor")).toBe(false);
    expect(suffices("minor", "major")).toBe(false);
  });

  it("reads the largest bump declared for the package, ignoring others and the README", () => {
    try {
      expect(pendingBump(dir, SPEC_PACKAGE)).toBeUndefined();
      write("README.md", '---\n"@cts-csms/openapi": major\n---\n');
      write("a.md", '---\n"@cts-csms/openapi": patch\n"@cts-csms/client": major\n---\n\nfix\n');
      expect(pendingBump(dir, SPEC_PACKAGE)).toBe("patch");
      write("b.md", "---\n'@cts-csms/openapi': minor\n---\n\nnarrow an enum\n");
      expect(pendingBump(dir, SPEC_PACKAGE)).toBe("minor");
      expect(pendingBump(dir, "@cts-csms/client")).toBe("major");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
