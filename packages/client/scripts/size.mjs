// Prints the min+gzip size of the client's own code (dist/index.js bundled for browsers, with
// openapi-fetch external) with @cts-csms/signer included and external, and fails over budget.
// Usage: node scripts/size.mjs [--json]   (run after the build)
import { gzipSync } from "node:zlib";
import { build } from "esbuild";

const BUDGET = 8 * 1024; // bytes min+gzip beyond openapi-fetch, signer included
const RECEIVER_BUDGET = 3 * 1024; // bytes min+gzip of the separate receiver entry point
const entry = new URL("../dist/index.js", import.meta.url).pathname;
const receiverEntry = new URL("../dist/receiver.js", import.meta.url).pathname;

async function measure(external, entryPoint = entry) {
  const result = await build({
    entryPoints: [entryPoint],
    bundle: true,
    minify: true,
    format: "esm",
    platform: "browser",
    external,
    write: false,
    logLevel: "silent",
  });
  const code = result.outputFiles[0].contents;
  return { min: code.byteLength, gzip: gzipSync(code, { level: 9 }).byteLength };
}

const withSigner = await measure(["openapi-fetch"]);
const withoutSigner = await measure(["openapi-fetch", "@cts-csms/signer"]);
const receiver = await measure([], receiverEntry);
const kb = (n) => `${(n / 1024).toFixed(2)} kB`;

if (process.argv.includes("--json")) {
  console.log(
    JSON.stringify({
      budget: BUDGET,
      withSigner,
      withoutSigner,
      receiverBudget: RECEIVER_BUDGET,
      receiver,
    }),
  );
} else {
  console.log(`@cts-csms/client, min+gzip, openapi-fetch external (budget ${kb(BUDGET)}):`);
  console.log(`  signer included: ${kb(withSigner.gzip)} (${kb(withSigner.min)} min)`);
  console.log(`  signer external: ${kb(withoutSigner.gzip)} (${kb(withoutSigner.min)} min)`);
  console.log(
    `@cts-csms/client/receiver, min+gzip (budget ${kb(RECEIVER_BUDGET)}): ${kb(receiver.gzip)} (${kb(receiver.min)} min)`,
  );
}
if (withSigner.gzip > BUDGET) {
  console.error(`over budget: ${kb(withSigner.gzip)} > ${kb(BUDGET)}`);
  process.exit(1);
}
if (receiver.gzip > RECEIVER_BUDGET) {
  console.error(`receiver over budget: ${kb(receiver.gzip)} > ${kb(RECEIVER_BUDGET)}`);
  process.exit(1);
}
