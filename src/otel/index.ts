/**
 * `taqaddum/otel`: the live bars as OpenTelemetry observable gauges. Built on `progress.observe()`, from
 * the main entry (`../index.js`: the package's one bundle, so there is one set of bars and listeners),
 * and on `@opentelemetry/api`, an optional peer dependency that only this entry imports.
 *
 * The gauges hold the latest snapshot of each bar; a collection reports every bar seen, grouped by its
 * `desc` and `unit` (the attributes: bars with the same ones add up), and drops the bars that have closed
 * once it has reported their final values. The OpenTelemetry specification has an SDK export only the
 * series a callback reported; `@opentelemetry/sdk-metrics` 2 does so with delta temporality, but with
 * cumulative temporality (its default) it goes on exporting a series' last value: a closed bar's final
 * values then stay (its running calls as 0, not as the last count seen).
 */
import { readFileSync } from 'node:fs';
import { metrics, type BatchObservableCallback, type Meter, type ObservableGauge } from '@opentelemetry/api';
import { observe, type BarSnapshot } from '../index.js';
import { resolveMetricsOptions, type MetricsOptions } from '../options/otel.js';

export type { MetricsOptions };

/** The package's version, for the default meter (read on first use, never at import). */
function version(): string | undefined {
  try {
    return (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version?: string }).version;
  } catch {
    return undefined;
  }
}

/** The bars of one series (same `desc` and `unit`), added up. */
interface Series {
  readonly desc: string;
  readonly unit: string;
  n: number;
  /** `undefined` once a bar of the series has no total: the sum would be no total either. */
  total: number | undefined;
  rate: number | undefined;
  failed: number;
  running: number | undefined;
}

const add = (sum: number | undefined, value: number | undefined): number | undefined =>
  value === undefined ? sum : (sum ?? 0) + value;

function series(bars: Iterable<BarSnapshot>): Map<string, Series> {
  const all = new Map<string, Series>();
  for (const s of bars) {
    const key = JSON.stringify([s.desc, s.unit]);
    const one = all.get(key);
    if (one === undefined) {
      all.set(key, { desc: s.desc, unit: s.unit, n: s.n, total: s.total, rate: s.rate, failed: s.failed, running: s.running });
      continue;
    }
    one.n += s.n;
    one.total = one.total === undefined || s.total === undefined ? undefined : one.total + s.total;
    one.rate = add(one.rate, s.rate);
    one.failed += s.failed;
    one.running = add(one.running, s.running);
  }
  return all;
}

/**
 * Reports the live bars to OpenTelemetry as observable gauges, with the attributes `desc` and `unit`:
 * `taqaddum.progress.count` (the count so far, `n`), `taqaddum.progress.limit` (the `total`, when known),
 * `taqaddum.progress.rate` (units per second, once measured), `taqaddum.progress.tasks.failed` and, for
 * `progress.map`, `taqaddum.progress.tasks.running`. Bars with the same `desc` and `unit` add up. A bar
 * that closes is reported once more, with its final values, at the next collection, then no more.
 * Returns the function that stops the reports (idempotent).
 * @example
 * import { recordMetrics } from 'taqaddum/otel';
 * const stop = recordMetrics(); // the global MeterProvider's meter
 */
export function recordMetrics(options: MetricsOptions = {}): () => void {
  const meter: Meter = resolveMetricsOptions(options).meter ?? metrics.getMeter('taqaddum', version());
  const count = meter.createObservableGauge('taqaddum.progress.count', {
    description: 'Count so far of the bars with these attributes (their `n`), in their unit',
  });
  const limit = meter.createObservableGauge('taqaddum.progress.limit', {
    description: 'Expected final count of the bars with these attributes (their `total`), when known',
  });
  const rate = meter.createObservableGauge('taqaddum.progress.rate', {
    description: 'Rate of the bars with these attributes, in their unit per second',
  });
  const failed = meter.createObservableGauge('taqaddum.progress.tasks.failed', {
    description: 'Tasks failed so far (bars of promises and calls; 0 for other bars)',
    unit: '{task}',
  });
  const running = meter.createObservableGauge('taqaddum.progress.tasks.running', {
    description: 'Calls running now (progress.map)',
    unit: '{task}',
  });
  const gauges: ObservableGauge[] = [count, limit, rate, failed, running];

  /** The latest snapshot of each bar, by id; a closed bar's stays until a collection has reported it. */
  const latest = new Map<number, BarSnapshot>();
  const unsubscribe = observe((s) => {
    // A call count ends at 0, not unknown: an SDK that keeps a series' last value (below) keeps that.
    const ended = s.done && s.running === undefined && latest.get(s.id)?.running !== undefined;
    latest.set(s.id, ended ? { ...s, running: 0 } : s);
  });
  const report: BatchObservableCallback = (result) => {
    const bars = [...latest.values()];
    for (const s of bars) if (s.done) latest.delete(s.id);
    for (const s of series(bars).values()) {
      const attributes = { desc: s.desc, unit: s.unit };
      result.observe(count, s.n, attributes);
      if (s.total !== undefined) result.observe(limit, s.total, attributes);
      if (s.rate !== undefined) result.observe(rate, s.rate, attributes);
      result.observe(failed, s.failed, attributes);
      if (s.running !== undefined) result.observe(running, s.running, attributes);
    }
  };
  meter.addBatchObservableCallback(report, gauges);
  let stopped = false;
  return () => {
    if (stopped) return;
    stopped = true;
    unsubscribe();
    meter.removeBatchObservableCallback(report, gauges);
    latest.clear();
  };
}
