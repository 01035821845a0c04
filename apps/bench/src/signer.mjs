// Signatures per second of our AK/SK signer vs the official @huaweicloud/huaweicloud-sdk-core
// signer, on the same requests, alternating rounds so machine noise hits both alike.
import { createRequire } from "node:module";
import { signRequest } from "@cts-csms/signer";

const require = createRequire(import.meta.url);
const { AKSKSigner } = require("@huaweicloud/huaweicloud-sdk-core/auth/AKSKSigner");

const credentials = { ak: "BENCHAKEXAMPLE000000", sk: "bench-secret-key-not-real" };
const date = new Date(Date.UTC(2026, 0, 2, 3, 4, 5));
const body = JSON.stringify({
  name: "demo-event",
  event_types: ["SECRET_VERSION_CREATED", "SECRET_VERSION_EXPIRED"],
  state: "ENABLED",
  notification: { target_type: "SMN", target_id: "urn:smn:cn-north-4:p:t", target_name: "n" },
});
const requests = [
  { method: "POST", path: "/v1/p1/csms/events", query: "", body },
  { method: "GET", path: "/v1/p1/csms/events", query: "limit=50&marker=demo-event", body: "" },
  { method: "PUT", path: "/v1/p1/csms/events/demo-event", query: "", body },
  { method: "DELETE", path: "/v3/p1/notifications", query: "notification_id=a,b", body: "" },
];
const host = "kms.cn-north-4.myhuaweicloud.com";

async function ours(r) {
  return signRequest(
    {
      method: r.method,
      url: `https://${host}${r.path}${r.query ? `?${r.query}` : ""}`,
      headers: { "Content-Type": "application/json" },
      body: r.body,
    },
    credentials,
    { date },
  );
}

function official(r) {
  const queryParams = Object.fromEntries(new URLSearchParams(r.query));
  const req = {
    method: r.method,
    endpoint: `https://${host}${r.path}`,
    queryParams,
    headers: { "Content-Type": "application/json", "X-Sdk-Date": "20260102T030405Z" },
    data: r.body ? JSON.parse(r.body) : "",
  };
  return AKSKSigner.sign(req, { getAk: () => credentials.ak, getSk: () => credentials.sk });
}

async function rate(fn, ms) {
  let n = 0;
  const end = performance.now() + ms;
  while (performance.now() < end) {
    for (let i = 0; i < 50; i++) await fn(requests[n++ % requests.length]);
  }
  return n / (ms / 1000);
}

/** Median of `rounds` alternating measurements of each signer. */
export async function benchSigner({ roundMs = 500, rounds = 5 } = {}) {
  await rate(ours, 100);
  await rate(official, 100);
  const a = [];
  const b = [];
  for (let i = 0; i < rounds; i++) {
    a.push(await rate(ours, roundMs));
    b.push(await rate(official, roundMs));
  }
  const median = (xs) => xs.sort((x, y) => x - y)[Math.floor(xs.length / 2)];
  return { ours: median(a), official: median(b) };
}
