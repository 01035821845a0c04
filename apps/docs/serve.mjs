// Serves the built site (dist/) on 127.0.0.1 with nothing but node:http, for `npm run docs`.
// Usage: node apps/docs/serve.mjs [--port 8081]   (or PORT=8081; 0 picks a free port)
import { createReadStream, existsSync } from "node:fs";
import { stat } from "node:fs/promises";
import { createServer } from "node:http";
import { extname, join, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";

const DEFAULT_ROOT = fileURLToPath(new URL("./dist/", import.meta.url));

const CONTENT_TYPES = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".ico": "image/x-icon",
  ".txt": "text/plain; charset=utf-8",
};

/**
 * Maps a request path to a file under root, or null if it is malformed or escapes root.
 * Decoding happens before the check, so `%2e%2e%2f` and `..%5c` are caught like `../`.
 */
export function resolveInRoot(root, urlPath) {
  let decoded;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return null;
  }
  if (decoded.includes("\0") || decoded.includes("\\")) return null;
  const base = resolve(root);
  const file = resolve(base, `.${decoded.startsWith("/") ? "" : "/"}${decoded}`);
  if (file !== base && !file.startsWith(base + sep)) return null;
  return file;
}

function send(res, status, text) {
  res.writeHead(status, { "content-type": "text/plain; charset=utf-8" });
  res.end(`${text}\n`);
}

async function handle(root, base, req, res) {
  if (req.method !== "GET" && req.method !== "HEAD") {
    res.setHeader("allow", "GET, HEAD");
    return send(res, 405, "Method Not Allowed");
  }
  const url = new URL(req.url ?? "/", "http://localhost");
  if (`${url.pathname}/` === base) {
    res.writeHead(301, { location: base });
    return res.end();
  }
  if (!url.pathname.startsWith(base)) return send(res, 404, "Not Found");
  const pathname = url.pathname.slice(base.length - 1);
  let file = resolveInRoot(root, pathname);
  if (!file) return send(res, 400, "Bad Request");
  let info = await stat(file).catch(() => null);
  if (info?.isDirectory()) {
    // Relative links on the landing page need the trailing slash on directory URLs.
    if (!pathname.endsWith("/")) {
      res.writeHead(301, { location: `${url.pathname}/` });
      return res.end();
    }
    file = join(file, "index.html");
    info = await stat(file).catch(() => null);
  }
  if (!info?.isFile()) return send(res, 404, "Not Found");
  res.writeHead(200, {
    "content-type": CONTENT_TYPES[extname(file).toLowerCase()] ?? "application/octet-stream",
    "content-length": info.size,
    "x-content-type-options": "nosniff",
    "cache-control": "no-cache",
  });
  if (req.method === "HEAD") return res.end();
  createReadStream(file).pipe(res);
}

/**
 * Starts the static server; resolves once it listens. `base` mounts the site under a prefix
 * (e.g. "/docs/", like the reference server does); the returned url points at the site.
 */
export function startStaticServer({
  root = DEFAULT_ROOT,
  port = 8081,
  host = "127.0.0.1",
  base = "/",
} = {}) {
  if (!base.startsWith("/") || !base.endsWith("/"))
    throw new Error("base must start and end with /");
  const server = createServer((req, res) => {
    handle(root, base, req, res).catch(() => {
      if (!res.headersSent) send(res, 500, "Internal Server Error");
      else res.destroy();
    });
  });
  return new Promise((resolvePromise, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      const { port: actual } = server.address();
      resolvePromise({
        url: `http://${host}:${actual}${base}`,
        port: actual,
        close: () => new Promise((done) => server.close(() => done())),
      });
    });
  });
}

function portFromArgs(argv, env) {
  const i = argv.indexOf("--port");
  const flag = i >= 0 ? argv[i + 1] : argv.find((a) => a.startsWith("--port="))?.slice(7);
  const raw = flag ?? env.PORT ?? "8081";
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new Error(`invalid port: ${raw}`);
  }
  return port;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  if (!existsSync(join(DEFAULT_ROOT, "index.html"))) {
    console.warn("apps/docs/dist is empty: run `npm run build` in apps/docs (or `npm run docs`).");
  }
  // `npm run docs` runs this through `sh -c "turbo … && node serve.mjs"`: npm signals that shell,
  // which may die without passing the signal on, or stay waiting on this process once npm is
  // gone (npm killed). Stop when the parent or the npm process above it is gone, as the reference
  // server does (only under npm: a `nohup … &` is meant to outlive its shell). All of it before
  // the URL line: whoever reads it may signal or kill npm straight away, and the npm process is
  // found while it is still there.
  const { stopWithNpm } = await import("@cts-csms/server/stop-with-npm");
  const { url, close } = await startStaticServer({
    port: portFromArgs(process.argv.slice(2), process.env),
  });
  const stop = () => close().then(() => process.exit(0));
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
  stopWithNpm(stop);
  console.log(`cts-csms docs: ${url}`);
}
