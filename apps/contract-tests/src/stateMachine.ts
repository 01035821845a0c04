// The model-based state test's commands and model: random sequences of create / update / show / list / delete across two
// projects, checked against an in-memory model after every step — nothing lost, nothing extra,
// no cross-project leakage; paging returns every event exactly once, in order. The model also
// learns traces (one per write, failed ones included, plus injected ones; ListTraces lists them
// newest first) and deliveries (one per trace per notification of its project; the topics here
// name another project, so each is logged as `no_sink`). And it learns secrets: versions and
// their stages, values read back, the events their lifecycle fires and the notification records
// those write (the events' target is not an SMN topic, so each record is `INVALID`, with its
// reason logged as a `no_sink` delivery); stages moved and deleted, deletions scheduled and
// restored (a PENDING_DELETE secret refuses changes and value reads); and the rotation tasks
// RotateSecret adds and ListSecretTask pages through, with the rotation settings.
import fc from "fast-check";
import { expect } from "vitest";
import { credentials, type Harness } from "./context.js";

/** The projects the model knows. */
export type Project = "p1" | "p2";

export interface Model {
  events: Record<Project, Map<string, { state: string; types: string[] }>>;
  notifications: Record<Project, Map<string, { name: string; type: "smn" | "fun" }>>;
  /** `[trace_name, code]` of each trace of the project, oldest first. */
  traces: Record<Project, [string, string][]>;
  /** Deliveries logged for the project. */
  deliveries: Record<Project, number>;
  secrets: Record<Project, Map<string, SecretModel>>;
  /** `[event_name, trigger_event_type]` of each notification record, oldest first. */
  records: Record<Project, [string, string][]>;
  /** `[secret_name, task_id]` of each rotation task, oldest first (kept after a delete). */
  tasks: Record<Project, [string, string][]>;
}

interface SecretModel {
  events: string[];
  /** Number of the last version; versions are never removed here (fewer than 20). */
  last: number;
  /** The value of each version, `undefined` for a rotation's random one. */
  values: Map<string, string | undefined>;
  /** Each stage and the version that has it. */
  stages: Map<string, string>;
  /** Scheduled for deletion (PENDING_DELETE). */
  pending: boolean;
}

/** A new version `id`: SYSCURRENT moves to it, SYSPREVIOUS to the version that had SYSCURRENT. */
function versionAdded(secret: SecretModel, id: string) {
  const current = secret.stages.get("SYSCURRENT");
  if (current !== undefined) secret.stages.set("SYSPREVIOUS", current);
  secret.stages.set("SYSCURRENT", id);
}

/** `type` happened to the secret: a record when its event is ENABLED and lists the type. */
export function fired(m: Model, p: Project, secret: SecretModel, type: string) {
  const name = secret.events[0];
  const event = name === undefined ? undefined : m.events[p].get(name);
  if (name !== undefined && event?.state === "ENABLED" && event.types.includes(type)) {
    m.records[p].push([name, type]);
    // The target is not an SMN topic: the delivery log says so, in one no_sink delivery.
    m.deliveries[p] += 1;
  }
}

/** A write (or an injected trace) was traced: every notification of the project matches it. */
function traced(m: Model, p: Project, traceName: string, status: number) {
  m.traces[p].push([traceName, String(status)]);
  m.deliveries[p] += m.notifications[p].size;
}
export type Cmd = fc.AsyncCommand<Model, Harness>;

export const projects: Project[] = ["p1", "p2"];
const names = ["alpha", "beta", "gamma", "delta-1", "eps_2", "Zeta", "a", "b0"];
export const topics = {
  smn: "urn:smn:cn-north-4:24edf66e79d04187acb99a463e610764:t",
  fun: "urn:fss:cn-north-4:24edf66e79d04187acb99a463e610764:function:default:f",
};
export const target = { target_type: "SMN", target_id: "t", target_name: "n" };

class CreateEvent implements Cmd {
  constructor(
    readonly p: Project,
    readonly name: string,
    readonly types: string[],
  ) {}
  check = () => true;
  async run(m: Model, h: Harness) {
    const r = await h.csms(this.p).createSecretEvent({
      body: { name: this.name, event_types: this.types, state: "ENABLED", notification: target },
    });
    if (m.events[this.p].has(this.name)) expect(r.response.status).toBe(400);
    else {
      expect(r.response.status).toBe(200);
      m.events[this.p].set(this.name, { state: "ENABLED", types: this.types });
    }
    traced(m, this.p, "createSecretEvent", r.response.status);
  }
  toString = () => `createEvent(${this.p}, ${this.name})`;
}

