/**
 * `taqaddum/otel`: `recordMetrics()` with the real OpenTelemetry SDK (a MeterProvider and its readers):
 * values and attributes of the gauges, closed bars reported once more then dropped, `stop()`, the default
 * (global) meter, bad options; the built subpath export; the main entry never loading `@opentelemetry/api`.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { afterEach, describe, expect, test } from '@jest/globals';
import { metrics } from '@opentelemetry/api';
import {
  AggregationTemporality,
  InMemoryMetricExporter,
  MeterProvider,
  MetricReader,
  PeriodicExportingMetricReader,
  type ResourceMetrics,
} from '@opentelemetry/sdk-metrics';
import { progress } from '../src/index.js';
import { recordMetrics } from '../src/otel/index.js';
import { FakeClock } from '../test-support/fake-clock.js';
import { MemoryStream } from '../test-support/memory-stream.js';
import { deferred, flush } from '../test-support/tasks.js';
import { ensureBuilt, fixturesDir } from '../test-support/pty.js';

/** A reader collected by hand, delta temporality unless told (see `setup`). */
class Reader extends MetricReader {
  protected override async onShutdown(): Promise<void> {}
  protected override async onForceFlush(): Promise<void> {}
}

type Points = Record<string, { value: unknown; attributes: Record<string, unknown> }[]>;

/** The data points of the taqaddum gauges, by metric name (metrics with none left out). */
function pointsOf(resource: ResourceMetrics): Points {
  const out: Points = {};
  for (const scope of resource.scopeMetrics) {
    for (const metric of scope.metrics) {
      if (!metric.descriptor.name.startsWith('taqaddum.') || metric.dataPoints.length === 0) continue;
      out[metric.descriptor.name] = metric.dataPoints.map((p) => ({ value: p.value, attributes: { ...p.attributes } }));
    }
  }
  return out;
}

let cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.reverse()) await c();
  cleanups = [];
});

/**
 * A MeterProvider with a hand-collected reader, and `recordMetrics` on a meter of it. Delta temporality by
 * default: the SDK then exports only what the callback reported, as the specification asks of every
 * temporality; with cumulative (the SDK's default) it keeps exporting the last value of a series.
 */
function setup(temporality = AggregationTemporality.DELTA): { collect: () => Promise<Points>; stop: () => void } {
  const reader = new Reader({ aggregationTemporalitySelector: () => temporality });
  const provider = new MeterProvider({ readers: [reader] });
  const stop = recordMetrics({ meter: provider.getMeter('test') });
  cleanups.push(() => provider.shutdown(), stop);
  return {
    stop,
    collect: async () => {
      const { resourceMetrics, errors } = await reader.collect();
      expect(errors).toEqual([]);
      return pointsOf(resourceMetrics);
    },
  };
}

/** A bar in a log (a memory stream) on a fake clock; `refresh()` is a frame now. */
function logBar(desc: string, clock: FakeClock, options: Parameters<typeof progress.bar>[0] = {}) {
  return progress.bar({ stream: new MemoryStream(), clock: clock.read, desc, minInterval: 100, ...options });
}

