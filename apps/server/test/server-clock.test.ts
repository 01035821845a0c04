/** The server clock as replicas share it: the offset and full resets read from the store. */
import { expect, it } from "vitest";
import { serverClock } from "../src/operation.js";

it("takes on the stored offset and resets, never an offset read before a reset it has seen", () => {
  const clock = serverClock(true);
  clock.sync(3_600_000, 0);
  expect(clock.offset()).toBe(3_600_000);
  // A full reset through this replica: the store counts it as the first.
  clock.restart(1);
  expect(clock.offset()).toBe(0);
  // A read made before that reset (a sweep's) resolves only now: its offset is the old one.
  clock.sync(3_600_000, 0);
  expect(clock.offset()).toBe(0);
  // A read made after it moves the clock ahead; an older, smaller offset never moves it back.
  clock.sync(60_000, 1);
  expect(clock.offset()).toBe(60_000);
  clock.sync(0, 1);
  expect(clock.offset()).toBe(60_000);
  // A full reset through another replica restarts it first.
  clock.sync(1_000, 2);
  expect(clock.offset()).toBe(1_000);
});
