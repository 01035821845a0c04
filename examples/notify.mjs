// @ts-check
// The job the reference server exists for, end to end: a key event notification and a secret
// event each reach a local HTTP endpoint as a signed SMN message, which is verified here.
//
//   npx cts-csms-server --port 8080
//   node examples/notify.mjs [endpoint]          # default http://127.0.0.1:8080
import { createServer } from "node:http";
import { createAdminClient, createCsmsClient, createCtsClient, unwrap } from "@cts-csms/client";
import { parseSmnNotification, verifySmnSignature } from "@cts-csms/client/receiver";

const endpoint = process.argv[2] ?? "http://127.0.0.1:8080";
const projectId = "p1";
const topic = `urn:smn:cn-north-4:${projectId}:ops`;
const auth = { token: "any-token" }; // the default --auth permissive takes any token

// 0. A local endpoint that receives what the topic's subscription gets.
/** @type {unknown[]} */
const received = [];
const receiver = createServer((req, res) => {
  let body = "";
  req.on("data", (chunk) => {
    body += chunk;
  });
  req.on("end", () => {
    received.push(JSON.parse(body));
    res.end();
  });
});
await new Promise((resolve) => receiver.listen(0, "127.0.0.1", () => resolve(undefined)));
const address = receiver.address();
const receiverUrl = `http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}/smn`;

const admin = createAdminClient({ endpoint });
const cts = createCtsClient({ endpoint, projectId, auth });
const csms = createCsmsClient({ endpoint, projectId, auth });

/** Delivers what is queued, then verifies each message received against its signing cert. */
async function receiveVerified() {
  unwrap(await admin.flushDeliveries());
  const messages = received.splice(0).map(parseSmnNotification);
  for (const message of messages) {
    const certificate = await (await fetch(message.signing_cert_url)).text();
    const valid = await verifySmnSignature(message, certificate);
    console.log(`received "${message.subject}", signature ${valid ? "valid" : "INVALID"}`);
  }
}

try {
  // 1. The sink (what sits behind the topic) and a key event notification on that topic.
  unwrap(
    await admin.replaceSinks({ body: { [topic]: [{ protocol: "http", endpoint: receiverUrl }] } }),
  );
  unwrap(
    await cts.createNotification({
      body: {
        notification_name: "server_deletes",
        operation_type: "customized",
        topic_id: topic,
        operations: [{ service_type: "ECS", resource_type: "ecs", trace_names: ["deleteServer"] }],
      },
    }),
  );
  // 2. The trace a deleted ECS server would cause, injected.
  unwrap(
    await admin.injectTrace({
      params: { path: { project_id: projectId } },
      body: { service_type: "ECS", resource_type: "ecs", trace_name: "deleteServer" },
    }),
  );
  // 3. The signed SMN message on the local endpoint.
  await receiveVerified();

  // 4. A secret event moved by the clock: a version that expires in an hour, then two hours pass.
  unwrap(
    await csms.createSecretEvent({
      body: {
        name: "expiry-alerts",
        event_types: ["SECRET_VERSION_EXPIRED"],
        state: "ENABLED",
        notification: { target_type: "SMN", target_id: topic, target_name: "ops" },
      },
    }),
  );
  unwrap(
    await csms.createSecret({
      body: {
        name: "db-password",
        secret_string: "s3cret",
        event_subscriptions: ["expiry-alerts"],
      },
    }),
  );
  const { now } = unwrap(await admin.getClock());
  unwrap(
    await csms.createSecretVersion({
      params: { path: { secret_name: "db-password" } },
      body: { secret_string: "n3w-s3cret", expire_time: now + 3_600_000 },
    }),
  );
  unwrap(await admin.setClock({ body: { advance: "PT2H" } }));
  await receiveVerified();
} finally {
  receiver.close();
}
