/**
 * The admin state (sinks, fault rules, the clock offset) in memory. The SQL store keeps the same
 * in its own tables (sql/admin.ts); both follow the rules written here.
 */
import type { SinkConfig } from "../events/sinks.js";
import type {
  AdminStateRepository,
  Awaitable,
  DeterministicCounters,
  FaultRuleRequest,
  RequestAdminState,
  StoredCounters,
  StoredFaultRule,
} from "./types.js";

/** The counters of a store no replica has kept any in yet. */
export const NO_COUNTERS: StoredCounters = {
  clockReads: 0,
  ids: 0,
  eventIds: 0,
  messageIds: 0,
  version: 0,
};

/** The number in a fault rule's id (`f12` → 12); `undefined` for an id no store issues. */
export function faultRuleNumber(id: string): number | undefined {
  const m = /^f([1-9]\d{0,14})$/.exec(id);
  return m ? Number(m[1]) : undefined;
}

/** Whether a rule's `count` leaves it more hits. */
export function faultRuleLive(rule: StoredFaultRule): boolean {
  return rule.rule.count === undefined || rule.hits < rule.rule.count;
}

export class MemoryAdminStateRepository implements AdminStateRepository {
  private offsetMs = 0;
  private resets = 0;
  private counters = { ...NO_COUNTERS };
  private config: SinkConfig | undefined;
  private rules: StoredFaultRule[] = [];
  private lastRule = 0;

  requestState(): RequestAdminState {
    return {
      clockOffsetMs: this.offsetMs,
      clockResets: this.resets,
      requestRules: this.rules
        .filter((r) => r.rule.delivery === undefined && faultRuleLive(r))
        .map((r) => structuredClone(r)),
      counters: { ...this.counters },
    };
  }

  keepCounters(counters: DeterministicCounters): number {
    const { clockReads, ids, eventIds, messageIds } = counters;
    const version = this.counters.version + 1;
    this.counters = { clockReads, ids, eventIds, messageIds, version };
    return version;
  }

  advanceClock(offsetMs: number): number {
    this.offsetMs += offsetMs;
    return this.offsetMs;
  }

  resetClock(): number {
    this.offsetMs = 0;
    this.counters = { ...NO_COUNTERS, version: this.counters.version + 1 };
    return ++this.resets;
  }

  sinks(): SinkConfig | undefined {
    return this.config && structuredClone(this.config);
  }

  replaceSinks(config: SinkConfig): void {
    this.config = structuredClone(config);
  }

  initSinks(config: SinkConfig): void {
    if (this.config === undefined) this.replaceSinks(config);
  }

  addFaultRule(rule: FaultRuleRequest, seed: number): StoredFaultRule {
    const stored: StoredFaultRule = {
      id: `f${++this.lastRule}`,
      hits: 0,
      matched: 0,
      seed,
      rule: structuredClone(rule),
    };
    this.rules.push(stored);
    return structuredClone(stored);
  }

  faultRules(): StoredFaultRule[] {
    return this.rules.map((r) => structuredClone(r));
  }

  deliveryRules(): StoredFaultRule[] {
    return this.rules
      .filter((r) => r.rule.delivery !== undefined && faultRuleLive(r))
      .map((r) => structuredClone(r));
  }

  deleteFaultRules(id?: string): boolean {
    const before = this.rules.length;
    this.rules = id === undefined ? [] : this.rules.filter((r) => r.id !== id);
    return id === undefined || this.rules.length < before;
  }

  clearFaultRules(projectId: string): void {
    this.rules = this.rules.filter((r) => r.rule.project_id !== projectId);
  }

  matchFaultRule(id: string, hit: boolean): number | undefined {
    const rule = this.rules.find((r) => r.id === id);
    if (!rule || !faultRuleLive(rule)) return undefined;
    rule.matched++;
    if (hit) rule.hits++;
    return rule.matched;
  }

  hitFaultRule(id: string): boolean {
    const rule = this.rules.find((r) => r.id === id);
    if (!rule || !faultRuleLive(rule)) return false;
    rule.hits++;
    return true;
  }
}

/**
 * For a database this process alone writes to (PGlite, whose data dir one server holds): the
 * admin state's reads served from memory, read again after each write. A request then reads
 * nothing from the database for it, as on the memory store.
 */
export function processLocalAdminState(inner: AdminStateRepository): AdminStateRepository {
  let state: RequestAdminState | undefined;
  let sinks: { config: SinkConfig | undefined } | undefined;
  // Writes under way: a read that overlaps one is not kept.
  let writing = 0;
  let generation = 0;
  const write =
    <A extends unknown[], R>(fn: (...args: A) => Awaitable<R>) =>
    async (...args: A): Promise<R> => {
      writing++;
      try {
        return await fn(...args);
      } finally {
        writing--;
        generation++;
        state = undefined;
        sinks = undefined;
      }
    };
  const read = async <T>(load: () => Awaitable<T>, keep: (value: T) => void): Promise<T> => {
    const before = generation;
    const value = await load();
    if (writing === 0 && generation === before) keep(value);
    return value;
  };
  return {
    requestState: () =>
      state ??
      read(
        () => inner.requestState(),
        (value) => {
          state = value;
        },
      ),
    async sinks() {
      const config = sinks
        ? sinks.config
        : await read(
            () => inner.sinks(),
            (value) => {
              sinks = { config: value };
            },
          );
      return config && structuredClone(config);
    },
    faultRules: () => inner.faultRules(),
    deliveryRules: () => inner.deliveryRules(),
    advanceClock: write((ms: number) => inner.advanceClock(ms)),
    resetClock: write(() => inner.resetClock()),
    keepCounters: write((counters: DeterministicCounters) => inner.keepCounters(counters)),
    replaceSinks: write((config: SinkConfig) => inner.replaceSinks(config)),
    initSinks: write((config: SinkConfig) => inner.initSinks(config)),
    addFaultRule: write((rule: FaultRuleRequest, seed: number) => inner.addFaultRule(rule, seed)),
    deleteFaultRules: write((id?: string) => inner.deleteFaultRules(id)),
    clearFaultRules: write((projectId: string) => inner.clearFaultRules(projectId)),
    matchFaultRule: write((id: string, hit: boolean) => inner.matchFaultRule(id, hit)),
    hitFaultRule: write((id: string) => inner.hitFaultRule(id)),
  };
}
