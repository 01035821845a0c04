import { createCredentials, signRequest } from "@cts-csms/signer";
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
 * Auth as openapi-fetch middleware: `X-Auth-Token` for a token; for AK/SK, the signer's headers
 * (`X-Sdk-Date`, `Authorization`, and `X-Security-Token` / `X-Project-Id` when given) computed over
 * the exact body bytes. Secrets live only in this closure, so nothing that can be logged holds them.
 *
 * The clients call it once per attempt, so retries are re-signed; it also works on its own:
 * `createClient<paths>({ baseUrl }).use(createAuthMiddleware({ ak, sk }))`.
 */
export function createAuthMiddleware(
  auth: AuthOptions,
  options: {
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
        const headers = new Headers(request.headers);
        headers.set(tokenHeader, token);
        return new Request(request, { headers });
      },
    };
  }
  const credentials = createCredentials({
    ak: auth.ak,
    sk: auth.sk,
    securityToken: auth.securityToken || undefined,
    projectId: options.projectId,
  });
  return {
    async onRequest({ request }) {
      // A clone, so the request's own body stays unread and can still be sent.
      const body = request.body === null ? undefined : await request.clone().arrayBuffer();
      const added = await signRequest(
        { method: request.method, url: request.url, headers: request.headers, body },
        credentials,
      );
      const headers = new Headers(request.headers);
      for (const [name, value] of Object.entries(added)) headers.set(name, value);
      return new Request(request, { headers });
    },
  };
}