class UpdateEvent implements Cmd {
  constructor(
    readonly p: Project,
    readonly name: string,
    readonly state: string,
  ) {}
  check = () => true;
  async run(m: Model, h: Harness) {
    const r = await h.csms(this.p).updateSecretEvent({
      params: { path: { event_name: this.name } },
      body: { state: this.state },
    });
    traced(m, this.p, "updateSecretEvent", r.response.status);
    const known = m.events[this.p].get(this.name);
    if (!known) return expect(r.response.status).toBe(404);
    expect(r.response.status).toBe(200);
    expect(r.data.event.state).toBe(this.state);
    known.state = this.state;
  }
  toString = () => `updateEvent(${this.p}, ${this.name}, ${this.state})`;
}

class ShowEvent implements Cmd {
  constructor(
    readonly p: Project,
    readonly name: string,
  ) {}
  check = () => true;
  async run(m: Model, h: Harness) {
    const r = await h.csms(this.p).showSecretEvent({ params: { path: { event_name: this.name } } });
    const known = m.events[this.p].get(this.name);
    if (!known) return expect(r.response.status).toBe(404);
    expect(r.data.event).toMatchObject({
      name: this.name,
      state: known.state,
      event_types: known.types,
    });
  }
  toString = () => `showEvent(${this.p}, ${this.name})`;
}

class DeleteEvent implements Cmd {
  constructor(
    readonly p: Project,
    readonly name: string,
  ) {}
  check = () => true;
  async run(m: Model, h: Harness) {
    const r = await h
      .csms(this.p)
      .deleteSecretEvent({ params: { path: { event_name: this.name } } });
    const inUse = [...m.secrets[this.p].values()].some((s) => s.events.includes(this.name));
    if (inUse) expect(r.response.status).toBe(400);
    else expect(r.response.status).toBe(m.events[this.p].delete(this.name) ? 204 : 404);
    traced(m, this.p, "deleteSecretEvent", r.response.status);
  }
  toString = () => `deleteEvent(${this.p}, ${this.name})`;
}

