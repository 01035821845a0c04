// What the site is made of, shared by the build and the tests so both read the same specs the
// same way: the bundled specs (through the spec model, @cts-csms/spec, never the YAML sources),
// their operations, and the offline check every HTML file must pass.
import { bundledFile, api as model } from "@cts-csms/spec";

export const APIS = [
  {
    id: "cts",
    label: "CTS",
    clientFactory: "createCtsClient",
  },
  {
    id: "csms",
    label: "CSMS",
    clientFactory: "createCsmsClient",
  },
  // The reference server's own API: its own page and its own heading on the landing page.
  {
    id: "admin",
    label: "admin",
    clientFactory: "createAdminClient",
    server: true,
  },
];

/** Absolute path of an API's bundled spec. */
export function specPath(api) {
  return bundledFile(api.id);
}

/** The bundled document of an API. */
export function loadSpec(api) {
  return model(api.id).document;
}

/**
 * Redoc's operation anchor: its own route, `#/<tag-slug>/<operationid>` (lower case), which a
 * fresh load opens directly. Redoc 3 still accepts the classic `#tag/<Tag>/operation/<id>`, but
 * rewrites it to this route after its router has looked the classic one up, so a fresh load
 * showed "404 No page at this address" about half the time (a click from the landing page
 * worked). The browser test opens every one of these in a new page.
 */
export function operationAnchor(api, tag, operationId) {
  const slug = tag.toLowerCase().replace(/\s+/g, "-");
  return `${api.id}.html#/${encodeURIComponent(slug)}/${encodeURIComponent(operationId.toLowerCase())}`;
}

/**
 * The order a reader meets the operations: Redoc groups them by tag, in the order of the spec's
 * `tags` (tags it does not list after them, as met), and within a tag keeps the order of
 * `paths` and of the methods within a path item (its MenuBuilder: the tags' order, then
 * `collectedTagOrder`).
 */
export function readerOrder(apiModel) {
  const tags = (apiModel.document.tags ?? []).map((t) => t.name);
  for (const op of apiModel.operations) if (!tags.includes(op.tags[0])) tags.push(op.tags[0]);
  return tags.flatMap((tag) => apiModel.operations.filter((op) => op.tags[0] === tag));
}

/** Every operation of a spec, in Redoc's sidebar order (readerOrder). */
export function listOperations(api) {
  return readerOrder(model(api.id)).map((op) => {
    if (!op.summary) {
      throw new Error(`${api.id}: ${op.method} ${op.path} needs an operationId and summary`);
    }
    const tag = op.tags[0];
    if (!tag) throw new Error(`${api.id}: ${op.operationId} has no tag, so Redoc has no anchor`);
    return {
      method: op.method,
      path: op.path,
      operationId: op.operationId,
      summary: op.summary,
      tag,
      deprecated: op.deprecated,
      href: operationAnchor(api, tag, op.operationId),
    };
  });
}

// Hosts that Redoc (or its default template) is known to load from at run time. The attribute
// scan below cannot see URLs that the bundle assembles in JavaScript, so these are named.
const KNOWN_REMOTE_ASSETS = [
  "fonts.googleapis.com",
  "fonts.gstatic.com",
  "cdn.redoc.ly/",
  "cdn.redocly.com/redoc/",
];

/**
 * Remote URLs in places where a browser would fetch them: src/href/srcset/poster/data attributes
 * of loading elements, CSS `url(...)` and `@import`, plus the known Redoc asset hosts anywhere.
 * Plain links (`<a href>`) and URLs in text or examples are fine: they load nothing.
 */
export function findRemoteLoads(html) {
  const found = [];
  const remote = /^\s*(?:https?:)?\/\//i;
  const tagRe =
    /<(script|link|img|iframe|source|video|audio|embed|object|track|image|use)\b[^>]*>/gi;
  for (const [tag, name] of html.matchAll(tagRe)) {
    for (const [, attr, , value] of tag.matchAll(
      /\s(src|href|xlink:href|srcset|poster|data)\s*=\s*(["'])(.*?)\2/gi,
    )) {
      const urls = attr.toLowerCase() === "srcset" ? value.split(",") : [value];
      for (const url of urls) {
        if (remote.test(url)) found.push(`<${name} ${attr}="${url.trim()}">`);
      }
    }
  }
  for (const [m] of html.matchAll(/url\(\s*["']?\s*(?:https?:)?\/\/[^)"']*/gi)) found.push(m);
  for (const [m] of html.matchAll(/@import\s+(?:url\()?\s*["']?\s*(?:https?:)?\/\/[^;"')]*/gi)) {
    found.push(m);
  }
  for (const host of KNOWN_REMOTE_ASSETS) {
    if (html.includes(host)) found.push(host);
  }
  return found;
}
