import { createSigningMiddleware } from "@cts-csms/signer";
import { ctsTokenHeader } from "./generated/cts-operations.js";

/** IAM token auth: sent as `X-Auth-Token`. */
export interface TokenAuth {
  token: string;
}

/** AK/SK auth: every request (and every retry) is signed with SDK-HMAC-SHA256. */
export interface AkSkAuth {
  ak: string;
  sk: string;
  /** Session token of temporary credentials, sent and signed as `X-Security-Token`. */
  securityToken?: string | undefined;
}

export type AuthOptions = TokenAuth | AkSkAuth;

/** An openapi-fetch middleware that authenticates each request it sees. */
export interface AuthMiddleware {
  onRequest(params: { request: Request }): Promise<Request>;
}

/**
 * Auth as openapi-fetch middleware: `X-Auth-Token` for a token; for AK/SK, the signer's own
 * middleware (`createSigningMiddleware` of `@cts-csms/signer`: `X-Sdk-Date`, `Authorization`, and
 * `X-Security-Token` / `X-Project-Id` when given, over the exact body bytes). Secrets live only
 * in closures, so nothing that can be logged holds them.
 *
 * The clients call it once per attempt, so retries are re-signed; it also works on its own:
 * `createClient<paths>({ baseUrl }).use(createAuthMiddleware({ ak, sk }, { projectId }))`.
 */
export function createAuthMiddleware(
  auth: AuthOptions,
  options: {
    /** Sent and signed as `X-Project-Id` (AK/SK). The clients set it per call instead. */
    projectId?: string | undefined;
    /** The spec's token header; both APIs name the same one, so CTS's is the default. */
    tokenHeader?: string;
  } = {},
): AuthMiddleware {
  if ("token" in auth) {
    const { token } = auth;
    const tokenHeader = options.tokenHeader ?? ctsTokenHeader;
    return {
      async onRequest({ request }) {
        request.headers.set(tokenHeader, token);
        return request;
      },
    };
  }
  return createSigningMiddleware({
    ak: auth.ak,
    sk: auth.sk,
    securityToken: auth.securityToken || undefined,
    projectId: options.projectId,
  });
}