class PageEvents implements Cmd {
  constructor(
    readonly p: Project,
    readonly limit: number,
  ) {}
  check = () => true;
  async run(m: Model, h: Harness) {
    const seen: string[] = [];
    let marker: string | undefined;
    for (let pages = 0; pages < 100; pages++) {
      const r = await h
        .csms(this.p)
        .listSecretEvents({ params: { query: { limit: this.limit, marker } } });
      expect(r.response.status).toBe(200);
      seen.push(...r.data.events.map((e: any) => e.name));
      expect(r.data.page_info.current_count).toBe(r.data.events.length);
      marker = r.data.page_info.next_marker;
      if (!marker) break;
    }
    const expected = [...m.events[this.p].keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    expect(seen).toEqual(expected);
  }
  toString = () => `pageEvents(${this.p}, limit=${this.limit})`;
}

class CreateNotification implements Cmd {
  constructor(
    readonly p: Project,
    readonly name: string,
    readonly type: "smn" | "fun",
  ) {}
  check = () => true;
  async run(m: Model, h: Harness) {
    const r = await h.cts(this.p).createNotification({
      body: {
        notification_name: this.name,
        operation_type: "complete",
        topic_id: topics[this.type],
      },
    });
    const dup = [...m.notifications[this.p].values()].some((n) => n.name === this.name);
    if (dup) expect(r.response.status).toBe(400);
    else {
      expect(r.response.status).toBe(201);
      m.notifications[this.p].set(r.data.notification_id, { name: this.name, type: this.type });
    }
    // Traced once stored: a new notification matches its own creation.
    traced(m, this.p, "createNotification", r.response.status);
  }
  toString = () => `createNotification(${this.p}, ${this.name}, ${this.type})`;
}

class DeleteNotifications implements Cmd {
  constructor(
    readonly p: Project,
    readonly pick: number[],
    readonly ghost: boolean,
  ) {}
  check = () => true;
  async run(m: Model, h: Harness) {
    // Ids from both projects: the other project's ids must count as missing here.
    const all = projects.flatMap((p) => [...m.notifications[p].keys()]);
    const ids = [
      ...new Set(
        this.pick.map((i) => all[i % Math.max(all.length, 1)]).filter(Boolean) as string[],
      ),
    ];
    if (this.ghost || ids.length === 0) ids.push("00000000-0000-4000-8000-00000000dead");
    const r = await h
      .cts(this.p)
      .deleteNotification({ params: { query: { notification_id: ids.join(",") } } });
    const missing = ids.filter((id) => !m.notifications[this.p].has(id));
    for (const id of ids) m.notifications[this.p].delete(id);
    expect(r.response.status).toBe(missing.length ? 404 : 204);
    traced(m, this.p, "deleteNotification", r.response.status);
  }
  toString = () => `deleteNotifications(${this.p}, ${this.pick}, ghost=${this.ghost})`;
}

class ListNotifications implements Cmd {
  constructor(
    readonly p: Project,
    readonly type: "smn" | "fun",
  ) {}
  check = () => true;
  async run(m: Model, h: Harness) {
    const r = await h
      .cts(this.p)
      .listNotifications({ params: { path: { notification_type: this.type } } });
    expect(r.response.status).toBe(200);
    const got = r.data.notifications.map((n: any) => n.notification_id).sort();
    const want = [...m.notifications[this.p]]
      .filter(([, n]) => n.type === this.type)
      .map(([id]) => id)
      .sort();
    expect(got).toEqual(want);
    for (const n of r.data.notifications) expect(n.project_id).toBe(this.p);
  }
  toString = () => `listNotifications(${this.p}, ${this.type})`;
}

class InjectTrace implements Cmd {
  constructor(
    readonly p: Project,
    readonly traceName: string,
  ) {}
  check = () => true;
  async run(m: Model, h: Harness) {
    const r = await h.admin.injectTrace({
      params: { path: { project_id: this.p } },
      body: { service_type: "ECS", resource_type: "ecs", trace_name: this.traceName },
    });
    expect(r.response.status).toBe(201);
    expect(r.data).toMatchObject({ trace_name: this.traceName, code: "200" });
    traced(m, this.p, this.traceName, 200);
  }
  toString = () => `injectTrace(${this.p}, ${this.traceName})`;
}

class ListTraces implements Cmd {
  constructor(readonly p: Project) {}
  check = () => true;
  async run(m: Model, h: Harness) {
    // A write's trace is recorded before its answer; flushing also waits for those in flight.
    await h.admin.flushDeliveries();
    const r = await h
      .cts(this.p)
      .listTraces({ params: { query: { trace_type: "system", limit: 200 } } });
    expect(r.response.status).toBe(200);
    const got = r.data.traces.map((t: any) => [t.trace_name, t.code]);
    expect(got).toEqual([...m.traces[this.p]].reverse());
    // Credentials never appear in a trace.
    for (const token of Object.values(credentials.tokens)) {
      expect(JSON.stringify(r.data)).not.toContain(token);
    }
  }
  toString = () => `listTraces(${this.p})`;
}

class ListDeliveries implements Cmd {
  constructor(readonly p: Project) {}
  check = () => true;
  async run(m: Model, h: Harness) {
    await h.admin.flushDeliveries();
    const r = await h.admin.listDeliveries({ params: { query: { project_id: this.p } } });
    expect(r.response.status).toBe(200);
    const deliveries = r.data?.deliveries ?? [];
    expect(deliveries).toHaveLength(m.deliveries[this.p]);
    for (const d of deliveries) {
      expect(d).toMatchObject({ project_id: this.p, status: "no_sink", attempts: 0 });
    }
  }
  toString = () => `listDeliveries(${this.p})`;
}

class CreateSecret implements Cmd {
  constructor(
    readonly p: Project,
    readonly name: string,
    readonly event: string | undefined,
    readonly value: string,
  ) {}
  check = () => true;
  async run(m: Model, h: Harness) {
    const events = this.event === undefined ? [] : [this.event];
    const r = await h.csms(this.p).createSecret({
      body: { name: this.name, secret_string: this.value, event_subscriptions: events },
    });
    traced(m, this.p, "createSecret", r.response.status);
    const known = this.event === undefined || m.events[this.p].has(this.event);
    if (!known || m.secrets[this.p].has(this.name)) return expect(r.response.status).toBe(400);
    expect(r.response.status).toBe(200);
    expect(JSON.stringify(r.data)).not.toContain(this.value);
    const secret: SecretModel = {
      events,
      last: 1,
      values: new Map([["v1", this.value]]),
      stages: new Map([["SYSCURRENT", "v1"]]),
      pending: false,
    };
    m.secrets[this.p].set(this.name, secret);
    fired(m, this.p, secret, "SECRET_VERSION_CREATED");
  }
  toString = () => `createSecret(${this.p}, ${this.name}, ${this.event})`;
}

class AddVersion implements Cmd {
  constructor(
    readonly p: Project,
    readonly name: string,
    readonly value: string | undefined,
  ) {}
  // A secret keeps 20 versions; the model does not remove any.
  check = (m: Readonly<Model>) => (m.secrets[this.p].get(this.name)?.values.size ?? 0) < 19;
  async run(m: Model, h: Harness) {
    const path = { secret_name: this.name };
    const r =
      this.value === undefined
        ? await h.csms(this.p).rotateSecret({ params: { path } })
        : await h.csms(this.p).createSecretVersion({
            params: { path },
            body: { secret_string: this.value },
          });
    traced(
      m,
      this.p,
      this.value === undefined ? "rotateSecret" : "createSecretVersion",
      r.response.status,
    );
    const secret = m.secrets[this.p].get(this.name);
    if (!secret) return expect(r.response.status).toBe(404);
    if (secret.pending) return expect(r.response.status).toBe(400);
    expect(r.response.status).toBe(200);
    secret.last++;
    const id = `v${secret.last}`;
    expect(r.data.version_id ?? r.data.version_metadata.id).toBe(id);
    if (this.value === undefined) m.tasks[this.p].push([this.name, r.data.rotation_task_id]);
    secret.values.set(id, this.value);
    versionAdded(secret, id);
    fired(
      m,
      this.p,
      secret,
      this.value === undefined ? "SECRET_ROTATED" : "SECRET_VERSION_CREATED",
    );
  }
  toString = () => `${this.value === undefined ? "rotate" : "addVersion"}(${this.p}, ${this.name})`;
}

class ShowVersions implements Cmd {
  constructor(
    readonly p: Project,
    readonly name: string,
  ) {}
  check = () => true;
  async run(m: Model, h: Harness) {
    const path = { secret_name: this.name };
    const list = await h.csms(this.p).listSecretVersions({ params: { path, query: {} } });
    const secret = m.secrets[this.p].get(this.name);
    if (!secret) return expect(list.response.status).toBe(404);
    expect(list.response.status).toBe(200);
    const stages = list.data.version_metadatas.map((v: any) => [
      v.id,
      [...v.version_stages].sort(),
    ]);
    const want = [...secret.values.keys()].map((id) => [
      id,
      [...secret.stages]
        .filter(([, v]) => v === id)
        .map(([stage]) => stage)
        .sort(),
    ]);
    expect(stages).toEqual(want);
    for (const [id, value] of secret.values) {
      const r = await h
        .csms(this.p)
        .showSecretVersion({ params: { path: { ...path, version_id: id } } });
      if (secret.pending) {
        expect(r.response.status).toBe(400);
        continue;
      }
      expect(r.response.status).toBe(200);
      if (value !== undefined) expect(r.data.version.secret_string).toBe(value);
      else expect(r.data.version.secret_string).toMatch(/^[A-Za-z0-9_-]+$/);
    }
    const latest = await h
      .csms(this.p)
      .showSecretVersion({ params: { path: { ...path, version_id: "latest" } } });
    if (secret.pending) return expect(latest.response.status).toBe(400);
    expect(latest.data.version.version_metadata.id).toBe(secret.stages.get("SYSCURRENT"));
  }
  toString = () => `showVersions(${this.p}, ${this.name})`;
}

class DeleteSecret implements Cmd {
  constructor(
    readonly p: Project,
    readonly name: string,
  ) {}
  check = () => true;
  async run(m: Model, h: Harness) {
    const r = await h.csms(this.p).deleteSecret({ params: { path: { secret_name: this.name } } });
    traced(m, this.p, "deleteSecret", r.response.status);
    const secret = m.secrets[this.p].get(this.name);
    if (!secret) return expect(r.response.status).toBe(404);
    expect(r.response.status).toBe(204);
    m.secrets[this.p].delete(this.name);
    fired(m, this.p, secret, "SECRET_DELETED");
  }
  toString = () => `deleteSecret(${this.p}, ${this.name})`;
}

class MoveStage implements Cmd {
  constructor(
    readonly p: Project,
    readonly name: string,
    readonly stage: string,
    readonly pick: number,
  ) {}
  check = () => true;
  async run(m: Model, h: Harness) {
    const secret = m.secrets[this.p].get(this.name);
    // A version of the secret, or one past its newest (unknown).
    const versionId = `v${1 + (this.pick % ((secret?.last ?? 1) + 1))}`;
    const r = await h.csms(this.p).updateSecretStage({
      params: { path: { secret_name: this.name, stage_name: this.stage } },
      body: { version_id: versionId },
    });
    traced(m, this.p, "updateSecretStage", r.response.status);
    if (this.stage === "SYSPREVIOUS") return expect(r.response.status).toBe(400);
    if (!secret) return expect(r.response.status).toBe(404);
    if (secret.pending) return expect(r.response.status).toBe(400);
    if (!secret.values.has(versionId)) return expect(r.response.status).toBe(404);
    expect(r.response.status).toBe(200);
    expect(r.data.stage).toMatchObject({
      name: this.stage,
      secret_name: this.name,
      version_id: versionId,
    });
    if (this.stage === "SYSCURRENT") {
      const current = secret.stages.get("SYSCURRENT") as string;
      if (current !== versionId) secret.stages.set("SYSPREVIOUS", current);
    }
    secret.stages.set(this.stage, versionId);
  }
  toString = () => `moveStage(${this.p}, ${this.name}, ${this.stage}, ${this.pick})`;
}

class ShowOrDeleteStage implements Cmd {
  constructor(
    readonly p: Project,
    readonly name: string,
    readonly stage: string,
    readonly remove: boolean,
  ) {}
  check = () => true;
  async run(m: Model, h: Harness) {
    const path = { secret_name: this.name, stage_name: this.stage };
    const secret = m.secrets[this.p].get(this.name);
    const holder = secret?.stages.get(this.stage);
    if (!this.remove) {
      const r = await h.csms(this.p).showSecretStage({ params: { path } });
      if (holder === undefined) return expect(r.response.status).toBe(404);
      expect(r.response.status).toBe(200);
      return expect(r.data.stage.version_id).toBe(holder);
    }
    const r = await h.csms(this.p).deleteSecretStage({ params: { path } });
    traced(m, this.p, "deleteSecretStage", r.response.status);
    if (this.stage.startsWith("SYS")) return expect(r.response.status).toBe(400);
    if (!secret) return expect(r.response.status).toBe(404);
    if (secret.pending) return expect(r.response.status).toBe(400);
    if (holder === undefined) return expect(r.response.status).toBe(404);
    expect(r.response.status).toBe(204);
    secret.stages.delete(this.stage);
  }
  toString = () =>
    `${this.remove ? "deleteStage" : "showStage"}(${this.p}, ${this.name}, ${this.stage})`;
}

class ScheduleOrRestore implements Cmd {
  constructor(
    readonly p: Project,
    readonly name: string,
    readonly days: number | undefined,
  ) {}
  check = () => true;
  async run(m: Model, h: Harness) {
    const path = { secret_name: this.name };
    const r =
      this.days === undefined
        ? await h.csms(this.p).restoreSecret({ params: { path } })
        : await h.csms(this.p).deleteSecretForSchedule({
            params: { path },
            body: { recovery_window_in_days: this.days },
          });
    traced(
      m,
      this.p,
      this.days === undefined ? "restoreSecret" : "deleteSecretForSchedule",
      r.response.status,
    );
    const secret = m.secrets[this.p].get(this.name);
    if (!secret) return expect(r.response.status).toBe(404);
    const scheduling = this.days !== undefined;
    if (secret.pending === scheduling) return expect(r.response.status).toBe(400);
    expect(r.response.status).toBe(200);
    secret.pending = scheduling;
    expect(r.data.secret.state).toBe(scheduling ? "PENDING_DELETE" : "ENABLED");
    expect(r.data.secret.scheduled_delete_time !== undefined).toBe(scheduling);
  }
  toString = () =>
    this.days === undefined
      ? `restore(${this.p}, ${this.name})`
      : `scheduleDeletion(${this.p}, ${this.name}, ${this.days})`;
}

class ListSecretsAndRecords implements Cmd {
  constructor(readonly p: Project) {}
  check = () => true;
  async run(m: Model, h: Harness) {
    const secrets = await h.csms(this.p).listSecrets({ params: { query: {} } });
    expect(secrets.data.secrets.map((s: any) => s.name)).toEqual(
      [...m.secrets[this.p].keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)),
    );
    // A record is written once its notification's outcome is known: flush first.
    await h.admin.flushDeliveries();
    const r = await h.csms(this.p).listNotificationRecords({ params: { query: {} } });
    expect(r.response.status).toBe(200);
    expect(r.data.records.map((x: any) => [x.event_name, x.trigger_event_type])).toEqual(
      m.records[this.p],
    );
    for (const x of r.data.records) expect(x.notification_status).toBe("INVALID");
  }
  toString = () => `listSecretsAndRecords(${this.p})`;
}

