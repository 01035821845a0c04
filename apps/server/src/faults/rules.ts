/**
 * Fault rules (`/_admin/faults`): which requests, or which delivery attempts (a rule with
 * `delivery`), fail and how. Rules are tried in the order they were added; the first that
 * applies decides the request's or attempt's fault. A rule with `probability` draws from its own
 * seeded generator once per match, so the same requests in the same order get the same faults
 * on every run. Request rules never see deliveries, nor delivery rules requests.
 */
import type { admin } from "@cts-csms/types";
import { ApiError } from "../errors.js";
import { sameTarget, targetKind, urnProject } from "../events/sinks.js";
import { type ApiName, models, type Operation } from "../spec.js";

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

/** mulberry32: small, fast and good enough to pick faults; the same seed gives the same draws. */
function generator(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface HeldRule {
  view: FaultRule;
  draw: () => number;
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

export class FaultRules {
  private rules: HeldRule[] = [];
  private nextId = 1;
  /** Requests a `hang` fault holds open, with how to let each go. */
  private readonly hung = new Set<() => void>();

  add(request: FaultRuleRequest): FaultRule {
    check(request);
    const seed = request.seed ?? Math.floor(Math.random() * 4294967296);
    const view: FaultRule = {
      id: `f${this.nextId++}`,
      hits: 0,
      matched: 0,
      seed,
      rule: structuredClone(request),
    };
    this.rules.push({ view, draw: generator(seed) });
    return structuredClone(view);
  }

  list(): FaultRule[] {
    return this.rules.map((r) => structuredClone(r.view));
  }

  /** Deletes one rule (false when there is none) or all; hung requests are let go. */
  delete(id?: string): boolean {
    const before = this.rules.length;
    this.rules = id === undefined ? [] : this.rules.filter((r) => r.view.id !== id);
    if (this.rules.length === before && id !== undefined) return false;
    this.releaseHung();
    return true;
  }

  /** Deletes the rules scoped to one project (a project reset), or every rule. */
  reset(projectId?: string): void {
    if (projectId === undefined) this.delete();
    else this.rules = this.rules.filter((r) => r.view.rule.project_id !== projectId);
  }

  /** The fault of the first rule that applies to this request, counting its hit. */
  decide(target: FaultTarget): Fault | undefined {
    return this.first((rule) => matches(rule, target));
  }

  /** The fault of the first delivery rule that applies to this attempt, counting its hit. */
  decideDelivery(attempt: DeliveryAttemptTarget): Fault | undefined {
    return this.first((rule) => matchesDelivery(rule, attempt));
  }

  private first(applies: (rule: FaultRuleRequest) => boolean): Fault | undefined {
    for (const held of this.rules) {
      const { view } = held;
      const { rule } = view;
      if (rule.count !== undefined && view.hits >= rule.count) continue;
      if (!applies(rule)) continue;
      view.matched++;
      if (rule.probability !== undefined && !(held.draw() < rule.probability)) continue;
      view.hits++;
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

  /** Holds a request open until `release` is called by a rule deletion (or the caller). */
  hold(release: () => void): () => void {
    this.hung.add(release);
    return () => this.hung.delete(release);
  }

  private releaseHung(): void {
    for (const release of [...this.hung]) release();
    this.hung.clear();
  }
}
