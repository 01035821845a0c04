/**
 * Fault rules (`/_admin/faults`): which requests, or which delivery attempts (a rule with
 * `delivery`), fail and how. Rules are tried in the order they were added; the first that
 * applies decides the request's or attempt's fault. A rule with `probability` draws from its own
 * seeded generator once per match, so the same requests in the same order get the same faults
 * on every run, whichever replica serves them. Request rules never see deliveries, nor delivery rules requests.
 */
import type { admin } from "@cts-csms/types";
import { ApiError } from "../errors.js";
import { sameTarget, targetKind, urnProject } from "../events/sinks.js";
import { type ApiName, models, type Operation } from "../spec.js";
import type { AdminStateRepository } from "../store/types.js";

export type FaultRuleRequest = admin.components["schemas"]["FaultRuleRequest"];
export type FaultRule = admin.components["schemas"]["FaultRule"];

/** What to do to one request. */
export interface Fault {
  status?: number | undefined;
  /** A named example of the operation (Prefer: example=NAME). */
  example?: string | undefined;
  delayMs?: number | undefined;
  action?: "reset" | "hang" | undefined;
  retryAfter?: number | undefined;
  /** `prefer` or the rule's id, for the log. */
  source: string;
}

/** The request as rules see it. */
export interface FaultTarget {
  op: Operation<ApiName>;
  params: Record<string, string>;
  query: Record<string, unknown>;
}

/** A delivery attempt as rules see it. */
export interface DeliveryAttemptTarget {
  project_id: string;
  target: string;
  endpoint?: string | undefined;
}

/** How often a replica holding `hang` requests looks whether their rules were deleted elsewhere. */
const HANG_CHECK_MS = 1000;

/** mulberry32's step: each draw adds this to its state. */
const STEP = 0x6d2b79f5;

/**
 * The `n`-th draw (from 1) of mulberry32 seeded with `seed`: its state after n draws is
 * `seed + n * STEP (mod 2^32)`, so a rule needs only its count of draws (its `matched`, kept in
 * the store) to give the same draws whichever replica asks.
 */
export function nthDraw(seed: number, n: number): number {
  let t = ((seed >>> 0) + (Math.imul(n, STEP) >>> 0)) >>> 0;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}

/** The CTS and CSMS operations: the ones faults apply to (never the admin API). */
const serviceOperations = [...models.cts.operations, ...models.csms.operations];

function check(rule: FaultRuleRequest): void {
  const fail = (message: string): never => {
    throw new ApiError("validation", `request/body: ${message}`);
  };
  if (rule.status === undefined && rule.delay_ms === undefined && rule.action === undefined) {
    fail("a fault rule needs at least one of status, delay_ms and action");
  }
  if (rule.status !== undefined && rule.action !== undefined) {
    fail("a fault rule has either status or action, not both");
  }
  if (rule.seed !== undefined && rule.probability === undefined) {
    fail("seed needs probability");
  }
  // A delivery rule: the spec already keeps request-only fields and non-error statuses out.
  if (rule.delivery !== undefined) {
    const { target } = rule.delivery;
    const owner = target === undefined ? undefined : urnProject(target);
    if (rule.project_id !== undefined && owner !== undefined && owner !== rule.project_id) {
      fail(`delivery/target belongs to project ${owner}, not to project_id ${rule.project_id}`);
    }
    return;
  }
  let ops = serviceOperations;
  if (rule.operation_id !== undefined) {
    ops = ops.filter((op) => op.operationId === rule.operation_id);
    if (ops.length === 0) {
      fail(`operation_id ${rule.operation_id} is not a CTS or CSMS operation`);
    }
  }
  if (rule.status !== undefined && !ops.some((op) => op.statuses.has(rule.status as number))) {
    const where = rule.operation_id ?? "any CTS or CSMS operation";
    const declared = rule.operation_id
      ? ` (it declares ${[...(ops[0] as Operation<ApiName>).statuses].join(", ")})`
      : "";
    fail(`status ${rule.status} is not declared by ${where}${declared}`);
  }
  if (rule.retry_after !== undefined && rule.status !== 429 && rule.status !== 503) {
    fail("retry_after needs status 429 or 503");
  }
}

function matches(rule: FaultRuleRequest, target: FaultTarget): boolean {
  const { op, params, query } = target;
  if (op.api === "admin" || rule.delivery !== undefined) return false;
  if (rule.operation_id !== undefined && op.operationId !== rule.operation_id) return false;
  if (rule.project_id !== undefined && params.project_id !== rule.project_id) return false;
  if (rule.status !== undefined && !op.statuses.has(rule.status)) return false;
  for (const [name, value] of Object.entries(rule.path ?? {})) {
    if (params[name] !== value) return false;
  }
  for (const [name, value] of Object.entries(rule.query ?? {})) {
    if (query[name] === undefined || String(query[name]) !== value) return false;
  }
  return true;
}