class SetRotation implements Cmd {
  constructor(
    readonly p: Project,
    readonly name: string,
    readonly period: string | undefined,
  ) {}
  check = () => true;
  async run(m: Model, h: Harness) {
    const on = this.period !== undefined;
    const r = await h.csms(this.p).updateSecret({
      params: { path: { secret_name: this.name } },
      body: on ? { auto_rotation: true, rotation_period: this.period } : { auto_rotation: false },
    });
    traced(m, this.p, "updateSecret", r.response.status);
    if (!m.secrets[this.p].has(this.name)) return expect(r.response.status).toBe(404);
    // The service's bounds on an automatic rotation period: 6 hours to 365 days.
    if (this.period === "5h" || this.period === "366d") {
      return expect(r.response.status).toBe(400);
    }
    expect(r.response.status).toBe(200);
    const secret = r.data.secret;
    expect(secret.auto_rotation).toBe(on);
    const hours = { "30d": 720, "365d": 8760 }[this.period ?? ""];
    if (hours === undefined) expect(secret.next_rotation_time).toBeUndefined();
    else expect(secret.next_rotation_time).toBe(secret.update_time + hours * 3_600_000);
  }
  toString = () => `setRotation(${this.p}, ${this.name}, ${this.period})`;
}

class ListTasks implements Cmd {
  constructor(
    readonly p: Project,
    readonly limit: number,
  ) {}
  check = () => true;
  async run(m: Model, h: Harness) {
    const got: [string, string][] = [];
    let marker: string | undefined;
    for (;;) {
      const query = { limit: this.limit, ...(marker !== undefined && { marker }) };
      const r = await h.csms(this.p).listSecretTask({ params: { query } });
      expect(r.response.status).toBe(200);
      expect(r.data.total).toBe(r.data.tasks.length);
      for (const t of r.data.tasks) {
        expect(t).toMatchObject({ task_status: "SUCCESS", operate_type: "MANUAL" });
        got.push([t.secret_name, t.task_id]);
      }
      marker = r.data.next_marker;
      if (marker === undefined) break;
    }
    expect(got).toEqual(m.tasks[this.p]);
  }
  toString = () => `listTasks(${this.p}, ${this.limit})`;
}

