import type { Credentials } from "./core.js";

const REDACTED = "[REDACTED]";
const inspectCustom = Symbol.for("nodejs.util.inspect.custom");

/**
 * Returns a frozen copy of `credentials` that is safe to log: `sk` (and `securityToken`) are
 * non-enumerable, and `JSON.stringify` / `util.inspect` / `String()` show `[REDACTED]`.
 * It can be passed anywhere a {@link Credentials} is expected. Object spread drops `sk`.
 *
 * @example
 * const creds = createCredentials({ ak: process.env.AK!, sk: process.env.SK! });
 * JSON.stringify(creds); // {"ak":"…","sk":"[REDACTED]"}
 */
export function createCredentials(credentials: Credentials): Readonly<Credentials> {
  const { ak, sk, securityToken, projectId } = credentials;
  const visible = (): Record<string, string> => {
    const shown: Record<string, string> = { ak, sk: REDACTED };
    if (securityToken !== undefined) shown.securityToken = REDACTED;
    if (projectId !== undefined) shown.projectId = projectId;
    return shown;
  };
  const out = { ak } as Credentials;
  if (projectId !== undefined) out.projectId = projectId;
  const hidden = { enumerable: false, writable: false, configurable: false } as const;
  Object.defineProperty(out, "sk", { ...hidden, value: sk });
  if (securityToken !== undefined) {
    Object.defineProperty(out, "securityToken", { ...hidden, value: securityToken });
  }
  Object.defineProperty(out, "toJSON", { ...hidden, value: visible });
  Object.defineProperty(out, "toString", {
    ...hidden,
    value: () => `Credentials ${JSON.stringify(visible())}`,
  });
  Object.defineProperty(out, inspectCustom, {
    ...hidden,
    value: () => `Credentials ${JSON.stringify(visible())}`,
  });
  return Object.freeze(out);
}
