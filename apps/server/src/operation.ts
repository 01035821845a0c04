/**
 * Typed operation handlers. A handler takes the validated path, query and body of one operation
 * (typed from the generated `operations` interface) and returns a success status with its body,
 * so a spec change that breaks a handler fails `tsc`. Express stays in app.ts.
 */
import { randomUUID } from "node:crypto";
import type { Rotator } from "./csms/rotation.js";
import type { SecretEventFiring } from "./csms/secrets.js";
import type { Store } from "./store/types.js";

type Parameters<Op> = Op extends { parameters: infer P } ? P : never;
type PathOf<Op> = Parameters<Op> extends { path: infer P } ? P : Record<string, never>;
type QueryOf<Op> = Parameters<Op> extends { query?: infer Q } ? NonNullable<Q> : never;
type BodyOf<Op> = Op extends { requestBody: { content: { "application/json": infer B } } }
  ? B
  : undefined;
type Responses<Op> = Op extends { responses: infer R } ? R : never;
type SuccessStatus<Op> = Extract<keyof Responses<Op>, 200 | 201 | 204>;
type ContentOf<R> = R extends { content: { "application/json": infer B } }
  ? B
  : R extends { content: infer C }
    ? C[keyof C]
    : undefined;

export interface OperationInput<Op> {
  projectId: string;
  params: PathOf<Op>;
  /** Query parameters after validation (`[QueryOf<Op>] extends [never]` when there are none). */
  query: [QueryOf<Op>] extends [never] ? Record<string, never> : QueryOf<Op>;
  body: BodyOf<Op>;
}

/** One of the operation's declared success responses. */
export type Reply<Op> = {
  [S in SuccessStatus<Op>]: { status: S; body: ContentOf<Responses<Op>[S]> };
}[SuccessStatus<Op>];

export type OperationHandler<Op> = (input: OperationInput<Op>) => Promise<Reply<Op>>;

/** One handler per operationId of an API's generated `operations` interface. */
export type OperationHandlers<Ops> = { [K in keyof Ops]: OperationHandler<Ops[K]> };

/** What the pipeline hands a handler: input the validator has checked against the operation. */
export interface ValidatedInput {
  projectId: string;
  params: Record<string, string>;
  query: Record<string, unknown>;
  body: unknown;
}

/**
 * A handler as the pipeline calls it, by operationId. Declared as a method so that every typed
 * `OperationHandler` is one: the validator, not the type system, guarantees the input's shape.
 */
export type AnyOperationHandler = {
  handle(input: ValidatedInput): Promise<{ status: number; body: unknown }>;
}["handle"];

export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
}

export interface IdGenerator {
  /** A new UUID. */
  next(): string;
}

export interface Context {
  store: Store;
  clock: Clock;
  ids: IdGenerator;
  /** Fires a secret's event (left out, as by the benchmark's baseline: events never fire). */
  firing?: SecretEventFiring;
  /** Rotates secrets (left out, one without rotation functions is made over the store). */
  rotator?: Rotator;
}

export const systemClock: Clock = { now: () => Date.now() };
export const randomIds: IdGenerator = { next: () => randomUUID() };

/** 2024-01-01T00:00:00Z. */
const DETERMINISTIC_EPOCH = Date.UTC(2024, 0, 1);

/**
 * A clock that starts at 2024-01-01T00:00:00Z and advances 1 ms per read, for stable snapshots.
 * `peek()` reads the time of the last read without advancing it (the event engine's view: its
 * traces and deliveries do not shift the resources' times).
 */
export function deterministicClock(): Clock & { reset(): void; peek(): number } {
  const clock = serverClock(true);
  return { now: clock.now, peek: clock.peek, reset: clock.restart };
}

/**
 * The server's clock, which `POST /_admin/clock` moves forward: the deterministic clock (moved
 * by adding to it) or the real one (kept ahead by an offset). It never moves back.
 */
export interface ServerClock extends Clock {
  /** The current time without advancing the deterministic clock. */
  peek(): number;
  /** Moves the clock `ms` (≥ 0) ahead. */
  advance(ms: number): void;
  /** How far it has been moved ahead since start-up or the last restart. */
  offset(): number;
  /**
   * Back to the start: the deterministic epoch, or the real time (offset 0); `resets` is the
   * stored number of full resets this one made.
   */
  restart(resets?: number): void;
  /**
   * Takes on the offset and the number of full resets read from the store (another replica's):
   * restarts first when there was a reset since, then moves ahead to the offset. A read older
   * than what the clock has never moves it: a smaller offset without a reset (made before a move
   * answered meanwhile) does not move it back, and a read made before a reset it has seen does
   * not move it ahead to the old offset. Without `resets`: an offset this replica's own move
   * gave (no reset).
   */
  sync(offsetMs: number, resets?: number): void;
  /** The deterministic clock's reads since its last restart (0 for the real clock). */
  reads(): number;
  /** Sets the deterministic clock's reads (another replica's, `--deterministic` shared). */
  setReads(reads: number): void;
}

export function serverClock(deterministic: boolean): ServerClock {
  const clock = deterministic ? fixedClock() : realClock();
  let seenResets = 0;
  return {
    ...clock,
    restart(resets) {
      clock.restart();
      if (resets !== undefined) seenResets = Math.max(seenResets, resets);
    },
    sync(offsetMs, resets) {
      if (resets !== undefined) {
        // Read before a full reset this clock has already seen (a sweep's read that resolved
        // after this replica's own reset): its offset is the old one, not to be taken on.
        if (resets < seenResets) return;
        if (resets > seenResets) {
          seenResets = resets;
          clock.restart();
        }
      }
      if (offsetMs > clock.offset()) clock.advance(offsetMs - clock.offset());
    },
  };
}

function realClock(): Omit<ServerClock, "sync" | "restart"> & { restart(): void } {
  let offset = 0;
  const now = () => Date.now() + offset;
  return {
    now,
    peek: now,
    reads: () => 0,
    setReads: () => {},
    advance: (ms) => {
      offset += ms;
    },
    offset: () => offset,
    restart: () => {
      offset = 0;
    },
  };
}

function fixedClock(): Omit<ServerClock, "sync" | "restart"> & { restart(): void } {
  let offset = 0;
  let t = DETERMINISTIC_EPOCH;
  return {
    now: () => t++,
    peek: () => Math.max(DETERMINISTIC_EPOCH + offset, t - 1),
    advance: (ms) => {
      offset += ms;
      t += ms;
    },
    offset: () => offset,
    restart: () => {
      t = DETERMINISTIC_EPOCH;
      offset = 0;
    },
    // A move adds to both `t` and `offset`: the reads are what is left.
    reads: () => t - DETERMINISTIC_EPOCH - offset,
    setReads: (reads) => {
      t = DETERMINISTIC_EPOCH + offset + reads;
    },
  };
}

/** UUID-shaped sequential ids: 00000000-0000-4000-8000-000000000001, ...0002, ... */
export function sequentialIds(): IdGenerator & {
  reset(): void;
  /** The last number given. */
  last(): number;
  /** Continues after `n` (another replica's last, `--deterministic` shared). */
  setLast(n: number): void;
} {
  let n = 0;
  return {
    next: () => {
      n++;
      return `00000000-0000-4000-8000-${n.toString(16).padStart(12, "0")}`;
    },
    reset: () => {
      n = 0;
    },
    last: () => n,
    setLast: (last) => {
      n = last;
    },
  };
}
