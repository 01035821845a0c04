/**
 * Request bodies: the raw bytes are read first (signatures cover them exactly), then, once the
 * caller is authenticated, checked for media type and parsed as JSON here.
 */
import { ApiError } from "./errors.js";

/** Keys that could reach an object's prototype chain if any code ever merged them. */
const FORBIDDEN_KEYS = new Set(["__proto__", "constructor", "prototype"]);

const utf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false });

/** Whether `header` names one of `mediaTypes` (case-insensitive, any parameters, UTF-8 only). */
export function acceptsMediaType(header: string | undefined, mediaTypes: readonly string[]) {
  if (!header) return false;
  const [type, ...params] = header.split(";");
  if (!mediaTypes.includes((type as string).trim().toLowerCase())) return false;
  for (const param of params) {
    const [name, value] = param.split("=");
    if (name?.trim().toLowerCase() === "charset") {
      const charset = value?.trim().replace(/^"|"$/g, "").toLowerCase();
      if (charset !== "utf-8" && charset !== "utf8") return false;
    }
  }
  return true;
}

/** The first forbidden key anywhere in `value`, as a `request/body/...` path. Iterative: no stack limit. */
function findForbiddenKey(value: unknown): string | undefined {
  const stack: [unknown, string][] = [[value, "request/body"]];
  while (stack.length > 0) {
    const [current, path] = stack.pop() as [unknown, string];
    if (typeof current !== "object" || current === null) continue;
    if (Array.isArray(current)) {
      current.forEach((item, i) => {
        stack.push([item, `${path}/${i}`]);
      });
      continue;
    }
    for (const key of Object.keys(current)) {
      if (FORBIDDEN_KEYS.has(key)) return `${path}/${key}`;
      stack.push([(current as Record<string, unknown>)[key], `${path}/${key}`]);
    }
  }
  return undefined;
}

/** Parses a JSON body; malformed → `malformed_json`, forbidden keys → `validation`. */
export function parseJsonBody(raw: Uint8Array): unknown {
  let value: unknown;
  try {
    if (raw.length === 0) throw new SyntaxError("the body is empty");
    value = JSON.parse(utf8.decode(raw));
  } catch (err) {
    const detail =
      err instanceof TypeError ? "the body is not valid UTF-8" : (err as Error).message;
    throw new ApiError("malformed_json", `Malformed JSON body: ${detail}`);
  }
  const forbidden = findForbiddenKey(value);
  if (forbidden !== undefined) {
    throw new ApiError("validation", `${forbidden} is not allowed (reserved property name)`);
  }
  return value;
}
