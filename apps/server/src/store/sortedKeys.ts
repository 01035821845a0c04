/**
 * A sorted set of strings in chunks of bounded size: binary search over chunk ends, then within a
 * chunk. Insert/delete move at most one chunk's elements (not the whole list), and a page is
 * O(log n + limit), so 100,000 keys stay fast and lean (one pointer per key plus ~n/512 arrays).
 *
 * Order is `<` on strings (UTF-16 code units). The keys stored here (event names) are ASCII by
 * the spec's pattern, where that equals code-point order.
 */
const MAX_CHUNK = 1024;

/** `<` on strings as a sort comparator: the SQL stores' `COLLATE "C"` for the ASCII keys here. */
export const byCodeUnits = (x: string, y: string): number => (x < y ? -1 : x > y ? 1 : 0);

/** First index in `arr` whose element is >= key (or > key when `strict`). */
function bound(arr: readonly string[], key: string, strict: boolean): number {
  let lo = 0;
  let hi = arr.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const v = arr[mid] as string;
    if (v < key || (strict && v === key)) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

export class SortedKeys {
  private chunks: string[][] = [];
  private count = 0;

  get size(): number {
    return this.count;
  }

  /** Index of the first chunk whose last key is >= key (> key when `strict`). */
  private chunkFor(key: string, strict: boolean): number {
    let lo = 0;
    let hi = this.chunks.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const chunk = this.chunks[mid] as string[];
      const last = chunk[chunk.length - 1] as string;
      if (last < key || (strict && last === key)) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** `false` when the key is already present. */
  insert(key: string): boolean {
    if (this.chunks.length === 0) {
      this.chunks.push([key]);
      this.count = 1;
      return true;
    }
    let ci = this.chunkFor(key, false);
    // Past every chunk's end: append to the last chunk.
    if (ci === this.chunks.length) ci--;
    const chunk = this.chunks[ci] as string[];
    const i = bound(chunk, key, false);
    if (chunk[i] === key) return false;
    chunk.splice(i, 0, key);
    if (chunk.length > MAX_CHUNK) this.chunks.splice(ci + 1, 0, chunk.splice(MAX_CHUNK >>> 1));
    this.count++;
    return true;
  }

  /** `false` when the key is absent. */
  delete(key: string): boolean {
    const ci = this.chunkFor(key, false);
    const chunk = this.chunks[ci];
    if (!chunk) return false;
    const i = bound(chunk, key, false);
    if (chunk[i] !== key) return false;
    chunk.splice(i, 1);
    if (chunk.length === 0) this.chunks.splice(ci, 1);
    this.count--;
    return true;
  }

  /** Up to `limit` keys strictly after `after` (from the first when absent), and whether more follow. */
  slice(after: string | undefined, limit: number): { keys: string[]; more: boolean } {
    let ci = 0;
    let i = 0;
    if (after !== undefined) {
      ci = this.chunkFor(after, true);
      const chunk = this.chunks[ci];
      if (!chunk) return { keys: [], more: false };
      i = bound(chunk, after, true);
    }
    const keys: string[] = [];
    while (ci < this.chunks.length) {
      const chunk = this.chunks[ci] as string[];
      while (i < chunk.length) {
        if (keys.length === limit) return { keys, more: true };
        keys.push(chunk[i] as string);
        i++;
      }
      ci++;
      i = 0;
    }
    return { keys, more: false };
  }

  clear(): void {
    this.chunks = [];
    this.count = 0;
  }
}
