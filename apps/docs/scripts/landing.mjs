// The landing page (dist/index.html): what the two APIs are, how to use the client and the
// reference server, and every operation, all taken from the bundled specs at build time.
// Links are relative so the site works at / (serve.mjs) and under /docs/ (the reference server).

const escapeHtml = (s) =>
  String(s)
    .replaceAll("&", "&amp;")
    .replaceAll("<", "&lt;")
    .replaceAll(">", "&gt;")
    .replaceAll('"', "&quot;")
    .replaceAll("'", "&#39;");

export const CLIENT_EXAMPLE = `import { createCsmsClient, createCtsClient, unwrap } from "@cts-csms/client";

// The reference server from \`npm start\`; use \`region: "cn-north-4"\` for the real service.
const options = {
  endpoint: "http://127.0.0.1:8080",
  projectId: "24edf66e79d04187acb99a463e610764", // fills {project_id} in every path
  auth: { token: process.env.IAM_TOKEN! }, // or { ak, sk }: requests are signed (SDK-HMAC-SHA256)
};
const cts = createCtsClient(options);
const csms = createCsmsClient(options);

const { data, error } = await cts.listNotifications({
  params: { path: { notification_type: "smn" } },
});

const { event } = unwrap(
  await csms.createSecretEvent({
    body: {
      name: "demo-event",
      event_types: ["SECRET_VERSION_CREATED"],
      state: "ENABLED",
      notification: { target_type: "SMN", target_id: "urn:smn:cn-north-4:p:topic", target_name: "topic" },
    },
  }),
); // throws CsmsApiError on 4xx/5xx`;

export const SERVER_EXAMPLE = `# from a checkout: build everything, then serve the API and these docs on port 8080
npm ci && npm start

# or in your own project, with the server's tarball installed (see the repository README)
npx cts-csms-server --port 8080`;

// The packages are not on the npm registry: they install from a clone, as \`npm pack\` tarballs.
export const INSTALL_EXAMPLE = `# in a clone of the repository: build, then pack the packages into packs/
npm ci && npm run tarballs

# in your project: the client with the two packages it imports
npm install ../cts-csms/packs/cts-csms-client-0.1.0.tgz \\
  ../cts-csms/packs/cts-csms-signer-0.1.0.tgz ../cts-csms/packs/cts-csms-types-0.1.0.tgz`;

// First sentence-ish summary line of an API; info.summary is short and meant for exactly this.
const apiSummary = (spec) => spec.info.summary ?? spec.info.title;

function operationsTable(api) {
  const rows = api.operations
    .map(
      (op) => `          <tr>
            <td><span class="method method-${op.method.toLowerCase()}">${op.method}</span></td>
            <td><code>${escapeHtml(op.path)}</code></td>
            <td><a href="${escapeHtml(op.href)}">${escapeHtml(op.summary)}</a>${
              op.deprecated ? ' <span class="deprecated">deprecated</span>' : ""
            }</td>
            <td><code class="opid">${escapeHtml(op.operationId)}</code></td>
          </tr>`,
    )
    .join("\n");
  return `      <section aria-labelledby="ops-${api.id}">
        <h3 id="ops-${api.id}">${escapeHtml(api.spec.info.title)}</h3>
        <div class="table-wrap">
        <table>
          <caption>${api.operations.length} ${api.label} operations (API version ${escapeHtml(
            api.spec.info.version,
          )})</caption>
          <thead>
            <tr><th scope="col">Method</th><th scope="col">Path</th><th scope="col">Summary</th><th scope="col">Operation ID</th></tr>
          </thead>
          <tbody>
${rows}
          </tbody>
        </table>
        </div>
      </section>`;
}

function apiCard(api) {
  return `        <li class="card">
          <h3><a href="${api.id}.html">${escapeHtml(api.spec.info.title)}</a></h3>
          <p>${escapeHtml(apiSummary(api.spec))}</p>
          <p class="meta">API version ${escapeHtml(api.spec.info.version)} · ${
            api.operations.length
          } operations · <a href="${api.id}.html">Open the ${api.label} reference<span aria-hidden="true"> →</span></a></p>
        </li>`;
}