function matchesDelivery(rule: FaultRuleRequest, attempt: DeliveryAttemptTarget): boolean {
  const { delivery } = rule;
  if (delivery === undefined) return false;
  if (targetKind(attempt.target) !== delivery.kind) return false;
  if (delivery.target !== undefined && !sameTarget(delivery.target, attempt.target)) return false;
  if (delivery.endpoint !== undefined && attempt.endpoint !== delivery.endpoint) return false;
  return rule.project_id === undefined || attempt.project_id === rule.project_id;
}

/**
 * The rules, kept in the store (`Store.admin`), so every replica on one database applies the
 * same ones and counts their hits together.
 */
export class FaultRules {
  /** How to let go of each request a `hang` fault holds open on this replica, with its rule. */
  private readonly hung = new Map<() => void, string>();

  constructor(private readonly store: AdminStateRepository) {}

  async add(request: FaultRuleRequest): Promise<FaultRule> {
    check(request);
    const seed = request.seed ?? Math.floor(Math.random() * 4294967296);
    return this.store.addFaultRule(request, seed);
  }

  async list(): Promise<FaultRule[]> {
    return this.store.faultRules();
  }

  /** Deletes one rule (false when there is none) or all; hung requests are let go. */
  async delete(id?: string): Promise<boolean> {
    if (!(await this.store.deleteFaultRules(id))) return false;
    this.releaseHung();
    return true;
  }

  /** Deletes the rules scoped to one project (a project reset), or every rule. */
  async reset(projectId?: string): Promise<void> {
    if (projectId === undefined) await this.delete();
    else await this.store.clearFaultRules(projectId);
  }

  /**
   * The fault of the first of `rules` (the live request rules, as the request's read of the
   * admin state gave them) that applies to this request, counting its hit.
   */
  decide(target: FaultTarget, rules: readonly FaultRule[]): Promise<Fault | undefined> {
    return this.first(rules, (rule) => matches(rule, target));
  }

  /** The fault of the first delivery rule that applies to this attempt, counting its hit. */
  async decideDelivery(attempt: DeliveryAttemptTarget): Promise<Fault | undefined> {
    const rules = await this.store.deliveryRules();
    return this.first(rules, (rule) => matchesDelivery(rule, attempt));
  }

  private async first(
    rules: readonly FaultRule[],
    applies: (rule: FaultRuleRequest) => boolean,
  ): Promise<Fault | undefined> {
    for (const view of rules) {
      const { rule } = view;
      if (!applies(rule)) continue;
      // The store counts the match (and the hit, without probability) unless `count` is used
      // up, by another replica meanwhile too; its number picks the draw.
      const certain = rule.probability === undefined;
      const matched = await this.store.matchFaultRule(view.id, certain);
      if (matched === undefined) continue;
      if (!certain) {
        if (!(nthDraw(view.seed, matched) < (rule.probability as number))) continue;
        if (!(await this.store.hitFaultRule(view.id))) continue;
      }
      return {
        status: rule.status,
        delayMs: rule.delay_ms,
        action: rule.action,
        retryAfter: rule.retry_after,
        source: view.id,
      };
    }
    return undefined;
  }

  /**
   * Holds a request open for rule `ruleId` until `release` is called: by a rule deletion on this
   * replica, once the rule is found deleted (through another replica: looked for every second
   * while requests are held), or by the caller.
   */
  hold(ruleId: string, release: () => void): () => void {
    this.hung.set(release, ruleId);
    this.watchHung();
    return () => this.hung.delete(release);
  }

  private releaseHung(): void {
    for (const release of [...this.hung.keys()]) release();
    this.hung.clear();
  }

  private watching: NodeJS.Timeout | undefined;

  private watchHung(): void {
    if (this.watching) return;
    let looking = false;
    this.watching = setInterval(() => {
      if (this.hung.size === 0) {
        clearInterval(this.watching);
        this.watching = undefined;
        return;
      }
      if (looking) return;
      looking = true;
      Promise.resolve(this.store.faultRules())
        .then((rules) => {
          const kept = new Set(rules.map((r) => r.id));
          for (const [release, id] of this.hung) {
            if (kept.has(id)) continue;
            this.hung.delete(release);
            release();
          }
        })
        // The store unreachable for now: look again at the next tick.
        .catch(() => {})
        .finally(() => {
          looking = false;
        });
    }, HANG_CHECK_MS);
    this.watching.unref();
  }
}
