/**
 * A bar as one JSON line (`mode: 'json'`), for log pipelines that parse each line (Loki's `| json`,
 * CloudWatch Logs Insights, Datadog): the schema is documented in the README ("Log pipelines") and on
 * the `mode` option. Pure: the snapshot and the wall-clock time in, the text out.
 *
 * - Times are in seconds, like the bar's `elapsed` and a `format` function's state; `rate` is per second.
 * - What is unknown is `null`, never absent, so every line of a plain bar has the same keys: `total`,
 *   `rate`, `eta`, `percentage` (no total, or a total of 0); `running` and `stalled` when they do not
 *   apply (`running` outside `progress.map` and once the bar is done, `stalled` unless a task bar is).
 * - Text (desc, unit, postfix, report lines) goes through the filter of plain output (no escape codes,
 *   no control characters), then `JSON.stringify` escapes what JSON needs.
 * - Numbers are rounded to what a chart can use (milliseconds, 6 significant digits for the rate,
 *   hundredths of a percent, rounded down so that 100 means complete): logs stay short.
 */
import type { Snapshot } from '../core/state.js';
import { sanitize } from './sanitize.js';

/** The fields of a JSON line, in the order they are written. */
export interface JsonRecord {
  desc: string;
  n: number;
  total: number | null;
  unit: string;
  elapsed: number;
  rate: number | null;
  eta: number | null;
  percentage: number | null;
  failed: number;
  running: number | null;
  stalled: number | null;
  done: boolean;
  outcome: Snapshot['outcome'];
  postfix: string;
  timestamp: string;
  report?: string[];
}

const seconds = (s: number): number => Math.round(s * 1000) / 1000;

/**
 * The JSON line of `s` (no newline). `time`: milliseconds since the epoch (`Date.now()`), written as
 * `timestamp`. `report`: the lines plain output would print under the bar (stragglers, what was still
 * pending, the failures), each trimmed; written as `report` when there are any.
 */
export function jsonLine(s: Snapshot, time: number, report: readonly string[] = []): string {
  const total = s.total;
  const running = s.outcome === 'running';
  const record: JsonRecord = {
    desc: sanitize(s.desc, false),
    n: s.n,
    total: total ?? null,
    unit: sanitize(s.unit, false),
    elapsed: seconds(s.elapsed),
    rate: s.rate === undefined || !Number.isFinite(s.rate) ? null : Number(s.rate.toPrecision(6)),
    eta: s.eta === undefined || !Number.isFinite(s.eta) ? null : seconds(s.eta),
    percentage: total !== undefined && total > 0 ? Math.floor((s.n / total) * 10_000) / 100 : null,
    failed: s.tasks?.failed ?? 0,
    running: running ? (s.tasks?.running ?? null) : null,
    stalled: running && s.tasks?.stalled !== undefined ? seconds(s.tasks.stalled) : null,
    done: !running,
    outcome: s.outcome,
    postfix: sanitize(s.postfix, false),
    timestamp: new Date(time).toISOString(),
  };
  if (report.length > 0) record.report = report.map((line) => sanitize(line, false).trim());
  return JSON.stringify(record);
}