describe('recordMetrics', () => {
  test('the gauges of a live bar: count, limit, rate, failed, with desc and unit', async () => {
    const { collect } = setup();
    const clock = new FakeClock();
    const bar = logBar('rows', clock, { total: 1_000 });
    cleanups.push(() => bar.close());
    clock.advance(2_000);
    bar.update(400);
    bar.refresh();
    const attributes = { desc: 'rows', unit: 'it' };
    expect(await collect()).toEqual({
      'taqaddum.progress.count': [{ value: 400, attributes }],
      'taqaddum.progress.limit': [{ value: 1_000, attributes }],
      'taqaddum.progress.rate': [{ value: 200, attributes }],
      'taqaddum.progress.tasks.failed': [{ value: 0, attributes }],
    });
  });

  test('a closed bar is reported once with its final values, then dropped; bars of one desc add up', async () => {
    const { collect } = setup();
    const clock = new FakeClock();
    const a = logBar('upload', clock, { total: 10, unit: 'B' });
    const b = logBar('upload', clock, { total: 30, unit: 'B' });
    const c = logBar('scan', clock);
    cleanups.push(() => a.close(), () => b.close(), () => c.close());
    clock.advance(1_000);
    a.update(5);
    b.update(10);
    c.update(7);
    a.refresh();
    const upload = { desc: 'upload', unit: 'B' };
    const scan = { desc: 'scan', unit: 'it' };
    let points = await collect();
    expect(points['taqaddum.progress.count']).toEqual([
      { value: 15, attributes: upload },
      { value: 7, attributes: scan },
    ]);
    expect(points['taqaddum.progress.limit']).toEqual([{ value: 40, attributes: upload }]); // scan has no total

    clock.advance(1_000);
    a.update(5);
    a.close();
    points = await collect();
    // a's final values (10 of 10, reported at its close, without a frame since) are still in the sum.
    expect(points['taqaddum.progress.count']).toEqual([
      { value: 20, attributes: upload },
      { value: 7, attributes: scan },
    ]);
    points = await collect();
    expect(points['taqaddum.progress.count']).toEqual([
      { value: 10, attributes: upload },
      { value: 7, attributes: scan },
    ]);
    b.close();
    c.close();
    await collect(); // their last report
    expect(await collect()).toEqual({});
  });

  test('cumulative temporality: the SDK keeps a closed bar’s final values, its running calls as 0', async () => {
    const { collect } = setup(AggregationTemporality.CUMULATIVE);
    const clock = new FakeClock();
    const call = deferred<number>();
    const it = progress.map([0], () => call.promise, { stream: new MemoryStream(), clock: clock.read, desc: 'one' });
    const done = (async () => {
      for await (const _ of it) {
        /* nothing */
      }
    })();
    await flush();
    clock.advance(100);
    it.bar.refresh();
    const attributes = { desc: 'one', unit: 'it' };
    expect((await collect())['taqaddum.progress.tasks.running']).toEqual([{ value: 1, attributes }]);
    call.resolve(1);
    await done;
    for (let i = 0; i < 2; i++) {
      const points = await collect();
      expect(points['taqaddum.progress.tasks.running']).toEqual([{ value: 0, attributes }]);
      expect(points['taqaddum.progress.count']).toEqual([{ value: 1, attributes }]);
    }
  });

  test('task bars: running and failed calls', async () => {
    const { collect } = setup();
    const clock = new FakeClock();
    const calls = [deferred<number>(), deferred<number>(), deferred<number>()];
    const it = progress.map([0, 1, 2], (i) => calls[i]!.promise, {
      stream: new MemoryStream(),
      clock: clock.read,
      desc: 'calls',
      settle: true,
      concurrency: 3,
    });
    const done = (async () => {
      for await (const _ of it) {
        /* nothing */
      }
    })();
    await flush();
    calls[0]!.reject(new Error('boom'));
    await flush();
    clock.advance(100);
    it.bar.refresh();
    const points = await collect();
    const attributes = { desc: 'calls', unit: 'it' };
    expect(points['taqaddum.progress.tasks.running']).toEqual([{ value: 2, attributes }]);
    expect(points['taqaddum.progress.tasks.failed']).toEqual([{ value: 1, attributes }]);
    expect(points['taqaddum.progress.count']).toEqual([{ value: 1, attributes }]);
    calls[1]!.resolve(1);
    calls[2]!.resolve(2);
    await done;
    const last = await collect();
    expect(last['taqaddum.progress.count']).toEqual([{ value: 3, attributes }]);
    expect(last['taqaddum.progress.tasks.running']).toEqual([{ value: 0, attributes }]); // none once it has ended
  });

  test('stop() removes the callback and the listener; it is idempotent', async () => {
    const { collect, stop } = setup();
    const clock = new FakeClock();
    const bar = logBar('stopped', clock);
    cleanups.push(() => bar.close());
    bar.update(3);
    bar.refresh();
    expect((await collect())['taqaddum.progress.count']).toHaveLength(1);
    stop();
    stop();
    clock.advance(100);
    bar.update();
    bar.refresh();
    expect(await collect()).toEqual({});
  });

  test('by default the global MeterProvider’s meter, named taqaddum with the package’s version; exported periodically', async () => {
    const exporter = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE);
    const reader = new PeriodicExportingMetricReader({ exporter, exportIntervalMillis: 60_000 });
    const provider = new MeterProvider({ readers: [reader] });
    metrics.setGlobalMeterProvider(provider);
    cleanups.push(
      () => metrics.disable(),
      () => provider.shutdown(),
    );
    const stop = recordMetrics();
    cleanups.push(stop);
    const clock = new FakeClock();
    const bar = logBar('global', clock, { total: 2 });
    bar.update();
    bar.refresh();
    bar.close();
    await reader.forceFlush();
    const exported = exporter.getMetrics();
    expect(exported.length).toBeGreaterThan(0);
    const scope = exported.at(-1)!.scopeMetrics.find((s) => s.scope.name === 'taqaddum');
    expect(scope?.scope.version).toBe('0.1.0');
    expect(pointsOf(exported.at(-1)!)['taqaddum.progress.count']).toEqual([{ value: 1, attributes: { desc: 'global', unit: 'it' } }]);
  });

  test('bad options: a TypeError naming `meter`, or the unknown option', () => {
    expect(() => recordMetrics({ meter: 42 as never })).toThrow(
      new TypeError(
        'Expected `meter` to be an OpenTelemetry Meter (with createObservableGauge, addBatchObservableCallback, removeBatchObservableCallback), got `42` (number)',
      ),
    );
    expect(() => recordMetrics({ meter: {} as never })).toThrow(/Expected `meter` to be an OpenTelemetry Meter/);
    expect(() => recordMetrics({ metre: {} } as never)).toThrow(new TypeError('Unknown option `metre`'));
    expect(() => recordMetrics(null as never)).toThrow(new TypeError('Expected `options` to be an object, got `null` (null)'));
  });
});

