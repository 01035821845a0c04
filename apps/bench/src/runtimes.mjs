// The Node.js runtimes CI proves, as `node` binaries: each the official build at the version
// .ci/with-node.mjs pins (fetched by it from the npm registry on first use, then cached).
import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";

const withNode = fileURLToPath(new URL("../../../.ci/with-node.mjs", import.meta.url));

/** The `node` binary of a pinned major (e.g. "24"), its path and version. */
export function runtime(major) {
  const out = execFileSync(
    process.execPath,
    [withNode, major, "node", "-p", "process.execPath + ' ' + process.version"],
    { encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] },
  );
  const [execPath, version] = out.trim().split("\n").at(-1).split(" ");
  return { execPath, version };
}
