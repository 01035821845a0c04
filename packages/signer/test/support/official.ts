/**
 * Thin adapters around the official `@huaweicloud/huaweicloud-sdk-core` signer, the oracle.
 */
import { AKSKSigner } from "@huaweicloud/huaweicloud-sdk-core/auth/AKSKSigner.js";
import { BasicCredentials } from "@huaweicloud/huaweicloud-sdk-core/auth/BasicCredentials.js";
import type { HcClient } from "@huaweicloud/huaweicloud-sdk-core/HcClient.js";
import {
  HttpRequestImpl,
  type IHttpRequest,
} from "@huaweicloud/huaweicloud-sdk-core/http/IHttpRequest.js";

export interface OfficialInput {
  method: string;
  /** scheme://host[:port] */
  origin: string;
  /** Raw (unencoded) path, as HcClient substitutes path params into it. */
  path: string;
  queryParams?: Record<string, string | string[]>;
  headers: Record<string, string>;
  /** Serialised with JSON.stringify by the official signer. */
  data?: unknown;
  /**
   * Raw body bytes. Only honoured by {@link signOfficialRawBody}, which replaces the official
   * signer's payload-hash step (JSON.stringify(data)) by its own Hex() over these bytes.
   */
  rawBody?: Uint8Array;
}

export interface OfficialCredentials {
  ak: string;
  sk: string;
  securityToken?: string | undefined;
  projectId?: string | undefined;
}

function basicCredentials(c: OfficialCredentials): BasicCredentials {
  const cred = new BasicCredentials().withAk(c.ak).withSk(c.sk);
  if (c.securityToken) cred.withSecurityToken(c.securityToken);
  if (c.projectId) cred.withProjectId(c.projectId);
  return cred;
}

function request(input: OfficialInput): IHttpRequest & { rawBody?: Uint8Array } {
  return {
    endpoint: input.origin + input.path,
    method: input.method,
    queryParams: input.queryParams ?? {},
    headers: { ...input.headers },
    data: input.data,
    ...(input.rawBody ? { rawBody: input.rawBody } : {}),
  };
}

function authorizationOf(headers: unknown): string {
  return (headers as Record<string, string>).Authorization as string;
}

/** `AKSKSigner.sign` exactly as shipped. */
export function signOfficial(input: OfficialInput, c: OfficialCredentials): string {
  return authorizationOf(AKSKSigner.sign(request(input), basicCredentials(c)));
}

/**
 * The official signer can only hash `JSON.stringify(data)`, so it cannot express an arbitrary
 * byte body. To compare everything else over such bodies, this subclass swaps only the payload
 * hash for the official `Hex()` of the raw bytes (keeping its `X-Sdk-Content-Sha256` override).
 */
class RawBodySigner extends AKSKSigner {
  protected static override buildPayloadHash(req: IHttpRequest & { rawBody?: Uint8Array }): string {
    const declared = req.headers?.["X-Sdk-Content-Sha256"];
    if (declared) return declared;
    if (req.rawBody && req.rawBody.length > 0) {
      return (AKSKSigner as unknown as { Hex: (d: Uint8Array) => string }).Hex(req.rawBody);
    }
    return "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
  }
}

export function signOfficialRawBody(input: OfficialInput, c: OfficialCredentials): string {
  return authorizationOf(RawBodySigner.sign(request(input), basicCredentials(c)));
}

/**
 * The full credential path HcClient uses: `BasicCredentials.processAuthRequest` adds
 * X-Security-Token / X-Project-Id, and X-Sdk-Content-Sha256: UNSIGNED-PAYLOAD for non-JSON
 * content types, then calls `AKSKSigner.sign`.
 */
export async function signOfficialViaCredentials(
  input: OfficialInput,
  c: OfficialCredentials,
): Promise<{ authorization: string; headers: Record<string, string> }> {
  const req = Object.assign(new HttpRequestImpl(), {
    endpoint: input.origin,
    url: input.path,
    method: input.method,
    queryParams: input.queryParams ?? {},
    headers: { ...input.headers },
    data: input.data,
  });
  const signed = await basicCredentials(c).processAuthRequest({} as HcClient, req);
  const headers = signed.headers as Record<string, string>;
  return { authorization: headers.Authorization as string, headers };
}

/** The official `isJsonContentType`: no content type, or exactly "application/json". */
export function officialTreatsAsJson(headers: Record<string, string>): boolean {
  const ct = headers["content-type"] ?? headers["Content-Type"];
  return !ct || ct.toLowerCase() === "application/json";
}

/** The canonical request the official signer builds for `input` (captured, not recomputed). */
export function officialCanonicalRequest(input: OfficialInput, c: OfficialCredentials): string {
  const signer = AKSKSigner as unknown as { buildCanonicalRequest: (...args: unknown[]) => string };
  const original = signer.buildCanonicalRequest;
  let captured = "";
  signer.buildCanonicalRequest = function (this: unknown, ...args: unknown[]) {
    captured = original.apply(this, args);
    return captured;
  };
  try {
    signOfficial(input, c);
  } finally {
    signer.buildCanonicalRequest = original;
  }
  return captured;
}
