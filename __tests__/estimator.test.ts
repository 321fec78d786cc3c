/**
 * The rate estimator and the progress state: pure arithmetic on an injected time, no I/O, no sleeps; and
 * what a bar's line says of them (stalls, the ETA, one rate for one job on a terminal and in a log).
 */
import { spawnSync } from 'node:child_process';
import { beforeAll, describe, expect, test } from '@jest/globals';
import fc from 'fast-check';
import { RateEstimator } from '../src/core/estimator.js';
import { ProgressState } from '../src/core/state.js';
import { formatLine } from '../src/format/line.js';
import { progress } from '../src/index.js';
import { FakeClock } from '../test-support/fake-clock.js';
import { MemoryStream } from '../test-support/memory-stream.js';
import { ensureBuilt, repoRoot } from '../test-support/pty.js';

/** A state with a window of `rateWindow` milliseconds, started at t = 0 ms. */
function startedState(options: { total?: number; initial?: number; rateWindow?: number } = {}): ProgressState {
  const state = new ProgressState(
    { initial: options.initial ?? 0, total: options.total, desc: '', rateWindow: options.rateWindow ?? 10_000 },
    'it',
    false,
    'auto',
  );
  state.start(0);
  return state;
}

function relativeError(actual: number, expected: number): number {
  return Math.abs(actual - expected) / Math.abs(expected);
}

