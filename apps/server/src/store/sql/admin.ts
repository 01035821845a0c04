/**
 * The admin state on PGlite or PostgreSQL (the memory one: `../admin.ts`): one `admin_state` row
 * (clock offset, `--deterministic`'s counters, sinks) and the `fault_rules` rows. A rule's counters change only in single
 * UPDATEs guarded by its `count`, so replicas never count past it.
 */
import type { SinkConfig } from "../../events/sinks.js";
import { faultRuleNumber } from "../admin.js";
import type {
  AdminStateRepository,
  DeterministicCounters,
  FaultRuleRequest,
  RequestAdminState,
  StoredFaultRule,
} from "../types.js";
import type { SqlDatabase } from "./driver.js";

interface RuleRow {
  seq: number;
  hits: number;
  matched: number;
  seed: number;
  rule: string;
}

const RULE_COLUMNS = "seq::float8 AS seq, hits, matched, seed::float8 AS seed, rule";
const LIVE = "(count IS NULL OR hits < count)";

interface CountersRow {
  clock_reads: number;
  last_id: number;
  last_event_id: number;
  last_message_id: number;
  counters_version: number;
}
const COUNTER_COLUMNS = `clock_reads::float8 AS clock_reads, last_id::float8 AS last_id,
  last_event_id::float8 AS last_event_id, last_message_id::float8 AS last_message_id,
  counters_version::float8 AS counters_version`;

function ruleOf(row: RuleRow): StoredFaultRule {
  return {
    id: `f${Number(row.seq)}`,
    hits: Number(row.hits),
    matched: Number(row.matched),
    seed: Number(row.seed),
    rule: JSON.parse(row.rule) as FaultRuleRequest,
  };
}

export class SqlAdminStateRepository implements AdminStateRepository {
  constructor(private readonly db: SqlDatabase) {}

  async requestState(): Promise<RequestAdminState> {
    const { rows } = await this.db.query<
      CountersRow & { offset_ms: number; resets: number; rules: string }
    >(
      `SELECT clock_offset_ms::float8 AS offset_ms, clock_resets::float8 AS resets, ${COUNTER_COLUMNS},
         (SELECT COALESCE(json_agg(json_build_object(
            'seq', seq, 'hits', hits, 'matched', matched, 'seed', seed, 'rule', rule) ORDER BY seq),
          '[]')::text
          FROM fault_rules WHERE NOT delivery AND ${LIVE}) AS rules
       FROM admin_state WHERE id = 1`,
    );
    const row = rows[0];
    if (!row) throw new Error("admin_state has no row (migration 006 not applied)");
    return {
      clockOffsetMs: Number(row.offset_ms),
      clockResets: Number(row.resets),
      requestRules: (JSON.parse(row.rules) as RuleRow[]).map(ruleOf),
      counters: {
        clockReads: Number(row.clock_reads),
        ids: Number(row.last_id),
        eventIds: Number(row.last_event_id),
        messageIds: Number(row.last_message_id),
        version: Number(row.counters_version),
      },
    };
  }

  async keepCounters(counters: DeterministicCounters): Promise<number> {
    const { rows } = await this.db.query<{ version: number }>(
      `UPDATE admin_state SET clock_reads = $1, last_id = $2, last_event_id = $3,
         last_message_id = $4, counters_version = counters_version + 1
       WHERE id = 1 RETURNING counters_version::float8 AS version`,
      [counters.clockReads, counters.ids, counters.eventIds, counters.messageIds],
    );
    return Number(rows[0]?.version);
  }

  async advanceClock(offsetMs: number): Promise<number> {
    const { rows } = await this.db.query<{ offset_ms: number }>(
      `UPDATE admin_state SET clock_offset_ms = clock_offset_ms + $1 WHERE id = 1
       RETURNING clock_offset_ms::float8 AS offset_ms`,
      [offsetMs],
    );
    return Number(rows[0]?.offset_ms);
  }

