/**
 * The reload of the countdown at each lap (core/pace.ts): pure functions of the pace, the items of the
 * last lap and the time they took.
 */
import { describe, expect, test } from '@jest/globals';
import fc from 'fast-check';
import { IDLE_COUNTDOWN, MAX_COUNTDOWN, MAX_PACE, MAX_SPAN_MS, nextCountdown, nextPace, strideFor } from '../src/core/pace.js';

describe('nextPace', () => {
  test('aims at the items of one stride at the rate measured', () => {
    expect(nextPace(100, 50, 10, 25)).toBe(125); // 5 items/ms × 25 ms
    expect(nextPace(100, 10, 100, 25)).toBe(2); // 0.1 items/ms × 25 ms = 2.5, rounded down
  });

  test('at most doubles from one lap to the next, and doubles when no time was seen to pass', () => {
    expect(nextPace(1, 1_000, 1, 25)).toBe(2);
    expect(nextPace(300, 1_000_000, 1, 25)).toBe(600);
    expect(nextPace(7, 7, 0, 25)).toBe(14);
    let pace = 1;
    const seen = [];
    for (let lap = 0; lap < 5; lap++) seen.push((pace = nextPace(pace, pace, 0, 25)));
    expect(seen).toEqual([2, 4, 8, 16, 32]); // a ramp from 1 takes a few reads
  });

  test('falls at once, but never below 1', () => {
    expect(nextPace(1_000_000, 1, 1_000, 25)).toBe(1);
    expect(nextPace(5_000, 0, 10, 25)).toBe(1); // no items in the lap (a count brought in elsewhere)
  });

  test(`never exceeds ${MAX_PACE}`, () => {
    expect(nextPace(MAX_PACE, 1e12, 1, 25)).toBe(MAX_PACE);
    expect(nextPace(IDLE_COUNTDOWN, 1, 0, 25)).toBe(MAX_PACE);
  });

  test('is an integer in [1, MAX_PACE] whatever it is given', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: IDLE_COUNTDOWN }),
        fc.double({ min: -1e6, max: 1e9, noNaN: true }),
        fc.double({ min: -10, max: 1e6, noNaN: true }),
        fc.double({ min: 1, max: 1e6, noNaN: true }),
        (pace, items, dt, stride) => {
          const next = nextPace(pace, items, dt, stride);
          expect(Number.isInteger(next)).toBe(true);
          expect(next).toBeGreaterThanOrEqual(1);
          expect(next).toBeLessThanOrEqual(Math.max(1, Math.min(MAX_PACE, pace * 2)));
        },
      ),
    );
  });
});

describe('nextCountdown', () => {
  test(`is the pace, but at most ${MAX_COUNTDOWN} items`, () => {
    expect(nextCountdown(10, 10, 0)).toBe(10);
    expect(nextCountdown(1_000, 1_000, 0)).toBe(MAX_COUNTDOWN);
  });

  test(`and at most the items of ${MAX_SPAN_MS} ms at the rate measured`, () => {
    expect(nextCountdown(1_000, 1_000, 1)).toBe(20); // 1 µs items: 20 in 20 µs
    expect(nextCountdown(1_000, 1_000, 0.001)).toBe(MAX_COUNTDOWN); // 1 ns items: the cap of 64 comes first
    expect(nextCountdown(5, 1, 10)).toBe(1); // items slower than 20 µs: a read on every item
  });

  test('rounds, so that a span of 1.9999… items (clock rounding) is 2, and is never below 1', () => {
    expect(nextCountdown(100, 99.99, 1)).toBe(2); // 1.9998 items
    expect(nextCountdown(100, 70, 1)).toBe(1); // 1.4 items
    expect(nextCountdown(1, 1_000, 0)).toBe(1);
  });

  test('stays within [1, min(pace, 64)] whatever it is given', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: MAX_PACE }),
        fc.double({ min: -1e6, max: 1e9, noNaN: true }),
        fc.double({ min: -10, max: 1e6, noNaN: true }),
        (pace, items, dt) => {
          const next = nextCountdown(pace, items, dt);
          expect(Number.isInteger(next)).toBe(true);
          expect(next).toBeGreaterThanOrEqual(1);
          expect(next).toBeLessThanOrEqual(Math.max(1, Math.min(pace, MAX_COUNTDOWN)));
        },
      ),
    );
  });
});

test('a lap aims at a quarter of minInterval, at least 1 ms', () => {
  expect(strideFor(100)).toBe(25);
  expect(strideFor(0)).toBe(1);
});

test('four laps per frame interval, whatever the item rate: the ramp settles where the formula says', () => {
  // A loop of items of `ms` each, minInterval 100: the pace settles at the items of 25 ms.
  for (const ms of [0.0001, 0.01, 1]) {
    let pace = 1;
    let countdown = 1;
    for (let lap = 0; lap < 40; lap++) {
      pace = nextPace(pace, countdown, countdown * ms, strideFor(100));
      countdown = nextCountdown(pace, countdown, countdown * ms);
    }
    expect(Math.abs(pace - Math.min(25 / ms, MAX_PACE))).toBeLessThanOrEqual(1); // floored, after float rounding
    expect(countdown).toBe(Math.max(1, Math.min(MAX_COUNTDOWN, Math.round(MAX_SPAN_MS / ms), pace)));
  }
});
