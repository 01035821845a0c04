// Scale: resident memory with 100k notifications + 100k events stored, and whether show/list
// latency stays flat from 1k to 100k stored events (O(1) lookups, O(limit) pages).
import { load } from "./load.mjs";
import { rssBytes, targets } from "./processes.mjs";
import { writeSeed } from "./seed.mjs";

export async function benchScale({ large, small, duration, connections }) {
  const out = { large, small };
  const smallServer = await targets.validated(writeSeed({ events: small }));
  try {
    out.showSmall = await load(smallServer.url, "showSecretEvent", {
      connections,
      duration,
      events: small,
    });
    out.listSmall = await load(smallServer.url, "listSecretEvents", {
      connections,
      duration,
      events: small,
    });
  } finally {
    await smallServer.stop();
  }
  const t0 = performance.now();
  const bigServer = await targets.validated(writeSeed({ events: large, notifications: large }));
  out.seedSeconds = (performance.now() - t0) / 1000;
  try {
    globalThis.gc?.();
    out.rss = rssBytes(bigServer.pid);
    out.showLarge = await load(bigServer.url, "showSecretEvent", {
      connections,
      duration,
      events: large,
    });
    out.listLarge = await load(bigServer.url, "listSecretEvents", {
      connections,
      duration,
      events: large,
    });
    out.rssAfterLoad = rssBytes(bigServer.pid);
  } finally {
    await bigServer.stop();
  }
  return out;
}
