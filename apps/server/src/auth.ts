/**
 * Authentication for the API routes, in two modes:
 * - permissive: any non-empty X-Auth-Token, or any well-formed SDK-HMAC-SHA256 Authorization with
 *   a fresh X-Sdk-Date; nothing is looked up.
 * - strict: tokens and AK/SK pairs from a credentials file, each limited to a list of projects;
 *   signatures are verified over the exact body bytes received.
 * Secrets never leave this module: results carry the AK at most.
 */
import { readFileSync } from "node:fs";
import {
  DEFAULT_MAX_SKEW_MS,
  parseAuthorization,
  parseSdkDate,
  type VerifyFailureReason,
  verifySignature,
} from "@cts-csms/signer";
import { projectIdProblem } from "./spec.js";

export type AuthMode = "permissive" | "strict";

/** The credentials file (strict mode). `"*"` in `projects` means every project. */
export interface CredentialsConfig {
  tokens?: { token: string; projects: string[] }[];
  aksk?: { ak: string; sk: string; projects: string[] }[];
}

export interface AuthRequest {
  method: string;
  /** Origin-form target as received (`req.originalUrl`). */
  url: string;
  headers: Record<string, string | string[] | undefined>;
  /** The exact body bytes received (empty when none). */
  body: Uint8Array;
}

export type AuthResult =
  | { ok: true; ak?: string }
  | { ok: false; kind: "unauthorized" | "forbidden"; message: string };

export type Authenticator = (req: AuthRequest, projectId: string) => Promise<AuthResult>;

const FAILED = "The user fails the authentication";

const REASONS: Record<VerifyFailureReason | "unknown_token", string> = {
  missing: `${FAILED}: no X-Auth-Token or SDK-HMAC-SHA256 Authorization header`,
  malformed: `${FAILED}: malformed SDK-HMAC-SHA256 Authorization header or X-Sdk-Date`,
  stale_date: `${FAILED}: X-Sdk-Date is more than 15 minutes away from the server clock`,
  unknown_ak: `${FAILED}: unknown access key`,
  bad_signature: `${FAILED}: the signature does not match the request`,
  unknown_token: `${FAILED}: invalid X-Auth-Token`,
};

function unauthorized(reason: keyof typeof REASONS): AuthResult {
  return { ok: false, kind: "unauthorized", message: REASONS[reason] };
}

function header(req: AuthRequest, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value.join(", ") : value;
}

/** Accepts any credential that is well-formed; the signature itself is not checked. */
export function permissiveAuthenticator(now: () => Date = () => new Date()): Authenticator {
  return async (req) => {
    const token = header(req, "x-auth-token");
    if (token !== undefined && token.trim() !== "") return { ok: true };
    const authorization = header(req, "authorization");
    if (authorization === undefined || authorization === "") return unauthorized("missing");
    const parsed = parseAuthorization(authorization);
    const sdkDate = header(req, "x-sdk-date");
    const date = sdkDate === undefined ? null : parseSdkDate(sdkDate);
    if (!parsed || !date) return unauthorized("malformed");
    if (Math.abs(now().getTime() - date.getTime()) > DEFAULT_MAX_SKEW_MS) {
      return unauthorized("stale_date");
    }
    return { ok: true, ak: parsed.access };
  };
}

type ProjectSet = ReadonlySet<string> | "*";

function projectSet(projects: string[]): ProjectSet {
  return projects.includes("*") ? "*" : new Set(projects);
}

function covers(set: ProjectSet, projectId: string): boolean {
  return set === "*" || set.has(projectId);
}

function forbidden(projectId: string): AuthResult {
  return {
    ok: false,
    kind: "forbidden",
    message: `No permission: the credentials may not act on project ${projectId}`,
  };
}

/**
 * Checks that a parsed credentials file has the documented shape, holds at least one credential,
 * and names only project ids an API path can address. Messages never hold secrets.
 */