const STYLE = `
      :root {
        color-scheme: light dark;
        --fg: #1b1f24;
        --muted: #57606a;
        --bg: #ffffff;
        --panel: #f6f8fa;
        --border: #d0d7de;
        --link: #0550ae;
        --focus: #0969da;
      }
      @media (prefers-color-scheme: dark) {
        :root {
          --fg: #e6edf3;
          --muted: #9da7b3;
          --bg: #0d1117;
          --panel: #161b22;
          --border: #30363d;
          --link: #6cb6ff;
          --focus: #6cb6ff;
        }
      }
      * { box-sizing: border-box; }
      body {
        margin: 0;
        font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial,
          "Noto Sans", sans-serif;
        line-height: 1.55;
        color: var(--fg);
        background: var(--bg);
      }
      code, pre {
        font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, "Liberation Mono", monospace;
        font-size: 0.9em;
      }
      pre code { font-size: inherit; }
      a { color: var(--link); }
      a:focus-visible { outline: 2px solid var(--focus); outline-offset: 2px; border-radius: 2px; }
      .skip { position: absolute; left: -10000px; }
      .skip:focus { left: 1rem; top: 1rem; background: var(--bg); padding: 0.5rem; }
      header, main, footer { max-width: 72rem; margin: 0 auto; padding: 0 1.5rem; }
      header { padding-top: 2.5rem; }
      header h1 { margin: 0 0 0.25rem; font-size: 2rem; }
      header p { margin: 0; color: var(--muted); max-width: 48rem; }
      h2 { margin-top: 2.5rem; font-size: 1.4rem; border-bottom: 1px solid var(--border); padding-bottom: 0.3rem; }
      h3 { font-size: 1.1rem; margin: 1.5rem 0 0.5rem; }
      .cards { list-style: none; padding: 0; display: grid; gap: 1rem; grid-template-columns: repeat(auto-fit, minmax(20rem, 1fr)); }
      .card { border: 1px solid var(--border); border-radius: 8px; padding: 1rem 1.25rem; background: var(--panel); }
      .card h3 { margin-top: 0; }
      .meta { color: var(--muted); font-size: 0.95rem; margin-bottom: 0; }
      pre { background: var(--panel); border: 1px solid var(--border); border-radius: 8px; padding: 1rem; overflow-x: auto; line-height: 1.45; }
      .table-wrap { overflow-x: auto; }
      table { border-collapse: collapse; width: 100%; font-size: 0.95rem; }
      caption { text-align: left; color: var(--muted); padding-bottom: 0.4rem; }
      th, td { text-align: left; padding: 0.45rem 0.6rem; border-bottom: 1px solid var(--border); vertical-align: top; }
      th { font-weight: 600; }
      .opid { color: var(--muted); }
      .method { display: inline-block; min-width: 4.2em; text-align: center; font-size: 0.75rem; font-weight: 700; letter-spacing: 0.03em; padding: 0.1rem 0.35rem; border-radius: 4px; color: #fff; }
      .method-get { background: #1a7f37; }
      .method-post { background: #0550ae; }
      .method-put, .method-patch { background: #8a4600; }
      .method-delete { background: #b42318; }
      .method-head, .method-options, .method-trace { background: #57606a; }
      .deprecated { color: var(--muted); font-style: italic; }
      footer { color: var(--muted); font-size: 0.9rem; padding-top: 2rem; padding-bottom: 2.5rem; }`;

function adminSection(api) {
  return `      <h2 id="admin">Reference server admin API</h2>
      <p>The reference server's own routes (<code>/_admin/*</code>): health and reset, for tests
        and operators. They take no credentials and are validated against their own spec like the
        Huawei APIs; <code>@cts-csms/client</code> has a typed <code>${api.clientFactory}</code>
        for them. <a href="${api.id}.html">Open the ${api.label} reference<span aria-hidden="true"> →</span></a></p>
${operationsTable(api)}`;
}

/**
 * The whole landing page. `all`: APIS entries with `spec` and `operations` added; the Huawei
 * APIs first, then the reference server's admin API under its own heading.
 */
export function renderLanding(all) {
  const apis = all.filter((api) => !api.server);
  const total = apis.reduce((n, api) => n + api.operations.length, 0);
  return `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1" />
    <meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'" />
    <meta name="referrer" content="no-referrer" />
    <meta name="description" content="Offline API reference for Huawei Cloud CTS v3 key event notifications and CSMS v1 secret events." />
    <title>cts-csms API reference</title>
    <link rel="icon" href="data:," />
    <style>${STYLE}
    </style>
  </head>
  <body>
    <a class="skip" href="#main">Skip to content</a>
    <header>
      <h1>cts-csms API reference</h1>
      <p>OpenAPI 3.1 reference for two Huawei Cloud APIs, with a typed TypeScript client and a
        stateful reference server for offline testing. Every page here works without network access.</p>
    </header>
    <main id="main">
      <h2 id="apis">The APIs</h2>
      <ul class="cards">
${apis.map(apiCard).join("\n")}
      </ul>

      <h2 id="client">Use the client</h2>
      <p><code>@cts-csms/client</code> is not on the npm registry. Build its tarball from a clone of
        the repository and install it with the two packages it imports:</p>
      <pre><code>${escapeHtml(INSTALL_EXAMPLE)}</code></pre>
      <p>Then create one client per API and call operations by their operationId (or by path);
        requests and responses are typed from the same specs.</p>
      <pre><code>${escapeHtml(CLIENT_EXAMPLE)}</code></pre>

      <h2 id="server">Run the reference server</h2>
      <p>The reference server validates requests and responses against the specs, keeps state in
        memory and answers with the services' own error envelopes. It also serves this site at
        <code>/docs/</code>.</p>
      <pre><code>${escapeHtml(SERVER_EXAMPLE)}</code></pre>

      <h2 id="operations">All ${total} operations</h2>
      <p>Each summary links to the operation in its reference page, where the description lists
        the rules the server enforces beyond the schema.</p>
${apis.map(operationsTable).join("\n")}

${all
  .filter((api) => api.server)
  .map(adminSection)
  .join("\n")}
    </main>
    <footer>
      <p>Generated from the bundled specs of <code>@cts-csms/openapi</code>
        (${all.map((a) => `${a.label} ${escapeHtml(a.spec.info.version)}`).join(", ")}).
        Reference pages rendered with Redoc.</p>
    </footer>
  </body>
</html>
`;
}