  async resetClock(): Promise<number> {
    const { rows } = await this.db.query<{ resets: number }>(
      `UPDATE admin_state SET clock_offset_ms = 0, clock_resets = clock_resets + 1, clock_reads = 0,
         last_id = 0, last_event_id = 0, last_message_id = 0, counters_version = counters_version + 1
       WHERE id = 1 RETURNING clock_resets::float8 AS resets`,
    );
    return Number(rows[0]?.resets);
  }

  async sinks(): Promise<SinkConfig | undefined> {
    const { rows } = await this.db.query<{ sinks: string | null }>(
      "SELECT sinks FROM admin_state WHERE id = 1",
    );
    const text = rows[0]?.sinks;
    return text == null ? undefined : (JSON.parse(text) as SinkConfig);
  }

  async replaceSinks(config: SinkConfig): Promise<void> {
    await this.db.query("UPDATE admin_state SET sinks = $1 WHERE id = 1", [JSON.stringify(config)]);
  }

  async initSinks(config: SinkConfig): Promise<void> {
    await this.db.query("UPDATE admin_state SET sinks = $1 WHERE id = 1 AND sinks IS NULL", [
      JSON.stringify(config),
    ]);
  }

  async addFaultRule(rule: FaultRuleRequest, seed: number): Promise<StoredFaultRule> {
    const { rows } = await this.db.query<RuleRow>(
      `INSERT INTO fault_rules (project_id, delivery, count, seed, rule)
       VALUES ($1, $2, $3, $4, $5) RETURNING ${RULE_COLUMNS}`,
      [
        rule.project_id ?? null,
        rule.delivery !== undefined,
        rule.count ?? null,
        seed,
        JSON.stringify(rule),
      ],
    );
    return ruleOf(rows[0] as RuleRow);
  }

  async faultRules(): Promise<StoredFaultRule[]> {
    const { rows } = await this.db.query<RuleRow>(
      `SELECT ${RULE_COLUMNS} FROM fault_rules ORDER BY seq`,
    );
    return rows.map(ruleOf);
  }

  async deliveryRules(): Promise<StoredFaultRule[]> {
    const { rows } = await this.db.query<RuleRow>(
      `SELECT ${RULE_COLUMNS} FROM fault_rules WHERE delivery AND ${LIVE} ORDER BY seq`,
    );
    return rows.map(ruleOf);
  }

  async deleteFaultRules(id?: string): Promise<boolean> {
    if (id === undefined) {
      await this.db.query("DELETE FROM fault_rules");
      return true;
    }
    const seq = faultRuleNumber(id);
    if (seq === undefined) return false;
    const { rows } = await this.db.query("DELETE FROM fault_rules WHERE seq = $1 RETURNING 1", [
      seq,
    ]);
    return rows.length === 1;
  }

  async clearFaultRules(projectId: string): Promise<void> {
    await this.db.query("DELETE FROM fault_rules WHERE project_id = $1", [projectId]);
  }

  async matchFaultRule(id: string, hit: boolean): Promise<number | undefined> {
    const seq = faultRuleNumber(id);
    if (seq === undefined) return undefined;
    const { rows } = await this.db.query<{ matched: number }>(
      `UPDATE fault_rules SET matched = matched + 1, hits = hits + $2
       WHERE seq = $1 AND ${LIVE} RETURNING matched`,
      [seq, hit ? 1 : 0],
    );
    return rows[0] === undefined ? undefined : Number(rows[0].matched);
  }

  async hitFaultRule(id: string): Promise<boolean> {
    const seq = faultRuleNumber(id);
    if (seq === undefined) return false;
    const { rows } = await this.db.query(
      `UPDATE fault_rules SET hits = hits + 1 WHERE seq = $1 AND ${LIVE} RETURNING 1`,
      [seq],
    );
    return rows.length === 1;
  }
}