describe('the built package', () => {
  test("'taqaddum/otel' as a user imports it: the subpath export, one set of bars with the main entry", () => {
    ensureBuilt();
    const r = spawnSync(process.execPath, [join(fixturesDir, 'otel.js')], { encoding: 'utf8', env: { ...process.env, NODE_OPTIONS: '' } });
    expect(r.stderr).toBe('');
    const attributes = { desc: 'rows', unit: 'it' };
    const { points, errors } = JSON.parse(r.stdout) as { points: Points; errors: number };
    expect(errors).toBe(0);
    expect(points['taqaddum.progress.count']).toEqual([{ value: 4, attributes }]);
    expect(points['taqaddum.progress.limit']).toEqual([{ value: 10, attributes }]);
  });

  test("importing 'taqaddum' (and drawing, observing) never loads @opentelemetry/api", () => {
    ensureBuilt();
    const run = (...args: string[]) =>
      spawnSync(process.execPath, [join(fixturesDir, 'otel-free.js'), ...args], { encoding: 'utf8', env: { ...process.env, NODE_OPTIONS: '' } });
    const r = run();
    expect(r.stderr).toBe('');
    const { snapshots, loaded } = JSON.parse(r.stdout) as { snapshots: number; loaded: string[] };
    expect(snapshots).toBeGreaterThanOrEqual(4); // the bars were drawn and observed
    expect(loaded.filter((path) => path.includes('@opentelemetry'))).toEqual([]);
    // The check of the check: the same program importing 'taqaddum/otel' is stopped by the hook.
    const otel = run('--otel');
    expect(otel.status).not.toBe(0);
    expect(otel.stderr).toContain('loaded @opentelemetry/api');
  });
});
