// @ts-check
// Calls the reference server started with this folder's credentials and seed, once with an IAM
// token and once with an AK/SK pair (requests signed with SDK-HMAC-SHA256):
//
//   npx cts-csms-server --auth strict --credentials examples/credentials.json \
//     --seed examples/seed.json --deterministic
//   node examples/client.mjs [endpoint]          # default http://127.0.0.1:8080
//
// Plain JavaScript so that Node runs it as it is; `// @ts-check` type-checks it against the
// client's types in an editor (and in the examples test).
import { createCsmsClient, createCtsClient, unwrap } from "@cts-csms/client";

const endpoint = process.argv[2] ?? "http://127.0.0.1:8080";
// The two projects of credentials.json and seed.json.
const projectA = "24edf66e79d04187acb99a463e610764";
const projectB = "dc3b7c85759141a991da17423c0f2068";

// Token: credentials.json lets "example-token" act on project A only.
const cts = createCtsClient({ endpoint, projectId: projectA, auth: { token: "example-token" } });
const { notifications } = unwrap(
  await cts.listNotifications({ params: { path: { notification_type: "smn" } } }),
);
for (const n of notifications) {
  console.log(`token, CTS notification: ${n.notification_name} (${n.status})`);
}

// AK/SK: the first pair of credentials.json may act on projects A and B.
const csms = createCsmsClient({
  endpoint,
  projectId: projectB,
  auth: { ak: "EXAMPLEAK0000000000001", sk: "example-sk-not-a-real-secret" },
});
const { event } = unwrap(
  await csms.createSecretEvent({
    body: {
      name: "deletion-alerts",
      event_types: ["SECRET_DELETED"],
      state: "ENABLED",
      notification: {
        target_type: "SMN",
        target_id: `urn:smn:cn-north-4:${projectB}:secrets`,
        target_name: "secrets",
      },
    },
  }),
);
const { events } = unwrap(await csms.listSecretEvents());
console.log(`AK/SK, CSMS events: ${events.map((e) => e.name).join(", ")}`);
// Delete it again, so that the script can run twice against the same server.
unwrap(await csms.deleteSecretEvent({ params: { path: { event_name: event?.name ?? "" } } }));
console.log(`AK/SK, deleted CSMS event: ${event?.name}`);

// The token on project B: valid credentials, but not for this project. Without unwrap() the
// error is a value: the service's own envelope and status (or, for a 429, the API gateway's flat
// one, which the error type includes).
const other = createCsmsClient({ endpoint, projectId: projectB, auth: { token: "example-token" } });
const denied = await other.listSecretEvents();
const deniedCode =
  denied.error && "error" in denied.error
    ? denied.error.error.error_code
    : denied.error?.error_code;
console.log(`token, other project: ${denied.response.status} ${deniedCode}`);
