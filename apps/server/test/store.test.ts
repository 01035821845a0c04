/** Unit tests of the in-memory repositories' ordering and paging (no HTTP). */
import { describe, expect, it } from "vitest";
import {
  MemoryNotificationRecordRepository,
  MemorySecretEventRepository,
} from "../src/store/memory.js";
import { SortedKeys } from "../src/store/sortedKeys.js";
import type { SecretEvent } from "../src/store/types.js";

function shuffled(n: number): string[] {
  const keys = Array.from({ length: n }, (_, i) => `k${i.toString(36).padStart(4, "0")}`);
  let seed = 42;
  for (let i = keys.length - 1; i > 0; i--) {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    const j = seed % (i + 1);
    [keys[i], keys[j]] = [keys[j] as string, keys[i] as string];
  }
  return keys;
}

describe("SortedKeys", () => {
  it("keeps 10,000 random inserts sorted across chunk splits, and deletes", () => {
    const keys = shuffled(10_000);
    const set = new SortedKeys();
    for (const k of keys) expect(set.insert(k)).toBe(true);
    expect(set.insert(keys[0] as string)).toBe(false);
    const sorted = [...keys].sort();
    expect(set.slice(undefined, 20_000)).toEqual({ keys: sorted, more: false });
    for (const k of keys.slice(0, 5000)) expect(set.delete(k)).toBe(true);
    expect(set.delete(keys[0] as string)).toBe(false);
    expect(set.size).toBe(5000);
    expect(set.slice(undefined, 20_000).keys).toEqual([...keys.slice(5000)].sort());
  });

  it("pages strictly after a marker, present or not", () => {
    const set = new SortedKeys();
    for (const k of ["b", "d", "f"]) set.insert(k);
    expect(set.slice("b", 1)).toEqual({ keys: ["d"], more: true });
    expect(set.slice("c", 5)).toEqual({ keys: ["d", "f"], more: false });
    expect(set.slice("a", 3)).toEqual({ keys: ["b", "d", "f"], more: false });
    expect(set.slice("f", 3)).toEqual({ keys: [], more: false });
    expect(set.slice("z", 3)).toEqual({ keys: [], more: false });
    expect(new SortedKeys().slice(undefined, 3)).toEqual({ keys: [], more: false });
  });
});

describe("MemorySecretEventRepository.page", () => {
  it("returns every event exactly once across pages, with next markers", () => {
    const repo = new MemorySecretEventRepository();
    const names = shuffled(2500);
    for (const name of names) repo.insert("p", { name } as SecretEvent);
    const seen: string[] = [];
    let marker: string | undefined;
    do {
      const page = repo.page("p", marker === undefined ? { limit: 333 } : { limit: 333, marker });
      seen.push(...page.items.map((e) => e.name));
      marker = page.nextMarker;
    } while (marker !== undefined);
    expect(seen).toEqual([...names].sort());
  });

  it("an exactly full last page has no next marker", () => {
    const repo = new MemorySecretEventRepository();
    for (const name of ["a", "b"]) repo.insert("p", { name } as SecretEvent);
    expect(repo.page("p", { limit: 2 }).nextMarker).toBeUndefined();
    expect(repo.page("p", { limit: 1 }).nextMarker).toBe("a");
  });
});

describe("MemoryNotificationRecordRepository", () => {
  it("orders by create_time then arrival, pages with opaque markers, rejects foreign ones", () => {
    const repo = new MemoryNotificationRecordRepository();
    const times = [3, 1, 2, 2, 5, 4, 1];
    for (const [i, t] of times.entries()) {
      repo.append("p", {
        event_name: `e${i}`,
        trigger_event_type: "SECRET_DELETED",
        create_time: t,
        notification_status: "SUCCESS",
      });
    }
    const first = repo.page("p", { limit: 4 });
    expect(first?.items.map((r) => r.event_name)).toEqual(["e1", "e6", "e2", "e3"]);
    const second = repo.page("p", { limit: 4, marker: first?.nextMarker as string });
    expect(second?.items.map((r) => r.event_name)).toEqual(["e0", "e5", "e4"]);
    expect(second?.nextMarker).toBeUndefined();
    expect(repo.page("p", { limit: 4, marker: "nope" })).toBeUndefined();
    expect(repo.page("other", { limit: 4 })).toEqual({ items: [] });
  });
});
