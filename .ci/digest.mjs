// Prints what failed in one runtime's `npm test` log, in at most LIMIT lines: `node .ci/digest.mjs
// <log>`. `.ci/run` prints it after all runtimes have run, so that the end of the CI output (the part
// a reader sees first, sometimes the only part kept) names the failing tests and their errors, not
// only the last runtime's passing lines.
//
// It keeps vitest's "Failed Tests" and "Unhandled Errors" sections of every workspace, turbo's
// "Failed:" lines and the compiler's and linter's error lines, at most PER_TASK lines a workspace.
import { readFileSync } from "node:fs";

const LIMIT = 70;
const WIDTH = 220;
const PER_TASK = 30;

// biome-ignore lint/suspicious/noControlCharactersInRegex: ANSI colour codes are what it removes
const ansi = /\u001b\[[0-9;]*[A-Za-z]/g;
const turboPrefix = /^(@[\w-]+\/[\w-]+):(\w+): ?/;

const lines = readFileSync(process.argv[2], "utf8").replace(ansi, "").split("\n");
const out = [];
/** Workspace task → still inside one of vitest's failure sections. */
const inSection = new Map();
/** Lines kept per workspace task, so that one long failure leaves room for the others. */
const perTask = new Map();

for (const raw of lines) {
  const m = turboPrefix.exec(raw);
  const task = m ? `${m[1]}#${m[2]}` : "";
  const text = m ? raw.slice(m[0].length) : raw;
  if (/⎯{2,}\s*(Failed (Tests?|Suites?)|Unhandled (Errors?|Rejections?))/.test(text))
    inSection.set(task, true);
  else if (/^\s*Test Files\s/.test(text)) inSection.set(task, false);
  const keep =
    inSection.get(task) ||
    /^\s*(Failed:|ERROR\s+run failed)|error TS\d+|^\s*FAIL\s|×\s/.test(text) ||
    /^\s*✖|Found \d+ errors?/.test(text);
  if (!keep || text.trim() === "" || /^\s*(\d+\s*)?\||^⎯+(\[\d+\/\d+\]⎯)?$/.test(text)) continue;
  const count = (perTask.get(task) ?? 0) + 1;
  perTask.set(task, count);
  if (task && count > PER_TASK) continue;
  const line = `${task ? `${task}: ` : ""}${text.trim()}`;
  if (out.at(-1) !== line) out.push(line.length > WIDTH ? `${line.slice(0, WIDTH)}…` : line);
}

if (out.length === 0) console.log("  (no failing test or error line found in the log)");
for (const line of out.slice(0, LIMIT)) console.log(`  ${line}`);
if (out.length > LIMIT) console.log(`  … ${out.length - LIMIT} more lines`);
