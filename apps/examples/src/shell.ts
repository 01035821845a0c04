// How the READMEs' `sh` blocks are read: one command per line (a trailing `\` continues it), and
// the `# …` lines right under a command are its documented output.
import type { FencedBlock } from "./markdown.js";

/**
 * - `server`: starts the reference server (`npx cts-csms-server …`);
 * - `request`: talks to the running server (`curl …`, `node examples/…`);
 * - `prerequisite`: an npm command that installs, builds or tests the repository. `npm test` has
 *   done these before the snippet test runs (or they are `npm test` itself), so they are not run;
 * - `install`: `npm install` of the packed tarballs into the reader's project. test/pack.test.ts
 *   performs that install; the sh test checks that each lists the tarballs its package needs;
 * - `environment`: `export NAME=…`, a placeholder for the reader's own credentials.
 */
export type CommandKind = "server" | "request" | "prerequisite" | "install" | "environment";

export interface ShellCommand {
  kind: CommandKind;
  text: string;
  /** Where it is, for messages: `README.md:23`. */
  where: string;
  /** The documented output: the `# ` lines right under the command, without the `# `. */
  expected: string[];
}

const KINDS: [RegExp, CommandKind][] = [
  [/^npx cts-csms-server(\s|$)/, "server"],
  [/^(curl\s|node examples\/)/, "request"],
  [/^([A-Z_]+=\S*\s+)*npm (ci|start|test|run \S+)(\s|$)/, "prerequisite"],
  [/^npm install\s/, "install"],
  [/^export [A-Z_]+=/, "environment"],
];

export function parseShellBlock(block: FencedBlock): ShellCommand[] {
  const commands: ShellCommand[] = [];
  const lines = block.code.split("\n");
  let last: ShellCommand | undefined;
  for (let i = 0; i < lines.length; i++) {
    const where = `${block.file}:${block.line + 1 + i}`;
    let text = lines[i]!.trim();
    if (text === "") {
      last = undefined;
      continue;
    }
    if (text.startsWith("#")) {
      // Output right under a command; any other comment is a remark for the reader.
      last?.expected.push(text.replace(/^# ?/, ""));
      continue;
    }
    while (text.endsWith("\\") && i + 1 < lines.length)
      text = `${text.slice(0, -1)} ${lines[++i]!.trim()}`;
    const kind = KINDS.find(([pattern]) => pattern.test(text))?.[1];
    if (!kind) {
      throw new Error(
        `${where}: \`${text}\` is neither a server start, a request, an npm build/test/install step nor an export; teach apps/examples/src/shell.ts how to check it`,
      );
    }
    last = { kind, text, where, expected: [] };
    commands.push(last);
  }
  return commands;
}

/** The port the READMEs use. Tests start servers on a free port and rewrite this one. */
export const DOCUMENTED_PORT = "8080";

/** A documented server command, made to listen on a free port (`PORT=0` covers no `--port`). */
export function onFreePort(command: string): string {
  return command.replace(new RegExp(`--port ${DOCUMENTED_PORT}(?!\\d)`), "--port 0");
}

/** A documented command or output, pointed at the server that is actually running. */
export function atPort(text: string, port: string): string {
  return text.replace(
    new RegExp(`(127\\.0\\.0\\.1|localhost):${DOCUMENTED_PORT}(?!\\d)`, "g"),
    (_, host: string) => `${host}:${port}`,
  );
}

/** Documented output against actual output: JSON by value, anything else line by line. */
export function sameOutput(expected: string, actual: string): boolean {
  const a = actual.trimEnd();
  const e = expected.trimEnd();
  try {
    return JSON.stringify(JSON.parse(a)) === JSON.stringify(JSON.parse(e));
  } catch {
    return a === e;
  }
}
