// The bundled specs' value domains (issue 19): every integer is bounded, and every pattern means
// the same in ECMAScript, Python `re` and Rust `regex`, as the table in openapi/README.md states.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { describe, expect, it } from "vitest";
import { type ApiName, api } from "../src/index.js";

const NAMES: readonly ApiName[] = ["cts", "csms", "admin"];
const documents = NAMES.map((name) => ({ name, document: api(name).document as unknown }));

interface Found {
  where: string;
  node: Record<string, unknown>;
}

/** Every schema-like object of a document (examples left out: their values are data). */
function* objects(node: unknown, where: string): Generator<Found> {
  if (Array.isArray(node)) {
    for (const [i, item] of node.entries()) yield* objects(item, `${where}/${i}`);
    return;
  }
  if (node === null || typeof node !== "object") return;
  const record = node as Record<string, unknown>;
  yield { where, node: record };
  for (const [key, value] of Object.entries(record)) {
    if (key === "examples" || key === "example" || key === "const" || key === "default") continue;
    yield* objects(value, `${where}/${key}`);
  }
}

/** Every distinct pattern (and `patternProperties` key) of the bundled specs, with one place. */
function patterns(): Map<string, string> {
  const found = new Map<string, string>();
  for (const { name, document } of documents) {
    for (const { where, node } of objects(document, name)) {
      if (typeof node.pattern === "string" && !found.has(node.pattern)) {
        found.set(node.pattern, where);
      }
      const props = node.patternProperties;
      if (props && typeof props === "object") {
        for (const key of Object.keys(props)) if (!found.has(key)) found.set(key, where);
      }
    }
  }
  return found;
}

describe("integers", () => {
  it("every integer of the bundled specs has a minimum and a maximum", () => {
    const open: string[] = [];
    let integers = 0;
    for (const { name, document } of documents) {
      for (const { where, node } of objects(document, name)) {
        const type = node.type;
        const integer = type === "integer" || (Array.isArray(type) && type.includes("integer"));
        if (!integer) continue;
        integers++;
        if (typeof node.minimum !== "number" || typeof node.maximum !== "number") open.push(where);
        // A JavaScript number holds every integer up to 2^53 - 1 exactly, and no more.
        else if (node.maximum > Number.MAX_SAFE_INTEGER) open.push(`${where} (past 2^53 - 1)`);
      }
    }
    expect(integers).toBeGreaterThan(20);
    expect(open).toEqual([]);
  });
});

/**
 * Constructs whose meaning differs between ECMAScript (`u` mode, as Ajv compiles patterns),
 * Python `re` and Rust `regex`: the shorthand classes and word boundaries (Unicode-aware in one
 * engine, ASCII in another), `.` (which line terminators it skips differs), lookaround and
 * backreferences (Rust has neither) and Unicode property classes (different tables).
 */
function engineDependent(pattern: string): string[] {
  const problems: string[] = [];
  let inClass = false;
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === "\\") {
      const next = pattern[i + 1] ?? "";
      if ("sSdDwWbB".includes(next)) problems.push(`\\${next}`);
      if (/[1-9]/.test(next)) problems.push(`backreference \\${next}`);
      if (next === "p" || next === "P") problems.push(`\\${next}{…}`);
      i++;
      continue;
    }
    if (inClass) {
      if (c === "]") inClass = false;
      continue;
    }
    if (c === "[") {
      inClass = true;
      // A `]` right after `[` or `[^` is a literal in Python, an empty class in ECMAScript.
      const after = pattern.slice(i + 1, i + 3);
      if (after.startsWith("]") || after === "^]") problems.push("leading ] in a class");
    } else if (c === ".") problems.push("unescaped .");
    else if (pattern.startsWith("(?=", i) || pattern.startsWith("(?!", i))
      problems.push("lookahead");
    else if (pattern.startsWith("(?<=", i) || pattern.startsWith("(?<!", i)) {
      problems.push("lookbehind");
    }
  }
  return problems;
}