describe('RateEstimator', () => {
  test('a steady rate is exact whatever the sampling pattern and window', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 1e-3, max: 1e7, noNaN: true }),
        fc.constantFrom(0, 500, 1000, 10_000, 15_000, Infinity),
        fc.array(fc.oneof(fc.constant(0), fc.double({ min: 1e-3, max: 60_000, noNaN: true })), {
          minLength: 1,
          maxLength: 60,
        }),
        (rate, window, steps) => {
          fc.pre(steps.some((dt) => dt > 0));
          const est = new RateEstimator(window);
          for (const dt of steps) est.sample((rate * dt) / 1000, dt);
          const seen = est.rate();
          expect(seen).toBeDefined();
          expect(relativeError(seen!, rate)).toBeLessThan(1e-9);
        },
      ),
    );
  });

  test('undefined before the first timed sample', () => {
    const est = new RateEstimator(10_000);
    expect(est.rate()).toBeUndefined();
    expect(est.rate(5_000)).toBeUndefined();
    est.sample(3, 0); // simultaneous steps carry no time yet
    expect(est.rate()).toBeUndefined();
    est.sample(1, 100);
    // The 3 + 1 items over 100 ms (the 3 decay by the step's 100 ms: 0.1^(0.1 / 10) ≈ 0.977).
    expect(relativeError(est.rate()!, 40)).toBeLessThan(0.02);
  });

  test('follows a change of pace within the window, and only partly before it', () => {
    const est = new RateEstimator(10_000);
    for (let t = 0; t < 60_000; t += 100) est.sample(10, 100); // 100/s for a minute
    expect(est.rate()).toBeCloseTo(100, 9);
    for (let t = 0; t < 10_000; t += 100) est.sample(1, 100); // 10/s for one window
    const afterOneWindow = est.rate()!;
    // A sample one window old weighs 10%: about 0.1·100 + 0.9·10 = 19.
    expect(afterOneWindow).toBeGreaterThan(15);
    expect(afterOneWindow).toBeLessThan(25);
    for (let t = 0; t < 20_000; t += 100) est.sample(1, 100); // two more windows
    expect(relativeError(est.rate()!, 10)).toBeLessThan(0.01);
  });

  test('window 0 reports the last step only', () => {
    const est = new RateEstimator(0);
    est.sample(1000, 1000);
    expect(est.rate()).toBe(1000);
    est.sample(3, 2000);
    expect(est.rate()).toBe(1.5);
  });

  test('window Infinity reports the overall average', () => {
    const est = new RateEstimator(Infinity);
    est.sample(100, 1000);
    est.sample(10, 9000);
    est.sample(0, 10_000);
    expect(est.rate()).toBeCloseTo(110 / 20, 12);
  });

  test('silence shorter than the time per item leaves the rate alone; longer silence lowers it', () => {
    const est = new RateEstimator(10_000);
    for (let i = 0; i < 100; i++) est.sample(1, 100); // 10/s
    expect(est.rate(0)).toBeCloseTo(10, 9);
    expect(est.rate(99)).toBeCloseTo(10, 9);
    const r1 = est.rate(1_000)!;
    const r10 = est.rate(10_000)!;
    const r60 = est.rate(60_000)!;
    expect(r1).toBeLessThan(10);
    expect(r10).toBeLessThan(r1);
    expect(r60).toBeLessThan(r10);
    expect(r60).toBeGreaterThanOrEqual(0);
  });
  test('steps that come in chunks: a silence up to 1.5 × the usual gap is their rhythm, a longer one lowers the rate', () => {
    // A download: 1 MB every 2 s, each after a silence that was seen. Time per byte says nothing here.
    for (const window of [0, 500, 10_000, Infinity]) {
      const est = new RateEstimator(window);
      for (let i = 0; i < 30; i++) est.sample(1_000_000, 2_000, 2_000);
      expect(relativeError(est.rate(0)!, 500_000)).toBeLessThan(1e-9);
      expect(relativeError(est.rate(2_900)!, 500_000)).toBeLessThan(1e-9);
      expect(relativeError(est.rate(3_000)!, 500_000)).toBeLessThan(1e-9); // exactly 1.5 gaps: still the rhythm
      const late = est.rate(3_500)!;
      expect(late).toBeLessThan(500_000);
      // The last step only (window 0) is a step of nothing at once; otherwise the rate keeps falling.
      if (window === 0) expect(late).toBe(0);
      else expect(est.rate(10_000)!).toBeLessThan(late);
    }
  });

  test('the usual gap follows the recent steps: chunks that slow down from 1 s to 4 s apart widen the grace', () => {
    const est = new RateEstimator(10_000);
    for (let i = 0; i < 60; i++) est.sample(1_000, 1_000, 1_000);
    expect(est.rate(2_000)!).toBeLessThan(1_000); // 2 s without a chunk that comes every 1 s: a stall
    for (let i = 0; i < 30; i++) est.sample(4_000, 4_000, 4_000);
    expect(relativeError(est.rate(5_000)!, 1_000)).toBeLessThan(1e-6); // 5 s when they come every ~4 s: not yet
    expect(est.rate(8_000)!).toBeLessThan(1_000);
  });

  test('progress taken back (a negative step) never shows a negative rate', () => {
    for (const window of [0, 10_000, Infinity]) {
      const est = new RateEstimator(window);
      est.sample(10, 1_000);
      est.sample(-30, 1_000); // `bar.update(-30)`: a retry undoes work
      for (const idle of [0, 100, 1_000, 60_000]) expect(est.rate(idle)).toBe(0);
      est.sample(-5, 0);
      expect(est.rate()).toBe(0);
    }
  });

  test('simultaneous steps are counted, steps back at the same instant are not', () => {
    const est = new RateEstimator(Infinity);
    est.sample(10, 1_000);
    est.sample(5, 0);
    expect(est.rate()).toBe(15);
    est.sample(-5, 0);
    expect(est.rate()).toBe(15);
  });
});

describe('the stall rule, exactly', () => {
  test('a silence beyond the grace weighs as a step of nothing as long as its excess, whatever the window', () => {
    for (const window of [500, 10_000, 15_000]) {
      const stalled = new RateEstimator(window);
      const stepped = new RateEstimator(window);
      for (let i = 0; i < 100; i++) {
        stalled.sample(1, 100);
        stepped.sample(1, 100);
      }
      // 10/s, steps 100 ms apart: the grace is 1.5 gaps, 150 ms. 5.15 s of silence is 5 s beyond it.
      stepped.sample(0, 5_000);
      expect(relativeError(stalled.rate(5_150)!, stepped.rate()!)).toBeLessThan(1e-12);
    }
  });
});