export const project = fc.constantFrom(...projects);
const name = fc.constantFrom(...names);
const types = fc.uniqueArray(
  fc.constantFrom(
    "SECRET_VERSION_CREATED",
    "SECRET_VERSION_EXPIRED",
    "SECRET_ROTATED",
    "SECRET_DELETED",
    "SECRET_ROTATED_FAILED",
  ),
  { minLength: 1, maxLength: 5 },
);
export const secretName = fc.constantFrom("db", "s.1", "api-key");
const stage = fc.constantFrom("SYSCURRENT", "SYSPREVIOUS", "blue", "green");
const secretValue = fc.nat().map((n) => `value-${n}-of-a-secret`);
/** The end of a run: every secret of the model, its versions, values and stages, checked. */
export async function checkSecrets(m: Model, h: Harness) {
  for (const p of projects) {
    for (const [name, secret] of m.secrets[p]) {
      await new ShowVersions(p, name).run(m, h);
      for (const stage of secret.stages.keys()) {
        await new ShowOrDeleteStage(p, name, stage, false).run(m, h);
      }
    }
  }
}

/** Secrets only, with their versions, stages and scheduled deletion: sequences that reach deep. */
export function secretCommands(): fc.Arbitrary<Cmd>[] {
  const p = fc.constant<Project>("p1");
  const secretName = fc.constantFrom("db", "s.1");
  return [
    fc.tuple(p, secretName, secretValue).map(([q, n, v]) => new CreateSecret(q, n, undefined, v)),
    fc
      .tuple(p, secretName, fc.option(secretValue, { nil: undefined }))
      .map(([q, n, v]) => new AddVersion(q, n, v)),
    fc.tuple(p, secretName).map(([q, n]) => new ShowVersions(q, n)),
    fc.tuple(p, secretName).map(([q, n]) => new DeleteSecret(q, n)),
    fc.tuple(p, secretName, stage, fc.nat(20)).map(([q, n, st, v]) => new MoveStage(q, n, st, v)),
    fc
      .tuple(p, secretName, stage, fc.boolean())
      .map(([q, n, st, d]) => new ShowOrDeleteStage(q, n, st, d)),
    fc
      .tuple(p, secretName, fc.constantFrom(7, 30, undefined))
      .map(([q, n, d]) => new ScheduleOrRestore(q, n, d)),
  ];
}

