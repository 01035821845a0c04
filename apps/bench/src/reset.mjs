// The testing kit's per-file reset: what `testProject().reset()` costs a test file on the run's
// one server. A project with a file's worth of resources (secret events, notifications and the
// traces their creates record), then `POST /_admin/reset?project_id=…`, median of `runs`.
import { request } from "node:http";
import { targets } from "./processes.mjs";
import { eventBody, notificationBody } from "./seed.mjs";

function call(url, method, path, body) {
  return new Promise((resolve, reject) => {
    const data = body === undefined ? undefined : JSON.stringify(body);
    const req = request(
      `${url}${path}`,
      {
        method,
        headers: {
          "X-Auth-Token": "bench-token",
          ...(data !== undefined && { "Content-Type": "application/json" }),
        },
      },
      (res) => {
        res.resume();
        res.on("end", () => resolve(res.statusCode));
      },
    );
    req.on("error", reject);
    req.end(data);
  });
}

export async function benchReset({ runs = 50, resources = 20 } = {}) {
  const server = await targets.server("reset", []);
  const times = [];
  let failed = 0;
  try {
    for (let run = 0; run < runs; run++) {
      const project = `resetproject${String(run).padStart(4, "0")}`;
      for (let i = 0; i < resources; i++) {
        const a = await call(server.url, "POST", `/v1/${project}/csms/events`, eventBody(i));
        const b = await call(server.url, "POST", `/v3/${project}/notifications`, {
          ...notificationBody(i),
          topic_id: `urn:smn:cn-north-4:${project}:topic`,
        });
        if (a !== 201 && a !== 200) failed++;
        if (b !== 201 && b !== 200) failed++;
      }
      const t0 = performance.now();
      const status = await call(server.url, "POST", `/_admin/reset?project_id=${project}`);
      times.push(performance.now() - t0);
      if (status < 200 || status > 299) failed++;
    }
  } finally {
    await server.stop();
  }
  const sorted = [...times].sort((a, b) => a - b);
  return { ms: sorted[Math.floor(sorted.length / 2)], resources, failed };
}