/** The code points on which engines disagree most often, by the name the README table uses. */
const TRICKY: Record<string, string> = {
  "U+000A": "\n",
  "U+000D": "\r",
  "U+001C": "\u001c",
  "U+0085": "\u0085",
  "U+00A0": "\u00a0",
  "U+0663": "\u0663",
  "U+2028": "\u2028",
  "U+FEFF": "\ufeff",
};

/**
 * The tricky code points a pattern lets into a string: those that, put in place of one character
 * of the sample or inserted anywhere in it, still give a match.
 */
function admitted(pattern: string, sample: string): string[] {
  const regex = new RegExp(pattern, "u");
  const chars = [...sample];
  return Object.entries(TRICKY)
    .filter(
      ([, c]) =>
        chars.some(
          (_, i) =>
            regex.test([...chars.slice(0, i), c, ...chars.slice(i + 1)].join("")) ||
            regex.test([...chars.slice(0, i), c, ...chars.slice(i)].join("")),
        ) || regex.test(sample + c),
    )
    .map(([name]) => name);
}

interface Row {
  pattern: string;
  sample: string;
  admits: string[];
}

/** The table of openapi/README.md's "Patterns" section: pattern, sample, what it admits. */
function readmeTable(): Row[] {
  const require = createRequire(import.meta.url);
  const readme = readFileSync(
    require.resolve("@cts-csms/openapi/package.json").replace(/package\.json$/, "README.md"),
    "utf8",
  );
  const section = readme.split("\n## Patterns\n")[1]?.split("\n## ")[0];
  if (!section) throw new Error("openapi/README.md has no ## Patterns section");
  const code = (cell: string) => {
    const m = /^`(.*)`$/.exec(cell.trim());
    if (!m) throw new Error(`not a code cell: ${cell}`);
    return (m[1] as string).replace(/\\\|/g, "|");
  };
  return section
    .split("\n")
    .filter((line) => line.startsWith("| `"))
    .map((line) => {
      const cells = line.slice(1, -1).split(/(?<!\\)\|/);
      if (cells.length !== 3) throw new Error(`expected 3 cells: ${line}`);
      const [pattern, sample, admits] = cells as [string, string, string];
      const listed = admits.trim();
      return {
        pattern: code(pattern),
        sample: JSON.parse(`"${code(sample)}"`) as string,
        admits: listed === "none" ? [] : listed.split(/,\s*/),
      };
    });
}

describe("patterns", () => {
  const found = patterns();

  it("use no construct whose meaning differs between ECMAScript, Python and Rust", () => {
    expect(found.size).toBeGreaterThan(20);
    const problems = [...found].flatMap(([pattern, where]) =>
      engineDependent(pattern).map((p) => `${where}: ${p} in ${pattern}`),
    );
    expect(problems).toEqual([]);
  });

  it("the checker finds each such construct", () => {
    for (const bad of [
      "^\\s$",
      "^[^\\s]$",
      "^\\d+$",
      "^\\w$",
      "^a.b$",
      "\\bx",
      "^(?=a)",
      "(a)\\1",
    ]) {
      expect(engineDependent(bad), bad).not.toEqual([]);
    }
    for (const good of ["^[a.]\\.$", "^[^\\x00-\\x20]$", "^CTS\\.[0-9]{4}$"]) {
      expect(engineDependent(good), good).toEqual([]);
    }
  });

  it("admit exactly the tricky code points openapi/README.md's table says", () => {
    const rows = readmeTable();
    const expected = [...found.keys()].sort();
    const listed = rows.map((r) => r.pattern).sort();
    // Missing or extra rows: the table is regenerated by hand from this message.
    expect(listed).toEqual(expected);
    for (const row of rows) {
      expect(new RegExp(row.pattern, "u").test(row.sample), `sample of ${row.pattern}`).toBe(true);
      expect(admitted(row.pattern, row.sample), row.pattern).toEqual(row.admits);
    }
  });
});
