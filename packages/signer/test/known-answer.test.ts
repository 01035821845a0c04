/**
 * Known-answer vector. The canonical request is written out by hand from the algorithm; the
 * hashes and signature were computed independently (Python hashlib/hmac) and are pinned here.
 */
import { describe, expect, it } from "vitest";
import * as web from "../src/index.js";
import * as node from "../src/node.js";
import { signOfficial } from "./support/official.js";

const BODY = '{"name":"db pass","secret_string":"ü"}';
const BODY_SHA256 = "da0f8ab5725bbdba4f084cf3316baf8f83775fc2d93e186c0653c8e8f4171760";
const request = {
  method: "post",
  url: "https://CSMS.cn-north-4.myhuaweicloud.com/v1/0123456789abcdef/secrets?name=db%20pass&limit=10&limit=2",
  headers: { "Content-Type": "application/json;charset=UTF-8", Accept: "application/json" },
  body: BODY,
};
const credentials = { ak: "AKEXAMPLE0123456789A", sk: "SKEXAMPLE", projectId: "0123456789abcdef" };
const date = new Date("2024-01-02T03:04:05.999Z");

// Method upper-cased; path ends in "/"; query sorted by key then value, space as %20; headers
// lower-cased and sorted, accept not signed, host lower-cased; body hash last.
const CANONICAL_REQUEST = [
  "POST",
  "/v1/0123456789abcdef/secrets/",
  "limit=10&limit=2&name=db%20pass",
  "content-type:application/json;charset=UTF-8",
  "host:csms.cn-north-4.myhuaweicloud.com",
  "x-project-id:0123456789abcdef",
  "x-sdk-date:20240102T030405Z",
  "",
  "content-type;host;x-project-id;x-sdk-date",
  BODY_SHA256,
].join("\n");
const CANONICAL_REQUEST_SHA256 = "dbf71445d7b345c078ce0a39ad1e9d38627f265d36bb32bd278ffe5c65a30301";
const STRING_TO_SIGN = `SDK-HMAC-SHA256\n20240102T030405Z\n${CANONICAL_REQUEST_SHA256}`;
const SIGNATURE = "4b8a24c967a7cdc0ddd7f3139ce8c8ebc02d9c62c63bd719a61727c2b0a134f2";
const AUTHORIZATION = `SDK-HMAC-SHA256 Access=AKEXAMPLE0123456789A, SignedHeaders=content-type;host;x-project-id;x-sdk-date, Signature=${SIGNATURE}`;

describe.each([
  ["web", web],
  ["node", node],
])("known-answer vector (%s)", (_name, impl) => {
  it("formats the date and hashes the body", async () => {
    expect(impl.formatSdkDate(date)).toBe("20240102T030405Z");
    expect(await impl.hashPayload(BODY)).toBe(BODY_SHA256);
    expect(await impl.hashPayload(new TextEncoder().encode(BODY))).toBe(BODY_SHA256);
    expect(STRING_TO_SIGN.split("\n")).toHaveLength(3);
  });

  it("builds the hand-written canonical request", async () => {
    const canonical = await impl.canonicalRequest(
      {
        ...request,
        headers: {
          ...request.headers,
          "X-Project-Id": "0123456789abcdef",
          "X-Sdk-Date": "20240102T030405Z",
        },
      },
      ["content-type", "host", "x-project-id", "x-sdk-date"],
    );
    expect(canonical).toBe(CANONICAL_REQUEST);
    expect(await impl.hashPayload(canonical)).toBe(CANONICAL_REQUEST_SHA256);
  });

  it("produces the pinned Authorization header, which the official signer agrees with", async () => {
    const added = await impl.signRequest(request, credentials, { date });
    expect(added).toEqual({
      "X-Sdk-Date": "20240102T030405Z",
      "X-Project-Id": "0123456789abcdef",
      Authorization: AUTHORIZATION,
    });
    const official = signOfficial(
      {
        method: "POST",
        origin: "https://csms.cn-north-4.myhuaweicloud.com",
        path: "/v1/0123456789abcdef/secrets",
        queryParams: { name: "db pass", limit: ["10", "2"] },
        headers: {
          "content-type": "application/json;charset=UTF-8",
          "X-Project-Id": "0123456789abcdef",
          "X-Sdk-Date": "20240102T030405Z",
        },
        data: JSON.parse(BODY),
      },
      credentials,
    );
    expect(official).toBe(AUTHORIZATION);
  });

  it("verifies", async () => {
    const result = await impl.verifySignature(
      {
        method: "POST",
        url: "/v1/0123456789abcdef/secrets?name=db%20pass&limit=10&limit=2",
        headers: {
          host: "csms.cn-north-4.myhuaweicloud.com",
          "content-type": "application/json;charset=UTF-8",
          "x-project-id": "0123456789abcdef",
          "x-sdk-date": "20240102T030405Z",
          authorization: AUTHORIZATION,
        },
        body: new TextEncoder().encode(BODY),
      },
      (ak) => (ak === credentials.ak ? credentials.sk : undefined),
      { now: date },
    );
    expect(result).toEqual({ ok: true, ak: "AKEXAMPLE0123456789A" });
  });
});
