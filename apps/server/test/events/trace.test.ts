/** Trace records from served operations and from injected partial traces. */
import { describe, expect, it } from "vitest";
import { ctsTriggerEvent } from "../../src/events/functiongraph.js";
import {
  DEFAULT_TRACE_USER,
  ratingOf,
  traceFromInput,
  traceFromOperation,
} from "../../src/events/trace.js";
import { sequentialIds } from "../../src/operation.js";
import { ctsSchema, webhookSchema } from "./support.js";

const ctx = () => ({ clock: { now: () => 1_700_000_000_000 }, ids: sequentialIds() });
const validTrace = ctsSchema("Trace");

describe("trace_rating from the HTTP status", () => {
  it("normal below 400, warning for 4xx, incident for 5xx", () => {
    expect([200, 201, 204, 304, 399].map(ratingOf)).toEqual(Array(5).fill("normal"));
    expect([400, 404, 499].map(ratingOf)).toEqual(Array(3).fill("warning"));
    expect([500, 503].map(ratingOf)).toEqual(["incident", "incident"]);
  });
});

describe("traceFromOperation", () => {
  it("records a served operation as a valid management trace", () => {
    const trace = traceFromOperation(
      {
        service_type: "CTS",
        resource_type: "notification",
        trace_name: "deleteNotification",
        resource_id: "cda8fd83-d08c-46f0-b914-1453a6a85c00",
        resource_name: "keyOperate_info",
        status: 404,
        user: {
          name: "alice",
          id: "u1",
          access_key_id: "AKALICE",
          domain: { name: "acme", id: "d1" },
        },
        source_ip: "127.0.0.1",
        request_id: "req-1",
        api_version: "v3",
        request: { notification_id: "x" },
        response: { error_code: "CTS.0403", error_msg: "missing" },
        time: 1_699_999_999_990,
      },
      ctx(),
    );
    expect(trace).toMatchObject({
      trace_id: "00000000-0000-4000-8000-000000000001",
      trace_type: "ApiCall",
      trace_rating: "warning",
      code: "404",
      time: 1_699_999_999_990,
      record_time: 1_700_000_000_000,
      request: '{"notification_id":"x"}',
      user: { name: "alice", access_key_id: "AKALICE" },
    });
    expect(validTrace(trace), JSON.stringify(validTrace.errors)).toBe(true);
  });

  it("leaves out what the operation did not have", () => {
    const trace = traceFromOperation(
      {
        service_type: "CSMS",
        resource_type: "event",
        trace_name: "createSecretEvent",
        status: 200,
        user: { name: "bob" },
        source_ip: "",
        time: 5,
      },
      ctx(),
    );
    expect(Object.keys(trace).sort()).toEqual(
      [
        "code",
        "record_time",
        "resource_type",
        "service_type",
        "source_ip",
        "time",
        "trace_id",
        "trace_name",
        "trace_rating",
        "trace_type",
        "user",
      ].sort(),
    );
    expect(validTrace(trace)).toBe(true);
  });
});

describe("traceFromInput (injected)", () => {
  it("applies the documented defaults to a minimal trace", () => {
    const trace = traceFromInput(
      { service_type: "ECS", resource_type: "ecs", trace_name: "deleteServer" },
      ctx(),
    );
    expect(trace).toEqual({
      service_type: "ECS",
      resource_type: "ecs",
      trace_name: "deleteServer",
      trace_id: "00000000-0000-4000-8000-000000000001",
      trace_type: "ApiCall",
      code: "200",
      trace_rating: "normal",
      user: DEFAULT_TRACE_USER,
      source_ip: "",
      time: 1_700_000_000_000,
      record_time: 1_700_000_000_000,
    });
    expect(validTrace(trace)).toBe(true);
  });

  it("keeps what is given; the rating follows a given code; trace_id and record_time are the server's", () => {
    const trace = traceFromInput(
      {
        service_type: "ECS",
        resource_type: "ecs",
        trace_name: "deleteServer",
        code: "503",
        user: { name: "carol" },
        time: 42,
        resource_name: "vm-1",
        trace_type: "ConsoleAction",
        // @ts-expect-error the server assigns these
        trace_id: "not-mine",
        record_time: 1,
      },
      ctx(),
    );
    expect(trace).toMatchObject({
      trace_rating: "incident",
      code: "503",
      time: 42,
      resource_name: "vm-1",
      trace_type: "ConsoleAction",
      user: { name: "carol" },
    });
    expect(trace.trace_id).toBe("00000000-0000-4000-8000-000000000001");
    expect(trace.record_time).toBe(1_700_000_000_000);
    const rated = traceFromInput(
      { service_type: "A", resource_type: "b", trace_name: "c", trace_rating: "incident" },
      ctx(),
    );
    expect(rated.trace_rating).toBe("incident");
  });
});

describe("FunctionGraph CTS trigger event", () => {
  const validEvent = webhookSchema("functionGraphCtsEvent");

  it("puts the trace under cts in FunctionGraph's layout", () => {
    const trace = traceFromOperation(
      {
        service_type: "CTS",
        resource_type: "tracker",
        trace_name: "deleteTracker",
        resource_id: "t1",
        resource_name: "system",
        status: 204,
        user: { name: "u", domain: { name: "d", id: "1" } },
        source_ip: "1.2.3.4",
        request: { a: 1 },
        time: 7,
      },
      ctx(),
    );
    const event = ctsTriggerEvent(trace);
    expect(event).toEqual({
      cts: {
        time: 7,
        user: { name: "u", domain: { name: "d", id: "1" } },
        request: { a: 1 },
        response: {},
        code: 204,
        service_type: "CTS",
        resource_type: "tracker",
        resource_name: "system",
        resource_id: "t1",
        trace_name: "deleteTracker",
        trace_type: "ApiCall",
        record_time: 1_700_000_000_000,
        trace_id: trace.trace_id,
        trace_status: "normal",
      },
    });
    expect(validEvent(event), JSON.stringify(validEvent.errors)).toBe(true);
  });

  it("uses {} for a request that is not a JSON object, and leaves out a non-numeric code", () => {
    const trace = traceFromInput(
      {
        service_type: "X",
        resource_type: "y",
        trace_name: "z",
        request: "plain text",
        response: "[1]",
        code: "VPC.0514",
      },
      ctx(),
    );
    const event = ctsTriggerEvent(trace);
    expect(event.cts.request).toEqual({});
    expect(event.cts.response).toEqual({});
    expect(event.cts.code).toBeUndefined();
    expect(validEvent(event)).toBe(true);
  });
});