describe('ProgressState', () => {
  test('rate and ETA are undefined until there is a sample', () => {
    const state = startedState({ total: 10 });
    for (const now of [0, 100, 5_000]) {
      const s = state.snapshot(now);
      expect(s.rate).toBeUndefined();
      expect(s.eta).toBeUndefined();
    }
    state.n = 1;
    state.sample(1_000);
    const s = state.snapshot(1_000);
    expect(s.rate).toBeCloseTo(1, 9);
    expect(s.eta).toBeCloseTo(9, 9);
  });

  test('a stall lowers the rate and raises the ETA while nothing happens, and the rate recovers', () => {
    const state = startedState({ total: 1_000 });
    let now = 0;
    for (let i = 0; i < 100; i++) {
      now += 100;
      state.n++;
      state.sample(now);
    }
    const steady = state.snapshot(now);
    expect(steady.rate).toBeCloseTo(10, 9);
    expect(steady.eta).toBeCloseTo(90, 6);

    // Silence: the rate stays while it is shorter than the time per item, then falls; the ETA rises.
    expect(state.snapshot(now + 50).rate).toBeCloseTo(10, 9);
    let lastRate = 10;
    let lastEta = steady.eta!;
    for (const idle of [500, 1_000, 5_000, 20_000, 60_000]) {
      state.sample(now + idle); // a sample without progress is not a step
      const s = state.snapshot(now + idle);
      expect(s.rate!).toBeLessThan(lastRate);
      expect(s.eta!).toBeGreaterThan(lastEta);
      lastRate = s.rate!;
      lastEta = s.eta!;
    }
    now += 60_000;

    // Progress resumes at 10/s: the rate climbs back (the stall, 3 windows old, still weighs ~1%).
    const rates: number[] = [];
    for (let i = 0; i < 300; i++) {
      now += 100;
      state.n++;
      state.sample(now);
      if (i % 50 === 49) rates.push(state.snapshot(now).rate!);
    }
    for (let i = 1; i < rates.length; i++) expect(rates[i]!).toBeGreaterThan(rates[i - 1]!);
    expect(rates[0]!).toBeLessThan(9);
    expect(relativeError(rates[rates.length - 1]!, 10)).toBeLessThan(0.02);
  });

  test('regular slow steps (1 item / 2 s) sampled every 100 ms keep a steady rate', () => {
    const state = startedState({ total: 100 });
    for (let now = 100; now <= 60_000; now += 100) {
      if (now % 2_000 === 0) state.n++;
      state.sample(now);
      const s = state.snapshot(now);
      if (now < 2_000) {
        expect(s.rate).toBeUndefined();
        continue;
      }
      expect(s.rate).toBeCloseTo(0.5, 9);
      expect(s.eta).toBeCloseTo((100 - state.n) / 0.5, 6);
    }
  });

  test('the closed rate is the overall average, and elapsed stops', () => {
    const state = startedState({ total: 500, initial: 50 });
    // A burst of 100 items in the first second, then silence for 9 s.
    for (let now = 10; now <= 1_000; now += 10) {
      state.n++;
      state.sample(now);
    }
    expect(state.snapshot(1_000).rate).toBeCloseTo(100, 6);
    state.close('done', 10_000);
    const s = state.snapshot(20_000);
    expect(s.outcome).toBe('done');
    expect(s.elapsed).toBe(10);
    expect(s.rate).toBeCloseTo(10, 12); // (150 − 50) / 10 s: `initial` is not progress made here
    expect(s.eta).toBeUndefined(); // ended short of the total: no time left is claimed
    state.close('failed', 30_000); // closing twice changes nothing
    expect(state.snapshot(40_000)).toEqual(s);
  });

  test('a bar closed without progress, or at the instant it started, shows no rate; one closed at its total shows 00:00 left', () => {
    const idle = startedState({ total: 10 });
    idle.close('done', 3_000);
    expect(idle.snapshot(3_000).rate).toBeUndefined();
    expect(formatLine(idle.snapshot(3_000), Infinity)).toMatch(/ 0\/10 \[00:03<\?, \? it\/s\]$/);
    const instant = startedState({ total: 10 });
    instant.n = 10;
    instant.close('done', 0);
    expect(instant.snapshot(0).rate).toBeUndefined();
    const full = startedState({ total: 10 });
    full.n = 10;
    full.close('done', 2_000);
    expect(full.snapshot(2_000).eta).toBe(0);
    expect(formatLine(full.snapshot(2_000), Infinity)).toMatch(/ 10\/10 \[00:02<00:00, 5\.00 it\/s\]$/);
  });

  test('a silence is seen only by a reading that comes later: two readings at the same instant are not one', () => {
    // 10 items a second, one every 100 ms; each instant is read twice (a frame and a log line at once).
    const state = startedState({ total: 1_000 });
    let now = 0;
    for (let i = 0; i < 100; i++) {
      now += 100;
      state.n++;
      state.sample(now);
      state.sample(now);
    }
    // The work's gaps were never seen: the time per item (100 ms) is the grace, and 120 ms of silence
    // already lowers the rate. Readings that had seen a 100 ms silence would have widened it to 150 ms.
    const steady = state.snapshot(now).rate!;
    expect(steady).toBeCloseTo(10, 9);
    expect(state.snapshot(now + 100).rate).toBe(steady);
    expect(state.snapshot(now + 120).rate!).toBeLessThan(steady * 0.999); // 20 ms beyond the grace: about −0.5%
  });

  test('the first step after the start follows no silence that was seen', () => {
    // 100 items in the first second, read for the first time at 1 s: the time per item (10 ms) is the grace.
    const state = startedState({ total: 1_000 });
    state.n = 100;
    state.sample(1_000);
    expect(state.snapshot(1_000).rate).toBeCloseTo(100, 9);
    expect(state.snapshot(1_500).rate!).toBeLessThan(90); // 490 ms beyond the grace
  });

  test('times are measured from the start, whatever the clock read then', () => {
    const state = new ProgressState({ initial: 0, total: 100, desc: '', rateWindow: 10_000 }, 'it', false, 'auto');
    state.start(5_000); // performance.now() is far from 0 when a bar starts
    state.n = 30;
    state.sample(8_000);
    const s = state.snapshot(8_000);
    expect(s.elapsed).toBe(3);
    expect(s.rate).toBeCloseTo(10, 9);
    state.close('done', 9_000);
    expect(state.snapshot(20_000).elapsed).toBe(4);
  });

  test('unitScale true or false is kept whatever the count; only "auto" looks at it', () => {
    const scaled = (unitScale: boolean | 'auto', n: number): boolean => {
      const state = new ProgressState({ initial: 0, total: undefined, desc: '', rateWindow: 10_000 }, 'it', false, unitScale);
      state.start(0);
      state.n = n;
      return state.snapshot(1_000).unitScale;
    };
    expect([scaled(false, 5_000_000), scaled(true, 5), scaled('auto', 5), scaled('auto', 5_000_000)]).toEqual([false, true, false, true]);
    expect(formatLine({ ...startedState().snapshot(0), n: 5_000_000, unitScale: false }, Infinity)).toMatch(/^5000000 it /);
  });

  test('n beyond the total gives an ETA of 0', () => {
    const state = startedState({ total: 10 });
    state.n = 15;
    state.sample(1_000);
    const s = state.snapshot(1_000);
    expect(s.eta).toBe(0);
    expect(s.rate).toBeCloseTo(15, 9);
  });

  test('ETA is never negative, NaN or Infinity; the rate is never negative', () => {
    const op = fc.oneof(
      fc.record({ kind: fc.constant('wait' as const), ms: fc.oneof(fc.double({ min: 1e-3, max: 1e7, noNaN: true }), fc.constant(0)) }),
      fc.record({ kind: fc.constant('step' as const), k: fc.oneof(fc.nat(1_000), fc.double({ min: 0, max: 1e9, noNaN: true })) }),
      fc.record({ kind: fc.constant('sample' as const) }),
      fc.record({ kind: fc.constant('total' as const), total: fc.option(fc.double({ min: 0, max: 1e12, noNaN: true }), { nil: undefined }) }),
    );
    fc.assert(
      fc.property(
        fc.constantFrom(0, 1, 500, 10_000, 15_000, Infinity),
        fc.option(fc.nat(1_000_000), { nil: undefined }),
        fc.array(op, { maxLength: 60 }),
        fc.boolean(),
        (rateWindow, total, ops, close) => {
          const state = startedState({ rateWindow, ...(total === undefined ? {} : { total }) });
          let now = 0;
          const check = (): void => {
            const s = state.snapshot(now);
            if (s.eta !== undefined) {
              expect(Number.isFinite(s.eta)).toBe(true);
              expect(s.eta).toBeGreaterThanOrEqual(0);
            }
            if (s.rate !== undefined) {
              expect(Number.isFinite(s.rate)).toBe(true);
              expect(s.rate).toBeGreaterThanOrEqual(0);
            }
            expect(s.elapsed).toBeGreaterThanOrEqual(0);
          };
          for (const o of ops) {
            if (o.kind === 'wait') now += o.ms;
            else if (o.kind === 'step') state.n += o.k;
            else if (o.kind === 'sample') state.sample(now);
            else state.total = o.total;
            check();
          }
          if (close) {
            state.close('done', now);
            check();
          }
        },
      ),
      { numRuns: 500 },
    );
  });

  test('a very long stall gives an unknown ETA, never an infinite one', () => {
    // The weight of the last step becomes a subnormal number after ~154–162 s of silence with a 0.5 s
    // window, ~51 min with the default 10 s: rate > 0 but total / rate overflows.
    for (const [rateWindow, from, to] of [
      [500, 150_000, 165_000],
      [10_000, 3_070_000, 3_240_000],
    ] as const) {
      for (let idle = from; idle <= to; idle += (to - from) / 150) {
        const state = startedState({ total: 1e9, rateWindow });
        state.n = 1;
        state.sample(1);
        const s = state.snapshot(1 + idle);
        if (s.eta !== undefined) expect(Number.isFinite(s.eta)).toBe(true);
        if (s.rate !== undefined) expect(Number.isFinite(s.rate)).toBe(true);
      }
    }
  });
});

