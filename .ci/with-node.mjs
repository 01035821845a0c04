// Runs a command (npm test unless given) on a given Node.js major: `node .ci/with-node.mjs 24`.
// The runtime is the official build that the npm registry ships as a package
// (node-<platform>-<arch>), at the version pinned below, unpacked once under node_modules/.cache/node-runtimes/: nothing is
// installed system-wide. `current` runs on the Node that runs this script.
//
// The command sees that runtime first on PATH (npm, npx and turbo's tasks run on it) and
// CTS_CSMS_NODE set to its version, which turbo.json hashes into the `test` task, so a test run
// on another runtime never replays the cached results of this one.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { delimiter, dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/** The runtimes CI proves, newest first (the first is the primary). */
const RUNTIMES = { 24: "24.22.3", 22: "22.23.5", 20: "20.20.2" };

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const [wanted, ...rest] = process.argv.slice(2);
const command = rest.length > 0 ? rest : ["npm", "test"];

function fail(message) {
  console.error(`with-node: ${message}`);
  process.exit(2);
}

/** The directory holding the `node` binary of the runtime asked for. */
function binDir() {
  if (wanted === "current") return dirname(process.execPath);
  const version = RUNTIMES[wanted];
  if (!version) fail(`no pinned runtime for "${wanted}": pick one of ${Object.keys(RUNTIMES)}`);
  if (process.version === `v${version}`) return dirname(process.execPath);
  const pkg = `node-${process.platform === "win32" ? "win" : process.platform}-${process.arch}`;
  const prefix = join(root, "node_modules/.cache/node-runtimes", version);
  const bin = join(prefix, "node_modules", pkg, "bin");
  if (!existsSync(join(bin, process.platform === "win32" ? "node.exe" : "node"))) {
    console.log(`with-node: fetching ${pkg}@${version} from the npm registry into ${prefix}`);
    const install = spawnSync(
      "npm",
      [
        "install",
        "--prefix",
        prefix,
        "--no-save",
        "--no-package-lock",
        "--no-audit",
        "--no-fund",
      ].concat(["--loglevel=error", `${pkg}@${version}`]),
      { stdio: "inherit", shell: process.platform === "win32" },
    );
    if (install.status !== 0) fail(`npm install ${pkg}@${version} failed`);
  }
  return bin;
}

if (!wanted) fail("usage: node .ci/with-node.mjs <24|22|20|current> [command… (npm test)]");
const bin = binDir();
const env = { ...process.env, PATH: `${bin}${delimiter}${process.env.PATH ?? ""}` };
// npm and npx are .cmd scripts on Windows, which only a shell runs.
const shell = process.platform === "win32";
const version = spawnSync("node", ["--version"], { env, encoding: "utf8", shell });
if (version.status !== 0) fail(`node in ${bin} does not run: ${version.stderr}`);
env.CTS_CSMS_NODE = version.stdout.trim();
if (wanted !== "current") console.log(`node ${env.CTS_CSMS_NODE}: ${command.join(" ")}`);
const result = spawnSync(command[0], command.slice(1), { stdio: "inherit", env, shell });
process.exit(result.status ?? 1);
