/** The sink configuration: validation against openapi/shared/Sinks.json, lookups per project. */
import { describe, expect, it } from "vitest";
import { parseSinks, SinkConfigError, Sinks, sinksSchema } from "../../src/events/sinks.js";

const SMN = "urn:smn:cn-north-4:p1:topic";
const FN = "urn:fss:cn-north-4:p1:function:default:audit";
const example = (sinksSchema.examples as unknown[])[0];

function problems(value: unknown): string[] {
  try {
    parseSinks(value);
  } catch (e) {
    expect(e).toBeInstanceOf(SinkConfigError);
    return [...(e as SinkConfigError).problems];
  }
  throw new Error("expected the configuration to be rejected");
}

describe("parseSinks", () => {
  it("accepts the issue's format and the schema's own example", () => {
    const config = {
      [SMN]: [
        { protocol: "http", endpoint: "http://127.0.0.1:9000/smn" },
        { protocol: "https", endpoint: "https://receiver.example.org/smn?x=1" },
      ],
      [`${FN}:latest`]: { endpoint: "http://127.0.0.1:9000/fn" },
    };
    expect(parseSinks(config)).toEqual(config);
    expect(parseSinks(example)).toEqual(example);
    expect(parseSinks({})).toEqual({});
  });

  it("rejects other schemes, a protocol that is not the endpoint's scheme, user info, bad URLs", () => {
    expect(
      problems({ [SMN]: [{ protocol: "http", endpoint: "ftp://127.0.0.1/x" }] }).join(),
    ).toContain(`sinks/${SMN}/0/endpoint`);
    expect(
      problems({ [SMN]: [{ protocol: "email", endpoint: "http://127.0.0.1/x" }] }).join(),
    ).toContain(`sinks/${SMN}/0/protocol`);
    expect(
      problems({ [SMN]: [{ protocol: "https", endpoint: "http://127.0.0.1/x" }] }).join(),
    ).toContain(`sinks/${SMN}/0/endpoint`);
    expect(problems({ [FN]: { endpoint: "http://user:pass@127.0.0.1/x" } }).join()).toContain(
      `sinks/${FN}/endpoint`,
    );
    expect(problems({ [FN]: { endpoint: "http://[::1/x" } }).join()).toContain(
      "is not a valid URL",
    );
    expect(problems({ [FN]: { endpoint: "file:///etc/passwd" } }).length).toBeGreaterThan(0);
  });

  it("rejects keys that are not SMN or FunctionGraph URNs, and the wrong shape per kind", () => {
    expect(problems({ "http://evil": [] }).join()).toContain(
      "http://evil is not an SMN topic URN or a FunctionGraph function URN",
    );
    expect(problems({ [SMN]: { endpoint: "http://127.0.0.1/x" } }).join()).toContain(
      `sinks/${SMN}`,
    );
    expect(
      problems({ [FN]: [{ protocol: "http", endpoint: "http://127.0.0.1/x" }] }).join(),
    ).toContain(`sinks/${FN}`);
    expect(
      problems({ [SMN]: [{ protocol: "http", endpoint: "http://127.0.0.1/x", extra: 1 }] }).join(),
    ).toContain("extra");
    expect(problems([]).length).toBeGreaterThan(0);
    expect(problems(null).length).toBeGreaterThan(0);
  });
});

describe("Sinks", () => {
  const sinks = new Sinks({
    [SMN]: [{ protocol: "http", endpoint: "http://127.0.0.1:9000/smn" }],
    [`${FN}:latest`]: { endpoint: "http://127.0.0.1:9000/fn" },
    "urn:smn:cn-north-4:p2:topic": [{ protocol: "http", endpoint: "http://127.0.0.1:9000/p2" }],
  });

  it("finds a topic's subscriptions and a function's endpoint (with or without :latest)", () => {
    expect(sinks.subscriptions("p1", SMN)).toEqual([
      { protocol: "http", endpoint: "http://127.0.0.1:9000/smn" },
    ]);
    expect(sinks.functionEndpoint("p1", FN)).toBe("http://127.0.0.1:9000/fn");
    expect(sinks.functionEndpoint("p1", `${FN}:latest`)).toBe("http://127.0.0.1:9000/fn");
    expect(sinks.functionEndpoint("p1", `${FN}:v2`)).toBeUndefined();
    expect(sinks.allows("p1", SMN, "http://127.0.0.1:9000/smn")).toBe(true);
    expect(sinks.allows("p1", SMN, "http://127.0.0.1:9000/fn")).toBe(false);
  });

  it("never hands out another project's sinks", () => {
    expect(sinks.subscriptions("p1", "urn:smn:cn-north-4:p2:topic")).toEqual([]);
    expect(sinks.subscriptions("p2", SMN)).toEqual([]);
    expect(sinks.functionEndpoint("p2", FN)).toBeUndefined();
    expect(sinks.allows("p1", "urn:smn:cn-north-4:p2:topic", "http://127.0.0.1:9000/p2")).toBe(
      false,
    );
  });

  it("replaces the configuration whole, and keeps the old one when the new one is invalid", () => {
    const s = new Sinks({ [SMN]: [{ protocol: "http", endpoint: "http://127.0.0.1:1/a" }] });
    expect(() => s.replace({ [SMN]: [{ protocol: "gopher", endpoint: "x" }] })).toThrow(
      SinkConfigError,
    );
    expect(s.current()).toEqual({
      [SMN]: [{ protocol: "http", endpoint: "http://127.0.0.1:1/a" }],
    });
    s.replace({});
    expect(s.subscriptions("p1", SMN)).toEqual([]);
    const copy = s.current();
    copy[SMN] = [];
    expect(s.current()).toEqual({});
  });
});