export const commands = [
  fc.tuple(project, name, types).map(([p, n, t]) => new CreateEvent(p, n, t)),
  fc
    .tuple(project, name, fc.constantFrom("ENABLED", "DISABLED"))
    .map(([p, n, s]) => new UpdateEvent(p, n, s)),
  fc.tuple(project, name).map(([p, n]) => new ShowEvent(p, n)),
  fc.tuple(project, name).map(([p, n]) => new DeleteEvent(p, n)),
  fc.tuple(project, fc.integer({ min: 1, max: 4 })).map(([p, l]) => new PageEvents(p, l)),
  fc
    .tuple(project, name, fc.constantFrom("smn" as const, "fun" as const))
    .map(([p, n, t]) => new CreateNotification(p, n, t)),
  fc
    .tuple(project, fc.array(fc.nat(20), { maxLength: 3 }), fc.boolean())
    .map(([p, i, g]) => new DeleteNotifications(p, i, g)),
  fc
    .tuple(project, fc.constantFrom("smn" as const, "fun" as const))
    .map(([p, t]) => new ListNotifications(p, t)),
  fc
    .tuple(project, fc.constantFrom("deleteServer", "createVpc"))
    .map(([p, n]) => new InjectTrace(p, n)),
  project.map((p) => new ListTraces(p)),
  project.map((p) => new ListDeliveries(p)),
  fc
    .tuple(project, secretName, fc.option(name, { nil: undefined }), secretValue)
    .map(([p, n, e, v]) => new CreateSecret(p, n, e, v)),
  fc
    .tuple(project, secretName, fc.option(secretValue, { nil: undefined }))
    .map(([p, n, v]) => new AddVersion(p, n, v)),
  fc.tuple(project, secretName).map(([p, n]) => new ShowVersions(p, n)),
  fc.tuple(project, secretName).map(([p, n]) => new DeleteSecret(p, n)),
  project.map((p) => new ListSecretsAndRecords(p)),
  fc
    .tuple(project, secretName, stage, fc.nat(20))
    .map(([p, n, st, v]) => new MoveStage(p, n, st, v)),
  fc
    .tuple(project, secretName, stage, fc.boolean())
    .map(([p, n, st, d]) => new ShowOrDeleteStage(p, n, st, d)),
  fc
    .tuple(project, secretName, fc.constantFrom(7, 30, undefined))
    .map(([p, n, d]) => new ScheduleOrRestore(p, n, d)),
  fc
    // Periods beyond the differential suite's clock moves (5 days): no scheduled rotation runs
    // behind the model's back.
    .tuple(project, secretName, fc.constantFrom(undefined, "30d", "365d", "5h", "366d"))
    .map(([p, n, period]) => new SetRotation(p, n, period)),
  fc.tuple(project, fc.integer({ min: 1, max: 3 })).map(([p, l]) => new ListTasks(p, l)),
];

/** A model with nothing in it: the state after a full reset. */
export function emptyModel(): Model {
  const m = {} as Model;
  for (const p of projects) forget(m, p);
  return m;
}

/** The model of a project after its reset: nothing in it. */
export function forget(m: Model, p: Project) {
  for (const key of ["events", "notifications", "secrets"] as const) {
    m[key] = { ...m[key], [p]: new Map() } as any;
  }
  m.traces = { ...m.traces, [p]: [] } as Model["traces"];
  m.records = { ...m.records, [p]: [] } as Model["records"];
  m.tasks = { ...m.tasks, [p]: [] } as Model["tasks"];
  m.deliveries = { ...m.deliveries, [p]: 0 } as Model["deliveries"];
}
