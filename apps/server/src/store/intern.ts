/**
 * String sharing for stored resources. Bodies parsed from JSON carry their own copy of every
 * string, although most values repeat across resources (topic URNs, trace names, user groups,
 * enum values, targets). Replacing them with one shared instance roughly halves the heap a
 * stored resource costs, which keeps 100k+ resources within a small, flat memory budget.
 */
const MAX_SHARED = 50_000;
const MAX_LENGTH = 256;

export class StringPool {
  private readonly pool = new Map<string, string>();

  /** The shared instance of `s` (short strings only; the pool stops growing when full). */
  share(s: string): string {
    if (s.length > MAX_LENGTH) return s;
    const found = this.pool.get(s);
    if (found !== undefined) return found;
    if (this.pool.size < MAX_SHARED) this.pool.set(s, s);
    return s;
  }

  /**
   * Rewrites, in place, every string inside `value` to its shared instance, except the values of
   * `unique` keys (ids and names: sharing those would only grow the pool).
   */
  shareAll<T>(value: T, unique: ReadonlySet<string>): T {
    const stack: unknown[] = [value];
    while (stack.length > 0) {
      const current = stack.pop();
      if (typeof current !== "object" || current === null) continue;
      if (Array.isArray(current)) {
        for (let i = 0; i < current.length; i++) {
          const item = current[i];
          if (typeof item === "string") current[i] = this.share(item);
          else stack.push(item);
        }
        continue;
      }
      const obj = current as Record<string, unknown>;
      for (const key of Object.keys(obj)) {
        const item = obj[key];
        if (typeof item === "string") {
          if (!unique.has(key)) obj[key] = this.share(item);
        } else stack.push(item);
      }
    }
    return value;
  }
}