export function parseCredentials(value: unknown, source = "credentials"): CredentialsConfig {
  const fail = (what: string): never => {
    throw new Error(`${source}: ${what}`);
  };
  const isObject = (v: unknown): v is Record<string, unknown> =>
    typeof v === "object" && v !== null && !Array.isArray(v);
  if (!isObject(value)) fail('expected an object like { "tokens": [...], "aksk": [...] }');
  const obj = value as Record<string, unknown>;
  for (const key of Object.keys(obj)) {
    if (key !== "tokens" && key !== "aksk") fail(`unknown key "${key}" (expected tokens, aksk)`);
  }
  const check = (list: unknown, key: "tokens" | "aksk", fields: string[]): number => {
    if (list === undefined) return 0;
    if (!Array.isArray(list)) fail(`${key} must be an array`);
    const allowed = [...fields, "projects"];
    for (const [i, entry] of (list as unknown[]).entries()) {
      if (!isObject(entry)) fail(`${key}[${i}] must be an object`);
      const e = entry as Record<string, unknown>;
      for (const k of Object.keys(e)) {
        if (!allowed.includes(k)) {
          fail(`${key}[${i}]: unknown key "${k}" (expected ${allowed.join(", ")})`);
        }
      }
      for (const f of fields) {
        if (typeof e[f] !== "string" || e[f] === "")
          fail(`${key}[${i}].${f} must be a non-empty string`);
      }
      const projects = e.projects;
      if (!Array.isArray(projects) || projects.length === 0) {
        fail(`${key}[${i}].projects must be a non-empty array of project ids or "*"`);
      }
      (projects as unknown[]).forEach((p, j) => {
        if (typeof p !== "string") fail(`${key}[${i}].projects[${j}] must be a string`);
        const problem = p === "*" ? undefined : projectIdProblem(p as string);
        if (problem) fail(`${key}[${i}].projects[${j}]: ${problem}`);
      });
    }
    return (list as unknown[]).length;
  };
  const count = check(obj.tokens, "tokens", ["token"]) + check(obj.aksk, "aksk", ["ak", "sk"]);
  if (count === 0) {
    fail(
      'no credentials: add at least one entry to "tokens" or "aksk" (strict auth would refuse every request)',
    );
  }
  return obj as CredentialsConfig;
}

/** Reads and checks a credentials file. */
export function loadCredentials(file: string): CredentialsConfig {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (err) {
    throw new Error(`credentials file ${file}: ${(err as Error).message}`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw new Error(`credentials file ${file}: not JSON (${(err as Error).message})`);
  }
  return parseCredentials(parsed, `credentials file ${file}`);
}

/** Verifies tokens and AK/SK signatures against `config`, then the project. */
export function strictAuthenticator(
  config: CredentialsConfig,
  now: () => Date = () => new Date(),
): Authenticator {
  const tokens = new Map<string, ProjectSet>();
  for (const t of config.tokens ?? []) tokens.set(t.token, projectSet(t.projects));
  const keys = new Map<string, { sk: string; projects: ProjectSet }>();
  for (const k of config.aksk ?? []) keys.set(k.ak, { sk: k.sk, projects: projectSet(k.projects) });

  return async (req, projectId) => {
    const token = header(req, "x-auth-token");
    if (token !== undefined && token !== "") {
      const projects = tokens.get(token);
      if (!projects) return unauthorized("unknown_token");
      return covers(projects, projectId) ? { ok: true } : forbidden(projectId);
    }
    const result = await verifySignature(
      { method: req.method, url: req.url, headers: req.headers, body: req.body },
      (ak) => keys.get(ak)?.sk,
      { now: now() },
    );
    if (!result.ok) return unauthorized(result.reason);
    const key = keys.get(result.ak);
    return key && covers(key.projects, projectId)
      ? { ok: true, ak: result.ak }
      : forbidden(projectId);
  };
}