describe('stalls, the ETA and the end', () => {
  test('a log read every 10 s shows a stall at its first silent reading (the rhythm of the log is not the work\'s)', () => {
    const state = startedState({ total: 10_000 });
    let now = 0;
    const lines: { rate: number; eta: number }[] = [];
    // 10 items a second, one every 100 ms, for a minute; read every 10 s as a log's status lines are.
    for (let t = 100; t <= 60_000; t += 100) {
      state.n++;
      now = t;
      if (t % 10_000 === 0) {
        state.sample(now);
        const s = state.snapshot(now);
        lines.push({ rate: s.rate!, eta: s.eta! });
      }
    }
    expect(lines.at(-1)!.rate).toBeCloseTo(10, 9);
    // Then nothing for 10 s: the next line must not repeat the old rate and ETA.
    now += 10_000;
    state.sample(now);
    const silent = state.snapshot(now);
    expect(silent.rate!).toBeLessThan(5);
    expect(silent.eta!).toBeGreaterThan(2 * lines.at(-1)!.eta);
  });

  test('chunks every 2 s, read every 100 ms, keep their rate between chunks (the silence was seen, it is the rhythm)', () => {
    const state = startedState({ total: 1e9 });
    for (let t = 100; t <= 60_000; t += 100) {
      if (t % 2_000 === 0) state.n += 1_000_000;
      state.sample(t);
      if (t > 10_000) expect(relativeError(state.snapshot(t).rate!, 500_000)).toBeLessThan(1e-9);
    }
  });

  test('right after a stall starts, and while it lasts, the line never says <00:00 with work left', () => {
    for (const rateWindow of [0, 500, 10_000, Infinity]) {
      const state = startedState({ total: 48, rateWindow });
      let now = 0;
      for (let i = 0; i < 47; i++) {
        now += 40;
        state.n++;
        state.sample(now);
      }
      let lastEta = 0;
      for (let idle = 0; idle <= 60_000; idle += 100) {
        state.sample(now + idle);
        const s = state.snapshot(now + idle);
        const line = formatLine(s, Infinity);
        expect(line).toMatch(/ 47\/48 \[\d\d:\d\d<[^,]+, /);
        expect(line).not.toContain('<00:00');
        if (s.eta !== undefined) {
          expect(s.eta).toBeGreaterThanOrEqual(lastEta); // grows while nothing arrives
          lastEta = s.eta;
        }
      }
    }
  });

  test('close() short of the total makes no claim of time left', () => {
    const state = startedState({ total: 1_000 });
    state.n = 420;
    state.sample(3_000);
    state.close('done', 3_000);
    expect(state.snapshot(3_000).eta).toBeUndefined();
    for (const tty of [false, true]) {
      const stream = new MemoryStream({ isTTY: tty, columns: 80, rows: 10 });
      const clock = new FakeClock();
      const bar = progress.bar({ total: 1_000, stream, clock: clock.read });
      clock.advance(3_000);
      bar.update(420);
      bar.close();
      expect(stream.text).toMatch(/ 420\/1000 \[00:03<\?, 140 it\/s\]/);
      expect(stream.text).not.toContain('<00:00');
    }
  });
});

describe('one job, one rate', () => {
  beforeAll(() => {
    ensureBuilt();
  }, 180_000);

  /**
   * Runs `job` (a manual bar, a gather of two tasks settling 10 ms in, or a sync loop of two 5 ms items) on
   * a terminal and in a log, in a fresh process, with a fake clock that loading log-update (with a
   * synchronous `require()`) moves on by 200 ms, as the real load takes 70–100 ms. Returns the rate each
   * final line shows.
   */
  function rates(job: 'bar' | 'gather' | 'loop'): string[] {
    const program = `
      import Module from 'node:module';
      let now = 0;
      const load = Module._load;
      Module._load = function (request, ...rest) {
        if (request === 'log-update') now += 200;
        return load.call(this, request, ...rest);
      };
      const { gather, progress } = await import(${JSON.stringify(`${repoRoot}/dist/index.js`)});
      const out = [];
      for (const isTTY of [true, false]) {
        const stream = { text: '', isTTY, columns: 80, rows: 10, write(t) { this.text += t; return true; } };
        const clock = () => now;
        if (${JSON.stringify(job)} === 'bar') {
          const bar = progress.bar({ total: 2, stream, clock });
          now += 10;
          bar.update(2);
          bar.close();
        } else if (${JSON.stringify(job)} === 'loop') {
          for (const _ of progress([0, 1], { stream, clock })) now += 5;
        } else {
          const settle = [];
          const tasks = [0, 1].map((i) => new Promise((resolve) => settle.push(() => resolve(i))));
          const all = gather(tasks, { stream, clock });
          now += 10;
          for (const s of settle) s();
          await all;
        }
        out.push(/(\\S+ it\\/s)\\][^\\]]*$/.exec(stream.text)?.[1]);
      }
      console.log(JSON.stringify(out));
    `;
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', program], { encoding: 'utf8', env: { ...process.env, NODE_OPTIONS: '' } });
    expect(r.stderr).toBe('');
    return JSON.parse(r.stdout) as string[];
  }

  test('a manual bar shows the same rate on a terminal and in a log (loading log-update is not the job\'s time)', () => {
    expect(rates('bar')).toEqual(['200 it/s', '200 it/s']);
  });

  test('so do two instant tasks of a gather', () => {
    expect(rates('gather')).toEqual(['200 it/s', '200 it/s']);
  });

  test('and a sync loop, which loads log-update before its clock starts (it cannot wait for it)', () => {
    expect(rates('loop')).toEqual(['200 it/s', '200 it/s']);
  });
});
